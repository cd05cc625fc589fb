"""Figures of one run, sized and labelled to be read on a projector.

Figures are built with matplotlib's object-oriented API on the Agg canvas, so
they never open a window and never change the global pyplot backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from orgmodel.analysis.summary import time_use
from orgmodel.model.activities import ACTIVITIES
from orgmodel.policies import structures

if TYPE_CHECKING:
    from orgmodel.simulate import SimulationResult

# hunting in blues, keeping clients in warm colours, the rest in neutrals
ACTIVITY_COLOURS = {
    "prospecting": "#1f4e79",
    "pipeline": "#5b9bd5",
    "implementation": "#f4b183",
    "servicing": "#c55a11",
    "cross_sell": "#70ad47",
    "relationship": "#9e7cc1",
    "handover": "#7f7f7f",
    "idle": "#d9d9d9",
}
ACTIVITY_LABELS = {
    "prospecting": "Prospecting",
    "pipeline": "Pipeline (qualify, propose, close)",
    "implementation": "Implementation",
    "servicing": "Servicing orders",
    "cross_sell": "Cross-selling",
    "relationship": "Relationship care",
    "handover": "Handovers",
    "idle": "Idle",
}
FIRST_SALE = "#4472c4"
CROSS_SELL = "#70ad47"
WON = "#2f5597"


def _millions(x: float, _pos: int | None = None) -> str:
    return f"{x:,.6g}"


def overview_figure(result: SimulationResult) -> Figure:
    """Three panels: annual revenue (first sales and cross-sell), clients won per year, salespeople's time use.

    Args:
        result: a finished run.

    Returns:
        A matplotlib Figure on the Agg canvas (save it with ``fig.savefig``).

    """
    sc = result.scenario
    s = result.summary
    years = np.arange(1, len(s["annual_revenue"]) + 1)
    revenue = np.asarray(s["annual_revenue"], dtype=float) / 1e6
    cross = np.asarray(s["annual_cross_sell_revenue"], dtype=float) / 1e6
    first = revenue - cross
    won = np.asarray(s["annual_new_clients"], dtype=float)
    shares = time_use(result.staff).reindex(columns=list(ACTIVITIES)).fillna(0.0)
    who = "hunters" if structures.get(sc.structure).hands_over else "salespeople"

    with sns.axes_style("whitegrid"), sns.plotting_context("talk", font_scale=0.8):
        fig = Figure(figsize=(18, 6.6), layout="constrained")
        fig.get_layout_engine().set(h_pad=0.12)
        FigureCanvasAgg(fig)
        ax_rev, ax_won, ax_time = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.15, 1.0, 1.15]})

        # revenue: first-sale volume with the cross-sell part stacked on top
        ax_rev.bar(years, first, color=FIRST_SALE, label="First product lines", width=0.75)
        ax_rev.bar(years, cross, bottom=first, color=CROSS_SELL, label="Cross-sell (further lines)", width=0.75)
        ax_rev.set_title("Annual revenue", loc="left", fontweight="bold")
        ax_rev.set_xlabel("Year")
        ax_rev.set_ylabel("Revenue (millions per year)")
        ax_rev.yaxis.set_major_formatter(FuncFormatter(_millions))
        ax_rev.legend(loc="upper left", frameon=True, framealpha=0.95, fontsize="small")
        ax_rev.set_ylim(0, max(revenue.max(initial=0.0) * 1.25, 1e-6))

        # clients won
        bars = ax_won.bar(years, won, color=WON, width=0.75)
        ax_won.bar_label(bars, labels=[f"{int(v)}" for v in won], padding=3, fontsize="small")
        ax_won.set_title("New clients won per year", loc="left", fontweight="bold")
        ax_won.set_xlabel("Year")
        ax_won.set_ylabel("New clients (number)")
        ax_won.set_ylim(0, max(won.max(initial=0.0) * 1.18, 1.0))
        ax_won.yaxis.set_major_locator(MaxNLocator(integer=True))

        # time use: stacked shares of client-facing hours
        if not shares.empty:
            t_years = shares.index.to_numpy()
            bottom = np.zeros(len(shares))
            for activity in ACTIVITIES:
                share = shares[activity].to_numpy()
                ax_time.bar(
                    t_years,
                    share,
                    bottom=bottom,
                    color=ACTIVITY_COLOURS[activity],
                    label=ACTIVITY_LABELS[activity],
                    width=0.8,
                    edgecolor="white",
                    linewidth=0.4,
                )
                bottom += share
        ax_time.set_title(f"How {who} spend client-facing hours", loc="left", fontweight="bold")
        ax_time.set_xlabel("Year")
        ax_time.set_ylabel("Share of client-facing hours")
        ax_time.set_ylim(0, 1)
        ax_time.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        handles, labels = ax_time.get_legend_handles_labels()
        ax_time.legend(
            handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small"
        )

        for ax in (ax_rev, ax_won, ax_time):
            ax.set_xticks(years if len(years) <= 12 else years[:: int(np.ceil(len(years) / 12))])
            ax.set_xlim(0.4, len(years) + 0.6)
            ax.grid(axis="x", visible=False)
            sns.despine(ax=ax, left=True)

        title = f"{sc.name}: {sc.structure.replace('_', '-')} structure, {sc.incentive.replace('_', ' ')}"
        fig.suptitle(title, fontsize="x-large", fontweight="bold", x=0.01, ha="left")
        people = f"{sc.salespeople} {who}" + (f", {sc.account_managers} account managers at start" if sc.account_managers else "")
        fig.supxlabel(
            f"{people} · {sc.market_size:,} companies · {sc.years} year{'s' if sc.years != 1 else ''} · seed {result.seed}",
            x=0.99,
            ha="right",
            fontsize="small",
            color="#555555",
        )
    return fig
