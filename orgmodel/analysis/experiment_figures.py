"""Figures of an experiment: arms side by side, grids and sensitivity indices.

Each function takes the results store's DataFrames (``runs``, optionally
``timeseries``) and returns a matplotlib Figure on the Agg canvas, sized and
labelled to be read on a projector. Bands are 95% Student's t intervals of
the mean over replicates (the same estimator as the report's tables), which
keep their coverage at the handful of replications experiments often run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from matplotlib.transforms import Bbox
from scipy import stats

from orgmodel.analysis.compare import mean_interval
from orgmodel.analysis.figures import ACTIVITY_COLOURS, ACTIVITY_LABELS
from orgmodel.analysis.outcomes import Outcome
from orgmodel.model.activities import ACTIVITIES

REFERENCE_COLOUR = "#404040"
WEEKS_PER_QUARTER = 13
WEEKS_PER_YEAR = 52
TITLE_CHARS = 75  # a title line longer than this runs past the figure at the report's size
COST_RATIOS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # guide lines of cost of sales per unit of revenue


def _figure(width: float = 13.0, height: float = 6.5) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style():
    """Seaborn's white grid at a projector-friendly font size (a context manager)."""
    return sns.plotting_context("talk", font_scale=0.8)


def _millions(x: float, _pos: int | None = None) -> str:
    return f"{x:,.6g}"


def wrap_title(text: str, width: int = TITLE_CHARS) -> str:
    """``text`` in as few lines as ``width`` allows, the lines as even as possible.

    A plain wrap at ``width`` can leave the last word alone on its line (a
    title ending "..., M" showed the unit by itself); the narrowest width that
    needs no more lines spreads the words evenly instead.
    """
    lines = textwrap.wrap(text, width)
    if len(lines) < 2:
        return text
    narrow = width
    while narrow > 1 and len(textwrap.wrap(text, narrow - 1)) == len(lines):
        narrow -= 1
    return "\n".join(textwrap.wrap(text, narrow))


def _title(ax, text: str) -> None:
    """A bold title on the left, wrapped so that a sentence-long title never runs off the figure."""
    ax.set_title(wrap_title(text), loc="left", fontweight="bold")


def arm_palette(arms: Sequence[str]) -> dict[str, str]:
    """One colour per arm: the reference (first) arm dark grey, the others colour-blind-safe hues."""
    hues = sns.color_palette("colorblind", max(len(arms) - 1, 1)).as_hex()
    return {arm: REFERENCE_COLOUR if i == 0 else hues[(i - 1) % len(hues)] for i, arm in enumerate(arms)}


def yearly_long(runs: pd.DataFrame, column: str) -> pd.DataFrame:
    """A yearly list column as long rows: run_id, arm, year (1-based), value (runs without a list are left out)."""
    part = runs.loc[runs[column].map(lambda v: isinstance(v, list | tuple | np.ndarray)), ["run_id", "arm", column]]
    lengths = part[column].map(len).to_numpy(dtype=int)
    if lengths.sum() == 0:
        return pd.DataFrame({"run_id": [], "arm": [], "year": [], "value": []})
    return pd.DataFrame(
        {
            "run_id": np.repeat(part["run_id"].to_numpy(), lengths),
            "arm": np.repeat(part["arm"].to_numpy(), lengths),
            "year": np.concatenate([np.arange(1, n + 1) for n in lengths]),
            "value": np.concatenate([np.asarray(v, dtype=float) for v in part[column]]),
        }
    )


def _year_axis(ax, years: int) -> None:
    step = max(1, int(np.ceil(years / 12)))
    ax.set_xticks(range(1, years + 1, step))
    ax.set_xlim(0.7, years + 0.3)


def _legend(ax, labels: dict[str, str], title: str | None = None) -> None:
    handles, keys = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, [labels.get(k, k) for k in keys], title=title, frameon=False, loc="upper left", fontsize="small")


def mean_bands(data: pd.DataFrame, x: str) -> pd.DataFrame:
    """Per arm and ``x``: mean of ``value`` over runs with its 95% t interval."""
    rows = []
    for (arm, at), group in data.groupby(["arm", x], sort=True):
        mean = mean_interval(group["value"].to_numpy(dtype=float))
        rows.append({"arm": arm, x: at, "mean": mean.estimate, "low": mean.low, "high": mean.high})
    return pd.DataFrame(rows, columns=["arm", x, "mean", "low", "high"])


