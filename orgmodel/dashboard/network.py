"""The relationship network, drawn so that a room can read it.

The whole network has thousands of client-side people; drawn at once it is a
hairball, and a spring layout over it would take seconds a week. So the
view shows every client-facing member of staff and, for each, the buying
centres of their few largest clients, placed by a fixed rule (staff on a
circle, each one's clients fanned out behind them, each client's people in a
small ring). No layout is computed; a redraw costs the selection and a few
hundred line segments. Lines are relationships at their current strength
(width), so a handover shows as the old owner's lines fading and the new
owner's growing, and a client whose people are linked to two staff members
shows who still knows them.

Only the model's public interface is used: staff and their portfolios, and
the network's ``neighbours`` of each person shown (one row each, not the
whole graph).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from orgmodel.dashboard import theme
from orgmodel.model.clients import Stage

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel

#: client companies by where they stand: being implemented, ordering, waiting for an account manager
STAGE_COLOURS = {"implementation": "#a9d18e", "serial": "#548235", "awaiting handover": "#ffc000"}
#: how many client companies the whole view shows at most (split evenly over staff)
MAX_COMPANIES = 48
MAX_PER_PERSON = 6


@dataclass
class NetworkView:
    """What one drawing shows: positioned nodes and the relationships between them."""

    week: float
    per_person: int
    staff: list[tuple[int, str, int]] = field(default_factory=list)  # (id, role, clients)
    people: list[tuple[int, str, bool]] = field(default_factory=list)  # (id, company stage, decision maker)
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    edges: list[tuple[int, int, float]] = field(default_factory=list)  # (staff id, person id, strength)


def _stage(model: SalesOrgModel, company: ClientCompany, waiting: set[int]) -> str:
    if company.uid in waiting:
        return "awaiting handover"
    return "implementation" if company.stage == Stage.IMPLEMENTATION else "serial"


def select(model: SalesOrgModel) -> NetworkView:
    """Staff, the buying centres of each one's largest clients, and their relationships now."""
    staff = model.staff
    per_person = max(1, min(MAX_PER_PERSON, MAX_COMPANIES // max(1, len(staff))))
    view = NetworkView(week=model.time, per_person=per_person)
    waiting = {c.uid for c in model.awaiting_handover}
    n = max(1, len(staff))
    fan = 2.0 * math.pi / n * 0.8
    shown_staff: set[int] = set()
    for i, person in enumerate(staff):
        angle = math.pi / 2 - 2.0 * math.pi * i / n
        view.positions[person.unique_id] = (math.cos(angle), math.sin(angle))
        view.staff.append((person.unique_id, person.role, len(person.portfolio)))
        shown_staff.add(person.unique_id)
        largest = sorted(person.portfolio, key=lambda c: (c.annual_value, c.base_value, -c.uid), reverse=True)[:per_person]
        for j, company in enumerate(largest):
            offset = (j - (len(largest) - 1) / 2.0) / max(1, per_person) if len(largest) > 1 else 0.0
            a = angle + fan * offset
            centre = (1.55 * math.cos(a), 1.55 * math.sin(a))
            stage = _stage(model, company, waiting)
            ring = 0.07 + 0.01 * len(company.members)
            for k, member in enumerate(company.members):
                b = 2.0 * math.pi * k / len(company.members)
                view.positions[member.unique_id] = (centre[0] + ring * math.cos(b), centre[1] + ring * math.sin(b))
                view.people.append((member.unique_id, stage, bool(member.decision_maker)))
    for pid, _stage_name, _dm in view.people:
        for other, strength in model.network.neighbours(pid, model.time).items():
            if other in shown_staff:
                view.edges.append((other, pid, strength))
    return view


def draw(fig: Figure, model: SalesOrgModel) -> None:
    """Draw :func:`select`'s view: lines by strength, staff by role, client people by their company's stage."""
    view = select(model)
    ax = fig.subplots()
    theme.margins(fig, left=0.2, right=4.2, bottom=0.2)
    largest = f"{view.per_person} largest clients" if view.per_person > 1 else "largest client"
    ax.set_title(f"Who knows whom: each person and the buying centres of their {largest}")
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.85, 1.85)
    pos = view.positions
    roles = {sid: role for sid, role, _ in view.staff}
    if view.edges:
        segments = [(pos[a], pos[b]) for a, b, _ in view.edges]
        strengths = np.array([s for _, _, s in view.edges])
        colours = [theme.ROLE_COLOURS.get(roles[a], "#888888") for a, _, _ in view.edges]
        lines = LineCollection(segments, linewidths=0.3 + 4.0 * strengths, colors=colours, alpha=0.55, zorder=1)
        ax.add_collection(lines)
    for dm in (False, True):
        chosen = [(pid, stage) for pid, stage, is_dm in view.people if is_dm == dm]
        if chosen:
            xy = np.array([pos[pid] for pid, _ in chosen])
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=70 if dm else 28,
                marker="D" if dm else "o",
                c=[STAGE_COLOURS[stage] for _, stage in chosen],
                edgecolors="#333333" if dm else "none",
                linewidths=0.8,
                zorder=2,
            )
    if view.staff:  # one scatter for all staff: a call per person costs a collection each
        xy = np.array([pos[sid] for sid, _, _ in view.staff])
        sizes = [260 + 18 * min(clients, 80) for _, _, clients in view.staff]
        colours = [theme.ROLE_COLOURS.get(role, "#888888") for _, role, _ in view.staff]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colours, zorder=3)
    for sid, _role, clients in view.staff:
        ax.annotate(str(clients), pos[sid], ha="center", va="center", color="white", fontsize=11, fontweight="bold", zorder=4)
    legend = [
        Line2D([], [], ls="", marker="o", ms=13, color=colour, label=f"{theme.ROLE_LABELS[role]} (number = clients)")
        for role, colour in theme.ROLE_COLOURS.items()
    ]
    legend += [Line2D([], [], ls="", marker="o", ms=8, color=c, label=f"client people: {s}") for s, c in STAGE_COLOURS.items()]
    legend.append(Line2D([], [], ls="", marker="D", ms=8, color="#cccccc", mec="#333333", label="decision maker"))
    legend.append(Line2D([], [], color="#555555", lw=3, label="relationship (width = strength)"))
    ax.legend(handles=legend, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
