"""Pausing Python's cycle collector while the model runs.

CPython's cyclic garbage collector runs whenever enough new container
objects have survived, and every so often walks *all* objects in the
process. A running model keeps creating objects that live for weeks
(pending orders and reviews, deals, relationships, monthly ledgers); in a
large market enough of them are alive at each young collection that they are
promoted and trigger full walks of a heap that is itself proportional to the
market, so the collector's share of the run time grows with the market
(about a tenth of a 30,000-company run, against a few percent for 3,000).
The model frees its objects by reference counting: a whole run leaves only a
handful of objects in reference cycles (tests/test_performance.py checks
this), so nothing is gained by collecting during the run. The pause ends with
a young collection, so the objects the run allocated are checked once, inside
the run's own time, and the collector's previous state is restored.

The exception is the model itself: agents refer to their model and the model
to its agents, so a model someone has finished with is a reference cycle
that only the collector can free. With the collector paused during every run
and young collections only at the ends of runs, the collection of the older
generation that would free it may never come: a loop of runs (an experiment
worker, a notebook sweep, ``mesa.batch_run``) then keeps every model it has
dropped, about 10 MB each at the reference size. :func:`free_dropped_models`
runs at the start of each model's construction so that at most one
finished model is alive at a time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def free_dropped_models() -> None:
    """Collect the two younger generations, where finished models wait to be freed.

    A model's objects sit there because every pause ends with a young
    collection; collecting them costs about as much as walking one model's
    objects once (about 12 ms at the reference size, 1% of its run).
    """
    gc.collect(1)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cycle collector off, then collect the young generation once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)
