"""Per-run seeds derived from the experiment's base seed with numpy's SeedSequence.

Each run's seed is a function of (base seed, run id) alone, so it does not
depend on how many workers run the experiment, in which order runs finish or
whether the experiment was resumed; it is recorded in ``runs.parquet`` so any
run can be repeated alone. Streams are separated by the SeedSequence
``spawn_key``: one branch for the runs, one for sampling the design, so
adding replications never changes the design's points.
"""

from __future__ import annotations

import numpy as np

#: spawn-key branches of the base seed
RUNS = 0
DESIGN = 1
ANALYSIS = 2


def _seed(base_seed: int, *key: int, bits: int) -> int:
    words = np.random.SeedSequence(base_seed, spawn_key=key).generate_state(2, dtype=np.uint32)
    value = (int(words[0]) << 32) | int(words[1])
    return value >> (64 - bits)


def run_seed(base_seed: int, index: int) -> int:
    """The seed of run ``index`` (its run id, or its replicate with common random numbers): 63 bits, fits an int64 column."""
    return _seed(base_seed, RUNS, index, bits=63)


def design_seed(base_seed: int) -> int:
    """The seed that samples the design's points (32 bits, as SALib and scipy take it)."""
    return _seed(base_seed, DESIGN, bits=32)


def analysis_seed(base_seed: int) -> int:
    """The seed of the bootstrap behind Sobol and Morris confidence intervals (32 bits)."""
    return _seed(base_seed, ANALYSIS, bits=32)


__all__ = ["analysis_seed", "design_seed", "run_seed"]
