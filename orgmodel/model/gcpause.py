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
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
