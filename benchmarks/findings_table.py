"""Regenerate the README's "What the model shows" tables from runs of the current defaults.

    python benchmarks/findings_table.py                 # 10 seeds, 2 worker processes
    python benchmarks/findings_table.py --seeds 3 --workers 1
    python benchmarks/findings_table.py --json benchmarks/results/findings.json

Prints two Markdown tables (the four arms of the headline table, then the costs of growth and
change) with the mean over seeds 0..N-1 of each arm, the same seeds ``tests/test_claims.py``
uses. Nothing is tuned or cached: each number comes from the runs made now, so after a
mechanism changes the README table is pasted from this output (and the claim tests re-run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: the headline table's arms: column title -> built-in scenario
HEADLINE = {
    "status quo": "status_quo",
    "hunter/farmer": "hunter_farmer",
    "hunter/farmer, fixed 20 people": "hunter_farmer_fixed_headcount",
    "full cycle + new-client bonus": "new_client_bonus",
}
#: the growth-and-change table's arms: column title -> (built-in scenario, key changes)
CHANGE = {
    "status quo": ("status_quo", {}),
    "hire on revenue": ("status_quo", {"management_response": "hire_on_revenue"}),
    "restructured in week 209": ("status_quo_restructured_year5", {}),
    "restructured + 52-week pay guarantee": ("status_quo_restructured_year5", {"pay_guarantee_weeks": 52}),
    "replace low performers": ("status_quo_replace_low_performers", {}),
}


def run(scenario: str, changes: dict[str, Any], seed: int) -> dict[str, Any]:
    """One run's summary (intervention keys in ``changes`` go into its first intervention)."""
    from orgmodel.scenario.builtin import load_builtin
    from orgmodel.scenario.schema import Intervention
    from orgmodel.simulate import simulate

    base = load_builtin(scenario)
    if changes and base.interventions:
        first = base.interventions[0]
        moved = Intervention(week=first.week, set={**first.set, **changes}, note=first.note)
        base = base.with_(interventions=[moved, *base.interventions[1:]])
    elif changes:
        base = base.with_(**changes)
    return simulate(base, seed=seed).summary


def _mean(runs: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.mean(np.array([r[key] for r in runs], dtype=float), axis=0)


def _m(x: float) -> str:
    return f"{x / 1e6:.1f}"


def headline_rows(arms: dict[str, list[dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    """The headline table's rows, one cell per arm."""
    rows: dict[str, list[str]] = {}
    for runs in arms.values():
        rev = _mean(runs, "annual_revenue")
        growth = np.mean([(r["annual_revenue"][9] / r["annual_revenue"][6]) ** (1 / 3) - 1 for r in runs])
        new = np.array([r["annual_new_clients"] for r in runs], dtype=float)
        hunting = _mean(runs, "annual_hunting_share")
        cells = {
            "revenue year 1 / 3 / 10 (millions)": f"{_m(rev[0])} / {_m(rev[2])} / {_m(rev[9])}",
            "mean revenue growth, years 7-10": f"{growth:.1%}",
            "new clients: best year / mean of years 8-10": f"{new.max(axis=1).mean():.0f} / {new[:, 7:10].mean():.0f}",
            "hunting share of salespeople's hours, year 1 / years 8-10": f"{hunting[0]:.2f} / {hunting[7:10].mean():.2f}",
            "contribution year 10 (gross margin minus all sales costs, millions)": _m(_mean(runs, "annual_contribution")[9]),
            "cost of sales year 10 (pay, managers, recruiting; millions)": _m(_mean(runs, "annual_cost_of_sales")[9]),
            "account managers / sales managers at year 10": (
                f"{_mean(runs, 'account_managers_end_of_year')[9]:.0f} / {_mean(runs, 'managers_end_of_year')[9]:.0f}"
            ),
            "people who left a year (mean of years 1-10) / hired in 10 years": (
                f"{_mean(runs, 'annual_people_left').mean():.1f} / {np.mean([r['hires_total'] for r in runs]):.0f}"
            ),
            "clients lost with a leaver in 10 years": f"{np.mean([r['clients_lost_with_leaver_total'] for r in runs]):.0f}",
            "share of the market's companies that are clients, year 10": (
                f"{np.mean([r['market_share_of_companies'] for r in runs]):.0%}"
            ),
        }
        for label, cell in cells.items():
            rows.setdefault(label, []).append(cell)
    return list(rows.items())


def change_rows(arms: dict[str, list[dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    """The growth-and-change table's rows, one cell per arm."""
    rows: dict[str, list[str]] = {}
    for runs in arms.values():
        rev = _mean(runs, "annual_revenue")
        con = _mean(runs, "annual_contribution")
        left = _mean(runs, "annual_left_salesperson") + _mean(runs, "annual_left_account_manager")
        lost = _mean(runs, "annual_clients_lost_with_leaver")
        cells = {
            "revenue year 4 / 5 / 6 / 10 (millions)": f"{_m(rev[3])} / {_m(rev[4])} / {_m(rev[5])} / {_m(rev[9])}",
            "contribution year 4 / 5 / 6 / 10 (millions)": f"{_m(con[3])} / {_m(con[4])} / {_m(con[5])} / {_m(con[9])}",
            "people who left, years 5-6 (quit / let go)": (
                f"{left[4:6].sum() - _mean(runs, 'annual_left_let_go')[4:6].sum():.1f} / "
                f"{_mean(runs, 'annual_left_let_go')[4:6].sum():.1f}"
            ),
            "of them for pay, years 5-6": f"{_mean(runs, 'annual_left_pay')[4:6].sum():.1f}",
            "clients lost with a leaver, years 5-6": f"{lost[4:6].sum():.0f}",
            "salespeople / sales managers at year 10": (
                f"{_mean(runs, 'salespeople_end_of_year')[9]:.0f} / {_mean(runs, 'managers_end_of_year')[9]:.0f}"
            ),
            "hires in 10 years / recruiting cost (millions)": (
                f"{np.mean([r['hires_total'] for r in runs]):.0f} / {_m(np.mean([r['recruiting_cost_total'] for r in runs]))}"
            ),
            "revenue per salesperson, year 10 (millions)": f"{_mean(runs, 'annual_revenue_per_salesperson')[9] / 1e6:.2f}",
            "transition pay (millions)": _m(sum(_mean(runs, "annual_transition_pay"))),
        }
        for label, cell in cells.items():
            rows.setdefault(label, []).append(cell)
    return list(rows.items())


def markdown(titles: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A Markdown table with an empty corner cell."""
    lines = ["| | " + " | ".join(titles) + " |", "|---" * (len(titles) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every arm over the seeds and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per arm (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run's summary here")
    args = parser.parse_args(argv)
    jobs = [("headline", title, name, {}, seed) for title, name in HEADLINE.items() for seed in range(args.seeds)]
    jobs += [("change", title, name, changes, seed) for title, (name, changes) in CHANGE.items() for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        summaries = list(pool.map(run, [j[2] for j in jobs], [j[3] for j in jobs], [j[4] for j in jobs]))
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {"headline": {}, "change": {}}
    for (table, title, *_), summary in zip(jobs, summaries, strict=True):
        tables[table].setdefault(title, []).append(summary)
    print(f"Mean of {args.seeds} seeds (0-{args.seeds - 1}) on the default calibration:\n")
    print(markdown(list(HEADLINE), headline_rows(tables["headline"])))
    print()
    print(markdown(list(CHANGE), change_rows(tables["change"])))
    if args.json is not None:
        args.json.write_text(json.dumps(tables, default=float, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
