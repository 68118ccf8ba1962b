"""Fit the learned reported-speech model (kb/annotate/speakers/learned.py) and print its
leave-one-set-out figures.

Data: the speaker labels of corpus/eval/speakers/ for the spent sets named in ``SETS``. For each
document the rules' annotations are computed as the build computes them (learned model off);
the model decides over the sentences they leave unannotated. Each fold fits on every set but
one — the reporting-word vocabulary too — and measures the one left out as
scripts/measure_speakers.py does (found / speaker right / extra), rules plus model. The script
prints what the model adds left out of the fit for a grid of the two thresholds (the detector's
probability, the chosen speaker's softmax share) and picks the pair adding the most right
speakers with at least ``PRECISION`` of its added annotations right (or the pair ``--at``
names). Then the model is fitted on all the sets and written to corpus/speakers/learned.toml
with ``--write``.

    python scripts/fit_speakers.py [--write] [--at 0.75 0.0]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from measure_speakers import FOLDERS, LABELS, _overlaps, score, speaker_right  # noqa: E402

from kb.annotate.speakers import find_quotes, find_reported_speech  # noqa: E402
from kb.annotate.speakers.learned import (  # noqa: E402
    CANDIDATE_FEATURES,
    MODEL_PATH,
    SENTENCE_FEATURES,
    Candidate,
    Scored,
    SentenceCase,
    SpeechModel,
    annotation,
    score_cases,
    sentence_cases,
    tokens,
)
from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh, is_chinese_document  # noqa: E402
from kb.ingest.manifest import load_manifest  # noqa: E402
from kb.ingest.userdocs import load_user_commentary  # noqa: E402
from kb.learn.linear import fit_binary, fit_choice  # noqa: E402
from kb.model import Annotation, Passage  # noqa: E402

# The spent sets (tuned on). fresh17 and later are held out and never read here.
SETS = tuple(f"fresh{k}" for k in range(4, 17))
L2 = 1.0  # the speaker choice's penalty
L2_DETECT = 1e-2  # the detector's (on standardised features)
# The thresholds tried: the detector's probability, the chosen speaker's softmax share.
DETECT_GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
SHARE_GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PRECISION = 0.8  # of the annotations the learned step adds, the share that must name the right speaker
VOCAB_MIN = 3  # a token in fewer labelled reported sentences than this has no cue weight
VOCAB_PRIOR = 5.0  # pseudo-sentences pulling a token's reported rate to the base rate
VOCAB_SIZE = 400


@dataclass(frozen=True)
class Doc:
    set: str
    passages: tuple[Passage, ...]
    zh: bool
    rules: tuple[Annotation, ...]
    labels: tuple[dict[str, str], ...]
    authors: tuple[str, ...]


def load_docs() -> list[Doc]:
    manifest = load_manifest()
    out: list[Doc] = []
    for name in SETS:
        labels = [json.loads(x) for x in (LABELS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x]
        for d in load_user_commentary([FOLDERS[name]], manifest):
            ps = tuple(d.parsed.passages)
            zh = is_chinese_document(ps, d.meta)
            if zh:
                rules = [*find_quotes_zh(ps, d.meta), *find_reported_speech_zh(ps, d.meta, learned=False)]
            else:
                rules = [*find_quotes(ps, d.meta), *find_reported_speech(ps, d.meta, learned=False)]
            mine = tuple(r for r in labels if r["doc"] == d.meta.id)
            out.append(Doc(name, ps, zh, tuple(rules), mine, tuple(d.meta.authors)))
    return out


def _reported(doc: Doc, text: str) -> list[dict[str, str]]:
    return [r for r in doc.labels if r["kind"] == "reported" and _overlaps(text, r["text"])]


def vocabulary(docs: Sequence[Doc]) -> dict[str, float]:
    """Token -> smoothed log-odds of a sentence holding it being labelled reported speech."""
    seen: dict[tuple[bool, str], list[int]] = {}
    pos = tot = 0
    for doc in docs:
        for p in doc.passages:
            if p.kind == "heading":
                continue
            for s, e in list(p.sentences) or [(0, len(p.text))]:
                text = p.text[s:e]
                y = bool(_reported(doc, text))
                pos, tot = pos + y, tot + 1
                for t in tokens(text, doc.zh):
                    c = seen.setdefault((doc.zh, t), [0, 0])
                    c[0] += y
                    c[1] += 1
    base = pos / max(1, tot)
    prior = math.log(base / (1 - base))
    scored = {
        t: math.log((r + VOCAB_PRIOR * base) / (n - r + VOCAB_PRIOR * (1 - base))) - prior
        for (_, t), (r, n) in seen.items()
        if r >= VOCAB_MIN
    }
    best = sorted((t for t in scored if scored[t] > 0), key=lambda t: -scored[t])[:VOCAB_SIZE]
    return {t: round(scored[t], 4) for t in sorted(best)}


def training_data(
    docs: Sequence[Doc], cues: dict[str, float]
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The first model's rows (a sentence, labelled reported or not) and the second's groups
    (a labelled reported sentence's candidates, 1 for those naming its speaker right)."""
    rows: list[list[float]] = []
    ys: list[float] = []
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    for doc in docs:
        for case in sentence_cases(doc.passages, doc.zh, doc.rules, cues, doc.authors):
            gold = _reported(doc, case.text)
            rows.append([case.features.get(f, 0.0) for f in SENTENCE_FEATURES])
            ys.append(float(bool(gold)))
            if not gold or not case.candidates:
                continue
            x = np.array([[c.features.get(f, 0.0) for f in CANDIDATE_FEATURES] for c in case.candidates], dtype=float)
            y = np.array([float(any(speaker_right(r, _probe(case, c)) for r in gold)) for c in case.candidates])
            groups.append((x, y))
    return np.array(rows, dtype=float), np.array(ys), groups


