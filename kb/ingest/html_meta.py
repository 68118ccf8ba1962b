"""What an HTML page says of itself: title, outlet, authors, date, address and language.

:func:`page_metadata` reads ``<title>`` (less a `` | Site`` suffix, or the page's own heading
when the ``<title>`` opens with it), ``<meta name="author">``, date meta tags and ``<time>``,
``og:site_name`` and source meta tags, JSON-LD (``author``, ``datePublished``, ``publisher``)
as trafilatura reads them, the theme's markup (site title, by-line, meta line, author box,
microdata, the footer's © holder, the logo), a platform page's account
(:mod:`kb.ingest.platforms`) and ``<html lang>``. A YAML front matter block in the page's
first comment (``<!-- --- title: … --- -->``) overrides any of them. The page's main text is
:mod:`kb.ingest.html`'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from kb.errors import ParseError
from kb.ingest.commentary_page import cjk_site_owner
from kb.ingest.frontmatter import (
    HTTP_URL,
    NAME_SEPARATORS,
    CommentaryFields,
    check_iso_date,
    parse_fields,
    split_front_matter,
)
from kb.ingest.furniture import copyright_holder, interviewer, load_rules, parse_byline, source_name
from kb.ingest.platforms import account_outlet, page_account, page_writer

__all__ = ["page_interviewer", "page_metadata"]

_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4})")


def _json_ld(root: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects of the page (``@graph`` members included), as data."""
    for node in root.iter("script"):
        if (node.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(node.text or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                yield item


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _override_comment(root: lxml.html.HtmlElement, path: str) -> CommentaryFields | None:
    """Front matter in the page's first comment, if it holds a ``---`` block."""
    before: list[etree._Element] = []
    node = root.getprevious()
    while node is not None:  # comments before <html> are siblings of the root
        before.insert(0, node)
        node = node.getprevious()
    for comment in (*before, *root.iter(etree.Comment)):
        if not isinstance(comment, etree._Comment):
            continue
        text = (comment.text or "").strip("\n ")
        if text.startswith("---"):
            return split_front_matter(text + "\n", path).fields
        return None
    return None


# Class names themes give the site's name and an article's by-line or meta line.
_SITE_CLASS = re.compile(r"(?:^|[\s_-])(?:blogname|site-?title|site-?name|sitename|masthead|brand)(?:$|[\s_-])", re.I)
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:byline|authors?|author-?name)(?:$|[\s_-])", re.I)
_META_CLASS = re.compile(r"(?:^|[\s_-])(?:post-?meta|entry-?meta|article-?meta|meta|info|source)(?:$|[\s_-])", re.I)
_IN_COMMENTS = re.compile(r"comment|reply|respond", re.I)
_SIGNATURE_CLASS = re.compile(r"(?:^|[\s_-])(?:post-?signature|owner)(?:$|[\s_-])", re.I)


def _in_comments(node: lxml.html.HtmlElement) -> bool:
    """Whether ``node`` stands inside a comment thread (an ancestor's class or id says so)."""
    return any(_IN_COMMENTS.search(" ".join(a.get(k) or "" for k in ("class", "id"))) for a in node.iterancestors())


def _marked(root: lxml.html.HtmlElement, pattern: re.Pattern[str], *, parts: bool = False) -> Iterator[str]:
    """The text of each element whose class (or itemprop/rel) matches, outside comment sections;
    ``parts``: then the text of each of its children (an author box's "Written by X" above the bio)."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        marks = " ".join(node.get(a) or "" for a in ("class", "itemprop", "rel"))
        if not pattern.search(marks):
            continue
        if _in_comments(node):
            continue
        texts = (node, *(c for c in node if isinstance(c.tag, str))) if parts else (node,)
        for element in texts:
            text = " ".join(element.text_content().split())
            if 2 <= len(text) <= 200:
                yield text


_HANDLE_WORD = re.compile(r"^@?([A-Z][a-z]{3,})[A-Z0-9]")
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")


def _spelled_out(site: str, page_title: str | None) -> str:
    """The site's name as the page's ``<title>`` spells it out when the name found is its
    social handle ("@ExampleRev" from ``twitter:site``; "… | Opinion | Example Policy Review").

    >>> _spelled_out("@ExampleRev", "Consent | Opinion | Example Policy Review"), _spelled_out("Example", None)
    ('Example Policy Review', 'Example')
    """
    m = _HANDLE_WORD.match(site)
    if m is None or " " in site or not page_title:
        return site
    last = _TITLE_PARTS.split(page_title.strip())[-1]
    if len(last.split()) >= 2 and last.split()[0].casefold() == m.group(1).casefold() and len(last) <= 60:
        return last
    return site


def _unsquashed(site: str | None, *names: str | None) -> str | None:
    """The site's name spelled out where the page spells it (its footer's © holder, its logo, its
    ``<title>``), when the extractor gave it squashed from the web address ("Examplepost" for
    "The Example Post").

    >>> _unsquashed("Examplepost", "The Example Post", None), _unsquashed("Example Post", "Example Post Ltd")
    ('The Example Post', 'Example Post')
    """
    if not site or " " in site:
        return site
    for name in names:
        squashed = "".join((name or "").split()).casefold()
        if " " in (name or "") and site.casefold() in (squashed, squashed.removeprefix("the")):
            return name
    return site


def _markup_site_name(root: lxml.html.HtmlElement) -> str | None:
    """The site's name from the theme's markup (``<span class="blogname">``), when no meta tag gives it."""
    return next((t for t in _marked(root, _SITE_CLASS) if len(t) <= 60), None)


def _title_lead(site: str | None, page_title: str | None) -> str | None:
    """The site's name when the extractor took the ``<title>``'s leading parts for it: its last
    part ("Case brief 7 | LAW 101 Privacy | Example Learn" read as "Case brief 7 | LAW 101
    Privacy"); else ``site`` as it is.

    >>> _title_lead("Brief 7 | LAW 101", "Brief 7 | LAW 101 | Example Learn"), _title_lead("Example", "A | Example")
    ('Example Learn', 'Example')
    """
    if not site or not page_title:
        return site
    whole = page_title.strip()
    if any(whole[: m.start()].strip() == site.strip() for m in _TITLE_PARTS.finditer(whole)):
        return _TITLE_PARTS.split(whole)[-1].strip() or site
    return site


_LOGO = re.compile(r"logo|brand", re.I)


_HEADINGS = ("h1", "h2", "h3")
_AFTER_HEADLINE = re.compile(r"\s*[-_|–—｜]\s*\S")


def _headline_in_title(root: lxml.html.HtmlElement, page_title: str) -> str | None:
    """The page's heading that its ``<title>`` opens with before a separator, when the
    extractor took the whole ``<title>`` for the headline ("标题-专业文章-某某律师事务所" over
    an ``<h2>标题</h2>``); None when no heading is such a part of it.

    >>> page = "<html><body><h2>新规要点</h2><p>正文</p></body></html>"
    >>> _headline_in_title(lxml.html.fromstring(page), "新规要点-专业文章-某某律所"), _headline_in_title(
    ...     lxml.html.fromstring(page), "新规要点解读")
    ('新规要点', None)
    """
    whole = page_title.strip()
    for tag in _HEADINGS:
        for node in root.iter(tag):
            text = " ".join(node.text_content().split())
            if len(text) >= 4 and whole.startswith(text) and _AFTER_HEADLINE.match(whole[len(text) :]):
                return text
    return None


_FOOTER_MARK = re.compile(r"(?:^|[\s_-])(?:footer|copyright|bottom)(?:$|[\s_-])", re.I)


def _footer_or_logo_name(root: lxml.html.HtmlElement) -> str | None:
    """The site's name as a page gives it only in its chrome: the alt text of the logo in its
    ``<header>``, or the holder of the copyright in its ``<footer>``.

    >>> foot = '<footer><p>© 2026 Example Post. All rights reserved.</p></footer>'
    >>> _footer_or_logo_name(lxml.html.fromstring(f'<html><body><p>x</p>{foot}</body></html>'))
    'Example Post'
    >>> head = '<header><img src="/img/logo.svg" alt="Example Times"></header>'
    >>> _footer_or_logo_name(lxml.html.fromstring(f'<html><body>{head}</body></html>'))
    'Example Times'
    """
    for img in root.iter("img"):
        alt = (img.get("alt") or "").strip()
        in_header = any(a.tag == "header" for a in img.iterancestors())
        marked = _LOGO.search(" ".join(img.get(a) or "" for a in ("src", "class", "id")))
        if alt and in_header and marked and 1 <= len(alt.split()) <= 6 and not alt.casefold().endswith("logo"):
            return alt
    for footer in _footers(root):
        if name := copyright_holder(" ".join(footer.text_content().split())):
            return name
    return None


def _footers(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The page's ``<footer>`` elements, then the theme's footer blocks (``<div class="footer">``)."""
    marked = (
        n
        for n in root.iter()
        if isinstance(n.tag, str)
        and n.tag != "footer"
        and _FOOTER_MARK.search(f"{n.get('class') or ''} {n.get('id') or ''}")
    )
    return [*root.iter("footer"), *marked]


def _footer_owner(root: lxml.html.HtmlElement) -> str | None:
    """The owner a Chinese copyright line in the footer names (``版权所有 © 2025 某某律师事务所``).

    >>> _footer_owner(lxml.html.fromstring('<div><p>x</p><div class="footer">版权所有：某某律师事务所</div></div>'))
    '某某律师事务所'
    """
    return next(filter(None, (cjk_site_owner(" ".join(f.text_content().split())) for f in _footers(root))), None)


_TITLE_SITE = re.compile(r"\s*[-_|–—｜]\s*(?:[^-_|–—｜]{1,12}\s*[-_|–—｜]\s*)?(?P<name>[^-_|–—｜]{2,30}?)\s*")


def _title_site(page_title: str | None, title: str | None) -> str | None:
    """The site's name the page's ``<title>`` adds after its headline, with or without spaces
    around the separator and perhaps a section between ("标题-某某网上问政", "标题_社会_某某新闻网").

    >>> _title_site("自助机只能刷脸-某某网上问政", "自助机只能刷脸"), _title_site("标题_社会_某某网", "标题")
    ('某某网上问政', '某某网')
    >>> _title_site("Faces at the gate", "Faces at the gate"), _title_site("A - B - C - D", "A")
    (None, None)
    """
    if not page_title or not title or not page_title.strip().startswith(title):
        return None
    m = _TITLE_SITE.fullmatch(page_title.strip()[len(title) :])
    return m.group("name") if m else None


def _markup_source(root: lxml.html.HtmlElement) -> str | None:
    """A Chinese page's ``来源：江东法治报`` in its meta line."""
    for text in _marked(root, _META_CLASS):
        name = source_name(text)
        if name:
            return name
    return None


# Meta tags naming the body a page's text comes from: a Chinese government CMS's ``ContentSource``
# (its 信息来源), a scholarly page's ``citation_publisher`` (the tag Google Scholar reads), Dublin Core.
_SOURCE_META = ("contentsource", "citation_publisher", "dc.publisher")


def _meta_source(root: lxml.html.HtmlElement) -> str | None:
    """The body a source meta tag names (:data:`_SOURCE_META`), when the meta line names none.

    >>> head = '<html><head><meta name="ContentSource" content="某某市网信办"></head></html>'
    >>> _meta_source(lxml.html.fromstring(head))
    '某某市网信办'
    """
    for node in root.iter("meta"):
        if (node.get("name") or "").strip().lower() in _SOURCE_META:
            content = " ".join((node.get("content") or "").split())
            if 2 <= len(content) <= 60:
                return content
    return None


# What a paper's company adds to the paper's name: 社, 报社有限公司, 传媒集团有限公司.
_PUBLISHING_HOUSE = re.compile(r"(?:报?社)?(?:传媒)?(?:集团)?(?:有限(?:责任)?公司)?")


def _masthead(publisher: str | None, source: str | None) -> str | None:
    """The name the page's meta line gives (``来源：澄江晚报``) over the site or publisher its meta
    tags name, when that is the paper's company (澄江晚报社, 某某日报社有限公司) or another body's
    name altogether: the site a court, an office or a paper publishes on (某某检察网 for
    某某区人民检察院, 某某新闻网 for 某某晚报), as a text page's 来源 line wins over its masthead.

    The site's own name holding the source's (``og:site_name`` 南湖日报网 over 南湖日报) stays:
    the site is the outlet.

    >>> _masthead("南湖日报社", "南湖日报"), _masthead("南湖日报社", "新华社"), _masthead(None, "南湖日报")
    ('南湖日报', '新华社', None)
    >>> _masthead("南湖日报网", "南湖日报"), _masthead("南湖传媒集团有限公司", "南湖")
    ('南湖日报网', '南湖')
    >>> _masthead("某某检察网", "某某市某某区人民检察院")
    '某某市某某区人民检察院'
    """
    if (
        publisher
        and source
        and (source not in publisher or _PUBLISHING_HOUSE.fullmatch(publisher.removeprefix(source) or "-"))
    ):
        return source
    return publisher


def _markup_authors(root: lxml.html.HtmlElement, boxed: tuple[str, ...]) -> str | None:
    """The by-line in the theme's markup (``class="author"``, or a meta line
    ``Filed under … | by Jane Doe | 2026-08-30``), when no meta tag or JSON-LD names anyone."""
    rules = load_rules()
    if boxed:  # the names an author box sets apart (:func:`_boxed_names`)
        return "; ".join(boxed)
    # the theme's author element ("作者：X", "By X", or the name alone), the meta line and each
    # of its fields, a Q&A page's "asked by …" under its question
    for pattern, parts, bare in (
        (_AUTHOR_CLASS, True, True),
        (_META_CLASS, True, False),
        (_SIGNATURE_CLASS, False, False),
    ):
        for text in _marked(root, pattern, parts=parts):
            names = parse_byline(text, rules) or (parse_byline("By " + text, rules) if bare else None)
            # a meta line's fields, each by its label or after a bar: "作者：X 发布时间：… 浏览次数：…"
            names = names or next(filter(None, (parse_byline(f, rules) for f in _META_FIELDS.split(text))), None)
            if names:
                return "; ".join(names)
    return None


# where a meta line's next field starts: a bar, or a space before a short label and its colon
_META_FIELDS = re.compile(r"\s*[|｜]\s*|\s+(?=[^\s：:|｜]{1,8}[：:])")


_CJK_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
# A link to a person's page on the site: "/people/jane-roe", "/authors/jane-roe/", "/team/jane".
_PROFILE_HREF = re.compile(
    r"/(?:people|person|authors?|profiles?|team|experts?|lawyers?|professionals?|staff|bios?)/", re.I
)
_LATIN_PERSON = re.compile(r"^[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){1,3}$")


def _boxed_names(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """The names an author box sets apart, each in bold or as a link to the person's page
    (``<p><strong>Jane Roe</strong> Partner, Shanghai</p>``, ``<li><a href="/people/jane-roe">Jane
    Roe</a><span>Partner</span></li>``): the roles and offices beside them are no names.

    >>> _boxed_names(lxml.html.fromstring("<div class='author-box'><p><b>Jane Roe</b> Partner, Paris</p>"
    ...     "<p><b>John Doe</b> Counsel, Rome</p></div>"))
    ('Jane Roe', 'John Doe')
    """
    rules = load_rules()
    for node in root.iter():
        if not isinstance(node.tag, str) or not _AUTHOR_CLASS.search(
            " ".join(node.get(a) or "" for a in ("class", "id"))
        ):
            continue
        if _in_comments(node):
            continue
        names: list[str] = []
        for e in node.iter("strong", "b", "a"):
            if e.tag == "a" and not _PROFILE_HREF.search(e.get("href") or ""):
                continue
            text = " ".join(e.text_content().split())
            if (_LATIN_PERSON.match(text) or _CJK_PERSON.match(text)) and not rules.is_byline_role(text):
                names += [text] if text not in names else []
        if names:
            return tuple(names)
    return ()


def _author_names(value: str) -> tuple[str, ...]:
    """The names in an author value a page gives: a by-line's ("By Jane Roe, Senior
    Reviewer"), or the names that open an author box ("张三，某某法院法官，长期从事…"),
    else the value as it is.

    >>> _author_names("Jane Roe; Senior Reviewer"), _author_names("张三，某某市人民法院民一庭法官，长期从事审判工作")
    (('Jane Roe',), ('张三',))
    """
    rules = load_rules()
    names = parse_byline(value, rules) or parse_byline("By " + value, rules)
    if names:
        return names
    found: list[str] = []
    for chunk in (c.strip() for c in NAME_SEPARATORS.split(value)):
        if not (_CJK_PERSON.match(chunk) or _LATIN_PERSON.match(chunk)) or rules.is_byline_role(chunk):
            break  # the description after the names
        found.append(chunk)
    return tuple(found) or (value,)


_SURNAME_FIRST = re.compile(
    r"^(?P<last>[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?), (?P<first>[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+)?)$"
)


def _citation_authors(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """A paper's ``<meta name="citation_author">`` tags, "Surname, Given" each, as the page's
    text writes the names ("Wei Jiaming" stays surname first when the page says so), else
    given name first; () when there are none or one is not of that form."""
    values = [
        " ".join((node.get("content") or "").split())
        for node in root.iter("meta")
        if (node.get("name") or "").strip().lower() == "citation_author"
    ]
    matches = [_SURNAME_FIRST.match(v) for v in values]
    if not matches or not all(matches):
        return ()
    text = " ".join(root.text_content().split())
    out: list[str] = []
    for m in matches:
        assert m is not None
        surname_first = f"{m.group('last')} {m.group('first')}"
        out.append(surname_first if surname_first in text else f"{m.group('first')} {m.group('last')}")
    return tuple(out)


_MICRODATA_NAME_MAX = 60


def _microdata_authors(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """The names schema.org microdata marks as the authors (``itemprop="author"``, or the
    ``itemprop="name"`` inside one): the markup's own word, over an extractor's reading of
    the by-line around them ("Live coverage by <span itemprop=author>Jane Roe</span>").

    >>> _microdata_authors(lxml.html.fromstring("<p>Coverage by <span itemprop='author'>Jane Roe</span> and "
    ...     "<span itemprop='author'><b itemprop='name'>John Doe</b></span></p>"))
    ('Jane Roe', 'John Doe')
    >>> _microdata_authors(lxml.html.fromstring("<div itemprop='author'><meta itemprop='name' content='老周'>"
    ...     "<a>老周</a><div>执业律师</div></div>"))
    ('老周',)
    """
    names: list[str] = []
    for node in root.iter():
        if not isinstance(node.tag, str) or "author" not in (node.get("itemprop") or "").split():
            continue
        named = [e for e in node.iter() if isinstance(e.tag, str) and "name" in (e.get("itemprop") or "").split()]
        element = named[0] if named else node
        # <meta itemprop="name" content="…">: the name is the tag's content, not its (empty) text
        value = element.get("content") or "" if element.tag == "meta" else element.text_content()
        text = " ".join(value.split())
        if text and len(text) <= _MICRODATA_NAME_MAX and text not in names:
            names.append(text)
    return tuple(names)


def _rel_authors(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """The names of the links ``rel="author"`` marks, outside comment threads, in order.

    >>> _rel_authors(lxml.html.fromstring("<p>By <a rel='author'>Jane Roe</a> and <a rel='author'>John Doe</a></p>"))
    ('Jane Roe', 'John Doe')
    """
    names: list[str] = []
    for node in root.iter("a"):
        if "author" not in (node.get("rel") or "").split():
            continue
        if _in_comments(node):
            continue
        text = " ".join(node.text_content().split())
        if text and len(text) <= _MICRODATA_NAME_MAX and text not in names:
            names.append(text)
    return tuple(names)


def _meta_author(root: lxml.html.HtmlElement) -> str | None:
    """``<meta name="author">`` as written, when trafilatura dropped it (it keeps Latin names
    only: a Chinese name such as 郑可欣 comes back empty)."""
    for node in root.iter("meta"):
        if (node.get("name") or "").strip().lower() in ("author", "article:author", "dc.creator"):
            content = " ".join((node.get("content") or "").split())
            if content and len(content) <= 120 and not content.startswith("http"):
                return content
    return None


def page_metadata(root: lxml.html.HtmlElement, path: str) -> tuple[CommentaryFields, str | None]:
    """What the page says of itself, and its ``lang``; front matter in a comment overrides."""
    import trafilatura  # a second of imports: only when there is HTML to read

    found = trafilatura.extract_metadata(root, extensive=False)
    fields: dict[str, Any] = {}
    ld_authors: list[str] = []
    for item in _json_ld(root):
        ld_authors += [n for n in _names(item.get("author")) if n not in ld_authors]
        publishers = _names(item.get("publisher"))
        if publishers:
            fields.setdefault("outlet", publishers[0])
        fields.setdefault("date", item.get("datePublished") if isinstance(item.get("datePublished"), str) else None)
    title = found.title if found else None
    page_title = root.findtext(".//title")
    if title and page_title and title.strip() == page_title.strip():
        title = _headline_in_title(root, page_title) or title  # the <title> is headline + section + site
    site = found.sitename if found else None
    if site and title and site in title and len(site) > len(title) / 2:
        site = None  # trafilatura's guess from the <title>, the headline itself
    source = _markup_source(root) or _meta_source(root)
    site = _title_lead(site, page_title)
    site = _masthead(site or fields.get("outlet") or _markup_site_name(root) or source, source)
    account = page_account(root)  # a 公众号 on 微信公众平台: the account is the outlet
    site = account_outlet(site, account)
    chrome_name, title_site = _footer_or_logo_name(root), _title_site(page_title, title)
    site = site or chrome_name or title_site
    site = site or _footer_owner(root)  # "版权所有 © 2025 某某律师事务所": the owner, when nothing names the site
    site = _spelled_out(site, page_title) if site else site
    site = _unsquashed(site, chrome_name, title_site)
    if title and site and title.endswith(site):
        title = _TITLE_SUFFIX.sub("", title) if _TITLE_SUFFIX.search(title) else title
    fields["title"] = title
    fields["outlet"] = site
    authors = (found.author if found else None) or "; ".join(ld_authors) or _meta_author(root)
    # "作者：卢清和", "By Jane Doe": the names of a by-line; none at all: the theme's markup
    if cited := _citation_authors(root):
        authors = "; ".join(cited)  # "Halvorsen, Ingrid" (trafilatura splits it at the comma)
    boxed = _boxed_names(root)
    if boxed and authors and all(n in authors for n in boxed):
        authors = "; ".join(boxed)  # the extractor read the author box whole: "Jane Roe Partner; Paris …"
    authors = "; ".join(_author_names(authors)) if authors else _markup_authors(root, boxed)
    if marked := _microdata_authors(root):
        authors = "; ".join(marked)  # the microdata names each author: no by-line to read
    linked = _rel_authors(root)
    named = [n for n in (authors or "").split("; ") if n]
    if len(linked) > len(named) and set(named) <= set(linked):
        authors = "; ".join(linked)  # <meta name=author> names the first; the by-line's links name them all
    if account:  # the account's name in the author field is the outlet, not a writer
        authors = "; ".join(n for n in (authors or "").split("; ") if n and n != account) or page_writer(root)
    fields["authors"] = authors
    date = (found.date if found else None) or fields.get("date")
    fields["date"] = _iso_prefix(date)
    url = found.url if found else None
    fields["url"] = url if url and HTTP_URL.match(url) else None
    lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    try:
        fields["language"] = lang
        meta = parse_fields(fields, path)
    except ParseError:
        fields["language"] = None
        meta = parse_fields(fields, path)
    override = _override_comment(root, path)
    if override is not None:
        meta = meta.model_copy(update=override.model_dump(exclude_unset=True, exclude={"unknown_keys", "dropped"}))
    return meta, meta.language


def _iso_prefix(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _DATE_PREFIX.match(value.strip())
    if not m:
        return None
    try:
        return check_iso_date(m.group(1))
    except ValueError:
        return None


def page_interviewer(root: lxml.html.HtmlElement) -> str | None:
    """The asker an interview's by-line markup names ("Interview by Jane Roe"), if any."""
    return next((n for t in _marked(root, _AUTHOR_CLASS) if (n := interviewer(t, load_rules()))), None)
