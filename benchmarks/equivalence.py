"""Is it still the same model? Outcome distributions of two versions of the code, compared.

Run from the repository root::

    python benchmarks/equivalence.py --against REF                 # every scenario, 30 seeds, full size
    python benchmarks/equivalence.py --against REF --size small    # 6 salespeople, 900 companies, 5 years
    python benchmarks/equivalence.py --against main~20 --seeds 10 --cases status_quo,pod
    python benchmarks/equivalence.py --against REF --save-ref ref.json  # only REF's runs, kept in ref.json
    python benchmarks/equivalence.py --ref-runs ref.json                # the working tree against them

``REF`` (any commit: a hash, branch, tag, ``main~20``) is checked out into a temporary git
worktree under /tmp (removed afterwards) and its model runs in a subprocess of the same
virtual environment with ``PYTHONPATH`` pointing at it; the working tree's model runs the
same way from this repository. For every built-in scenario and a few non-default ones, over
N seeds, both versions give their final-year revenue, new clients, hunting share, active
clients and contribution (from ``simulate()``'s summary). Per scenario and outcome the two
samples are compared with a two-sample Kolmogorov-Smirnov test, a Mann-Whitney U test and
Welch's t-test, Holm-corrected across the whole family; the means and their 95 % t intervals
are reported too. Exit code 0 when every cell is equivalent at ``--alpha``, 1 when any is not
(or could not be compared), 2 on bad input. The table goes to stdout, everything to
``benchmarks/results/equivalence.json``. ``benchmarks/README.md`` says why these tests and
how large a difference they can see.

The reference side never changes while a rewrite is checked again and again, so it can be run
once: ``--save-ref FILE`` runs only REF and writes its raw runs to FILE (a new file, never
replaced) with the full commit hash, the cases, seeds, seed offset and size, and the versions of
orgmodel and the libraries. ``--ref-runs FILE`` then takes REF's side from FILE instead of
running it; the comparison and the report are those of a run against that commit, and say
where the runs came from. A file that is missing, damaged, names no commit or was made with
other cases, seeds, seed offset or size than asked, or an ``--against`` naming another commit,
is refused (exit 2) before anything runs.

:func:`compare` works on any two sets of run summaries (or outcome dicts), without git; the
tests use it directly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refcheckout  # sibling module (this folder is not a package)

ROOT = refcheckout.ROOT
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "equivalence.json"
MARK = "@@EQUIV@@"

# outcome -> the summary's yearly list whose last (final-year) value is compared
OUTCOMES: dict[str, str] = {
    "revenue": "annual_revenue",
    "new_clients": "annual_new_clients",
    "hunting_share": "annual_hunting_share",
    "active_clients": "active_clients_end_of_year",
    "contribution": "annual_contribution",
}
TESTS = ("ks", "mann_whitney", "welch")

# Non-default cases on top of the built-ins: (built-in scenario, full-size overrides). Each moves
# a mechanism the built-ins leave at its default: headcount that follows revenue, a market twice
# the size (more prospects per salesperson), and clients who leave most specification to the
# supplier (service crowds out hunting sooner).
EXTRA_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "status_quo+hire_on_revenue": ("status_quo", {"management_response": "hire_on_revenue"}),
    "status_quo+market_6000": ("status_quo", {"market_size": 6000}),
    "status_quo+spoiledness_0.9": ("status_quo", {"spoiledness": 0.9}),
}

# Sizes: None keeps each scenario's own sizes; otherwise headcounts and market are multiplied by
# ``factor`` (rounded, at least 1 person where the scenario has any) and the horizon set to ``years``.
SIZES: dict[str, dict[str, float] | None] = {
    "full": None,
    "small": {"factor": 0.3, "years": 5},  # the reference's 20 / 3,000 / 10 years -> 6 / 900 / 5
}
REF_SEED_OFFSET = 100_000  # REF runs seeds 100001.. unless --same-seeds (see README: why)
INTERVAL_LEVEL = 0.95
POWER = 0.8


# --- running one version ----------------------------------------------------------------------------


def cases(names: Sequence[str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every built-in scenario (no overrides) and the extra cases, optionally only ``names``."""
    from orgmodel.scenario.builtin import names as builtin_names

    every = {name: (name, {}) for name in builtin_names()} | EXTRA_CASES
    if names is None:
        return every
    unknown = [n for n in names if n not in every]
    if unknown:
        raise ValueError(f"--cases: unknown case {unknown[0]!r}; allowed: {', '.join(every)}")
    return {n: every[n] for n in names}


