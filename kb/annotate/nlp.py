"""Shared, lazily built NLP pipelines and the tokenisation the full-text index uses.

Nothing heavy happens at import time: spaCy and jieba are imported and built on the
first call and then cached for the life of the process.

* :func:`english_nlp` — ``spacy.blank("en")`` + ``sentencizer``.
* :func:`chinese_nlp` — spaCy's Chinese tokenizer driven by jieba, with the legal user
  dictionary (``corpus/dict/legal.dict.txt``) loaded, so 个人信息处理者, 单独同意,
  不满十四周岁 … stay whole tokens; token offsets always match the text.
* :func:`segment_zh` / :func:`tokens_for_index` — jieba directly (no spaCy), in a search
  mode that also emits the dictionary words inside long compounds, for SQLite FTS5.

>>> [t.text for t in chinese_nlp()("个人信息处理者应当取得单独同意")]
['个人信息处理者', '应当', '取得', '单独同意']
>>> tokens_for_index("个人信息处理者 may NOT process.")
'个人 信息 处理 个人信息 信息处理 个人信息处理者 may not process'
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import ManifestError
from kb.settings import get_settings

if TYPE_CHECKING:  # pragma: no cover - typing only; spaCy is imported lazily
    from spacy.language import Language

__all__ = [
    "chinese_nlp",
    "english_nlp",
    "legal_dict_path",
    "legal_terms",
    "person_names_zh",
    "read_legal_dict",
    "segment_zh",
    "tokens_for_index",
]

# A user-dictionary line: ``word freq pos`` (jieba's format; we require all three).
_DICT_LINE = re.compile(r"^(?P<word>\S+) (?P<freq>[0-9]+) (?P<pos>[a-z]+)$")

# jieba's Tokenizer is not safe to initialise from two threads at once.
_JIEBA_LOCK = threading.Lock()


def legal_dict_path() -> Path:
    """The jieba user dictionary of legal terms: ``<corpus_dir>/dict/legal.dict.txt``."""
    return get_settings().corpus_dir / "dict" / "legal.dict.txt"


def read_legal_dict(path: Path) -> tuple[tuple[str, int, str], ...]:
    """Parse the user dictionary; a malformed line is a :class:`ManifestError`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read jieba user dictionary: {exc}") from exc
    entries: list[tuple[str, int, str]] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        m = _DICT_LINE.match(line)
        if m is None:
            raise ManifestError(f"{path}:{lineno}: expected 'word freq pos', got {raw!r}")
        entries.append((m["word"], int(m["freq"]), m["pos"]))
    return tuple(entries)


@lru_cache(maxsize=1)
def legal_terms() -> frozenset[str]:
    """Every word in the legal user dictionary."""
    return frozenset(word for word, _, _ in read_legal_dict(legal_dict_path()))


def _import_jieba() -> Any:
    """``import jieba``, without its console handler.

    jieba adds a handler of its own at DEBUG level when first imported, so its messages
    ("Building prefix dict ...") appear always, and twice once logging is configured.
    Removed here, with the level left to the logging configuration: ``kb -vv`` shows
    them once, through the root handler.
    """
    import jieba

    logger = logging.getLogger("jieba")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    return jieba


@lru_cache(maxsize=1)
def _jieba_tokenizer() -> Any:
    """A private jieba Tokenizer with the legal dictionary.

    Private rather than the global ``jieba.dt`` so that nothing else in the process
    (another library calling ``jieba.add_word``) can change how we segment: the index
    must be deterministic.
    """
    jieba = _import_jieba()
    with _JIEBA_LOCK:
        tk = jieba.Tokenizer()
        tk.initialize()
        for word, freq, pos in read_legal_dict(legal_dict_path()):
            tk.add_word(word, freq, pos)
    return tk


