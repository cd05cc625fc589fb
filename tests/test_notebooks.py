"""The notebooks in notebooks/ are product: each runs top to bottom, and git holds them reviewable.

Every ``notebooks/NN_*.ipynb`` is executed here in a fresh kernel at its default
(small) size, through papermill as a user would, in a temporary working folder so
that what it writes never lands in the repository. The notebooks run side by side,
as many at a time as the machine has cores, so that the suite stays quick. A cell
that raises fails the test; so does anything printed to stderr, since a trainer or
a client would see it. Each notebook must also match its paired jupytext script
(``NN_*.py``, percent format) cell for cell and carry no outputs, so that diffs stay
readable (``make notebooks`` fixes both). The client report is rendered to HTML
with the documented commands and must show no code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
BIN = Path(sys.executable).parent
CELL_TIMEOUT_S = 600
CLIENT_REPORT = "05_client_report"
#: papermill parameters the tests pass to a parameterised notebook (the rest stay at their defaults)
PARAMETERS = {CLIENT_REPORT: {"company_name": "Testfirma Nord", "salespeople": 9}}


@dataclass
class Execution:
    """One notebook run through papermill."""

    notebook: nbformat.NotebookNode | None
    seconds: float
    returncode: int
    log: str


def _run(path: Path, workdir: Path) -> Execution:
    out = workdir / path.name
    command = [BIN / "papermill", path, out, "--cwd", workdir, "--execution-timeout", str(CELL_TIMEOUT_S)]
    for key, value in PARAMETERS.get(path.stem, {}).items():
        command += ["-p", key, str(value)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    notebook = nbformat.read(out, as_version=4) if out.exists() else None
    return Execution(notebook, seconds, done.returncode, done.stderr[-4000:])


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Execution]:
    """Every notebook, executed once per session, as many at a time as there are cores."""
    workdirs = {p.stem: tmp_path_factory.mktemp(p.stem) for p in IPYNB}
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        futures = {p.stem: pool.submit(_run, p, workdirs[p.stem]) for p in IPYNB}
        results = {stem: f.result() for stem, f in futures.items()}
    for stem, result in results.items():
        sys.stdout.write(f"\n{stem}: {result.seconds:.1f} s (side by side with the others)")
    return results


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What a reviewer reads of a notebook: each cell's type, source and tags."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def stderr_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells wrote to stderr."""
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    )


def images(nb: nbformat.NotebookNode) -> int:
    """How many PNG images the notebook's outputs hold (as image outputs, or embedded in an HTML output)."""
    outputs = [out.get("data", {}) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    return sum("image/png" in data for data in outputs) + sum(
        str(data.get("text/html", "")).count("data:image/png;base64") for data in outputs
    )


def test_the_notebooks_are_there():
    names = {p.stem for p in IPYNB}
    assert {
        "01_quickstart",
        "02_the_stagnation_trap",
        "03_structures_and_incentives",
        "04_sweeps_and_sensitivity",
        CLIENT_REPORT,
    } <= names
    assert {p.stem for p in SCRIPTS} == names, "every notebook needs its paired .py and every .py its notebook"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_notebook_is_stripped_and_paired(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: run `make notebooks`"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count: run `make notebooks`"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    script = jupytext.read(path.with_suffix(".py"), fmt="py:percent")
    assert _cells(script) == _cells(nb), f"{path.name} and {path.stem}.py differ: run `make notebooks`"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, executed: dict[str, Execution]):
    run = executed[path.stem]
    assert run.returncode == 0, f"{path.name} failed:\n{run.log}"
    assert run.notebook is not None
    assert stderr_text(run.notebook) == "", f"{path.name} printed to stderr:\n{stderr_text(run.notebook)}"
    assert images(run.notebook) >= 1, f"{path.name} shows no figure"


def test_client_report_renders_to_html_without_code(executed: dict[str, Execution], tmp_path: Path):
    """The documented commands: papermill with the client's parameters (in the fixture), then nbconvert --no-input."""
    run = executed[CLIENT_REPORT]
    assert run.returncode == 0, f"{CLIENT_REPORT} failed:\n{run.log}"
    report = tmp_path / "report.ipynb"
    nbformat.write(run.notebook, report)
    subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", report], check=True, capture_output=True)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Sales organisation review: Testfirma Nord" in html
    assert "9 salespeople" in html, "the parameters papermill passed must reach the report"
    assert html.count("data:image/png;base64") >= 2, "the report's figures must be embedded"
    assert '<section class="opening" id="answer">' in html, "the notebook shows the report `orgmodel report` builds"
    assert "does best on contribution over 8 years" in html or "No alternative beats today" in html
    for code in ("load_scenario(", "plt.rcParams", "def yearly", "company_name = "):
        assert code not in html, f"code ({code!r}) leaked into the client's HTML"