def _arm_lines(ax, data: pd.DataFrame, x: str, arms: Sequence[str], labels: dict[str, str], marker: str | None = None) -> None:
    """One line per arm (mean over runs) with a band for its 95% interval."""
    bands = mean_bands(data, x)
    palette = arm_palette(arms)
    for arm in arms:
        part = bands[bands["arm"] == arm]
        if part.empty:
            continue
        ax.fill_between(part[x], part["low"], part["high"], color=palette[arm], alpha=0.2, linewidth=0)
        ax.plot(part[x], part["mean"], color=palette[arm], marker=marker, label=labels.get(arm, arm), linewidth=2.2)
    handles, names = ax.get_legend_handles_labels()  # beside the plot: inside, the arms' lines run under it
    ax.figure.legend(handles, names, loc="outside right upper", frameon=False, fontsize="small")


def revenue_over_time(
    runs: pd.DataFrame,
    arms: Sequence[str],
    labels: dict[str, str] | None = None,
    timeseries: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Revenue by arm: mean over replicates with a 95% band, quarterly when weekly rows were kept.

    Quarterly revenue is shown at an annual rate (mean weekly revenue x 52),
    so the axis reads in the same unit as the yearly figures and a thinned
    timeseries (every N weeks) gives the same scale.
    """
    labels = labels or {}
    runs = runs[runs["arm"].isin(arms)]
    with _style():
        fig = _figure()
        ax = fig.subplots()
        if timeseries is not None and {"week", "revenue"} <= set(timeseries.columns):
            ts = timeseries[timeseries["run_id"].isin(runs["run_id"])]
            quarter = (ts["week"].to_numpy() - 1) // WEEKS_PER_QUARTER
            per_run = (
                ts.assign(quarter=quarter)
                .groupby(["run_id", "quarter"], as_index=False)["revenue"]
                .mean()
                .merge(runs[["run_id", "arm"]], on="run_id")
            )
            per_run["time"] = (per_run["quarter"] + 1) * WEEKS_PER_QUARTER / WEEKS_PER_YEAR
            per_run["value"] = per_run["revenue"] * WEEKS_PER_YEAR / 1e6
            _arm_lines(ax, per_run, "time", arms, labels)
            ax.set_xlabel("Years since start (quarter ends)")
            ax.set_ylabel("Revenue (millions per year, annual rate)")
            years = int(np.ceil(per_run["time"].max()))
            ax.set_xticks(range(0, years + 1, max(1, int(np.ceil(years / 12)))))
            ax.set_xlim(0, years + 0.1)
        else:
            data = yearly_long(runs, "annual_revenue")
            data["value"] = data["value"] / 1e6
            _arm_lines(ax, data, "year", arms, labels, marker="o")
            ax.set_xlabel("Year")
            ax.set_ylabel("Revenue (millions per year)")
            _year_axis(ax, int(data["year"].max()))
        _title(ax, title or "Revenue over time, by arm (mean and 95% interval over replicates)")
        ax.yaxis.set_major_formatter(FuncFormatter(_millions))
        ax.set_ylim(bottom=0)
        sns.despine(ax=ax)
    return fig


def new_clients_per_year(
    runs: pd.DataFrame, arms: Sequence[str], labels: dict[str, str] | None = None, title: str | None = None
) -> Figure:
    """Clients won each year by arm: the hunting that the stagnation trap starves."""
    labels = labels or {}
    data = yearly_long(runs[runs["arm"].isin(arms)], "annual_new_clients")
    with _style():
        fig = _figure()
        ax = fig.subplots()
        _arm_lines(ax, data, "year", arms, labels, marker="o")
        _title(ax, title or "New clients won per year, by arm (mean and 95% interval)")
        ax.set_xlabel("Year")
        ax.set_ylabel("New clients (number per year)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        _year_axis(ax, int(data["year"].max()))
        sns.despine(ax=ax)
    return fig


def mean_time_use(runs: pd.DataFrame, arm: str) -> pd.DataFrame:
    """Mean share of salespeople's hours per activity (columns) by year (index) over an arm's runs."""
    part = runs[runs["arm"] == arm]
    frames = {a: yearly_long(part, f"annual_time_{a}").groupby("year")["value"].mean() for a in ACTIVITIES}
    return pd.DataFrame(frames).fillna(0.0)


def has_time_use(runs: pd.DataFrame) -> bool:
    """Whether the runs carry the yearly time shares (stores written by orgmodel 0.1 with this summary)."""
    return all(f"annual_time_{a}" in runs.columns for a in ACTIVITIES)


def time_use_by_arm(
    runs: pd.DataFrame, arms: Sequence[str], labels: dict[str, str] | None = None, title: str | None = None
) -> Figure:
    """Stacked areas, one panel per arm: how the hunting role's client-facing hours split, year by year."""
    labels = labels or {}
    ncols = min(3, len(arms))
    nrows = int(np.ceil(len(arms) / ncols))
    with _style(), sns.axes_style("white"):
        fig = _figure(width=4.6 * ncols + 1.2, height=3.8 * nrows + 2.4)
        fig.get_layout_engine().set(wspace=0.06)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
        for ax, arm in zip(axes, arms, strict=False):
            shares = mean_time_use(runs, arm)
            ax.stackplot(
                shares.index.to_numpy(),
                [shares[a].to_numpy() for a in ACTIVITIES],
                colors=[ACTIVITY_COLOURS[a] for a in ACTIVITIES],
                labels=[ACTIVITY_LABELS[a] for a in ACTIVITIES],
                edgecolor="white",
                linewidth=0.3,
            )
            ax.set_title(labels.get(arm, arm), loc="left", fontsize="medium", fontweight="bold")
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            _year_axis(ax, int(shares.index.max()))
            ax.set_xlim(1, shares.index.max())
        for ax in axes[len(arms) :]:
            ax.set_visible(False)
        for ax in axes[::ncols]:
            ax.set_ylabel("Share of hours")
        for ax in axes[(nrows - 1) * ncols :]:
            ax.set_xlabel("Year")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=4, frameon=False, fontsize="small")
        fig.suptitle(
            wrap_title(title or "How salespeople's client-facing hours split, by arm (mean over replicates)", 100),
            x=0.01,
            ha="left",
            fontweight="bold",
        )
    return fig


