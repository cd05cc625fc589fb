"""The HTML report: self-contained, with its figures, findings generated from the numbers, and the CLI."""

from __future__ import annotations

import base64
import html as html_lib
import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.findings import p_text
from orgmodel.analysis.outcomes import criterion_outcome
from orgmodel.analysis.pdf import chromium
from orgmodel.analysis.report import arm_labels, build_report, write_report
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
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in block.split("<li>")[1:]]


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
        "headline.png",
        "structure_hunter_farmer.png",
        "structure_full_cycle.png",
        "revenue_over_time.png",
        "new_clients_per_year.png",
        "time_use_by_arm.png",
        "cost_vs_revenue.png",
        "grid_contribution_total.png",
    }
    embedded = [base64.b64decode(data) for data in IMG.findall(page)]
    assert len(embedded) == len(files) + 2  # each structure's picture shows beside both of its arms
    assert set(embedded) == set(files.values())
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in embedded)


def test_report_states_question_setup_and_reproduction(grid_report, grid_results):
    folder, page = grid_report
    assert "Which structure and commission rate grow revenue?" in page
    assert "0.03, 0.05" in page  # the commission rate factor's levels
    source = grid_results.parent / "grid_test.toml"
    assert f"orgmodel experiment run {source} --out {folder}\norgmodel report {folder}" in page
    assert f"orgmodel experiment run {folder}/experiment.toml --out {folder}-repeat" in page


def test_report_compares_the_criterion_then_the_experiment_outcomes(grid_report):
    _, page = grid_report
    heads = re.findall(r"<caption>([^<]+)</caption>", page)
    assert heads[:3] == [
        "Contribution over 3 years (gross margin less cost of sales) (millions)",
        "Year-3 revenue (millions per year)",
        "Total revenue (millions)",
    ]
    assert "New clients won over 3 years (number)" in heads
    assert page.index('id="answer"') < page.index('id="trust"') < page.index("What was compared") < page.index("<table")


def test_failed_runs_are_counted_with_their_first_error(grid_report):
    _, page = grid_report
    failure = [f for f in _findings(page) if "runs failed" in f]
    assert len(failure) == 1
    assert failure[0].startswith("3 of 12 runs failed")
    assert "full cycle + commission rate 0.05: 3" in failure[0]
    assert "full cycle pays at most 4% commission" in failure[0]


def _criterion_means(folder):
    """The results, arm labels, default criterion (contribution over the 3 years) and its mean per arm."""
    results = load_results(folder)
    outcome = criterion_outcome("", 3)
    return results, arm_labels(results), outcome, outcome.values(results.ok).groupby(results.ok["arm"]).mean()


def test_findings_are_computed_from_the_runs(grid_report, grid_results):
    _, page = grid_report
    results, labels, outcome, means = _criterion_means(grid_results)
    ok = results.ok
    best = means.idxmax()
    findings = _findings(page)
    assert findings[0].startswith(f"Highest {outcome.label}: {labels[best]}, {outcome.format(means[best])}")
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
    assert "What was compared" not in page
    banner = html_lib.unescape(page)  # the banner names what the experiment measured
    assert "most sensitive to (by this experiment's Morris indices): " in banner


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
    (folder / "manifest.jsonl").unlink()  # rewritten by hand below: read unchecked, as stores from before manifests
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
    (folder / "manifest.jsonl").unlink()  # rewritten by hand below: read unchecked, as stores from before manifests
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.drop(columns=[key]).to_parquet(folder / "runs.parquet")  # as if stored by a version without that key
    with pytest.raises(StoreError, match=rf"names outcomes the stored runs do not have: {re.escape(named[0])}"):
        build_report(folder)


# --- the client's reading: the answer first, the arms described, the currency named, the PDF ------------
def _opening(page: str) -> list[str]:
    return [html_lib.unescape(s) for s in re.findall(r'<p class="answer">([^<]+)</p>', page)]


@pytest.fixture(scope="module")
def two_arms(tmp_path_factory):
    """Status quo against hunter/farmer in euros, ranked by total revenue; the report written with its PDF."""
    from conftest import SMALL, run_stored

    text = f"""
name = "two_arms_test"
question = "Does splitting hunting from keeping clients pay?"
years = 3
replications = 3
seed = 11
criterion = "total_revenue"
{SMALL}currency = "EUR"
[factors]
scenario = ["status_quo", "hunter_farmer"]
"""
    folder = run_stored(tmp_path_factory.mktemp("two"), "two_arms_test", text)
    written = write_report(folder, pdf=chromium() is not None)
    return folder, written, written.html.read_text(encoding="utf-8")


