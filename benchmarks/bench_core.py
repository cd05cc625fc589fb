"""Core performance benchmark of the Mesa model.

Run from the repository root::

    python benchmarks/bench_core.py            # everything (about 1-2 minutes)
    python benchmarks/bench_core.py --quick    # without the large scenario

Every measurement runs in a fresh Python subprocess (this script calling itself
with ``--worker``), so peak memory (``ru_maxrss``) and timings of one
measurement are not polluted by another. The table goes to stdout and all raw
numbers to ``benchmarks/results/core.json``. See ``benchmarks/README.md`` for
what each number means.

Side by side with another commit (the speed-up of a change, in one benchmark run)::

    python benchmarks/bench_core.py --against REF            # reference and 10x, both versions
    python benchmarks/bench_core.py --against REF --quick    # the reference run only
    python benchmarks/bench_core.py --against REF --huge     # and 1,000 salespeople / 100,000 companies

``REF`` is checked out into a temporary git worktree (benchmarks/refcheckout.py); the two
versions' runs alternate, so both see the same machine conditions. That table goes to
``benchmarks/results/core_against.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refcheckout  # sibling module (this folder is not a package)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "core.json"
MARK = "@@BENCH@@"

# Sizes are pinned so the numbers stay comparable if scenario defaults change;
# every other parameter is the scenario default.
REFERENCE = {"structure": "full_cycle", "salespeople": 20, "market_size": 3000, "years": 10}
MIDDLE = {**REFERENCE, "salespeople": 60, "market_size": 9000}
LARGE = {**REFERENCE, "salespeople": 200, "market_size": 30000}
HUGE = {**REFERENCE, "salespeople": 1000, "market_size": 100000}  # issue #13's target size (33x the market)
SEEDS = (1, 2, 3)
DEFAULT_AGAINST_OUT = ROOT / "benchmarks" / "results" / "core_against.json"


# --- worker side (runs in a fresh subprocess) ---------------------------------------------------


def _maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _package_of(filename: str) -> str:
    """Group a tracemalloc filename into a package name for the breakdown."""
    if "/orgmodel/" in filename:
        return "orgmodel"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    return "stdlib/other"


def _bare_run(n_agents: int, weeks: int, seed: int) -> dict[str, Any]:
    """A Mesa 3.5 model with ``n_agents`` do-nothing agents, stepped ``weeks`` times."""
    from mesa import Agent, Model

    class NoOpAgent(Agent):
        def step(self) -> None:
            pass

    class BareModel(Model):
        def __init__(self, n: int, rng: int) -> None:
            super().__init__(rng=rng)
            NoOpAgent.create_agents(self, n)

        def step(self) -> None:
            self.agents.shuffle_do("step")

    t0, c0 = time.perf_counter(), time.process_time()
    model = BareModel(n_agents, rng=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run_for(weeks)
    t2, c2 = time.perf_counter(), time.process_time()
    assert model.steps == weeks and len(model.agents) == n_agents
    return {
        "agents": len(model.agents),
        "weeks": model.steps,
        "construct_s": t1 - t0,
        "run_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "run_cpu_s": c2 - c1,
    }


def _fingerprint(model: Any) -> dict[str, Any]:
    """Total revenue, active clients and relationships of a finished run (None where a version lacks one)."""

    def read(get: Any) -> Any:
        try:
            return get()
        except AttributeError:
            return None

    return {
        "revenue_total": read(lambda: round(model.revenue_total, 2)),
        "active_clients": read(lambda: model.active_clients),
        "edges": read(lambda: model.network.number_of_relationships()),
    }


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement: build and run one model (and optionally the bare loop after it).

    ``spec["root"]`` (default: this repository) is the tree whose ``orgmodel`` is measured.
    """
    root = spec.get("root", str(ROOT))
    sys.path.insert(0, root)
    from orgmodel.model.model import SalesOrgModel

    refcheckout.assert_imported_from(root)

    params, seed = spec["params"], spec["seed"]
    out: dict[str, Any] = {"params": params, "seed": seed, "rss_after_imports_mb": _maxrss_mb()}
    traced = spec.get("tracemalloc", False)
    if traced:
        import tracemalloc

        tracemalloc.start()
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    model = SalesOrgModel(rng=seed, **params)
    t1 = time.perf_counter()
    out["agents"] = len(model.agents)
    out["staff_start"] = len(model.staff)
    if traced:
        out["traced_after_construction_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
    model.run_until(model.cfg.weeks)
    t2, c2 = time.perf_counter(), time.process_time()
    out.update(construct_s=t1 - t0, run_s=t2 - t1, total_s=t2 - t0, cpu_s=c2 - c0, weeks=model.steps)
    out["agents_end"] = len(model.agents)
    out["staff_end"] = len(model.staff)
    out["rss_peak_mb"] = _maxrss_mb()  # read before the bare model runs in this process
    # a fingerprint of the outcome: if it differs between two benchmark runs with the same
    # seed, the model itself changed and the timings are not comparable
    out["fingerprint"] = _fingerprint(model)
    if traced:
        current, peak = tracemalloc.get_traced_memory()
        by_package: dict[str, int] = {}
        for stat in tracemalloc.take_snapshot().statistics("filename"):
            key = _package_of(stat.traceback[0].filename)
            by_package[key] = by_package.get(key, 0) + stat.size
        tracemalloc.stop()
        out["traced_peak_mb"] = peak / 1e6
        out["traced_end_mb"] = current / 1e6
        out["traced_end_by_package_mb"] = {k: v / 1e6 for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])}
    if spec.get("bare"):
        # the same number of agents; as many weeks as give the reference's agent-weeks (at least 20),
        # since an empty loop's cost per agent-week does not change from week to week
        n = out["agents"]
        weeks = max(20, round(spec["bare_agent_weeks"] / n)) if spec.get("bare_agent_weeks") else out["weeks"]
        del model
        gc.collect()
        out["bare"] = _bare_run(n, weeks, seed)
    return out


