#!/usr/bin/env python3
"""Soak test: ``kb serve`` under N concurrent clients for T seconds.

Starts the server on a free loopback port (127.0.0.1 only), waits until it answers,
drives it with a mix of API requests (search, a provision, a graph, the document
list), then stops it and reports errors, latency percentiles, throughput and the
server's memory (VmRSS at start and end, VmHWM peak, from /proc). Exits 1 on any
error (a status other than 200, a body that is not JSON, a timeout, a dropped
connection), 2 when the server cannot be started.

    .venv/bin/python scripts/soak.py --db var/kb.sqlite --clients 16 --seconds 60
    .venv/bin/python scripts/soak.py --seconds 30 --json > soak.json

The clients are threads with one keep-alive connection each (stdlib ``http.client``);
they share the machine with the server, so the figures are an upper bound on latency
for this hardware, not a benchmark of the server alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["Endpoint", "main", "percentile", "soak"]

HOST = "127.0.0.1"  # never another interface
MAX_SECONDS = 600
MAX_CLIENTS = 256
REQUEST_TIMEOUT = 30.0

# Search terms in both languages, single words and phrases, some with FTS syntax that
# must be treated as text.
SEARCH_TERMS = (
    "人脸信息",
    "单独同意",
    "个人信息处理者",
    "公共场所 图像采集",
    "敏感个人信息",
    "facial recognition",
    "consent",
    "minors guardian",
    "surveillance cameras",
    'face "NEAR(',
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    weight: int
    paths: tuple[str, ...]


ENDPOINTS = (
    Endpoint("search", 40, tuple(f"/api/v1/search?q={quote(t)}" for t in SEARCH_TERMS)),
    Endpoint("provision", 25, ("/api/v1/provisions/pipl-2021/art_13",)),
    Endpoint("graph", 15, ("/api/v1/graph?node=pipl-2021/art_13&depth=2",)),
    Endpoint("documents", 20, ("/api/v1/documents",)),
)


@dataclass
class Tally:
    """What the clients saw; each client keeps its own, merged at the end."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def merge(self, other: Tally) -> None:
        for name, values in other.latencies.items():
            self.latencies[name].extend(values)
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])
        self.error_count += other.error_count


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (``q`` in 0..100); 0.0 for no values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    >>> percentile([5.0], 99)
    5.0
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def memory_kb(pid: int, key: str) -> int | None:
    """``VmRSS`` / ``VmHWM`` of a process in kB, from /proc (None when gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def kb_command() -> list[str]:
    """The ``kb`` next to this interpreter (the venv's), else ``python -m kb``."""
    beside = Path(sys.executable).with_name("kb")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "kb"]


