"""A learned second opinion on page furniture: drop a block the rules keep when a small
logistic model, fitted on the labelled pages, is sure it is furniture.

The rules (:mod:`kb.ingest.furniture`, :func:`kb.ingest.commentary_page.block_furniture` and the
layout of :mod:`kb.ingest.commentary`) decide first; :func:`drop_learned_furniture` then looks
at every block they keep and drops it (reason ``learned``) when the model's probability is at
least the stored threshold. The model never keeps a block the rules drop: the rules stay, the
model adds.

Each block is described by cheap, general features (:func:`page_features`): its length,
sentence punctuation, share of separators (``· | » ›``) and digits, a date or a time, casing,
whether it has a verb-like word, its kind (heading, list item, quote), where it stands (before
the page's first sentence of prose, after its last, at the very end), whether the rules dropped
its neighbours (the rules' own output: a cross-validated figure using it is optimistic), whether
its text repeats on the page, and its words (English words and Chinese character pairs, from a
vocabulary fitted with the weights). The weights are data, ``corpus/commentary_furniture.toml``,
written by ``scripts/train_furniture.py`` (which prints the leave-one-set-out figures); a
feature the file does not name weighs 0. Blocks between paragraphs of prose are not judged
(:func:`may_drop`): a second model for them lowered no leak count in cross-validation and was
removed (docs/COMMENTARY_QUALITY.md, session 12).

>>> feats = page_features(["Subscribe to our newsletter", "The rules ban it in hotel rooms, the court said."])[0]
>>> feats["w:subscribe"], feats["ends_sentence"], feats["before_prose"]
(1.0, 0.0, 1.0)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from kb.datafiles import RuleModel, load_rules
from kb.ingest.commentary_blocks import ENDS_SENTENCE
from kb.ingest.furniture import is_title_case, text_units
from kb.ingest.normalize import is_cjk_text
from kb.learn.linear import LinearModel
from kb.settings import get_settings

if TYPE_CHECKING:
    from kb.ingest.commentary import BlockDecision

__all__ = [
    "EXAMPLE_PROSE",
    "MODEL_NAME",
    "SHAPE_FEATURES",
    "FurnitureModel",
    "block_tokens",
    "drop_learned_furniture",
    "load_furniture_model",
    "may_drop",
    "model_override",
    "page_features",
]

MODEL_NAME = "commentary_furniture.toml"  # under settings.corpus_dir
WORD_PREFIX = "w:"

# The block's shape and place, each a number (most 0/1); words are "w:<token>" besides.
SHAPE_FEATURES: tuple[str, ...] = (
    "units_log",  # log(1 + length in words, CJK characters counted one each)
    "short",  # four units or fewer
    "ends_sentence",  # ends in . ! ? 。 ！ ？ … (quotes and brackets after it allowed)
    "sentence_marks",  # sentence punctuation inside, per unit (capped at 1)
    "separators",  # · | » › • ｜ / > per unit (capped at 1)
    "digits",  # share of characters that are digits
    "date",  # a year, a month's name, 年/月/日, or a time of day
    "ago",  # "3 hours ago", "2天前"
    "title_case",  # English, nearly every word capitalised
    "caps",  # share of letters in upper case
    "cjk",  # Chinese text
    "verb",  # a verb-like word: is, was, has, will, must, said, -ed; 是 了 将 应 被 …
    "link",  # an address, an e-mail, a handle
    "bracketed",  # the whole block in brackets: 【…】, […], (…)
    "question",  # ends in a question mark
    "heading",  # the kind the layout gave it
    "list_item",
    "quote",
    "before_prose",  # no block of prose before it on the page
    "after_prose",  # no block of prose after it on the page
    "prev_prose",  # the block before it is prose (eight units or more, a full stop at the end)
    "next_prose",  # the next block the rules keep (or, without them, the next block) is prose
    "last",  # the page's last or second-last block
    "prev_dropped",  # the rules dropped the block before it (the rules' output)
    "next_dropped",  # the rules dropped the block after it (the rules' output)
    "dropped_near",  # share of the three blocks either side the rules dropped (the rules' output)
    "repeated",  # the same text stands elsewhere on the page
)

_SENTENCE_MARK = re.compile(r"[.!?;,。！？；，]")
_SEPARATOR = re.compile(r"[·|»›•｜/>]|\s-\s")
_DATE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s*[年月日]"
    r"|\b\d{1,2}:\d{2}\b",
    re.I,
)
_AGO = re.compile(r"\bago\b|\d\s*(?:分钟|小时|天|周|个月|年)前", re.I)
_VERB_EN = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|should|does|did|do"
    r"|says?|said|means?|requires?|bans?)\b|\b[a-z]{3,}ed\b",
    re.I,
)
_VERB_ZH = re.compile(r"[是了将应被会要能称表示规定认为需]")
_LINK = re.compile(r"https?://|www\.|\.(?:com|cn|org|net)\b|@\w", re.I)
_BRACKETED = re.compile(r"^\s*(?:【.*】|\[.*\]|［.*］|\(.*\)|（.*）)\s*$")
_EN_WORD = re.compile(r"[a-z][a-z'’]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_PROSE_MIN_UNITS = 3
_NEAR = 3


def block_tokens(text: str) -> set[str]:
    """The words of a block: English words (lower case) and pairs of adjacent Chinese characters.

    >>> sorted(block_tokens("Subscribe now: 点击关注"))
    ['now', 'subscribe', '关注', '击关', '点击']
    """
    words = set(_EN_WORD.findall(text.casefold()))
    for run in _CJK_RUN.findall(text):
        words.update(run[k : k + 2] for k in range(len(run) - 1))
        if len(run) == 1:
            words.add(run)
    return words


def _fold(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(" .:")


def _is_prose(text: str) -> bool:
    return text_units(text) >= _PROSE_MIN_UNITS and bool(ENDS_SENTENCE.search(text.rstrip()))


def page_features(
    texts: Sequence[str], *, kinds: Sequence[str | None] = (), dropped: Sequence[bool] = ()
) -> list[dict[str, float]]:
    """The features of every block of a page whose blocks are ``texts`` (in order), with the
    kinds the layout gave them and whether the rules dropped them (both may be empty)."""
    prose = [_is_prose(t) for t in texts]
    first = next((k for k, p in enumerate(prose) if p), len(texts))
    last = max((k for k, p in enumerate(prose) if p), default=-1)
    folds = [_fold(t) for t in texts]
    nxt: list[int | None] = [None] * len(texts)  # the next block the rules keep
    following: int | None = None
    for k in range(len(texts) - 1, -1, -1):
        nxt[k] = following
        if not (dropped and dropped[k]):
            following = k
    next_prose = [j is not None and prose[j] for j in nxt]
    counts = Counter(folds)
    n = len(texts)
    rows = []
    for i, raw in enumerate(texts):
        text = raw.strip()
        units = max(text_units(text), 1)
        chars = max(len(text), 1)
        letters = [c for c in text if c.isalpha() and c.isascii()]
        cjk = is_cjk_text(text)
        near = [j for j in range(max(0, i - _NEAR), min(n, i + _NEAR + 1)) if j != i]
        kind = kinds[i] if kinds else None
        f: dict[str, float] = {
            "units_log": math.log1p(units),
            "short": float(units <= 4),
            "ends_sentence": float(bool(ENDS_SENTENCE.search(text))),
            "sentence_marks": min(1.0, len(_SENTENCE_MARK.findall(text)) / units),
            "separators": min(1.0, len(_SEPARATOR.findall(text)) / units),
            "digits": sum(c.isdigit() for c in text) / chars,
            "date": float(bool(_DATE.search(text))),
            "ago": float(bool(_AGO.search(text))),
            "title_case": float(not cjk and is_title_case(text)),
            "caps": sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
            "cjk": float(cjk),
            "verb": float(bool((_VERB_ZH if cjk else _VERB_EN).search(text))),
            "link": float(bool(_LINK.search(text))),
            "bracketed": float(bool(_BRACKETED.match(text))),
            "question": float(text.endswith(("?", "？"))),
            "heading": float(kind == "heading"),
            "list_item": float(kind == "list_item"),
            "quote": float(kind == "quote"),
            "before_prose": float(i < first),
            "after_prose": float(i > last),
            "prev_prose": float(i > 0 and prose[i - 1]),
            "next_prose": float(next_prose[i]),
            "last": float(i >= n - 2),
            "prev_dropped": float(bool(dropped) and i > 0 and dropped[i - 1]),
            "next_dropped": float(bool(dropped) and i + 1 < n and dropped[i + 1]),
            "dropped_near": sum(dropped[j] for j in near) / len(near) if dropped and near else 0.0,
            "repeated": float(counts[folds[i]] > 1),
        }
        f.update((WORD_PREFIX + w, 1.0) for w in block_tokens(text))
        rows.append(f)
    return rows


# ------------------------------------------------------------------------ the model
class _ModelFile(RuleModel):
    version: int = 1
    trained_on: str = ""  # what the weights were fitted on (written by the script)
    threshold: float = Field(ge=0.5, le=1.0)  # drop a kept block at this probability or more
    bias: float
    weights: dict[str, float]
    # lines the model must drop (furniture) and keep (text) at the end of a page, after its
    # prose: FurnitureModel.failed_examples, run by the tests
    drops: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> _ModelFile:
        unknown = sorted({k for k in self.weights if k not in SHAPE_FEATURES and not k.startswith(WORD_PREFIX)})
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; known: {', '.join(SHAPE_FEATURES)} and w:<word>")
        return self


# The paragraphs before an example line when the examples are checked: the line closes the page.
EXAMPLE_PROSE = (
    "The new rules require separate consent before a face is scanned at a gate, the regulator said.",
    "A company that stores the faces of many people must file an assessment with the regulator.",
)


@dataclass(frozen=True)
class FurnitureModel:
    """A fitted model and the probability at which it drops a block."""

    model: LinearModel
    threshold: float
    drops: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()

    def drops_block(self, decision: BlockDecision, features: Mapping[str, float]) -> bool:
        """Whether the model drops a block the rules decided so, with these features: where
        :func:`may_drop` lets it judge, at its threshold."""
        return may_drop(decision, features) and self.probability(features) >= self.threshold

    def probability(self, features: Mapping[str, float]) -> float:
        return self.model.probability(features)

    def drops_in_text(self, line: str) -> bool:
        """Whether the model drops ``line`` standing alone after two paragraphs of prose
        (:data:`EXAMPLE_PROSE`), at the end of the page: how the stored examples are checked.
        The model judges only a block with no prose after it (:func:`may_drop`), so a line
        between two paragraphs would test what it never sees."""
        page = [*EXAMPLE_PROSE, line]
        row = page_features(page, kinds=("paragraph",) * 3)[2]
        return self.probability(row) >= self.threshold

    def failed_examples(self) -> list[str]:
        """The stored examples the model gets wrong (none, when the script wrote the file)."""
        return [f"drops {e!r}" for e in self.drops if not self.drops_in_text(e)] + [
            f"keeps {e!r}" for e in self.keeps if self.drops_in_text(e)
        ]


@lru_cache(maxsize=4)
def load_furniture_model(path: Path | None = None) -> FurnitureModel:
    """The stored model, ``<corpus_dir>/commentary_furniture.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / MODEL_NAME
    rules = load_rules(path, _ModelFile, "furniture model file")
    model = LinearModel.from_table({"bias": rules.bias, **rules.weights})
    return FurnitureModel(model, rules.threshold, tuple(rules.drops), tuple(rules.keeps))


