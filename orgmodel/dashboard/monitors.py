"""The monitors: a row of large numbers the room can read while the model runs.

NetLogo trainers know monitors as the boxes that show one number each; here
they show the week, revenue this year against the same weeks last year,
active clients, the hunting share, the organisation now in force (which
changes when someone restructures during the run) and the people who have
left (issue #12), with the clients who went with them.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import solara
from mesa.visualization.utils import update_counter

from orgmodel.dashboard import data, params

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


def _money(x: float) -> str:
    return f"{x / 1e6:,.2f} M" if abs(x) >= 1e5 else f"{x / 1e3:,.0f} k"


def _change(ratio: float) -> str:
    """``+14%``; a year that starts from almost nothing reads ``x520``, not ``+51900%``."""
    return f"x{ratio:,.0f}" if ratio >= 10.0 else f"{ratio - 1.0:+.0%}"


def _box(name: str, label: str, value: str, note: str) -> str:
    return (
        f'<div class="orgmodel-monitor" data-testid="monitor-{name}">'
        f'<div class="label">{escape(label)}</div>'
        f'<div class="value" data-testid="monitor-{name}-value">{escape(value)}</div>'
        f'<div class="note">{escape(note)}</div></div>'
    )


def monitors_html(model: SalesOrgModel) -> str:
    """The monitor row as HTML (kept separate from the component so it can be tested directly)."""
    h = data.headline(data.weekly(model))
    cfg = model.cfg
    week_note = "press Step or Play" if h.week == 0 else f"year {h.year}, week {h.week_of_year} of 52"
    if not model.running:  # Play and Step are greyed out now; say why and what to do
        week_note = f"end of the {model.cfg.years}-year run: press Reset"
    if h.revenue_same_weeks_last_year is None:
        revenue_note = "first year: nothing to compare with yet"
    else:
        last = h.revenue_same_weeks_last_year
        change = f" ({_change(h.revenue_this_year / last)})" if last > 0 else ""
        revenue_note = f"same weeks last year: {_money(last)}{change}"
    hunting = "–" if h.hunting_share is None else f"{h.hunting_share:.0%}"
    managers = len(model.account_managers)
    people = f"{len(model.salespeople)} salespeople" + (f", {managers} account managers" if managers else "")
    left = model.turnover.departures
    if left:
        last = left[-1]
        role = last["role"].replace("_", " ")
        article = "an" if role[:1] in "aeiou" else "a"  # an account manager, a salesperson
        left_note = (
            f"{model.loyalty.lost_total} clients went with them; last: {article} {role}, "
            f"week {last['week']} ({last['reason'].replace('_', ' ')})"
        )
    else:
        left_note = "nobody has left yet"
    boxes = [
        _box("week", "Week", str(h.week), week_note),
        _box("revenue", f"Revenue in year {h.year} so far", _money(h.revenue_this_year), revenue_note),
        _box("clients", "Active clients", f"{h.active_clients:,}", f"+{h.implementing} being implemented"),
        _box("hunting", "Hunting share", hunting, "salespeople's hours finding and winning clients (4 weeks)"),
        _box("structure", "Structure", params.shown(cfg.structure), f"{params.shown(cfg.incentive)}; {people}"),
        _box("left", "People who left", str(len(left)), left_note),
    ]
    return f'<div class="orgmodel-monitors">{"".join(boxes)}</div>'


@solara.component
def Monitors(model: SalesOrgModel) -> None:
    """The monitor row, refreshed with every redraw."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=monitors_html(model))
