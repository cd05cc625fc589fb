"""Reading a results folder with ``load_results``: frames, experiment metadata, one-line errors."""

import shutil

import pytest

from orgmodel.experiments import StoreError, load_results


def test_reads_runs_timeseries_and_experiment(grid_results):
    results = load_results(grid_results)
    runs = results.runs
    assert len(runs) == 12
    assert runs["run_id"].tolist() == list(range(12))
    assert results.experiment.design.kind == "full_factorial"
    assert results.source == str(grid_results.parent / "grid_test.toml")
    assert results.factors == ["structure", "commission_rate"]
    assert results.years == 3
    assert results.arms[0] == "structure=hunter_farmer, commission_rate=0.03"
    assert len(results.arms) == 4
    assert set(results.failed["arm"]) == {"structure=full_cycle, commission_rate=0.05"}
    assert len(results.ok) == 9
    assert results.experiment.question == "Which structure and commission rate grow revenue?"
    assert set(results.timeseries["run_id"]) == set(results.ok["run_id"])
    assert len(results.timeseries) == 9 * 3 * 52


def test_reads_only_the_timeseries_columns_asked_for(grid_results):
    weekly = load_results(grid_results).read_timeseries(["revenue"])
    assert list(weekly.columns) == ["run_id", "week", "revenue"]
    assert len(weekly) == 9 * 3 * 52


def test_summaries_only_store_has_no_timeseries(morris_results):
    results = load_results(morris_results)
    assert results.timeseries.empty and results.read_timeseries(["revenue"]).empty
    assert results.source == str(morris_results.parent / "morris_test.toml")
    assert results.experiment.design.kind == "morris"
    assert (results.experiment.design.trajectories, results.experiment.design.levels) == (4, 4)


def test_an_experiment_built_in_code_has_no_source(morris_results, tmp_path):
    folder = _copy(morris_results, tmp_path)
    toml = folder / "experiment.toml"
    lines = toml.read_text().splitlines()
    toml.write_text("\n".join([lines[0].split(" from ")[0] + ".", *lines[1:]]))
    assert load_results(folder).source is None


def _copy(src, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: shutil.rmtree(d), "does not exist"),
        (lambda d: (d / "experiment.toml").unlink(), r"holds no experiment results \(no experiment.toml\)"),
        (lambda d: (d / "runs.parquet").write_bytes(b"not parquet"), r"are damaged: runs.parquet \(truncated"),
        (lambda d: [(d / "manifest.jsonl").unlink(), (d / "runs.parquet").write_bytes(b"not parquet")], "cannot read the runs"),
        (lambda d: (d / "experiment.toml").write_text("name = [unclosed"), "is not valid TOML"),
    ],
)
def test_damaged_folders_raise_one_line_errors(grid_results, tmp_path, damage, message):
    folder = _copy(grid_results, tmp_path)
    damage(folder)
    with pytest.raises(StoreError, match=message) as info:
        load_results(folder).runs  # noqa: B018 (reading the runs is what fails)
    assert "\n" not in str(info.value)


def test_a_file_is_not_a_results_folder(grid_results):
    with pytest.raises(StoreError, match="is not a folder"):
        load_results(grid_results / "runs.parquet")


def test_runs_without_store_columns_are_refused(grid_results, tmp_path):
    import pandas as pd

    folder = _copy(grid_results, tmp_path)
    (folder / "manifest.jsonl").unlink()  # a store from before manifests: its files are read unchecked
    pd.read_parquet(folder / "runs.parquet").drop(columns=["status", "arm"]).to_parquet(folder / "runs.parquet")
    with pytest.raises(StoreError, match="lack the column"):
        load_results(folder).runs  # noqa: B018
