"""``build_report``: an experiment's results folder as a report a consultant hands to a client.

The page opens with the answer (two to four sentences generated from the
numbers, and one forest plot of every arm against the reference), then says
how much to trust it (calibrated to a company or literature defaults; the
assumptions that matter where the experiment measured them), describes each
arm in a sentence with a small picture of who wins and keeps clients, shows
the figures with titles that state what they show, and keeps tables, tests,
setup and the commands that reproduce it in an appendix. Sensitivity and
sampled designs get their own sections. The same content is written as
``report.html`` (self-contained) and, where Chromium is installed, as
``report.pdf``; figures also go to ``figures/*.png``. The papermill client
report (``notebooks/05_client_report``) calls this same builder.
"""

from __future__ import annotations

import io
import math
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from orgmodel import __version__
from orgmodel.analysis import experiment_figures as figs
from orgmodel.analysis import findings as say
from orgmodel.analysis import html
from orgmodel.analysis.arms import arm_scenarios, describe_arm, differing_keys, grounding
from orgmodel.analysis.compare import FEW_REPLICATIONS, compare_arms
from orgmodel.analysis.org_pictures import structure_png
from orgmodel.analysis.outcomes import Outcome, parse_outcome, report_outcomes
from orgmodel.analysis.pdf import print_pdf
from orgmodel.analysis.verdict import best_arm, opening, short
from orgmodel.experiments.designs import SENSITIVITY
from orgmodel.experiments.results import Results, load_results
from orgmodel.experiments.spec import Range
from orgmodel.experiments.spec import parse_outcome as split_outcome
from orgmodel.experiments.store import EXPERIMENT_FILE, StoreError

REPORT_FILE = "report.html"
PDF_FILE = "report.pdf"
FIGURES_DIR = "figures"
SAMPLED_DESIGNS = ("monte_carlo", "latin_hypercube")
MAX_FIGURE_ARMS = 8  # beyond this, lines and panels stop being readable on a projector
HEADLINE_OUTCOMES = 3  # panels of the headline forest plot
SENSITIVE_ASSUMPTIONS = 3  # assumptions named in the trust banner
DPI = 110


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to ``path`` and move into place, so an interrupted report never leaves half a file.

    The temporary file is opened normally (not with mkstemp) so the result
    gets the user's usual permissions.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _level(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def arm_labels(results: Results) -> dict[str, str]:
    """Short names of the arms from the factor values that differ between arms.

    Named levels (structures, schemes) stand alone; numbers carry their
    factor's name, since "0.3" alone means nothing to a reader.
    """
    first = results.runs.groupby("arm", sort=False).first()
    varying = [f for f in results.factors if first[f].nunique(dropna=False) > 1]
    if not varying:
        return {arm: arm for arm in first.index}
    labels = {}
    for arm, row in first.iterrows():
        parts = [
            _level(row[f]).replace("_", " ") if isinstance(row[f], str) else f"{f.replace('_', ' ')} {_level(row[f])}"
            for f in varying
        ]
        labels[arm] = " + ".join(parts)
    return labels


def _describe_factor(spec: list[Any] | Range) -> str:
    if isinstance(spec, Range):
        extra = "".join(f"; {k} {_level(v)}" for k, v in spec.model_dump(exclude_none=True, exclude={"low", "high"}).items())
        return f"{_level(spec.low)} to {_level(spec.high)}{extra}"
    return ", ".join(_level(v) for v in spec)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_describe(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_describe(v) for v in value)
    return _level(value)


@dataclass
class _Report:
    """The page's content while it is built: opening, warnings, banner, sections, appendix and figures."""

    results: Results
    seed: int
    currency: str
    opening: list[str] = field(default_factory=list)
    opening_blocks: list[html.Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)
    sensitive_how: str = "The result is most sensitive to"
    findings: list[str] = field(default_factory=list)
    sections: list[html.Section] = field(default_factory=list)
    appendix: list[html.Section] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)

    def figure(self, name: str, make: Callable[[], Figure], alt: str, caption: str, css_class: str = "") -> html.Block:
        """Render a figure to PNG (money axes in the report's currency), keep it for figures/, and return its block."""
        fig = make()
        if self.currency:
            for ax in fig.axes:
                ax.set_xlabel(ax.get_xlabel().replace("millions", f"millions {self.currency}"))
                ax.set_ylabel(ax.get_ylabel().replace("millions", f"millions {self.currency}"))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        png = buffer.getvalue()
        self.figures[f"{name}.png"] = png
        return html.figure(png, alt, caption, css_class)


