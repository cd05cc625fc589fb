"""Calibration benchmark: a reference-size company (20 salespeople, 3,000 accounts, three years of data).

Run from the repository root::

    python benchmarks/bench_calibration.py                     # budget 200, 3 seeds, 2 workers
    python benchmarks/bench_calibration.py --budget 100 --workers 1

It synthesizes the export of a company whose settings are known (four keys
moved well away from their defaults, two years of history before the export),
calibrates the model to it with a six-month holdout (all fitted keys), and
reports: wall and CPU time, simulations run, the fit against the budget (best
loss after each batch), how many true values fall inside the reported
intervals, which keys came out not identified, and the holdout forecast
against what happened. The load average at the start and end is recorded:
the machine is shared, and a busy machine makes the wall time longer. Raw
numbers go to ``benchmarks/results/calibration.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from orgmodel.calibration.fit import HISTORY, loss, simulate_targets, summarise_runs  # noqa: E402
from orgmodel.calibration.holdout import tail_export  # noqa: E402
from orgmodel.calibration.run import calibrate  # noqa: E402
from orgmodel.calibration.targets import compute_targets, window_years  # noqa: E402
from orgmodel.crm.synthesize import synthesize  # noqa: E402
from orgmodel.scenario.schema import Scenario  # noqa: E402

TRUTH = {"spoiledness": 0.35, "cross_sell_lines_mean": 3.5, "churn_base": 0.12, "hours_per_lead": 7.0}
REFERENCE = {"salespeople": 20, "market_size": 3000}
HOLDOUT_SHOWN = ("revenue_per_year", "new_clients_per_salesperson_year", "active_clients_end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--holdout-months", type=int, default=6)
    parser.add_argument("--slice-points", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "calibration.json")
    args = parser.parse_args()

    load_start = os.getloadavg()
    truth = Scenario(**REFERENCE, **TRUTH)
    export = synthesize(truth, seed=2026, years=3, history_years=2)
    work = Path(tempfile.mkdtemp(prefix="bench_calibration."))
    progress: list[tuple[int, float, float]] = []
    t0 = time.perf_counter()
    cpu0 = time.process_time()

    def on_batch(done: int, budget: int, best: float) -> None:
        progress.append((done, best, time.perf_counter() - t0))
        print(f"{done:4d}/{budget} trials  best loss {best:9.2f}  {time.perf_counter() - t0:7.1f} s", flush=True)

    try:
        result = calibrate(
            export.tables,
            export.window,
            work / "study.db",
            budget=args.budget,
            workers=args.workers,
            holdout_months=args.holdout_months,
            n_seeds=args.seeds,
            slice_points=args.slice_points,
            progress=on_batch,
            source="reference company (synthetic)",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
    # the truth's own forecast of the held-out months (its runs with the calibration's common seeds): how far
    # a perfect calibration would be from the one observed draw
    cut = pd.Timestamp(result.holdout["from"])
    truth_tail = pd.DataFrame(
        [
            compute_targets(*tail_export(r.tables, r.window, cut))
            for r in (synthesize(truth, seed=s, years=3, history_years=2) for s in result.seeds)
        ]
    )
    # the loss at the truth's own values (same common seeds, same scales): is the truth where the objective is
    # low (then a larger budget finds it), or does the objective reward a wrong region?
    fitted = {p.key for p in result.parameters}
    truth_params = {k: getattr(truth, k) for k in fitted if k != HISTORY} | {HISTORY: 2}
    base = result.scenario.model_dump(exclude={"interventions"})
    fit_years = window_years(result.fit_window)
    truth_runs = [simulate_targets(base, truth_params, s, result.fit_window[0], fit_years) for s in result.seeds]
    truth_loss = loss(summarise_runs(truth_runs)[0], result.observed, result.scales)
    fits = {p.key: p for p in result.parameters}
    inside = {k: fits[k].low - 1e-9 <= v <= fits[k].high + 1e-9 for k, v in TRUTH.items()}
    inside["history_years"] = fits["history_years"].low - 1e-9 <= 2 <= fits["history_years"].high + 1e-9
    h = result.holdout
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "company": {**REFERENCE, "years_of_data": 3, "history_years": 2, **TRUTH},
        "budget": args.budget,
        "seeds": args.seeds,
        "workers": args.workers,
        "slice_points": args.slice_points,
        "wall_s": round(wall, 1),
        "cpu_s_incl_workers": round(cpu, 1),
        "simulations": result.simulations,
        "best_loss": result.best_loss,
        "loss_at_truth": truth_loss,
        "loss_limit": result.loss_limit,
        "targets": len(result.scales),
        "fit_against_budget": [{"trials": d, "best_loss": round(b, 3), "wall_s": round(w, 1)} for d, b, w in progress],
        "truth_inside_interval": inside,
        "not_identified": [p.key for p in result.parameters if not p.identified],
        "parameters": {p.key: {"value": p.value, "low": p.low, "high": p.high} for p in result.parameters},
        "holdout_revenue_per_year": {
            "forecast": h["forecast"]["revenue_per_year"],
            "observed": h["observed"]["revenue_per_year"],
        },
        "holdout": {
            name: {
                "forecast": h["forecast"][name],
                "low": h["forecast_low"][name],
                "high": h["forecast_high"][name],
                "observed": h["observed"][name],
                "truth_runs_mean": float(truth_tail[name].mean()),
                "truth_runs_low": float(truth_tail[name].min()),
                "truth_runs_high": float(truth_tail[name].max()),
            }
            for name in HOLDOUT_SHOWN
        },
        "estimated": {
            k: {"value": e.value, "interval": e.interval, "truth": getattr(truth, k)} for k, e in result.estimates.items()
        },
        "target_z": {k: round((result.simulated[k] - result.observed[k]) / scale, 2) for k, scale in result.scales.items()},
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, default=float), encoding="utf-8")
    shown = ("wall_s", "cpu_s_incl_workers", "simulations", "best_loss", "loss_at_truth", "truth_inside_interval")
    print(json.dumps({k: record[k] for k in shown}))
    fc, obs = h["forecast"]["revenue_per_year"], h["observed"]["revenue_per_year"]
    print(f"holdout revenue per year: forecast {fc:,.0f}, observed {obs:,.0f}")
    for name, row in record["holdout"].items():
        band = f"{row['low']:.4g} to {row['high']:.4g}"
        truth_band = f"{row['truth_runs_low']:.4g} to {row['truth_runs_high']:.4g}"
        print(
            f"holdout {name}: forecast {row['forecast']:.4g} ({band}), observed {row['observed']:.4g}, "
            f"truth's runs {row['truth_runs_mean']:.4g} ({truth_band})"
        )
    print(f"load average start {load_start}, end {os.getloadavg()}; written {args.out}")


if __name__ == "__main__":
    main()
