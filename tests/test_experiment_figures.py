"""Experiment figures draw the numbers of the runs they are given, with titles and labelled axes."""

import textwrap

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.text import Text
from scipy import stats

from orgmodel.analysis import experiment_figures as figs
from orgmodel.analysis.outcomes import final_revenue
from orgmodel.experiments import load_results
from orgmodel.model.activities import ACTIVITIES


@pytest.fixture(scope="module")
def grid(grid_results):
    results = load_results(grid_results)
    arms = [a for a in results.arms if a in set(results.ok["arm"])]
    return results, arms


def _yearly_means(runs, column, arm):
    return np.mean(np.stack(runs.loc[runs["arm"] == arm, column].to_list()), axis=0)


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_revenue_over_time_yearly_lines_are_arm_means(grid):
    results, arms = grid
    labels = {a: f"arm {i}" for i, a in enumerate(arms)}
    fig = figs.revenue_over_time(results.ok, arms, labels)
    ax = fig.axes[0]
    lines = _lines(ax)
    assert set(lines) == set(labels.values())
    for arm in arms:
        assert lines[labels[arm]].get_ydata() == pytest.approx(_yearly_means(results.ok, "annual_revenue", arm) / 1e6)
    assert "millions per year" in ax.get_ylabel()
    assert ax.get_title(loc="left").startswith("Revenue over time")
    # one 95% band per arm, containing its line
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == len(arms)


def test_revenue_over_time_from_weekly_rows_is_quarterly_at_annual_rate(grid):
    results, arms = grid
    fig = figs.revenue_over_time(results.ok, arms, None, results.timeseries)
    ax = fig.axes[0]
    line = _lines(ax)[arms[0]]
    assert len(line.get_xdata()) == 12  # 3 years of quarters
    assert line.get_xdata()[0] == pytest.approx(0.25)
    ids = results.ok.loc[results.ok["arm"] == arms[0], "run_id"]
    ts = results.timeseries[results.timeseries["run_id"].isin(ids) & (results.timeseries["week"] <= 13)]
    expected = ts.groupby("run_id")["revenue"].mean().mean() * 52 / 1e6
    assert line.get_ydata()[0] == pytest.approx(expected)
    assert "annual rate" in ax.get_ylabel()


def test_new_clients_lines_are_arm_means(grid):
    results, arms = grid
    ax = figs.new_clients_per_year(results.ok, arms).axes[0]
    for arm in arms:
        assert _lines(ax)[arm].get_ydata() == pytest.approx(_yearly_means(results.ok, "annual_new_clients", arm))
    assert ax.get_ylabel() == "New clients (number per year)"


def test_mean_bands_match_the_intervals_of_the_tables(grid):
    from orgmodel.analysis.compare import mean_interval

    results, arms = grid
    data = figs.yearly_long(results.ok, "annual_revenue")
    bands = figs.mean_bands(data, "year")
    row = bands[(bands["arm"] == arms[1]) & (bands["year"] == 2)].iloc[0]
    values = data[(data["arm"] == arms[1]) & (data["year"] == 2)]["value"]
    expected = mean_interval(values)
    assert (row["mean"], row["low"], row["high"]) == pytest.approx((expected.estimate, expected.low, expected.high))
    assert row["low"] < row["mean"] < row["high"]


def test_time_use_panels_stack_the_mean_shares(grid):
    results, arms = grid
    shares = figs.mean_time_use(results.ok, arms[0])
    assert list(shares.index) == [1, 2, 3]
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    expected = _yearly_means(results.ok, "annual_time_servicing", arms[0])
    assert shares["servicing"].to_numpy() == pytest.approx(expected)
    fig = figs.time_use_by_arm(results.ok, arms, {a: a.upper() for a in arms})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(arms)
    assert [ax.get_title(loc="left") for ax in visible] == [a.upper() for a in arms]
    assert len(visible[0].collections) == len(ACTIVITIES)
    assert len(fig.legends[0].get_texts()) == len(ACTIVITIES)


def test_cost_vs_revenue_plots_every_run_and_the_arm_means(grid):
    results, arms = grid
    ax = figs.cost_vs_revenue(results.ok, arms, years=3).axes[0]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    offsets = np.concatenate([c.get_offsets() for c in points])
    runs = results.ok
    revenue = runs["annual_revenue"].map(np.sum) / 1e6
    cost = runs["annual_cost_of_sales"].map(np.sum) / 1e6
    assert len(offsets) == len(runs) + len(arms)  # a dot per run, a diamond per arm
    for arm in arms:
        mean = (revenue[runs["arm"] == arm].mean(), cost[runs["arm"] == arm].mean())
        assert any(np.allclose(o, mean) for o in offsets)
    assert "over 3 years (millions)" in ax.get_xlabel()


