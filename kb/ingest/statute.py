"""Statutes -> a tree of provisions with stable ids.

Parsing runs in layers, each testable on its own:

1. :func:`blocks` turns one source file (the line format of ``corpus/primary`` or the
   Markdown of ``corpus-scale``) into typed blocks, each with offsets into the file:
   title, header note, heading, body line;
2. :func:`parse_statute` walks the blocks of all of a document's files (numbering
   continues across files: the Civil Code is eight) and builds the tree:
   编/分编/章/节 containers, 条 articles (and 第X条之一), 款 paragraphs (counted,
   unnumbered), 项 items ``（一）`` and 目 sub-items ``1.``.

Ids follow :func:`eid_for`: ``art_13__para_1__item_4``, ``art_17-1``,
``book_3__subbook_1__chp_2__sec_1``. Every article has at least ``para_1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from kb.errors import ParseError
from kb.ingest.normalize import collapse_space, normalize_space
from kb.ingest.numerals import cn_to_int, int_to_cn
from kb.ingest.sources import SourceText
from kb.model import DocumentMeta, Level, ParsedStatute, Provision, SourceSpan

__all__ = ["Block", "blocks", "detect_format", "eid_for", "parse_statute"]

_NUM = "零〇一二两三四五六七八九十百千0-9０-９"

# 第十三条 / 第十七条之一, then whitespace or end of line. Requiring the separator keeps
# "第二十条规定的…" (a cross-reference opening a paragraph) from starting an article.
ARTICLE_RE = re.compile(rf"^第([{_NUM}]+)条(?:之([{_NUM}]+))?(?:[ \u3000\u00a0]+|$)")
# Structure headings: 第一编 总则 / 第二分编 典型合同 / 第三章 … / 第一节 …
HEADING_RE = re.compile(rf"^第([{_NUM}]+)(分编|编|章|节)(?:[ \u3000\u00a0]*)(.*)$")
# Items: （一） or (一) — full- or half-width parentheses.
ITEM_RE = re.compile(rf"^[（(]([{_NUM}]+)[）)]")
# Sub-items: 1. / 1．/ 1、 followed by text.
SUBITEM_RE = re.compile(r"^([0-9０-９]+)[.．、](?![0-9])")
# Header notes: （2021年8月20日…通过）, 法释〔2021〕15号, history lines 2020年5月28日 …
NOTE_RE = re.compile(r"^(?:[（(].*\d{4}年.*[）)]?|.*〔\d{4}〕\d+号|\d{4}年\d{1,2}月\d{1,2}日.*)$")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
INFO_END = "<!-- INFO END -->"

_LEVEL_OF_HEADING: dict[str, Level] = {"编": "book", "分编": "subbook", "章": "chapter", "节": "section"}
_EID_PREFIX: dict[str, str] = {
    "book": "book",
    "subbook": "subbook",
    "chapter": "chp",
    "section": "sec",
    "article": "art",
    "paragraph": "para",
    "item": "item",
    "subitem": "subitem",
}
_CONTAINER_RANK: dict[str, int] = {"book": 0, "subbook": 1, "chapter": 2, "section": 3}

BlockKind = Literal["title", "note", "heading", "part", "text"]


@dataclass(frozen=True, slots=True)
class Block:
    """One logical unit of a source file, with its offsets into the file's text."""

    kind: BlockKind
    text: str  # whitespace collapsed; spaces between CJK kept (see normalize.collapse_space)
    path: str
    start: int
    end: int
    line: int  # 1-based line of ``start``


def detect_format(text: str) -> Literal["markdown", "lines"]:
    head = text.lstrip("\ufeff \n")[:4000]
    if head.startswith("#") or INFO_END in head:
        return "markdown"
    return "lines"


def eid_for(level: str, number: int | str, parent: str | None = None) -> str:
    """The eid of a node, Akoma Ntoso style.

    >>> eid_for("article", 13)
    'art_13'
    >>> eid_for("item", 4, "art_13__para_1")
    'art_13__para_1__item_4'
    >>> eid_for("article", "17-1")
    'art_17-1'
    """
    own = f"{_EID_PREFIX[level]}_{number}"
    return f"{parent}__{own}" if parent else own


def _physical_lines(text: str) -> Iterator[tuple[int, int, int]]:
    """(line number, start, end) of every line, end excluding the newline."""
    pos = 0
    for number, line in enumerate(text.split("\n"), 1):
        yield number, pos, pos + len(line)
        pos += len(line) + 1