def cost_vs_revenue(
    runs: pd.DataFrame,
    arms: Sequence[str],
    labels: dict[str, str] | None = None,
    years: int | None = None,
    title: str | None = None,
) -> Figure:
    """Each run's total cost of sales against its total revenue, with lines of equal cost per unit of revenue."""
    labels = labels or {}
    part = runs[runs["arm"].isin(arms)]
    data = pd.DataFrame(
        {
            "arm": part["arm"],
            "revenue": part["annual_revenue"].map(lambda v: float(np.sum(v))) / 1e6,
            "cost": part["annual_cost_of_sales"].map(lambda v: float(np.sum(v))) / 1e6,
        }
    )
    palette = arm_palette(arms)
    horizon = f" over {years} years" if years else ""
    with _style(), sns.axes_style("whitegrid"):
        fig = _figure(width=12.0, height=7.0)
        ax = fig.subplots()
        top_x = data["revenue"].max() * 1.08
        top_y = data["cost"].max() * 1.15
        observed = (data["cost"] / data["revenue"]).replace([np.inf, -np.inf], np.nan).dropna()
        lo, hi = (observed.min(), observed.max()) if len(observed) else (0.1, 0.1)
        for ratio in [r for r in COST_RATIOS if lo / 2.5 <= r <= hi * 2.5]:
            x_end = min(top_x, top_y / ratio)
            ax.plot([0, x_end], [0, ratio * x_end], color="#999999", linestyle=":", linewidth=1.2, zorder=0)
            ax.annotate(
                f"cost = {ratio:.0%} of revenue",
                (0.9 * x_end, 0.9 * ratio * x_end),
                xytext=(6, -4),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize="x-small",
                color="#666666",
            )
        sns.scatterplot(
            data=data, x="revenue", y="cost", hue="arm", hue_order=list(arms), palette=palette, s=55, alpha=0.6, ax=ax
        )
        means = data.groupby("arm")[["revenue", "cost"]].mean().reindex(list(arms)).dropna()
        ax.scatter(
            means["revenue"],
            means["cost"],
            marker="D",
            s=170,
            c=[palette[a] for a in means.index],
            edgecolors="black",
            linewidths=1.2,
            zorder=5,
            label="_arm means",
        )
        _legend(ax, labels, title="Runs by arm (diamonds: arm means)")
        _title(ax, title or f"Cost of sales against revenue{horizon}, one dot per run")
        ax.set_xlabel(f"Total revenue{horizon} (millions)")
        ax.set_ylabel(f"Total cost of sales{horizon} (millions)")
        ax.set_xlim(0, top_x)
        ax.set_ylim(0, top_y)
        ax.xaxis.set_major_formatter(FuncFormatter(_millions))
        ax.yaxis.set_major_formatter(FuncFormatter(_millions))
        sns.despine(ax=ax)
    return fig


