"""Benchmark the full build: the manifest plus a folder (default: the whole corpus-scale).

With ``--no-source`` the manifest alone, and with ``--commentary DIR`` (repeatable) a folder of
added articles too: the default build with a few dozen articles, as ``kb ingest --commentary``::

    .venv/bin/python scripts/bench_ingest.py --no-source --commentary tests/fixtures/open_commentary_fresh8

Runs :func:`kb.pipeline.build` into a temporary database and prints wall time, peak
memory, database size, counts and warnings by kind::

    .venv/bin/python scripts/bench_ingest.py                 # corpus-scale, 2 workers
    .venv/bin/python scripts/bench_ingest.py --workers 1 --source /work/shared/corpus-scale/刑法
    .venv/bin/python scripts/bench_ingest.py --json

CPU seconds (this process, and its worker processes) tell more than wall time when
other programs share the machine; the load average at the end says how busy it was.
Peak memory is measured two ways: the largest sum of resident memory of this process
and all its children, sampled from ``/proc`` every 0.2 s (what the machine must hold),
and ``getrusage`` peaks of this process and of its largest child (a lower bound).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from kb.pipeline import build
from kb.settings import Settings, get_settings

# Warning kinds, first match wins: (kind, pattern).
WARNING_KINDS = (
    ("numbering gap", re.compile(r"article numbering gap")),
    ("numbering duplicate", re.compile(r"article numbering duplicate|article \S+ appears twice")),
    ("item or paragraph twice", re.compile(r"appears twice in")),
    ("heading twice", re.compile(r"heading \S+ appears twice")),
    ("point twice", re.compile(r"point \S+ appears twice")),
    ("no articles: kept as preamble", re.compile(r"no articles \(第X条\) or points")),
    ("text between heading and article", re.compile(r"between a heading and the next article")),
    ("unnumbered headings", re.compile(r"unnumbered heading")),
    ("skipped: unreadable or empty", re.compile(r": skipped: ")),
    ("skipped: already a manifest source", re.compile(r"already in the manifest")),
    ("skipped: same version as a manifest document", re.compile(r"the same version as manifest")),
    ("title differs", re.compile(r"title in text")),
    ("not UTF-8", re.compile(r"GB18030")),
    ("source may be truncated", re.compile(r"may be truncated")),
    ("commentary", re.compile(r"no title found|no date found|no author")),
)


def warning_kind(message: str) -> str:
    for kind, pattern in WARNING_KINDS:
        if pattern.search(message):
            return kind
    return "other"


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


class PeakSampler(threading.Thread):
    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_source = get_settings().source_root / "corpus-scale"
    parser.add_argument("--source", type=Path, default=default_source, help="folder to ingest with the manifest")
    parser.add_argument("--no-source", action="store_true", help="no folder of statutes: the manifest alone")
    parser.add_argument(
        "--commentary", type=Path, action="append", default=[], help="a folder of articles to add (repeatable)"
    )
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: up to 2)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the database at this path")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    # The build logs how long each phase took.
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    logging.getLogger("kb.pipeline").setLevel(logging.INFO)

    last = [0.0]

    def progress(what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 10 or done == total:
            last[0] = now
            print(f"  [{now - started:6.1f}s] {what}: {done}/{total}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        db = args.keep or Path(tmp) / "bench.sqlite"
        settings = Settings(database_url=f"sqlite:///{db.resolve()}", commentary_dirs=args.commentary)
        sampler = PeakSampler()
        sampler.start()
        started = time.monotonic()
        folders = [] if args.no_source else [args.source]
        report = build(settings, folders, progress=progress, workers=args.workers)
        wall = time.monotonic() - started
        sampler.stop()
        size = db.stat().st_size
    kib = 1024
    figures = {
        "source": "" if args.no_source else str(args.source),
        "commentary": [str(c) for c in args.commentary],
        "wall_seconds": round(wall, 1),
        "peak_rss_tree_mb": round(sampler.peak / kib / kib),
        "peak_rss_self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib),
        "peak_rss_largest_child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib),
        "cpu_self_seconds": round(_cpu(resource.RUSAGE_SELF), 1),
        "cpu_children_seconds": round(_cpu(resource.RUSAGE_CHILDREN), 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "database_mb": round(size / kib / kib, 1),
        "documents": report.documents,
        "documents_with_articles": sum(1 for d in report.per_document if d["articles"]),
        "provisions": report.provisions,
        "articles": report.articles,
        "annotations": report.annotations,
        "links": report.links,
        "passages": report.passages,
        "warnings": len(report.warnings),
        "warnings_by_kind": dict(Counter(warning_kind(w) for w in report.warnings).most_common()),
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"{key}:")
                for k, v in value.items():
                    print(f"  {v:>6}  {k}")
            else:
                print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