def blocks(source: SourceText) -> list[Block]:
    """Split one file into blocks; see the module docstring for the two formats."""
    if detect_format(source.text) == "markdown":
        return _markdown_blocks(source)
    return _line_blocks(source)


def _line_blocks(source: SourceText) -> list[Block]:
    out: list[Block] = []
    text = source.text
    seen_body = False
    for number, start, end in _physical_lines(text):
        norm = collapse_space(text[start:end])
        if not norm:
            continue
        if not out:
            out.append(Block("title", norm, source.path, start, end, number))
            continue
        if ARTICLE_RE.match(norm) or (HEADING_RE.match(norm) and _looks_like_heading(norm)):
            seen_body = True
            kind: BlockKind = "text" if ARTICLE_RE.match(norm) else "heading"
        elif not seen_body and NOTE_RE.match(norm):
            kind = "note"
        else:
            kind = "text"
        out.append(Block(kind, norm, source.path, start, end, number))
    return out


def _markdown_blocks(source: SourceText) -> list[Block]:
    """Markdown: ``#`` title, history lines up to ``<!-- INFO END -->``, ``##`` headings,
    paragraphs separated by blank lines (a paragraph's lines are joined)."""
    out: list[Block] = []
    text = source.text
    in_header = INFO_END in text
    para: list[tuple[int, int, int]] = []

    def flush() -> None:
        if not para:
            return
        first_line, start, _ = para[0]
        end = para[-1][2]
        norm = collapse_space(" ".join(text[s:e] for _, s, e in para))
        para.clear()
        if norm:
            kind: BlockKind = "note" if in_header or (not _has_body(out) and NOTE_RE.match(norm)) else "text"
            out.append(Block(kind, norm, source.path, start, end, first_line))

    for number, start, end in _physical_lines(text):
        raw = text[start:end]
        stripped = raw.strip()
        if stripped == INFO_END:
            flush()
            in_header = False
            continue
        heading = MD_HEADING_RE.match(stripped) if stripped.startswith("#") else None
        if heading:
            flush()
            level, title = len(heading.group(1)), collapse_space(heading.group(2))
            if not title:
                continue
            if level == 1:
                kind: BlockKind = "title" if not any(b.kind == "title" for b in out) else "part"
            else:
                kind = "heading"
            out.append(Block(kind, title, source.path, start, end, number))
            continue
        norm_line = collapse_space(raw)
        if not norm_line:
            flush()
            continue
        # An article or item line always starts a new paragraph, even without a blank line.
        if para and (ARTICLE_RE.match(norm_line) or ITEM_RE.match(norm_line)):
            flush()
        para.append((number, start, end))
    flush()
    return out


def _has_body(out: Sequence[Block]) -> bool:
    return any(b.kind in ("heading", "text") for b in out)


def _looks_like_heading(norm: str) -> bool:
    # A heading is short and does not end like a sentence.
    return len(norm) <= 60 and not norm.endswith(("。", "；", "：", ";", ":"))


@dataclass
class _Node:
    provision: Provision
    children: int = 0


