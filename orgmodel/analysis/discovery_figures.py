"""Figures of a scenario discovery: peeling trajectory, the chosen box's limits, the CART tree, feature scores.

Each function returns a matplotlib ``Figure`` built without pyplot's global
state (so the command can draw many in one process), except
:func:`box_limits_figure`, which asks EMA Workbench for its standard box plot
and detaches it from pyplot.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from orgmodel.analysis.discovery import PrimBox, Tree


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (100 dpi)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def trajectory_figure(box: PrimBox) -> Figure:
    """Coverage against density along PRIM's peeling trajectory, coloured by restricted inputs; the chosen box ringed."""
    from matplotlib.figure import Figure

    t = box.trajectory
    peeled = t["pruned_from"] < 0 if "pruned_from" in t else np.ones(len(t), dtype=bool)
    fig = Figure(figsize=(6.5, 5), layout="constrained")
    ax = fig.add_subplot()
    scale = {"cmap": "viridis", "vmin": t["res_dim"].min(), "vmax": max(t["res_dim"].max(), 1)}
    points = ax.scatter(t.loc[peeled, "coverage"], t.loc[peeled, "density"], c=t.loc[peeled, "res_dim"], s=28, **scale)
    if (~peeled).any():
        ax.scatter(
            t.loc[~peeled, "coverage"],
            t.loc[~peeled, "density"],
            c=t.loc[~peeled, "res_dim"],
            s=40,
            marker="^",
            label="pruned: unclear limits given back",
            **scale,
        )
    ax.scatter(
        [box.coverage], [box.density], s=180, facecolors="none", edgecolors="red", linewidths=2, label=f"chosen box {box.chosen}"
    )
    fig.colorbar(points, ax=ax, label="restricted inputs")
    ax.set_xlabel("coverage: share of all cases of interest inside the box")
    ax.set_ylabel("density: share of the box's cases that are of interest")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower left")
    ax.set_title("PRIM peeling trajectory")
    return fig


def box_limits_figure(box: PrimBox) -> Figure:
    """The chosen box's limits on each restricted input, scaled to its full range, with quasi-p-values (EMA Workbench)."""
    import matplotlib.pyplot as plt

    if not box.limits:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 1.5))
        fig.text(0.5, 0.5, "PRIM found no box better than the whole space", ha="center", va="center")
        return fig
    from orgmodel.analysis.discovery import quiet

    with quiet():
        figures = box.ema.inspect(box.chosen, style="graph")
    fig = figures[0]
    fig = fig if hasattr(fig, "savefig") else fig.figure
    fig.set_size_inches(11, 0.55 * len(box.limits) + 1.8)
    fig.subplots_adjust(left=0.33, right=0.78)  # room for the input names and EMA's coverage/density table
    plt.close(fig)  # keep pyplot from holding every figure drawn in this process
    return fig


def tree_figure(tree: Tree, max_depth: int = 3) -> Figure:
    """The top of the CART tree (``max_depth`` levels): each node's split, cases and share of interest."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.tree import plot_tree

    clf = tree.ema.clf
    depth = min(max_depth, int(clf.get_depth()))
    fig = Figure(figsize=(max(8, 3.2 * 2**depth / 2), 2.2 * (depth + 1)), layout="constrained")
    FigureCanvasAgg(fig)  # plot_tree measures its labels with the canvas's renderer
    ax = fig.add_subplot()
    plot_tree(
        clf,
        max_depth=max_depth,
        feature_names=list(tree.ema.feature_names),
        class_names=["no", "yes"],
        filled=True,
        impurity=False,
        proportion=True,
        fontsize=8,
        ax=ax,
    )
    ax.set_title("CART: where the condition holds (class 'yes')")
    return fig


def scores_figure(scores: pd.Series, top: int = 15) -> Figure:
    """The inputs that tell the cases apart most (extra-trees feature scores), highest at the top."""
    from matplotlib.figure import Figure

    shown = scores.head(top).iloc[::-1]
    fig = Figure(figsize=(7, 0.32 * len(shown) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    ax.barh(y, shown.to_numpy(float), color="#4c72b0")
    ax.set_yticks(y, list(shown.index))
    ax.set_xlabel("feature score (extra trees; all inputs sum to 1)")
    ax.set_title("Which inputs matter most")
    return fig


__all__ = ["box_limits_figure", "png", "scores_figure", "trajectory_figure", "tree_figure"]