# --- arms ----------------------------------------------------------------------------------------------
def _cell(outcome: Outcome, value: float, low: float, high: float, signed: bool = False) -> str:
    return f"{outcome.plain(value, signed)} ({outcome.plain(low, signed)} to {outcome.plain(high, signed)})"


def _comparison_table(table: pd.DataFrame, outcome: Outcome, labels: dict[str, str]) -> html.Block:
    """One outcome's comparison as a styled table: mean, difference, ratio, adjusted p and the share of pairs won."""
    rows = []
    for _, r in table.iterrows():
        name = labels.get(r["arm"], r["arm"]) + (" (reference)" if r["reference"] else "")
        row = {"Arm": name, "Runs": str(r["n"]), "Mean (95% CI)": _cell(outcome, r["mean"], r["ci_low"], r["ci_high"])}
        if r["reference"]:
            row |= dict.fromkeys(
                ("Difference to reference (95% CI)", "Ratio (95% CI)", "p (Holm)", "Runs beating the reference"), ""
            )
        else:
            ratio = (
                f"{say.ratio_text(r['ratio'])} ({say.ratio_text(r['ratio_low'])} to {say.ratio_text(r['ratio_high'])})"
                if outcome.has_ratio and math.isfinite(r["ratio"])
                else "n/a"
            )
            p = "n/a" if not math.isfinite(r["p_holm"]) else ("< 0.001" if r["p_holm"] < 0.001 else f"{r['p_holm']:.3f}")
            wins = f"{r['superiority']:.0%} of pairs" if math.isfinite(r["superiority"]) else "n/a"
            row |= {
                "Difference to reference (95% CI)": _cell(outcome, r["diff"], r["diff_low"], r["diff_high"], signed=True),
                "Ratio (95% CI)": ratio,
                "p (Holm)": p,
                "Runs beating the reference": wins,
            }
        rows.append(row)
    return html.table(pd.DataFrame(rows), bold_rows=table["reference"].tolist(), caption=outcome.axis_label)


def _figure_arms(table: pd.DataFrame) -> list[str]:
    """The reference and the arms with the highest and lowest headline means, at most MAX_FIGURE_ARMS."""
    reference = table.loc[table["reference"], "arm"].tolist()
    others = table[~table["reference"]].dropna(subset=["mean"]).sort_values("mean", ascending=False)["arm"].tolist()
    room = MAX_FIGURE_ARMS - len(reference)
    if len(others) > room:
        top = (room + 1) // 2
        others = others[:top] + others[len(others) - (room - top) :]
    chosen = set(reference + others)
    return [a for a in table["arm"] if a in chosen]


def _grid_factors(results: Results) -> tuple[str, str] | None:
    """Two factors whose levels form a full grid of the arms (failed arms included), if the design is such a grid."""
    first = results.runs.groupby("arm", sort=False).first()
    varying = [f for f in results.factors if first[f].nunique() > 1]
    if len(varying) != 2:
        return None
    a, b = varying
    if first[a].nunique() * first[b].nunique() != len(first):
        return None
    return a, b


def _yearly_mean(runs: pd.DataFrame, column: str, index: int) -> pd.Series:
    """Mean per arm of one year of a yearly list (NaN where runs lack it)."""
    if column not in runs:
        return pd.Series(dtype=float)
    values = runs[column].map(lambda v: float(v[index]) if isinstance(v, list | tuple | np.ndarray) and len(v) else np.nan)
    return values.groupby(runs["arm"]).mean()


def _costs(ok: pd.DataFrame) -> dict[str, pd.Series]:
    """The trade-off measures per arm: staff added by the end, cost of sales over the horizon, year-1 contribution."""
    staff = _yearly_mean(ok, "account_managers_end_of_year", -1).add(
        _yearly_mean(ok, "desk_agents_end_of_year", -1), fill_value=0
    )
    cost = (
        ok["annual_cost_of_sales"].map(lambda v: float(np.sum(v))).groupby(ok["arm"]).mean()
        if "annual_cost_of_sales" in ok
        else None
    )
    out = {"staff_added": staff, "first_year": _yearly_mean(ok, "annual_contribution", 0)}
    if cost is not None:
        out["cost_of_sales"] = cost
    return out


