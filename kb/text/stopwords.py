"""Stopword lists: one loader for the word lists under ``corpus/`` (one word a line).

A list is a UTF-8 text file: one word a line, blank lines skipped, a line starting with
``#`` a comment. Words are kept as written (a list says in its header how its words are
compared: the search list holds lower-case index tokens). :func:`stopword_list` reads a
list under the corpus directory (``KB_CORPUS_DIR``) once per process.

>>> sorted(parse_stopwords("# a comment\\n吗\\n\\n how \\n"))
['how', '吗']
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kb.errors import ConfigError
from kb.settings import get_settings

__all__ = ["load_stopwords", "parse_stopwords", "stopword_list"]


def parse_stopwords(text: str) -> frozenset[str]:
    """The words of a list's text: one a line, stripped; blank and ``#`` lines skipped."""
    words = (line.strip() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def load_stopwords(path: Path) -> frozenset[str]:
    """The words of the list at ``path``; a missing file is a :class:`ConfigError` naming it."""
    try:
        return parse_stopwords(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: stopword list not found") from None


def stopword_list(name: str) -> frozenset[str]:
    """The list ``<corpus_dir>/<name>`` (e.g. ``"search/stopwords.txt"``), read once."""
    return _cached(get_settings().corpus_dir / name)


@lru_cache(maxsize=16)
def _cached(path: Path) -> frozenset[str]:
    return load_stopwords(path)
