"""Small org pictures: who wins a client, who keeps it, who handles its orders, in each structure.

Three columns, one per job a client needs done (winning it, keeping it
and growing it, handling its orders), each naming the role that does that
job in the structure; an arrow marks a handover between roles. The jobs per
structure are read from :data:`JOBS`, written from each structure's own code
(``orgmodel/policies/structures``); a structure that is not listed (a user's
own) is drawn from what its class declares: whether it hands clients over.

    python -m orgmodel.analysis.org_pictures docs/images/structures

writes one PNG per built-in structure for ``docs/policies/structures.md``.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from orgmodel.policies import structures
from orgmodel.policies.registry import UnknownPolicyError

COLOURS = {
    "Salespeople": "#1f4e79",
    "Hunters": "#1f4e79",
    "Account managers": "#548235",
    "Key-account\nmanagers": "#7030a0",
    "Order desk": "#c55a11",
    "Pod: hunters and\naccount managers": "#2e75b6",
    "The pod's account\nmanagers": "#548235",
}
JOB_TITLES = ("Wins new clients", "Keeps and grows the client", "Handles its orders")


@dataclass(frozen=True)
class Jobs:
    """Which role does each job in a structure, and what the arrow between them says.

    Attributes:
        wins: who prospects and closes.
        keeps: who owns the relationship after the sale (one or two roles).
        orders: who specifies orders and chases shipments.
        handover: what moves a client from ``wins`` to the second keeper ("" = none).

    """

    wins: str
    keeps: tuple[str, ...]
    orders: str
    handover: str = ""


JOBS = {
    "full_cycle": Jobs("Salespeople", ("Salespeople",), "Salespeople"),
    "hunter_farmer": Jobs("Hunters", ("Account managers",), "Account managers", "after implementation"),
    "capped_portfolio": Jobs("Salespeople", ("Salespeople", "Account managers"), "Whoever keeps\nthe client", "beyond the cap"),
    "service_desk": Jobs("Salespeople", ("Salespeople",), "Order desk"),
    "pod": Jobs("Hunters", ("Pod: hunters and\naccount managers",), "The pod's account\nmanagers", "inside the pod"),
    "key_accounts": Jobs("Salespeople", ("Salespeople", "Key-account\nmanagers"), "Whoever keeps\nthe client", "largest clients"),
}


def jobs_of(structure: str) -> Jobs:
    """The jobs of a structure: listed for the built-ins, derived from ``hands_over`` for others."""
    if structure in JOBS:
        return JOBS[structure]
    try:
        hands_over = structures.get(structure).hands_over
    except (UnknownPolicyError, KeyError, ValueError):
        hands_over = False
    if hands_over:
        return Jobs("Salespeople", ("Account managers",), "Account managers", "handover")
    return Jobs("Salespeople", ("Salespeople",), "Salespeople")


def _box(fig_ax, x: float, y: float, w: float, h: float, text: str) -> None:
    colour = COLOURS.get(text, "#595959")
    fig_ax.add_patch(
        FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.01,rounding_size=0.04", facecolor=colour, edgecolor="none")
    )
    fig_ax.text(
        x + w / 2, y + h / 2, text, ha="center", va="center", color="white", fontsize=9.5, fontweight="bold", linespacing=1.1
    )


def structure_picture(structure: str, title: str | None = None) -> Figure:
    """The three jobs of a client and who does each in ``structure``, as a small figure."""
    jobs = jobs_of(structure)
    fig = Figure(figsize=(6.4, 2.3))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 1.15)
    ax.axis("off")
    ax.text(0.05, 1.08, title or structure.replace("_", " "), fontsize=11, fontweight="bold", va="center", color="#1d2733")
    w = 0.8
    for i, job in enumerate(JOB_TITLES):
        ax.text(0.1 + i + w / 2, 0.9, job, ha="center", va="center", fontsize=8.5, color="#5b6675")
    _box(ax, 0.1, 0.3, w, 0.45, jobs.wins)
    if len(jobs.keeps) == 1:
        _box(ax, 1.1, 0.3, w, 0.45, jobs.keeps[0])
    else:
        _box(ax, 1.1, 0.55, w, 0.27, jobs.keeps[0])
        _box(ax, 1.1, 0.2, w, 0.27, jobs.keeps[1])
    _box(ax, 2.1, 0.3, w, 0.45, jobs.orders)
    target_y = 0.33 if len(jobs.keeps) > 1 else 0.52
    if jobs.handover:
        ax.add_patch(
            FancyArrowPatch((0.9, 0.45), (1.1, target_y), arrowstyle="-|>", mutation_scale=14, color="#1d2733", linewidth=1.6)
        )
        ax.text(1.0, 0.08, f"handover: {jobs.handover}", ha="center", va="center", fontsize=8.5, color="#1d2733")
    else:
        ax.text(1.0, 0.08, "no handover: the winner keeps the client", ha="center", va="center", fontsize=8.5, color="#1d2733")
    return fig


def structure_png(structure: str, title: str | None = None, dpi: int = 110) -> bytes:
    """:func:`structure_picture` as PNG bytes (no timestamp in the file, so the same picture is the same bytes)."""
    buffer = io.BytesIO()
    structure_picture(structure, title).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write ``<folder>/<structure>.png`` for every registered structure."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "docs/images/structures")
    folder.mkdir(parents=True, exist_ok=True)
    for name in structures.names():
        (folder / f"{name}.png").write_bytes(structure_png(name))
        print(folder / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