def _last_year_title(
    ok: pd.DataFrame, column: str, arms: list[str], labels: dict[str, str], what: str, fmt: Callable[[float], str]
) -> str:
    """A title that states the figure's message: the arm ending highest, and where the reference ends."""
    last = _yearly_mean(ok[ok["arm"].isin(arms)], column, -1).reindex(arms)
    if last.dropna().empty:
        return what
    top, reference = last.idxmax(), arms[0]
    first = _yearly_mean(ok[ok["arm"] == reference], column, 0).get(reference, np.nan)
    ref_text = f"{labels.get(reference, reference)} goes from {fmt(first)} in year 1 to {fmt(last[reference])}"
    if top == reference:
        return f"{what}: {ref_text}, the highest at the end"
    return f"{what}: {labels.get(top, top)} ends at {fmt(last[top])} a year; {ref_text}"


def _factor_sensitivity(ok: pd.DataFrame, factors: list[str], criterion: Outcome) -> list[str]:
    """The numeric factors the criterion moves most with: the spread of its mean over each factor's levels.

    Only numbers count (a structure or a pay scheme is an option compared,
    not an assumption); a factor needs at least two levels with runs.
    """
    values = criterion.values(ok)
    spreads = {}
    for factor in factors:
        column = ok[factor]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column) or column.nunique() < 2:
            continue
        means = values.groupby(column).mean().dropna()
        if len(means) >= 2:
            spreads[factor] = (float(means.max() - means.min()), means.index.min(), means.index.max())
    ranked = sorted(spreads.items(), key=lambda item: -item[1][0])[:SENSITIVE_ASSUMPTIONS]
    return [
        f"{factor.replace('_', ' ')} (its mean {short(criterion)} moves by {criterion.format_size(spread)} "
        f"between {_level(low)} and {_level(high)})"
        for factor, (spread, low, high) in ranked
    ]