# --- driver side ------------------------------------------------------------------------------------


def run_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its result."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=spec.get("root", ROOT),
        env=refcheckout.env_for(Path(spec.get("root", ROOT))),
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark worker failed: {spec}")
    return json.loads(lines[-1][len(MARK) :])


def environment() -> dict[str, Any]:
    """Where the numbers were taken."""

    def version(pkg: str) -> str:
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "mesa": version("mesa"),
        "numpy": version("numpy"),
        "networkx": version("networkx"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "orgmodel")),
        "load_avg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, min and max of the wall times, and the worst memory of a set of runs."""
    totals = [r["total_s"] for r in runs]
    cpus = [r["cpu_s"] for r in runs]
    return {
        "params": runs[0]["params"],
        "seeds": [r["seed"] for r in runs],
        "agents": runs[0]["agents"],
        "staff_start": runs[0]["staff_start"],
        "staff_end_max": max(r["staff_end"] for r in runs),
        "weeks": runs[0]["weeks"],
        "time_median_s": statistics.median(totals),
        "time_min_s": min(totals),
        "time_max_s": max(totals),
        "cpu_median_s": statistics.median(cpus),
        "cpu_min_s": min(cpus),
        "cpu_max_s": max(cpus),
        "construct_median_s": statistics.median(r["construct_s"] for r in runs),
        "rss_peak_mb": max(r["rss_peak_mb"] for r in runs),
        "rss_model_mb": max(r["rss_peak_mb"] - r["rss_after_imports_mb"] for r in runs),
        "runs": runs,
    }


def _say(text: str = "") -> None:
    print(text, flush=True)


# --- side by side with another commit ----------------------------------------------------------------


def _per_company_week_us(run: dict[str, Any], key: str) -> float:
    """Microseconds of ``key`` (wall or CPU seconds) per company and simulated week."""
    return 1e6 * run[key] / (run["params"]["market_size"] * run["weeks"])


