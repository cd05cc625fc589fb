"""The run plan: which runs an experiment has, and what each one computes.

Design points come from the design; each point runs ``replications`` times.
Run ids are in design order, replicate by replicate: run ``r * points + p`` is
replicate ``r`` of point ``p``, so an experiment stopped halfway has every arm
about equally far along. Every point's scenario is validated before anything
runs, so a point the model would reject (e.g. a pay rule for account managers
in a structure without them) is one clear error up front, or left out with
``design.skip_invalid = true``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from orgmodel.experiments import designs, seeds
from orgmodel.experiments.designs.common import n_crossed
from orgmodel.experiments.spec import SCENARIO_FACTOR, Experiment, ExperimentError
from orgmodel.scenario.files import ScenarioError, validate


@dataclass(frozen=True)
class RunTask:
    """One run, everything a worker needs (picklable, no reference to the experiment).

    Attributes:
        run_id: position in design order.
        point: design point index.
        replicate: replication index (0-based).
        seed: the run's seed.
        arm: the point's label, e.g. "structure=hunter_farmer, incentive=split_commission".
        values: the point's factor values, by key.
        scenario: the run's full scenario keys.
        keep_every: keep every N-th week of the timeseries, or None for summaries only.

    """

    run_id: int
    point: int
    replicate: int
    seed: int
    arm: str
    values: dict[str, Any]
    scenario: dict[str, Any]
    keep_every: int | None


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def label(point: dict[str, Any], default: str) -> str:
    """A point as ``key=value, key=value`` (``default`` if the experiment has no factors)."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in point.items()) or default


#: check progress after this many design points
PROGRESS_EVERY = 500
#: plans with fewer points are prepared without a word (a few seconds at most)
QUIET_POINTS = 5_000
#: seconds between progress lines
PROGRESS_SECONDS = 5.0


class _ProgressLines:
    """Line-based progress on stderr while a large plan is checked (works on a terminal and in a log alike)."""

    def __init__(self, total: int) -> None:
        self.active = total >= QUIET_POINTS
        self.start = time.monotonic()
        self.last = self.start

    def __call__(self, checked: int, total: int) -> None:
        now = time.monotonic()
        if not self.active or (now - self.last < PROGRESS_SECONDS and checked < total):
            return
        self.last = now
        elapsed = now - self.start
        left = f", about {elapsed / checked * (total - checked):.0f} s left" if 0 < checked < total else ""
        sys.stderr.write(f"Preparing the plan: checked {checked:,} of {total:,} design points ({elapsed:.0f} s{left})\n")
        sys.stderr.flush()


class Plan:
    """The validated design points and the runs of an experiment.

    Attributes:
        experiment: the experiment.
        points: the factor values of each design point, in design order.
        labels: each point's arm label.
        left_out: points the design generated that the model rejects, with why (only with ``skip_invalid``).
        worlds: each point's sampled point (its world) when ``design.cross`` runs every world under every arm,
            else the point's own index.

    """

    def __init__(self, experiment: Experiment, progress: Callable[[int, int], None] | None = None) -> None:
        """Make and check every design point.

        Args:
            experiment: the experiment.
            progress: called as ``progress(checked, total)`` while the points are checked (about a
                millisecond each); by default a large plan prints a line to stderr every few seconds.

        """
        self.experiment = experiment
        self.points: list[dict[str, Any]] = []
        self.left_out: list[tuple[str, str]] = []
        self.worlds: list[int] = []
        exp = experiment
        per_world = n_crossed(exp)
        default = exp.scenarios[exp.scenario].get("name", exp.scenario) if exp.scenario in exp.scenarios else exp.scenario
        made = designs.points(exp)
        report = progress if progress is not None else _ProgressLines(len(made))
        for i, point in enumerate(made):
            if i % PROGRESS_EVERY == 0:
                report(i, len(made))
            problem = self._problem(point)
            if problem is None:
                self.points.append(point)
                self.worlds.append(i // per_world)
            elif exp.design.skip_invalid:
                self.left_out.append((label(point, default), problem))
            else:
                where = f" (in {exp.source})" if exp.source else ""
                raise ExperimentError(
                    f"design point {i} ({label(point, default)}): {problem}; "
                    f"set design.skip_invalid = true to leave such points out{where}"
                )
        report(len(made), len(made))
        if not self.points:
            raise ExperimentError(f"every design point is invalid (first: {self.left_out[0][1]})")
        crossed = exp.design.cross
        # a crossed design's arm is its crossed factors' values: the sampled ones describe the world, not the arm
        self.labels = [label({k: p[k] for k in crossed} if crossed else p, default) for p in self.points]

    def _problem(self, point: dict[str, Any]) -> str | None:
        """Why the model rejects the point's scenario, or None if it is valid."""
        exp = self.experiment
        values = exp.scenario_values(point)
        origin = dict.fromkeys(exp.set, " (from [set])")
        origin.update(dict.fromkeys((k for k in point if k != SCENARIO_FACTOR), " (a factor value)"))
        try:
            validate(values, origin)
        except ScenarioError as exc:
            return str(exc)
        return None

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.points)

    @property
    def n_runs(self) -> int:
        """Number of runs: points times replications."""
        return len(self.points) * self.experiment.replications

    def task(self, run_id: int) -> RunTask:
        """Run ``run_id``: its point, replicate, seed and full scenario."""
        if not 0 <= run_id < self.n_runs:
            raise IndexError(f"run {run_id} is not in the experiment (runs 0 to {self.n_runs - 1})")
        exp = self.experiment
        replicate, point = divmod(run_id, self.n_points)
        values = self.points[point]
        seed = seeds.run_seed(exp.seed, self._seed_index(run_id, replicate, point))
        return RunTask(
            run_id=run_id,
            point=point,
            replicate=replicate,
            seed=seed,
            arm=self.labels[point],
            values=dict(values),
            scenario=exp.scenario_values(values),
            keep_every=exp.keep_every,
        )

    def _seed_index(self, run_id: int, replicate: int, point: int) -> int:
        """Which seed a run gets: its own (run id), or with common random numbers its replicate's.

        In a crossed design common random numbers are per world: every arm of
        one sampled world and replicate shares a seed, different worlds do not.
        """
        exp = self.experiment
        if not exp.common_random_numbers:
            return run_id
        if exp.design.cross:
            return replicate * (exp.design.samples or 0) + self.worlds[point]
        return replicate

    def tasks(self, run_ids: Iterable[int]) -> Iterator[RunTask]:
        """The tasks of ``run_ids``, built one at a time (the plan never holds every task in memory)."""
        for run_id in run_ids:
            yield self.task(run_id)


__all__ = ["Plan", "RunTask", "label"]
