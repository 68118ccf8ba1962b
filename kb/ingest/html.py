"""An HTML page -> its main text as blocks, and what the page says of itself.

The main content is found by trafilatura (pinned in ``pyproject.toml``), not by rules of
ours: it drops navigation, sidebars, comment threads, footers and widgets by the
page's structure. ``scripts/bench_html_extract.py`` compares it with the alternatives
we tried on the HTML fixtures.

The page is untrusted. Before anything else, :func:`parse_page` refuses a page that
declares entities (``<!ENTITY``), nests elements deeper than :data:`MAX_DEPTH` or has
more than :data:`MAX_ELEMENTS` elements, naming the file; then every ``script``,
``style``, ``iframe``, ``object``, ``embed``, ``template``, ``noscript``, ``svg``,
``form`` … element and every ``on*`` attribute is removed from the tree, so none of
them can reach a passage (JSON-LD metadata is read first, as data, never run).

Notes. A footnotes or endnotes section (``role="doc-endnotes"``, ``class="footnotes"`` …),
which the extractor drops as boilerplate, is article text: its notes follow the main text
as paragraphs; the marks pointing to them and the links back are removed.

Provenance. The extracted text (:attr:`HtmlText.text`) is a pure function of the
file's bytes and the pinned trafilatura: blocks joined by blank lines, list items
after ``"- "``. Passage offsets of an HTML document point into that text, not into
the markup; the file's sha256 is recorded like any source's, so
``kb.ingest.html.extract_page(<file text>, path).text`` rebuilds what the offsets
refer to.

Metadata (:func:`page_metadata`): ``<title>`` (less a `` | Site`` suffix),
``<meta name="author">``, date meta tags and ``<time>``, ``og:site_name``, JSON-LD
(``author``, ``datePublished``, ``publisher``) as trafilatura reads them, and
``<html lang>``. A YAML front matter block in the page's first comment
(``<!-- --- title: … --- -->``) overrides any of them.

>>> page = extract_page(
...     "<html lang='en'><head><title>Rules | Site</title></head><body><article>"
...     "<h1>Rules</h1><p>" + "The draft bans it in hotel rooms. " * 8 + "</p>"
...     "<script>alert(1)</script></article></body></html>", "a.html")
>>> [(b.kind, b.text[:18]) for b in page.blocks]
[('heading', 'Rules'), ('paragraph', 'The draft bans it ')]
>>> page.language, page.metadata.title
('en', 'Rules')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from kb.errors import EmptySource, ParseError
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
from kb.ingest.threads import BlockKind, thread_blocks

__all__ = ["MAX_DEPTH", "MAX_ELEMENTS", "HtmlBlock", "HtmlText", "extract_page", "page_metadata", "parse_page"]

# Real pages nest 20-60 deep; libxml2 silently flattens anything past 256.
MAX_DEPTH = 200
# A long article page has a few thousand elements.
MAX_ELEMENTS = 200_000


# Elements that carry code, styles, embedded documents or forms: never text of a passage.
_UNSAFE_TAGS = (
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "template",
    "noscript",
    "svg",
    "math",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "link",
    "meta",
    "base",
    "canvas",
    "audio",
    "video",
    "source",
    "track",
)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.I)
# A page's notes: a footnotes or endnotes section (DPUB-ARIA roles, or the class or id that
# pandoc, blog plugins and CMSs give it). The extractor drops it as boilerplate, but its text
# is the article's: notes carry the citations. The marks that point to a note ("…purpose.¹")
# and the links back from it ("↩") are not text.
_NOTE_ROLES = frozenset({"doc-endnotes", "doc-footnotes", "doc-footnote", "doc-endnote"})
_NOTE_NAME = re.compile(r"(?:^|[\s_-])(?:foot|end)notes?(?:$|[\s_-])", re.I)
_NOTE_MARK = re.compile(r"^\W{0,2}(?:\d{1,3}|[*†‡§]|[ivx]{1,4})\W{0,2}$", re.I)
_NOTE_BLOCKS = frozenset({"section", "div", "aside", "footer", "ol", "ul", "dl", "li", "p"})
_BACKLINK = re.compile(r"\s*[↩↑⤴]\ufe0e?")
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4})")


@dataclass(frozen=True, slots=True)
class HtmlBlock:
    """One block of the extracted text: ``text[start:end]`` of :attr:`HtmlText.text`."""

    kind: BlockKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class HtmlText:
    text: str  # the extracted main text (see the module docstring)
    blocks: tuple[HtmlBlock, ...]
    metadata: CommentaryFields  # the page's own metadata, front-matter overrides applied
    language: str | None
    warnings: tuple[str, ...] = ()
    interviewer: str | None = None  # "Interview by Jane Roe" in the by-line's markup


def parse_page(source: str, path: str) -> lxml.html.HtmlElement:
    """Parse ``source`` safely (see the module docstring); raises ParseError naming ``path``."""
    m = _ENTITY_DECLARATION.search(source)
    if m:
        line = source.count("\n", 0, m.start()) + 1
        raise ParseError(
            "declares XML entities (<!ENTITY …>): refused (entity expansion attack?)", path=path, line=line
        )
    parser = lxml.html.HTMLParser(collect_ids=False, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not a readable HTML page: {exc}", path=path) from None
    depth = elements = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            elements += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"elements nested more than {MAX_DEPTH} deep: not a page we read", path=path)
            if elements > MAX_ELEMENTS:
                raise ParseError(f"more than {MAX_ELEMENTS:,} elements: not an article page", path=path)
        else:
            depth -= 1
    return root


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


def _marked(root: lxml.html.HtmlElement, pattern: re.Pattern[str], *, parts: bool = False) -> Iterator[str]:
    """The text of each element whose class (or itemprop/rel) matches, outside comment sections;
    ``parts``: then the text of each of its children (an author box's "Written by X" above the bio)."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        marks = " ".join(node.get(a) or "" for a in ("class", "itemprop", "rel"))
        if not pattern.search(marks):
            continue
        if any(_IN_COMMENTS.search(" ".join(a.get(k) or "" for k in ("class", "id"))) for a in node.iterancestors()):
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
    footers = [
        *root.iter("footer"),
        *(
            n
            for n in root.iter()
            if isinstance(n.tag, str)
            and n.tag != "footer"
            and _FOOTER_MARK.search(f"{n.get('class') or ''} {n.get('id') or ''}")
        ),
    ]
    for footer in footers:  # <footer>, else the theme's footer block (<div class="footer">)
        if name := copyright_holder(" ".join(footer.text_content().split())):
            return name
    return None


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
        if any(_IN_COMMENTS.search(" ".join(a.get(k) or "" for k in ("class", "id"))) for a in node.iterancestors()):
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
    """
    names: list[str] = []
    for node in root.iter():
        if not isinstance(node.tag, str) or "author" not in (node.get("itemprop") or "").split():
            continue
        named = [e for e in node.iter() if isinstance(e.tag, str) and "name" in (e.get("itemprop") or "").split()]
        text = " ".join((named[0] if named else node).text_content().split())
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
    site = _title_lead(site, root.findtext(".//title"))
    site = _masthead(site or fields.get("outlet") or _markup_site_name(root) or source, source)
    account = page_account(root)  # a 公众号 on 微信公众平台: the account is the outlet
    site = account_outlet(site, account)
    site = site or _footer_or_logo_name(root) or _title_site(root.findtext(".//title"), title)
    site = _spelled_out(site, root.findtext(".//title")) if site else site
    site = _unsquashed(site, _footer_or_logo_name(root), _title_site(root.findtext(".//title"), title))
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
        meta = meta.model_copy(update=override.model_dump(exclude_unset=True, exclude={"unknown_keys"}))
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


def _strip_unsafe(root: lxml.html.HtmlElement) -> None:
    for node in list(root.iter(*_UNSAFE_TAGS)):
        parent = node.getparent()
        if parent is not None:
            node.drop_tree()
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name in [a for a in node.attrib if a.lower().startswith("on") or a.lower() in ("style", "srcdoc")]:
            del node.attrib[name]


def _is_note_mark(node: lxml.html.HtmlElement) -> bool:
    role = node.get("role", "")
    if role in ("doc-noteref", "doc-backlink"):
        return True
    links = [node] if node.tag == "a" else list(node.iter("a"))
    internal = any((a.get("href") or "").startswith("#") for a in links)
    return internal and bool(_NOTE_MARK.match(node.text_content().strip()))


def _take_notes(root: lxml.html.HtmlElement) -> list[str]:
    """Remove the page's note marks and notes sections from the tree; the notes' texts, in order."""
    for node in [n for n in root.iter("sup", "a") if _is_note_mark(n)]:
        if node.getparent() is not None:
            node.drop_tree()  # its tail stays
    sections = [
        n
        for n in root.iter()
        if n.tag in _NOTE_BLOCKS
        and (n.get("role", "") in _NOTE_ROLES or _NOTE_NAME.search(f" {n.get('class', '')} {n.get('id', '')} "))
    ]
    outer = set(sections)
    notes: list[str] = []
    for section in sections:
        if section.getparent() is None or any(a in outer for a in section.iterancestors()):
            continue  # inside a notes section already read
        items = section.findall(".//li") or section.findall(".//p") or [section]
        for item in items:
            text = _BACKLINK.sub("", " ".join(item.text_content().split())).strip()
            if text:
                notes.append(text)
        section.drop_tree()
    return notes


def _main_xml(root: lxml.html.HtmlElement) -> etree._Element | None:
    import trafilatura

    xml = trafilatura.extract(
        root,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        favor_precision=True,
        with_metadata=False,
    )
    if not xml:
        return None
    return etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))


def _text_of(node: etree._Element) -> str:
    return " ".join("".join(str(t) for t in node.itertext()).split())


def _blocks(main: etree._Element) -> Iterator[tuple[BlockKind, str]]:
    """(kind, text) of the extracted XML's blocks, in order."""
    for node in main:
        tag = node.tag
        if tag == "div" and len(node):  # a container the extractor kept whole: its blocks, each alone
            yield from _blocks(node)
        elif tag == "head":
            yield "heading", _text_of(node)
        elif tag == "list":
            for item in node.iter("item"):
                yield "list_item", _text_of(item)
        elif tag == "quote":
            yield "quote", _text_of(node)
        elif tag == "table":
            for row in node.iter("row"):
                yield "paragraph", " | ".join(t for cell in row if (t := _text_of(cell)))
        else:  # p, code, and anything else trafilatura keeps
            yield "paragraph", _text_of(node)


_THREAD_SHARE = 0.8  # of the extracted text must be in the thread's posts for the posts to replace it


def _within(found: list[tuple[BlockKind, str]], thread: list[tuple[BlockKind, str]]) -> bool:
    """Most of the text the extractor found is in a thread's posts (the rest: their signatures,
    dates and reply buttons)."""
    posts = "".join("".join(t.split()) for _, t in thread)
    texts = ["".join(t.split()) for _, t in found]
    inside = sum(len(t) for t in texts if t in posts)
    return inside >= _THREAD_SHARE * max(1, sum(len(t) for t in texts))


def extract_page(source: str, path: str) -> HtmlText:
    """The main text of an HTML page as blocks, with the page's metadata.

    Raises :class:`~kb.errors.ParseError` for a hostile page and
    :class:`~kb.errors.EmptySource` when no main text is found; both name ``path``.
    """
    root = parse_page(source, path)
    meta, language = page_metadata(root, path)
    _strip_unsafe(root)
    notes = _take_notes(root)
    thread = thread_blocks(root)
    main_doc = _main_xml(root)
    main = main_doc.find("main") if main_doc is not None else None
    if main is None:
        raise EmptySource("no article text found in the page (the extractor found no main content)", path=path)
    found: list[tuple[BlockKind, str]] = list(_blocks(main))
    if thread and _within(found, thread):
        found = thread  # a thread page: the extractor kept one post of several, or the posts with their chrome
    parts: list[str] = []
    blocks: list[HtmlBlock] = []
    pos = 0
    for kind, text in [*found, *(("paragraph", note) for note in notes)]:
        if not text:
            continue
        prefix = "- " if kind == "list_item" else ""
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(prefix + text)
        start = pos + len(prefix)
        pos = start + len(text)
        blocks.append(HtmlBlock(kind, start, pos, text))
    if not blocks:
        raise EmptySource("no article text found in the page", path=path)
    asker = next((n for t in _marked(root, _AUTHOR_CLASS) if (n := interviewer(t, load_rules()))), None)
    return HtmlText("".join(parts) + "\n", tuple(blocks), meta, language, interviewer=asker)