def _arms_section(report: _Report, outcomes: list[Outcome]) -> None:
    results = report.results
    ok = results.ok
    labels = arm_labels(results)
    arms = [a for a in results.arms if a in set(ok["arm"])]
    intended = results.arms[0]
    if intended not in arms:
        report.warnings.append(
            f"The first arm ({labels.get(intended, intended)}) has no successful run, so "
            f"{labels.get(arms[0], arms[0])} serves as the reference."
        )
    reference = arms[0]
    criterion = outcomes[0]
    ordered = ok[ok["arm"].isin(arms)]
    pairs = ordered["replicate"] if results.experiment.common_random_numbers else None
    tables = {
        o.key: compare_arms(o.values(ordered), ordered["arm"], reference=reference, seed=report.seed, pairs=pairs)
        for o in outcomes
    }
    head_table = tables[criterion.key]
    n_min = int(head_table["n"].min())
    report.sensitive = _factor_sensitivity(ordered, results.factors, criterion)
    report.sensitive_how = "Of the numbers this experiment varied, the result moves most with"

    # the answer
    report.opening = opening(tables, criterion, _costs(ordered), labels, results.years, report.currency)
    if len(arms) > 1:
        shown_outcomes = [criterion] + [
            o for o in outcomes[1:] if o.key in ("revenue_final", "new_clients_total", "contribution_total")
        ]
        shown_outcomes = shown_outcomes[:HEADLINE_OUTCOMES]
        best = best_arm(head_table)
        order = head_table.sort_values("mean", ascending=False)["arm"].tolist()
        if best["reference"]:
            title = f"No option beats {labels.get(reference, reference)} on {criterion.label}"
        else:
            title = (
                f"{say.capitalised(labels.get(best['arm'], best['arm']))} leads on {criterion.label} by "
                f"{criterion.format_difference(best['diff'])}"
            )
        report.opening_blocks.append(
            report.figure(
                "headline",
                lambda: figs.forest(tables, shown_outcomes, labels, title, order),
                f"Each option against {labels.get(reference, reference)}, with 95% intervals",
                "Each option's difference to the reference with its 95% interval. Coloured: the interval excludes zero "
                "(blue better, orange worse); grey: the runs do not settle the difference.",
                "headline",
            )
        )
    if n_min < FEW_REPLICATIONS:
        report.warnings.append(
            f"Few replications: the smallest arm has {n_min} successful run{'s' if n_min != 1 else ''}. Intervals are "
            f"t-based and honest about it, so they are wide; differences smaller than them are not resolved, and p-values "
            f"are indicative only. Run at least {FEW_REPLICATIONS} replications per arm (20 for a decision)."
        )

    # what was compared
    n_max = int(head_table["n"].max())
    runs_text = f"{n_min}" if n_min == n_max else f"{n_min} to {n_max}"
    compared = html.Section("What was compared")
    compared.add(
        html.paragraph(
            f"{len(arms)} options, each simulated {runs_text} "
            f"times over {results.years} years with different chance events. The first is the reference the others are "
            "compared with. Each picture shows who wins a new client, who keeps and grows it, and who handles its orders."
        )
    )
    scenarios = arm_scenarios(results)
    differing = differing_keys(scenarios, reference)
    pictures: dict[str, bytes] = {}
    for arm in results.arms:  # every arm, those whose runs all failed too
        values = scenarios.get(arm, {})
        structure = str(values.get("structure", "full_cycle"))
        if structure not in pictures:
            pictures[structure] = structure_png(structure, structure.replace("_", " "))
            report.figures[f"structure_{structure}.png"] = pictures[structure]
        keys = "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in differing.get(arm, {}).items())
        name = labels.get(arm, arm) + (" (reference)" if arm == reference else "")
        name += "" if arm in arms else " (no successful run)"
        description = describe_arm(values)
        if values.get("description"):
            description = f"{values['description'].rstrip('.')}. {description}"
        differs = f"Differs from {labels.get(reference, reference)} in: {keys}" if keys and arm != reference else ""
        compared.add(html.arm(name, description, pictures[structure], differs))
    report.sections.append(compared)

    # the figures
    shown = _figure_arms(head_table)
    left_out = len(arms) - len(shown)
    subset = ""
    if left_out:
        subset = f" Shown: the reference and the {len(shown) - 1} arms with the highest and lowest {criterion.label}; "
        subset += f"{left_out} more are in the tables."
    detail = html.Section("What the runs show")
    weekly = results.read_timeseries(["revenue"])
    weekly = None if weekly.empty else weekly  # kept summaries only: yearly lines from the runs
    money = Outcome("m", "", "", "money", lambda r: r, report.currency)
    revenue_title = _last_year_title(ok, "annual_revenue", shown, labels, "Revenue", money.format)
    detail.add(
        report.figure(
            "revenue_over_time",
            lambda: figs.revenue_over_time(ok, shown, labels, weekly, title=revenue_title),
            "Revenue over time by arm",
            "Mean revenue of each arm over its replicates, with the 95% interval of the mean as a band." + subset,
        )
    )
    clients_title = _last_year_title(ok, "annual_new_clients", shown, labels, "New clients won per year", lambda v: f"~{v:,.0f}")
    detail.add(
        report.figure(
            "new_clients_per_year",
            lambda: figs.new_clients_per_year(ok, shown, labels, title=clients_title),
            "New clients per year by arm",
            "New clients won each year: mean over replicates, with the 95% interval of the mean as a band." + subset,
        )
    )
    if figs.has_time_use(ok):
        best_mean = head_table.dropna(subset=["mean"]).sort_values("mean", ascending=False)["arm"].iloc[0]
        sentences = [
            say.time_use_finding(figs.mean_time_use(ok, arm), labels.get(arm, arm))
            for arm in dict.fromkeys([reference, best_mean])
        ]
        hunting = {arm: figs.mean_time_use(ok, arm)[["prospecting", "pipeline"]].sum(axis=1) for arm in (reference, best_mean)}
        time_title = (
            f"Hunting (prospecting and pipeline): {labels.get(reference, reference)} goes from "
            f"{hunting[reference].iloc[0]:.0%} of the salespeople's hours in year 1 to {hunting[reference].iloc[-1]:.0%}"
        )
        if best_mean != reference:
            time_title += f"; {labels.get(best_mean, best_mean)} ends at {hunting[best_mean].iloc[-1]:.0%}"
        detail.add(
            report.figure(
                "time_use_by_arm",
                lambda: figs.time_use_by_arm(ok, shown, labels, title=time_title),
                "How salespeople's hours split over time, by arm",
                "Share of the salespeople's (in split structures: the hunters') client-facing hours per activity, "
                "mean over replicates." + subset,
            )
        )
        for sentence in sentences:
            detail.add(html.paragraph(sentence))
        report.findings += sentences
    detail.add(
        report.figure(
            "cost_vs_revenue",
            lambda: figs.cost_vs_revenue(ok, shown, labels, results.years),
            "Cost of sales against revenue",
            "Each dot is one run's total cost of sales (base and variable pay of the sales organisation) against its "
            "total revenue; dotted lines mark equal cost per unit of revenue." + subset,
        )
    )
    grid = _grid_factors(results)
    if grid is not None:
        row_factor, column_factor = grid
        means = (
            pd.DataFrame({"r": ok[row_factor], "c": ok[column_factor], "v": criterion.values(ok)})
            .groupby(["r", "c"])["v"]
            .mean()
            .unstack("c")
        )
        sentence = say.grid_finding(means, criterion, row_factor, column_factor)
        detail.add(
            report.figure(
                f"grid_{criterion.key}",
                lambda: figs.grid_heatmap(results.runs, criterion, row_factor, column_factor),
                f"{criterion.label} over the {row_factor} by {column_factor} grid",
                sentence,
            )
        )
        report.findings.append(sentence)
    report.sections.append(detail)

    # appendix: findings in full and the tables
    if len(arms) > 1:
        report.findings = say.comparison_findings(head_table, criterion, labels) + report.findings
        report.findings[1:1] = [say.secondary_finding(tables[o.key], o, labels) for o in outcomes[1:]]
    else:
        report.findings.insert(0, say.comparison_findings(head_table, criterion, labels)[0])
    if pairs is None:
        method, tests = "Welch's", "Welch t-tests"
    else:
        method = "paired by replicate, since the arms ran with common random numbers,"
        tests = "paired t-tests"
    tables_section = html.Section("Tables and tests", css_class="appendix")
    tables_section.add(
        html.paragraph(
            f"Each arm against the reference ({labels.get(reference, reference)}). Means and differences come with 95% "
            f"t-based intervals (Student's for a mean, {method} for a difference), which stay honest at a handful of "
            f"runs; ratios with 95% BCa bootstrap intervals; tests are {tests}, their p-values adjusted with Holm's method "
            f'over the {max(len(arms) - 1, 0)} comparisons of each outcome. "Runs beating the reference" is the share of '
            "pairs of runs (one of the arm, one of the reference) in which the arm's run is higher. Ratios are given for "
            "money and counts only; differences of growth rates and shares are in percentage points.",
            "note",
        )
    )
    for outcome in outcomes:
        tables_section.add(_comparison_table(tables[outcome.key], outcome, labels))
    report.appendix.append(tables_section)


