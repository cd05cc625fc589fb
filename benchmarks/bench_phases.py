"""Where a run's time goes, by the parts of the week (CPU seconds per phase).

Run from the repository root::

    python benchmarks/bench_phases.py                      # the reference run, 3 seeds
    python benchmarks/bench_phases.py --size huge --seeds 1 --years 3

Each phase is timed by wrapping the function the model calls for it, so the
table adds up to the run: set-up (``SalesOrgModel.__init__``), the staff's
servicing (``servicing.serve_portfolios``), the rest of the staff's week
(``staff.finish_weeks``: plans, prospecting, pipeline, cross-sells, visits),
the week's answers (``SalesOrgModel.settle_week``: the buying centres and the
network), the week's close (``SalesOrgModel.close_week``: orders, reviews,
quits, payroll, records) and the rest (what cannot wait, the week's order,
Mesa's events and clock). ``--ref-seconds`` (the same run's CPU time in an
older commit, e.g. from ``bench_core.py --against``) adds what speed-up each
phase's removal alone would give: the ceiling of any work on that phase.
The wrappers add a few microseconds a week. Writes ``results/phases.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {"reference": (20, 3000), "large": (200, 30000), "huge": (1000, 100000)}
PHASES = ("set-up", "servicing", "rest of the staff's week", "the week's answers", "the week's close", "rest")


def _timed(owner: Any, name: str, phase: str, spent: dict[str, float]) -> Callable[[], None]:
    """Replace ``owner.name`` by a wrapper that adds its CPU time to ``spent[phase]``; return its undo."""
    inner: Callable[..., Any] = getattr(owner, name)  # AttributeError: the model was reorganised, update this script

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[phase] += time.process_time() - start

    setattr(owner, name, wrapper)
    return lambda: setattr(owner, name, inner)


def measure(salespeople: int, companies: int, years: int, seeds: list[int]) -> list[dict[str, float]]:
    """CPU seconds per phase of one run per seed (in this process, after a warm-up run).

    The model's functions are wrapped only while it runs, and put back after.
    """
    import orgmodel.model.model as model_module

    spent = dict.fromkeys(PHASES, 0.0)
    undo = [
        _timed(model_module.SalesOrgModel, "__init__", "set-up", spent),
        _timed(model_module.servicing, "serve_portfolios", "servicing", spent),
        _timed(model_module, "finish_weeks", "rest of the staff's week", spent),
        _timed(model_module.SalesOrgModel, "settle_week", "the week's answers", spent),
        _timed(model_module.SalesOrgModel, "close_week", "the week's close", spent),
    ]
    params = {"structure": "full_cycle", "salespeople": salespeople, "market_size": companies, "years": years}
    runs = []
    try:
        for i, seed in enumerate([seeds[0], *seeds]):  # the first run warms up imports and caches; not kept
            spent.update(dict.fromkeys(PHASES, 0.0))
            gc.collect()
            start = time.process_time()
            model = model_module.SalesOrgModel(rng=seed, **params)
            model.run_until(model.cfg.weeks)
            total = time.process_time() - start
            spent["rest"] = total - sum(v for k, v in spent.items() if k != "rest")
            if i:
                runs.append({"total": total, **spent})
            del model
    finally:
        for put_back in reversed(undo):
            put_back()
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="reference", help="salespeople and companies")
    ap.add_argument("--years", type=int, default=10, help="years simulated (default 10)")
    ap.add_argument("--seeds", type=int, default=3, help="runs, seeds 1..N (default 3)")
    ap.add_argument("--ref-seconds", type=float, help="the same run's CPU seconds in the commit compared with")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "phases.json")
    args = ap.parse_args()
    if args.years < 1 or args.seeds < 1:
        ap.error("--years and --seeds must be at least 1")
    if args.ref_seconds is not None and not args.ref_seconds > 0.0:
        ap.error("--ref-seconds must be a positive number of seconds")
    if args.out.is_dir() or (args.out.parent.exists() and not args.out.parent.is_dir()):
        ap.error(f"--out must be a file path (a .json file to write), not {args.out}")  # before minutes of runs
    salespeople, companies = SIZES[args.size]
    runs = measure(salespeople, companies, args.years, list(range(1, args.seeds + 1)))
    median = {k: statistics.median(r[k] for r in runs) for k in ("total", *PHASES)}
    size = f"{salespeople:,} salespeople, {companies:,} companies, {args.years} years"
    print(f"{size}: {median['total']:.3f} s CPU (median of {len(runs)}; load {os.getloadavg()[0]:.1f})")
    print(f"{'phase':<28}{'s':>8}{'share':>8}" + (f"{'x if free':>11}" if args.ref_seconds else ""))
    for phase in PHASES:
        line = f"{phase:<28}{median[phase]:8.3f}{median[phase] / median['total']:8.1%}"
        if args.ref_seconds:
            line += f"{args.ref_seconds / (median['total'] - median[phase]):10.2f}x"
        print(line)
    if args.ref_seconds:
        print(f"{'now':<28}{'':16}{args.ref_seconds / median['total']:10.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(f".{args.out.name}.{os.getpid()}.tmp")  # whole or not at all (a killed run)
    record = {"size": args.size, "years": args.years, "ref_seconds": args.ref_seconds, "median": median, "runs": runs}
    record["load_avg_end"] = os.getloadavg()
    partial.write_text(json.dumps(record, indent=2) + "\n")
    partial.replace(args.out)
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
