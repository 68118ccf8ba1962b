"""Benchmark the MCP server: the latency of each tool, over stdio and over streamable HTTP.

Launches ``kb mcp --db DB`` through the MCP SDK's stdio client, and ``kb serve --db DB``
on a free loopback port for ``/mcp``; connects the SDK's client to each, warms up, then
calls every tool ``--calls`` times with the arguments below and prints p50 / p95 / max in
milliseconds per tool and transport (and the time to connect, which includes starting
the server for stdio).

    .venv/bin/python scripts/bench_mcp.py --db var/kb.sqlite
    .venv/bin/python scripts/bench_mcp.py --db var/kb.sqlite --calls 50 --json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parent.parent

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("search", {"q": "人脸识别 单独同意", "limit": 10}),
    ("search", {"q": "facial recognition consent", "limit": 10}),
    ("get_provision", {"id": "pipl-2021/art_13"}),
    ("get_provision", {"id": "csl-2025/art_43", "as_of": "2019-06-01"}),
    ("resolve_citations", {"text": "Article 41 of the Cybersecurity Law and PIPL arts. 28-29", "date": "2019"}),
    ("cite", {"id": "csl-2016/art_41", "format": "bibtex"}),
    ("compare_versions", {"from": "csl-2016", "to": "csl-2025"}),
    ("provision_history", {"id": "minors-protection-2020/art_9"}),
    ("topic_viewpoints", {"topic": "consent"}),
]


def _label(tool: str, args: dict[str, Any]) -> str:
    return f"{tool}({', '.join(f'{k}={v!r}' for k, v in args.items())})"[:70]


async def _run(client: Client, calls: int) -> dict[str, Any]:
    start = time.perf_counter()
    async with client as c:
        connected = time.perf_counter() - start
        for tool, args in CALLS:  # warm-up
            await c.call_tool(tool, args)
        times: dict[str, list[float]] = {}
        for _ in range(calls):
            for tool, args in CALLS:
                t0 = time.perf_counter()
                result = await c.call_tool(tool, args)
                times.setdefault(_label(tool, args), []).append(time.perf_counter() - t0)
                if result.is_error:
                    raise SystemExit(f"{tool} failed: {result.content}")
    return {"connect_s": round(connected, 2), "tools": {k: _summary(v) for k, v in times.items()}}


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a built database (file or URL)")
    parser.add_argument("--calls", type=int, default=20, help="calls of each tool per transport")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out: dict[str, Any] = {}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "kb", "mcp", "--db", args.db], env=env, cwd=str(ROOT)
    )
    with open(os.devnull, "w") as devnull:
        out["stdio"] = anyio.run(_run, Client(stdio_client(params, errlog=devnull)), args.calls)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kb", "serve", "--db", args.db, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("kb serve did not start")
            time.sleep(0.2)
        out["http"] = anyio.run(_run, Client(f"http://127.0.0.1:{port}/mcp"), args.calls)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for transport, data in out.items():
        print(f"{transport}: connected in {data['connect_s']} s")
        for label, s in data["tools"].items():
            print(f"  {label:72} p50 {s['p50_ms']:7.1f}  p95 {s['p95_ms']:7.1f}  max {s['max_ms']:7.1f} ms")


if __name__ == "__main__":
    main()
