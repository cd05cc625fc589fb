"""Findings in plain words, written from the numbers of an experiment.

Every sentence here is built from a computed table (arm comparisons, time
shares, sensitivity indices, failures) and says what the numbers support and
no more: a difference is called clear only when its Holm-adjusted p-value is
below :data:`ALPHA`, intervals are quoted with the estimates, and a
sensitivity ranking warns when its intervals overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from orgmodel.analysis.compare import holm
from orgmodel.analysis.outcomes import Outcome

ALPHA = 0.05
MAX_ARM_SENTENCES = 6
NEGLIGIBLE_SHARE = 0.005  # of hours: below this a share is written "under 1%" (or not at all)
ERROR_CHARS = 240  # of an error message quoted in the findings
WIDE_SOBOL_INTERVAL = 0.25  # half-width beyond which a Sobol index says little
SOBOL_RANGE_SLACK = 0.05  # how far outside 0-1 a Sobol estimate may stray by sampling noise before we say so


def p_text(p: float) -> str:
    """A p-value as written in a report ("p < 0.001", "p = 0.03")."""
    if p is None or not math.isfinite(p):
        return "no test (fewer than two runs with spread in an arm)"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def ratio_text(x: float) -> str:
    """A ratio of means ("3.1×")."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def capitalised(text: str) -> str:
    """``text`` with its first letter upper case (arm names start sentences)."""
    return text[:1].upper() + text[1:]


TEST_NAMES = {"welch": "Welch t-test", "paired_t": "paired t-test", "mannwhitney": "Mann-Whitney test"}


def _test_name(row: pd.Series) -> str:
    return TEST_NAMES.get(row["test"], str(row["test"]))


def _clear(row: pd.Series) -> bool:
    return math.isfinite(row["p_holm"]) and row["p_holm"] < ALPHA


def arm_sentence(row: pd.Series, reference: pd.Series, outcome: Outcome, labels: dict[str, str]) -> str:
    """One arm against the reference on one outcome, with interval, adjusted p and the share of pairs of runs it wins."""
    name = capitalised(labels.get(row["arm"], row["arm"]))
    ref = f"the reference's {outcome.format(reference['mean'])}"
    if outcome.has_ratio and math.isfinite(row["ratio"]):
        size = f"{ratio_text(row['ratio'])} {ref} (95% CI {ratio_text(row['ratio_low'])} to {ratio_text(row['ratio_high'])})"
    else:
        size = (
            f"{outcome.format_difference(row['diff'])} against {ref} "
            f"(95% CI {outcome.format_difference(row['diff_low'])} to {outcome.format_difference(row['diff_high'])})"
        )
    test = f"{_test_name(row)} {p_text(row['p_holm'])} after Holm correction"
    if _clear(row):
        wins = (
            f", its runs beat the reference's in {row['superiority']:.0%} of pairs" if math.isfinite(row["superiority"]) else ""
        )
        return f"{name}: {outcome.label} {outcome.format(row['mean'])}, {size}; {test}{wins}."
    return f"{name}: {outcome.label} {outcome.format(row['mean'])}, {size}; not a clear difference ({test})."


def comparison_findings(table: pd.DataFrame, outcome: Outcome, labels: dict[str, str]) -> list[str]:
    """Sentences for the headline outcome: best and worst arm, then each arm against the reference.

    With many arms, the arms beyond :data:`MAX_ARM_SENTENCES` are counted
    rather than described, so the findings stay readable.
    """
    reference = table[table["reference"]].iloc[0]
    others = table[~table["reference"]].dropna(subset=["mean"]).sort_values("mean", ascending=False)
    if others.empty:
        return [f"Only the reference arm has successful runs: {outcome.label} {outcome.format(reference['mean'])}."]
    out = [_extremes(table, outcome, labels)]
    out += [arm_sentence(row, reference, outcome, labels) for _, row in others.head(MAX_ARM_SENTENCES).iterrows()]
    rest = others.iloc[MAX_ARM_SENTENCES:]
    if len(rest):
        higher = int(((rest["p_holm"] < ALPHA) & (rest["diff"] > 0)).sum())
        lower = int(((rest["p_holm"] < ALPHA) & (rest["diff"] < 0)).sum())
        out.append(
            f"Of the other {len(rest)} arms, {higher} have clearly higher and {lower} clearly lower {outcome.label} "
            f"than the reference (Holm-adjusted p < {ALPHA}); the table lists them all."
        )
    return out


def _extremes(table: pd.DataFrame, outcome: Outcome, labels: dict[str, str]) -> str:
    ranked = table.dropna(subset=["mean"]).sort_values("mean", ascending=False)
    top, bottom = ranked.iloc[0], ranked.iloc[-1]

    def say(row: pd.Series) -> str:
        name = labels.get(row["arm"], row["arm"]) + (" (the reference)" if row["reference"] else "")
        return (
            f"{name}, {outcome.format(row['mean'])} (95% CI {outcome.format(row['ci_low'])} to {outcome.format(row['ci_high'])})"
        )

    return f"Highest {outcome.label}: {say(top)}; lowest: {say(bottom)}."


