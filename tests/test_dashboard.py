"""The dashboard without a browser: settings, data, network view, restructuring, the page object, set-up."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgmodel import SalesOrgModel
from orgmodel.cli import app as cli_app
from orgmodel.dashboard import assets, data, monitors, network, params, plots, restructure, serve, theme
from orgmodel.model.clients import Stage
from orgmodel.model.model import month_of
from orgmodel.policies import incentives, structures

SMALL = {"market_size": 400, "salespeople": 4}


@pytest.fixture(scope="module")
def run_a_year() -> SalesOrgModel:
    model = SalesOrgModel(rng=3, **SMALL)
    model.run_for(60)
    return model


def test_controls_list_every_registered_policy_and_build_the_model() -> None:
    controls = params.controls()
    # the dropdowns show labels and set identifiers
    assert [c["value"] for c in controls["structure"]["values"]] == structures.names()
    assert [c["value"] for c in controls["incentive"]["values"]] == incentives.names()
    shown = {c["value"]: c["text"] for c in controls["structure"]["values"]}
    assert shown["hunter_farmer"] == "hunter farmer" and not any("_" in text for text in shown.values())
    settings = params.initial_settings()
    assert params.problem(settings) is None
    model = SalesOrgModel(**settings)
    assert len(model.salespeople) == settings["salespeople"]
    assert model.cfg.market_size == params.FIXED["market_size"]


def test_impossible_settings_are_named_not_raised() -> None:
    settings = {**params.initial_settings(), "incentive": "split_commission"}
    message = params.problem(settings)
    assert message is not None and "split_commission" in message
    assert "account_managers" in (params.problem({**params.initial_settings(), "account_managers": 3}) or "")


def test_reset_through_mesa_builds_the_same_model() -> None:
    """SolaraViz's Reset passes Mesa's own scenario object along with the flat keys."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    first = SalesOrgModel(rng=1, **SMALL)
    kwargs = _build_model_init_kwargs(
        first, {"rng": 2, **SMALL, "salespeople": 5}, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    again = type(first)(**kwargs)
    assert len(again.salespeople) == 5
    direct = SalesOrgModel(rng=2, **{**SMALL, "salespeople": 5})
    again.run_for(20)
    direct.run_for(20)
    assert again.revenue_total == direct.revenue_total


def test_views_read_the_collected_data(run_a_year: SalesOrgModel) -> None:
    model = run_a_year
    ts = data.weekly(model)
    assert len(ts) == 60
    head = data.headline(ts)
    assert (head.week, head.year, head.week_of_year) == (60, 2, 8)
    assert head.revenue_this_year == pytest.approx(ts["revenue"].iloc[52:].sum())
    assert head.revenue_same_weeks_last_year == pytest.approx(ts["revenue"].iloc[:8].sum())
    assert head.active_clients == model.stage_counts[Stage.SERIAL]
    rate = data.new_clients_per_salesperson(ts)
    assert rate["year"].iloc[0] == pytest.approx(data.FIRST_WEEKS / 52)
    last_year = ts["new_clients"].iloc[-52:].sum() / ts["salespeople"].iloc[-52:].mean()
    assert rate["per_head"].iloc[-1] == pytest.approx(last_year)
    shares = data.hour_shares(data.monthly_staff(model))
    assert len(shares) == 13
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    portfolios = data.latest_portfolios(data.monthly_staff(model))
    assert sorted(portfolios["clients"], reverse=True) == list(portfolios["clients"])
    month_end = max(w for w in range(1, 61) if month_of(w + 1) != month_of(w))
    assert portfolios["clients"].sum() == ts["active_clients"].iloc[month_end - 1]


def test_network_view_is_a_readable_subset(run_a_year: SalesOrgModel) -> None:
    model = run_a_year
    view = network.select(model)
    staff_ids = {p.unique_id for p in model.staff}
    assert {sid for sid, _, _ in view.staff} == staff_ids
    shown = {pid for pid, _, _ in view.people}
    companies = {c.uid for p in model.staff for c in p.portfolio if any(m.unique_id in shown for m in c.members)}
    assert 0 < len(companies) <= network.MAX_COMPANIES
    assert all(len([c for c in p.portfolio if c.uid in companies]) <= view.per_person for p in model.staff)
    assert view.edges and all(a in staff_ids and b in shown and 0.0 < s <= 1.0 for a, b, s in view.edges)
    assert all(s == pytest.approx(model.network.strength(a, b, model.time)) for a, b, s in view.edges)
    assert set(view.positions) == staff_ids | shown


def test_portfolio_legend_shows_each_role_in_its_bars_colour() -> None:
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    model = SalesOrgModel(rng=4, **SMALL, structure="hunter_farmer", incentive="split_commission", account_managers=2)
    model.run_for(40)
    fig = Figure()
    plots.draw_portfolios(fig, model)
    ax = fig.axes[0]
    shown = ax.get_legend()
    legend = {t.get_text(): to_hex(h.get_facecolor()) for t, h in zip(shown.texts, shown.legend_handles, strict=True)}
    assert legend == {theme.ROLE_LABELS[r]: theme.ROLE_COLOURS[r] for r in ("salesperson", "account_manager")}
    bars = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert bars <= set(theme.ROLE_COLOURS.values())


@pytest.mark.parametrize("specialisation", ["none", "skills_move"])
def test_the_fall_in_new_clients_splits_into_hours_and_skill(specialisation: str) -> None:
    """The chart next to "what management sees": the skill line only where skills move, and only then a skill part."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    model = SalesOrgModel(rng=2, **SMALL, specialisation=specialisation)
    model.run_for(40)
    assert data.fall_since_best_year(data.monthly_staff(model)).empty  # no closed year to compare with yet
    model.run_for(52 * 4)
    fall = data.fall_since_best_year(data.monthly_staff(model))
    assert list(fall.index) == [1, 2, 3, 4, 5] and fall.attrs["base_year"] in (2, 3)
    # hunting skill fades with the years spent farming: two years and more after the best year, where skills move
    later = fall.loc[fall.index >= fall.attrs["base_year"] + 2, "skill"]
    assert (later.mean() < 0.0) == (specialisation == "skills_move")
    fig = Figure(figsize=(14.0, 4.0), dpi=theme.DPI)
    with mpl.rc_context(theme.RC):
        plots.draw_new_client_fall(fig, model)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert ("hours and the hunting\nskill that faded" in labels) == (specialisation == "skills_move")
    notes = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert ("none of the fall is skill" in notes) == (specialisation == "none")


def test_revenue_bars_keep_their_labels_apart() -> None:
    """Three years read 1.0 / 4.7 / 8.2; ten years drop the decimals so neighbours do not run together."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    def labels(model: SalesOrgModel) -> list[str]:
        fig = Figure(figsize=(9.0, 4.2), dpi=theme.DPI)  # the dashboard's size and style (app.ROWS, theme.RC)
        with mpl.rc_context(theme.RC):
            plots.draw_revenue(fig, model)
        return [t.get_text() for t in fig.axes[1].texts]

    model = SalesOrgModel(rng=3, **SMALL)
    model.run_for(3 * 52)
    assert all("." in t for t in labels(model))
    while model.running:
        model.step()
    ten = labels(model)
    assert len(ten) == 10 and not any("." in t for t in ten)


def test_monitors_compare_revenue_with_the_same_weeks_last_year() -> None:
    model = SalesOrgModel(rng=3, years=3, **SMALL)
    model.run_for(110)
    html = monitors.monitors_html(model)
    head = data.headline(data.weekly(model))
    assert head.revenue_same_weeks_last_year
    ratio = head.revenue_this_year / head.revenue_same_weeks_last_year
    expected = f"x{ratio:,.0f}" if ratio >= 10 else f"{ratio - 1:+.0%}"
    assert f"({expected})" in html
    assert "end of the" not in html
    while model.running:
        model.step()
    assert not model.running and "end of the 3-year run: press Reset" in monitors.monitors_html(model)
    assert monitors._change(1.14) == "+14%" and monitors._change(0.9) == "-10%" and monitors._change(520.4) == "x520"


def test_restructure_now_goes_through_the_interventions() -> None:
    model = SalesOrgModel(rng=5, **SMALL)
    model.run_for(30)
    text, week = restructure.restructure(model, "full_cycle", "split_commission")
    assert week is None and text.startswith("Not possible") and not model.scheduled_interventions
    text, week = restructure.restructure(model, "hunter_farmer", "split_commission")
    assert week == 31 and "week 31" in text
    assert model.cfg.structure == "full_cycle"  # not before the coming week
    model.step()
    assert (model.cfg.structure, model.cfg.incentive) == ("hunter_farmer", "split_commission")
    applied = restructure.last_applied(model)
    assert applied is not None and applied.startswith("Week 31: structure full_cycle -> hunter_farmer")
    text, week = restructure.restructure(model, "hunter_farmer", "split_commission")
    assert week is None and "already in force" in text


def test_restructure_panel_offers_a_pay_guarantee() -> None:
    model = SalesOrgModel(rng=5, **SMALL)
    model.run_for(30)
    assert restructure.changes_for(model, "full_cycle", "volume_commission", 26) == {}  # never alone
    text, week = restructure.restructure(model, "hunter_farmer", "split_commission", 26)
    assert week == 31 and "pay_guarantee_weeks -> 26" in text
    model.step()
    assert model.cfg.pay_guarantee_weeks == 26
    assert model.transition.guarantees and all(until == 31 + 26 - 1 for until, _ in model.transition.guarantees.values())


def test_monitors_show_the_people_who_left() -> None:
    model = SalesOrgModel(rng=2, **{**SMALL, "voluntary_turnover_salespeople": 1.0})
    assert "nobody has left yet" in monitors.monitors_html(model)
    model.run_for(20)
    left = len(model.turnover.departures)
    html = monitors.monitors_html(model)
    value = html.split('data-testid="monitor-left-value">')[1].split("<")[0]
    assert left > 0 and value == str(left) and "clients went with them" in html
    last = model.turnover.departures[-1]
    last["role"] = "account_manager"  # the last leaver's role, in words with its article
    assert "last: an account manager, week" in monitors.monitors_html(model)
    last["role"] = "salesperson"
    assert "last: a salesperson, week" in monitors.monitors_html(model)


def test_page_builds_and_steps_without_a_kernel() -> None:
    """What a notebook cell shows: the same page, rendered here without Jupyter or a browser."""
    import ipyvuetify as v
    import ipywidgets
    import solara
    import solara.widgets

    from orgmodel.dashboard import Page, page
    from orgmodel.dashboard.app import ROWS
    from orgmodel.dashboard.controls import WEEKS_PER_REDRAW

    assert page.component is Page  # the element a notebook cell displays
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    try:

        def week() -> str:
            html = rc.find(solara.widgets.HTML).widgets[0].unsafe_innerHTML
            return html.split('data-testid="monitor-week-value">')[1].split("<")[0]

        assert week() == "0"
        images_before = [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]
        assert len(images_before) == len([chart for row in ROWS for chart in row])
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert week() == str(WEEKS_PER_REDRAW)  # a Step is one redraw's weeks (Mesa's controller)
        images_after = [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]
        revenue = [name for row in ROWS for name, *_ in row].index("chart-revenue")
        assert images_after[revenue] != images_before[revenue]  # revenue: weekly
        rc.find(v.Btn, children=["Restructure now"]).widget.click()
        change = "structure -> hunter_farmer, incentive -> split_commission"
        scheduled = f"Scheduled for week {WEEKS_PER_REDRAW + 1}: {change}. It takes effect when the run reaches that week."
        assert rc.find(v.Alert, children=[scheduled]).widgets
    finally:
        rc.close()


def test_assets_unpack_where_solara_looks(tmp_path: Path) -> None:
    assert assets.missing(tmp_path) == list(assets.PACKAGES)
    tarball = tmp_path / "pkg.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, body in (("package/package.json", b"{}"), ("package/dist/app.js", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    target = tmp_path / "cdn" / assets.PACKAGES[0]
    target.parent.mkdir(parents=True)
    assets._unpack(tarball, target)
    assert (target / "dist" / "app.js").read_bytes() == b"x"
    assert assets.missing(tmp_path / "cdn") == list(assets.PACKAGES[1:])


def test_app_command_refuses_a_busy_port() -> None:
    import socket

    with socket.socket() as s:
        s.bind((serve.HOST, 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["app", "--port", str(port)])
    assert result.exit_code == 2
    assert f"--port {port} is in use" in result.stderr
    assert serve.port_is_free(serve.free_port())