def test_grid_heatmap_annotates_cell_means_and_marks_missing_cells(grid):
    results, _ = grid
    outcome = final_revenue(3)
    fig = figs.grid_heatmap(results.ok, outcome, "structure", "commission_rate")
    texts = [t.get_text() for t in fig.axes[0].texts]
    runs = results.ok
    cell = runs[(runs["structure"] == "hunter_farmer") & (runs["commission_rate"] == 0.05)]
    assert f"{outcome.scaled(cell).mean():,.3g}" in texts
    assert "no successful run" in texts  # every full_cycle run at 5% commission failed
    assert "millions per year" in fig.axes[1].get_ylabel()


def test_sensitivity_figure_draws_sobol_indices_with_intervals(sobol_results):
    results = load_results(sobol_results)
    indices = results.sensitivity(final_revenue(2).per_run(results.runs))
    ax = figs.sensitivity_figure(indices, final_revenue(2)).axes[0]
    widths = sorted(round(p.get_width(), 9) for p in ax.patches)
    assert widths == sorted(round(v, 9) for v in [*indices["ST"], *indices["S1"]])
    assert "Sobol" in ax.get_title(loc="left")
    assert "95% interval" in ax.get_xlabel()


def test_sensitivity_figure_draws_morris_effects_in_the_outcome_unit(morris_results):
    outcome = final_revenue(2)
    results = load_results(morris_results)
    indices = results.sensitivity(outcome.per_run(results.runs))
    fig = figs.sensitivity_figure(indices, outcome)
    bars = sorted(p.get_width() for p in fig.axes[0].patches)
    assert bars == pytest.approx(sorted(indices["mu_star"] / 1e6))
    assert "millions per year" in fig.axes[0].get_xlabel()
    assert len(fig.axes) == 2  # μ* bars and the μ*-σ plane


def test_morris_factor_names_cover_no_other_name(morris_results):
    """Ten factors with nearly equal effects: every name is written once, inside the plane, and none overlaps another."""
    names = [f"factor_number_{i}" for i in range(10)]
    rng = np.random.default_rng(5)
    indices = pd.DataFrame(
        {
            "mu_star": 5e6 + rng.normal(0, 2e5, 10),
            "mu_star_conf": np.full(10, 1e6),
            "sigma": 4e6 + rng.normal(0, 2e5, 10),
            "mu": np.full(10, 1e6),
        },
        index=pd.Index(names, name="factor"),
    )
    fig = figs.sensitivity_figure(indices, final_revenue(2))
    fig.canvas.draw()
    bars, plane = fig.axes
    assert [t.get_text() for t in bars.get_yticklabels()] == [f"Factor number {i}" for i in indices["mu_star"].argsort()]
    written = [t for t in plane.texts if t.get_text().startswith("Factor number")]
    assert sorted(t.get_text() for t in written) == sorted(f"Factor number {i}" for i in range(10))
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in written]
    frame = plane.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_outcome_against_factors_reports_spearman(morris_results):
    results = load_results(morris_results)
    outcome = final_revenue(2)
    fig = figs.outcome_vs_factors(results.ok, outcome, results.factors)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    rho = stats.spearmanr(results.ok["spoiledness"], outcome.values(results.ok)).statistic
    assert f"Spearman ρ = {rho:.2f}" in titles[1]
    assert titles[0].startswith("Churn base")


def test_yearly_long_numbers_years_from_one():
    runs = pd.DataFrame({"run_id": [7, 8], "arm": ["a", "b"], "x": [[1.0, 2.0], [3.0, 4.0]]})
    long = figs.yearly_long(runs, "x")
    assert long["year"].tolist() == [1, 2, 1, 2]
    assert long["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_a_wrapped_title_leaves_no_word_alone_on_its_line():
    title = "Year-10 revenue by arm: the median run and the middle half and 90 per cent of the seeds, M"
    plain = textwrap.wrap(title, figs.TITLE_CHARS)
    assert plain[-1] == "of the seeds, M"  # the plain wrap leaves a short tail (the report showed "M" alone)
    lines = figs.wrap_title(title).split("\n")
    assert len(lines) == len(plain) and " ".join(lines) == title
    assert max(map(len, lines)) <= figs.TITLE_CHARS
    assert min(map(len, lines)) >= 0.8 * max(map(len, lines))
    assert figs.wrap_title("Short title") == "Short title"