def secondary_finding(table: pd.DataFrame, outcome: Outcome, labels: dict[str, str]) -> str:
    """One sentence for a further outcome: the best arm and how it compares with the reference."""
    ranked = table.dropna(subset=["mean"]).sort_values("mean", ascending=False)
    if ranked.empty:
        return f"No run has a value of {outcome.label}."
    top = ranked.iloc[0]
    reference = table[table["reference"]].iloc[0]
    head = f"Highest {outcome.label}: "
    if top["reference"]:
        runner_up = ranked[~ranked["reference"]]
        if runner_up.empty:
            return head + f"the reference arm, {outcome.format(top['mean'])}."
        top = runner_up.iloc[0]
        head = f"Highest {outcome.label}: the reference arm ({outcome.format(reference['mean'])}); next, "
    name = labels.get(top["arm"], top["arm"])
    verdict = "clear" if _clear(top) else "not a clear difference"
    return (
        f"{head}{name}, {outcome.format(top['mean'])} (95% CI {outcome.format(top['ci_low'])} to "
        f"{outcome.format(top['ci_high'])}) against {outcome.format(reference['mean'])} for the reference "
        f"({outcome.format_difference(top['diff'])}; {_test_name(top)} {p_text(top['p_holm'])} after Holm correction, {verdict})."
    )


def time_use_finding(shares: pd.DataFrame, label: str) -> str:
    """How an arm's salespeople's hours moved from hunting to servicing between the first and last year.

    Args:
        shares: mean share per activity (columns) by year (index).
        label: the arm's name.

    """
    first, last = shares.index.min(), shares.index.max()
    hunting = shares[["prospecting", "pipeline"]].sum(axis=1)
    service = shares["servicing"]
    if max(service[first], service[last]) < NEGLIGIBLE_SHARE:
        servicing = "they serviced no orders (others in the organisation did)"
    else:
        servicing = (
            f"servicing orders took {_share(service[first])} of their hours in year {first} "
            f"and {_share(service[last])} in year {last}"
        )
    return (
        f"{capitalised(label)}: salespeople spent {_share(hunting[first])} of their client-facing hours hunting (prospecting "
        f"and pipeline) in year {first} and {_share(hunting[last])} in year {last}; {servicing}."
    )


def _share(x: float) -> str:
    """A share of hours, with "under 1%" rather than a misleading "0%"."""
    return "under 1%" if 0 < x < NEGLIGIBLE_SHARE else f"{x:.0%}"


def grid_finding(means: pd.DataFrame, outcome: Outcome, row_factor: str, column_factor: str) -> str:
    """Best and worst cell of a two-factor grid (``means``: rows by columns of mean outcome)."""
    stacked = means.stack().dropna()
    (best_r, best_c), (worst_r, worst_c) = stacked.idxmax(), stacked.idxmin()
    return (
        f"Across the {_name(row_factor)} × {_name(column_factor)} grid, the highest mean {outcome.label} is "
        f"{outcome.format(stacked.max())}, with {_name(row_factor)} {_name(best_r)} and {_name(column_factor)} {_name(best_c)}; "
        f"the lowest is {outcome.format(stacked.min())}, with {_name(row_factor)} {_name(worst_r)} and "
        f"{_name(column_factor)} {_name(worst_c)}."
    )


