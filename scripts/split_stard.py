#!/usr/bin/env python3
"""Split the STARD training questions into train / dev / test (70 / 15 / 15), ids only.

    .venv/bin/python scripts/split_stard.py            # writes corpus/eval/stard_split.json
    .venv/bin/python scripts/split_stard.py --check    # exit 1 if the file is not what it would write

The questions (``<source root>/eval/stard/train.jsonl``, see its README) stay in the shared
folder: the output names question ids, never their text. STARD's own ``dev`` split is
reserved for independent evaluation and is not read here or anywhere else.

How the split is made (deterministic for a given input and ``--seed``):

1. **No question twice.** Questions are grouped before splitting, and a group goes to one
   split whole. Two questions are one group when their normalised text (punctuation and
   whitespace removed, lower-cased) is identical, or when they are labelled with exactly
   the same articles and their character-bigram Jaccard similarity is at least
   ``NEAR_DUPLICATE``: near-paraphrases with one answer (``以农村土地经营权进行的抵押是否
   有效？`` / ``…承包权…``) would otherwise let a test question be learned from its twin.
2. **Stratified by law.** Each group's stratum is the law its articles cite most (title
   without the ``中华人民共和国`` prefix; ties go to the title that sorts first). Laws with
   fewer than ``MIN_STRATUM`` groups share one ``(other)`` stratum.
3. **Allocation.** Within each stratum the groups are shuffled with ``random.Random(seed)``
   (strata in sorted order, one generator) and each in turn goes to the split furthest
   below its share of that stratum's questions so far (ties: train, dev, test), so every
   large law is spread 70/15/15 and the totals land close to it.

The output records the input's SHA-256, the seed, the thresholds, the counts and the
near-duplicate groups of more than one question, so a reader can tell whether the file
still matches the data it was made from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.settings import PROJECT_ROOT, get_settings
from kb.text.numerals import NUMERAL_CHARS

SPLITS = ("train", "dev", "test")
SHARES = {"train": 0.70, "dev": 0.15, "test": 0.15}
SEED = 15  # issue 15
NEAR_DUPLICATE = 0.6
MIN_STRATUM = 7  # groups; 15% of 7 is about one question for each held-out split
OTHER = "(other)"
DEFAULT_OUT = PROJECT_ROOT / "corpus" / "eval" / "stard_split.json"
SOURCE_REL = "eval/stard/train.jsonl"

_ARTICLE = re.compile(rf"^(?P<law>.+?)第[{NUMERAL_CHARS}]+条(?:之[{NUMERAL_CHARS}]+)?$")
_PRC = "中华人民共和国"
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Row:
    id: int
    question: str
    relevant: tuple[str, ...]


def load_rows(path: Path) -> list[Row]:
    """The questions of ``train.jsonl``; a malformed line is a ValueError naming it."""
    rows: list[Row] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        qid, question, relevant = raw.get("id"), raw.get("question"), raw.get("relevant")
        if not isinstance(qid, int) or isinstance(qid, bool):
            raise ValueError(f"{path}:{lineno}: id must be an integer")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"{path}:{lineno}: question must be a non-empty string")
        if not isinstance(relevant, list) or not relevant or not all(isinstance(r, str) for r in relevant):
            raise ValueError(f"{path}:{lineno}: relevant must be a non-empty list of strings")
        rows.append(Row(qid, question, tuple(relevant)))
    ids = [r.id for r in rows]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate ids {sorted(i for i, n in Counter(ids).items() if n > 1)}")
    return rows


def law_of(article: str) -> str:
    """``中华人民共和国民法典第五十四条`` -> ``民法典`` (the stratum key of one article)."""
    m = _ARTICLE.match(article.strip())
    law = m.group("law") if m else article.strip()
    return law.removeprefix(_PRC)


def normalise(text: str) -> str:
    return _NOT_WORD.sub("", text).lower()


def bigrams(text: str) -> frozenset[str]:
    s = normalise(text)
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) or frozenset({s})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def groups_of(rows: Sequence[Row], threshold: float = NEAR_DUPLICATE) -> list[list[Row]]:
    """Rows joined into near-duplicate groups (union-find), each sorted by id, by first id."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_text: dict[str, list[int]] = defaultdict(list)
    by_answer: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_text[normalise(row.question)].append(i)
        by_answer[frozenset(row.relevant)].append(i)
    for members in by_text.values():
        for j in members[1:]:
            union(members[0], j)
    grams = [bigrams(r.question) for r in rows]
    for members in by_answer.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if jaccard(grams[i], grams[j]) >= threshold:
                    union(i, j)
    joined: dict[int, list[Row]] = defaultdict(list)
    for i, row in enumerate(rows):
        joined[find(i)].append(row)
    return sorted((sorted(g, key=lambda r: r.id) for g in joined.values()), key=lambda g: g[0].id)


