"""The HTML report: self-contained, with its figures, findings generated from the numbers, and the CLI."""

from __future__ import annotations

import base64
import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.findings import p_text
from orgmodel.analysis.outcomes import final_revenue
from orgmodel.analysis.report import arm_labels, build_report
from orgmodel.cli import app
from orgmodel.experiments import StoreError, load_results

runner = CliRunner()
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def grid_report(grid_results, tmp_path_factory):
    """The grid's report, written by ``orgmodel report DIR``."""
    folder = tmp_path_factory.mktemp("report") / "grid"
    shutil.copytree(grid_results, folder)
    result = cli("report", str(folder))
    assert result.exit_code == 0, result.output
    assert f"Wrote {folder / 'report.html'}" in " ".join(result.output.split())
    return folder, (folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def morris_report(morris_results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "morris"
    shutil.copytree(morris_results, folder)
    return folder, build_report(folder).read_text(encoding="utf-8")


def _findings(page: str) -> list[str]:
    block = page[page.index('<ul class="findings">') : page.index("</ul>", page.index('<ul class="findings">'))]
    return [re.sub(r"<[^>]+>", "", item).replace("&#x27;", "'") for item in block.split("<li>")[1:]]


def test_report_is_self_contained(grid_report):
    _, page = grid_report
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<link" not in page and "<script" not in page
    assert "<style>" in page
    srcs = re.findall(r'src="([^"]*)"', page)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def test_report_embeds_every_figure_it_writes_as_png(grid_report):
    folder, page = grid_report
    files = {p.name: p.read_bytes() for p in (folder / "figures").glob("*.png")}
    assert set(files) == {
        "revenue_over_time.png",
        "new_clients_per_year.png",
        "time_use_by_arm.png",
        "cost_vs_revenue.png",
        "grid_revenue_final.png",
    }
    embedded = [base64.b64decode(data) for data in IMG.findall(page)]
    assert len(embedded) == len(files)
    assert sorted(embedded) == sorted(files.values())
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in embedded)


def test_report_states_question_setup_and_reproduction(grid_report, grid_results):
    folder, page = grid_report
    assert "Which structure and commission rate grow revenue?" in page
    assert "0.03, 0.05" in page  # the commission rate factor's levels
    source = grid_results.parent / "grid_test.toml"
    assert f"orgmodel experiment run {source} --out {folder}\norgmodel report {folder}" in page
    assert f"orgmodel experiment run {folder}/experiment.toml --out {folder}-repeat" in page


def test_report_compares_the_experiment_outcomes_first(grid_report):
    _, page = grid_report
    heads = re.findall(r"<h3>([^<]+)</h3>", page)
    assert heads[:2] == ["Year-3 revenue (millions per year)", "Total revenue (millions)"]
    assert "New clients won over 3 years (number)" in heads


def test_failed_runs_are_counted_with_their_first_error(grid_report):
    _, page = grid_report
    failure = [f for f in _findings(page) if "runs failed" in f]
    assert len(failure) == 1
    assert failure[0].startswith("3 of 12 runs failed")
    assert "full cycle + commission rate 0.05: 3" in failure[0]
    assert "full cycle pays at most 4% commission" in failure[0]


def test_findings_are_computed_from_the_runs(grid_report, grid_results):
    _, page = grid_report
    results = load_results(grid_results)
    labels = arm_labels(results)
    outcome = final_revenue(3)
    ok = results.ok
    means = outcome.values(ok).groupby(ok["arm"]).mean()
    best = means.idxmax()
    findings = _findings(page)
    assert findings[0].startswith(f"Highest year-3 revenue: {labels[best]}, {outcome.format(means[best])}")
    table = compare_arms(outcome.values(ok), ok["arm"], reference=results.arms[0])
    row = table.set_index("arm").loc[best]
    sentence = next(f for f in findings if f.lower().startswith(labels[best].lower() + ":"))
    assert f"{row['ratio']:.2f}×" in sentence
    assert f"{p_text(row['p_holm'])} after Holm correction" in sentence
    assert any(f.startswith("Across the structure × commission rate grid") for f in findings)
    assert any("salespeople spent" in f and "hunting" in f for f in findings)


def test_report_is_reproducible_and_a_failed_rebuild_keeps_it(grid_report):
    folder, page = grid_report
    assert build_report(folder).read_text(encoding="utf-8") == page
    toml = (folder / "experiment.toml").read_text()
    try:
        (folder / "experiment.toml").write_text("name = [broken")
        result = runner.invoke(app, ["report", str(folder)])
    finally:
        (folder / "experiment.toml").write_text(toml)
    assert result.exit_code == 2
    assert "is not valid TOML" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (folder / "report.html").read_text(encoding="utf-8") == page


def test_morris_report_has_sensitivity_section(morris_report):
    folder, page = morris_report
    assert "Sensitivity (Morris)" in page
    assert {p.name for p in (folder / "figures").glob("*.png")} == {
        "sensitivity_revenue_final.png",
        "sensitivity_revenue_growth.png",
        "factors_revenue_final.png",
    }
    findings = _findings(page)
    assert any(f.startswith("Morris μ* for year-2 revenue, largest first:") for f in findings)
    assert findings[-1] == "All 12 runs finished without error."
    assert "Arms compared" not in page


def test_sampled_design_report_relates_outcomes_to_factors(morris_results, tmp_path):
    folder = tmp_path / "lhs"
    shutil.copytree(morris_results, folder)
    toml = (folder / "experiment.toml").read_text()
    toml = toml.replace('kind = "morris"\ntrajectories = 4\nlevels = 4', 'kind = "latin_hypercube"\nsamples = 12')
    (folder / "experiment.toml").write_text(toml)
    page = build_report(folder).read_text(encoding="utf-8")
    assert "Outcomes across the sample" in page
    assert any(f.startswith("Over 12 runs, year-2 revenue has median") for f in _findings(page))
    assert (folder / "figures" / "factors_revenue_final.png").is_file()


def test_no_successful_run_is_an_error(grid_results, tmp_path):
    folder = tmp_path / "failed"
    shutil.copytree(grid_results, folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs[runs["status"] == "error"].to_parquet(folder / "runs.parquet")
    with pytest.raises(StoreError, match=r"no run .* succeeded: 3 of 3 runs failed"):
        build_report(folder)


# --- command line ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "message"),
    [("missing", "does not exist"), ("runs.parquet", "is not a folder"), ("empty", "holds no experiment results")],
)
def test_cli_bad_folder_is_one_error_line(grid_results, tmp_path, target, message):
    (tmp_path / "empty").mkdir()
    shutil.copy(grid_results / "runs.parquet", tmp_path / "runs.parquet")
    result = runner.invoke(app, ["report", str(tmp_path / target)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_outcomes_the_stored_runs_lack_are_named(grid_results, tmp_path):
    folder = tmp_path / "older"
    shutil.copytree(grid_results, folder)
    named = load_results(folder).experiment.outcomes
    assert named, "the grid experiment names its outcomes"
    key = named[0].split("[")[0]
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.drop(columns=[key]).to_parquet(folder / "runs.parquet")  # as if stored by a version without that key
    with pytest.raises(StoreError, match=rf"names outcomes the stored runs do not have: {re.escape(named[0])}"):
        build_report(folder)
