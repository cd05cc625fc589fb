"""Loaded once by the forkserver before it forks workers: everything a run needs, then frozen.

Workers forked from a process that has imported the model share its memory
until they write to it. ``gc.freeze()`` moves every object loaded so far out
of the garbage collector's reach, so collections in a worker do not touch
(and copy) the shared pages. Imported only by the forkserver, never by a user.
"""

import gc

import orgmodel.experiments.worker  # noqa: F401  (the point: load it before forking)

gc.collect()
gc.freeze()
