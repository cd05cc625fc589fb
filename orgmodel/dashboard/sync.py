"""Weeks and redraws take turns, so a view never reads a week that Play is still computing.

Mesa's controller steps the model in a worker thread and asks for a redraw
after each batch of weeks; Solara renders in whichever thread asks first. If a
redraw started elsewhere (a click) is running while the worker steps, views
read half a week (DataCollector columns of different lengths, portfolios and
the network changing under them), and a worker that keeps changing the model
during every render pass keeps the pass from ever finishing.

So the dashboard runs each week under the page's render lock (the lock a
render pass holds from start to finish): a week waits for a redraw in
progress, and a redraw waits for the week. The model's ``step`` is an
instance attribute in Mesa 3.5 (that is how Mesa itself wraps the user's
step), so wrapping it here changes nothing in the model; the lock is
installed when the page first renders a model, before anything can step it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

_ATTRIBUTE = "_dashboard_lock"


def install(model: SalesOrgModel, render_lock: Any) -> None:
    """Make ``model.step`` run under ``render_lock`` (once per model)."""
    if _ATTRIBUTE in model.__dict__:
        return
    step = model.step

    def step_between_redraws() -> None:
        with render_lock:
            step()

    setattr(model, _ATTRIBUTE, render_lock)
    model.step = step_between_redraws  # type: ignore[method-assign]


def lock(model: SalesOrgModel) -> Any:
    """The lock a change from outside a render (a button's action) takes before touching the model."""
    existing = model.__dict__.get(_ATTRIBUTE)
    if existing is None:  # not shown on a page yet: nothing else steps it
        existing = threading.Lock()
        setattr(model, _ATTRIBUTE, existing)
    return existing