def scaled(scenario: Any, size: Mapping[str, float] | None) -> Any:
    """The scenario at ``size`` (see SIZES); the scenario itself for ``None``."""
    if size is None:
        return scenario
    factor = size["factor"]
    changes: dict[str, Any] = {
        "years": int(size["years"]),
        "market_size": max(10, round(scenario.market_size * factor)),
        "salespeople": max(1, round(scenario.salespeople * factor)),
    }
    if scenario.account_managers:
        changes["account_managers"] = max(1, round(scenario.account_managers * factor))
    return scenario.with_(**changes)


def final_outcomes(summary: Mapping[str, Any]) -> dict[str, float]:
    """The compared numbers of one run: each outcome's final-year value (NaN if the summary lacks it)."""
    out = {}
    for name, key in OUTCOMES.items():
        series = summary.get(key)
        out[name] = float(series[-1]) if series else math.nan
    return out


def make_tasks(
    chosen: Mapping[str, tuple[str, Mapping[str, Any]]], seeds: Sequence[int], size: Mapping[str, float] | None
) -> list[dict[str, Any]]:
    """One task per case and seed: what ``run_one`` needs, and nothing that depends on the version."""
    return [
        {"case": name, "builtin": builtin, "overrides": overrides, "seed": seed, "size": size}
        for name, (builtin, overrides) in chosen.items()
        for seed in seeds
    ]


