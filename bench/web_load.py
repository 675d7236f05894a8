"""Web load benchmark (网页压测): a local server on a demo database, 20 concurrent clients.

    .venv/bin/python bench/web_load.py --workers 2 --rounds 10   # 200,000 demo enterprises
    .venv/bin/python bench/web_load.py --quick                   # 20,000 enterprises, fewer rounds

Builds the demo database with `chainlead demo-data` (kept in var/bench/ for the next run), starts
`chainlead serve` on a free port, signs 20 clients in (session cookie + API token), warms each page
once (the cold figure is printed), lets every client request every endpoint once more so that
every worker process has its page cache (not measured), then runs four phases, each with 20
concurrent closed-loop clients (no think time, keep-alive, each client its own connection and cookies):

- healthz   GET /healthz: no database, no template — the baseline, what server + harness cost;
- mixed     the overview, the ecosystem and chain pages and GET /api/v1/status, interleaved;
- pages     the same pages without the API;
- status    GET /api/v1/status alone (20 API clients).

The clients run as coroutines in ONE process (aiohttp on uvloop) so that the load generator leaves
the 2 cores to the server; the CPU it used is printed next to the server's, and so is the CPU that
other processes on the machine used meanwhile (a figure taken while they ran is not a quiet one).
Every non-200 answer and every exception counts as an error. Prints p50/p95/p99 and errors per
endpoint against the targets (pages p95 ≤ 150 ms, status p95 ≤ 50 ms) and the ratio to the
baseline's p95, then stops the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
    uvloop = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "chainlead")
TARGETS_MS = {"overview": 150.0, "ecosystem": 150.0, "chain": 150.0, "status": 50.0}
USER, PASSWORD = "bench-load", "bench-load-password-1"
TICK = os.sysconf("SC_CLK_TCK")


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


def server_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by the server process and each of its worker processes."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: parent pid
            out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    return out


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used (busy time of /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK  # minus idle and iowait


async def _load(
    base: str,
    cookies: list[dict[str, str]],
    auth: list[dict[str, str]],
    rounds: int,
    paths: list[tuple[str, str, bool]],
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    times: dict[str, list[float]] = {kind: [] for kind, _, _ in paths}
    errors: dict[str, int] = {kind: 0 for kind, _, _ in paths}
    timeout = aiohttp.ClientTimeout(total=60)

    async def client(i: int) -> None:
        connector = aiohttp.TCPConnector(limit=1, force_close=False)
        async with aiohttp.ClientSession(base, connector=connector, cookies=cookies[i], timeout=timeout) as session:
            for r in range(rounds):
                for j in range(len(paths)):
                    kind, path, api = paths[(i + r + j) % len(paths)]
                    start = time.perf_counter()
                    try:
                        async with session.get(path, headers=auth[i] if api else None) as resp:
                            await resp.read()  # the whole body (gzip decoded, as a client would)
                            ok = resp.status == 200
                    except (TimeoutError, aiohttp.ClientError):
                        ok = False
                    times[kind].append((time.perf_counter() - start) * 1000)
                    errors[kind] += 0 if ok else 1

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(len(cookies))))
    return times, errors, time.perf_counter() - start


def run_load(
    base: str,
    pid: int,
    sessions: list[tuple[dict[str, str], dict[str, str]]],
    rounds: int,
    paths: list[tuple[str, str, bool]],
    quiet: bool = False,
) -> dict[str, dict[str, float]]:
    """len(sessions) concurrent closed-loop clients, `rounds` rounds over `paths` each."""
    cookies, auth = [c for c, _ in sessions], [a for _, a in sessions]
    cpu0, srv0, busy0 = time.process_time(), server_cpu(pid), machine_busy()
    if uvloop is not None:
        times, errors, wall = uvloop.run(_load(base, cookies, auth, rounds, paths))
    else:
        times, errors, wall = asyncio.run(_load(base, cookies, auth, rounds, paths))
    srv1 = server_cpu(pid)
    per_process = sorted((srv1[p] - srv0.get(p, 0.0) for p in srv1), reverse=True)
    client_cpu, srv_cpu = time.process_time() - cpu0, sum(per_process)
    others = max(0.0, machine_busy() - busy0 - client_cpu - srv_cpu)  # anything else running meanwhile
    n_all = sum(len(v) for v in times.values())
    if quiet:
        return {}
    print(
        f"  {n_all:,} requests in {wall:.1f} s ({n_all / wall:,.0f}/s); CPU per request: "
        f"server {srv_cpu / n_all * 1000:.2f} ms, client {client_cpu / n_all * 1000:.2f} ms "
        f"(client {client_cpu / wall:.0%} of a core); server processes "
        f"{'/'.join(f'{c / wall:.0%}' for c in per_process)} of a core; other processes {others / wall:.0%} of a core; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    return {
        kind: {
            "n": len(values),
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "errors": errors[kind],
            "rps": len(values) / wall,
            "server_cpu_ms_per_request": srv_cpu / n_all * 1000,
            "client_cpu_ms_per_request": client_cpu / n_all * 1000,
            "other_processes_cores": others / wall,
        }
        for kind, values in times.items()
    }


def warm_up(
    base: str, pid: int, sessions: list[tuple[dict[str, str], dict[str, str]]], paths: list, workers: int
) -> tuple[int, list[float]]:
    """Unmeasured rounds of every endpoint by every client until each worker process has built its
    page cache (each keeps its own; a cold build costs a worker seconds of CPU), at most 5 rounds."""
    before = server_cpu(pid)
    done, used = 0, [0.0]
    while done < 5 and (len(used) < workers or used[workers - 1] < 1.0):
        run_load(base, pid, sessions, 1, paths, quiet=True)  # new connections each round
        done += 1
        now = server_cpu(pid)
        used = sorted((now[p] - before.get(p, 0.0) for p in now), reverse=True)
    return done, used


def start_server(db: str, port: int, workers: int) -> tuple[subprocess.Popen[bytes], Path]:
    env = {**os.environ, "CHAINLEAD_SECRET_KEY": "bench-web-load-secret-key-0123456789"}
    log_path = ROOT / "bench" / "out" / "web_load_server.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:  # a file, never a pipe: a full pipe would stall the server
        server = subprocess.Popen(
            [CLI, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    return server, log_path


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:  # workers may take a while to import
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def print_table(baseline: dict[str, float], phases: dict[str, dict[str, dict[str, float]]]) -> bool:
    row = "{:<8} {:<10} {:>6} {:>8} {:>8} {:>8} {:>6} {:>7} {:>4} {:>13}"
    print(
        "\n"
        + row.format("phase", "endpoint", "n", "p50 ms", "p95 ms", "p99 ms", "errors", "target", "ok", "p95/baseline")
    )
    b = baseline
    cells = (f"{b['p50']:.1f}", f"{b['p95']:.1f}", f"{b['p99']:.1f}", b["errors"])
    print(row.format("healthz", "healthz", b["n"], *cells, "", "", "1.0"))
    all_ok = True
    for phase, results in phases.items():
        for kind, r in results.items():
            target = TARGETS_MS[kind]
            ok = r["p95"] <= target and r["errors"] == 0
            all_ok &= ok
            cells = (f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}", r["errors"])
            print(
                row.format(
                    phase, kind, r["n"], *cells, f"{target:.0f}", "yes" if ok else "NO", f"{r['p95'] / b['p95']:.1f}"
                )
            )
    return all_ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20,000 enterprises and fewer rounds")
    ap.add_argument("--enterprises", type=int, default=None)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=None, help="rounds over all endpoints per client")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes (chainlead serve --workers)")
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
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    server, log_path = start_server(db, port, args.workers)
    try:
        if not wait_ready(base, server):
            print(f"server did not start; see {log_path}")
            return 1
        signed = [sign_in(base) for _ in range(args.clients)]
        sessions = [(dict(c.cookies), h) for c, h in signed]
        client, headers = signed[0]
        program = client.get("/api/v1/program", headers=headers).json()
        chain_ids = [c["id"] for e in program["ecosystems"] for c in e["chains"]]
        pages = [("overview", "/", False)]
        pages += [("ecosystem", f"/ecosystems/{e['id']}", False) for e in program["ecosystems"]]
        pages += [("chain", f"/chains/{i}", False) for i in chain_ids[::3]]
        status = [("status", "/api/v1/status", True)]
        mixed = pages[:1] + status + pages[1:]
        print(
            f"server: {base}  workers: {args.workers}  clients: {args.clients}  rounds: {rounds}  "
            f"endpoints: {len(mixed)}"
        )
        cold: dict[str, float] = {}
        for kind, path, api in mixed:
            start = time.perf_counter()
            client.get(path, headers=headers if api else None).raise_for_status()
            cold[kind] = max(cold.get(kind, 0.0), (time.perf_counter() - start) * 1000)
        for c, _ in signed:
            c.close()
        print("cold (first request, builds the cache): " + ", ".join(f"{k} {v:,.0f} ms" for k, v in cold.items()))
        start = time.perf_counter()
        rounds_done, used = warm_up(base, server.pid, sessions, mixed, args.workers)
        print(
            f"warm-up: {rounds_done} unmeasured round(s) in {time.perf_counter() - start:.1f} s; "
            f"CPU per server process {'/'.join(f'{u:.1f}' for u in used)} s"
        )
        print("healthz (baseline):")
        baseline = run_load(base, server.pid, sessions, rounds * 2, [("healthz", "/healthz", False)])["healthz"]
        phases = {}
        for phase, paths, phase_rounds in (
            ("mixed", mixed, rounds),
            ("pages", pages, rounds),
            ("status", status, rounds * 10),
        ):
            print(f"{phase}:")
            phases[phase] = run_load(base, server.pid, sessions, phase_rounds, paths)
    finally:
        server.terminate()
        server.wait(30)
    all_ok = print_table(baseline, phases)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    result = {"enterprises": n, "clients": args.clients, "workers": args.workers, "cold_ms": cold}
    (out / "web_load.json").write_text(json.dumps({**result, "baseline": baseline, "phases": phases}, indent=2))
    return 0 if all_ok else 3


if __name__ == "__main__":
    sys.exit(main())
