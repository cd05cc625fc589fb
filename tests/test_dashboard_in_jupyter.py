"""The workshop dashboard renders inline in a Jupyter notebook cell (for trainers presenting from JupyterLab)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def test_dashboard_page_renders_as_a_widget_in_a_kernel(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from orgmodel.dashboard import page\n\npage")]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, f"no widget view among {[o.output_type for o in outputs]}"
    assert views[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