def _sensitivity_section(report: _Report, outcomes: list[Outcome]) -> None:
    results = report.results
    kind = "Sobol" if results.experiment.design.kind == "sobol" else "Morris"
    section = html.Section(f"Sensitivity ({kind})")
    if kind == "Sobol":
        section.add(
            html.paragraph(
                "S1 is the share of the outcome's variance a factor explains alone; ST adds its interactions with the "
                "others. ± is the half-width of the 95% bootstrap interval.",
                "note",
            )
        )
    else:
        section.add(
            html.paragraph(
                "μ* is the mean absolute change in the outcome when one factor moves by one Morris step, all else held; "
                "σ, the spread of those changes, shows interactions and curvature. ± is the half-width of the 95% interval.",
                "note",
            )
        )
    for i, outcome in enumerate(outcomes):
        try:
            indices = results.sensitivity(outcome.per_run(results.runs))
        except ValueError as exc:
            section.add(html.paragraph(f"{outcome.axis_label}: indices could not be computed: {exc}", "warning"))
            report.findings.append(f"Sensitivity indices for {outcome.label} could not be computed: {exc}")
            continue
        sentence = say.sensitivity_finding(indices, outcome)
        report.findings.append(sentence)
        key = "ST" if kind == "Sobol" else "mu_star"
        ranked = indices.sort_values(key, ascending=False)
        if i == 0:
            report.sensitive = [str(name).replace("_", " ") for name in ranked.index[:SENSITIVE_ASSUMPTIONS]]
            report.sensitive_how = f"The result is most sensitive to (by this experiment's {kind} indices)"
            report.opening.append(sentence)
        section.add(html.heading(outcome.axis_label))
        section.add(html.paragraph(sentence))
        if kind == "Sobol":
            frame = pd.DataFrame(
                {
                    "Factor": ranked.index.astype(str),
                    "First order S1": [f"{r['S1']:.3f} ± {r['S1_conf']:.3f}" for _, r in ranked.iterrows()],
                    "Total ST": [f"{r['ST']:.3f} ± {r['ST_conf']:.3f}" for _, r in ranked.iterrows()],
                }
            )
        else:
            frame = pd.DataFrame(
                {
                    "Factor": ranked.index.astype(str),
                    "μ*": [
                        f"{outcome.format_size(r['mu_star'])} ± {outcome.format_size(r['mu_star_conf'])}"
                        for _, r in ranked.iterrows()
                    ],
                    "μ (signed)": [outcome.format_difference(r["mu"]) for _, r in ranked.iterrows()],
                    "σ": [outcome.format_size(r["sigma"]) for _, r in ranked.iterrows()],
                }
            )
        section.add(html.table(frame))
        section.add(
            report.figure(
                f"sensitivity_{outcome.key}",
                lambda indices=indices, outcome=outcome: figs.sensitivity_figure(indices, outcome),
                f"{kind} indices for {outcome.label}",
                f"{kind} indices of each factor for {outcome.label}, with 95% intervals.",
            )
        )
    report.sections.append(section)
    _sampling_section(report, outcomes[:1], heading="Outcome against each factor", lead=False)


