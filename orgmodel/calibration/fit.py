"""Fitting what no table shows: Optuna over simulated exports, with intervals from the trials near the best.

Each trial proposes values for the keys of :data:`FITTED` (time allocation,
service hours per order, spoiledness, relationship effects, the stage
conversion that depends on them, churn drivers, cross-sell potential) plus
the years the company ran before its export began; the keys the export shows
are already set (:mod:`orgmodel.calibration.direct`). The trial simulates the
company with the same common seeds as every other trial (so two trials
differ by their parameters, not their luck), synthesizes the export each run
would produce for the observed window, and computes the same targets as for
the data (:mod:`orgmodel.calibration.targets`).

Loss: the sum over targets of z squared, z = (mean over seeds - observed) /
scale, where scale combines the run-to-run spread of the target (measured
once, before the fit, at the centre of the ranges with more seeds: the
observed company is itself one draw) and a small floor. Near the truth each
z is roughly standard normal, so the loss behaves like a chi-square, and the
trials whose loss is within ``DELTA`` (3.84, the 95% point of chi-square with
one degree of freedom) plus two standard deviations of the seed noise of a
difference of losses of the best, the margin inflated when the best fits
worse than the noise (:func:`threshold`), are those the data cannot tell
from the best: each
parameter's interval is the range it spans over them and over slices through
the best (:meth:`Calibration.slices`). A parameter
whose interval covers at least :data:`NOT_IDENTIFIED_SHARE` of its range is
reported as not identified.

Determinism and resuming: the study lives in SQLite (``OUT/study.db``). Trials
are asked in batches of fixed size (starting at multiples of it) from a TPE
sampler seeded by the seed and the trial's number, evaluated (by one or
several worker processes), and told in order. So the same seed gives the same
trials whatever the number of workers, and a calibration stopped and resumed
with ``--resume`` (a larger ``--budget`` continues a finished one; budgets
in multiples of the batch size) gives the trials an uninterrupted run would
have given (trials asked but not finished are evaluated first).
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import sqlalchemy.exc

from orgmodel.calibration.targets import compute_targets
from orgmodel.crm.synthesize import synthesize
from orgmodel.scenario.schema import Scenario

HISTORY = "history_years"  # not a scenario key: years the company ran before its export begins
DELTA = 3.84  # chi-square(1) 95% point: trials within this of the best loss are as good given the noise
NOT_IDENTIFIED_SHARE = 0.75  # an interval covering this share of the range says the data does not pin the key down
MISSING_TARGET_Z2 = 25.0  # a target the data has but a simulated export cannot give (e.g. no cross-sells at all)
STUDY_NAME = "calibration"


@dataclass(frozen=True)
class FitParameter:
    """A key fitted by simulation and the range searched (within the scenario schema's bounds)."""

    key: str
    low: float
    high: float
    log: bool = False
    integer: bool = False
    what: str = ""
    only_with: str = ""  # the key it enters the model with, as a product: fitted only when asked for by name

    def distribution(self) -> optuna.distributions.BaseDistribution:
        """The Optuna distribution searched."""
        if self.integer:
            return optuna.distributions.IntDistribution(int(self.low), int(self.high))
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def position(self, value: float) -> float:
        """Where ``value`` lies in the range, 0 to 1 (on a log scale for log parameters)."""
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    @property
    def centre(self) -> float:
        """Middle of the range (geometric for log parameters)."""
        mid = math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2
        return round(mid) if self.integer else mid


#: The keys no table shows, with the ranges searched (each inside the schema's bounds).
FITTED: tuple[FitParameter, ...] = (
    FitParameter("hours_per_lead", 1.0, 12.0, log=True, what="time allocation: prospecting hours per lead"),
    FitParameter("allocation_sharpness", 0.5, 6.0, what="time allocation: how strongly time follows pay"),
    FitParameter("spec_hours_per_line", 0.5, 8.0, log=True, what="service hours per order line", only_with="spoiledness"),
    FitParameter("spoiledness", 0.1, 1.0, what="share of specification work left to the supplier"),
    FitParameter("relationship_gain_per_hour", 0.05, 1.0, log=True, what="relationship effect of contact hours"),
    FitParameter("support_at_no_relationship", 0.4, 0.9, what="buying-centre backing without a relationship"),
    FitParameter("proposal_rate", 0.2, 0.95, what="chance a worked qualified deal reaches a proposal"),
    FitParameter("churn_base", 0.0, 0.3, what="annual churn of a well-served client"),
    FitParameter("churn_dissatisfied", 0.0, 1.0, what="extra churn of a dissatisfied client"),
    FitParameter("cross_sell_lines_mean", 0.0, 6.0, what="cross-sell potential: further lines per client"),
    FitParameter("cross_sell_line_value", 0.2, 3.0, log=True, what="cross-sell potential: value of a line"),
    FitParameter(HISTORY, 0, 6, integer=True, what="years the company ran before the export window"),
)
FITTED_BY_KEY = {p.key: p for p in FITTED}


def check_fit_keys(keys: Sequence[str]) -> None:
    """Raise a ValueError naming the first key that cannot be fitted, and the keys that can."""
    unknown = [k for k in keys if k not in FITTED_BY_KEY]
    if unknown:
        raise ValueError(f"fit: unknown key {unknown[0]!r}; allowed: {', '.join(FITTED_BY_KEY)}")


def default_fit_keys(estimated: set[str]) -> list[str]:
    """The keys fitted unless the user names them: no key the export showed, no half of a product.

    A key estimated from the data (e.g. ``cross_sell_line_value`` from cross-sell
    amounts) is not fitted again: fitting it would let the optimiser trade it off
    against keys no table shows. ``spec_hours_per_line`` enters the model only
    as ``spec_hours_per_line x spoiledness`` (service hours per order line):
    no data can split the product, so only spoiledness is fitted.
    """
    return [p.key for p in FITTED if p.key not in estimated and not p.only_with]


@dataclass
class FitSetup:
    """Everything a trial needs, fixed for the whole calibration.

    Attributes:
        base: scenario keys set from the data and defaults (all but the fitted ones).
        observed: the data's targets (of the fit window).
        start: first day of the fit window.
        years: length of the fit window in years.
        parameters: the keys fitted.
        seeds: the common seeds every trial runs.
        seed: the sampler's seed.
        batch: trials asked and evaluated together (fixed, so results do not depend on workers).

    """

    base: dict[str, Any]
    observed: dict[str, float]
    start: pd.Timestamp
    years: float
    parameters: tuple[FitParameter, ...]
    seeds: tuple[int, ...]
    seed: int = 0
    batch: int = 4
    scales: dict[str, float] = field(default_factory=dict)
    resolution: dict[str, float] = field(default_factory=dict)

    @property
    def used_targets(self) -> list[str]:
        """Targets the data gives (finite observed values)."""
        return [k for k, v in self.observed.items() if v is not None and math.isfinite(v)]

    def fingerprint(self) -> str:
        """A digest of what the fit depends on (a resumed study must have been started from the same)."""
        data = {
            "base": self.base,
            "observed": {k: round(v, 9) for k, v in self.observed.items() if math.isfinite(v)},
            "start": str(self.start.date()),
            "years": round(self.years, 6),
            "parameters": [asdict(p) for p in self.parameters],
            "seeds": list(self.seeds),
            "seed": self.seed,
            "batch": self.batch,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def simulate_targets(
    base: dict[str, Any], params: dict[str, Any], seed: int, start: pd.Timestamp, years: float
) -> dict[str, float]:
    """The targets of the export one simulated company would produce."""
    values = dict(params)
    history = int(values.pop(HISTORY, 0))
    scenario = Scenario.model_validate({**base, **values})
    export = synthesize(scenario, seed=seed, years=years, start=start.date(), history_years=history)
    return compute_targets(export.tables, export.window)


def _job(args: tuple[dict[str, Any], dict[str, Any], int, pd.Timestamp, float]) -> dict[str, float]:
    return simulate_targets(*args)


def summarise_runs(runs: Sequence[dict[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
    """Mean and standard deviation over seeds of each target (NaN where any run lacks it)."""
    frame = pd.DataFrame(list(runs))
    mean = frame.mean(skipna=False)
    sd = frame.std(ddof=1, skipna=False) if len(frame) > 1 else frame.mean() * 0.0
    return mean.to_dict(), sd.fillna(0.0).to_dict()


def target_scales(
    observed: dict[str, float], sd: dict[str, float], n_seeds: int, resolution: dict[str, float] | None = None
) -> dict[str, float]:
    """Scale of each target's z: the run-to-run spread (of the data and of a mean of ``n_seeds`` runs) and a floor.

    The floor is 3% of the observed value, 0.01 for shares, and the value one
    event more or less makes in the data (``resolution``, from
    :func:`~orgmodel.calibration.targets.target_resolution`).
    """
    out = {}
    resolution = resolution or {}
    for k, obs in observed.items():
        if obs is None or not math.isfinite(obs):
            continue
        floor = 0.01 if k.endswith(("_share", "_rate", "_conversion")) or k.startswith("activity_share") else 0.0
        floor = max(floor, 0.03 * abs(obs), resolution.get(k, 0.0), 1e-9)
        spread = float(sd.get(k, 0.0))
        out[k] = math.sqrt(floor**2 + spread**2 * (1.0 + 1.0 / n_seeds))
    return out


def loss(mean: dict[str, float], observed: dict[str, float], scales: dict[str, float]) -> float:
    """Sum of squared z over the targets the data gives."""
    total = 0.0
    for k, scale in scales.items():
        sim = mean.get(k, float("nan"))
        total += MISSING_TARGET_Z2 if not math.isfinite(sim) else ((sim - observed[k]) / scale) ** 2
    return total


Progress = Callable[[int, int, float], None]
"""Called after each batch with (trials done, budget, best loss so far)."""


class Calibration:
    """One calibration study: its storage, its setup and the loop that runs trials.

    Args:
        setup: what the fit depends on.
        storage_path: the SQLite file (``OUT/study.db``).
        workers: processes evaluating simulations (results do not depend on it).

    """

    def __init__(self, setup: FitSetup, storage_path: Path, workers: int = 1) -> None:
        self.setup = setup
        try:
            self.storage = optuna.storages.RDBStorage(f"sqlite:///{storage_path}")
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise ValueError(
                f"{storage_path.name} in '{storage_path.parent}' cannot be read as a calibration study ({reason}); "
                "it is left as it is: calibrate into a new --out folder"
            ) from None
        self.workers = max(1, workers)
        self._pool: Executor | None = None
        self.noise_simulations = 0  # simulations this process ran to measure the targets' spread
        optuna.logging.set_verbosity(optuna.logging.WARNING)

    # --- evaluation ------------------------------------------------------------------------
    def map(self, fn: Callable[[Any], Any], jobs: list[Any]) -> list[Any]:
        """``fn`` over ``jobs`` in order, on the worker processes if there are several (``fn`` at module level)."""
        if self.workers == 1 or len(jobs) <= 1:
            return [fn(j) for j in jobs]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return list(self._pool.map(fn, jobs))

    def evaluate(self, param_sets: list[dict[str, Any]], seeds: Sequence[int]) -> list[list[dict[str, float]]]:
        """Targets of each parameter set under each seed (all simulations of a batch at once, for the workers)."""
        s = self.setup
        jobs = [(s.base, p, seed, s.start, s.years) for p in param_sets for seed in seeds]
        flat = self.map(_job, jobs)
        k = len(seeds)
        return [flat[i * k : (i + 1) * k] for i in range(len(param_sets))]

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # --- the study -------------------------------------------------------------------------
    def _study(self, sampler: optuna.samplers.BaseSampler | None = None) -> optuna.Study:
        return optuna.load_study(study_name=STUDY_NAME, storage=self.storage, sampler=sampler)

    def start(self, resume: bool, noise_seeds: int = 8) -> None:
        """Create the study (measuring the targets' spread first), or check a resumed one matches the data."""
        s = self.setup
        names = optuna.study.get_all_study_names(self.storage)
        if resume and STUDY_NAME not in names:
            raise ValueError("--resume: the study file holds no calibration to continue; calibrate into a new --out folder")
        if STUDY_NAME in names:
            study = self._study()
            if not resume:
                raise ValueError("a calibration study already exists here; use --resume to continue it")
            if study.user_attrs.get("fingerprint") != s.fingerprint():
                raise ValueError(
                    "the existing study was started from other data or settings (export, holdout, seeds or keys); "
                    "use a new --out folder"
                )
            s.scales = dict(study.user_attrs["scales"])
            self.noise_simulations = 0
            return
        centre = {p.key: p.centre for p in s.parameters}
        noise = [1_000_003 + i for i in range(max(noise_seeds, len(s.seeds)))]
        _mean, sd = summarise_runs(self.evaluate([centre], noise)[0])
        s.scales = target_scales(s.observed, sd, len(s.seeds), s.resolution)
        study = optuna.create_study(study_name=STUDY_NAME, storage=self.storage, direction="minimize")
        study.set_user_attr("fingerprint", s.fingerprint())
        study.set_user_attr("scales", s.scales)
        study.set_user_attr("noise_simulations", len(noise))
        self.noise_simulations = len(noise)

    def done(self) -> int:
        """Trials finished so far."""
        states = (optuna.trial.TrialState.COMPLETE,)
        return len(self._study().get_trials(deepcopy=False, states=states))

    def run(self, budget: int, progress: Progress | None = None) -> None:
        """Run trials until ``budget`` are complete (budget counts trials, each ``len(seeds)`` simulations)."""
        s = self.setup
        dists = {p.key: p.distribution() for p in s.parameters}
        study_id = self.storage.get_study_id_from_name(STUDY_NAME)
        while True:
            study = self._study()
            running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
            n_done = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
            if running:  # asked before an interruption: evaluate them first, as the uninterrupted run would have
                numbers = [t.number for t in sorted(running, key=lambda t: t.number)]
                params = [dict(t.params) for t in sorted(running, key=lambda t: t.number)]
            else:
                if n_done >= budget:
                    break
                # batches start at multiples of the batch size, so a budget raised on --resume asks what
                # an uninterrupted run would have; each trial's sampler is seeded by its own number
                asked = []
                for number in range(n_done, min(n_done + s.batch - n_done % s.batch, budget)):
                    sampler = optuna.samplers.TPESampler(
                        seed=s.seed * 1_000_003 + number,
                        n_startup_trials=max(10, 2 * len(s.parameters)),
                        multivariate=True,
                        constant_liar=True,
                    )
                    study = self._study(sampler)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                        asked.append(study.ask(dists))
                numbers = [t.number for t in asked]
                params = [dict(t.params) for t in asked]
            results = self.evaluate(params, s.seeds)
            for number, runs in zip(numbers, results, strict=True):
                mean, sd = summarise_runs(runs)
                value = loss(mean, s.observed, s.scales)
                trial_id = self.storage.get_trial_id_from_study_id_trial_number(study_id, number)
                self.storage.set_trial_user_attr(trial_id, "targets", {k: _finite(v) for k, v in mean.items()})
                self.storage.set_trial_user_attr(trial_id, "targets_sd", {k: _finite(v) for k, v in sd.items()})
                study.tell(number, value)
            if progress is not None:
                progress(self.done(), budget, self._study().best_value)

    def slices(self, best: dict[str, Any], points: int) -> pd.DataFrame:
        """Loss along each parameter's range with the others at their best (``points`` values each).

        A one-at-a-time check that does not depend on where the sampler
        happened to look: a flat slice means the targets do not respond to
        the key. Same common seeds as the trials.
        """
        s = self.setup
        sets, labels = [], []
        for p in s.parameters:
            grid = np.geomspace(p.low, p.high, points) if p.log else np.linspace(p.low, p.high, points)
            for v in grid:
                value = round(float(v)) if p.integer else float(v)
                sets.append({**best, p.key: value})
                labels.append((p.key, value))
        results = self.evaluate(sets, s.seeds)
        rows = []
        for (key, value), runs in zip(labels, results, strict=True):
            mean, _sd = summarise_runs(runs)
            rows.append({"key": key, "value": value, "loss": loss(mean, s.observed, s.scales)})
        return pd.DataFrame(rows)

    def trials(self) -> pd.DataFrame:
        """Complete trials: number, loss, parameters, simulated target means."""
        rows = []
        for t in self._study().get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
            attrs = t.user_attrs
            rows.append(
                {"number": t.number, "loss": t.value, **t.params, "targets": attrs["targets"], "targets_sd": attrs["targets_sd"]}
            )
        return pd.DataFrame(rows).sort_values("number").reset_index(drop=True)


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


@dataclass
class ParameterFit:
    """One fitted key: best value, interval over the trials as good as the best, whether the data pins it down."""

    key: str
    value: float
    low: float
    high: float
    range: tuple[float, float]
    identified: bool
    width_share: float
    what: str


def loss_noise(
    targets: dict[str, float], sd: dict[str, float], observed: dict[str, float], scales: dict[str, float], k: int
) -> float:
    """Standard deviation of a trial's loss from the luck of its ``k`` seeds.

    The loss is a sum of z squared; a target's mean over seeds varies with
    variance v = sd^2 / k (in units of its scale squared), so its z squared
    varies with variance 4 z^2 v + 2 v^2 (the second term stays at the best,
    where z is near zero).
    """
    var = 0.0
    for name, scale in scales.items():
        m, s = targets.get(name), sd.get(name)
        if m is None or s is None or not math.isfinite(m) or not math.isfinite(s):
            continue
        z = (m - observed[name]) / scale
        v = s * s / (k * scale * scale)
        var += 4.0 * z * z * v + 2.0 * v * v
    return math.sqrt(var)


def threshold(best_loss: float, noise: float, n_targets: int) -> float:
    """Losses up to this are as good as the best.

    :data:`DELTA` (what the data's own noise allows), plus two standard
    deviations of the difference between two trials' losses (each with the
    best's seed noise): the best trial is partly the luckiest one. When even
    the best misses the targets by more than their noise (loss per target
    above 1), the margin is multiplied by that ratio (Birge's ratio, as in
    least squares with an unknown error scale): a model that cannot match the
    data closely must not claim to pin its parameters down closely.
    """
    inflation = max(1.0, best_loss / max(1, n_targets))
    return best_loss + (DELTA + 2.0 * math.sqrt(2.0) * noise) * inflation


def _slice_span(rows: pd.DataFrame, limit: float) -> tuple[float, float] | None:
    """Where one slice's loss stays under ``limit``.

    The grid values inside, extended to the interpolated crossing towards each outside neighbour.
    """
    rows = rows.sort_values("value").reset_index(drop=True)
    inside = rows.index[rows["loss"] <= limit]
    if len(inside) == 0:
        return None
    i, j = int(inside.min()), int(inside.max())
    lo, hi = float(rows.at[i, "value"]), float(rows.at[j, "value"])
    if i > 0:
        v0, l0, v1, l1 = rows.at[i - 1, "value"], rows.at[i - 1, "loss"], rows.at[i, "value"], rows.at[i, "loss"]
        lo = float(v1 - (v1 - v0) * (limit - l1) / (l0 - l1)) if l0 > l1 else float(v0)
    if j < len(rows) - 1:
        v0, l0, v1, l1 = rows.at[j, "value"], rows.at[j, "loss"], rows.at[j + 1, "value"], rows.at[j + 1, "loss"]
        hi = float(v0 + (v1 - v0) * (limit - l0) / (l1 - l0)) if l1 > l0 else float(v1)
    return lo, hi


def intervals(
    trials: pd.DataFrame, parameters: Sequence[FitParameter], limit: float, slices: pd.DataFrame | None = None
) -> tuple[list[ParameterFit], pd.DataFrame]:
    """Each parameter's best value and interval: the values whose loss is within ``limit`` (:func:`threshold`).

    Over the trials (which sees trade-offs between parameters) and, if given,
    over the slices through the best (which see flat directions the sampler
    never explored; the best itself is a point of every slice); the interval
    spans both.
    """
    best = trials.loc[trials["loss"].idxmin()]
    near = trials[trials["loss"] <= limit]
    out = []
    for p in parameters:
        values = list(near[p.key].astype(float))
        if slices is not None and not slices.empty:
            mine = slices[slices["key"] == p.key][["value", "loss"]].copy()
            # a profile, not only a slice: at each grid value, the best loss of the slice point and of any
            # trial near that value (whatever its other keys), so trade-offs between keys widen the interval
            grid = mine["value"].to_numpy(float)
            pos = np.array([p.position(max(v, 1e-12)) if p.log else p.position(v) for v in grid])
            trial_pos = np.array([p.position(max(v, 1e-12)) if p.log else p.position(v) for v in trials[p.key].astype(float)])
            half = 0.5 / max(1, len(grid) - 1)
            mine["loss"] = [
                min([lv, *trials["loss"].to_numpy(float)[np.abs(trial_pos - x) <= half]])
                for lv, x in zip(mine["loss"].to_numpy(float), pos, strict=True)
            ]
            mine = pd.concat([mine, pd.DataFrame({"value": [float(best[p.key])], "loss": [float(best["loss"])]})])
            span = _slice_span(mine.drop_duplicates("value"), limit)
            if span is not None:
                values.extend(span)
        lo, hi = max(p.low, float(min(values))), min(p.high, float(max(values)))
        width = p.position(hi) - p.position(lo) if not (p.log and lo <= 0) else 1.0
        value = float(best[p.key])
        out.append(
            ParameterFit(
                p.key,
                int(value) if p.integer else value,
                lo,
                hi,
                (p.low, p.high),
                width < NOT_IDENTIFIED_SHARE,
                float(width),
                p.what,
            )
        )
    return out, near


def common_seeds(seed: int, n: int) -> tuple[int, ...]:
    """The seeds every trial runs (fixed by the calibration's seed)."""
    rng = np.random.default_rng([seed, 2011])
    return tuple(int(x) for x in rng.integers(1, 2**31 - 1, n))