def run_one(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one case with one seed with whatever ``orgmodel`` is importable; its final outcomes."""
    from orgmodel.scenario.builtin import load_builtin
    from orgmodel.simulate import simulate

    c0 = time.process_time()
    out: dict[str, Any] = {"case": task["case"], "seed": task["seed"]}
    try:
        scenario = scaled(load_builtin(task["builtin"], dict(task["overrides"]) or None), task["size"])
    except Exception as exc:  # a scenario this version does not know is reported, not fatal
        out["error"] = f"{type(exc).__name__}: {exc}"
        return out
    result = simulate(scenario, seed=task["seed"])
    out["outcomes"] = final_outcomes(result.summary)
    out["cpu_s"] = time.process_time() - c0
    return out


def collect(tasks: Sequence[Mapping[str, Any]], workers: int = 1) -> list[dict[str, Any]]:
    """Run the tasks in this process's ``orgmodel``, on ``workers`` processes; results in task order.

    Every task carries its own seed, so the results do not depend on the number of workers.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [run_one(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_one, tasks, chunksize=max(1, len(tasks) // (8 * workers))))


def run_version(root: Path, tasks: Sequence[Mapping[str, Any]], workers: int) -> list[dict[str, Any]]:
    """Run the tasks with the model of the tree at ``root``, in a subprocess of this interpreter."""
    request = json.dumps({"root": str(root), "tasks": list(tasks), "workers": workers})
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        input=request,
        capture_output=True,
        text=True,
        cwd=root,
        env=refcheckout.env_for(root),
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"model runs at {root} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARK) :])


def _worker_main() -> int:
    request = json.loads(sys.stdin.read())
    refcheckout.assert_imported_from(request["root"])
    print(MARK + json.dumps(collect(request["tasks"], request["workers"])), flush=True)
    return 0


def library_versions(root: Path) -> dict[str, str]:
    """``orgmodel.__version__`` of the tree at ``root`` and the versions of the libraries its runs used."""
    code = (
        "import json, importlib.metadata as m, orgmodel; "
        "print(json.dumps({'orgmodel': orgmodel.__version__} | "
        "{p: m.version(p) for p in ('mesa', 'numpy', 'networkx', 'scipy')}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=refcheckout.env_for(root), check=True
    )
    return json.loads(proc.stdout)


# --- saved reference runs (--save-ref, --ref-runs) --------------------------------------------------

REF_RUNS_KIND = "orgmodel equivalence reference runs"


def ref_settings(chosen: Mapping[str, tuple[str, Mapping[str, Any]]], seeds: Sequence[int], size: str) -> dict[str, Any]:
    """What a saved reference side was run with; ``--ref-runs`` accepts a file only if this matches exactly."""
    return {
        "size": size,
        "size_spec": SIZES[size],
        "cases": {name: {"builtin": b, "overrides": dict(o)} for name, (b, o) in chosen.items()},
        "seed_offset": seeds[0] - 1,
        "seeds": list(seeds),
    }


def _brief(key: str, value: Any) -> str:
    if key == "cases" and isinstance(value, Mapping):
        return f"cases {','.join(value)}"
    if key == "seeds" and isinstance(value, list) and value:
        return f"{len(value)} seeds ({value[0]}..{value[-1]})"
    return f"{key} {value!r}"


def read_ref_runs(path: Path, expected: Mapping[str, Any]) -> dict[str, Any]:
    """A file written by ``--save-ref``, checked against the settings asked for now.

    Raises:
        ValueError: one line naming the file and what is wrong: it is missing, not such a file,
            names no commit, holds runs other than those of ``expected``, or was made with other
            cases, seeds, seed offset or size.
    """
    where = f"--ref-runs '{path}'"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file; write one with --save-ref FILE --against REF") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{where}: cannot read it ({type(exc).__name__}); give a file written by --save-ref") from None
    if not isinstance(saved, dict) or saved.get("kind") != REF_RUNS_KIND or not isinstance(saved.get("runs"), list):
        raise ValueError(f"{where}: not a file written by --save-ref")
    commit = saved.get("commit")
    if not (isinstance(commit, str) and len(commit) == 40 and all(ch in "0123456789abcdef" for ch in commit)):
        raise ValueError(f"{where}: names no commit (a full 40-digit hash is needed); write it again with --save-ref")
    settings = saved.get("settings") if isinstance(saved.get("settings"), dict) else {}
    for key, want in expected.items():  # size first, then cases, seed offset, seeds: the most telling difference
        if settings.get(key) != want:
            raise ValueError(
                f"{where}: made with {_brief(key, settings.get(key))}, but this run asks for {_brief(key, want)}; "
                "ask for the same or save the reference again with --save-ref"
            )
    wanted = sorted((case, seed) for case in expected["cases"] for seed in expected["seeds"])
    try:
        held = sorted((r["case"], r["seed"]) for r in saved["runs"] if "outcomes" in r or "error" in r)
        complete = all(
            set(r["outcomes"]) == set(OUTCOMES) and all(isinstance(v, int | float) for v in r["outcomes"].values())
            for r in saved["runs"]
            if "outcomes" in r
        )
    except (TypeError, KeyError):
        held, complete = [], False
    if held != wanted or not complete:
        raise ValueError(f"{where}: damaged (its runs are not one per case and seed, each with every outcome as a number)")
    return saved


def save_ref(args: argparse.Namespace, commit: str, chosen: Mapping[str, tuple[str, Any]], seeds: list[int]) -> int:
    """``--save-ref``: run only the reference side and write its runs, settings and environment to a new file."""
    label = f"{args.against or 'HEAD'} ({commit[:7]})"
    _say(f"equivalence: saving the runs of {label} to {args.save_ref}")
    _say(
        f"{len(chosen)} cases x {len(seeds)} seeds, size {args.size}, {args.workers} workers, "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    env: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "workers": args.workers,
        "load_avg_start": os.getloadavg(),
    }
    t0 = time.perf_counter()
    with refcheckout.checkout(commit) as ref_root:
        runs = run_version(ref_root, make_tasks(chosen, seeds, SIZES[args.size]), args.workers)
        env["versions"] = library_versions(ref_root)
    env |= {
        "wall_s": time.perf_counter() - t0,
        "cpu_s_runs": sum(r.get("cpu_s", 0.0) for r in runs),
        "load_avg_end": os.getloadavg(),
    }
    saved = {
        "kind": REF_RUNS_KIND,
        "commit": commit,
        "against": args.against or "HEAD",
        "settings": ref_settings(chosen, seeds, args.size),
        "outcomes": OUTCOMES,
        "environment": env,
        "runs": runs,
    }
    try:
        write_ref_runs(args.save_ref, saved)
    except OSError as exc:
        print(f"--save-ref '{args.save_ref}': {exc.strerror or exc}", file=sys.stderr)
        return 2
    errors = sorted({f"{r['case']}: {r['error']}" for r in runs if "error" in r})
    for err in errors:
        _say(f"  could not run {err}")
    _say(f"wrote {len(runs)} runs of {label} to {args.save_ref} ({env['wall_s']:.0f} s)")
    return 1 if errors else 0


def write_ref_runs(path: Path, saved: Mapping[str, Any]) -> None:
    """Write ``saved`` to ``path``, which must not exist: not even a file made meanwhile is replaced."""
    with path.open("x", encoding="utf-8") as out:
        out.write(json.dumps(saved, indent=1) + "\n")


# --- the comparison ---------------------------------------------------------------------------------


def _values(runs: Sequence[Mapping[str, Any]], outcome: str) -> np.ndarray:
    """One outcome over runs given either as summaries or as ``final_outcomes`` dicts; NaNs dropped."""
    vals = [r[outcome] if outcome in r else final_outcomes(r)[outcome] for r in runs]
    arr = np.asarray(vals, dtype=float)
    return arr[~np.isnan(arr)]


def _interval(x: np.ndarray, level: float = INTERVAL_LEVEL) -> tuple[float, float]:
    from scipy import stats

    if len(x) < 2:
        return (math.nan, math.nan)
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return (float(x.mean() - half), float(x.mean() + half))


def _p_values(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Raw p-values of the three two-sample tests; exact 1 or 0 when both samples are constant."""
    from scipy import stats

    if np.ptp(x) == 0 and np.ptp(y) == 0:  # no spread anywhere: the tests are undefined, equality is not
        same = 1.0 if x[0] == y[0] else 0.0
        return dict.fromkeys(TESTS, same)
    with warnings.catch_warnings():  # ties (counts) make the exact KS fall back to the asymptotic p: expected
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = float(stats.ks_2samp(x, y).pvalue)
    return {
        "ks": ks,
        "mann_whitney": float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue),
        "welch": float(stats.ttest_ind(x, y, equal_var=False).pvalue),
    }


def detectable_shift(x: np.ndarray, y: np.ndarray, alpha: float, power: float = POWER) -> float:
    """The mean difference a two-sided t-test at ``alpha`` finds with probability ``power``.

    Computed from the pooled standard deviation of the two samples at their sizes: it is the
    smallest change in the outcome this comparison can be trusted to notice.
    """
    from statsmodels.stats.power import TTestIndPower

    sd = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    if sd == 0:
        return 0.0
    d = TTestIndPower().solve_power(effect_size=None, nobs1=len(x), ratio=len(y) / len(x), alpha=alpha, power=power)
    return float(d * sd)


def compare(
    a: Mapping[str, Sequence[Mapping[str, Any]]] | Sequence[Mapping[str, Any]],
    b: Mapping[str, Sequence[Mapping[str, Any]]] | Sequence[Mapping[str, Any]],
    alpha: float = 0.05,
    outcomes: Sequence[str] = tuple(OUTCOMES),
) -> dict[str, Any]:
    """Compare two versions' runs, case by case and outcome by outcome.

    Args:
        a: runs of version A, per case (``{case: [run, ...]}``), or one list of runs. A run is a
            ``simulate()`` summary or a ``final_outcomes`` dict.
        b: the same for version B.
        alpha: family-wise error rate: the p-values of every test of every cell are Holm-corrected
            together, and a cell is "different" when any of its corrected p-values is below alpha.
        outcomes: which outcomes to compare.

    Returns:
        ``{"alpha", "family_size", "all_equivalent", "cells": [...]}``; each cell holds the sample
        sizes, means, 95 % t intervals, raw and Holm-adjusted p-values, whether each mean lies
        inside the other's interval, the detectable shift and its verdict ("equivalent",
        "different" or "not compared" when either side has fewer than 3 runs).

    """
    from statsmodels.stats.multitest import multipletests

    if not isinstance(a, Mapping):
        a = {"runs": a}
    if not isinstance(b, Mapping):
        b = {"runs": b}
    cells: list[dict[str, Any]] = []
    for case in [*a, *(c for c in b if c not in a)]:
        for outcome in outcomes:
            x, y = _values(a.get(case, []), outcome), _values(b.get(case, []), outcome)
            cell: dict[str, Any] = {"case": case, "outcome": outcome, "n_a": len(x), "n_b": len(y)}
            if len(x) < 3 or len(y) < 3:
                cell["verdict"] = "not compared"
                cells.append(cell)
                continue
            ci_a, ci_b = _interval(x), _interval(y)
            cell |= {
                "mean_a": float(x.mean()),
                "mean_b": float(y.mean()),
                "sd_a": float(x.std(ddof=1)),
                "sd_b": float(y.std(ddof=1)),
                "ci_a": ci_a,
                "ci_b": ci_b,
                "p": _p_values(x, y),
                # informative, not part of the verdict: see README (about one cell in five fails it by chance)
                "means_in_other_interval": bool(
                    (ci_b[0] <= x.mean() <= ci_b[1] and ci_a[0] <= y.mean() <= ci_a[1]) or x.mean() == y.mean()
                ),
            }
            cells.append(cell)
    tested = [c for c in cells if "p" in c]
    family = [c["p"][t] for c in tested for t in TESTS]
    if family:
        reject, adjusted, _, _ = multipletests(family, alpha=alpha, method="holm")
        for i, cell in enumerate(tested):
            part = slice(i * len(TESTS), (i + 1) * len(TESTS))
            cell["p_holm"] = dict(zip(TESTS, (float(p) for p in adjusted[part]), strict=True))
            cell["verdict"] = "different" if reject[part].any() else "equivalent"
    m = max(1, len(family))
    for cell in tested:
        x, y = _values(a[cell["case"]], cell["outcome"]), _values(b[cell["case"]], cell["outcome"])
        cell["detectable_shift"] = detectable_shift(x, y, alpha)
        cell["detectable_shift_holm_strictest"] = detectable_shift(x, y, alpha / m)
    return {
        "alpha": alpha,
        "family_size": len(family),
        "all_equivalent": bool(cells) and all(c["verdict"] == "equivalent" for c in cells),
        "cells": cells,
    }


def power_by_outcome(comparison: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Per outcome, the median over cases of the detectable shift, absolute and as % of the mean."""
    out: dict[str, dict[str, float]] = {}
    for outcome in OUTCOMES:
        cells = [c for c in comparison["cells"] if c["outcome"] == outcome and "detectable_shift" in c]
        if not cells:
            continue

        def pct(key: str, cells: list[dict[str, Any]] = cells) -> float:
            shares = [100 * c[key] / abs(c["mean_a"]) for c in cells if c["mean_a"]]
            return float(np.median(shares)) if shares else math.nan

        out[outcome] = {
            "median_sd": float(np.median([(c["sd_a"] + c["sd_b"]) / 2 for c in cells])),
            "shift": float(np.median([c["detectable_shift"] for c in cells])),
            "shift_pct_of_mean": pct("detectable_shift"),
            "shift_holm_strictest": float(np.median([c["detectable_shift_holm_strictest"] for c in cells])),
            "shift_holm_strictest_pct_of_mean": pct("detectable_shift_holm_strictest"),
        }
    return out


# --- the report -------------------------------------------------------------------------------------


def _g(v: float) -> str:
    return f"{v:.4g}" if isinstance(v, float) and math.isfinite(v) else "nan"


def print_table(comparison: Mapping[str, Any], label_a: str, label_b: str) -> None:
    """One row per case and outcome: both means with intervals, raw p-values, the smallest Holm p, the verdict."""
    head = (
        f"{'case':34s} {'outcome':15s} {'A: ' + label_a:>30s} {'B: ' + label_b:>30s} "
        f"{'KS p':>6s} {'MW p':>6s} {'Welch p':>7s} {'Holm p':>7s} {'in CI':>5s}  verdict"
    )
    print(head)
    print("-" * len(head))
    for c in comparison["cells"]:
        if "p" not in c:
            print(f"{c['case']:34s} {c['outcome']:15s} n = {c['n_a']} / {c['n_b']}: {c['verdict']}")
            continue
        a = f"{_g(c['mean_a'])} [{_g(c['ci_a'][0])}, {_g(c['ci_a'][1])}]"
        b = f"{_g(c['mean_b'])} [{_g(c['ci_b'][0])}, {_g(c['ci_b'][1])}]"
        p, holm = c["p"], min(c["p_holm"].values())
        flag = "" if c["verdict"] == "equivalent" else "   <=="
        print(
            f"{c['case']:34s} {c['outcome']:15s} {a:>30s} {b:>30s} {p['ks']:6.3f} {p['mann_whitney']:6.3f} "
            f"{p['welch']:7.3f} {holm:7.3f} {'yes' if c['means_in_other_interval'] else 'NO':>5s}  {c['verdict']}{flag}"
        )


def _say(text: str = "") -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run both versions, compare, print, write the JSON; exit 0 if every cell is equivalent."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", help="the reference commit (default HEAD; with --ref-runs: the file's commit)")
    ap.add_argument("--seeds", type=int, default=30, help="runs per case and version (default 30)")
    ap.add_argument("--size", choices=sorted(SIZES), default="full", help="full (scenario sizes) or small (default full)")
    ap.add_argument("--alpha", type=float, default=0.05, help="family-wise error rate (default 0.05)")
    ap.add_argument("--cases", help="comma-separated subset of the cases (default: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes per version (default: all cores)")
    ap.add_argument("--same-seeds", action="store_true", help="REF runs the same seeds as the working tree")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    saved_ref = ap.add_mutually_exclusive_group()
    saved_ref.add_argument("--save-ref", type=Path, metavar="FILE", help="only run REF and keep its runs in FILE (new)")
    saved_ref.add_argument(
        "--ref-runs", type=Path, metavar="FILE", help="REF's runs from FILE (--save-ref) instead of running REF"
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return _worker_main()
    if str(ROOT) not in sys.path:  # the driver lists the working tree's cases (the worker imports from PYTHONPATH)
        sys.path.insert(0, str(ROOT))

    problem = None
    if args.seeds < 3:
        problem = "--seeds: must be at least 3 (30 for the documented power)"
    elif not 0 < args.alpha < 1:
        problem = "--alpha: must be between 0 and 1"
    elif args.workers < 1:
        problem = "--workers: must be at least 1"
    elif args.save_ref is not None and (args.save_ref.exists() or not args.save_ref.parent.is_dir()):
        why = (
            "exists; choose another name (saved runs are never replaced)"
            if args.save_ref.exists()
            else "is in a folder that does not exist"
        )
        problem = f"--save-ref '{args.save_ref}' {why}"
    seeds_a = list(range(1, args.seeds + 1))
    seeds_b = seeds_a if args.same_seeds else [REF_SEED_OFFSET + s for s in seeds_a]
    size = SIZES[args.size]
    saved: dict[str, Any] | None = None
    try:
        chosen = cases(args.cases.split(",") if args.cases else None) if problem is None else {}
        if problem is None and args.ref_runs is not None:
            saved = read_ref_runs(args.ref_runs, ref_settings(chosen, seeds_b, args.size))
        commit = ""
        if problem is None and (saved is None or args.against):  # with --ref-runs, --against only double-checks
            commit = refcheckout.resolve(args.against or "HEAD")
        if saved is not None and commit not in ("", saved["commit"]):
            holds = f"--ref-runs '{args.ref_runs}' holds the runs of {saved['commit'][:7]}"
            problem = f"--against: {args.against!r} is {commit[:7]}, but {holds}"
        elif saved is not None:
            commit = saved["commit"]
    except ValueError as exc:  # RefError is a ValueError
        problem = str(exc)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.save_ref is not None:
        return save_ref(args, commit, chosen, seeds_b)

    here = refcheckout.describe_working_tree()
    env = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg(),
        "working_tree": here,
        "against": saved["against"] if saved else args.against or "HEAD",
        "against_commit": commit,
    }
    if saved is not None:
        env["ref_runs_file"] = str(args.ref_runs)
        env["ref_runs_environment"] = saved["environment"]
    label_a = f"{here['commit']}{'+dirty' if here['dirty'] else ''}"
    label_b = commit[:7]
    _say(f"equivalence: working tree ({label_a}) against {env['against']} ({label_b})")
    if saved is not None:
        _say(f"  {env['against']}'s runs are taken from {args.ref_runs} (commit {commit}, saved {saved['environment']['date']})")
    _say(
        f"{len(chosen)} cases x {args.seeds} seeds{'' if saved else ' x 2 versions'}, size {args.size}, "
        f"{args.workers} workers per version, "
        f"load average {', '.join(f'{x:.2f}' for x in env['load_avg_start'])}"
    )
    t0 = time.perf_counter()
    _say("  running the working tree ...")
    runs_a = run_version(ROOT, make_tasks(chosen, seeds_a, size), args.workers)
    if saved is not None:
        runs_b = saved["runs"]
    else:
        _say(f"  running {env['against']} in a temporary worktree ...")
        with refcheckout.checkout(commit) as ref_root:
            runs_b = run_version(ref_root, make_tasks(chosen, seeds_b, size), args.workers)
    env["wall_s"] = time.perf_counter() - t0
    env["load_avg_end"] = os.getloadavg()

    def by_case(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, float]]]:
        return {name: [r["outcomes"] for r in runs if r["case"] == name and "outcomes" in r] for name in chosen}

    errors = sorted({f"{r['case']}: {r['error']}" for r in runs_a + runs_b if "error" in r})
    comparison = compare(by_case(runs_a), by_case(runs_b), alpha=args.alpha)
    power = power_by_outcome(comparison)

    _say()
    print_table(comparison, label_a, label_b)
    _say()
    n_diff = sum(c["verdict"] != "equivalent" for c in comparison["cells"])
    n_ci = sum(not c.get("means_in_other_interval", True) for c in comparison["cells"])
    _say(
        f"{len(comparison['cells'])} cells, {comparison['family_size']} tests, Holm at alpha {args.alpha}: "
        f"{n_diff} not equivalent; {n_ci} with a mean outside the other's 95% interval (informative)"
    )
    for err in errors:
        _say(f"  could not run {err}")
    _say()
    _say(f"detectable shift at {args.seeds} seeds (power {POWER:.0%}; median over cases, % of the mean):")
    for outcome, pw in power.items():
        _say(
            f"  {outcome:15s} one test at alpha {args.alpha}: {_g(pw['shift'])} ({pw['shift_pct_of_mean']:.1f}%)   "
            f"Holm's strictest step: {_g(pw['shift_holm_strictest'])} ({pw['shift_holm_strictest_pct_of_mean']:.1f}%)"
        )
    verdict = "EQUIVALENT" if comparison["all_equivalent"] else "NOT EQUIVALENT"
    _say()
    source = f"; {label_b}'s runs from {args.ref_runs}" if saved else ""
    _say(f"verdict: {verdict}   ({env['wall_s']:.0f} s{source})")

    results = {
        "environment": env,
        "settings": {
            "seeds_working_tree": seeds_a,
            "seeds_against": seeds_b,
            "size": args.size,
            "size_spec": size,
            "cases": {name: {"builtin": b, "overrides": o} for name, (b, o) in chosen.items()},
            "outcomes": OUTCOMES,
        },
        "comparison": comparison,
        "power_by_outcome": power,
        "errors": errors,
        "runs": {"working_tree": runs_a, "against": runs_b},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    _say(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if comparison["all_equivalent"] and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