def _sampling_section(
    report: _Report, outcomes: list[Outcome], heading: str = "Outcomes across the sample", lead: bool = True
) -> None:
    results = report.results
    ok = results.ok
    section = html.Section(heading)
    for i, outcome in enumerate(outcomes):
        lines = say.sampling_findings(ok, outcome, results.factors)
        report.findings += lines
        if lead and i == 0:
            report.opening += lines[:2]
        section.add(html.bullets(lines))
        if any(pd.api.types.is_numeric_dtype(ok[f]) for f in results.factors):
            section.add(
                report.figure(
                    f"factors_{outcome.key}",
                    lambda outcome=outcome: figs.outcome_vs_factors(ok, outcome, results.factors),
                    f"{outcome.label} against each factor",
                    f"{outcome.label[:1].upper() + outcome.label[1:]} of each run against each factor's value; "
                    "ρ is Spearman's rank correlation.",
                )
            )
    report.sections.append(section)


# --- trust, setup, failures, reproduction -------------------------------------------------------------
def _banner(report: _Report) -> dict[str, Any]:
    """Whether the scenario rests on a company's data, the assumptions that matter, and the currency."""
    ground = grounding(report.results)
    if ground.calibrated:
        lines = [
            f"Calibrated to a company: {ground.calibrated_from}.",
            "Keys the calibration does not cover keep the literature defaults and assumptions listed in docs/parameters.md.",
        ]
        css = "calibrated"
    else:
        lines = [
            "Not calibrated to a company: the scenario runs on literature defaults and assumptions (docs/parameters.md).",
            "The report compares organisations under the same assumptions; it is not a forecast of any company's "
            "numbers. Calibrate a scenario to the company's data before quoting amounts.",
        ]
        css = "defaults"
    if report.sensitive:
        lines.append(f"{report.sensitive_how}: {'; '.join(report.sensitive)}.")
    else:
        lines.append(
            "This experiment did not measure which assumptions the result is sensitive to; a sensitivity experiment "
            "(experiments/sensitivity.toml) does."
        )
    money = (
        f"Money is in {ground.currency}, in millions (M)."
        if ground.currency
        else ("Money is in the scenario's currency units, in millions (M); no currency is named (scenario key currency).")
    )
    lines.append(money)
    return {"lines": lines, "css_class": css}


