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

Metadata: what the page says of itself is read by :mod:`kb.ingest.html_meta`.

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

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from kb.errors import EmptySource, ParseError
from kb.ingest.frontmatter import (
    CommentaryFields,
)
from kb.ingest.html_meta import page_interviewer, page_metadata
from kb.ingest.threads import BlockKind, thread_blocks

__all__ = ["MAX_DEPTH", "MAX_ELEMENTS", "HtmlBlock", "HtmlText", "extract_page", "parse_page"]

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
    return HtmlText("".join(parts) + "\n", tuple(blocks), meta, language, interviewer=page_interviewer(root))
