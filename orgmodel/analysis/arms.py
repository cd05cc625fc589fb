"""What each arm of an experiment is, in words a sales director reads, and what the scenario rests on.

An arm's description comes from the policies' own one-line summaries (the
structure's, the pay scheme's and management's response), with the scenario
keys they mention replaced by the arm's values ("keep up to 15 clients"), so
a new policy describes itself in reports without touching this module.
The same full scenario keys give the report's currency and whether the
scenario was calibrated to a company's data or runs on literature defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from orgmodel.experiments.results import Results
from orgmodel.policies import incentives, responses, structures
from orgmodel.policies.registry import UnknownPolicyError
from orgmodel.scenario.schema import Scenario

_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: management's response when the scenario names none: not worth a sentence
DEFAULT_RESPONSE = Scenario.model_fields["management_response"].default


def arm_scenarios(results: Results) -> dict[str, dict[str, Any]]:
    """The full scenario keys of each arm, from the resolved experiment and the arm's factor values."""
    exp = results.experiment
    first = results.runs.sort_values(["point", "replicate"], kind="stable").groupby("arm", sort=False).first()
    out = {}
    for arm, row in first.iterrows():
        point = {f: (row[f].item() if hasattr(row[f], "item") else row[f]) for f in results.factors if f in row}
        out[str(arm)] = exp.scenario_values(point)
    return out


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and ("share" in key or "rate" in key) and 0 <= value <= 1:
        return f"{value:.0%}"
    if key.endswith("_weeks") and isinstance(value, int | float):
        return f"{value:g} weeks"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value).replace("_", " ")


def _fill(summary: str, values: dict[str, Any]) -> str:
    """A policy summary with the scenario keys it names replaced by their values."""
    return _KEY.sub(lambda m: _value_text(m[0], values[m[0]]) if m[0] in values else m[0], summary)


def _summary(family: Any, name: str) -> str:
    try:
        return getattr(family.get(name), "summary", "") or name.replace("_", " ")
    except (UnknownPolicyError, KeyError, ValueError):
        return name.replace("_", " ")


def describe_arm(values: dict[str, Any]) -> str:
    """One sentence: who wins and keeps clients, how people are paid, and what management does if not the default."""
    structure = _fill(_summary(structures, values.get("structure", "full_cycle")), values)
    pay = _fill(_summary(incentives, values.get("incentive", "volume_commission")), values)
    text = f"{structure[:1].upper()}{structure[1:]}; pay: {pay}"
    response = values.get("management_response", DEFAULT_RESPONSE)
    if response != DEFAULT_RESPONSE:
        text += f"; management: {_fill(_summary(responses, response), values)}"
    staff = f"{values.get('salespeople', '?')} salespeople"
    if values.get("account_managers"):
        staff += f" and {values['account_managers']} account managers"
    return f"{text}. Starts with {staff}."


#: keys an arm's description already says in words
DESCRIBED = {"name", "description", "interventions", "structure", "incentive", "management_response"}


def differing_keys(scenarios: dict[str, dict[str, Any]], reference: str) -> dict[str, dict[str, str]]:
    """Per arm, the scenario keys whose values differ from the reference arm's (besides those described in words)."""
    base = scenarios.get(reference, {})
    out = {}
    for arm, values in scenarios.items():
        keys = sorted(k for k in set(values) | set(base) if k not in DESCRIBED and values.get(k) != base.get(k))
        out[arm] = {k: _value_text(k, values.get(k)) for k in keys}
    return out


@dataclass(frozen=True)
class Grounding:
    """What the scenario's numbers rest on, for the report's trust banner.

    Attributes:
        calibrated_from: the company data and period the scenario was calibrated to ("" = none).
        currency: the currency amounts are in ("" = unnamed units).

    """

    calibrated_from: str
    currency: str

    @property
    def calibrated(self) -> bool:
        """Whether the scenario rests on a company's own data."""
        return bool(self.calibrated_from)


def grounding(results: Results) -> Grounding:
    """The base scenario's calibration and currency (read defensively: older stores lack both keys)."""
    exp = results.experiment
    values = exp.scenarios.get(exp.scenario) or next(iter(exp.scenarios.values()), {})
    merged = {**values, **exp.set}
    calibrated = merged.get("calibrated_from") or ""
    return Grounding(str(calibrated).strip() if isinstance(calibrated, str) else "", str(merged.get("currency") or "").strip())