def sensitivity_finding(indices: pd.DataFrame, outcome: Outcome) -> str:
    """The ranking of factors by Sobol total index or Morris μ*, with cautions the numbers call for.

    Cautions: interactions (Sobol ST well above S1, Morris σ ≥ μ*), an order
    of the first two factors that their intervals do not settle, and Sobol
    intervals so wide (over :data:`WIDE_SOBOL_INTERVAL`) or estimates so far
    outside 0-1 (by more than :data:`SOBOL_RANGE_SLACK`) that the sample is
    too small to estimate shares of variance at all.
    """
    if {"ST", "ST_conf"} <= set(indices.columns):
        ranked = indices.sort_values("ST", ascending=False)
        parts = [
            f"{_name(name)} {r['ST']:.2f} (± {r['ST_conf']:.2f}, first order {r['S1']:.2f})" for name, r in ranked.iterrows()
        ]
        text = f"Total Sobol indices for {outcome.label}, largest first: " + "; ".join(parts) + "."
        key, conf = "ST", "ST_conf"
        interacting = ranked.index[(ranked["ST"] - ranked["S1"].clip(lower=0)) > ranked["ST_conf"]]
        if len(interacting):
            text += (
                f" For {_names(interacting)} the total index exceeds the first-order one by more than its interval: "
                "part of the effect comes through interactions."
            )
        widest = float(ranked[["S1_conf", "ST_conf"]].max().max())
        if widest > WIDE_SOBOL_INTERVAL:
            text += (
                f" Intervals reach ± {widest:.2f} of a variance share that lies between 0 and 1: too few samples "
                "to estimate these indices; raise the number of samples before reading them."
            )
        highest, lowest = float(ranked[["S1", "ST"]].max().max()), float(ranked[["S1", "ST"]].min().min())
        if highest > 1.0 + SOBOL_RANGE_SLACK or lowest < -SOBOL_RANGE_SLACK:
            text += (
                f" Some estimates lie outside 0 to 1 ({lowest:.2f} to {highest:.2f}), which a share of variance cannot: "
                "the sample is too small for these numbers to mean what they say."
            )
    else:
        ranked = indices.sort_values("mu_star", ascending=False)
        parts = [
            f"{_name(name)} {outcome.format_size(r['mu_star'])} (± {outcome.format_size(r['mu_star_conf'])})"
            for name, r in ranked.iterrows()
        ]
        text = f"Morris μ* for {outcome.label}, largest first: " + "; ".join(parts) + "."
        key, conf = "mu_star", "mu_star_conf"
        nonlinear = ranked.index[ranked["sigma"] >= ranked["mu_star"]]
        if len(nonlinear):
            text += f" σ ≥ μ* for {_names(nonlinear)}: the effect depends on the other factors' values or is not linear."
    if len(ranked) >= 2:
        a, b = ranked.iloc[0], ranked.iloc[1]
        if a[key] - a[conf] <= b[key] + b[conf]:
            text += " The 95% intervals of the first two overlap, so their order is not settled; more samples would settle it."
    return text


def _name(factor: object) -> str:
    return str(factor).replace("_", " ")


def _names(factors: Iterable[object]) -> str:
    names = [_name(f) for f in factors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sampling_findings(runs: pd.DataFrame, outcome: Outcome, factors: list[str]) -> list[str]:
    """Spread of an outcome over a sampled design, and the factors most associated with it (Spearman, Holm)."""
    y = outcome.values(runs).to_numpy(dtype=float)
    ok = np.isfinite(y)
    if ok.sum() == 0:
        return [f"No run has a value of {outcome.label}."]
    lo, mid, hi = np.percentile(y[ok], [5, 50, 95])
    out = [
        f"Over {int(ok.sum())} runs, {outcome.label} has median {outcome.format(mid)} and ranges from "
        f"{outcome.format(lo)} to {outcome.format(hi)} (5th to 95th percentile)."
    ]
    numeric = [f for f in factors if pd.api.types.is_numeric_dtype(runs[f])]
    if ok.sum() < 4 or not numeric:
        return out
    rho, p = zip(*(stats.spearmanr(runs[f].to_numpy(dtype=float)[ok], y[ok]) for f in numeric), strict=True)
    table = pd.DataFrame({"rho": rho, "p_holm": holm(np.asarray(p, dtype=float))}, index=numeric)
    table = table.reindex(table["rho"].abs().sort_values(ascending=False).index)
    clear = table[table["p_holm"] < ALPHA]
    if clear.empty:
        out.append(f"No factor is clearly associated with {outcome.label} (Spearman, Holm-adjusted p ≥ {ALPHA}).")
    else:
        parts = [
            f"{_name(name)} (higher {_name(name)}, {'higher' if r['rho'] > 0 else 'lower'} {outcome.label}; "
            f"Spearman ρ = {r['rho']:.2f}, {p_text(r['p_holm'])} after Holm)"
            for name, r in clear.iterrows()
        ]
        out.append(f"Factors clearly associated with {outcome.label}, strongest first: " + "; ".join(parts) + ".")
    return out


def failure_finding(runs: pd.DataFrame, labels: dict[str, str] | None = None) -> str:
    """How many runs failed, in which arms, and the first error, so no failure is silently dropped."""
    labels = labels or {}
    failed = runs[runs["status"] != "ok"]
    if failed.empty:
        return f"All {len(runs)} runs finished without error."
    by_arm = failed.groupby("arm", sort=False).size()
    arms = "; ".join(f"{labels.get(arm, arm)}: {n}" for arm, n in by_arm.items())
    first = failed.sort_values("run_id").iloc[0]
    error = " ".join(str(first.get("error") or "no message recorded").split())
    if len(error) > ERROR_CHARS:
        error = error[: ERROR_CHARS - 3] + "..."
    return (
        f"{len(failed)} of {len(runs)} runs failed and are left out of every table and figure "
        f"(failed runs per arm: {arms}). First error (run {first['run_id']}): {error}"
    )
