"""Version alignment speed at Civil Code size (1,260 articles), as a figure, not a test.

    .venv/bin/python scripts/bench_align.py

Aligns the Civil Code with (a) a revision that drops 3% of articles and edits 7%, renumbered,
and (b) a revision where every article changed; prints seconds and the status counts.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import replace

from kb.ingest.manifest import load_manifest
from kb.ingest.sources import read_source
from kb.ingest.statute import parse_statute
from kb.link.versions import align_versions
from kb.settings import get_settings


def main() -> None:
    root = get_settings().source_root
    doc = next(d for d in load_manifest() if d.id == "civil-code-2020")
    parsed = parse_statute(doc, [read_source(root, s.path) for s in doc.sources])
    code = [p for p in parsed.provisions if p.level == "article"]
    rng = random.Random(7)
    revised = []
    for p in code:
        r = rng.random()
        if r < 0.03:
            continue
        if r < 0.10:
            at = rng.randrange(len(p.text))
            p = replace(p, text=p.text[:at] + "，法律、行政法规另有规定的除外" + p.text[at + 2 :])
        revised.append(p)
    revised = [replace(p, doc_id="civil-code-x", eid=f"art_{n}") for n, p in enumerate(revised, 1)]
    rewritten = [
        replace(p, text=p.text[: len(p.text) // 2] + "，但是当事人另有约定的除外" + p.text[len(p.text) // 2 + 2 :])
        for p in code
    ]
    for name, new in (("3% removed, 7% edited", revised), ("every article edited", rewritten)):
        started = time.perf_counter()
        alignments = align_versions(code, new)
        seconds = time.perf_counter() - started
        statuses = dict(Counter(a.status for a in alignments))
        print(f"{len(code)} -> {len(new)} articles ({name}): {seconds:.2f} s  {statuses}")


if __name__ == "__main__":
    main()
