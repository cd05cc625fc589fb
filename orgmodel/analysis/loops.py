"""The stagnation trap as a causal-loop diagram, drawn from the model's own links.

Each link below names the code that makes it happen in the model
(``module:Class.method``), and ``tests/test_loops.py`` checks that every one
of them exists, so the picture cannot drift from the model unnoticed. The
loops and their polarity (reinforcing: an even number of negative links;
balancing: odd) are found by networkx, not drawn by hand:

* the reinforcing cross-sell loop: revenue from one's own clients pays more
  per hour than hunting, so hours go to cross-selling, which adds revenue
  from one's own clients;
* service load crowding out hunting (balancing): every client won adds order
  and service hours that come out of the hours left to hunt;
* management's fix that fails: slowing growth brings pressure (push harder,
  replace the "lazy" ones), meant to add hunting; but leavers' clients land
  on the remaining colleagues and new hires start slowly, so service load
  rises and hunting falls further.

    python -m orgmodel.analysis.loops docs/images/stagnation_trap_loops.png
"""

from __future__ import annotations

import importlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch


@dataclass(frozen=True)
class Link:
    """A causal link: more of ``cause`` means more (``+1``) or less (``-1``) of ``effect``, through ``where`` in the model."""

    cause: str
    effect: str
    sign: int
    where: str


OWN = "Clients each\nsalesperson keeps"
SERVICE = "Order and service\nhours needed"
HUNT = "Hours left\nto hunt"
WON = "New clients\nwon"
OWN_REVENUE = "Revenue from\nown clients"
PAY = "Pay per hour on own\nclients vs hunting"
CROSS = "Hours spent\ncross-selling"
GROWTH = "Revenue\ngrowth"
FIX = "Management's fix:\npush harder, replace\nthe 'lazy' ones"
SIDE = "Leavers' clients to\ncolleagues; new hires\nramping up"

LINKS = (
    Link(WON, OWN, +1, "orgmodel.model.model:SalesOrgModel.begin_serial"),
    Link(OWN, SERVICE, +1, "orgmodel.model.model:SalesOrgModel.update_service_need"),
    Link(SERVICE, HUNT, -1, "orgmodel.model.servicing:serve_portfolios"),
    Link(HUNT, WON, +1, "orgmodel.model.staff:Staff.prospect"),
    Link(OWN, OWN_REVENUE, +1, "orgmodel.model.model:SalesOrgModel.book_orders"),
    Link(OWN_REVENUE, PAY, +1, "orgmodel.model.worktime:Expectations.value_of_owned"),
    Link(PAY, CROSS, +1, "orgmodel.model.worktime:plan_discretionary"),
    Link(CROSS, OWN_REVENUE, +1, "orgmodel.model.staff:Staff.develop_cross_sells"),
    Link(CROSS, HUNT, -1, "orgmodel.model.worktime:plan_discretionary"),
    Link(WON, GROWTH, +1, "orgmodel.model.model:SalesOrgModel.book_orders"),
    Link(GROWTH, FIX, -1, "orgmodel.policies.responses.replace_low_performers:ReplaceLowPerformers.review"),
    Link(FIX, HUNT, +1, "orgmodel.policies.responses.push_harder:PushHarder.push"),
    Link(FIX, SIDE, +1, "orgmodel.model.model:SalesOrgModel.let_go"),
    Link(SIDE, SERVICE, +1, "orgmodel.model.model:SalesOrgModel.hand_over"),
)

#: where each variable sits in the picture (x, y): the trap in the middle, cross-sell left, management right
POSITIONS = {
    WON: (0.0, 1.0),
    OWN: (-1.0, 0.0),
    SERVICE: (0.0, -1.0),
    HUNT: (1.0, 0.0),
    OWN_REVENUE: (-2.4, 0.35),
    PAY: (-3.3, -0.9),
    CROSS: (-1.9, -1.55),
    GROWTH: (1.4, 1.75),
    FIX: (3.0, 0.95),
    SIDE: (2.5, -1.25),
}
#: the loops' names, by the set of variables they pass through
LOOP_NAMES = {
    frozenset({OWN_REVENUE, PAY, CROSS}): "cross-selling to own clients",
    frozenset({WON, OWN, SERVICE, HUNT}): "service load crowds out hunting",
    frozenset({OWN, OWN_REVENUE, PAY, CROSS, HUNT, WON}): "cross-selling takes hunting hours",
    frozenset({HUNT, WON, GROWTH, FIX}): "management's fix (intended)",
    frozenset({SERVICE, HUNT, WON, GROWTH, FIX, SIDE}): "the fix that fails",
}
#: where each loop's mark goes (in the picture's coordinates), clear of the variables and arrows
LOOP_LABELS = {
    "cross-selling to own clients": (-2.55, -0.55),
    "service load crowds out hunting": (0.0, 0.05),
    "cross-selling takes hunting hours": (-1.05, -0.9),
    "management's fix (intended)": (1.2, 0.95),
    "the fix that fails": (1.9, -0.35),
}
#: curvature of arrows that would otherwise run under a variable (arc3's rad; the others bend by RAD)
RAD = 0.18
BENDS = {(CROSS, HUNT): -0.22}