def stratum_of(group: Iterable[Row]) -> str:
    """The law the group's articles cite most; ties go to the title that sorts first."""
    counts = Counter(law_of(a) for row in group for a in row.relevant)
    return min(counts, key=lambda law: (-counts[law], law))


def strata_of(groups: Sequence[list[Row]], min_stratum: int = MIN_STRATUM) -> dict[str, list[list[Row]]]:
    """Groups per stratum, laws with fewer than ``min_stratum`` groups pooled as ``(other)``."""
    by_law: dict[str, list[list[Row]]] = defaultdict(list)
    for group in groups:
        by_law[stratum_of(group)].append(group)
    pooled: dict[str, list[list[Row]]] = defaultdict(list)
    for law, members in by_law.items():
        pooled[law if len(members) >= min_stratum else OTHER].extend(members)
    return dict(pooled)


def allocate(groups: Sequence[list[Row]], seed: int = SEED, min_stratum: int = MIN_STRATUM) -> dict[str, list[int]]:
    """Question ids per split (sorted), stratified by law as the module docstring says."""
    pooled = strata_of(groups, min_stratum)
    rng = random.Random(seed)
    out: dict[str, list[int]] = {s: [] for s in SPLITS}
    for law in sorted(pooled):
        members = sorted(pooled[law], key=lambda g: g[0].id)
        rng.shuffle(members)
        counts = dict.fromkeys(SPLITS, 0)
        for group in members:
            done = sum(counts.values()) + len(group)
            split = max(SPLITS, key=lambda s: (SHARES[s] * done - counts[s], -SPLITS.index(s)))
            counts[split] += len(group)
            out[split].extend(r.id for r in group)
    return {s: sorted(ids) for s, ids in out.items()}


def build(path: Path, seed: int = SEED) -> dict[str, object]:
    """The JSON document written to ``stard_split.json``."""
    rows = load_rows(path)
    groups = groups_of(rows)
    splits = allocate(groups, seed)
    return {
        "about": (
            "Ids of the STARD training questions (../shared/eval/stard/train.jsonl) per split; "
            "made by scripts/split_stard.py, described in corpus/eval/README.md. Tune on train and dev, "
            "report test once. STARD's own dev split is reserved and is not part of this file."
        ),
        "source": SOURCE_REL,
        "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "seed": seed,
        "shares": SHARES,
        "near_duplicate_jaccard": NEAR_DUPLICATE,
        "min_stratum_groups": MIN_STRATUM,
        "counts": {s: len(ids) for s, ids in splits.items()},
        "strata": len(strata_of(groups)),
        "near_duplicate_groups": [[r.id for r in g] for g in groups if len(g) > 1],
        "splits": splits,
    }


def render(doc: dict[str, object]) -> str:
    """Stable text: one split per line, so a diff shows which ids moved."""
    head = {k: v for k, v in doc.items() if k != "splits"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "splits": {')
    splits = doc["splits"]
    assert isinstance(splits, dict)
    for i, name in enumerate(SPLITS):
        comma = "," if i < len(SPLITS) - 1 else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(splits[name])}{comma}")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None, help=f"default: <source root>/{SOURCE_REL}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args(argv)
    source = args.source or get_settings().source_root / SOURCE_REL
    text = render(build(source, args.seed))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run scripts/split_stard.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    counts = json.loads(text)["counts"]
    total = sum(counts.values())
    print(", ".join(f"{s} {n} ({n / total:.1%})" for s, n in counts.items()), f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
