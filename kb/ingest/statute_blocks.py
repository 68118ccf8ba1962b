"""Statutes, layer 1: one source file -> typed blocks with offsets (see :mod:`kb.ingest.statute`).

The line format of ``corpus/primary`` and the Markdown of ``corpus-scale`` both become
blocks: title, header note, heading, part and body text. The regexes that recognise the
units of a statute (articles, headings, items, annexes) live here, for both layers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from kb.ingest.normalize import collapse_space, normalize_space
from kb.ingest.sources import SourceText
from kb.text.numerals import CN_NUMERAL_CHARS, NUMERAL_CHARS

__all__ = [
    "ANNEX_RE",
    "ARTICLE_RE",
    "CN_HEADING_RE",
    "CROSS_REFERENCE_AFTER",
    "HEADING_RE",
    "INFO_END",
    "ITEM_RE",
    "MAX_ANNEX_MARKER",
    "MAX_LIST_HEADING",
    "NOTE_RE",
    "POINT_RE",
    "PREAMBLE_HEADING",
    "SUBITEM_RE",
    "SUPPLEMENTARY_HEADING",
    "TIGHT_ARTICLE_RE",
    "TOC_HEADINGS",
    "Block",
    "BlockKind",
    "blocks",
    "detect_format",
    "looks_like_heading",
]

_NUM = NUMERAL_CHARS
_CN_NUM = CN_NUMERAL_CHARS

# 第十三条 / 第十七条之一, then whitespace or end of line. Requiring the separator keeps
# "第二十条规定的…" (a cross-reference opening a paragraph) from starting an article.
# A stray space inside the label (第一百二十八 条) is a typesetting artefact.
ARTICLE_RE = re.compile(rf"^第 ?([{_NUM}]+) ?条(?: ?之([{_NUM}]+))?(?:[ \u3000\u00a0]+|$)")
# 第十三条 glued to its text ("第十三条为了…", "第十三条：…"). Taken as an article only when
# its number is the next one expected and the text does not go on like a
# cross-reference (see CROSS_REFERENCE_AFTER).
TIGHT_ARTICLE_RE = re.compile(rf"^第 ?([{_NUM}]+) ?条(?: ?之([{_NUM}]+))?[:：]?(?=\S)")
# What follows 第X条 when the line opens with a cross-reference: 第二十条规定的…,
# 第二十条第一款…, 第二十条、第二十一条…, 第二十条中…, 第二十条所称….
CROSS_REFERENCE_AFTER = re.compile(
    r"^(?:规定|的|第|[、，,。；;]|至|到|和|与|及|或|中|所|之|款|项|以|是|为本|修改|增加|删|作为|列|的规定)"
)
# Structure headings: 第一编 总则 / 第二分编 典型合同 / 第一部分 … / 第三章 … / 第一节 …
HEADING_RE = re.compile(rf"^第([{_NUM}]+)(分编|编|部分|章|节)(?:[ \u3000\u00a0]*)(.*)$")
# A Markdown heading numbered like a list: ## 一、一般规定 (SPC interpretations).
CN_HEADING_RE = re.compile(rf"^([{_CN_NUM}]+)、\s*(.+)$")
# Points of a decision or amendment: 一、将第五条修改为…
POINT_RE = re.compile(rf"^([{_CN_NUM}]+)、")
# Items: （一） or (一) — full- or half-width parentheses.
ITEM_RE = re.compile(rf"^[（(]([{_NUM}]+)[）)]")
# Sub-items: 1. / 1．/ 1、 followed by text.
SUBITEM_RE = re.compile(r"^([0-9０-９]+)[.．、](?![0-9])")
# Header notes: （2021年8月20日…通过）, 法释〔2021〕15号, history lines 2020年5月28日 …
NOTE_RE = re.compile(r"^(?:[（(].*\d{4}年.*[）)]?|.*〔\d{4}〕\d+号|\d{4}年\d{1,2}月\d{1,2}日.*)$")
# An annex after the body: 附件一 / 附件：印章规格式样 / 附录 / 附表二 / 附：
ANNEX_RE = re.compile(rf"^(?:(附件|附录|附表)\s*([{_NUM}]*)(?:\s*[:：]\s*(.*)|\s+(.*))?|附\s*[:：]\s*(.*))$")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
# A Markdown table's separator row: |---|:--:|
MD_TABLE_RULE_RE = re.compile(r"^\|[\s|:\-]*\|?$")
MD_COMMENT_RE = re.compile(r"^<!--.*-->$")
INFO_END = "<!-- INFO END -->"

# Unnumbered headings that are labels, not structure problems.
TOC_HEADINGS = frozenset({"目录", "目 录"})
PREAMBLE_HEADING = "序言"
SUPPLEMENTARY_HEADING = "附则"
MAX_ANNEX_MARKER = 60  # longer lines starting 附件 are sentences, not annex titles
MAX_LIST_HEADING = 40  # a 三、… line longer than this is a point, not a heading

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
        if ARTICLE_RE.match(norm) or (HEADING_RE.match(norm) and looks_like_heading(norm)):
            seen_body = True
            kind: BlockKind = "text" if ARTICLE_RE.match(norm) else "heading"
        elif normalize_space(norm) in (PREAMBLE_HEADING, SUPPLEMENTARY_HEADING, *TOC_HEADINGS):
            kind = "heading"
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
        if MD_COMMENT_RE.match(stripped):
            flush()  # <!-- FORCE BREAK -->, <!-- TABLE -->: markup, not text
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
        if stripped.startswith("|"):
            # A table row is a line of its own; the rule under the header row is markup.
            flush()
            if not MD_TABLE_RULE_RE.match(stripped):
                # Pipes kept: a cell "第244条之一 …" must not open an article.
                cells = [collapse_space(c) for c in stripped.strip("|").split("|")]
                if any(cells):
                    out.append(Block("text", f"| {' | '.join(cells)} |", source.path, start, end, number))
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


def looks_like_heading(norm: str) -> bool:
    # A heading is short and does not end like a sentence.
    return len(norm) <= 60 and not norm.endswith(("。", "；", "：", ";", ":"))