def resolve(where: str) -> object:
    """The model object a link names (``module:Qualified.name``); raises if it does not exist."""
    module, _, qualname = where.partition(":")
    obj: object = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def graph(links: tuple[Link, ...] = LINKS) -> nx.DiGraph:
    """The links as a directed graph with a ``sign`` on every edge."""
    g = nx.DiGraph()
    for link in links:
        g.add_edge(link.cause, link.effect, sign=link.sign, where=link.where)
    return g


@dataclass(frozen=True)
class Loop:
    """A feedback loop: its variables in order, reinforcing (R) or balancing (B), and its name."""

    nodes: tuple[str, ...]
    kind: str
    name: str


def loops(g: nx.DiGraph | None = None) -> list[Loop]:
    """Every feedback loop of the graph with its polarity: R for an even number of negative links, B for odd."""
    g = graph() if g is None else g
    out = []
    for cycle in nx.simple_cycles(g):
        signs = [g.edges[a, b]["sign"] for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)]
        kind = "R" if int(np.prod(signs)) > 0 else "B"
        out.append(Loop(tuple(cycle), kind, LOOP_NAMES.get(frozenset(cycle), "")))
    return sorted(out, key=lambda loop: (len(loop.nodes), loop.nodes))


def diagram(g: nx.DiGraph | None = None) -> Figure:
    """The causal-loop diagram: variables, signed arrows, and each loop's R/B mark and name at its centre."""
    g = graph() if g is None else g
    fig = Figure(figsize=(15, 8.2))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))
    ax.set_xlim(-4.3, 4.0)
    ax.set_ylim(-2.2, 2.25)
    ax.axis("off")
    pos = {n: POSITIONS.get(n, (0.0, 0.0)) for n in g.nodes}
    boxes = {}
    for node, (x, y) in pos.items():
        boxes[node] = ax.text(
            x,
            y,
            node,
            ha="center",
            va="center",
            fontsize=11,
            bbox={"boxstyle": "round,pad=0.45", "facecolor": "#f3f6f9", "edgecolor": "#1f4e79", "linewidth": 1.2},
            zorder=3,
        )
    fig.canvas.draw()  # places the boxes, so arrows can start and end at their edges
    for a, b, data in g.edges(data=True):
        colour = "#1f4e79" if data["sign"] > 0 else "#c55a11"
        rad = BENDS.get((a, b), RAD)
        arrow = FancyArrowPatch(
            pos[a],
            pos[b],
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>",
            mutation_scale=18,
            color=colour,
            linewidth=1.8,
            patchA=boxes[a].get_bbox_patch(),
            patchB=boxes[b].get_bbox_patch(),
            shrinkA=3,
            shrinkB=3,
            zorder=4,
        )
        ax.add_patch(arrow)
        (xa, ya), (xb, yb) = pos[a], pos[b]
        # arc3 bends the arrow's middle by rad / 2 x (dy, -dx) from the straight line; the sign sits just outside
        dx, dy = xb - xa, yb - ya
        norm = np.hypot(dx, dy) or 1.0
        side = np.sign(rad) or 1.0
        ax.text(
            (xa + xb) / 2 + rad / 2 * dy + side * 0.12 * dy / norm,
            (ya + yb) / 2 - rad / 2 * dx - side * 0.12 * dx / norm,
            "+" if data["sign"] > 0 else "−",
            ha="center",
            va="center",
            fontsize=16,
            fontweight="bold",
            color=colour,
            zorder=4,
        )
    for loop in loops(g):
        if loop.name not in LOOP_LABELS:
            continue
        cx, cy = LOOP_LABELS[loop.name]
        colour = "#548235" if loop.kind == "R" else "#7030a0"
        words = loop.name.split(" ")
        name = " ".join(words[: len(words) // 2]) + "\n" + " ".join(words[len(words) // 2 :])
        ax.text(cx, cy, f"{loop.kind}: {name}", ha="center", va="center", fontsize=10, color=colour, fontweight="bold")
    fig.suptitle(
        "The stagnation trap: each client won adds service hours that come out of hunting, cross-selling pays better "
        "per hour,\nand management's fix adds load where it means to add hunting",
        x=0.01,
        ha="left",
        fontsize=13,
        fontweight="bold",
    )
    ax.text(
        -4.25,
        -2.15,
        "Blue +: more leads to more; orange −: more leads to less. R: reinforcing loop; B: balancing loop.",
        fontsize=10,
        color="#5b6675",
    )
    return fig


def diagram_png(dpi: int = 110) -> bytes:
    """:func:`diagram` as PNG bytes."""
    buffer = io.BytesIO()
    diagram().savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the diagram to the given PNG file (default: docs/images/stagnation_trap_loops.png)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "docs/images/stagnation_trap_loops.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(diagram_png())
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
