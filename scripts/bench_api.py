"""Benchmark the API over real HTTP: latency of /search and /provisions, throughput, memory.

Starts ``kb serve`` on a free loopback port with a built database, measures, stops it.

    .venv/bin/python scripts/bench_api.py --db var/kb.sqlite
    .venv/bin/python scripts/bench_api.py --db /tmp/full.sqlite --queries corpus/eval/retrieval.jsonl --json

* latency: ``--requests`` sequential requests per endpoint over one keep-alive
  connection (after a short warm-up), reported as p50 / p95 / max in milliseconds;
  /search cycles through the query list (``--queries``: a text file with one query a
  line, or JSON Lines with a ``question`` field; default: ten short keyword queries),
  each query both as it is and restricted to provisions with 50 results;
* throughput: ``--clients`` concurrent clients (threads, one connection each) for
  ``--seconds``: once on /search alone, once on a mix of search and provision URLs;
  requests per second, and the CPU the Python clients spent themselves (on a 2-core
  machine they compete with the server); then /search again from ``wrk`` (a load
  generator in C, when installed: ``apt-get install wrk``) with as many connections;
* the ratio: /search throughput over the throughput of ``/api/v1/health`` (which does
  nothing but answer) on the same server in the same run, from the same clients: what a
  search costs over the framework's own overhead, a figure that the machine's load
  affects much less than either rate (issue 15's target: at least 0.25);
* memory: the resident set size of the server (its process tree), now and at its peak
  (VmHWM), after the runs;
* the same queries as plain FTS5 SQL in this process on the same database file (what
  search cost before ranking: every word, else any word, ``ORDER BY bm25`` top 20,
  joined to the units for their text): p50 / p95, and the API's p50 over it.

Everything stays on 127.0.0.1; the run is bounded by ``--requests``, ``--seconds`` and
``--max-requests``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEARCH_QUERIES = [
    "人脸识别",
    "个人信息 单独同意",
    "facial recognition",
    "consent of the individual",
    "公共场所 图像采集",
    "sensitive personal information",
    "未成年人",
    "public security video",
    "网络安全 等级保护",
    "biometric data",
]
PROVISION_DOCS = ["pipl-2021", "spc-frt-2021", "csl-2025", "civil-code-2020", "video-image-2025"]


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def load_queries(path: Path | None) -> list[str]:
    """The query list: ``path`` (text, one a line; or JSON Lines with ``question``), else the defaults."""
    if path is None:
        return list(SEARCH_QUERIES)
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.suffix == ".jsonl":
        return [str(json.loads(line)["question"]) for line in lines]
    return [line for line in lines if not line.startswith("#")]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "kb", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise SystemExit(f"kb serve exited with {proc.returncode}:\n{err[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"kb serve did not answer within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the session we started: uvicorn and its children only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def provision_urls(client: httpx.Client, limit: int) -> list[str]:
    """Article URLs from the tables of contents of a few documents, spread over them."""
    urls: list[str] = []
    for doc in PROVISION_DOCS:
        r = client.get(f"/api/v1/documents/{doc}")
        if r.status_code != 200:
            continue
        articles = [e for e in r.json()["toc"] if e["level"] == "article"]
        step = max(1, len(articles) // 40)
        urls.extend(f"/api/v1/provisions/{doc}/{e['eid']}" for e in articles[::step])
    if not urls:
        raise SystemExit("no provisions found: is the database built from the default corpus?")
    return urls[:limit] if limit else urls


def search_urls(queries: list[str]) -> list[str]:
    urls = []
    for q in queries:
        urls.append(str(httpx.URL("/api/v1/search", params={"q": q})))
        urls.append(str(httpx.URL("/api/v1/search", params={"q": q, "type": "provision", "limit": 50})))
    return urls


def measure(client: httpx.Client, urls: list[str], count: int) -> Sample:
    sample = Sample()
    for i in range(count):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        r = client.get(url)
        elapsed = time.perf_counter() - started
        if r.status_code != 200:
            sample.errors += 1
        sample.latencies.append(elapsed * 1000)
    return sample


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(sample: Sample) -> dict[str, Any]:
    lat = sample.latencies
    return {
        "requests": len(lat),
        "errors": sample.errors,
        "p50_ms": round(statistics.median(lat), 2),
        "p95_ms": round(percentile(lat, 95), 2),
        "max_ms": round(max(lat), 2),
        "mean_ms": round(statistics.fmean(lat), 2),
    }


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server's process tree has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def throughput(
    base: str, urls: list[str], clients: int, seconds: float, max_requests: int, server_pid: int | None = None
) -> dict[str, Any]:
    """Requests a second from ``clients`` threads; with ``server_pid``, also the server's CPU
    milliseconds per request (which the machine's load hardly changes: a steadier figure)."""
    server_cpu = server_cpu_seconds(server_pid) if server_pid else 0.0
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()
    budget = [max_requests]

    def worker(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30.0) as client:
            i = n
            while time.monotonic() < stop_at:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                r = client.get(urls[i % len(urls)])
                i += clients
                done[n] += 1
                if r.status_code != 200:
                    errors[n] += 1

    started, cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    total = sum(done)
    server_ms = (server_cpu_seconds(server_pid) - server_cpu) * 1000 / total if server_pid and total else None
    return {
        "server_cpu_ms_per_request": round(server_ms, 2) if server_ms is not None else None,
        "clients": clients,
        "requests": total,
        "errors": sum(errors),
        "seconds": round(elapsed, 2),
        "client_cpu_seconds": round(cpu, 2),
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
    }


def throughput_wrk(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, Any] | None:
    """The same URLs from ``wrk`` (a load generator in C; None when it is not installed).

    The Python clients of :func:`throughput` spend CPU of their own on this 2-core
    machine (``client_cpu_seconds``); wrk spends little, so the two figures bracket what
    the server does when its clients are elsewhere.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    paths = ", ".join(json.dumps(u) for u in urls)
    script = (
        f"local urls = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', urls[(i % #urls) + 1])\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        threads = max(1, min(2, clients))
        cmd = [wrk, f"-t{threads}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", fh.name, base]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(fh.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "clients": clients,
        "requests": int(total.group(1)) if total else 0,
        "errors": (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in errors.groups()) if errors else 0),
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
    }


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def server_memory(pid: int) -> dict[str, float]:
    """Resident set size of the server's process tree, now and at peak, in MB; and now, its private
    part (``RssAnon``: what the workers allocated) apart from mapped files (``RssFile``: the
    database file's pages, which SQLite maps, are the OS's file cache, shared and reclaimable)."""
    fields = {"VmRSS:": 0, "VmHWM:": 0, "RssAnon:": 0, "RssFile:": 0}
    for p in _tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            key = line.split(maxsplit=1)[0] if line else ""
            if key in fields:
                fields[key] += int(line.split()[1])
    mb = {k: round(v / 1024, 1) for k, v in fields.items()}
    return {
        "rss_mb": mb["VmRSS:"],
        "peak_rss_mb": mb["VmHWM:"],
        "private_mb": mb["RssAnon:"],
        "file_mb": mb["RssFile:"],
    }


def raw_fts(db: Path, queries: list[str], count: int) -> Sample:
    """The queries as plain FTS5 SQL on the same file: every word, else any; bm25 top 20."""
    import sqlite3

    from kb.search.fts import match_expression
    from kb.store.fts_schema import FTS_TABLE

    sql = (
        f"SELECT su.id, su.text, f.rank FROM (SELECT rowid, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH ? ORDER BY rank LIMIT 20) AS f JOIN search_units su ON su.rowid = f.rowid "
        "ORDER BY f.rank"
    )
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    expressions = [(match_expression(q, "all"), match_expression(q, "any")) for q in queries]
    sample = Sample()
    try:
        for i in range(count + 10):
            every, any_word = expressions[i % len(expressions)]
            started = time.perf_counter()
            rows = conn.execute(sql, (every,)).fetchall() if every else []
            if not rows and any_word:
                rows = conn.execute(sql, (any_word,)).fetchall()
            if i >= 10:  # the first ten warm the page cache
                sample.latencies.append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    return sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, type=Path, help="a database built by `kb ingest`")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per endpoint (default 200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for throughput (default 4)")
    parser.add_argument("--seconds", type=float, default=15.0, help="throughput run length (default 15)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="throughput request cap (default 20000)")
    parser.add_argument("--queries", type=Path, help="search queries: text (one a line) or JSON Lines (question)")
    parser.add_argument("--workers", type=int, help="uvicorn worker processes (default: kb serve's, one per core)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    db = args.db.expanduser().resolve()
    if not db.exists():
        parser.error(f"no database at {db}: run `kb ingest --db {db}` first")
    queries = load_queries(args.queries)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if args.workers is None:  # kb serve's own default
        from kb.cli import SERVE_WORKERS
        from kb.pipeline.parallel import default_workers

        args.workers = default_workers(SERVE_WORKERS)
    proc = start_server(db, port, args.workers)
    try:
        wait_until_up(base, proc)
        with httpx.Client(base_url=base, timeout=30.0) as client:
            prov = provision_urls(client, 0)
            search = search_urls(queries)
            measure(client, search + prov, 30)  # warm-up: caches, connection, allocator
            results: dict[str, Any] = {
                "database": str(db),
                "queries": len(queries),
                "workers": args.workers,
                "search": summary(measure(client, search, args.requests)),
                "provision": summary(measure(client, prov, args.requests)),
            }
        # /health before and after /search: the machine's load drifts; the ratio uses their mean.
        health = ["/api/v1/health"]
        pid = proc.pid
        results["throughput_health"] = throughput(base, health, args.clients, args.seconds, args.max_requests, pid)
        results["throughput_search"] = throughput(base, search, args.clients, args.seconds, args.max_requests, pid)
        after = throughput(base, health, args.clients, args.seconds, args.max_requests, pid)
        results["throughput_health_after"] = after
        health_rate = (results["throughput_health"]["requests_per_second"] + after["requests_per_second"]) / 2
        search_rate = results["throughput_search"]["requests_per_second"]
        results["search_over_health"] = round(search_rate / health_rate, 3) if health_rate else None
        cpu_health = (
            results["throughput_health"]["server_cpu_ms_per_request"] + after["server_cpu_ms_per_request"]
        ) / 2
        cpu_search = results["throughput_search"]["server_cpu_ms_per_request"]
        results["search_over_health_by_cpu"] = round(cpu_health / cpu_search, 3) if cpu_search else None
        results["throughput"] = throughput(base, search + prov, args.clients, args.seconds, args.max_requests)
        results["throughput_search_wrk"] = throughput_wrk(base, search, args.clients, args.seconds)
        results["server_memory"] = server_memory(proc.pid)
    finally:
        stop_server(proc)
    # Plain FTS5 over the same URLs' queries (each twice in /search: as is, and provisions only).
    raw = summary(raw_fts(db, [q for q in queries for _ in range(2)], args.requests))
    results["raw_fts5"] = raw
    results["search_over_raw_p50"] = round(results["search"]["p50_ms"] / raw["p50_ms"], 1) if raw["p50_ms"] else None
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"database {results['database']} · {results['queries']} queries · {results['workers']} worker(s)")
        for name in ("search", "provision", "raw_fts5"):
            s = results[name]
            print(
                f"{name:<10} {s['requests']:>5} requests  p50 {s['p50_ms']:>7.2f} ms  p95 {s['p95_ms']:>7.2f} ms  "
                f"max {s['max_ms']:>7.2f} ms  errors {s['errors']}"
            )
        print(f"search p50 / raw FTS5 p50: {results['search_over_raw_p50']}x")
        for name in ("throughput_health", "throughput_search", "throughput_health_after", "throughput"):
            t = results[name]
            print(
                f"{name:<17} {t['clients']} clients: {t['requests']} requests in {t['seconds']} s = "
                f"{t['requests_per_second']} req/s, errors {t['errors']} (the Python clients used "
                f"{t['client_cpu_seconds']} s of CPU; the server {t.get('server_cpu_ms_per_request')} ms a request)"
            )
        print(f"search throughput / health throughput: {results['search_over_health']} (target >= 0.25)")
        print(f"health's server CPU per request / search's: {results['search_over_health_by_cpu']}")
        w = results["throughput_search_wrk"]
        if w is None:
            print("throughput_search_wrk: wrk is not installed (apt-get install wrk)")
        else:
            print(
                f"throughput_search_wrk {w['clients']} connections: {w['requests']} requests = "
                f"{w['requests_per_second']} req/s, errors {w['errors']}"
            )
        m = results["server_memory"]
        print(
            f"server RSS {m['rss_mb']} MB (peak {m['peak_rss_mb']} MB): private {m['private_mb']} MB, "
            f"mapped files {m['file_mb']} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
