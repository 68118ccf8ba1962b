"""Compare HTML main-content extractors on the HTML fixtures of ``tests/fixtures/open_commentary``.

For each extractor and file: labelled sentences (``corpus/eval/claims/fixtures.jsonl``) found
in the extracted text (recall of the article), furniture strings of
``corpus/eval/claims/fixture_docs.jsonl`` found in it (leaks), and the time taken. Extractors:

* ``trafilatura-kb``: what ``kb.ingest.html`` runs (precision mode, no comments, unsafe
  elements removed first), then the furniture filter of ``kb.ingest.userdocs``: the
  passages the build keeps;
* ``trafilatura-default``: ``trafilatura.extract`` with its defaults (comments included);
* ``trafilatura-recall``: ``favor_recall=True``, no comments;
* ``justext``: jusText paragraphs classified good (English stoplist; it has no Chinese one);
* ``readability``: readability-lxml's ``Document.summary()`` (only if importable, e.g.
  ``pip install --target DIR readability-lxml`` and ``--extra-path DIR``; not a dependency);
* ``text-cleaner``: the page's visible text (lxml, one block per element) through the
  plain-text capture cleaner ``kb.ingest.commentary``: our hand rules, for comparison.

    python scripts/bench_html_extract.py [--split dev] [--extra-path DIR]
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "open_commentary"
CLAIMS = ROOT / "corpus" / "eval" / "claims"
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "header",
               "footer", "nav", "aside", "blockquote", "ul", "ol", "title", "time", "span")  # fmt: skip


def _squash(text: str) -> str:
    return "".join(html.unescape(text).split())


def kb_pipeline(source: str, path: str) -> str:
    from kb.ingest.manifest import load_manifest
    from kb.ingest.userdocs import UserFile, parse_user_file

    file = UserFile(FIXTURES, path, "html", Path(path).stem, path)
    known = frozenset(d.id for d in load_manifest()) | {file.doc_id}
    return "\n\n".join(p.text for p in parse_user_file(file, known).parsed.passages)


def trafilatura_default(source: str, path: str) -> str:
    import trafilatura

    return trafilatura.extract(source) or ""


def trafilatura_recall(source: str, path: str) -> str:
    import trafilatura

    return trafilatura.extract(source, favor_recall=True, include_comments=False) or ""


def justext_good(source: str, path: str) -> str:
    import justext

    paragraphs = justext.justext(source.encode("utf-8"), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def readability_summary(source: str, path: str) -> str:
    import lxml.html
    from readability import Document  # type: ignore[import-not-found]

    return str(lxml.html.fromstring(Document(source).summary()).text_content())


def text_cleaner(source: str, path: str) -> str:
    import lxml.html

    from kb.ingest.commentary import parse_commentary
    from kb.model import DocumentMeta

    root = lxml.html.document_fromstring(source)
    for bad in root.iter("script", "style", "noscript", "iframe", "template"):
        bad.drop_tree()
    for node in root.iter(*_BLOCK_TAGS):
        node.tail = "\n" + (node.tail or "")
        node.text = "\n" + (node.text or "")
    text = "\n".join(line.strip() for line in root.text_content().splitlines())
    parsed = parse_commentary(DocumentMeta(id="x", kind="commentary"), text, path)
    return "\n\n".join(p.text for p in parsed.passages)


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "trafilatura-kb": kb_pipeline,
    "trafilatura-default": trafilatura_default,
    "trafilatura-recall": trafilatura_recall,
    "justext": justext_good,
    "readability": readability_summary,
    "text-cleaner": text_cleaner,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="append", choices=("dev", "heldout"))
    parser.add_argument("--extra-path", type=Path, help="a folder to import readability from")
    args = parser.parse_args()
    if args.extra_path:
        sys.path.append(str(args.extra_path))
    splits = set(args.split or ("dev", "heldout"))
    docs = [d for d in map(json.loads, (CLAIMS / "fixture_docs.jsonl").read_text().splitlines()) if d]
    docs = [d for d in docs if d["format"] == "html" and d["split"] in splits]
    sentences: dict[str, list[str]] = defaultdict(list)
    for line in (CLAIMS / "fixtures.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            sentences[rec["doc"]].append(rec["sentence"])
    print(f"{'extractor':20} {'document':28} {'split':8} {'sentences':>10} {'leaks':>7} {'ms':>6}")
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    for name, extract in EXTRACTORS.items():
        for d in docs:
            source = (FIXTURES / d["file"]).read_text(encoding="utf-8")
            started = time.perf_counter()
            try:
                text = _squash(extract(source, d["file"]))
            except ImportError:
                print(f"{name:20} not installed")
                break
            ms = (time.perf_counter() - started) * 1000
            found = sum(_squash(s) in text for s in sentences[d["id"]])
            leaks = sum(_squash(f) in text for f in d["furniture"])
            t = totals[(name, d["split"])]
            t[0] += found
            t[1] += len(sentences[d["id"]])
            t[2] += leaks
            t[3] += len(d["furniture"])
            t[4] += ms
            print(
                f"{name:20} {d['id'][:28]:28} {d['split']:8} {found:>4}/{len(sentences[d['id']]):<5}"
                f" {leaks:>3}/{len(d['furniture']):<3} {ms:>6.0f}"
            )
    print()
    for (name, split), (found, total, leaks, furniture, ms) in sorted(totals.items()):
        print(
            f"{name:20} {split:8} sentences {int(found)}/{int(total)}  leaks {int(leaks)}/{int(furniture)}  {ms:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