def _probe(case: SentenceCase, c: Candidate) -> Annotation:
    data = {"speaker": c.speaker or None, "role": c.role or None}
    return Annotation(case.passage.id, "reported_speech", c.speaker, case.start, case.end, case.text, data=data)


def fit(docs: Sequence[Doc], threshold: float = 0.5, speaker_threshold: float = 0.0) -> SpeechModel:
    cues = vocabulary(docs)
    x, y, groups = training_data(docs, cues)
    detect = fit_binary(x, y, SENTENCE_FEATURES, l2=L2_DETECT)
    speaker = fit_choice(groups, CANDIDATE_FEATURES, l2=L2)
    return SpeechModel(detect, speaker, threshold, speaker_threshold, cues)


Decided = list[tuple[Doc, list[Scored]]]


def scored(docs: Sequence[Doc], model: SpeechModel) -> Decided:
    """Each document's unannotated sentences scored by the model (thresholds not applied)."""
    return [(d, score_cases(sentence_cases(d.passages, d.zh, d.rules, model.cues, d.authors), model)) for d in docs]


def measure(decided: Decided, t: float | None, u: float = 0.0) -> Counter[str]:
    """Found / right / extra of the rules plus the sentences reaching both thresholds (the
    rules alone when ``t`` is None)."""
    total: Counter[str] = Counter()
    for d, ss in decided:
        anns = list(d.rules)
        if t is not None:
            anns += [annotation(x.case, x.pick) for x in ss if x.pick and x.probability >= t and x.share >= u]
        total.update(score(d.labels, anns))
    return total


def _fmt(c: Counter[str]) -> str:
    return f"{c['found']:>4}/{c['items']:<4} {c['right']:>4}/{c['found']:<4} {c['extra']:>3}/{c['annotations']:<4}"


def _added(c: Counter[str], base: Counter[str]) -> tuple[int, int, int]:
    return c["found"] - base["found"], c["right"] - base["right"], c["extra"] - base["extra"]