def grid_heatmap(runs: pd.DataFrame, outcome: Outcome, row_factor: str, column_factor: str) -> Figure:
    """Mean outcome over replicates for every cell of a two-factor grid, annotated with its value.

    Pass all runs, failed ones included: a cell whose runs all failed is
    drawn hatched as "no successful run" rather than left out. Named levels
    keep the experiment's order (the status quo first); numbers ascend.
    """
    data = pd.DataFrame({row_factor: runs[row_factor], column_factor: runs[column_factor], "value": outcome.scaled(runs)})
    table = data.groupby([row_factor, column_factor], sort=False)["value"].mean().unstack(column_factor)
    table = table.reindex(index=_levels(runs[row_factor]), columns=_levels(runs[column_factor]))
    table.index = [_level(v) for v in table.index]
    table.columns = [_level(v) for v in table.columns]
    with _style():
        fig = _figure(width=max(8.0, 1.9 * table.shape[1] + 5.0), height=max(5.0, 0.9 * table.shape[0] + 3.0))
        ax = fig.subplots()
        sns.heatmap(
            table,
            annot=True,
            fmt=",.3g",
            cmap="viridis",
            linewidths=0.5,
            cbar_kws={"label": outcome.axis_label},
            ax=ax,
        )
        _title(ax, f"{_capital(outcome.label)}: mean over replicates")
        ax.set_xlabel(_factor_label(column_factor))
        ax.set_ylabel(_factor_label(row_factor))
        ax.tick_params(axis="x", rotation=0)
        ax.tick_params(axis="y", rotation=0)
        for i, j in zip(*np.nonzero(table.isna().to_numpy()), strict=True):
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#eeeeee", hatch="//", edgecolor="#bbbbbb", linewidth=0))
            ax.text(j + 0.5, i + 0.5, "no successful run", ha="center", va="center", fontsize="small", color="#555555")
    return fig


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _levels(column: pd.Series) -> list:
    unique = list(dict.fromkeys(column.dropna().tolist()))
    return sorted(unique) if pd.api.types.is_numeric_dtype(column) else unique


def _level(value: object) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value).replace("_", " ")


