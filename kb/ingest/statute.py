"""Statutes -> a tree of provisions with stable ids.

Parsing runs in layers, each testable on its own:

1. :func:`kb.ingest.statute_blocks.blocks` turns one source file (the line format of ``corpus/primary`` or the
   Markdown of ``corpus-scale``) into typed blocks, each with offsets into the file:
   title, header note, heading, body line (a Markdown table row is a line of its own;
   HTML comments such as ``<!-- FORCE BREAK -->`` only end a paragraph);
2. :func:`parse_statute` walks the blocks of all of a document's files (numbering
   continues across files: the Civil Code is eight) and builds the tree:
   编/分编/部分/章/节 containers, 条 articles (and 第X条之一), 款 paragraphs (counted,
   unnumbered), 项 items ``（一）`` and 目 sub-items ``1.``.

Documents that are not cut into articles follow the same tree with other units:

* a decision or amendment numbered ``一、二、…`` (no 第X条 anywhere) has *points*:
  article-level nodes ``point_1``, ``point_2`` labelled ``一、``; numbered ``1. 2.``
  when there is no ``一、``; a point number that restarts under a new heading is
  qualified by the heading's number: ``point_2-1``;
* Markdown headings ``## 一、一般规定`` (SPC interpretations) are chapters, or sections
  inside a 第X章 chapter; an unnumbered ``附则`` heading is a container at the top level
  in use; ``序言`` heads the preamble;
* annexes (``附件一``, ``附件：…``, ``附录``, ``附表`` after the body) are preamble-level
  nodes ``annex_1``, ``annex_2`` holding the rest of the file, so they do not swell the
  last article.

Ids follow :func:`eid_for`: ``art_13__para_1__item_4``, ``art_17-1``,
``book_3__subbook_1__chp_2__sec_1``. Every article (and point) has at least ``para_1``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import dropwhile
from typing import Literal

from kb.errors import ParseError
from kb.ids import Eid, part_of
from kb.ingest.normalize import normalize_space
from kb.ingest.sources import SourceText
from kb.ingest.statute_blocks import (
    ANNEX_RE,
    ARTICLE_RE,
    CN_HEADING_RE,
    CROSS_REFERENCE_AFTER,
    HEADING_RE,
    ITEM_RE,
    MAX_ANNEX_MARKER,
    MAX_LIST_HEADING,
    POINT_RE,
    PREAMBLE_HEADING,
    SUBITEM_RE,
    SUPPLEMENTARY_HEADING,
    TIGHT_ARTICLE_RE,
    TOC_HEADINGS,
    Block,
    blocks,
    looks_like_heading,
)
from kb.model import DocumentMeta, Level, ParsedStatute, Provision, SourceSpan
from kb.text.numerals import cn_to_int, int_to_cn

__all__ = ["eid_for", "parse_statute"]

_LEVEL_OF_HEADING: dict[str, Level] = {
    "编": "book",
    "部分": "book",
    "分编": "subbook",
    "章": "chapter",
    "节": "section",
}
_CONTAINER_RANK: dict[str, int] = {"book": 0, "subbook": 1, "chapter": 2, "section": 3}

# How a document's top-level units are numbered.
Numbering = Literal["articles", "points", "arabic-points", "none"]


def eid_for(level: str, number: int | str, parent: str | None = None) -> str:
    """The eid of a node, Akoma Ntoso style.

    >>> eid_for("article", 13)
    'art_13'
    >>> eid_for("item", 4, "art_13__para_1")
    'art_13__para_1__item_4'
    >>> eid_for("article", "17-1")
    'art_17-1'
    """
    return str(Eid.build(level, number, parent))


class _TreeBuilder:
    """Accumulates provisions in document order; knows the current path."""

    def __init__(self, meta: DocumentMeta, strict: bool, numbering: Numbering = "articles") -> None:
        self.meta = meta
        self.strict = strict
        self.numbering = numbering
        self.nodes: list[Provision] = []
        self.index: dict[str, int] = {}
        self.containers: list[tuple[str, str]] = []  # (level, eid) stack
        self.book_count = 0
        self.article: str | None = None
        self.paragraph: str | None = None
        self.item: str | None = None
        self.annex: str | None = None
        self.annex_count = 0
        self.article_numbers: list[tuple[int, int, Block]] = []
        self.points = 0
        self.warnings: list[str] = []
        self.preamble_parts: list[Block] = []
        self.stray_parts: list[Block] = []  # text outside any article after the first one
        self.context_headings: list[Block] = []
        self.paragraph_counts: dict[str, int] = {}
        self.more_lines: dict[str, list[str]] = {}  # eid -> lines for its text (see _extend)
        self.span_ends: dict[str, int] = {}  # eid -> end of its stretched source span

    # -- helpers
    def _add(self, prov: Provision) -> None:
        if prov.eid in self.index:
            raise ParseError(f"duplicate provision id {prov.eid}", path=_path(prov), line=None)
        self.index[prov.eid] = len(self.nodes)
        self.nodes.append(prov)

    def _span(self, block: Block) -> SourceSpan:
        return SourceSpan(block.path, block.start, block.end)

    def _extend(self, eid: str, text: str, block: Block) -> None:
        """Append a line to a node's text and stretch its span to cover the block.

        The lines are kept aside and joined once, by :meth:`_join_lines`: joining at
        every line would copy the article's text so far each time, quadratic in an
        article of thousands of paragraphs.
        """
        self.more_lines.setdefault(eid, []).append(text)
        span = self.nodes[self.index[eid]].source
        if span is not None and span.path == block.path:
            self.span_ends[eid] = max(self.span_ends.get(eid, span.end), block.end)

    def _join_lines(self) -> None:
        """Give every node the lines :meth:`_extend` kept for it, one per line after its own
        text (blank lines before the first text are dropped), and its stretched span."""
        for eid, lines in self.more_lines.items():
            i = self.index[eid]
            prov = self.nodes[i]
            span = prov.source
            if span is not None and eid in self.span_ends:
                span = SourceSpan(span.path, span.start, self.span_ends[eid])
            text = "\n".join(dropwhile(lambda line: not line, [prov.text, *lines]))
            self.nodes[i] = replace(prov, text=text, source=span)
        self.more_lines.clear()
        self.span_ends.clear()

    def _problem(self, message: str, block: Block) -> None:
        """A structural problem: an error in strict mode, else a warning."""
        if self.strict:
            raise ParseError(message, path=block.path, line=block.line)
        self.warnings.append(f"{block.path}:{block.line}: {message}")

    @property
    def has_body(self) -> bool:
        return bool(self.article_numbers) or self.points > 0

    def new_file(self) -> None:
        """An annex runs to the end of its file, never into the next book of a code."""
        self.annex = None

    # -- structure
    def container(self, level: Level, number: int, label: str, heading: str, block: Block) -> None:
        rank = _CONTAINER_RANK[level]
        while self.containers and _CONTAINER_RANK[self.containers[-1][0]] >= rank:
            self.containers.pop()
        parent = self.containers[-1][1] if self.containers else None
        eid = eid_for(level, number, parent)
        if eid in self.index:
            # A table of contents printed before the body repeats the headings: the
            # earlier occurrence, with no article under it, gives way to the real one.
            if self._holds_text(eid):
                self._problem(f"heading {label} appears twice", block)
                n = 2
                while eid_for(level, f"{number}-{n}", parent) in self.index:
                    n += 1
                eid = eid_for(level, f"{number}-{n}", parent)
            else:
                self._remove(eid)
        self._close_article()
        self.annex = None
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
            label, heading = (title if title == SUPPLEMENTARY_HEADING else f"第{int_to_cn(number)}编"), title
        self.container("book", number, label, heading, block)

    def list_heading(self, number: int, label: str, heading: str, block: Block) -> None:
        """``## 一、一般规定``: a chapter, or a section inside a 第X章 chapter."""
        in_numbered_chapter = any(
            level == "chapter" and self.nodes[self.index[eid]].label.startswith("第") for level, eid in self.containers
        )
        self.container("section" if in_numbered_chapter else "chapter", number, label, heading, block)

    def supplementary(self, block: Block) -> bool:
        """An unnumbered 附则 heading: a container after the last one at the top level."""
        if not self.containers:
            if not any(p.level in _CONTAINER_RANK for p in self.nodes):
                return False  # a document without containers: 附则 is only a label
            level: Level = next(p.level for p in self.nodes if p.level in _CONTAINER_RANK and p.parent_eid is None)
        else:
            level = self.nodes[self.index[self.containers[0][1]]].level
        siblings = [p.number or 0 for p in self.nodes if p.level == level and p.parent_eid is None]
        self.containers.clear()
        self.container(level, max(siblings, default=0) + 1, SUPPLEMENTARY_HEADING, SUPPLEMENTARY_HEADING, block)
        return True

    def _holds_text(self, eid: str) -> bool:
        """Whether an article, point or annex sits anywhere under the container ``eid``."""
        return any(p.level in ("article", "preamble") and _under(p, eid) for p in self.nodes)

    def _remove(self, eid: str) -> None:
        keep = [p for p in self.nodes if not part_of(p.eid, eid)]
        for gone in {p.eid for p in self.nodes} - {p.eid for p in keep}:
            self.more_lines.pop(gone, None)
            self.span_ends.pop(gone, None)
        self.nodes = keep
        self.index = {p.eid: i for i, p in enumerate(keep)}
        self.containers = [c for c in self.containers if not part_of(c[1], eid)]

    def _close_article(self) -> None:
        self.article = self.paragraph = self.item = None

    def expects(self, number: int, sub: int | None) -> bool:
        """Whether 第<number>条(之<sub>) is the article that comes next."""
        if not self.article_numbers:
            return number == 1 and not sub
        last, last_sub, _ = self.article_numbers[-1]
        if sub:
            return number == last and sub == last_sub + 1
        return number == last + 1

    def start_article(self, number: int, sub: int | None, label: str, body: str, block: Block) -> None:
        key = f"{number}-{sub}" if sub else str(number)
        eid = eid_for("article", key)
        if eid in self.index:
            self._problem(f"article {label} appears twice", block)
            self.add_text(f"{label} {body}".strip(), block)
            return
        self._close_article()
        self.annex = None
        parent = self.containers[-1][1] if self.containers else None
        self.article_numbers.append((number, sub or 0, block))
        self._open_article(eid, number, label, parent, body, block)

    def _open_article(self, eid: str, number: int, label: str, parent: str | None, body: str, block: Block) -> None:
        """Add an article-level node and make it current; its first text starts paragraph 1."""
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

    def start_point(self, number: int, label: str, body: str, block: Block) -> None:
        """A point of a decision (一、…): an article-level node ``point_<n>``."""
        parent = self.containers[-1][1] if self.containers else None
        eid = eid_for("point", number)
        if eid in self.index and parent is not None:
            # Numbering restarts under each heading: point 1 under heading 二 is point_2-1
            # (one segment, so the first segment of any eid is still its article).
            eid = eid_for("point", f"{self.nodes[self.index[parent]].number}-{number}")
        if eid in self.index:
            self.warnings.append(f"{block.path}:{block.line}: point {label} appears twice; kept as text")
            self.add_text(f"{label}{body}", block)
            return
        self._close_article()
        self.points += 1
        self._open_article(eid, number, label, parent, body, block)

    def start_annex(self, label: str, heading: str, block: Block) -> None:
        self._close_article()
        self.annex_count += 1
        eid = eid_for("annex", self.annex_count)
        self._add(
            Provision(
                doc_id=self.meta.id,
                eid=eid,
                level="preamble",
                ordinal=0,
                label=label,
                heading=heading or None,
                source=self._span(block),
            )
        )
        self.annex = eid

    def add_text(self, text: str, block: Block) -> None:
        if self.annex is not None:
            self._extend(self.annex, text, block)
            return
        if self.article is None:
            last = self.nodes[-1] if self.nodes else None
            if last is not None and last.level in _CONTAINER_RANK and looks_like_heading(text) and len(text) <= 30:
                # A heading broken over two lines, or its title on the next line:
                # "## 第三章" then "一般规定".
                self.nodes[-1] = replace(last, heading=f"{last.heading or ''}{text}")
                return
            # Text before the first article is the preamble; text between a heading and
            # the next article is kept there too rather than lost (and reported).
            self.preamble_parts.append(block)
            if self.has_body:
                self.stray_parts.append(block)
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
        count = self.paragraph_counts.get(self.article, 0) + 1
        self.paragraph_counts[self.article] = count
        self._child("paragraph", count, f"第{int_to_cn(count)}款", text, self.article, block)
        self.paragraph = eid_for("paragraph", count, self.article)
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
        self._join_lines()
        if self.preamble_parts:
            first = self.preamble_parts[0]
            last = self.preamble_parts[-1]
            span = SourceSpan(first.path, first.start, last.end if last.path == first.path else first.end)
            pre = Provision(
                doc_id=self.meta.id,
                eid="preamble",
                level="preamble",
                ordinal=0,
                label=PREAMBLE_HEADING,
                text="\n".join(b.text for b in self.preamble_parts),
                source=span,
            )
            self.nodes.insert(0, pre)
        if self.stray_parts:
            first = self.stray_parts[0]
            self.warnings.append(
                f"{first.path}:{first.line}: {len(self.stray_parts)} text block(s) between a heading "
                f"and the next article kept in the preamble, first {first.text[:30]!r}"
            )
        if self.context_headings:
            first = self.context_headings[0]
            self.warnings.append(
                f"{first.path}:{first.line}: {len(self.context_headings)} unnumbered heading(s) kept as "
                f"context only, first {first.text!r}"
            )
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