def curve(cv: Decided) -> tuple[float, float] | None:
    """Print what the learned step adds, left out of the fit, for each pair of thresholds;
    return the pair adding the most right speakers with at least ``PRECISION`` of its added
    annotations (found or extra) right, None when no pair adds any."""
    base = measure(cv, None)
    print("\nleft out of the fit, added by the learned step: found, right, extra, right / (found + extra)")
    print("detect \\ share " + " ".join(f"{u:>16}" for u in SHARE_GRID))
    best: tuple[int, int, float, float] | None = None
    for t in DETECT_GRID:
        cells = []
        for u in SHARE_GRID:
            found, right, extra = _added(measure(cv, t, u), base)
            share = right / (found + extra) if found + extra else 0.0
            cells.append(f"{found:>3} {right:>3} {extra:>3} {share:>5.2f}")
            if right > 0 and share >= PRECISION and (best is None or (right, -(found + extra - right)) > best[:2]):
                best = (right, -(found + extra - right), t, u)
        print(f"{t:<14} " + " ".join(f"{c:>16}" for c in cells))
    return None if best is None else (best[2], best[3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write corpus/speakers/learned.toml")
    parser.add_argument("--at", type=float, nargs=2, metavar=("DETECT", "SHARE"), help="use these thresholds")
    args = parser.parse_args()
    docs = load_docs()
    cv: Decided = []
    for held in SETS:
        cv += scored([d for d in docs if d.set == held], fit([d for d in docs if d.set != held]))
    chosen = curve(cv)
    if chosen is None:
        print(f"no thresholds add right speakers with {PRECISION} of the added annotations right")
    pair = tuple(args.at) if args.at else chosen
    if pair is None:
        return 0
    t, u = pair
    final = fit(docs, t, u)
    shipped = scored(docs, final)
    print(f"\nthresholds: detector {t}, speaker share {u}")
    print(f"{'set':8} {'rules: found, right, extra':>30} {'rules + learned, CV':>30} {'rules + learned, all sets':>30}")
    sums: list[Counter[str]] = [Counter(), Counter(), Counter()]
    for held in SETS:
        mine = [(d, ss) for d, ss in cv if d.set == held]
        counts = (measure(mine, None), measure(mine, t, u), measure([x for x in shipped if x[0].set == held], t, u))
        for acc, c in zip(sums, counts, strict=True):
            acc.update(c)
        print(f"{held:8} " + " ".join(f"{_fmt(c):>30}" for c in counts))
    print(f"{'total':8} " + " ".join(f"{_fmt(c):>30}" for c in sums))
    print("detect:", final.detect.table(3))
    print("speaker:", final.speaker.table(3))
    if args.write:
        write(final, len(docs))
    return 0


def write(model: SpeechModel, n_docs: int) -> None:
    lines = [
        "# The learned reported-speech model (kb/annotate/speakers/learned.py). Written by",
        "# scripts/fit_speakers.py from the speaker labels of corpus/eval/speakers/ named below;",
        "# rerun it, do not edit.",
        "version = 1",
        f'trained_on = "{n_docs} documents ({", ".join(SETS)}) of corpus/eval/speakers (l2 = {L2_DETECT}, {L2})"',
        f"threshold = {model.threshold}",
        f"speaker_threshold = {model.speaker_threshold}",
        "",
        "# is the sentence reported speech? (logistic; the sentence's features)",
        "[detect]",
        *(f"{k} = {v}" for k, v in model.detect.table(4).items()),
        "",
        "# whose? (a softmax over the candidates and none; a candidate's features)",
        "[speaker]",
        *(f"{k} = {v}" for k, v in model.speaker.table(4).items()),
        "",
        "# reporting-word vocabulary: token (English stem or Chinese character pair) -> log-odds",
        "[cues]",
        *(f"{json.dumps(k, ensure_ascii=False)} = {v}" for k, v in model.cues.items()),
        "",
    ]
    path = ROOT / "corpus" / MODEL_PATH
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
