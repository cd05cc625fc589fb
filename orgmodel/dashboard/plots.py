"""The live charts: what management sees and why, the fall split, revenue, new clients, hours, portfolios.

Each ``draw_*`` function fills a matplotlib Figure from the model's collected
data (:mod:`orgmodel.dashboard.data`); :func:`Chart` turns one into an image
and redraws it only when the model has moved on (a new week, a reset, a
restructuring), not when something else on the page re-renders.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

import numpy as np
import solara
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from mesa.visualization.utils import update_counter

from orgmodel.dashboard import data, theme
from orgmodel.model.activities import ACTIVITIES, HUNTING, SERVICING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from orgmodel.model.model import SalesOrgModel

Draw = Callable[["Figure", "SalesOrgModel"], None]
Key = Callable[["SalesOrgModel"], Hashable]


def _years_axis(ax: Axes, horizon: float) -> None:
    ax.set_xlabel("Year")
    ax.set_xlim(0, max(horizon, 1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _horizon(model: SalesOrgModel) -> float:
    """Years shown on a time axis: at least two, one more than elapsed, never past the run."""
    elapsed = model.time / 52.0
    return float(min(model.cfg.years, max(2, int(np.ceil(elapsed)) + 1)))


def _waiting(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=15, color="#777777")


def draw_management_vs_why(fig: Figure, model: SalesOrgModel) -> None:
    """Left: new clients per salesperson (what management reads); right: where their hours go (why)."""
    ts = data.weekly(model)
    staff = data.monthly_staff(model)
    horizon = _horizon(model)
    sees, why = fig.subplots(1, 2)
    theme.margins(fig, left=1.2, gap=1.5)

    rate = data.new_clients_per_salesperson(ts)
    sees.set_title("What management sees")
    if rate.empty:
        _waiting(sees, "first half year still running")
    else:
        sees.plot(rate["year"], rate["per_head"], color=theme.NEW_CLIENTS_COLOUR, lw=3.5)
        sees.set_ylim(0, max(rate["per_head"].max() * 1.2, 1.0))
    sees.set_ylabel("new clients per salesperson\n(last 12 months)")
    _years_axis(sees, horizon)

    shares = data.hour_shares(staff)
    why.set_title("Why: where their hours go")
    if shares.empty:
        _waiting(why, "first month still running")
    else:
        hunting = shares[[ACTIVITIES[i] for i in HUNTING]].sum(axis=1)
        service = shares[ACTIVITIES[SERVICING]]
        why.plot(shares.index, service, color=theme.SERVICE_COLOUR, lw=3.5, label="servicing existing clients' orders")
        why.plot(shares.index, hunting, color=theme.HUNTING_COLOUR, lw=3.5, label="finding and winning new clients")
        why.legend(loc="upper left", frameon=False, borderaxespad=0.2)
    # a band above 100% for the legend: hunting starts at 100%, and the lines would run under it
    why.set_ylim(0, 1.3)
    why.set_yticks(np.linspace(0.0, 1.0, 6))
    why.spines["left"].set_bounds(0.0, 1.0)
    why.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    why.set_ylabel("share of salespeople's\nclient-facing hours")
    _years_axis(why, horizon)


def draw_new_client_fall(fig: Figure, model: SalesOrgModel) -> None:
    """New clients per salesperson against the best year, split into time taken by service and skill that faded.

    "They got lazy" has two measurable parts: the hunting hours that service work took
    (structure) and, when skills move with practice (``skills_move``), the hunting skill lost by
    not hunting. The bars are what management sees; the lines what hours alone, and hours and
    skill together, would have left.
    """
    fall = data.fall_since_best_year(data.monthly_staff(model))
    ax = fig.subplots()
    theme.margins(fig, left=1.2, right=4.6)
    ax.set_title("Why new clients per salesperson fell: time taken by service, skill that faded")
    ax.set_xlabel("Year")
    if fall.empty:
        _waiting(ax, "first year still running")
        return
    base = fall.attrs["base_year"]
    years = fall.index.to_numpy()
    running = model.time % 52 != 0 and model.running
    bars = ax.bar(years, 100 * np.exp(fall["fall"]), color=theme.NEW_CLIENTS_COLOUR, alpha=0.45, width=0.75)
    bars.set_label("new clients per salesperson")
    if running:
        bars[-1].set_alpha(0.45 * theme.PARTIAL_ALPHA)
    hours = 100 * np.exp(fall["hours"])
    ax.plot(years, hours, color=theme.SERVICE_COLOUR, lw=3.5, marker="o", label="hunting hours alone\n(time taken by service)")
    skills_move = bool(model.cfg.skills_move) or bool((fall["skill"].fillna(0.0) != 0.0).any())
    if skills_move:
        both = 100 * np.exp(fall["hours"] + fall["skill"])
        ax.plot(years, both, color="black", lw=3, ls="--", marker="o", label="hours and the hunting\nskill that faded")
    ax.axhline(100.0, color="#777777", lw=1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    last = fall.iloc[-1]
    if skills_move:
        note = f"year {years[-1]}: hours x{np.exp(last['hours']):.2f}, skill x{np.exp(last['skill']):.2f}"
    else:
        note = "skills constant (skills_move off):\nnone of the fall is skill"
    ax.text(1.01, 0.05, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=12, color="#555555")
    ax.set_ylabel(f"% of year {base}\n" + ("(the first year)" if base == 1 else "(best year after the first)"))
    ax.set_ylim(0, max(float(np.nanmax(100 * np.exp(fall[["fall", "hours"]].to_numpy()))) * 1.1, 120.0))
    ax.set_xlim(0.4, max(years.max(), 2) + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def draw_revenue(fig: Figure, model: SalesOrgModel) -> None:
    """Revenue per week (with its 13-week average) and per year (the running year paler)."""
    ts = data.weekly(model)
    per_week, per_year = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1.0]})
    theme.margins(fig)
    per_week.set_title("Revenue per week")
    per_year.set_title("Revenue per year")
    if ts.empty:
        _waiting(per_week, "press Step or Play")
        per_week.set_ylim(0, 10.0)  # the scale of the first weeks, not 0-1 labelled "0, 1, 1"
    else:
        x = ts["week"].to_numpy() / 52.0
        weekly_k = ts["revenue"].to_numpy() / 1e3
        per_week.plot(x, weekly_k, color=theme.REVENUE_COLOUR, lw=0.8, alpha=0.45)
        smooth = ts["revenue"].rolling(13, min_periods=1).mean().to_numpy() / 1e3
        per_week.plot(x, smooth, color=theme.REVENUE_COLOUR, lw=3, label="13-week average")
        per_week.legend(loc="upper left", frameon=False)
        per_week.set_ylim(0, max(weekly_k.max() * 1.1, 10.0))
        years = data.yearly(ts, "revenue") / 1e6
        _year_bars(per_year, years, model, theme.REVENUE_COLOUR, "{:.1f}")
    per_week.set_ylabel("thousands")
    per_week.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    _years_axis(per_week, _horizon(model))
    per_year.set_ylabel("millions")


BAR_LABEL_SIZE = 12
#: a label character's width in pixels at that size (DejaVu Sans digits are about 0.64 em)
_CHAR_WIDTH = 0.64 * BAR_LABEL_SIZE * theme.DPI / 72.0


def _slot_pixels(ax: Axes) -> float:
    """Width in pixels of one year's slot on a bar chart (its axes' width over the years shown)."""
    left, right = ax.get_xlim()
    return float(ax.get_window_extent().width) / max(right - left, 1.0)


def _year_bars(ax: Axes, values: object, model: SalesOrgModel, colour: str, fmt: str) -> None:
    """Bars per year with their values on top; the year still running is paler."""
    years = np.asarray(values.index, dtype=int)  # type: ignore[attr-defined]
    heights = np.asarray(values.to_numpy(), dtype=float)  # type: ignore[attr-defined]
    running = model.time % 52 != 0 and model.running
    alphas = [theme.PARTIAL_ALPHA if (running and y == years.max()) else 1.0 for y in years]
    bars = ax.bar(years, heights, color=colour, width=0.75)
    for bar, alpha in zip(bars, alphas, strict=True):
        bar.set_alpha(alpha)
    ax.set_xlim(0.4, max(years.max(), 2) + 0.6)
    labels = [fmt.format(h) for h in heights]
    if max(len(t) for t in labels) * _CHAR_WIDTH > _slot_pixels(ax):  # ten years of "23.5" run into each other
        labels = [f"{h:.0f}" for h in heights]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=BAR_LABEL_SIZE)
    ax.set_ylim(0, max(heights.max() * 1.2, 1.0))
    ax.set_xlabel("Year (the running year paler)" if running else "Year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def draw_new_clients(fig: Figure, model: SalesOrgModel) -> None:
    """New clients won per year (a client counts when its implementation ends)."""
    ts = data.weekly(model)
    ax = fig.subplots()
    theme.margins(fig, left=0.9)
    ax.set_title("New clients per year")
    if ts.empty:
        _waiting(ax, "press Step or Play")
        return
    _year_bars(ax, data.yearly(ts, "new_clients"), model, theme.NEW_CLIENTS_COLOUR, "{:.0f}")
    ax.set_ylabel("clients")


def draw_hours_split(fig: Figure, model: SalesOrgModel) -> None:
    """Salespeople's client-facing hours by activity, month by month (stacked shares)."""
    shares = data.hour_shares(data.monthly_staff(model))
    ax = fig.subplots()
    theme.margins(fig, right=3.6)
    ax.set_title("How salespeople's hours split")
    if shares.empty:
        _waiting(ax, "first month still running")
    else:
        ax.stackplot(
            shares.index,
            [shares[a].to_numpy() for a in ACTIVITIES],
            colors=[theme.ACTIVITY_COLOURS[a] for a in ACTIVITIES],
            labels=[theme.ACTIVITY_LABELS[a] for a in ACTIVITIES],
        )
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(False)
    _years_axis(ax, _horizon(model))


