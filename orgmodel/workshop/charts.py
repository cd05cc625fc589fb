"""Small SVG charts for the game's pages, drawn by matplotlib once per round.

SVG keeps the pages sharp on a projector and a phone alike and needs no
front-end library; the server caches each chart until the next round.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

PALETTE = sns.color_palette("colorblind", 10)


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]  # inline: drop the XML prolog and doctype


def _quarter_axis(ax: plt.Axes, label: str = "quarter (0 = before the game)") -> None:
    ax.set_xlabel(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.spines[["top", "right"]].set_visible(False)


def management_charts(q: pd.DataFrame) -> list[str]:
    """Revenue and new clients per salesperson by quarter, what management watches: two charts that wrap on a phone."""
    fig, a = plt.subplots(figsize=(4.6, 2.9))
    a.bar(q["quarter"], q["revenue"] / 1e6, color=PALETTE[0])
    a.set_title("Revenue per quarter (M)")
    _quarter_axis(a)
    fig.tight_layout()
    first = _svg(fig)
    fig, b = plt.subplots(figsize=(4.6, 2.9))
    b.plot(q["quarter"], q["new_clients_per_salesperson"], marker="o", color=PALETTE[1])
    b.set_title("New clients per salesperson (a year)")
    _quarter_axis(b)
    fig.tight_layout()
    return [first, _svg(fig)]


def debrief_chart(teams: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame]) -> str:
    """What management saw (new clients per salesperson) against why (service's share of the hours)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(12.0, 3.4))
    styles = {**{k: ("-", 2.0) for k in teams}, **{k: (":", 2.4) for k in baselines}}
    for i, (label, q) in enumerate({**teams, **baselines}.items()):
        ls, lw = styles[label]
        colour = PALETTE[i % len(PALETTE)] if label in teams else "0.35" if i % 2 else "0.6"
        a.plot(q["quarter"], q["new_clients_per_salesperson"], ls, lw=lw, color=colour, label=label)
        b.plot(q["quarter"], q["service_share"] * 100, ls, lw=lw, color=colour)
        c.plot(q["quarter"], q["revenue"] / 1e6, ls, lw=lw, color=colour)
    a.set_title("What management saw:\nnew clients per salesperson (a year)")
    b.set_title("Why: share of salespeople's hours\nspent servicing clients (%)")
    c.set_title("Revenue per quarter (M)")
    for ax in (a, b, c):
        _quarter_axis(ax, "quarter")
    fig.legend(loc="lower center", ncol=min(6, len(teams) + len(baselines)), frameon=False, bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    return _svg(fig)
