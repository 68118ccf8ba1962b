"""Benchmark the API over real HTTP: latency of /search and /provisions, and throughput.

Starts ``kb serve`` on a free loopback port with a built database, measures, stops it.

    .venv/bin/python scripts/bench_api.py --db var/kb.sqlite
    .venv/bin/python scripts/bench_api.py --db /tmp/kb.sqlite --requests 200 --seconds 10 --json

* latency: ``--requests`` sequential requests per endpoint over one keep-alive
  connection (after a short warm-up), reported as p50 / p95 / max in milliseconds;
* throughput: ``--clients`` concurrent clients (threads, one connection each) cycling
  through a mix of search and provision URLs for ``--seconds``; requests per second.

Everything stays on 127.0.0.1; the run is bounded by ``--requests`` and ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

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


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "kb", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
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


def search_urls() -> list[str]:
    urls = []
    for q in SEARCH_QUERIES:
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


def throughput(base: str, urls: list[str], clients: int, seconds: float, max_requests: int) -> dict[str, Any]:
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

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    total = sum(done)
    return {
        "clients": clients,
        "requests": total,
        "errors": sum(errors),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, type=Path, help="a database built by `kb ingest`")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per endpoint (default 200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for throughput (default 4)")
    parser.add_argument("--seconds", type=float, default=15.0, help="throughput run length (default 15)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="throughput request cap (default 20000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    db = args.db.expanduser().resolve()
    if not db.exists():
        parser.error(f"no database at {db}: run `kb ingest --db {db}` first")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db, port)
    try:
        wait_until_up(base, proc)
        with httpx.Client(base_url=base, timeout=30.0) as client:
            prov = provision_urls(client, 0)
            search = search_urls()
            measure(client, search + prov, 30)  # warm-up: caches, connection, allocator
            results: dict[str, Any] = {
                "database": str(db),
                "search": summary(measure(client, search, args.requests)),
                "provision": summary(measure(client, prov, args.requests)),
            }
        results["throughput"] = throughput(base, search + prov, args.clients, args.seconds, args.max_requests)
    finally:
        stop_server(proc)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"database {results['database']}")
        for name in ("search", "provision"):
            s = results[name]
            print(
                f"{name:<10} {s['requests']:>5} requests  p50 {s['p50_ms']:>7.2f} ms  p95 {s['p95_ms']:>7.2f} ms  "
                f"max {s['max_ms']:>7.2f} ms  errors {s['errors']}"
            )
        t = results["throughput"]
        print(
            f"throughput {t['clients']} clients: {t['requests']} requests in {t['seconds']} s = "
            f"{t['requests_per_second']} req/s, errors {t['errors']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
