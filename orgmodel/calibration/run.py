"""A whole calibration: estimate what the export shows, fit the rest, check the fit on the held-out months.

:func:`calibrate` is what ``orgmodel calibrate`` runs and what the notebook
calls; it returns a :class:`CalibrationResult` that
:mod:`orgmodel.calibration.outputs` writes out. The steps:

1. the keys the export shows directly (:func:`~orgmodel.calibration.direct.estimate_keys`);
2. with ``holdout_months``, the export is cut that many months before its end
   (:func:`~orgmodel.calibration.holdout.cut_export`): the fit sees only the earlier part;
3. the fit (:class:`~orgmodel.calibration.fit.Calibration`) and slices through its best;
4. the forecast: the calibrated company over the whole window, with the
   common seeds at the best values and one run each at a sample of the trials as
   good as the best (so the bands show both chance and what the data leaves open),
   against what happened, month by month and target by target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgmodel.calibration.direct import KeyEstimate, estimate_keys
from orgmodel.calibration.fit import (
    FITTED,
    HISTORY,
    Calibration,
    FitParameter,
    FitSetup,
    ParameterFit,
    Progress,
    check_fit_keys,
    common_seeds,
    default_fit_keys,
    intervals,
    loss_noise,
    threshold,
)
from orgmodel.calibration.holdout import cut_export, tail_export
from orgmodel.calibration.targets import (
    Tables,
    Window,
    compute_targets,
    monthly_series,
    target_resolution,
    window_years,
)
from orgmodel.crm.synthesize import synthesize
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Scenario

FORECAST_PARAMETER_RUNS = 8  # trials as good as the best, one run each, in the forecast bands


@dataclass
class CalibrationResult:
    """What a calibration found (everything the outputs write)."""

    scenario: Scenario
    history_years: int
    estimates: dict[str, KeyEstimate]
    not_estimated: dict[str, str]
    parameters: list[ParameterFit]
    observed: dict[str, float]
    simulated: dict[str, float]
    simulated_sd: dict[str, float]
    scales: dict[str, float]
    best_loss: float
    loss_limit: float
    trials: pd.DataFrame
    near: pd.DataFrame
    slices: pd.DataFrame
    window: Window
    fit_window: Window
    holdout: dict[str, Any]
    monthly_observed: pd.DataFrame
    monthly_runs: list[pd.DataFrame]
    simulations: int
    seeds: tuple[int, ...]
    source: str
    defaults: list[str] = field(default_factory=list)


def _forecast_job(args: tuple[dict[str, Any], dict[str, Any], int, pd.Timestamp, float, pd.Timestamp | None]) -> tuple:
    base, params, seed, start, years, cut = args
    values = dict(params)
    history = int(values.pop(HISTORY, 0))
    export = synthesize(
        Scenario.model_validate({**base, **values}), seed=seed, years=years, start=start.date(), history_years=history
    )
    monthly = monthly_series(export.tables, export.window)
    tail = None
    if cut is not None:
        tail = compute_targets(*tail_export(export.tables, export.window, cut))
    return monthly, tail


def calibrate(
    tables: Tables,
    window: Window,
    storage: Path,
    budget: int = 200,
    workers: int = 1,
    resume: bool = False,
    holdout_months: int = 0,
    n_seeds: int = 3,
    seed: int = 0,
    batch: int = 4,
    slice_points: int = 5,
    noise_seeds: int = 8,
    fit_keys: list[str] | None = None,
    base: Scenario | None = None,
    source: str = "",
    progress: Progress | None = None,
) -> CalibrationResult:
    """Calibrate the model to one export.

    Args:
        tables: the export's canonical tables.
        window: first and last day it covers.
        storage: the study's SQLite file (created, or continued with ``resume``).
        budget: trials (each ``n_seeds`` simulations).
        workers: processes running simulations (results do not depend on it).
        resume: continue the study in ``storage``.
        holdout_months: months at the end the fit does not see (0: no holdout check).
        n_seeds: common seeds per trial.
        seed: the calibration's seed (sampler and common seeds).
        batch: trials asked at once (part of what the results depend on).
        slice_points: values per parameter in the slices through the best (0: none).
        noise_seeds: runs at the centre of the ranges that measure each target's run-to-run spread.
        fit_keys: fit only these keys (default: all of :data:`~orgmodel.calibration.fit.FITTED`).
        base: scenario whose keys are kept where the data says nothing (default: the defaults).
        source: what the data is (a folder name), for ``calibrated_from``.
        progress: called after each batch with (trials done, budget, best loss).

    """
    base = base or Scenario()
    months = pd.DateOffset(months=holdout_months)
    cut = window[1] - months if holdout_months > 0 else None
    if cut is not None and (cut - window[0]).days < 90:
        raise ValueError(
            f"holdout-months: {holdout_months} leaves less than three months to fit on "
            f"(the export covers {window[0].date()} to {window[1].date()})"
        )
    fit_tables, fit_window = cut_export(tables, window, cut) if cut is not None else (dict(tables), window)
    observed = compute_targets(fit_tables, fit_window)
    # what the export shows, from the fit window only: the held-out months must not inform the forecast
    estimates, not_estimated = estimate_keys(fit_tables, fit_window)
    if not any(math.isfinite(v) for v in observed.values()):
        raise ValueError("the export gives no target to fit (it needs orders or opportunities within its window)")
    keys = list(fit_keys or default_fit_keys(set(estimates)))
    if HISTORY not in keys:  # always fitted: without it the simulated company starts its export with an empty book
        keys.append(HISTORY)
    check_fit_keys(keys)
    parameters: tuple[FitParameter, ...] = tuple(p for p in FITTED if p.key in keys)
    fixed = base.model_dump(exclude={"interventions"})
    for key in keys:  # a key named in fit_keys is fitted, even where the data showed it
        if estimates.pop(key, None) is not None:
            not_estimated[key] = "fitted instead (named in --fit)"
    fixed.update({k: e.value for k, e in estimates.items()})
    for p in FITTED:
        if p.only_with and p.key not in keys:
            not_estimated[p.key] = (
                f"only its product with {p.only_with} shows in the data (service hours per order line): "
                f"held at its default, {p.only_with} fitted relative to it"
            )
    fitted_defaults = {
        p.key: getattr(base, p.key)
        for p in FITTED
        if p.key not in keys and p.key != HISTORY and p.key not in estimates and p.key not in not_estimated
    }
    fixed.update(fitted_defaults)
    seeds = common_seeds(seed, n_seeds)
    setup = FitSetup(fixed, observed, fit_window[0], window_years(fit_window), parameters, seeds, seed, batch)
    setup.resolution = target_resolution(fit_tables, fit_window)
    cal = Calibration(setup, storage, workers)
    try:
        cal.start(resume, noise_seeds)
        cal.run(budget, progress)
        trials = cal.trials()
        best_row = trials.loc[trials["loss"].idxmin()]
        best = {p.key: (int(best_row[p.key]) if p.integer else float(best_row[p.key])) for p in parameters}
        slices = cal.slices(best, slice_points) if slice_points > 1 else pd.DataFrame(columns=["key", "value", "loss"])
        best_targets = {k: (np.nan if v is None else v) for k, v in best_row["targets"].items()}
        best_sd = {k: (np.nan if v is None else v) for k, v in best_row["targets_sd"].items()}
        noise = loss_noise(best_targets, best_sd, observed, setup.scales, len(seeds))
        limit = threshold(float(best_row["loss"]), noise, len(setup.scales))
        fits, near = intervals(trials, parameters, limit, slices)
        # the forecast over the whole window: best values with the common seeds, plus near-best trials
        history = int(best.get(HISTORY, 0))
        runs = [best] * len(seeds)
        run_seeds = list(seeds)
        others = near[near["number"] != best_row["number"]]
        if len(others) > FORECAST_PARAMETER_RUNS:
            others = others.sample(FORECAST_PARAMETER_RUNS, random_state=seed)
        for _, row in others.iterrows():
            runs.append({p.key: (int(row[p.key]) if p.integer else float(row[p.key])) for p in parameters})
            run_seeds.append(seeds[0])
        years = window_years(window)
        jobs = [(fixed, r, s, window[0], years, cut) for r, s in zip(runs, run_seeds, strict=True)]
        forecast = cal.map(_forecast_job, jobs)
        simulations = (len(trials) + len(slices)) * len(seeds) + len(jobs) + cal.noise_simulations
    finally:
        cal.close()
    holdout: dict[str, Any] = {}
    if cut is not None:
        observed_tail = compute_targets(*tail_export(tables, window, cut))
        sim_tail = pd.DataFrame([f[1] for f in forecast[: len(seeds)]])
        holdout = {
            "months": holdout_months,
            "from": str((cut + pd.Timedelta(days=1)).date()),
            "to": str(window[1].date()),
            "observed": observed_tail,
            "forecast": sim_tail.mean().to_dict(),
            "forecast_low": sim_tail.min().to_dict(),
            "forecast_high": sim_tail.max().to_dict(),
        }
    values = {**fixed, **{k: v for k, v in best.items() if k != HISTORY}}
    total_years = history + math.ceil(round(years * WEEKS_PER_YEAR) / WEEKS_PER_YEAR)
    label = (
        f"{source or 'a CRM export'}, {window[0].date()} to {window[1].date()}"
        f"{f' (fitted to {fit_window[1].date()}, {holdout_months} months held out)' if cut is not None else ''}; "
        f"the export's first week is week {history * WEEKS_PER_YEAR + 1} of this run"
    )
    values.update(
        years=total_years, calibrated_from=label, name="calibrated", description=f"Calibrated to {source or 'an export'}."
    )
    scenario = Scenario.model_validate(values)
    return CalibrationResult(
        scenario=scenario,
        history_years=history,
        estimates=estimates,
        not_estimated=not_estimated,
        parameters=fits,
        observed=observed,
        simulated=best_targets,
        simulated_sd=best_sd,
        scales=setup.scales,
        best_loss=float(best_row["loss"]),
        loss_limit=limit,
        trials=trials,
        near=near,
        slices=slices,
        window=window,
        fit_window=fit_window,
        holdout=holdout,
        monthly_observed=monthly_series(tables, window),
        monthly_runs=[f[0] for f in forecast],
        simulations=simulations,
        seeds=seeds,
        source=source,
        defaults=sorted(fitted_defaults),
    )