def against(args: argparse.Namespace) -> int:
    """Time the working tree and ``args.against`` on the same sizes, alternating, and report the speed-up."""
    try:
        commit = refcheckout.resolve(args.against)
    except refcheckout.RefError as exc:
        print(exc, file=sys.stderr)
        return 2
    seeds = [SEEDS[i % len(SEEDS)] + 100 * (i // len(SEEDS)) for i in range(args.repeats)]
    plan = [("reference", REFERENCE, seeds)]
    if not args.quick:
        plan.append(("large", LARGE, seeds[: args.large_repeats]))
    if args.huge:
        plan.append(("huge", HUGE, seeds[: args.large_repeats]))
    env = environment()
    here = refcheckout.describe_working_tree()
    env |= {"against": args.against, "against_commit": commit, "working_tree": here}
    label = {"working": f"{here['commit']}{'+dirty' if here['dirty'] else ''}", "ref": commit[:7]}
    _say(f"orgmodel core benchmark, working tree ({label['working']}) against {args.against} ({label['ref']})   {env['date']}")
    _say(f"python {env['python']} | mesa {env['mesa']} | {env['cpu_count']} CPUs | {env['platform']}")
    _say(f"load average at start {', '.join(f'{x:.2f}' for x in env['load_avg_start'] or [])}")
    _say()
    results: dict[str, Any] = {"environment": env, "scenarios": {}}
    with refcheckout.checkout(commit) as ref_root:
        roots = {"working": str(ROOT), "ref": str(ref_root)}
        for name, params, run_seeds in plan:
            runs: dict[str, list[dict[str, Any]]] = {"working": [], "ref": []}
            for i, seed in enumerate(run_seeds):
                # alternate which version goes first, so a drift in the machine's load hits both alike
                for version in ("ref", "working") if i % 2 == 0 else ("working", "ref"):
                    _say(f"  running {name:9s} seed {seed} at {label[version]} ...")
                    runs[version].append(run_worker({"params": params, "seed": seed, "root": roots[version]}))
            results["scenarios"][name] = {version: summarise(r) for version, r in runs.items()}
    env["load_avg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    for both in results["scenarios"].values():
        ref, new = both["ref"], both["working"]
        for s in (ref, new):
            s["us_per_company_week_median"] = statistics.median(_per_company_week_us(r, "total_s") for r in s["runs"])
            s["cpu_us_per_company_week_median"] = statistics.median(_per_company_week_us(r, "cpu_s") for r in s["runs"])
            s["runs_per_hour_on_cpus"] = 3600 * (env["cpus_usable"] or 1) / s["cpu_median_s"]
        both["speed_up_wall"] = ref["time_median_s"] / new["time_median_s"]
        both["speed_up_cpu"] = ref["cpu_median_s"] / new["cpu_median_s"]
        both["peak_rss_ratio"] = new["rss_peak_mb"] / ref["rss_peak_mb"]
        both["same_fingerprints"] = [r["fingerprint"] for r in ref["runs"]] == [r["fingerprint"] for r in new["runs"]]

    head = (
        f"{'scenario':9s} {'staff':>5s} {'market':>6s} {'runs':>4s} {'version':>13s}  {'wall (median)':>13s}  "
        f"{'CPU (median)':>12s}  {'peak RSS':>8s}  {'us / company-week':>17s}  {'CPU us / c-w':>12s}"
    )
    _say()
    _say(head)
    _say("-" * len(head))
    for name, both in results["scenarios"].items():
        for version in ("ref", "working"):
            s = both[version]
            p = s["params"]
            _say(
                f"{name:9s} {p['salespeople']:5d} {p['market_size']:6d} {len(s['runs']):4d} {label[version]:>13s}  "
                f"{s['time_median_s']:11.2f} s  {s['cpu_median_s']:10.2f} s  {s['rss_peak_mb']:5.0f} MB  "
                f"{s['us_per_company_week_median']:17.2f}  {s['cpu_us_per_company_week_median']:12.2f}"
            )
        same = "same outcomes" if both["same_fingerprints"] else "outcomes differ (see equivalence.py)"
        _say(
            f"{'':9s} speed-up {both['speed_up_wall']:.2f}x wall, {both['speed_up_cpu']:.2f}x CPU; "
            f"peak RSS {both['peak_rss_ratio']:.2f}x; {same}"
        )
    ref_size = results["scenarios"]["reference"]
    _say()
    for version in ("ref", "working"):
        base = ref_size[version]["cpu_us_per_company_week_median"]
        parts = [
            f"{name} {both[version]['params']['market_size'] / REFERENCE['market_size']:.0f}x: "
            f"{both[version]['cpu_us_per_company_week_median'] / base:.2f}"
            for name, both in results["scenarios"].items()
        ]
        _say(f"CPU per company-week relative to the reference, {label[version]:>13s}: {'; '.join(parts)}")
    _say(
        f"reference runs per hour on {env['cpus_usable']} cores (from the median CPU time): "
        f"{ref_size['ref']['runs_per_hour_on_cpus']:.0f} at {label['ref']}, "
        f"{ref_size['working']['runs_per_hour_on_cpus']:.0f} at {label['working']}"
    )
    _say(f"load average at end {', '.join(f'{x:.2f}' for x in env['load_avg_end'] or [])}")
    out = args.out or DEFAULT_AGAINST_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the large scenario")
    ap.add_argument("--repeats", type=int, default=3, help="runs (seeds) per scenario for the median (default 3)")
    ap.add_argument("--large-repeats", type=int, default=1, help="runs of the large scenario (default 1)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the (slow, ~4x) tracemalloc run of the reference")
    ap.add_argument("--out", type=Path, help="JSON file to write (default results/core.json, or core_against.json)")
    ap.add_argument("--against", help="time this commit side by side with the working tree (e.g. main~20)")
    ap.add_argument("--huge", action="store_true", help="with --against: also 1,000 salespeople and 100,000 companies")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(MARK + json.dumps(worker(json.loads(args.worker))), flush=True)
        return 0
    if args.repeats < 1 or args.large_repeats < 1:
        print("--repeats and --large-repeats: must be at least 1", file=sys.stderr)
        return 2
    if args.against:
        return against(args)
    if args.huge:
        print("--huge: only with --against REF", file=sys.stderr)
        return 2
    args.out = args.out or DEFAULT_OUT

    seeds = [SEEDS[i % len(SEEDS)] + 100 * (i // len(SEEDS)) for i in range(args.repeats)]
    env = environment()
    _say(f"orgmodel core benchmark   {env['date']}")
    _say(
        f"python {env['python']} | mesa {env['mesa']} | numpy {env['numpy']} | networkx {env['networkx']} | "
        f"{env['cpu_count']} CPUs ({env['cpus_usable']} usable) | {env['platform']}"
    )
    dirty = " + uncommitted changes under orgmodel/" if env["git_dirty"] else ""
    _say(f"git {env['git_commit']}{dirty} | load average at start {', '.join(f'{x:.2f}' for x in env['load_avg_start'] or [])}")
    _say()

    results: dict[str, Any] = {"environment": env, "scenarios": {}}
    plan = [("reference", REFERENCE, seeds), ("middle", MIDDLE, seeds)]
    if not args.quick:
        plan.append(("large", LARGE, seeds[: args.large_repeats]))
    reference_agent_weeks = 0  # set by the first reference run: the bare loops of bigger scenarios match it
    for name, params, run_seeds in plan:
        runs = []
        for seed in run_seeds:
            _say(f"  running {name:9s} seed {seed} ...")
            spec = {"params": params, "seed": seed, "bare": True}
            if name != "reference":
                spec["bare_agent_weeks"] = reference_agent_weeks
            runs.append(run_worker(spec))
            if name == "reference":
                reference_agent_weeks = runs[0]["agents"] * runs[0]["weeks"]
        results["scenarios"][name] = summarise(runs)
    ref = results["scenarios"]["reference"]

    bare_runs = [r["bare"] for r in ref["runs"]]
    bare = {
        "agents": bare_runs[0]["agents"],
        "weeks": bare_runs[0]["weeks"],
        "time_median_s": statistics.median(b["total_s"] for b in bare_runs),
        "time_min_s": min(b["total_s"] for b in bare_runs),
        "time_max_s": max(b["total_s"] for b in bare_runs),
        "cpu_median_s": statistics.median(b["cpu_s"] for b in bare_runs),
        "runs": bare_runs,
    }
    bare["reference_over_bare"] = ref["time_median_s"] / bare["time_median_s"]
    bare["reference_over_bare_cpu"] = ref["cpu_median_s"] / bare["cpu_median_s"]
    bare["reference_faster"] = bare["reference_over_bare"] < 1.0
    results["bare_mesa"] = bare

    if not args.no_tracemalloc:
        _say("  running reference under tracemalloc ...")
        tm = run_worker({"params": REFERENCE, "seed": seeds[0], "tracemalloc": True})
        keys = ("seed", "traced_after_construction_mb", "traced_peak_mb", "traced_end_mb", "traced_end_by_package_mb")
        results["tracemalloc_reference"] = {k: tm[k] for k in keys}

    def bare_per_agent_week(scenario: dict[str, Any]) -> float:
        """Median CPU seconds of the empty Mesa loop per agent and week, at this scenario's size."""
        runs = scenario["runs"]
        return statistics.median(r["bare"]["run_cpu_s"] / (r["bare"]["agents"] * r["bare"]["weeks"]) for r in runs)

    scaling = {}
    for name in ("middle", "large"):
        if name not in results["scenarios"]:
            continue
        s = results["scenarios"][name]
        market_x = s["params"]["market_size"] / ref["params"]["market_size"]
        staff_x = s["params"]["salespeople"] / ref["params"]["salespeople"]
        time_x = s["time_median_s"] / ref["time_median_s"]
        cpu_x = s["cpu_median_s"] / ref["cpu_median_s"]
        scaling[name] = {
            "market_x": market_x,
            "headcount_x": staff_x,
            "agents_x": s["agents"] / ref["agents"],
            "size_x": market_x,
            "time_x": time_x,
            "time_x_over_size_x": time_x / market_x,
            "cpu_x": cpu_x,
            "cpu_x_over_size_x": cpu_x / market_x,
            "no_worse_than_linear": time_x / market_x <= 1.0 and cpu_x / market_x <= 1.0,
            # the control: how much dearer an agent-week of the do-nothing Mesa loop gets at this size
            "bare_cpu_per_agent_week_x": bare_per_agent_week(s) / bare_per_agent_week(ref),
            "rss_model_x": s["rss_model_mb"] / ref["rss_model_mb"] if ref["rss_model_mb"] > 0 else None,
        }
    results["scaling"] = scaling
    env["load_avg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    # --- the table -------------------------------------------------------------------------------
    _say()
    head = (
        f"{'scenario':10s} {'staff':>5s} {'market':>6s} {'agents':>7s} {'weeks':>5s} {'runs':>4s}  "
        f"{'time (median)':>13s}  {'min-max':>13s}  {'CPU (median)':>12s}  "
        f"{'construct':>9s}  {'peak RSS':>8s}  {'RSS - imports':>13s}"
    )
    _say(head)
    _say("-" * len(head))
    for name, s in results["scenarios"].items():
        p = s["params"]
        _say(
            f"{name:10s} {p['salespeople']:5d} {p['market_size']:6d} {s['agents']:7d} {s['weeks']:5d} {len(s['runs']):4d}  "
            f"{s['time_median_s']:11.2f} s  {s['time_min_s']:5.2f}-{s['time_max_s']:5.2f} s  {s['cpu_median_s']:10.2f} s  "
            f"{s['construct_median_s']:7.2f} s  "
            f"{s['rss_peak_mb']:5.0f} MB  {s['rss_model_mb']:10.0f} MB"
        )
    _say(
        f"{'bare mesa':10s} {'':5s} {'':6s} {bare['agents']:7d} {bare['weeks']:5d} {len(bare_runs):4d}  "
        f"{bare['time_median_s']:11.2f} s  {bare['time_min_s']:5.2f}-{bare['time_max_s']:5.2f} s  {bare['cpu_median_s']:10.2f} s"
    )
    _say()
    verdict = "OK, the full model is faster" if bare["reference_faster"] else "NOT MET"
    _say(
        f"reference / bare Mesa loop ({bare['agents']} no-op agents, shuffle_do, {bare['weeks']} steps): "
        f"{bare['reference_over_bare']:.2f} wall, {bare['reference_over_bare_cpu']:.2f} CPU   (requirement < 1: {verdict})"
    )
    if "tracemalloc_reference" in results:
        tm = results["tracemalloc_reference"]
        parts = ", ".join(f"{k} {v:.1f}" for k, v in list(tm["traced_end_by_package_mb"].items())[:4])
        _say(
            f"tracemalloc, reference (seed {tm['seed']}): peak {tm['traced_peak_mb']:.1f} MB, "
            f"after construction {tm['traced_after_construction_mb']:.1f} MB, at end {tm['traced_end_mb']:.1f} MB ({parts} MB)"
        )
    if scaling:
        _say()
        _say(
            f"{'scaling vs reference':22s} {'size x':>7s} {'time x':>7s} {'time x / size x':>16s}  "
            f"{'CPU x':>7s} {'CPU x / size x':>15s}  {'model RSS x':>11s}  {'bare Mesa x / size x':>20s}"
        )
        for name, sc in scaling.items():
            if sc["no_worse_than_linear"]:
                verdict = "no worse than linear"
            elif sc["cpu_x_over_size_x"] <= sc["bare_cpu_per_agent_week_x"]:
                verdict = "dearer per unit, less so than the empty Mesa loop"
            else:
                verdict = "WORSE than linear, and than the empty Mesa loop"
            rss_x = f"{sc['rss_model_x']:11.1f}" if sc["rss_model_x"] is not None else f"{'?':>11s}"
            _say(
                f"{name:22s} {sc['size_x']:7.1f} {sc['time_x']:7.2f} {sc['time_x_over_size_x']:16.2f}  "
                f"{sc['cpu_x']:7.2f} {sc['cpu_x_over_size_x']:15.2f}  {rss_x}  "
                f"{sc['bare_cpu_per_agent_week_x']:20.2f}   {verdict}"
            )
        _say(
            "(size x = market and headcount ratio to the reference; x / size x <= 1: time grows no worse than linearly;\n"
            " bare Mesa x / size x: CPU time per agent-week of the steps of an empty Mesa loop of this scenario's agent count,\n"
            " over the reference's: what the memory hierarchy alone costs at this size. Wall and CPU time both include\n"
            " memory-cache effects, which other processes on the machine make worse; count_instructions.py counts the work)"
        )
    if args.quick:
        _say("(--quick: large scenario skipped)")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    _say()
    _say(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
