"""How well quotations and reported speech are found and attributed, on blind labels.

Labels: ``corpus/eval/speakers/<set>.jsonl`` (see its README), one record per quotation,
reported-speech sentence or transcript turn of a fixture folder's articles, with the
speaker's name (``""`` when unnamed) and role. The articles are read exactly as
``kb ingest --commentary`` reads them, and annotated by the same functions the build uses
(English or Chinese by the document's language).

Printed per document and in total:

* **found**: labelled items with an annotation of the same kind overlapping them
  (a quote or turn by a ``quote`` annotation, a reported sentence by ``reported_speech``);
* **speaker right**: of those found, the ones whose speaker is right: a named speaker's
  name matches (either contains the other, case-folded: "Rao" for "Rao Kaiming"); an
  unnamed speaker is right when the annotation names nobody and gives a role that shares
  a word (or, in Chinese, two characters) with the labelled role;
* **extra**: annotations that overlap no labelled item (precision's complement).

    python scripts/measure_speakers.py --set fresh4 [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))
from split_claims import FIXTURE_SETS, SPENT_SETS  # noqa: E402

from kb.annotate.speakers import find_quotes, find_reported_speech  # noqa: E402
from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh, is_chinese_document  # noqa: E402
from kb.ingest.manifest import load_manifest  # noqa: E402
from kb.ingest.userdocs import load_user_commentary  # noqa: E402
from kb.model import Annotation, DocumentMeta, Passage  # noqa: E402

LABELS = ROOT / "corpus" / "eval" / "speakers"
# The labelled sets' article folders (one list, in split_claims) that have speaker labels.
FOLDERS = {f.name: f.folder for f in FIXTURE_SETS if (LABELS / f"{f.name}.jsonl").exists()}


def _squash(text: str) -> str:
    """The text without spaces, quote marks and Markdown's emphasis stars: a label quotes the
    raw file (``**Hannah Okafor** is …``), an annotation the text as read (``Hannah Okafor is …``)."""
    return re.sub(r"[\s\"“”「」『』‘’'*]", "", text)


def _overlaps(a: str, b: str) -> bool:
    a, b = _squash(a), _squash(b)
    return bool(a and b) and (a in b or b in a)


def _same_name(got: str, want: str) -> bool:
    got, want = got.casefold().strip(), want.casefold().strip()
    return bool(got and want) and (got in want or want in got)


def _role_agrees(got: str | None, want: str) -> bool:
    if not got or not want:
        return False
    if re.search(r"[\u4e00-\u9fff]", want):
        pairs = {want[k : k + 2] for k in range(len(want) - 1)}
        return any(p in got for p in pairs)
    stop = {"a", "an", "the", "of", "at", "in", "for", "who", "and", "one"}
    words = {w for w in re.findall(r"[a-z]+", want.casefold()) if w not in stop}
    return bool(words & set(re.findall(r"[a-z]+", got.casefold())))


def annotate(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Quotations and reported speech, as the build finds them (kb.pipeline.enrich)."""
    if is_chinese_document(passages, meta):
        return [*find_quotes_zh(passages, meta), *find_reported_speech_zh(passages, meta)]
    return [*find_quotes(passages, meta), *find_reported_speech(passages, meta)]


def score(mine: Sequence[dict[str, str]], anns: Sequence[Annotation], *, verbose: bool = False) -> Counter[str]:
    """One document's counts: items, found, right, extra, annotations (as the module says)."""
    used: set[int] = set()
    c: Counter[str] = Counter()
    for r in mine:
        kind = "reported_speech" if r["kind"] == "reported" else "quote"
        hit = next((k for k, a in enumerate(anns) if a.kind == kind and _overlaps(a.text, r["text"])), None)
        c["items"] += 1
        if hit is None:
            if verbose:
                print(f"    missed {r['kind']}: {r['text'][:70]}")
            continue
        used.add(hit)
        a = anns[hit]
        c["found"] += 1
        right = speaker_right(r, a)
        c["right"] += right
        if not right and verbose:
            got = f"{a.label!r}/{a.data.get('role')!r}"
            print(f"    wrong {r['kind']}: got {got}, want {r['speaker']!r}/{r['role']!r}")
    extra = [a for k, a in enumerate(anns) if k not in used and not any(_overlaps(a.text, r["text"]) for r in mine)]
    c["extra"] += len(extra)
    c["annotations"] += len(anns)
    if verbose:
        for a in extra:
            print(f"    extra {a.kind}: {a.label!r} {a.text[:60]}")
    return c


def speaker_right(r: Mapping[str, str], a: Annotation) -> bool:
    """Whether annotation ``a`` gives labelled record ``r``'s speaker."""
    name = a.data.get("speaker") or ""
    if r["speaker"]:
        return _same_name(str(name) or a.label, r["speaker"])
    if not r["role"]:  # nobody named or described (据了解): right when we name nobody either
        return not name and not a.data.get("role")
    return not name and _role_agrees(a.data.get("role") or a.label, r["role"])


def measure(name: str, *, verbose: bool = False, quiet: bool = False) -> Counter[str]:
    """One labelled set's totals (per document printed unless ``quiet``)."""
    labels = [json.loads(x) for x in (LABELS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x]
    docs = {d.meta.id: d for d in load_user_commentary([FOLDERS[name]], load_manifest())}
    totals: Counter[str] = Counter()
    if not quiet:
        print(f"{'document':34} {'found':>7} {'speaker':>8} {'extra':>6}")
    for doc_id in sorted({r["doc"] for r in labels} | set(docs)):
        doc = docs[doc_id]
        anns = annotate(doc.parsed.passages, doc.meta)
        mine = [r for r in labels if r["doc"] == doc_id]
        if verbose and quiet:
            print(f"  {doc_id}")
        c = score(mine, anns, verbose=verbose)
        totals.update(c)
        if not quiet:
            print(f"{doc_id:34} {c['found']:>3}/{c['items']:<3} {c['right']:>4}/{c['found']:<3} {c['extra']:>4}")
    return totals


def _line(name: str, t: Counter[str]) -> str:
    return (
        f"{name}: found {t['found']}/{t['items']}, speaker right {t['right']}/{t['found']}, "
        f"extra annotations {t['extra']}/{t['annotations']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(FOLDERS), default="fresh4")
    parser.add_argument("--spent", action="store_true", help="every spent labelled set, one line each, and the sum")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not args.spent:
        print(_line(args.set, measure(args.set, verbose=args.verbose)))
        return 0
    total: Counter[str] = Counter()
    for name in SPENT_SETS:  # never the held-out sets
        if name in FOLDERS:
            t = measure(name, verbose=args.verbose, quiet=True)
            total.update(t)
            print(_line(name, t), flush=True)
    print(_line("sum", total))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