def start_server(db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    argv = [*kb_command(), "serve", "--db", db, "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float) -> str | None:
    """None once the server answers /api/v1/documents with 200; else why not."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"the server exited with status {proc.returncode}"
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/documents")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return None
            last = f"/api/v1/documents answered {resp.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.25)
    return f"not ready after {timeout:.0f} s ({last})"


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- the clients


def client(port: int, stop: threading.Event, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    names = [e for e in ENDPOINTS for _ in range(e.weight)]
    conn: http.client.HTTPConnection | None = None
    while not stop.is_set():
        endpoint = rng.choice(names)
        path = rng.choice(endpoint.paths)
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            body = resp.read()
            elapsed = time.perf_counter() - started
            problem = None
            if resp.status != 200:
                problem = f"{resp.status} {body[:200]!r}"
            else:
                try:
                    json.loads(body)
                except ValueError:
                    problem = f"200 but not JSON: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            elapsed = time.perf_counter() - started
            problem = f"{type(exc).__name__}: {exc}"
            if conn is not None:
                conn.close()
            conn = None  # reconnect
        if problem is None:
            tally.latencies[endpoint.name].append(elapsed)
        else:
            tally.error_count += 1
            if len(tally.errors) < 20:
                tally.errors.append(f"GET {path}: {problem}")
    if conn is not None:
        conn.close()


def soak(port: int, clients: int, seconds: float, seed: int) -> tuple[Tally, float]:
    """Drive the server; returns what was seen and the wall time it took."""
    stop = threading.Event()
    tallies = [Tally() for _ in range(clients)]
    threads = [
        threading.Thread(target=client, args=(port, stop, seed + i, tallies[i]), daemon=True) for i in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=REQUEST_TIMEOUT + 5)
    wall = time.monotonic() - started
    total = Tally()
    for seen in tallies:
        total.merge(seen)
    hung = sum(t.is_alive() for t in threads)
    if hung:
        total.error_count += hung
        total.errors.append(f"{hung} clients still waiting for an answer after the run")
    return total, wall


# ---------------------------------------------------------------- the report


def summary(tally: Tally, wall: float, rss: dict[str, int | None], args: argparse.Namespace) -> dict[str, Any]:
    every = [v for values in tally.latencies.values() for v in values]

    def stats(values: list[float]) -> dict[str, Any]:
        return {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values, default=0.0) * 1000, 1),
        }

    return {
        "clients": args.clients,
        "seconds": round(wall, 1),
        "ok_requests": len(every),
        "errors": tally.error_count,
        "throughput_rps": round(len(every) / wall, 1) if wall else 0.0,
        "latency": stats(every),
        "per_endpoint": {name: stats(values) for name, values in sorted(tally.latencies.items())},
        "server_rss_kb": rss,
        "error_samples": tally.errors,
    }


def print_summary(report: dict[str, Any]) -> None:
    lat = report["latency"]
    rss = report["server_rss_kb"]
    print(
        f"{report['clients']} clients x {report['seconds']} s: {report['ok_requests']} ok, "
        f"{report['errors']} errors, {report['throughput_rps']} req/s"
    )
    print(f"latency ms  p50 {lat['p50_ms']}  p95 {lat['p95_ms']}  p99 {lat['p99_ms']}  max {lat['max_ms']}")
    for name, s in report["per_endpoint"].items():
        print(f"  {name:<10} {s['requests']:>7}  p50 {s['p50_ms']:>7}  p95 {s['p95_ms']:>7}  p99 {s['p99_ms']:>7}")
    print(f"server RSS kB  start {rss['start']}  end {rss['end']}  peak {rss['peak']}")
    for e in report["error_samples"]:
        print(f"error: {e}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", default=None, help="database file (default: the settings' database)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60.0, help=f"duration, at most {MAX_SECONDS} (default 60)")
    parser.add_argument("--startup-timeout", type=float, default=120.0, help="seconds to wait for the server")
    parser.add_argument("--seed", type=int, default=0, help="seed of the request mix")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    return args


def default_db() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kb.settings import get_settings

    path = get_settings().sqlite_path
    if path is None:
        return get_settings().database_url
    return str(path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = args.db or default_db()
    if "://" not in db and not Path(db).is_file():
        print(f"error: no database at {db}: run `kb ingest` first", file=sys.stderr)
        return 2
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kb-soak-") as tmp:
        log = Path(tmp) / "server.log"
        proc = start_server(db, port, log)
        try:
            why = wait_ready(proc, port, args.startup_timeout)
            if why is not None:
                tail = log.read_text(errors="replace")[-3000:]
                print(f"error: kb serve on {HOST}:{port}: {why}\n{tail}", file=sys.stderr)
                return 2
            rss_start = memory_kb(proc.pid, "VmRSS")
            tally, wall = soak(port, args.clients, args.seconds, args.seed)
            rss = {"start": rss_start, "end": memory_kb(proc.pid, "VmRSS"), "peak": memory_kb(proc.pid, "VmHWM")}
            if proc.poll() is not None:
                tally.error_count += 1
                tally.errors.append(f"the server died during the run (status {proc.returncode})")
        finally:
            stop_server(proc)
    report = summary(tally, wall, rss, args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_summary(report)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