def _setup_section(results: Results) -> html.Section:
    exp = results.experiment
    runs = results.runs
    settings = exp.design.model_dump(exclude_defaults=True, exclude={"kind"})
    design = exp.design.kind.replace("_", " ") + "".join(f"; {k} {_describe(v)}" for k, v in settings.items())
    rows: list[list[object]] = [["Base scenario", exp.scenario], ["Design", design]]
    rows += [[f"Factor: {name}", _describe_factor(spec)] for name, spec in exp.factors.items()]
    rows += [
        ["Criterion", exp.criterion or "contribution over the horizon (default)"],
        ["Replications per design point", exp.replications],
        ["Years simulated", results.years],
        ["Base seed", f"{exp.seed} (each run's own seed is recorded in runs.parquet)"],
        ["Kept", exp.keep],
        ["Runs", f"{len(runs)} ({len(results.ok)} finished, {len(results.failed)} failed)"],
        ["orgmodel version", ", ".join(sorted(map(str, runs["orgmodel_version"].dropna().unique()))) or __version__]
        if "orgmodel_version" in runs
        else ["orgmodel version", __version__],
    ]
    section = html.Section("Setup", css_class="appendix")
    section.add(html.table(pd.DataFrame(rows, columns=["Item", "Value"]).astype(str), "text", header=False))
    return section


def _failures_section(results: Results, labels: dict[str, str]) -> html.Section:
    section = html.Section("Failed runs", css_class="appendix")
    sentence = say.failure_finding(results.runs, labels)
    if results.failed.empty:
        section.add(html.paragraph(sentence))
        return section
    rows = []
    for arm, group in results.failed.groupby("arm", sort=False):
        error = " ".join(str(group.sort_values("run_id")["error"].iloc[0]).split())
        rows.append(
            {
                "Arm or design point": labels.get(arm, arm),
                "Failed runs": str(len(group)),
                "First error": error[: say.ERROR_CHARS * 2],
            }
        )
    section.add(html.paragraph(sentence, "warning"))
    section.add(html.table(pd.DataFrame(rows), "text"))
    return section


def _reproduce_section(results: Results) -> html.Section:
    """The commands that repeat the experiment and this report.

    From the original experiment file when the results record it; in any
    case from the resolved file in the folder, which holds every scenario in
    full and so repeats the runs even after built-ins or defaults change.
    """
    folder = str(results.folder)
    resolved = str(results.folder / EXPERIMENT_FILE)
    repeat = f"{folder.rstrip('/')}-repeat"
    section = html.Section("Reproduce", css_class="appendix")
    if results.source:
        section.add(
            html.paragraph("The experiment file and its base seed give the same runs, and the same runs the same report:")
        )
        section.add(
            html.code(
                f"orgmodel experiment run {shlex.quote(results.source)} --out {shlex.quote(folder)}\n"
                f"orgmodel report {shlex.quote(folder)}"
            )
        )
    section.add(
        html.paragraph(
            f"The resolved experiment file {resolved} alone repeats the runs, "
            "even after built-in scenarios or defaults change (into a new folder):"
        )
    )
    section.add(
        html.code(
            f"orgmodel experiment run {shlex.quote(resolved)} --out {shlex.quote(repeat)}\norgmodel report {shlex.quote(repeat)}"
        )
    )
    section.add(html.paragraph("The report's bootstrap intervals are drawn from fixed seeds, so it too is the same.", "note"))
    return section


# --- the report ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Written:
    """What :func:`write_report` wrote: the HTML, the PDF (None if not) and why not."""

    html: Path
    pdf: Path | None
    pdf_note: str


def _robustness_section(report: _Report) -> None:
    """How robust the README's claims are over the sampled worlds (a crossed design: every world under every arm)."""
    from orgmodel.analysis.robustness import LEVEL, claim_sentences, claim_shares

    table = claim_shares(report.results)
    tested = table[table["worlds"] > 0]
    if tested.empty:  # the store does not hold the arms the claims compare
        return
    section = html.Section("How robust are the claims?")
    section.add(
        html.paragraph(
            f"Each sampled world (every assumed parameter drawn from its plausible range, docs/parameters.md) ran under "
            f"every arm with one seed; a claim holds in a world when its condition is true there. Shares with "
            f"{LEVEL:.0%} Wilson intervals over {int(tested['worlds'].max())} worlds:"
        )
    )
    section.add(html.bullets(claim_sentences(table), "findings"))
    report.sections.append(section)
    report.findings.extend(claim_sentences(tested))


