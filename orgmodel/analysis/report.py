"""``build_report``: an experiment's results folder as one self-contained HTML page a client can read.

The page says what was asked and how it was run, then what the numbers
show in plain words (every sentence generated from the results), the
tables behind those words, the figures, the failed runs, and the commands
that reproduce it. Sections follow the design: arm comparisons for factorial
designs (with a heatmap when two factors form a grid), sensitivity indices
for Sobol and Morris designs, outcome-against-factor views for Monte Carlo
and Latin hypercube samples. Figures are also written as PNG files.
"""

from __future__ import annotations

import io
import math
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from orgmodel import __version__
from orgmodel.analysis import experiment_figures as figs
from orgmodel.analysis import findings as say
from orgmodel.analysis import html
from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.outcomes import Outcome, report_outcomes
from orgmodel.experiments.designs import SENSITIVITY
from orgmodel.experiments.results import Results, load_results
from orgmodel.experiments.spec import Range, parse_outcome
from orgmodel.experiments.store import EXPERIMENT_FILE, StoreError

REPORT_FILE = "report.html"
FIGURES_DIR = "figures"
SAMPLED_DESIGNS = ("monte_carlo", "latin_hypercube")
MAX_FIGURE_ARMS = 8  # beyond this, lines and panels stop being readable on a projector
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


class _Report:
    """Accumulates the page's findings, sections and figures while the sections are built."""

    def __init__(self, results: Results, seed: int) -> None:
        self.results = results
        self.seed = seed
        self.findings: list[str] = []
        self.sections: list[str] = []
        self.figures: dict[str, bytes] = {}

    def figure(self, name: str, make: Callable[[], Figure], alt: str, caption: str) -> str:
        """Render a figure to PNG, keep it for figures/, and return its HTML."""
        fig = make()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        png = buffer.getvalue()
        self.figures[f"{name}.png"] = png
        return html.figure(png, alt, caption)


def _comparison_table(table: pd.DataFrame, outcome: Outcome, labels: dict[str, str]) -> str:
    def span(value: float, low: float, high: float, signed: bool = False) -> str:
        return f"{outcome.plain(value, signed)} ({outcome.plain(low, signed)} to {outcome.plain(high, signed)})"

    rows, classes = [], []
    for _, r in table.iterrows():
        name = labels.get(r["arm"], r["arm"]) + (" (reference)" if r["reference"] else "")
        mean = span(r["mean"], r["ci_low"], r["ci_high"])
        if r["reference"]:
            rows.append([name, r["n"], mean, "", "", "", "", ""])
            classes.append("reference")
            continue
        ratio = (
            f"{say.ratio_text(r['ratio'])} ({say.ratio_text(r['ratio_low'])} to {say.ratio_text(r['ratio_high'])})"
            if outcome.has_ratio and math.isfinite(r["ratio"])
            else "n/a"
        )
        g = f"{r['hedges_g']:.2f}" if math.isfinite(r["hedges_g"]) else "n/a"
        delta = f"{r['cliffs_delta']:.2f}" if math.isfinite(r["cliffs_delta"]) else "n/a"
        p = "n/a" if not math.isfinite(r["p_holm"]) else ("< 0.001" if r["p_holm"] < 0.001 else f"{r['p_holm']:.3f}")
        rows.append([name, r["n"], mean, span(r["diff"], r["diff_low"], r["diff_high"], signed=True), ratio, p, g, delta])
        classes.append(None)
    header = [
        "Arm",
        "Runs",
        "Mean (95% CI)",
        "Difference to reference (95% CI)",
        "Ratio to reference (95% CI)",
        "p (Holm)",
        "Hedges' g",
        "Cliff's δ",
    ]
    return html.table(header, rows, "numbers", row_classes=classes)


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