def _under(node: Provision, container_eid: str) -> bool:
    return node.parent_eid is not None and part_of(node.parent_eid, container_eid)


def _path(prov: Provision) -> str | None:
    return prov.source.path if prov.source else None


def _article_start(text: str, tree: _TreeBuilder) -> tuple[int, int | None, str, str] | None:
    """(number, sub, label, body) when ``text`` opens an article, else None."""
    m = ARTICLE_RE.match(text)
    if m is None:
        m = TIGHT_ARTICLE_RE.match(text)
        if m is None or CROSS_REFERENCE_AFTER.match(text[m.end() :]):
            return None
        number, sub = cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else None
        if not tree.expects(number, sub):
            return None
    else:
        number, sub = cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else None
    label = normalize_space(m.group(0).strip().rstrip(":："))
    return number, sub, label, normalize_space(text[m.end() :])


def _numbering(all_blocks: Sequence[Block]) -> Numbering:
    """Articles when any line is an article; else 一、 points when at least two follow one
    another (a lone 九、 is a heading that lost its ``##``), else 1. points; else none."""
    texts = [b.text for b in all_blocks if b.kind == "text"]
    if any(ARTICLE_RE.match(t) for t in texts):
        return "articles"
    probe = _TreeBuilder(DocumentMeta(id="-", kind="other"), strict=False)
    if any(_article_start(t, probe) for t in texts):  # only 第一条 glued to its text
        return "articles"
    points = [cn_to_int(m.group(1)) for t in texts if (m := POINT_RE.match(t))]
    arabic = [cn_to_int(m.group(1)) for t in texts if (m := SUBITEM_RE.match(t))]
    if _longest_run(points) >= 2 or (points and _longest_run(arabic) < 2):
        return "points"
    return "arabic-points" if arabic else "none"


