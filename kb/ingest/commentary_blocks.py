"""Stage 1 of the commentary cleaner: normalise a captured text and cut it into blocks.

A block is one paragraph-like unit (a line, or lines that continue one another), with its
offsets into the normalised text; :mod:`kb.ingest.commentary` then decides which blocks are
the article's body and which are page furniture.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.ingest.furniture import text_units
from kb.ingest.normalize import collapse_space
from kb.text.numerals import CN_NUMERAL_CHARS

__all__ = ["ENDS_SENTENCE", "Block", "normalise", "segment_blocks"]


# ------------------------------------------------------------- normalisation
# Invisible format characters: soft hyphen, Mongolian vowel separator, zero-width
# space/non-joiner/joiner, word joiner and invisible operators, BOM.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def normalise(text: str) -> str:
    """NFC, no invisible characters, every space ASCII, runs collapsed, ends stripped.

    NFC and not NFKC: curly quotes, dashes and full-width punctuation stay as printed.

    >>> normalise("  China\\u00a0\\u2019s\\u200b  rules\\n")
    'China ’s rules'
    """
    return collapse_space(unicodedata.normalize("NFC", _INVISIBLE.sub("", text)))


# ----------------------------------------------------------------- segmentation
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]")
_LEADING_SPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200d\u202f\u205f\u3000\ufeff]*")
# List markers at the start of a line: a bullet glyph, or 1. 1) (1) (a) a) i. — each
# followed by a space. The em dash is not a bullet: it introduces attributions.
_BULLET = re.compile(r"(?P<m>[•●○◦▪▫■□‣⁃∙·*+\-–])[ \t\u00a0\u2000-\u200a\u202f]+")
_NUMBERED = re.compile(
    r"(?P<m>\d{1,3}[.)]|\(\d{1,3}\)|\([a-z]\)|[a-z][.)]|[ivx]{1,5}[.)]|（[" + CN_NUMERAL_CHARS + r"]{1,3}）)"
    r"[ \t\u00a0\u2000-\u200a\u202f]+"
)
_QUOTE_MARK = re.compile(r">[ \t\u00a0]?")
ENDS_SENTENCE = re.compile(r"[.!?。！？…](?:[”’\"')\]»」』）]*)\d{0,3}$")
_ENDS_CLAUSE = re.compile(r"[.!?;:。！？；：](?:[”’\"')\]»」』）]*)$")
_ENDS_ELLIPSIS = re.compile(r"(?:…|\.\.\.)$")
_STARTS_LOWER = re.compile(r"^(?:…|\.\.\.)?\s*[a-z]")


@dataclass(frozen=True, slots=True)
class Block:
    """A line (or lines joined as one paragraph) of the capture.

    ``start``/``end`` are offsets into the raw text of the block's content, after any
    list or quote marker, so ``normalise(raw[start:end]) == text``.
    """

    index: int
    start: int
    end: int
    text: str
    marker: str | None = None  # "•", "1.", "(a)" ... for list items
    quote_marked: bool = False  # a "> " line
    indent: int = 0
    lines: int = 1

    @property
    def units(self) -> int:
        return text_units(self.text)


def _raw_lines(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


def _continues(previous: str, line: str, blank_lines: int) -> bool:
    """Does ``line`` carry on the sentence of ``previous`` (a wrapped or split line)?"""
    if not _STARTS_LOWER.match(line) or _ENDS_CLAUSE.search(previous):
        return False
    # Across a blank line only an ellipsis carries a sentence on ("a world where…").
    return blank_lines == 0 or (blank_lines == 1 and bool(_ENDS_ELLIPSIS.search(previous)))


def segment_blocks(text: str) -> tuple[Block, ...]:
    """Cut a capture into blocks with raw offsets; blank lines separate nothing else."""
    blocks: list[Block] = []
    blank = 0
    for line_start, line_end in _raw_lines(text):
        line = text[line_start:line_end]
        if not normalise(line):
            blank += 1
            continue
        lead = _LEADING_SPACE.match(line)
        offset = lead.end() if lead else 0
        indent = len(line[:offset].expandtabs(4))
        marker: str | None = None
        quoted = False
        m = _BULLET.match(line, offset) or _NUMBERED.match(line, offset)
        if m:
            marker, offset = m.group("m"), m.end()
        elif q := _QUOTE_MARK.match(line, offset):
            quoted, offset = True, q.end()
        content = normalise(line[offset:])
        if not content:
            blank += 1
            continue
        prev = blocks[-1] if blocks else None
        if prev and marker is None and not quoted and not prev.quote_marked and _continues(prev.text, content, blank):
            blocks[-1] = Block(
                index=prev.index,
                start=prev.start,
                end=line_end,
                text=normalise(text[prev.start : line_end]),
                marker=prev.marker,
                indent=prev.indent,
                lines=prev.lines + 1,
            )
        else:
            blocks.append(
                Block(
                    index=len(blocks),
                    start=line_start + offset,
                    end=line_end,
                    text=content,
                    marker=marker,
                    quote_marked=quoted,
                    indent=indent,
                )
            )
        blank = 0
    return tuple(blocks)
