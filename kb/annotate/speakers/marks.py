"""Quote marks: pairing them within a passage, masking quoted words, and sentence spans
that keep a quotation of several sentences whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Quote marks. A straight quote opens after a space, an opening bracket or a dash.
_OPEN_CURLY, _CLOSE_CURLY, _STRAIGHT = "“", "”", '"'
_OPENS_AFTER = " \t\n([{—–-/"
# Sentence end: terminal punctuation, maybe a closing quote or bracket, then a space.
_SENTENCE_END = re.compile(r"[.!?]+[”\"’)\]]*(?=\s|$)")
# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = frozenset(
    re.split(
        r"\s+",
        "Dr Mr Mrs Ms Prof St Jr Sr No Nos Art Arts Fig vs etc al e.g i.e U.S U.K U.N Inc Ltd Co Corp "
        "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Gov Sen Rep Gen Col Lt Mt para paras",
    )
)
# A capitalised word of a name: Liu, O’Keeffe, SenseTime, Jean-Luc; or an initial "H."


@dataclass(frozen=True)
class _Marks:
    """One quoted span in a passage: the marks and the quoted words between them."""

    open: int
    close: int | None  # None: still open at the end of the passage
    start: int
    end: int


def _pair_quotes(text: str) -> list[_Marks]:
    out: list[_Marks] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        opens = ch == _OPEN_CURLY or (ch == _STRAIGHT and (i == 0 or text[i - 1] in _OPENS_AFTER))
        if not opens:
            i += 1
            continue
        close: int | None
        if ch == _OPEN_CURLY:
            j = text.find(_CLOSE_CURLY, i + 1)
            if j < 0:  # mixed marks in captured text: “exceptions to soliciting consent"
                j = text.find(_STRAIGHT, i + 1)
        else:
            j = text.find(_STRAIGHT, i + 1)
        close = j if j >= 0 else None
        start, end = i + 1, (j if j >= 0 else n)
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        out.append(_Marks(i, close, start, end))
        if close is None:
            break
        i = close + 1
    return out


def _opens_with_quote(text: str) -> bool:
    stripped = text.lstrip()
    return stripped[:1] in (_OPEN_CURLY, _STRAIGHT)


def _masked(text: str, marks: Sequence[_Marks]) -> str:
    """The text with quoted words blanked out, offsets kept."""
    chars = list(text)
    for m in marks:
        for k in range(m.open + 1, m.close if m.close is not None else len(text)):
            if not chars[k].isspace():
                chars[k] = "_"
    return "".join(chars)


def _sentences(text: str, marks: Sequence[_Marks]) -> list[tuple[int, int]]:
    """Sentence spans; a quotation of several sentences stays inside one."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        p, e = m.start(), m.end()
        if any(q.open < p and (q.close is None or q.close >= e) for q in marks):
            continue
        word = re.search(r"([\w.]+)$", text[begin:p])
        if word and (word.group(1) in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group(1))):
            continue
        nxt = re.match(r"\s*(\S)", text[e:])
        if nxt and nxt.group(1).islower():
            continue
        if text[begin:e].strip():
            spans.append((begin, e))
        begin = e
    if text[begin:].strip():
        spans.append((begin, len(text.rstrip())))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]