class _TreeBuilder:
    """Accumulates provisions in document order; knows the current path."""

    def __init__(self, meta: DocumentMeta, strict: bool) -> None:
        self.meta = meta
        self.strict = strict
        self.nodes: list[Provision] = []
        self.index: dict[str, int] = {}
        self.containers: list[tuple[str, str]] = []  # (level, eid) stack
        self.book_count = 0
        self.article: str | None = None
        self.paragraph: str | None = None
        self.item: str | None = None
        self.article_numbers: list[tuple[int, int, Block]] = []
        self.warnings: list[str] = []
        self.preamble_parts: list[Block] = []

    # -- helpers
    def _add(self, prov: Provision) -> None:
        if prov.eid in self.index:
            raise ParseError(f"duplicate provision id {prov.eid}", path=_path(prov), line=None)
        self.index[prov.eid] = len(self.nodes)
        self.nodes.append(prov)

    def _span(self, block: Block) -> SourceSpan:
        return SourceSpan(block.path, block.start, block.end)

    def _extend(self, eid: str, text: str, block: Block) -> None:
        """Append a line to a node's text and stretch its span to cover the block."""
        i = self.index[eid]
        prov = self.nodes[i]
        joined = f"{prov.text}\n{text}" if prov.text else text
        span = prov.source
        if span is not None and span.path == block.path:
            span = SourceSpan(span.path, span.start, max(span.end, block.end))
        self.nodes[i] = replace(prov, text=joined, source=span)

    # -- structure
    def container(self, level: Level, number: int, label: str, heading: str, block: Block) -> None:
        rank = _CONTAINER_RANK[level]
        while self.containers and _CONTAINER_RANK[self.containers[-1][0]] >= rank:
            self.containers.pop()
        parent = self.containers[-1][1] if self.containers else None
        eid = eid_for(level, number, parent)
        if eid in self.index:
            # A table of contents printed before the body repeats the headings: the
            # earlier, empty occurrence gives way to the real one.
            if self._has_descendants(eid):
                raise ParseError(f"heading {label} appears twice", path=block.path, line=block.line)
            self._remove(eid)
        self._close_article()
        prov = Provision(
            doc_id=self.meta.id,
            eid=eid,
            level=level,
            ordinal=0,
            number=number,
            label=label,
            heading=heading or None,
            parent_eid=parent,
            source=self._span(block),
        )
        self._add(prov)
        self.containers.append((level, eid))

    def part(self, title: str, block: Block) -> None:
        """A second-level ``#`` title in Markdown: a book of a multi-file code."""
        self.book_count += 1
        m = HEADING_RE.match(title)
        number = cn_to_int(m.group(1)) if m and m.group(2) == "编" else self.book_count
        self.book_count = number
        self.containers.clear()
        if m:
            label, heading = f"第{m.group(1)}编", m.group(3) or title
        else:
            # 总则, 物权编 …: the official label is 第N编 by position; 附则 keeps its name.
            label, heading = (title if title == "附则" else f"第{int_to_cn(number)}编"), title
        self.container("book", number, label, heading, block)

    def _has_descendants(self, eid: str) -> bool:
        prefix = eid + "__"
        return any(
            p.eid.startswith(prefix) or p.parent_eid == eid or (p.level == "article" and _under(p, eid))
            for p in self.nodes
        )

    def _remove(self, eid: str) -> None:
        keep = [p for p in self.nodes if p.eid != eid and not p.eid.startswith(eid + "__")]
        self.nodes = keep
        self.index = {p.eid: i for i, p in enumerate(keep)}
        self.containers = [c for c in self.containers if c[1] != eid]

    def _close_article(self) -> None:
        self.article = self.paragraph = self.item = None

    def start_article(self, number: int, sub: int | None, label: str, body: str, block: Block) -> None:
        self._close_article()
        parent = self.containers[-1][1] if self.containers else None
        key = f"{number}-{sub}" if sub else str(number)
        eid = eid_for("article", key)
        if eid in self.index:
            raise ParseError(f"article {label} appears twice", path=block.path, line=block.line)
        self.article_numbers.append((number, sub or 0, block))
        self._add(
            Provision(
                doc_id=self.meta.id,
                eid=eid,
                level="article",
                ordinal=0,
                number=number,
                label=label,
                parent_eid=parent,
                source=self._span(block),
            )
        )
        self.article = eid
        if body:
            self.add_text(body, block)

    def add_text(self, text: str, block: Block) -> None:
        if self.article is None:
            self.preamble_parts.append(block)
            return
        item = ITEM_RE.match(text)
        sub = SUBITEM_RE.match(text)
        if item and self.paragraph is not None:
            number = cn_to_int(item.group(1))
            self._child("item", number, item.group(0), text, self.paragraph, block)
            self.item = eid_for("item", number, self.paragraph)
            self._extend(self.paragraph, text, block)
            self._extend(self.article, text, block)
            return
        if sub and self.item is not None:
            number = cn_to_int(sub.group(1))
            self._child("subitem", number, sub.group(0), text, self.item, block)
            for eid in (self.item, self.paragraph, self.article):
                if eid is not None:
                    self._extend(eid, text, block)
            return
        # A new paragraph (款): counted, unnumbered in the text.
        count = sum(1 for p in self.nodes if p.parent_eid == self.article and p.level == "paragraph")
        self._child("paragraph", count + 1, f"第{int_to_cn(count + 1)}款", text, self.article, block)
        self.paragraph = eid_for("paragraph", count + 1, self.article)
        self.item = None
        self._extend(self.article, text, block)

    def _child(self, level: Level, number: int, label: str, text: str, parent: str, block: Block) -> None:
        eid = eid_for(level, number, parent)
        if eid in self.index:
            msg = f"{label} appears twice in {parent}"
            if self.strict:
                raise ParseError(msg, path=block.path, line=block.line)
            self.warnings.append(f"{block.path}:{block.line}: {msg}; kept as text of the paragraph")
            return
        self._add(
            Provision(
                doc_id=self.meta.id,
                eid=eid,
                level=level,
                ordinal=0,
                number=number,
                label=label,
                text=text,
                parent_eid=parent,
                source=self._span(block),
            )
        )

    def finish(self) -> list[Provision]:
        if self.preamble_parts:
            first = self.preamble_parts[0]
            last = self.preamble_parts[-1]
            span = SourceSpan(first.path, first.start, last.end if last.path == first.path else first.end)
            pre = Provision(
                doc_id=self.meta.id,
                eid="preamble",
                level="preamble",
                ordinal=0,
                label="序言",
                text="\n".join(b.text for b in self.preamble_parts),
                source=span,
            )
            self.nodes.insert(0, pre)
        # Drop containers that hold nothing (a table of contents never followed by a body).
        nonempty = {p.parent_eid for p in self.nodes if p.parent_eid}
        changed = True
        nodes = self.nodes
        while changed:
            before = len(nodes)
            nodes = [p for p in nodes if p.level not in _CONTAINER_RANK or p.eid in nonempty]
            nonempty = {p.parent_eid for p in nodes if p.parent_eid}
            changed = len(nodes) != before
        return [replace(p, ordinal=i) for i, p in enumerate(nodes)]


