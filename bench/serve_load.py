"""Load benchmark of ``ctax serve``, run on demand (never part of the test suite), loopback only:
``python bench/serve_load.py [--workers 1 2] [--clients 1 8 64] [--seconds 5] [--markdown]``.

For each number of uvicorn workers it starts ``python -m engine serve`` on 127.0.0.1 (a free port),
then for each number of concurrent clients it calls, for ``--seconds`` each (and at most
``--max-requests``), POST .../evaluate (tax_calculation with the trace) and POST
.../evaluate-batch (a JSON array of ``--batch-rows`` returns). It reports requests per second, p50
and p99 latency and the error count (any answer other than 200, or a failed connection), which
must be 0: the exit status is 1 otherwise. The clients run in this process (plain asyncio), on
the same machine as the server, so the figures are a floor for the server alone.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import machine

URL = "/years/2024/worksheets/tax_calculation"
STATUSES = ["single", "married_filing_jointly", "married_filing_separately", "head_of_household"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(port), "--workers",
                               str(workers), "--log-level", "warning"], cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/years", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def bodies(kind: str, batch_rows: int) -> list[bytes]:
    """A few different request bodies, so no answer is the same every time."""
    out = []
    for i in range(16):
        if kind == "evaluate":
            out.append(json.dumps({"filing_status": STATUSES[i % 4], "ct_agi": 20_000 + 7_919 * i}).encode())
        else:
            out.append(json.dumps([{"filing_status": STATUSES[(i + r) % 4], "ct_agi": 10_000 + 997 * r + i}
                                   for r in range(batch_rows)]).encode())
    return out


class Connection:
    """One keep-alive HTTP/1.1 connection on plain asyncio streams: a light client, so that 64 of
    them in one process measure the server (httpx's shared pool slowed down past ~8 clients here)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port, self.reader, self.writer = host, port, None, None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readline()).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection") == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def load(base: str, kind: str, clients: int, seconds: float, max_requests: int,
               batch_rows: int) -> dict:
    path = f"{URL}/evaluate" if kind == "evaluate" else f"{URL}/evaluate-batch"
    host, port = base.removeprefix("http://").split(":")
    payloads = bodies(kind, batch_rows)
    latencies: list[float] = []
    errors = 0
    sent = 0
    connections = [Connection(host, int(port)) for _ in range(clients)]
    for body in payloads[:2]:  # warm up: rule sets loaded
        await connections[0].post(path, body)
    stop = time.monotonic() + seconds

    async def one_client(number: int) -> None:
        nonlocal errors, sent
        i = number
        while time.monotonic() < stop and sent < max_requests:
            sent += 1
            began = time.perf_counter()
            try:
                if await connections[number].post(path, payloads[i % len(payloads)]) != 200:
                    errors += 1
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                errors += 1
                await connections[number].close()
            latencies.append(time.perf_counter() - began)
            i += 1

    began = time.perf_counter()
    await asyncio.gather(*(one_client(n) for n in range(clients)))
    elapsed = time.perf_counter() - began
    for connection in connections:
        await connection.close()
    latencies.sort()
    quantile = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"kind": kind, "clients": clients, "requests": len(latencies), "errors": errors,
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "rows_per_second": round(len(latencies) * (batch_rows if kind == "batch" else 1) / elapsed, 1),
            "p50_ms": round(quantile(0.50), 2), "p99_ms": round(quantile(0.99), 2)}


def markdown(report: dict) -> str:
    out = ["| workers | request | clients | req/s | p50 ms | p99 ms | errors |", "|---:|---|---:|---:|---:|---:|---:|"]
    for run in report["runs"]:
        what = "evaluate" if run["kind"] == "evaluate" else f"evaluate-batch ({report['batch_rows']} rows)"
        out.append(f"| {run['workers']} | {what} | {run['clients']} | {run['requests_per_second']:,} | "
                   f"{run['p50_ms']} | {run['p99_ms']} | {run['errors']} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (default 5)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per measurement (default 20000)")
    parser.add_argument("--batch-rows", type=int, default=100)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    report = {"machine": machine(), "batch_rows": args.batch_rows, "seconds": args.seconds, "runs": []}
    for workers in args.workers:
        server, base = start_server(workers)
        try:
            for kind in ("evaluate", "batch"):
                for clients in args.clients:
                    run = asyncio.run(load(base, kind, clients, args.seconds, args.max_requests, args.batch_rows))
                    report["runs"].append({"workers": workers, **run})
                    print(json.dumps(report["runs"][-1]), file=sys.stderr)
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps(report, indent=2))
    if args.markdown:
        print(markdown(report))
    return 1 if any(run["errors"] for run in report["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
