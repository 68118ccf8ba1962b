"""Pages saved from publishing platforms: the account that published them is the outlet.

A platform (WeChat's 公众号 pages, 百家号, Medium ...) names itself as the page's site
(``og:site_name`` 微信公众平台); the account that wrote the page is what a reader cites as the
source. :func:`page_account` reads the account's name from the page's markup, and
:func:`account_outlet` puts it in the place of a platform's name. The platforms and the
markup are data, ``corpus/commentary_platforms.toml``, with examples the tests read.

>>> root = lxml.html.fromstring('<html><body><a id="js_name"> 北辰数据法 </a><p>x</p></body></html>')
>>> page_account(root), account_outlet("微信公众平台", "北辰数据法"), account_outlet("Example Review", "x")
('北辰数据法', '北辰数据法', 'Example Review')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lxml.html

from kb.datafiles import RuleModel, load_rules
from kb.settings import get_settings

__all__ = ["PLATFORMS_NAME", "account_outlet", "page_account", "page_writer", "platform_rules"]

PLATFORMS_NAME = "commentary_platforms.toml"  # under settings.corpus_dir
_NAME_MAX = 40  # an account's name is short; a longer text is not one


class _Example(RuleModel):
    html: str
    outlet: str | None
    authors: tuple[str, ...]


class PlatformRules(RuleModel):
    platforms: tuple[str, ...]
    account_marks: tuple[str, ...]
    account_vars: tuple[str, ...]
    writer_marks: tuple[str, ...] = ()
    not_writers: tuple[str, ...] = ()
    examples: tuple[_Example, ...] = ()

    def is_platform(self, site: str) -> bool:
        return site.strip().casefold() in _compiled(self).platforms


@lru_cache(maxsize=4)
def platform_rules(path: Path | None = None) -> PlatformRules:
    """The stored rules, ``<corpus_dir>/commentary_platforms.toml`` by default (cached)."""
    return load_rules(path or get_settings().corpus_dir / PLATFORMS_NAME, PlatformRules, "platform rules file")


@dataclass(frozen=True)
class _Compiled:
    """A rules file's patterns and folded platform names, built once per file."""

    platforms: frozenset[str]
    account_mark: re.Pattern[str]
    account_var: re.Pattern[str]
    writer_mark: re.Pattern[str] | None


def _marks(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``names`` as a whole word of an id or class attribute (padded with spaces)."""
    return re.compile(rf"(?:^|\s)(?:{'|'.join(re.escape(m) for m in names)})(?:\s|$)")


@lru_cache(maxsize=4)
def _compiled(rules: PlatformRules) -> _Compiled:
    names = "|".join(re.escape(v) for v in rules.account_vars)
    return _Compiled(
        frozenset(p.casefold() for p in rules.platforms),
        _marks(rules.account_marks),
        re.compile(rf"\bvar\s+(?:{names})\s*=\s*(?:htmlDecode\()?\s*[\"'](?P<name>[^\"'\n]{{1,{_NAME_MAX}}})[\"']"),
        _marks(rules.writer_marks) if rules.writer_marks else None,
    )


def page_account(root: lxml.html.HtmlElement, rules: PlatformRules | None = None) -> str | None:
    """The account a platform page names: the text of an element whose id or class marks the
    account's name, else a script variable holding it; None when the page names none."""
    compiled = _compiled(rules or platform_rules())
    marked, variable = compiled.account_mark, compiled.account_var
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            continue
        if marked.search(f" {node.get('id') or ''} {node.get('class') or ''} "):
            text = " ".join(node.text_content().split())
            if 2 <= len(text) <= _NAME_MAX:
                return text
    for script in root.iter("script"):
        if m := variable.search(script.text or ""):
            return " ".join(m.group("name").split()) or None
    return None


_NOT_A_NAME = re.compile(r"[\d:：/|｜@#]")  # a date, a time, a label or a handle


def page_writer(root: lxml.html.HtmlElement, rules: PlatformRules | None = None) -> str | None:
    """The writer an account's meta line names (WeChat's ``<span class="rich_media_meta_text">``
    beside the account link), skipping its marks (原创) and its date; None when it names none."""
    rules = rules or platform_rules()
    marked = _compiled(rules).writer_mark
    if marked is None:
        return None
    for node in root.iter():
        if not isinstance(node.tag, str) or not marked.search(f" {node.get('class') or ''} "):
            continue
        text = " ".join(node.text_content().split())
        if 2 <= len(text) <= _NAME_MAX and text not in rules.not_writers and not _NOT_A_NAME.search(text):
            return text
    return None


def account_outlet(site: str | None, account: str | None, rules: PlatformRules | None = None) -> str | None:
    """The outlet of a page whose site is ``site`` and that names ``account``: the account in
    the place of no site or of a platform's name, else the site."""
    if account and (site is None or (rules or platform_rules()).is_platform(site)):
        return account
    return site
