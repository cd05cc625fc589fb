"""How long the facilitator waits for a round, and whether the pages stay responsive meanwhile.

Serves a 15-team session of the default company (the status quo at reference
size: 20 salespeople, 3,000 companies, from week 105) with the real server on
127.0.0.1, and plays rounds with 15 simulated teams: each posts a different
decision, then polls its state and loads its page while the facilitator plays
the round. Reports, per round, the time to play it for every team and the
pages' response times during it (median and worst), and writes them to
``benchmarks/results/workshop.json``. Traffic goes only to 127.0.0.1, is
bounded by the rounds played and stops by itself.

    .venv/bin/python benchmarks/bench_workshop.py [--teams 15] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(teams: int, rounds: int, folder: Path) -> tuple[subprocess.Popen, str, str, list[str]]:
    port = free_port()
    log = folder / "server.log"
    args = ["--teams", str(teams), "--rounds", str(rounds), "--dir", str(folder / "session"), "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orgmodel", "workshop", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
            cwd=ROOT,
        )
    t0 = time.perf_counter()
    while len(re.findall(r"code (\w+)", log.read_text())) < teams:
        if proc.poll() is not None:
            raise SystemExit(log.read_text())
        time.sleep(0.2)
    started = time.perf_counter() - t0
    text = log.read_text()
    console = re.search(r"Facilitator's console: (\S+)", text).group(1)
    print(f"server up with {teams} teams in {started:.1f} s (every company built and run to week 104)")
    return proc, console.split("/facilitator/")[0], console, re.findall(r"code (\w+)", text)


def decision(i: int, round_: int) -> dict[str, str]:
    """A different plausible decision per team and round."""
    structure, incentive = [("full_cycle", "volume_commission"), ("hunter_farmer", "split_commission")][i % 2]
    return {
        "round": str(round_),
        "salespeople": str(18 + (i + round_) % 6),
        "account_managers": str(2 * (i % 2) + round_),
        "structure": structure,
        "incentive": incentive,
        "hire_account_managers": "true",
        "service_desk_staff": "0",
        "initial_quota": "500000",
        "fire_bottom_performers": "true" if i % 3 == 0 else "false",
        "note": f"team {i} round {round_}",
    }


def poll(base: str, code: str, stop: threading.Event, times: list[float]) -> None:
    """A team's browser while it waits: the state every 0.5 s and the page every 2 s."""
    with httpx.Client(base_url=base, timeout=60) as http:
        n = 0
        while not stop.is_set():
            t = time.perf_counter()
            http.get(f"/team/{code}/state" if n % 4 else f"/team/{code}")
            times.append(time.perf_counter() - t)
            n += 1
            stop.wait(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "workshop.json")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, console, codes = start(args.teams, args.rounds, Path(tmp))
        token_url = console.replace(base, "")
        rows = []
        try:
            with httpx.Client(base_url=base, timeout=120, headers={"origin": base}) as http:
                for r in range(1, args.rounds + 1):
                    for i, code in enumerate(codes):
                        http.post(f"/team/{code}/decide", data=decision(i, r))
                    stop = threading.Event()
                    times: list[float] = []
                    pollers = [threading.Thread(target=poll, args=(base, c, stop, times)) for c in codes]
                    for p in pollers:
                        p.start()
                    time.sleep(1.0)
                    t = time.perf_counter()
                    reply = http.post(f"{token_url}/advance", data={"round": str(r)})
                    took = time.perf_counter() - t
                    stop.set()
                    for p in pollers:
                        p.join()
                    said = re.search(r"in%20([0-9.]+)%20s", reply.headers.get("location", ""))
                    row = {
                        "round": r,
                        "advance_request_s": round(took, 3),
                        "advance_model_s": float(said.group(1)) if said else None,
                        "page_median_s": round(statistics.median(times), 3),
                        "page_max_s": round(max(times), 3),
                        "requests": len(times),
                    }
                    rows.append(row)
                    print(row)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
    result = {"teams": args.teams, "rounds": rows, "load_average_start": load, "load_average_end": os.getloadavg()[0]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"load average {load:.1f} at the start, {result['load_average_end']:.1f} at the end; wrote {args.out}")


if __name__ == "__main__":
    main()