def _factor_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def sensitivity_figure(indices: pd.DataFrame, outcome: Outcome | str) -> Figure:
    """Sobol (S1 and ST with their 95% intervals) or Morris (mu* with interval, and mu* against sigma) indices.

    Args:
        indices: indexed by factor, with columns S1, S1_conf, ST, ST_conf
            (Sobol) or mu_star, mu_star_conf, sigma (Morris); ``*_conf`` is
            the half-width of the 95% interval, as SALib reports it.
        outcome: the outcome the indices are about (its label titles the
            figure; its unit scales Morris effects, which are in the
            outcome's unit per full range of a factor).

    """
    label = outcome if isinstance(outcome, str) else outcome.label
    scale, unit = (1.0, "outcome's unit") if isinstance(outcome, str) else (outcome.scale, outcome.unit)
    sobol = {"S1", "ST"} <= set(indices.columns)
    order = indices.sort_values("ST" if sobol else "mu_star")
    if not sobol:
        order = order.assign(**{c: order[c] / scale for c in ("mu_star", "mu_star_conf", "sigma")})
    names = [_factor_label(str(n)) for n in order.index]
    y = np.arange(len(order))
    with _style(), sns.axes_style("whitegrid"):
        fig = _figure(width=13.0, height=max(4.5, 0.7 * len(order) + 3.0))
        if sobol:
            ax = fig.subplots()
            height = 0.38
            ax.barh(y + height / 2, order["ST"], height, xerr=order["ST_conf"], color="#1f4e79", capsize=4, label="Total (ST)")
            ax.barh(
                y - height / 2, order["S1"], height, xerr=order["S1_conf"], color="#9dc3e6", capsize=4, label="First order (S1)"
            )
            ax.set_yticks(y, names)
            ax.set_xlabel("Share of the outcome's variance (Sobol index; bars: 95% interval)")
            ax.axvline(0, color="black", linewidth=0.8)
            ax.legend(loc="lower right", frameon=True)
            _title(ax, f"What drives {label}: Sobol indices")
        else:
            ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1.0]})
            mu_star, conf = order["mu_star"].to_numpy(), order["mu_star_conf"].to_numpy()
            # μ* is a mean of absolute values: the interval's lower end is drawn at 0 at the least
            ax.barh(y, mu_star, xerr=[np.minimum(conf, mu_star), conf], color="#1f4e79", capsize=4)
            ax.set_yticks(y, names)
            ax.set_xlim(left=0)
            ax.set_xlabel(f"μ*: mean absolute effect\n({unit}; bars: 95% interval)")
            _title(ax, "Overall influence μ*")
            ax2.scatter(mu_star, order["sigma"], s=70, color="#1f4e79")
            top = float(np.nanmax(order[["mu_star", "sigma"]].to_numpy(), initial=0.0)) * 1.15 or 1.0
            ax2.plot([0, top], [0, top], color="#999999", linestyle=":", linewidth=1.2)
            ax2.annotate("σ = μ*", (top, top), xytext=(-8, -8), textcoords="offset points", ha="right", va="top", color="#777777")
            ax2.set_xlim(0, top)
            ax2.set_ylim(0, top)
            ax2.set_xlabel(f"μ* ({unit})")
            ax2.set_ylabel(f"σ ({unit})")
            _title(ax2, "σ: interactions and curvature")
            fig.suptitle(f"What drives {label}: Morris screening", x=0.01, ha="left", fontweight="bold")
            _name_points(ax2, names, mu_star, order["sigma"].to_numpy())
    return fig


def _name_points(ax, names: Sequence[str], xs: np.ndarray, ys: np.ndarray) -> None:
    """Write each point's name beside it where it covers no other name and no other point.

    Points close together (factors with similar effects) would otherwise
    print their names over each other. Each name tries the places next to its
    point first (right, then left, level with it), then ever further above or
    below; a name set off from its point gets a thin line to it, and a name
    with no free place at all goes right of its point. Names stay out of the
    layout, so the positions measured here are the final ones.
    """
    fig = ax.figure
    fig.canvas.draw()  # fixes the layout: the sizes and positions measured below are final
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    dots = ax.transData.transform(np.column_stack([xs, ys]))
    radius = 5.0 * fig.dpi / 72  # a marker of s=70 is about 8 points across
    taken = [Bbox.from_extents(x - radius, y - radius, x + radius, y + radius) for x, y in dots]
    places = [(dx, dy) for dy in (0, *(d * sign for d in range(12, 121, 12) for sign in (1, -1))) for dx in (7, -7)]

    def name(i: int, dx: int, dy: int) -> Text:
        text = ax.annotate(
            names[i],
            (xs[i], ys[i]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if dx > 0 else "right",
            va="center",
            fontsize="small",
            arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.6} if dy else None,
        )
        text.set_in_layout(False)
        text.update_positions(renderer)
        return text

    for i in np.argsort(ys, kind="stable"):
        others = taken[:i] + taken[i + 1 :]
        for dx, dy in places:
            text = name(i, dx, dy)
            box = Text.get_window_extent(text, renderer)  # the words alone, not the leader line
            if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) and not box.count_overlaps(others):
                taken.append(box)
                break
            text.remove()
        else:
            taken.append(Text.get_window_extent(name(i, 7, 0), renderer))


