"""Charts for the game's pages as inline SVG: sharp on a projector and a phone, no front-end library.

The teams' two small charts are drawn directly (fast enough for fifteen
teams reloading at once); the debrief's comparison, drawn once, uses matplotlib.
"""

from __future__ import annotations

import html
import io
import math

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


def _nice_max(x: float) -> float:
    """A round upper bound for an axis (1, 2 or 5 times a power of ten)."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)


def _svg_chart(x: list[int], y: list[float], title: str, bars: bool, colour: str) -> str:
    """A small bar or line chart as inline SVG.

    Drawn directly rather than with matplotlib: a team's page is redrawn by
    fifteen teams at once as soon as a round is played, and matplotlib takes
    about a tenth of a second per figure where this takes a millisecond.
    """
    w, h, left, bottom, top, right = 460, 256, 46, 42, 30, 12
    pw, ph = w - left - right, h - top - bottom
    ys = [v if v is not None and math.isfinite(v) else 0.0 for v in y]
    ymax = _nice_max(max(ys, default=0.0))
    n = max(len(x), 1)
    step = pw / n

    def px(i: int) -> float:
        return left + step * (i + 0.5)

    def py(v: float) -> float:
        return top + ph * (1.0 - v / ymax)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="15">{html.escape(title)}</text>',
    ]
    for k in range(5):  # gridlines and y labels
        v = ymax * k / 4
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="12">{v:g}</text>')
    if bars:
        bw = step * 0.7
        parts += [
            f'<rect x="{px(i) - bw / 2:.1f}" y="{py(v):.1f}" width="{bw:.1f}" height="{top + ph - py(v):.1f}" fill="{colour}"/>'
            for i, v in enumerate(ys)
        ]
    else:
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(ys))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        parts += [f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}"/>' for i, v in enumerate(ys)]
    every = max(1, math.ceil(n / 12))
    parts += [
        f'<text x="{px(i):.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="12">{q}</text>'
        for i, q in enumerate(x)
        if i % every == 0
    ]
    parts.append(
        f'<text x="{left + pw / 2}" y="{h - 6}" text-anchor="middle" font-size="12">quarter (0 = before the game)</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def management_charts(q: pd.DataFrame) -> list[str]:
    """Revenue and new clients per salesperson by quarter, what management watches: two charts that wrap on a phone."""
    quarters = [int(v) for v in q["quarter"]]
    return [
        _svg_chart(quarters, list(q["revenue"] / 1e6), "Revenue per quarter (M)", True, "#1f4e79"),
        _svg_chart(quarters, list(q["new_clients_per_salesperson"]), "New clients per salesperson (a year)", False, "#ed7d31"),
    ]


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
