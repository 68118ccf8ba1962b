"""The STARD questions (``<source root>/eval/stard/train.jsonl``) as evaluation and training data.

Kept out of ``kb``: reading the questions, our split of them (``corpus/eval/stard_split.json``,
made by ``scripts/split_stard.py``) and mapping their labels to articles of a database are
evaluation code, shared by ``scripts/bench_stard.py`` and ``scripts/train_search.py``.

A label names an article as ``<law title>第N条`` (``中华人民共和国民法典第五十四条``,
``劳动合同法第十条``). It is relevant in every version of that law the database holds
(no label carries a date); titles are compared by :func:`kb.learn.associations.law_key` (no whitespace, no
``中华人民共和国``, which STARD drops where the corpus keeps it, also inside a title).

>>> parse_label("中华人民共和国民法典第五十四条")
('民法典', 'art_54')
>>> parse_label("刑法第二百五十三条之一")
('刑法', 'art_253-1')
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from kb.learn.associations import law_key
from kb.settings import PROJECT_ROOT
from kb.store.reader import Reader
from kb.text.numerals import NUMERAL_CHARS, cn_to_int

__all__ = [
    "SPLIT_FILE",
    "STARD_REL",
    "StardQuestion",
    "article_index",
    "label_key",
    "law_key",
    "load_split",
    "load_stard",
    "parse_label",
    "relevant_ids",
]

STARD_REL = "eval/stard/train.jsonl"
SPLIT_FILE = PROJECT_ROOT / "corpus" / "eval" / "stard_split.json"
_LABEL = re.compile(rf"^(?P<law>.+?)第(?P<n>[{NUMERAL_CHARS}]+)条(?:之(?P<sub>[{NUMERAL_CHARS}]+))?$")


@dataclass(frozen=True)
class StardQuestion:
    id: int
    question: str
    relevant: tuple[str, ...]
    split: str


def parse_label(label: str) -> tuple[str, str]:
    """``(law key, eid)`` of a label; ValueError when it does not name an article."""
    m = _LABEL.match(label.strip())
    if m is None:
        raise ValueError(f"not an article label: {label!r}")
    n = cn_to_int(m.group("n"))
    sub = cn_to_int(m.group("sub")) if m.group("sub") else None
    return law_key(m.group("law")), f"art_{n}-{sub}" if sub else f"art_{n}"


def label_key(law: str, eid: str) -> str:
    """The key learned data uses for an article: ``民法典#art_54`` (all versions of a law)."""
    return f"{law}#{eid}"


def load_split(path: Path = SPLIT_FILE) -> dict[int, str]:
    """Question id -> split name (train, dev, test)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {int(qid): split for split, ids in raw["splits"].items() for qid in ids}


def load_stard(path: Path, split_of: Mapping[int, str]) -> list[StardQuestion]:
    """The questions of ``train.jsonl`` with their split (a question the split file lacks is an error)."""
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        qid = int(raw["id"])
        if qid not in split_of:
            raise ValueError(f"{path}:{lineno}: question {qid} is in no split of {SPLIT_FILE.name}")
        out.append(StardQuestion(qid, str(raw["question"]), tuple(raw["relevant"]), split_of[qid]))
    return out


def article_index(reader: Reader) -> dict[str, frozenset[str]]:
    """Article key (``民法典#art_54``) -> the article provision ids of every version in the database."""
    sql = (
        "SELECT p.id, p.doc_id, d.title_zh FROM provisions p JOIN documents d ON d.id = p.doc_id "
        "WHERE p.level = 'article' AND d.title_zh IS NOT NULL"
    )
    out: dict[str, set[str]] = {}
    with reader.engine.connect() as conn:
        for pid, doc_id, title in conn.execute(text(sql)):
            eid = pid[len(doc_id) + 1 :]
            out.setdefault(label_key(law_key(title), eid), set()).add(pid)
    return {k: frozenset(v) for k, v in out.items()}


def relevant_ids(
    question: StardQuestion, index: Mapping[str, frozenset[str]], missing: list[str] | None = None
) -> dict[str, frozenset[str]]:
    """Label -> provision ids for one question (labels the database lacks are left out, and listed in ``missing``)."""
    out: dict[str, frozenset[str]] = {}
    for label in question.relevant:
        ids = index.get(label_key(*parse_label(label)), frozenset())
        if ids:
            out[label] = ids
        elif missing is not None:
            missing.append(f"{question.id} {label}")
    return out


def splits_of(questions: Sequence[StardQuestion]) -> dict[str, list[StardQuestion]]:
    out: dict[str, list[StardQuestion]] = {}
    for q in questions:
        out.setdefault(q.split, []).append(q)
    return out
