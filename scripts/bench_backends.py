"""Search latency on SQLite and on PostgreSQL, side by side, over the same content.

Both databases must hold the same build (``kb ingest --db var/kb.sqlite`` and
``kb ingest --db postgresql+psycopg://...``); the script checks that their content
digests agree, then measures for each:

* in-process: ``kb.search.search`` over a fixed query list, ``--rounds`` times;
* over HTTP: ``kb serve`` on a free 127.0.0.1 port (``--workers`` processes), the same
  queries as ``/api/v1/search`` requests over one keep-alive connection, then
  ``--clients`` concurrent clients for ``--seconds`` (at most ``--max-requests``).

    eval "$(bash scripts/ci_postgres.sh)"
    .venv/bin/python scripts/bench_backends.py --sqlite var/kb.sqlite --pg "$KB_TEST_PG_URL"
    .venv/bin/python scripts/bench_backends.py --sqlite var/kb.sqlite --pg "$KB_TEST_PG_URL" --build

``--build`` first builds the default corpus into both. Everything stays on 127.0.0.1
(or the PostgreSQL host you name) and every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from bench_api import SEARCH_QUERIES, free_port, percentile, stop_server, throughput, wait_until_up

from kb.search import search, warm_up
from kb.settings import Settings, database_url_from
from kb.store.reader import open_reader
from kb.store.verify import content_digest

# The API's own list, plus filtered and fallback queries.
QUERIES: list[dict[str, Any]] = [
    *({"q": q} for q in SEARCH_QUERIES),
    {"q": "consent", "type": "passage"},
    {"q": "个人信息", "lang": "zh", "limit": 50},
    {"q": "facial recognition", "lang": "en", "limit": 50},
    {"q": "personal information processor"},  # no unit has all three: falls back to any
    {"q": "应当"},  # a very common word: ranking a thousand rows
]


def stats(latencies_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(latencies_ms),
        "p50_ms": round(statistics.median(latencies_ms), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
        "max_ms": round(max(latencies_ms), 2),
    }


def in_process(url: str, rounds: int) -> dict[str, float]:
    with open_reader(Settings(database_url=url)) as reader:
        warm_up(reader)
        for params in QUERIES:  # warm caches and connections
            search(reader, **params)
        latencies = []
        for _ in range(rounds):
            for params in QUERIES:
                started = time.perf_counter()
                search(reader, **params)
                latencies.append((time.perf_counter() - started) * 1000)
    return stats(latencies)


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "kb", "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def over_http(url: str, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(url, port, args.workers)
    try:
        wait_until_up(base, proc)
        urls = [str(httpx.URL("/api/v1/search", params=p)) for p in QUERIES]
        latencies = []
        with httpx.Client(base_url=base, timeout=30.0) as client:
            for u in urls:  # warm-up
                client.get(u)
            for _ in range(args.rounds):
                for u in urls:
                    started = time.perf_counter()
                    r = client.get(u)
                    latencies.append((time.perf_counter() - started) * 1000)
                    if r.status_code != 200:
                        raise SystemExit(f"{u}: HTTP {r.status_code}: {r.text[:300]}")
        result: dict[str, Any] = {"sequential": stats(latencies)}
        if args.seconds > 0:
            result["throughput"] = throughput(base, urls, args.clients, args.seconds, args.max_requests)
        return result
    finally:
        stop_server(proc)  # SIGTERM to the session we started, SIGKILL after 10 s


def digest(url: str) -> str:
    # Sorting every row of a full-corpus database takes longer than the API's query limit.
    with open_reader(Settings(database_url=url, query_timeout_seconds=600)) as reader:
        return content_digest(reader.engine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sqlite", required=True, type=Path, help="a SQLite database built by `kb ingest`")
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL (postgresql+psycopg://...) built by `kb ingest`")
    parser.add_argument("--build", action="store_true", help="build the default corpus into both first")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query list (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="kb serve --workers (default 1)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (default 4)")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput run length; 0 skips it (default 10)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="throughput request cap (default 20000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    backends = {"sqlite": database_url_from(str(args.sqlite)), "postgresql": args.pg}
    if args.build:
        from kb.pipeline import build

        for url in backends.values():
            build(Settings(database_url=url))
    digests = {name: digest(url) for name, url in backends.items()}
    if len(set(digests.values())) != 1:
        raise SystemExit(f"the databases hold different content: {digests}")
    results: dict[str, Any] = {"queries": len(QUERIES), "content_digest": digests["sqlite"][:16]}
    for name, url in backends.items():
        results[name] = {"in_process": in_process(url, args.rounds), "http": over_http(url, args)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{len(QUERIES)} queries x {args.rounds} rounds; same content (digest {results['content_digest']})")
    print(f"{'':<28}{'sqlite':>16}{'postgresql':>16}")
    rows = [
        ("in-process p50 ms", "in_process", "p50_ms"),
        ("in-process p95 ms", "in_process", "p95_ms"),
        ("HTTP p50 ms", "sequential", "p50_ms"),
        ("HTTP p95 ms", "sequential", "p95_ms"),
    ]
    for label, part, key in rows:
        values = [
            results[n]["in_process"][key] if part == "in_process" else results[n]["http"][part][key] for n in backends
        ]
        print(f"{label:<28}" + "".join(f"{v:>16.2f}" for v in values))
    if args.seconds > 0:
        label = f"HTTP req/s ({args.clients} clients, {args.workers} worker{'s' if args.workers > 1 else ''})"
        values = [results[n]["http"]["throughput"]["requests_per_second"] for n in backends]
        print(f"{label:<28}" + "".join(f"{v:>16.1f}" for v in values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
