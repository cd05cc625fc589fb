"""The README's "Structure or capacity?" tables are computed from the experiment stores, not copied."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orgmodel.analysis.structure_or_capacity import acquisition_curve, final_year, split_lead
from orgmodel.experiments import load_experiment, run_experiment

ROOT = Path(__file__).resolve().parent.parent
SHRINK = {"years = 10": "years = 1", "replications = 2": "replications = 1", "market_size = 1200": "market_size = 200"}


def _run_shrunk(name: str, tmp_path: Path) -> Path:
    """The shipped experiment file at a tiny size (one year, one replication, 200 companies), stored in tmp_path/NAME."""
    text = (ROOT / "experiments" / f"{name}.toml").read_text(encoding="utf-8")
    for big, small in SHRINK.items():
        assert big in text, f"{name}.toml no longer has '{big}'"
        text = text.replace(big, small)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    run_experiment(load_experiment(path), tmp_path / name, workers=1)
    return tmp_path / name


def test_tables_are_the_means_of_the_stored_runs(tmp_path: Path) -> None:
    store = _run_shrunk("acquisition_share", tmp_path)
    runs = final_year(store)
    assert len(runs) == 10 and set(runs["specialisation"]) == {"none", "all"}
    table = acquisition_curve(store).splitlines()
    assert len(table) == 2 + 5  # header, rule, one row per share
    row = runs[(runs["fixed_hunting_share"] == 0.3) & (runs["specialisation"] == "all")]
    assert table[3].split("|")[3].strip() == f"{row['total'].mean():.0f}"


def test_the_script_says_which_store_is_missing(tmp_path: Path) -> None:
    script = ROOT / "experiments" / "structure_or_capacity_tables.py"
    done = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 2
    assert "structure_or_capacity' does not exist" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_split_lead_is_hunter_farmer_minus_status_quo(tmp_path: Path) -> None:
    store = _run_shrunk("structure_or_capacity_mechanisms", tmp_path)
    runs = final_year(store)
    table = split_lead(store, ["specialisation"]).splitlines()
    assert [line.split("|")[1].strip() for line in table[2:]] == [
        f"specialisation {s}" for s in dict.fromkeys(runs["specialisation"])
    ]
    for line in table[2:]:
        spec = line.split("|")[1].strip().removeprefix("specialisation ")
        cell = runs[runs["specialisation"] == spec].set_index("scenario")["revenue"]
        assert line.split("|")[4].strip() == f"{cell['hunter_farmer'] - cell['status_quo']:+.1f}"
