"""The workshop dashboard: a live browser app (Mesa SolaraViz parts on Solara) over SalesOrgModel.

Start it with ``orgmodel app`` (or ``solara run orgmodel/dashboard/app.py``);
in JupyterLab, ``from orgmodel.dashboard import page`` and show ``page`` in a
cell. The page is imported on first use, so importing this package (e.g. for
:mod:`orgmodel.dashboard.serve`) does not load Solara.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Page", "page"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from orgmodel.dashboard import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
