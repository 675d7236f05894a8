"""Web load benchmark (网页压测): a local server on a demo database, 20 concurrent clients.

    .venv/bin/python bench/web_load.py            # 200,000 demo enterprises
    .venv/bin/python bench/web_load.py --quick    # 20,000 enterprises, fewer rounds

Builds the demo database with `chainlead demo-data` (kept in var/bench/ for the next run),
starts `chainlead serve` on a free port, signs 20 clients in (session cookie + API token), warms
each page once (the cold figure is printed), then lets the clients loop over the overview, the
ecosystem and chain pages and GET /api/v1/status, and stops the server. Prints p50/p95/p99 and
errors per endpoint against the targets (pages p95 ≤ 150 ms, status p95 ≤ 50 ms) and the ratio
to a baseline measured in the same run: /healthz (no database, no template) under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "chainlead")
TARGETS_MS = {"overview": 150.0, "ecosystem": 150.0, "chain": 150.0, "status": 50.0}
USER, PASSWORD = "bench-load", "bench-load-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_db(n: int, path: Path) -> None:
    if path.exists():
        print(f"demo database: {path} (reused)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [CLI, "demo-data", "--enterprises", str(n), "--seed", "1", "--db", str(path), "--replace"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo database: {path} ({n:,} enterprises, built in {time.perf_counter() - start:.0f} s)")


def ensure_user(db: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from chainlead.db.engine import session_scope
    from chainlead.web.users import add_user, get_user, set_password

    with session_scope(db) as s:
        if get_user(s, USER) is None:
            add_user(s, USER, "viewer", PASSWORD, actor="bench")
        else:
            set_password(s, USER, PASSWORD, actor="bench")


def sign_in(base: str) -> tuple[httpx.Client, dict[str, str]]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": csrf})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed: {r.status_code}")
    tok = client.post("/api/v1/auth/token", data={"username": USER, "password": PASSWORD}).json()["access_token"]
    return client, {"Authorization": f"Bearer {tok}"}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_load(base: str, clients: int, rounds: int, paths: list[tuple[str, str, bool]]) -> dict[str, dict[str, float]]:
    """`clients` concurrent clients (asyncio + httpx, each with its own session), closed loop."""
    sessions = [sign_in(base) for _ in range(clients)]
    times: dict[str, list[float]] = {kind: [] for kind, _, _ in paths}
    errors: dict[str, int] = {kind: 0 for kind, _, _ in paths}

    async def worker(i: int, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        for r in range(rounds):
            for j in range(len(paths)):
                kind, path, api = paths[(i + r + j) % len(paths)]
                start = time.perf_counter()
                try:
                    resp = await client.get(path, headers=headers if api else None)
                    ok = resp.status_code == 200
                except httpx.HTTPError:
                    ok = False
                times[kind].append((time.perf_counter() - start) * 1000)
                errors[kind] += 0 if ok else 1

    async def run() -> float:
        limits = httpx.Limits(max_connections=clients * 2)
        pool = [httpx.AsyncClient(base_url=base, cookies=c.cookies, timeout=60, limits=limits) for c, _ in sessions]
        start = time.perf_counter()
        await asyncio.gather(*(worker(i, pool[i], sessions[i][1]) for i in range(clients)))
        wall = time.perf_counter() - start
        for c in pool:
            await c.aclose()
        return wall

    wall = asyncio.run(run())
    for client, _ in sessions:
        client.close()
    out = {}
    for kind, values in times.items():
        out[kind] = {
            "n": len(values),
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "mean": statistics.fmean(values) if values else float("nan"),
            "errors": errors[kind],
            "rps": len(values) / wall,
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20,000 enterprises and fewer rounds")
    ap.add_argument("--enterprises", type=int, default=None)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=None, help="rounds over all endpoints per client")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (chainlead serve --workers)")
    ap.add_argument("--db", default=None, help="use this database (URL or SQLite path) instead of building one")
    args = ap.parse_args()
    n = args.enterprises or (20_000 if args.quick else 200_000)
    rounds = args.rounds or (5 if args.quick else 15)
    db = args.db or str(ROOT / "var" / "bench" / f"web-{n}.db")
    if args.db is None:
        build_db(n, Path(db))
    ensure_user(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CHAINLEAD_SECRET_KEY": "bench-web-load-secret-key-0123456789"}
    log_path = ROOT / "bench" / "out" / "web_load_server.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("wb")  # a file, never a pipe: a full pipe would stall the server
    server = subprocess.Popen(
        [CLI, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:  # workers may take a while to import
                print(f"server did not start; see {log_path}")
                return 1
            time.sleep(0.2)
        client, headers = sign_in(base)
        program = client.get("/api/v1/program", headers=headers).json()
        chain_ids = [c["id"] for e in program["ecosystems"] for c in e["chains"]]
        eco_ids = [e["id"] for e in program["ecosystems"]]
        paths = [("overview", "/", False), ("status", "/api/v1/status", True)]
        paths += [("ecosystem", f"/ecosystems/{i}", False) for i in eco_ids]
        paths += [("chain", f"/chains/{i}", False) for i in chain_ids[::3]]
        print(
            f"server: {base}  workers: {args.workers}  clients: {args.clients}  "
            f"rounds: {rounds}  endpoints: {len(paths)}"
        )
        cold: dict[str, float] = {}
        for kind, path, api in paths:
            start = time.perf_counter()
            r = client.get(path, headers=headers if api else None)
            r.raise_for_status()
            cold[kind] = max(cold.get(kind, 0.0), (time.perf_counter() - start) * 1000)
        client.close()
        print("cold (first request, builds the cache): " + ", ".join(f"{k} {v:,.0f} ms" for k, v in cold.items()))
        baseline = run_load(base, args.clients, rounds * 2, [("healthz", "/healthz", False)])["healthz"]
        results = run_load(base, args.clients, rounds, paths)
        # The API is also measured on its own: 20 API clients and no page renders in the same
        # workers (in the mixed run its latency is mostly queueing behind page renders).
        alone = run_load(base, args.clients, rounds * 2, [("status", "/api/v1/status", True)])["status"]
        results["status (alone)"] = alone
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    row = "{:<15} {:>6} {:>8} {:>8} {:>8} {:>6} {:>10} {:>4} {:>12}"
    print(
        "\n" + row.format("endpoint", "n", "p50 ms", "p95 ms", "p99 ms", "errors", "target p95", "ok", "p95/baseline")
    )
    b = baseline
    print(
        row.format(
            "healthz",
            b["n"],
            f"{b['p50']:.1f}",
            f"{b['p95']:.1f}",
            f"{b['p99']:.1f}",
            b["errors"],
            "(baseline)",
            "",
            "",
        )
    )
    all_ok = True
    for kind, r in results.items():
        target = TARGETS_MS[kind.split(" ")[0]]
        ok = r["p95"] <= target and r["errors"] == 0
        all_ok &= ok
        cells = (
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            r["errors"],
            f"{target:.0f}",
            "yes" if ok else "NO",
        )
        print(row.format(kind, r["n"], *cells, f"{r['p95'] / b['p95']:.1f}"))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "web_load.json").write_text(
        json.dumps(
            {"enterprises": n, "clients": args.clients, "cold_ms": cold, "baseline": baseline, "results": results},
            indent=2,
        )
    )
    return 0 if all_ok else 3


if __name__ == "__main__":
    sys.exit(main())