def _longest_run(numbers: Sequence[int]) -> int:
    """The longest stretch of numbers that go up by one: [1, 2, 3, 1, 2] -> 3."""
    best = run = 0
    previous: int | None = None
    for n in numbers:
        run = run + 1 if previous is not None and n == previous + 1 else 1
        best = max(best, run)
        previous = n
    return best


def _annex(text: str, tree: _TreeBuilder) -> tuple[str, str] | None:
    """(label, heading) when ``text`` starts an annex after the body."""
    if not tree.has_body or len(text) > MAX_ANNEX_MARKER:
        return None
    m = ANNEX_RE.match(text)  # spaces kept: 附表二 应税污染物 is an annex, 附件三所列… is not
    if m is None:
        return None
    if m.group(1):
        return f"{m.group(1)}{m.group(2)}", normalize_space(m.group(3) or m.group(4) or "")
    return "附", normalize_space(m.group(5) or "")


def parse_statute(meta: DocumentMeta, sources: Sequence[SourceText], *, strict: bool = True) -> ParsedStatute:
    """Parse a statute from its source files (in order) into provisions.

    ``strict`` (the default, for manifest documents) raises :class:`ParseError` on
    numbering gaps or duplicates; with ``strict=False`` (folders of users' files) they
    become warnings where the tree can still be built, and a text with neither articles
    nor points is kept whole as its preamble.
    """
    per_file = [blocks(source) for source in sources]
    numbering = _numbering([b for bl in per_file for b in bl])
    tree = _TreeBuilder(meta, strict, numbering)
    notes: list[str] = []
    titles: list[str] = []
    for file_blocks in per_file:
        tree.new_file()
        for block in file_blocks:
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
                _text(tree, block)
    provisions = tree.finish()
    where = sources[0].path if sources else meta.id
    if not any(p.level == "article" for p in provisions):
        if strict or not provisions:
            raise ParseError("no articles (第X条) found" if strict else "no text after the header", path=where)
        tree.warnings.append(f"{where}: no articles (第X条) or points (一、) found; the text is kept as the preamble")
    warnings = list(tree.warnings)
    _check_numbering(tree.article_numbers, strict, warnings)
    if meta.title_zh and titles and _bare(titles[0]) != _bare(meta.title_zh):
        warnings.append(f"{where}: title in text {titles[0]!r} differs from manifest {meta.title_zh!r}")
    return ParsedStatute(meta, tuple(provisions), tuple(notes), tuple(warnings))


