"""The calibration report: report.html (one self-contained page) and its figures as PNGs.

Three questions a consultant and a sales director ask of a calibration, in
this order: does the simulated company look like ours over time (observed
against simulated, with bands, and the held-out months); which numbers did
the data pin down and which not (parameter intervals on their ranges); and
did the fit settle (best loss against trials).
"""

from __future__ import annotations

import io
import math
from importlib import resources
from pathlib import Path

import pandas as pd
import seaborn as sns
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from orgmodel.analysis.html import data_uri
from orgmodel.calibration.fit import DELTA, NOT_IDENTIFIED_SHARE
from orgmodel.calibration.run import CalibrationResult
from orgmodel.calibration.targets import TARGETS

SERIES = {
    "revenue": "Revenue per month",
    "ordering_clients": "Clients ordering in the month",
    "new_clients": "New clients won in the month",
    "complaints": "Complaints in the month",
}
FIGURES = ("fit_over_time.png", "parameters.png", "fit_progress.png")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    return buf.getvalue()


def time_figure(result: CalibrationResult) -> bytes:
    """Observed against simulated month by month, with the runs' range as a band."""
    sns.set_theme(style="whitegrid")
    fig = Figure(figsize=(12, 7))
    axes = fig.subplots(2, 2, sharex=True)
    runs = result.monthly_runs
    for ax, (col, title) in zip(axes.flat, SERIES.items(), strict=True):
        obs = result.monthly_observed[col]
        if runs:
            stack = pd.concat([r[col].reindex(obs.index) for r in runs], axis=1)
            ax.fill_between(obs.index, stack.min(axis=1), stack.max(axis=1), color="tab:blue", alpha=0.2, lw=0)
            ax.plot(obs.index, stack.mean(axis=1), color="tab:blue", lw=1.6, label="simulated")
        ax.plot(obs.index, obs, color="black", lw=1.4, label="observed")
        if result.holdout:
            ax.axvline(result.fit_window[1], color="grey", ls="--", lw=1)
        ax.set_title(title)
    axes.flat[0].legend(loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig)


def parameters_figure(result: CalibrationResult) -> bytes:
    """Each fitted key's interval as a share of its searched range, the best value marked."""
    from orgmodel.calibration.fit import FITTED_BY_KEY

    params = result.parameters
    fig = Figure(figsize=(9, 0.45 * len(params) + 1.2))
    ax = fig.subplots()
    for i, p in enumerate(params):
        spec = FITTED_BY_KEY[p.key]
        lo, hi, best = (spec.position(max(v, 1e-12)) if spec.log else spec.position(v) for v in (p.low, p.high, p.value))
        color = "tab:blue" if p.identified else "lightgrey"
        ax.plot([lo, hi], [i, i], color=color, lw=8, solid_capstyle="butt")
        ax.plot([best], [i], "o", color="black")
    ax.set_yticks(range(len(params)), [p.key + ("" if p.identified else " (not identified)") for p in params])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("position in the range searched (0 = low end, 1 = high end; log scale for log-searched keys)")
    ax.invert_yaxis()
    fig.tight_layout()
    return _png(fig)


def progress_figure(result: CalibrationResult) -> bytes:
    """Loss of each trial and the best so far."""
    trials = result.trials.sort_values("number")
    fig = Figure(figsize=(9, 3.5))
    ax = fig.subplots()
    ax.plot(trials["number"], trials["loss"], ".", color="grey", alpha=0.5, label="trial")
    ax.plot(trials["number"], trials["loss"].cummin(), color="tab:blue", label="best so far")
    ax.set_yscale("log")
    ax.set_xlabel("trial")
    ax.set_ylabel("loss (sum of squared z)")
    ax.legend()
    fig.tight_layout()
    return _png(fig)


def _figure(png: bytes, alt: str, caption: str) -> Markup:
    """A figure embedded as base64 PNG data (the page stays self-contained)."""
    return Markup('<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>').format(data_uri(png), alt, caption)


def _style() -> str:
    """The client report's style sheet (orgmodel/analysis/templates/report.css), so both reports look alike."""
    return resources.files("orgmodel.analysis").joinpath("templates/report.css").read_text(encoding="utf-8")


def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def write_report(result: CalibrationResult, folder: Path) -> list[Path]:
    """Write report.html and its PNGs into ``folder``; return the files written."""
    pngs = {
        "fit_over_time.png": time_figure(result),
        "parameters.png": parameters_figure(result),
        "fit_progress.png": progress_figure(result),
    }
    for name, data in pngs.items():
        (folder / name).write_bytes(data)
    targets = []
    for name, what in TARGETS.items():
        if name not in result.scales:
            continue
        obs, sim = result.observed[name], result.simulated.get(name, float("nan"))
        z = (sim - obs) / result.scales[name] if math.isfinite(sim) else float("nan")
        targets.append(
            {
                "name": name,
                "what": what,
                "observed": _fmt(obs),
                "simulated": _fmt(sim),
                "sd": _fmt(result.simulated_sd.get(name)),
                "z": _fmt(z),
            }
        )
    holdout_rows = []
    if result.holdout:
        h = result.holdout
        for name, what in TARGETS.items():
            obs = h["observed"].get(name, float("nan"))
            if obs is None or not math.isfinite(obs):
                continue
            holdout_rows.append(
                {
                    "what": what,
                    "observed": _fmt(obs),
                    "forecast": _fmt(h["forecast"].get(name)),
                    "low": _fmt(h["forecast_low"].get(name)),
                    "high": _fmt(h["forecast_high"].get(name)),
                }
            )
    env = Environment(loader=PackageLoader("orgmodel.calibration", "templates"), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        style=Markup(_style()),
        source=result.source or "a CRM export",
        window=[str(result.window[0].date()), str(result.window[1].date())],
        fit_window=[str(result.fit_window[0].date()), str(result.fit_window[1].date())],
        holdout=result.holdout,
        holdout_rows=holdout_rows,
        trials=len(result.trials),
        simulations=result.simulations,
        seeds=len(result.seeds),
        loss=result.best_loss,
        n_targets=len(result.scales),
        history_years=result.history_years,
        targets=targets,
        delta=DELTA,
        limit=f"{result.loss_limit:.2f}",
        best=f"{result.best_loss:.2f}",
        not_identified_share=f"{NOT_IDENTIFIED_SHARE:.0%}",
        parameters=[
            {
                "key": p.key,
                "what": p.what,
                "value": _fmt(p.value),
                "low": _fmt(p.low),
                "high": _fmt(p.high),
                "range": f"{_fmt(p.range[0])} to {_fmt(p.range[1])}",
                "identified": p.identified,
            }
            for p in result.parameters
        ],
        estimates=[
            {
                "key": e.key,
                "value": e.value if isinstance(e.value, str) else _fmt(float(e.value)),
                "interval": f"{_fmt(e.interval[0])} to {_fmt(e.interval[1])}" if e.interval else "",
                "rule": e.rule,
            }
            for e in result.estimates.values()
        ],
        not_estimated=sorted(result.not_estimated.items()),
        fig_time=_figure(pngs["fit_over_time.png"], "observed against simulated", "Observed against simulated"),
        fig_params=_figure(pngs["parameters.png"], "parameter intervals", "Intervals of the fitted keys on their ranges"),
        fig_progress=_figure(pngs["fit_progress.png"], "fit progress", "Loss of each trial and the best so far"),
    )
    (folder / "report.html").write_text(html, encoding="utf-8")
    return [folder / "report.html", *(folder / n for n in FIGURES)]