def _content(results: Results, seed: int) -> tuple[_Report, str]:
    """The report's content and its HTML page."""
    exp = results.experiment
    currency = grounding(results).currency
    report = _Report(results, seed, currency)
    named = exp.outcomes
    missing = [spec for spec in [*named, exp.criterion] if spec and split_outcome(spec)[0] not in results.runs.columns]
    if missing:  # e.g. results stored by a version whose summary had other keys
        raise StoreError(
            f"'{results.folder / EXPERIMENT_FILE}' names outcomes the stored runs do not have: {', '.join(missing)} "
            f"(stored: {', '.join(c for c in results.runs.columns if c not in ('run_id', 'status', 'error'))})"
        )
    try:
        outcomes = report_outcomes(named, results.years, exp.criterion, currency)
    except ValueError as exc:
        raise StoreError(f"'{results.folder / EXPERIMENT_FILE}': {exc}") from exc
    kind = exp.design.kind
    if kind in SENSITIVITY or kind in SAMPLED_DESIGNS:
        # sensitivity and sampled designs study the named outcomes (default: where revenue ends and how it grows)
        named_keys = {parse_outcome(spec, results.years).key for spec in named}
        studied = [o for o in outcomes if o.key in named_keys] or [
            o for o in outcomes if o.key in ("revenue_final", "revenue_growth")
        ]
        if exp.criterion:
            studied = [outcomes[0]] + [o for o in studied if o.key != outcomes[0].key]
        (_sensitivity_section if kind in SENSITIVITY else _sampling_section)(report, studied)
    else:  # factorial designs and explicit lists of arms
        _arms_section(report, outcomes)
    if exp.design.cross:
        _robustness_section(report)
    labels = arm_labels(results)
    failure = say.failure_finding(results.runs, labels)
    report.findings.append(failure)
    if not results.failed.empty:
        report.warnings.append(failure)

    findings = html.Section("All findings", css_class="appendix")
    findings.add(html.bullets(report.findings, "findings"))
    appendix = [
        findings,
        *report.appendix,
        _setup_section(results),
        _failures_section(results, labels),
        _reproduce_section(results),
    ]
    question = exp.question or exp.description
    page = html.page(
        title=f"orgmodel report: {exp.name}",
        heading=f"Experiment: {exp.name}",
        question=question,
        meta=f"{kind.replace('_', ' ')} design · {len(results.runs)} runs · {results.years} years · "
        f"report by orgmodel {__version__}",
        opening=report.opening,
        opening_blocks=report.opening_blocks,
        warnings=report.warnings,
        banner=_banner(report),
        sections=[*report.sections, *appendix],
    )
    return report, page


def write_report(results_dir: str | Path, seed: int = 0, pdf: bool = True) -> Written:
    """Write ``report.html``, ``figures/*.png`` and (with Chromium, if ``pdf``) ``report.pdf`` into a results folder.

    Args:
        results_dir: the folder an experiment run wrote.
        seed: seed of the bootstrap intervals (the same seed, the same report).
        pdf: also print the page to PDF.

    Raises:
        StoreError: the folder cannot be read, or no run in it succeeded.

    """
    results = load_results(results_dir)
    if results.runs.empty:
        raise StoreError(f"'{results.folder}' holds no runs")
    if results.ok.empty:
        raise StoreError(f"no run in '{results.folder}' succeeded: {say.failure_finding(results.runs)}")
    report, page = _content(results, seed)
    figures_dir = results.folder / FIGURES_DIR
    figures_dir.mkdir(exist_ok=True)
    for file_name, png in report.figures.items():
        _write_atomically(figures_dir / file_name, png)
    path = results.folder / REPORT_FILE
    _write_atomically(path, page.encode("utf-8"))
    if not pdf:
        return Written(path, None, "")
    note = print_pdf(path, results.folder / PDF_FILE)
    return Written(path, None if note else results.folder / PDF_FILE, note or "")


def build_report(results_dir: str | Path, seed: int = 0, pdf: bool = False) -> Path:
    """Write the report (see :func:`write_report`) and return the HTML file's path."""
    return write_report(results_dir, seed, pdf).html
