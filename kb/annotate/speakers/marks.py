"""Quote marks: pairing them within a passage, masking quoted words, and the passage's
sentences with a quotation of several sentences kept whole (:mod:`kb.text.sentences`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.model import Passage
from kb.text.datelines import dateline
from kb.text.sentences import join_quoted, passage_sentences

# Quote marks. A straight quote opens after a space, an opening bracket or a dash.
_OPEN_CURLY, _CLOSE_CURLY, _STRAIGHT = "“", "”", '"'
_OPENS_AFTER = " \t\n([{—–-/"


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


def _sentences(passage: Passage, marks: Sequence[_Marks]) -> list[tuple[int, int]]:
    """Sentence spans; a quotation of several sentences stays inside one."""
    n = len(passage.text)
    quoted = [(m.open, m.close if m.close is not None else n) for m in marks]
    spans = list(join_quoted(passage_sentences(passage), quoted))
    return [(s + _dateline_length(passage.text[s:e]), e) for s, e in spans]


# Whitespace and a capital after a dateline: the lede starts there.
_LEDE = re.compile(r"\s+(?=[A-Z])")


def _dateline_length(sentence: str) -> int:
    """How long the dateline opening ``sentence`` is (0 when none): a wire story's or press
    release's dateline before its lede is not the speaker's words, nor the speaker.

    >>> _dateline_length("BEIJING, Sept 15 (Example Wire) - Regulators said on Tuesday …"), _dateline_length("Hi.")
    (34, 0)
    """
    m = dateline(sentence)
    lede = _LEDE.match(sentence, m.end()) if m else None
    return lede.end() if lede else 0