def test_opening_names_the_best_arm_and_agrees_with_the_numbers(grid_report, grid_results):
    _, page = grid_report
    results, labels, outcome, means = _criterion_means(grid_results)
    ok = results.ok
    best, reference = means.idxmax(), results.arms[0]
    opening = _opening(page)
    assert 2 <= len(opening) <= 4
    if best == reference:
        assert opening[0].startswith(f"No alternative beats {labels[reference]} on contribution over 3 years")
    else:
        assert opening[0].lower().startswith(f"{labels[best].lower()} does best on contribution over 3 years")
        assert f"{outcome.format(means[best])} against {outcome.format(means[reference])}" in opening[0]
    table = compare_arms(outcome.values(ok), ok["arm"], reference=reference).set_index("arm")
    runner = best if best != reference else means.drop(reference).idxmax()
    assert outcome.format_difference(table.loc[runner, "diff"]) in opening[0]
    settled = table.loc[runner, "diff_low"] > 0 or table.loc[runner, "diff_high"] < 0
    assert ("clear" in opening[1]) == bool(settled and table.loc[runner, "p_holm"] < 0.05)
    assert "Few replications: the smallest arm has 3 successful runs" in page  # 3 per arm is too few for a decision
    assert "Of the numbers this experiment varied, the result moves most with: commission rate (its mean" in page


def test_every_arm_is_described_with_its_structure(two_arms, grid_report, grid_results):
    _, _, page = two_arms
    arms = re.findall(r'<div class="arm">(.*?)</div></div>', page, re.S)
    assert len(arms) == 2
    assert "status quo (reference)" in arms[0] and "hunter farmer" in arms[1]
    assert "Salespeople hunt and keep every client they win" in html_lib.unescape(arms[0])
    assert "Hunters win clients and hand them to account managers" in html_lib.unescape(arms[1])
    assert all('alt="Who wins, keeps and serves clients' in a for a in arms)
    _, grid_page = grid_report
    labels = arm_labels(load_results(grid_results))
    described = re.findall(r'<div class="arm">.*?<h3>([^<]+)</h3>', grid_page, re.S)
    assert [d.removesuffix(" (reference)").removesuffix(" (no successful run)") for d in described] == list(labels.values())


def test_currency_and_criterion_reach_text_tables_and_banner(two_arms):
    _, _, page = two_arms
    opening = _opening(page)
    assert "does best on total revenue" in opening[0] or "No alternative beats status quo on total revenue" in opening[0]
    assert " M EUR" in opening[0]
    assert "Money is in EUR, in millions (M)." in page
    assert "<caption>Total revenue (millions EUR)</caption>" in page
    assert "Not calibrated to a company" in page


def test_report_has_its_pdf_with_the_answer_on_page_one(two_arms, tmp_path):
    folder, written, page = two_arms
    if chromium() is None:
        assert written.pdf is None and written.pdf_note.startswith("PDF not written: Chromium is not installed")
        pytest.skip("Chromium is not installed: the PDF cannot be printed here")
    pdfium = pytest.importorskip("pypdfium2")
    assert written.pdf == folder / "report.pdf" and written.pdf_note == ""
    pdf = pdfium.PdfDocument(written.pdf)
    assert len(pdf) >= 3
    first = pdf[0]
    image = first.render(scale=1).to_pil()
    image.save(tmp_path / "page1.png")
    grey = image.convert("L")
    assert grey.getextrema()[0] < 80, "page 1 is blank"
    text = " ".join(first.get_textpage().get_text_range().split())
    opening = " ".join(_opening(page)[0].split())
    assert "The answer" in text
    assert opening[:60] in text, "the opening must be on the first page"
    assert "Tables and tests" not in text  # the appendix starts on a later page


def test_trust_banner_reads_calibration_and_currency_defensively():
    from types import SimpleNamespace

    from orgmodel.analysis.arms import grounding

    def results(base: dict, overrides: dict | None = None):
        return SimpleNamespace(experiment=SimpleNamespace(scenario="base", scenarios={"base": base}, set=overrides or {}))

    old = grounding(results({"salespeople": 20}))  # a store written before either key existed
    assert (old.calibrated, old.calibrated_from, old.currency) == (False, "", "")
    acme = grounding(results({"calibrated_from": "Acme CRM export, 2019-2024", "currency": "EUR"}))
    assert acme.calibrated and acme.calibrated_from == "Acme CRM export, 2019-2024" and acme.currency == "EUR"
    assert grounding(results({"calibrated_from": "  "}, {"currency": "USD"})) == type(acme)("", "USD")


def test_without_chromium_the_report_says_so_in_one_line_and_keeps_the_html(two_arms, monkeypatch):
    import orgmodel.analysis.pdf as pdf

    folder, _, page = two_arms
    monkeypatch.setattr(pdf, "CHROMIUM_PATHS", ())
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    result = cli("report", str(folder))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "PDF not written: Chromium is not installed (apt-get install chromium); the HTML report is complete"
    assert (folder / "report.html").read_text(encoding="utf-8") == page


def test_common_random_numbers_are_compared_pair_by_pair(grid_results, tmp_path):
    folder = tmp_path / "crn"
    shutil.copytree(grid_results, folder)
    toml = (folder / "experiment.toml").read_text()
    (folder / "experiment.toml").write_text(toml.replace("common_random_numbers = false", "common_random_numbers = true"))
    page = html_lib.unescape(build_report(folder).read_text(encoding="utf-8"))
    assert "paired by replicate, since the arms ran with common random numbers" in page
    assert "paired t-test" in page and "Welch t-test" not in page