def outcome_vs_factors(runs: pd.DataFrame, outcome: Outcome, factors: Sequence[str]) -> Figure:
    """One scatter per numeric factor: the outcome of each run against the factor's value, with Spearman's rho."""
    numeric = [f for f in factors if pd.api.types.is_numeric_dtype(runs[f])]
    ncols = min(3, max(1, len(numeric)))
    nrows = max(1, int(np.ceil(len(numeric) / ncols)))
    y_all = outcome.scaled(runs).to_numpy(dtype=float)
    with _style(), sns.axes_style("whitegrid"):
        fig = _figure(width=5.0 * ncols + 1.5, height=4.2 * nrows + 1.0)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
        for ax, factor in zip(axes, numeric, strict=False):
            x = runs[factor].to_numpy(dtype=float)
            ok = np.isfinite(x) & np.isfinite(y_all)
            ax.scatter(x[ok], y_all[ok], s=22, alpha=0.6, color="#1f4e79")
            rho = stats.spearmanr(x[ok], y_all[ok]).statistic if ok.sum() > 2 else float("nan")
            ax.set_title(f"{_factor_label(factor)} (Spearman ρ = {rho:.2f})", loc="left", fontsize="medium", fontweight="bold")
            ax.set_xlabel(_factor_label(factor))
            ax.yaxis.set_major_formatter(FuncFormatter(_millions))
        for ax in axes[len(numeric) :]:
            ax.set_visible(False)
        for ax in axes[::ncols]:
            ax.set_ylabel(outcome.axis_label)
        fig.suptitle(f"{_capital(outcome.label)} against each factor, one dot per run", x=0.01, ha="left", fontweight="bold")
    return fig


def _difference_scale(outcome: Outcome) -> tuple[float, str]:
    """Divisor and unit of a difference in ``outcome`` as the report writes it (shares and rates in points)."""
    if outcome.kind in ("share", "rate"):
        return 0.01, "percentage points"
    return outcome.scale, outcome.unit


def forest(
    tables: dict[str, pd.DataFrame],
    outcomes: Sequence[Outcome],
    labels: dict[str, str],
    title: str,
    order: Sequence[str] | None = None,
) -> Figure:
    """Each arm's difference to the reference with its 95% interval, one panel per outcome (a forest plot).

    Arms whose difference is clear (interval off zero) are drawn in colour,
    the others in grey, so the page's headline reads in a few seconds.

    Args:
        tables: :func:`~orgmodel.analysis.compare.compare_arms` tables by outcome key.
        outcomes: the outcomes to show, the criterion first.
        labels: arm names.
        title: the figure's title (a sentence that says what it shows).
        order: arms top to bottom (default: the first outcome's table order).

    """
    first = tables[outcomes[0].key]
    reference = first.loc[first["reference"], "arm"].iloc[0]
    arms = [a for a in (order or first["arm"].tolist()) if a != reference]
    with _style(), sns.axes_style("whitegrid"):
        fig = _figure(width=4.3 * len(outcomes) + 3.2, height=max(4.2, 0.62 * len(arms) + 3.0))
        axes = np.atleast_1d(fig.subplots(1, len(outcomes), sharey=True, squeeze=False)).ravel()
        y = np.arange(len(arms))[::-1]
        for ax, outcome in zip(axes, outcomes, strict=True):
            table = tables[outcome.key].set_index("arm").reindex(arms)
            scale, unit = _difference_scale(outcome)
            diff = table["diff"].to_numpy(dtype=float) / scale
            low = table["diff_low"].to_numpy(dtype=float) / scale
            high = table["diff_high"].to_numpy(dtype=float) / scale
            sure = (low > 0) | (high < 0)
            colours = np.where(sure, np.where(diff > 0, "#1f4e79", "#c55a11"), "#9a9a9a")
            ax.axvline(0, color=REFERENCE_COLOUR, linewidth=1.2)
            ax.hlines(
                y, np.where(np.isfinite(low), low, diff), np.where(np.isfinite(high), high, diff), colors=colours, linewidth=3
            )
            ax.scatter(diff, y, s=90, c=colours, zorder=3, edgecolors="white", linewidths=1)
            ax.set_title(wrap_title(_capital(outcome.label), 30), loc="left", fontsize="small", fontweight="bold")
            ax.set_xlabel(f"Difference to {labels.get(reference, reference)}\n({unit})", fontsize="small")
            ax.tick_params(axis="x", labelsize="small")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:+,.4g}" if v else "0"))
            span = np.nanmax(np.abs(np.concatenate([low, high, diff, [0.0]])))
            if np.isfinite(span) and span > 0:
                ax.set_xlim(-1.12 * span, 1.12 * span)
        axes[0].set_yticks(y, [labels.get(a, a) for a in arms])
        axes[0].set_ylim(-0.6, len(arms) - 0.4)
        fig.suptitle(wrap_title(title, 90), x=0.01, ha="left", fontweight="bold", fontsize="medium")
    return fig
