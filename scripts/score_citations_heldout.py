"""Score the citation resolver on a labelled citation set (by default the held-out one).

Usage::

    python scripts/score_citations_heldout.py                      # tests/fixtures/citations/heldout.jsonl
    python scripts/score_citations_heldout.py tests/fixtures/citations/labelled.jsonl

Rows are as ``corpus/eval/README.md`` describes them (``doc``, optional ``context_eid`` and
``date``, ``text``, ``expected``: every citation in order as ``{status, ids}``). Each row
runs :func:`kb.annotate.citations.find_citations` with its context, against an index of
the default manifest and the eids of every statute parsed from the source texts.

Printed, micro-averaged over rows:

* **ids**: precision and recall of the ids cited with certainty (status ``resolved`` or
  ``text_absent``: what becomes a ``cites`` link scored 1.0), per row as sets;
* **ids, resolved only**: the same over ``resolved`` citations alone (provisions and
  documents whose text is in the corpus);
* **rows exact**: rows whose citations, in order, have exactly the expected status and ids
  (the measure of ``tests/test_citations.py::test_labelled_accuracy``).

Only figures are printed, never a row's text: a held-out set stays unread while it is
measured. Report the figure; do not tune on it (a set tuned on is spent).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb.annotate.citations import CitationIndex, find_citations
from kb.annotate.citations.index import has_cjk
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import read_source
from kb.ingest.statute import parse_statute
from kb.model import DocumentMeta
from kb.settings import get_settings

HELDOUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "citations" / "heldout.jsonl"
CERTAIN = frozenset({"resolved", "text_absent"})


def statute_eids(documents: Iterable[DocumentMeta]) -> dict[str, frozenset[str]]:
    root = get_settings().source_root
    out: dict[str, frozenset[str]] = {}
    for doc in documents:
        if doc.is_commentary or not doc.text_available:
            continue
        sources = [read_source(root, s.path, expected_sha256=s.sha256) for s in doc.sources]
        out[doc.id] = frozenset(p.eid for p in parse_statute(doc, sources).provisions)
    return out


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, got: set[str], want: set[str]) -> None:
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)

    def line(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return f"{name:<22} P {p:.3f}  R {r:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn})"


def _ids(pairs: Iterable[tuple[str, tuple[str, ...]]], statuses: frozenset[str]) -> set[str]:
    return {i for status, ids in pairs if status in statuses for i in ids}


def score(path: Path) -> list[str]:
    rows: list[dict[str, Any]] = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    documents = load_manifest()
    index = CitationIndex.build(documents, statute_eids(documents))
    tallies = {key: Tally() for key in ("all", "all:en", "all:zh", "resolved")}
    exact = {"en": [0, 0], "zh": [0, 0]}
    for row in rows:
        ctx = {"context_doc": row.get("doc"), "context_eid": row.get("context_eid"), "date": row.get("date")}
        got = [(c.status, c.ids) for c in find_citations(row["text"], index, **ctx)]
        want = [(e["status"], tuple(e["ids"])) for e in row["expected"]]
        lang = "zh" if has_cjk(row["text"]) else "en"
        for key in ("all", f"all:{lang}"):
            tallies[key].add(_ids(got, CERTAIN), _ids(want, CERTAIN))
        tallies["resolved"].add(_ids(got, frozenset({"resolved"})), _ids(want, frozenset({"resolved"})))
        exact[lang][0] += got == want
        exact[lang][1] += 1
    n = len(rows)
    right = exact["en"][0] + exact["zh"][0]
    lines = [
        f"{path.name}: {n} rows ({exact['en'][1]} en, {exact['zh'][1]} zh), "
        f"{sum(len(r['expected']) for r in rows)} expected citations",
        tallies["all"].line("ids (certain)"),
        tallies["all:en"].line("  English rows"),
        tallies["all:zh"].line("  Chinese rows"),
        tallies["resolved"].line("ids, resolved only"),
        f"{'rows exact':<22} {right / n:.3f}  ({right}/{n}; en {exact['en'][0]}/{exact['en'][1]}, "
        f"zh {exact['zh'][0]}/{exact['zh'][1]})",
    ]
    return lines


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HELDOUT
    print("\n".join(score(target)))