def _under(article: Provision, container_eid: str) -> bool:
    return article.parent_eid == container_eid or bool(
        article.parent_eid and article.parent_eid.startswith(container_eid + "__")
    )


def _path(prov: Provision) -> str | None:
    return prov.source.path if prov.source else None


def parse_statute(meta: DocumentMeta, sources: Sequence[SourceText], *, strict: bool = True) -> ParsedStatute:
    """Parse a statute from its source files (in order) into provisions.

    ``strict`` (the default, for manifest documents) raises :class:`ParseError` on
    numbering gaps or duplicates; with ``strict=False`` (folders of users' files) they
    become warnings where the tree can still be built.
    """
    tree = _TreeBuilder(meta, strict)
    notes: list[str] = []
    titles: list[str] = []
    for source in sources:
        for block in blocks(source):
            if block.kind == "title":
                titles.append(normalize_space(block.text))
            elif block.kind == "note":
                note = normalize_space(block.text)
                if note not in notes:
                    notes.append(note)
            elif block.kind == "part":
                tree.part(normalize_space(block.text), block)
            elif block.kind == "heading":
                _heading(tree, block)
            else:
                article = ARTICLE_RE.match(block.text)
                if article:
                    number = cn_to_int(article.group(1))
                    sub = cn_to_int(article.group(2)) if article.group(2) else None
                    label = article.group(0).strip()
                    body = normalize_space(block.text[article.end() :])
                    tree.start_article(number, sub, normalize_space(label), body, block)
                else:
                    tree.add_text(normalize_space(block.text), block)
    provisions = tree.finish()
    where = sources[0].path if sources else meta.id
    if not any(p.level == "article" for p in provisions):
        raise ParseError("no articles (第X条) found", path=where)
    warnings = list(tree.warnings)
    _check_numbering(tree.article_numbers, strict, warnings)
    if meta.title_zh and titles and _bare(titles[0]) != _bare(meta.title_zh):
        warnings.append(f"{where}: title in text {titles[0]!r} differs from manifest {meta.title_zh!r}")
    return ParsedStatute(meta, tuple(provisions), tuple(notes), tuple(warnings))


def _heading(tree: _TreeBuilder, block: Block) -> None:
    m = HEADING_RE.match(normalize_space(block.text))
    if not m:
        # 目录, 序言, 附则 without a number, or any other heading: context only.
        if block.text in ("目录", "目 录"):
            return
        tree.warnings.append(
            f"{block.path}:{block.line}: unnumbered heading {block.text!r} kept as context only"
        )
        return
    level = _LEVEL_OF_HEADING[m.group(2)]
    number = cn_to_int(m.group(1))
    label = f"第{m.group(1)}{m.group(2)}"
    tree.container(level, number, label, m.group(3).strip(), block)


def _bare(title: str) -> str:
    return re.sub(r"[（(].*?[）)]|\s", "", title)


def _check_numbering(numbers: list[tuple[int, int, Block]], strict: bool, warnings: list[str]) -> None:
    expected = 1
    for number, sub, block in numbers:
        if sub:
            continue  # 第X条之一 follows article X
        if number != expected:
            kind = "duplicate" if number < expected else "gap"
            msg = f"article numbering {kind}: expected 第{expected}条, found 第{number}条"
            if strict:
                raise ParseError(msg, path=block.path, line=block.line)
            warnings.append(f"{block.path}:{block.line}: {msg}")
        expected = number + 1