def _text(tree: _TreeBuilder, block: Block) -> None:
    annex = _annex(block.text, tree)
    if annex is not None:
        tree.start_annex(*annex, block)
        return
    article = _article_start(block.text, tree) if tree.numbering == "articles" else None
    if article is not None and (tree.annex is None or tree.expects(article[0], article[1])):
        tree.start_article(*article, block)
        return
    if tree.annex is None and tree.numbering == "arabic-points":
        # Among 1. 2. points, a short 三、… line is a heading that lost its ``##``.
        listed = CN_HEADING_RE.match(normalize_space(block.text))
        if listed and looks_like_heading(block.text) and len(block.text) <= MAX_LIST_HEADING:
            tree.list_heading(cn_to_int(listed.group(1)), f"{listed.group(1)}、", listed.group(2).strip(), block)
            return
    if tree.annex is None and tree.numbering in ("points", "arabic-points"):
        m = (POINT_RE if tree.numbering == "points" else SUBITEM_RE).match(block.text)
        if m is not None:
            body = normalize_space(block.text[m.end() :])
            tree.start_point(cn_to_int(m.group(1)), normalize_space(m.group(0)), body, block)
            return
    tree.add_text(normalize_space(block.text), block)


def _heading(tree: _TreeBuilder, block: Block) -> None:
    text = normalize_space(block.text)
    annex = _annex(block.text, tree)
    if annex is not None:
        tree.start_annex(*annex, block)
        return
    if tree.annex is not None:
        tree.add_text(text, block)  # headings inside an annex are its text
        return
    m = HEADING_RE.match(text)
    if m:
        level = _LEVEL_OF_HEADING[m.group(2)]
        label = f"第{m.group(1)}{m.group(2)}"
        tree.container(level, cn_to_int(m.group(1)), label, m.group(3).strip(), block)
        return
    listed = CN_HEADING_RE.match(text)
    if listed:
        tree.list_heading(cn_to_int(listed.group(1)), f"{listed.group(1)}、", listed.group(2).strip(), block)
        return
    if block.text in TOC_HEADINGS or text == PREAMBLE_HEADING:
        return  # the preamble's own heading, or a table of contents
    if text == SUPPLEMENTARY_HEADING and tree.supplementary(block):
        return
    if text == SUPPLEMENTARY_HEADING:
        return
    tree.context_headings.append(block)


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
