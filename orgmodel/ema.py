"""orgmodel as an EMA Workbench model: uncertainties, levers and outcomes taken from the scenario schema.

For researchers who work in EMA Workbench (Kwakkel 2017): :func:`ema_model`
returns a ready ``Model`` (one run per experiment) or ``ReplicatorModel``
(several seeds per experiment), so EMA's samplers, evaluators, scenario
discovery and many-objective optimisation drive orgmodel directly::

    from ema_workbench import perform_experiments
    from orgmodel.ema import ema_model

    model = ema_model(replications=3)
    experiments, outcomes = perform_experiments(model, scenarios=100, policies=4)

- **Uncertainties**: every assumed parameter with a plausible range
  (:mod:`orgmodel.scenario.plausible`, the ``plausible range`` column of
  ``docs/parameters.md``), as ``RealParameter`` or ``IntegerParameter``; or
  the keys you name.
- **Levers**: ``arm``, a ``CategoricalParameter`` over the built-in
  scenarios (each a valid whole organisation: structure, pay, management
  response), or numeric keys you name with their ranges.
- **Outcomes**: the run summary's headline numbers and the last year of its
  yearly lists (:data:`SCALAR_OUTCOMES`, :data:`LAST_YEAR_OUTCOMES`); a
  ``ReplicatorModel`` reports their mean over the experiment's seeds.
- **Constants**: the horizon, the size and anything else you fix.

Seeds: a ``Model`` runs every experiment with the ``seed`` constant; a
``ReplicatorModel`` runs replication *i* with the seed
:func:`orgmodel.experiments.seeds.run_seed` derives from (``seed``, *i*), so
the same experiments give the same outcomes on any evaluator.

EMA Workbench is the optional ``[discovery]`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from orgmodel.analysis.discovery import DiscoveryError, ema_analysis
from orgmodel.experiments.seeds import run_seed
from orgmodel.scenario.files import key_type, load_scenario
from orgmodel.scenario.plausible import RANGES
from orgmodel.scenario.schema import Scenario

#: headline numbers of a run's summary, as EMA scalar outcomes
SCALAR_OUTCOMES = (
    "total_revenue",
    "revenue_growth_last_3_years",
    "market_share_of_companies",
    "cross_sell_multiplier_developed",
    "handovers",
)
#: yearly lists of a run's summary whose last year is an EMA scalar outcome, named ``<key>_last_year``
LAST_YEAR_OUTCOMES = (
    "annual_revenue",
    "annual_contribution",
    "annual_cost_of_sales",
    "annual_new_clients",
    "annual_hunting_share",
    "active_clients_end_of_year",
    "account_managers_end_of_year",
)


def outcome_names() -> list[str]:
    """The names of the model's outcomes, in order."""
    return [*SCALAR_OUTCOMES, *(f"{k}_last_year" for k in LAST_YEAR_OUTCOMES)]


def run_orgmodel(arm: str = "status_quo", seed: int = 0, **keys: Any) -> dict[str, float]:
    """One run of an arm (a built-in scenario or a scenario file) with some keys changed; its outcomes by name.

    This is the function EMA Workbench calls with each experiment's
    uncertainties, levers and constants as keyword arguments. The arm is
    called ``arm`` because EMA's experiment table already has a column
    named ``scenario`` (its own sample id).
    """
    from orgmodel.simulate import simulate

    values = {k: (int(v) if key_type(k) is int else v) for k, v in keys.items()}
    summary = simulate(load_scenario(arm).with_(**values), seed=int(seed)).summary
    out = {k: float(summary.get(k, np.nan)) for k in SCALAR_OUTCOMES}  # NaN where the horizon is too short for it
    out.update({f"{k}_last_year": float(summary[k][-1]) for k in LAST_YEAR_OUTCOMES})
    return out


def _seeded(seed: int, replications: int) -> list[dict[str, int]]:
    return [{"seed": run_seed(seed, i)} for i in range(replications)]


def _parameter(ema: Any, key: str, low: float, high: float) -> Any:
    if key not in Scenario.model_fields:
        raise DiscoveryError(f"{key!r} is not a scenario key (all keys: orgmodel keys)")
    kind = key_type(key)
    if kind is int:
        return ema.IntegerParameter(key, int(low), int(high))
    if kind is float:
        return ema.RealParameter(key, float(low), float(high))
    raise DiscoveryError(f"{key!r} is not a numeric key: give it as a categorical lever or a constant")


def ema_model(
    name: str = "orgmodel",
    uncertainties: Mapping[str, tuple[float, float]] | None = None,
    levers: Mapping[str, tuple[float, float]] | Iterable[str] | None = None,
    constants: Mapping[str, Any] | None = None,
    replications: int | None = None,
    seed: int = 0,
) -> Any:
    """A ready EMA Workbench ``Model`` (or ``ReplicatorModel`` with ``replications``) of orgmodel.

    Args:
        name: the model's name in EMA (letters, digits and underscores).
        uncertainties: key -> (low, high); default: every plausible range of :mod:`orgmodel.scenario.plausible`
            except the keys given as numeric levers or constants.
        levers: key -> (low, high) for numeric levers, or the arms (built-in scenario names or files) of the
            categorical lever ``arm``; default: ``arm`` over every built-in scenario.
        constants: keys fixed in every run (e.g. ``years``, ``salespeople``, ``market_size``; ``arm`` if it is not a lever).
        replications: seeds per experiment (a ``ReplicatorModel``); None: one run per experiment (a ``Model``).
        seed: the base seed.

    Raises:
        DiscoveryError: EMA Workbench is missing, or a key is unknown or not numeric.

    """
    ema_analysis()  # one clear line if the extra is missing
    import ema_workbench as ema

    from orgmodel.scenario import builtin

    if replications is not None:
        model = ema.ReplicatorModel(name, function=run_orgmodel)
        model.replications = _seeded(seed, replications)
    else:
        model = ema.Model(name, function=run_orgmodel)
    fixed = dict(constants or {})
    chosen = set(levers) if isinstance(levers, Mapping) else set()
    if uncertainties is None:  # a key the caller makes a lever or a constant is no longer an uncertainty
        ranges = {k: (r.low, r.high) for k, r in RANGES.items() if k not in chosen and k not in fixed}
    else:
        ranges = dict(uncertainties)
        both = sorted((set(ranges) & chosen) | (set(ranges) & set(fixed)) | (chosen & set(fixed)))
        if both:
            raise DiscoveryError(f"{', '.join(both)}: a key is an uncertainty, a lever or a constant, not two of them")
    model.uncertainties = [_parameter(ema, k, lo, hi) for k, (lo, hi) in ranges.items()]
    if levers is None:
        model.levers = [ema.CategoricalParameter("arm", list(builtin.names()))]
    elif isinstance(levers, Mapping):
        model.levers = [_parameter(ema, k, lo, hi) for k, (lo, hi) in levers.items()]
    else:
        model.levers = [ema.CategoricalParameter("arm", list(levers))]
    if replications is None:
        fixed.setdefault("seed", seed)
    model.constants = [ema.Constant(k, v) for k, v in fixed.items()]
    if replications is None:
        model.outcomes = [ema.ScalarOutcome(n, kind=ema.ScalarOutcome.INFO) for n in outcome_names()]
    else:  # each outcome is the mean over the experiment's seeds
        model.outcomes = [ema.ScalarOutcome(n, kind=ema.ScalarOutcome.INFO, function=np.mean) for n in outcome_names()]
    return model


__all__ = ["LAST_YEAR_OUTCOMES", "SCALAR_OUTCOMES", "ema_model", "outcome_names", "run_orgmodel"]