def draw_portfolios(fig: Figure, model: SalesOrgModel) -> None:
    """Serial clients each person keeps (last closed month), largest first, coloured by role."""
    last = data.latest_portfolios(data.monthly_staff(model))
    ax = fig.subplots()
    theme.margins(fig, left=0.9)
    ax.set_title("Clients per person")
    if last.empty:
        _waiting(ax, "first month still running")
        return
    x = np.arange(1, len(last) + 1)
    ax.bar(x, last["clients"], color=[theme.ROLE_COLOURS.get(r, "#888888") for r in last["role"]], width=0.8)
    # one legend entry per role present, in its bars' colour (an empty bar() would take the default colour)
    roles = dict.fromkeys(last["role"])
    legend = [Patch(color=theme.ROLE_COLOURS.get(r, "#888888"), label=theme.ROLE_LABELS.get(r, r)) for r in roles]
    ax.legend(handles=legend, loc="upper right", frameon=False)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("people, most clients first")
    ax.set_ylabel("serial clients")
    ax.set_xticks([])
    ax.set_ylim(0, max(float(last["clients"].max()) * 1.2, 1.0))


def weekly_key(model: SalesOrgModel) -> tuple[int, int, int]:
    """Charts of weekly data change every week: which model, its steps and the changes it has seen."""
    return (id(model), model.steps, len(model.interventions_applied))


def monthly_key(model: SalesOrgModel) -> tuple[int, int, int]:
    """Charts of the monthly staff table change when a month closes (or the organisation changes)."""
    return (id(model), len(model.datacollector.tables["staff"]["month"]), len(model.interventions_applied))


@solara.component
def Chart(model: SalesOrgModel, draw: Draw, width: float, height: float, name: str, key: Key = weekly_key) -> None:
    """One chart as an image, redrawn only when ``key`` says its data has changed."""
    update_counter.get()  # re-render after every Step / Play redraw
    image = solara.use_memo(lambda: theme.render(lambda fig: draw(fig, model), width, height), [key(model)])
    with solara.Div(classes=["orgmodel-chart"], attributes={"data-testid": name}):
        solara.Image(image)
