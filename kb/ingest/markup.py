"""Hide the markup of a plain-text or Markdown capture, keeping every offset.

The text cleaner (:mod:`kb.ingest.commentary`) reads prose line by line. A user's
``.md`` file also holds Markdown syntax (``## `` headings, ``**bold**``, ``[links](url)``,
``---`` rules, raw HTML), and either kind may hold a front matter block or, being
untrusted, ``<script>`` and the like. :func:`mask_markup` replaces all of that with
zero-width spaces (U+200B), which the cleaner's :func:`~kb.ingest.commentary_blocks.normalise`
deletes: the masked text has the same length as the file's text, so a passage's
offsets point into the file itself, and ``normalise(mask_markup(t)[s:e]) == passage.text``.

Masked in every format: the front matter block, and ``<script>``, ``<style>``,
``<iframe>``, ``<object>``, ``<embed>``, ``<template>``, ``<noscript>`` elements with
their content (an HTML fragment in a text file is not prose). In Markdown also: heading
marks, thematic breaks, emphasis marks, code fences and backticks, link and image
syntax (the link text stays, the target goes; an image goes whole), footnote labels
(``[^1]``; a footnote's text stays), HTML tags and
comments, template tags (``{{< figure … >}}``, ``{% … %}``), and ``\\`` escapes.

>>> mask_markup("## Why **now**?\\nSee [the text](http://x.cn) <b>here</b>.", "md").replace("\\u200b", "")
'Why now?\\nSee the text here.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["MASK", "NO_MARKS", "Marks", "markdown_marks", "mask_markup", "mask_spans"]

MASK = "\u200b"

TextFormat = Literal["txt", "md"]

_UNSAFE_ELEMENT = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript|svg|math)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S
)
_UNSAFE_SINGLE = re.compile(r"<(?:script|style|iframe|object|embed|template|noscript|svg|math)\b[^>]*/?>", re.I)

# Markdown, line-level: heading marks, thematic breaks, fences.
_HEADING_MARK = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$", re.M)
_SETEXT_OR_BREAK = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$|^[ \t]{0,3}=+[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~).*$", re.M)
# Inline: images whole, link syntax around the link text, autolinks, tags, comments.
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"(\[)[^\]\n]+(\]\([^)\n]*\)|\]\[[^\]\n]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<![\w`])`+|`+(?![\w`])|~~")
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!<>|])")
# Hugo/Jekyll template tags in a Markdown body: {{< figure … >}}, {% include … %}.
_TEMPLATE_TAG = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}", re.S)
_REFERENCE_DEFINITION = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+.*$", re.M)
# A footnote's definition "[^1]: text" (its label goes, its text is the note) and its
# reference "text.[^1]" in the body.
_FOOTNOTE_DEFINITION = re.compile(r"^[ \t]{0,3}(\[\^[^\]\s]+\]:)[ \t]*\S.*$", re.M)
_FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]\s]+\](?!:)")


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every ``(start, end)`` span replaced by zero-width spaces (newlines kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = MASK
    return "".join(chars)


def _spans(text: str, fmt: TextFormat) -> Iterable[tuple[int, int]]:
    yield from (m.span() for m in _UNSAFE_ELEMENT.finditer(text))
    yield from (m.span() for m in _UNSAFE_SINGLE.finditer(text))
    if fmt != "md":
        return
    yield from (m.span() for m in _COMMENT.finditer(text))
    yield from (m.span() for m in _HEADING_MARK.finditer(text))
    yield from (m.span() for m in _HEADING_CLOSE.finditer(text))
    yield from (m.span() for m in _SETEXT_OR_BREAK.finditer(text))
    yield from (m.span() for m in _FENCE.finditer(text))
    yield from (m.span() for m in _REFERENCE_DEFINITION.finditer(text))
    yield from (m.span(1) for m in _FOOTNOTE_DEFINITION.finditer(text))
    yield from (m.span() for m in _FOOTNOTE_REFERENCE.finditer(text))
    yield from (m.span() for m in _TEMPLATE_TAG.finditer(text))
    yield from (m.span() for m in _IMAGE.finditer(text))
    for m in _LINK.finditer(text):
        yield m.span(1)
        yield m.span(2)
    yield from (m.span() for m in _AUTOLINK.finditer(text))
    yield from (m.span() for m in _TAG.finditer(text))
    yield from (m.span() for m in _EMPHASIS.finditer(text))
    yield from (m.span() for m in _ESCAPE.finditer(text))


Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Marks:
    """What a file's own markup says of its lines, as ``(start, end)`` spans of the text.

    ``headings``: lines marked as headings (Markdown ``## Title``); the cleaner judges other
    headings by their shape, but these are headings whatever their length. ``notes``:
    footnote definitions (``[^1]: text``); a law review's or a blog's notes sit under the
    article, often after the author box or a rule that ends the body, and they are
    article text (they carry its citations). ``link_rows``: lines that are two links or more
    with nothing but separators between them (``[Home](/) / [Products](/p/)``): a site's
    breadcrumb trail or menu, whatever the links say. ``captions``: the line right under an image
    that stands alone on its line (``![…](…)``), with no blank line between: the image's caption.
    """

    headings: Spans = ()
    notes: Spans = ()
    link_rows: Spans = ()
    captions: Spans = ()


NO_MARKS = Marks()  # a plain-text file's: its lines are judged by their shape alone


# A line of two links or more and nothing else but separators (and a list marker before them).
_ONE_LINK = r"\[[^\]\n]+\](?:\([^)\n]*\)|\[[^\]\n]*\])"
_LINK_SEPARATOR = r"[ \t]*[/|｜>›»·•,，、\-–—][ \t]*|[ \t]+"
_LINK_ROW = re.compile(rf"^[ \t]*(?:[-*+][ \t]+)?{_ONE_LINK}(?:(?:{_LINK_SEPARATOR}){_ONE_LINK})+[ \t]*$", re.M)


# An image alone on its line, and the text line right under it (its caption).
_CAPTIONED_IMAGE = re.compile(r"^[ \t]*!\[[^\]\n]*\]\([^)\n]*\)[ \t]*\n(?P<caption>[ \t]*\S[^\n]*)$", re.M)


def markdown_marks(text: str) -> Marks:
    """The headings, footnotes, rows of links and image captions a Markdown text marks.

    >>> t = "# A long heading that goes on for many words about the new rules\\nText.[^1]\\n\\n[^1]: PIPL art. 28.\\n"
    >>> m = markdown_marks(t)
    >>> [t[s:e] for s, e in m.headings], [t[s:e] for s, e in m.notes]
    (['# A long heading that goes on for many words about the new rules'], ['[^1]: PIPL art. 28.'])
    """
    headings: list[tuple[int, int]] = []
    for m in _HEADING_MARK.finditer(text):
        end = text.find("\n", m.start())
        headings.append((m.start(), len(text) if end < 0 else end))
    notes = tuple(m.span() for m in _FOOTNOTE_DEFINITION.finditer(text))
    rows = tuple(m.span() for m in _LINK_ROW.finditer(text))
    captions = tuple(m.span("caption") for m in _CAPTIONED_IMAGE.finditer(text))
    return Marks(tuple(headings), notes, rows, captions)


def mask_markup(text: str, fmt: TextFormat, *, front_matter: tuple[int, int] | None = None) -> str:
    """``text`` with its markup (see the module docstring) masked, same length.

    ``front_matter`` is the ``(start, end)`` of a front matter block to mask as well.
    """
    spans = list(_spans(text, fmt))
    if front_matter is not None:
        spans.append(front_matter)
    return mask_spans(text, spans)
