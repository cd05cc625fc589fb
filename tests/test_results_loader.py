"""Reading a results folder: frames, experiment metadata, one-line errors."""

import shutil

import pytest

from orgmodel.analysis.results import ResultsError, read_results


def test_reads_runs_timeseries_and_experiment(grid_results):
    results = read_results(grid_results)
    runs = results.runs
    assert len(runs) == 12
    assert runs["point"].is_monotonic_increasing
    assert results.design == "full_factorial"
    assert results.source == "experiments/grid_test.toml"
    assert results.factors == ["structure", "incentive"]
    assert results.years == 3
    assert results.arms[0] == "structure=full_cycle, incentive=volume_commission"
    assert len(results.arms) == 4
    assert set(results.failed["arm"]) == {"structure=full_cycle, incentive=split_commission"}
    assert len(results.ok) == 9
    assert results.experiment["question"] == "Which structure and incentive grow revenue?"
    assert set(results.timeseries["run_id"]) == set(results.ok["run_id"])
    assert len(results.timeseries) == 9 * 3 * 52


def test_reads_only_the_timeseries_columns_asked_for(grid_results):
    results = read_results(grid_results, timeseries_columns=["week", "revenue"])
    assert list(results.timeseries.columns) == ["run_id", "week", "revenue"]


def test_summaries_only_store_has_no_timeseries(morris_results):
    results = read_results(morris_results)
    assert results.timeseries is None
    assert results.source is None
    assert results.design == "morris"
    assert results.design_options == {"trajectories": 4, "levels": 4}


def _copy(src, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: shutil.rmtree(d), "does not exist"),
        (lambda d: (d / "runs.parquet").unlink(), "runs.parquet is missing"),
        (lambda d: (d / "experiment.toml").unlink(), "experiment.toml is missing"),
        (lambda d: (d / "runs.parquet").write_bytes(b"not parquet"), "cannot read"),
        (lambda d: (d / "experiment.toml").write_text("name = [unclosed"), "cannot read"),
    ],
)
def test_damaged_folders_raise_one_line_errors(grid_results, tmp_path, damage, message):
    folder = _copy(grid_results, tmp_path)
    damage(folder)
    with pytest.raises(ResultsError, match=message) as info:
        read_results(folder)
    assert "\n" not in str(info.value)


def test_a_file_is_not_a_results_folder(grid_results):
    with pytest.raises(ResultsError, match="is not a folder"):
        read_results(grid_results / "runs.parquet")


def test_runs_without_store_columns_are_refused(grid_results, tmp_path):
    import pandas as pd

    folder = _copy(grid_results, tmp_path)
    pd.read_parquet(folder / "runs.parquet").drop(columns=["status", "arm"]).to_parquet(folder / "runs.parquet")
    with pytest.raises(ResultsError, match="lacks the column"):
        read_results(folder)