def _arms_section(report: _Report, outcomes: list[Outcome]) -> None:
    results = report.results
    ok = results.ok
    labels = arm_labels(results)
    arms = [a for a in results.arms if a in set(ok["arm"])]
    intended = results.arms[0]
    note = ""
    if intended not in arms:
        note = html.paragraph(
            f"The first arm ({labels.get(intended, intended)}) has no successful run, so "
            f"{labels.get(arms[0], arms[0])} serves as the reference.",
            "warning",
        )
    headline = outcomes[0]
    parts = [html.element("h2", "Arms compared"), note]
    parts.append(
        html.paragraph(
            f"Each arm is compared with the reference arm ({labels.get(arms[0], arms[0])}). Means come with 95% "
            f"bootstrap intervals over replicates; tests are Welch t-tests of each arm against the reference, "
            f"their p-values adjusted with Holm's method over the {max(len(arms) - 1, 0)} comparisons of each outcome; "
            f"effect sizes are Hedges' g (difference in pooled standard deviations) and Cliff's δ (share of pairs of runs "
            f"the arm wins minus the share it loses). Ratios to the reference are given for money and counts only: "
            f'for growth rates and shares the difference says it (+10 points of growth is not "12 times the growth").'
        )
    )
    tables = {}
    ordered = ok[ok["arm"].isin(arms)]
    for outcome in outcomes:
        table = compare_arms(outcome.values(ordered), ordered["arm"], reference=arms[0], seed=report.seed)
        tables[outcome.key] = table
        parts.append(html.element("h3", html.text(outcome.axis_label[:1].upper() + outcome.axis_label[1:])))
        parts.append(_comparison_table(table, outcome, labels))
    head_table = tables[headline.key]
    if len(arms) > 1:
        report.findings += say.comparison_findings(head_table, headline, labels)
        report.findings += [say.secondary_finding(tables[o.key], o, labels) for o in outcomes[1:]]
    else:
        report.findings.append(say.comparison_findings(head_table, headline, labels)[0])

    shown = _figure_arms(head_table)
    left_out = len(arms) - len(shown)
    subset = ""
    if left_out:
        subset = f" Shown: the reference and the {len(shown) - 1} arms with the highest and lowest {headline.label}; "
        subset += f"{left_out} more are in the tables."
    parts.append(html.element("h2", "Figures"))
    weekly = results.read_timeseries(["revenue"])
    weekly = None if weekly.empty else weekly  # kept summaries only: yearly lines from the runs
    parts.append(
        report.figure(
            "revenue_over_time",
            lambda: figs.revenue_over_time(ok, shown, labels, weekly),
            "Revenue over time by arm",
            "Mean revenue of each arm over its replicates, with the 95% interval of the mean as a band." + subset,
        )
    )
    parts.append(
        report.figure(
            "new_clients_per_year",
            lambda: figs.new_clients_per_year(ok, shown, labels),
            "New clients per year by arm",
            "New clients won each year: mean over replicates, with the 95% interval of the mean as a band." + subset,
        )
    )
    if figs.has_time_use(ok):
        parts.append(
            report.figure(
                "time_use_by_arm",
                lambda: figs.time_use_by_arm(ok, shown, labels),
                "How salespeople's hours split over time, by arm",
                "Share of the salespeople's (in split structures: the hunters') client-facing hours per activity, "
                "mean over replicates." + subset,
            )
        )
        best = head_table.dropna(subset=["mean"]).sort_values("mean", ascending=False)["arm"].iloc[0]
        for arm in dict.fromkeys([arms[0], best]):
            report.findings.append(say.time_use_finding(figs.mean_time_use(ok, arm), labels.get(arm, arm)))
    parts.append(
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
        parts.append(
            report.figure(
                f"grid_{headline.key}",
                lambda: figs.grid_heatmap(results.runs, headline, row_factor, column_factor),
                f"{headline.label} over the {row_factor} by {column_factor} grid",
                f"Mean {headline.label} over replicates in each cell of the grid.",
            )
        )
        means = (
            pd.DataFrame({"r": ok[row_factor], "c": ok[column_factor], "v": headline.values(ok)})
            .groupby(["r", "c"])["v"]
            .mean()
            .unstack("c")
        )
        report.findings.append(say.grid_finding(means, headline, row_factor, column_factor))
    report.sections.append("".join(parts))


def _sensitivity_section(report: _Report, outcomes: list[Outcome]) -> None:
    results = report.results
    kind = "Sobol" if results.experiment.design.kind == "sobol" else "Morris"
    parts = [html.element("h2", f"Sensitivity ({kind})")]
    if kind == "Sobol":
        parts.append(
            html.paragraph(
                "S1 is the share of the outcome's variance a factor explains alone; ST adds its interactions with the "
                "others. ± is the half-width of the 95% bootstrap interval."
            )
        )
    else:
        parts.append(
            html.paragraph(
                "μ* is the mean absolute change in the outcome when one factor moves by one Morris step, all else held; "
                "σ, the spread of those changes, shows interactions and curvature. ± is the half-width of the 95% interval."
            )
        )
    for outcome in outcomes:
        try:
            indices = results.sensitivity(outcome.per_run(results.runs))
        except ValueError as exc:
            parts.append(html.paragraph(f"{outcome.axis_label}: indices could not be computed: {exc}", "warning"))
            report.findings.append(f"Sensitivity indices for {outcome.label} could not be computed: {exc}")
            continue
        report.findings.append(say.sensitivity_finding(indices, outcome))
        parts.append(html.element("h3", html.text(outcome.axis_label)))
        if kind == "Sobol":
            rows = [
                [name, f"{r['S1']:.3f} ± {r['S1_conf']:.3f}", f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"]
                for name, r in indices.sort_values("ST", ascending=False).iterrows()
            ]
            parts.append(html.table(["Factor", "First order S1", "Total ST"], rows))
        else:
            rows = [
                [
                    name,
                    f"{outcome.format_size(r['mu_star'])} ± {outcome.format_size(r['mu_star_conf'])}",
                    outcome.format_difference(r["mu"]),
                    outcome.format_size(r["sigma"]),
                ]
                for name, r in indices.sort_values("mu_star", ascending=False).iterrows()
            ]
            parts.append(html.table(["Factor", "μ*", "μ (signed)", "σ"], rows))
        parts.append(
            report.figure(
                f"sensitivity_{outcome.key}",
                lambda indices=indices, outcome=outcome: figs.sensitivity_figure(indices, outcome),
                f"{kind} indices for {outcome.label}",
                f"{kind} indices of each factor for {outcome.label}, with 95% intervals.",
            )
        )
    report.sections.append("".join(parts))
    _sampling_section(report, outcomes[:1], heading="Outcome against each factor")


def _sampling_section(report: _Report, outcomes: list[Outcome], heading: str = "Outcomes across the sample") -> None:
    results = report.results
    ok = results.ok
    parts = [html.element("h2", html.text(heading))]
    for outcome in outcomes:
        lines = say.sampling_findings(ok, outcome, results.factors)
        report.findings += lines
        parts.append(html.bullet_list(lines))
        if any(pd.api.types.is_numeric_dtype(ok[f]) for f in results.factors):
            parts.append(
                report.figure(
                    f"factors_{outcome.key}",
                    lambda outcome=outcome: figs.outcome_vs_factors(ok, outcome, results.factors),
                    f"{outcome.label} against each factor",
                    f"{outcome.label[:1].upper() + outcome.label[1:]} of each run against each factor's value; "
                    "ρ is Spearman's rank correlation.",
                )
            )
    report.sections.append("".join(parts))


def _setup_section(results: Results) -> str:
    exp = results.experiment
    runs = results.runs
    settings = exp.design.model_dump(exclude_defaults=True, exclude={"kind"})
    design = exp.design.kind.replace("_", " ") + "".join(f"; {k} {_describe(v)}" for k, v in settings.items())
    rows: list[list[object]] = [["Base scenario", exp.scenario], ["Design", design]]
    rows += [[f"Factor: {name}", _describe_factor(spec)] for name, spec in exp.factors.items()]
    rows += [
        ["Replications per design point", exp.replications],
        ["Years simulated", results.years],
        ["Base seed", f"{exp.seed} (each run's own seed is recorded in runs.parquet)"],
        ["Kept", exp.keep],
        ["Runs", f"{len(runs)} ({len(results.ok)} finished, {len(results.failed)} failed)"],
        ["orgmodel version", ", ".join(sorted(map(str, runs["orgmodel_version"].dropna().unique()))) or __version__]
        if "orgmodel_version" in runs
        else ["orgmodel version", __version__],
    ]
    return html.element("h2", "Setup") + html.table(None, rows, "text")


def _failures_section(results: Results, labels: dict[str, str]) -> str:
    sentence = say.failure_finding(results.runs, labels)
    if results.failed.empty:
        return html.element("h2", "Failed runs") + html.paragraph(sentence)
    rows = []
    for arm, group in results.failed.groupby("arm", sort=False):
        error = " ".join(str(group.sort_values("run_id")["error"].iloc[0]).split())
        rows.append([labels.get(arm, arm), len(group), error[: say.ERROR_CHARS * 2]])
    return (
        html.element("h2", "Failed runs")
        + html.paragraph(sentence, "warning")
        + html.table(["Arm or design point", "Failed runs", "First error"], rows, "text")
    )


def _reproduce_section(results: Results) -> str:
    """The commands that repeat the experiment and this report.

    From the original experiment file when the results record it; in any
    case from the resolved file in the folder, which holds every scenario in
    full and so repeats the runs even after built-ins or defaults change.
    """
    folder = str(results.folder)
    resolved = str(results.folder / EXPERIMENT_FILE)
    repeat = f"{folder.rstrip('/')}-repeat"
    parts = [html.element("h2", "Reproduce")]
    if results.source:
        parts.append(
            html.paragraph("The experiment file and its base seed give the same runs, and the same runs the same report:")
        )
        parts.append(
            html.code(
                f"orgmodel experiment run {shlex.quote(results.source)} --out {shlex.quote(folder)}\n"
                f"orgmodel report {shlex.quote(folder)}"
            )
        )
    parts.append(
        html.paragraph(
            f"The resolved experiment file {resolved} alone repeats the runs, "
            "even after built-in scenarios or defaults change (into a new folder):"
        )
    )
    parts.append(
        html.code(
            f"orgmodel experiment run {shlex.quote(resolved)} --out {shlex.quote(repeat)}\norgmodel report {shlex.quote(repeat)}"
        )
    )
    parts.append(html.paragraph("The report's bootstrap intervals are drawn from fixed seeds, so it too is the same.", "note"))
    return "".join(parts)


def build_report(results_dir: str | Path, seed: int = 0) -> Path:
    """Write ``report.html`` and ``figures/*.png`` into a results folder.

    Args:
        results_dir: the folder an experiment run wrote.
        seed: seed of the bootstrap intervals (the same seed, the same report).

    Returns:
        The path of the written report.

    Raises:
        StoreError: the folder cannot be read, or no run in it succeeded.

    """
    results = load_results(results_dir)
    if results.runs.empty:
        raise StoreError(f"'{results.folder}' holds no runs")
    if results.ok.empty:
        raise StoreError(f"no run in '{results.folder}' succeeded: {say.failure_finding(results.runs)}")
    report = _Report(results, seed)
    named = results.experiment.outcomes
    missing = [spec for spec in named if parse_outcome(spec)[0] not in results.runs.columns]
    if missing:  # e.g. results stored by a version whose summary had other keys
        raise StoreError(
            f"'{results.folder / EXPERIMENT_FILE}' names outcomes the stored runs do not have: {', '.join(missing)} "
            f"(stored: {', '.join(c for c in results.runs.columns if c not in ('run_id', 'status', 'error'))})"
        )
    try:
        outcomes = report_outcomes(named, results.years)
    except ValueError as exc:
        raise StoreError(f"'{results.folder / EXPERIMENT_FILE}': {exc}") from exc
    # sensitivity and sampled designs study the named outcomes (default: where revenue ends and how it grows)
    studied = outcomes[: len(named)] or [o for o in outcomes if o.key in ("revenue_final", "revenue_growth")]
    kind = results.experiment.design.kind
    if kind in SENSITIVITY:
        _sensitivity_section(report, studied)
    elif kind in SAMPLED_DESIGNS:
        _sampling_section(report, studied)
    else:  # factorial designs and explicit lists of arms
        _arms_section(report, outcomes)
    report.findings.append(say.failure_finding(results.runs, arm_labels(results)))

    exp = results.experiment
    name = exp.name
    question = exp.question or exp.description
    header = html.element("h1", html.text(f"Experiment: {name}"))
    if question:
        header += html.paragraph(question, "question")
    design = kind.replace("_", " ")
    header += html.paragraph(
        f"{design} design · {len(results.runs)} runs · {results.years} years · report by orgmodel {__version__}", "meta"
    )
    body = (
        header
        + html.element("h2", "Findings")
        + html.bullet_list(report.findings, "findings")
        + _setup_section(results)
        + "".join(report.sections)
        + _failures_section(results, arm_labels(results))
        + _reproduce_section(results)
    )
    document = html.page(f"orgmodel report: {name}", body)

    figures_dir = results.folder / FIGURES_DIR
    figures_dir.mkdir(exist_ok=True)
    for file_name, png in report.figures.items():
        _write_atomically(figures_dir / file_name, png)
    path = results.folder / REPORT_FILE
    _write_atomically(path, document.encode("utf-8"))
    return path