@lru_cache(maxsize=1)
def english_nlp() -> Language:
    """``spacy.blank("en")`` with a rule-based ``sentencizer``."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def chinese_nlp() -> Language:
    """spaCy Chinese (jieba segmenter, legal dictionary) with a ``sentencizer``.

    spaCy's ``ChineseTokenizer`` calls ``self.jieba_seg.cut(text, cut_all=False)`` and
    aligns the words back onto the text, so swapping in our own jieba Tokenizer keeps
    offsets exact while adding the legal vocabulary.
    """
    import spacy

    _import_jieba()  # before spaCy's tokenizer imports it
    # Made with the "char" segmenter and switched to jieba here: asking spaCy for jieba
    # would load jieba's global dictionary too (0.7 s), which nothing here uses.
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    tokenizer: Any = nlp.tokenizer  # spacy.lang.zh.ChineseTokenizer
    tokenizer.jieba_seg = _jieba_tokenizer()
    tokenizer.segmenter = "jieba"
    nlp.add_pipe("sentencizer")
    return nlp


def _search_words(word: str, freq: dict[str, int]) -> list[str]:
    """The dictionary words inside ``word`` (length >= 2, left to right), then ``word``.

    jieba's own ``cut_for_search`` only looks at 2- and 3-character pieces, which would
    hide 个人信息 inside 个人信息处理者 from a search for 个人信息.
    """
    if len(word) <= 2:
        return [word]
    out: list[str] = []
    for n in range(2, len(word)):
        for i in range(len(word) - n + 1):
            piece = word[i : i + n]
            if freq.get(piece):
                out.append(piece)
    out.append(word)
    return out


def segment_zh(text: str) -> list[str]:
    """Segment text for a full-text index (jieba, legal dictionary, search mode).

    Whitespace is dropped; punctuation is kept (``tokens_for_index`` drops it).
    Deterministic: the same text always gives the same list.

    >>> segment_zh("不满十四周岁")
    ['不满', '十四', '四周', '周岁', '四周岁', '十四周岁', '不满十四周岁']
    """
    tk = _jieba_tokenizer()
    freq: dict[str, int] = tk.FREQ
    words: list[str] = []
    for word in tk.cut(text, cut_all=False, HMM=True):
        if not word or word.isspace():
            continue
        words.extend(_search_words(word, freq))
    return words


def _is_indexable(token: str) -> bool:
    """True when the token has a letter or digit (CJK counts as letters)."""
    return any(ch.isalnum() for ch in token)


_TOKEN_CACHE: dict[str, str] = {}
_TOKEN_CACHE_LIMIT = 200_000  # distinct runs; about 60 MB at most


def tokens_for_index(text: str) -> str:
    """Space-joined, lower-cased tokens for an FTS5 ``unicode61`` column.

    Use the same function on the query so that query and index agree.

    jieba segments each run of Han characters, letters and digits on its own
    (``jieba.re_han_default`` splits the text; punctuation and spaces are tokens of
    their own or dropped), so the tokens of a text are the tokens of its runs, in
    order. Statutes repeat their clauses (本法自公布之日起施行, 由县级以上人民政府…):
    about a third of the runs of the whole corpus are repeats, segmented once here.
    """
    import jieba  # the pattern only; segmentation uses our own tokenizer

    parts: list[str] = []
    for run in jieba.re_han_default.split(text):
        if not run:
            continue
        tokens = _TOKEN_CACHE.get(run)
        if tokens is None:
            tokens = " ".join(tok.lower() for tok in segment_zh(run) if _is_indexable(tok))
            if len(_TOKEN_CACHE) >= _TOKEN_CACHE_LIMIT:
                _TOKEN_CACHE.clear()
            _TOKEN_CACHE[run] = tokens
        if tokens:
            parts.append(tokens)
    return " ".join(parts)


def words_zh(text: str) -> list[str]:
    """The words of a text, in order, covering it exactly (jieba, legal dictionary).

    Unlike :func:`segment_zh` nothing is dropped or repeated, so ``"".join`` gives the
    text back: what a word-level diff needs.

    >>> words_zh("不满十四周岁的未成年人")
    ['不满十四周岁', '的', '未成年人']
    """
    return [w for w in _jieba_tokenizer().cut(text, cut_all=False, HMM=True) if w]


@lru_cache(maxsize=1)
def _jieba_tagger() -> Any:
    """jieba's part-of-speech tagger over the private Tokenizer (legal dictionary)."""
    _import_jieba()  # jieba's handler removed before its submodule logs anything
    from jieba import posseg

    return posseg.POSTokenizer(_jieba_tokenizer())


def person_names_zh(text: str) -> frozenset[str]:
    """The words of a text jieba's tagger takes for personal names (``nr``).

    >>> sorted(person_names_zh("物业经理周强看了看门禁"))
    ['周强']
    """
    return frozenset(w.word for w in _jieba_tagger().cut(text) if w.flag.startswith("nr"))


def jieba_frequencies() -> dict[str, int]:
    """jieba's word frequencies (its dictionary and the legal one): a word is in the
    dictionary when its frequency is above zero."""
    freq: dict[str, int] = _jieba_tokenizer().FREQ
    return freq
