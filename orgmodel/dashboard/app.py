"""The workshop dashboard page: ``solara run orgmodel/dashboard/app.py`` or ``orgmodel app``.

A NetLogo-style interface over the same :class:`SalesOrgModel` every other
part of orgmodel runs: run controls, a restructure button and the settings in
the sidebar; monitors, what management sees against why, the fall in new
clients per salesperson split into hours and skill, revenue, new clients,
hours, portfolios and the relationship network in the main area.
Each browser tab (or notebook cell) gets its own model.

In JupyterLab the same page renders inline::

    from orgmodel.dashboard import page
    page
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import reacton.core
import solara

from orgmodel.dashboard import network, params, plots, sync, theme
from orgmodel.dashboard.controls import PLAY_INTERVAL_MS, WEEKS_PER_REDRAW, RunCard, SettingsCard
from orgmodel.dashboard.monitors import Monitors
from orgmodel.dashboard.restructure import RestructureCard
from orgmodel.model.model import SalesOrgModel

if TYPE_CHECKING:
    from orgmodel.dashboard.plots import Draw, Key

#: the charts of the main area, row by row: name, draw, width and height (inches), what triggers a redraw
#: (weekly data every week; the monthly staff table and the network when a month closes)
ROWS: list[list[tuple[str, Draw, float, float, Key]]] = [
    [("chart-why", plots.draw_management_vs_why, 14.0, 4.3, plots.monthly_key)],
    [("chart-fall", plots.draw_new_client_fall, 14.0, 4.0, plots.monthly_key)],
    [
        ("chart-revenue", plots.draw_revenue, 9.0, 4.2, plots.weekly_key),
        ("chart-new-clients", plots.draw_new_clients, 5.0, 4.2, plots.weekly_key),
    ],
    [
        ("chart-hours", plots.draw_hours_split, 9.0, 4.2, plots.monthly_key),
        ("chart-portfolios", plots.draw_portfolios, 5.0, 4.2, plots.monthly_key),
    ],
    [("chart-network", network.draw, 14.0, 7.5, plots.monthly_key)],
]


@solara.component
def MainArea(model: SalesOrgModel) -> None:
    """Monitors on top, then the charts row by row."""
    Monitors(model)
    for row in ROWS:
        with solara.Columns([width for _, _, width, _, _ in row]):
            for name, draw, width, height, key in row:
                plots.Chart(model, draw, width, height, name, key)


@solara.component
def Page() -> None:
    """The whole dashboard: one model per page, rebuilt by Reset from the settings."""
    # use_reactive re-syncs whenever its argument changes, so each argument is made once (use_memo)
    first = solara.use_memo(lambda: SalesOrgModel(**params.initial_settings()), [])
    model = solara.use_reactive(first)
    sync.install(model.value, reacton.core.get_render_context().thread_lock)  # each new model (Reset), before it steps
    settings = solara.use_reactive(solara.use_memo(params.initial_settings, []))
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(WEEKS_PER_REDRAW)
    solara.Style(theme.CSS)
    solara.Title(theme.TITLE)
    with solara.AppBar():
        solara.AppBarTitle(theme.TITLE)
    with solara.Sidebar(), solara.Column():
        RunCard(model, settings, play_interval, render_interval)
        RestructureCard(model.value)
        SettingsCard(model.value, settings)
    MainArea(model.value)


page = Page()