# The model in force and a watcher of every page's rows (the training script's); tests and
# the script set them with model_override.
Observer = Callable[[Sequence["BlockDecision"], Sequence[dict[str, float]]], None]


@dataclass(frozen=True)
class _Override:
    model: FurnitureModel | None
    observe: Observer | None


_OVERRIDE: ContextVar[_Override | None] = ContextVar("furniture_model_override", default=None)


@contextmanager
def model_override(model: FurnitureModel | None, observe: Observer | None = None) -> Iterator[None]:
    """Use ``model`` (None: no learned dropping) inside the block, and call ``observe`` with
    each page's decisions (the rules') and their features."""
    token = _OVERRIDE.set(_Override(model, observe))
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


def may_drop(decision: BlockDecision, features: Mapping[str, float]) -> bool:
    """The blocks the model judges: those the rules keep as body text, but not one right above
    a paragraph of prose, and a heading only before the page's first prose or after its last.
    A section heading, a standfirst or a transcript's speaker label is not for it: the labelled
    text it learns from is sentences, hardly ever a heading, and on the labelled pages no block
    of furniture the rules keep stands right above prose."""
    if not decision.keep or decision.reason != "body" or features["next_prose"]:
        return False
    return decision.kind != "heading" or bool(features["before_prose"] or features["after_prose"])


def drop_learned_furniture(decisions: Sequence[BlockDecision]) -> list[BlockDecision]:
    """``decisions`` with each kept block the model finds furniture dropped (reason ``learned``)."""
    override = _OVERRIDE.get()
    model = override.model if override else load_furniture_model()
    observe = override.observe if override else None
    if model is None and observe is None:
        return list(decisions)
    texts = [d.block.text for d in decisions]
    kinds = [d.kind for d in decisions]
    dropped = [not d.keep for d in decisions]
    rows = page_features(texts, kinds=kinds, dropped=dropped)
    if observe is not None:
        observe(decisions, rows)
    if model is None:
        return list(decisions)
    out = [
        replace(d, keep=False, reason="learned", kind=None) if model.drops_block(d, row) else d
        for d, row in zip(decisions, rows, strict=True)
    ]
    # never the whole text: a page the model would empty keeps what the rules kept
    return out if any(d.keep and d.kind != "heading" for d in out) else list(decisions)
