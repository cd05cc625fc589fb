"""The notebooks in notebooks/ are product: each runs top to bottom, and git holds them reviewable.

Every ``notebooks/NN_*.ipynb`` is executed here in a fresh kernel at its default
(small) size, in a temporary working folder so that what it writes never lands
in the repository. A cell that raises fails the test; so does a warning printed
to stderr, since a trainer or a client would see it. Each notebook must also
match its paired jupytext script (``NN_*.py``, percent format) cell for cell and
carry no outputs, so that diffs stay readable (``make notebooks`` fixes both).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
CELL_TIMEOUT_S = 600
BIN = Path(sys.executable).parent
CLIENT_REPORT = NOTEBOOKS / "05_client_report.ipynb"


def is_template(path: Path) -> bool:
    """A notebook with a papermill ``parameters`` cell is run through papermill by its own test."""
    nb = nbformat.read(path, as_version=4)
    return any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What a reviewer reads of a notebook: each cell's type, source and tags."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def execute(path: Path, workdir: Path) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a new kernel; returns it with outputs and the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return nb, time.perf_counter() - start


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
    """How many PNG images the notebook's outputs hold."""
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


def test_the_notebooks_are_there():
    names = {p.stem for p in IPYNB}
    assert {"01_quickstart", "02_the_stagnation_trap"} <= names
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


@pytest.mark.parametrize("path", [p for p in IPYNB if not is_template(p)], ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path):
    nb, seconds = execute(path, tmp_path)
    print(f"{path.name}: {seconds:.1f} s")
    assert stderr_text(nb) == "", f"{path.name} printed to stderr:\n{stderr_text(nb)}"
    assert images(nb) >= 1, f"{path.name} shows no figure"


def test_client_report_renders_to_html_without_code(tmp_path: Path):
    """The documented commands: papermill with the client's parameters, then nbconvert --no-input."""
    executed = tmp_path / "report.ipynb"
    start = time.perf_counter()
    subprocess.run(
        [
            BIN / "papermill",
            CLIENT_REPORT,
            executed,
            "-p",
            "company_name",
            "Testfirma Nord",
            "-p",
            "salespeople",
            "9",
            "--cwd",
            tmp_path,
        ],
        check=True,
        capture_output=True,
    )
    print(f"{CLIENT_REPORT.name} through papermill: {time.perf_counter() - start:.1f} s")
    subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], check=True, capture_output=True)
    nb = nbformat.read(executed, as_version=4)
    assert stderr_text(nb) == "", f"the report printed to stderr:\n{stderr_text(nb)}"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Sales organisation review: Testfirma Nord" in html
    assert "9 salespeople" in html, "the parameters papermill passed must reach the report"
    assert html.count("data:image/png;base64") >= 2, "the report's figures must be embedded"
    for code in ("load_scenario(", "plt.rcParams", "def yearly", "company_name = "):
        assert code not in html, f"code ({code!r}) leaked into the client's HTML"
