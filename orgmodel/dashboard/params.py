"""What the trainer can set before a run, and the workshop's starting values.

Every control is a scenario key that :class:`~orgmodel.model.model.SalesOrgModel`
takes as a keyword argument (plus ``rng``, the seed), in the dict format of
Mesa's ``UserInputs``; so the dashboard builds exactly the model that
``SalesOrgModel(**settings)`` builds anywhere else. The lists of structures and
incentive schemes come from the policy registries, so a newly registered
structure appears here without editing the dashboard.

The workshop defaults make the organisation and its market smaller than the
reference scenario (8 salespeople, 1,200 companies instead of 20 and 3,000):
the mechanisms and parameters are the same, but a week computes in about a
millisecond and the trap (new clients falling while servicing takes over the
week) shows within the first three to four simulated years, about a minute of
Play.
"""

from __future__ import annotations

from typing import Any

from mesa.visualization import Slider
from pydantic import ValidationError

from orgmodel.policies import incentives, structures
from orgmodel.scenario.schema import Scenario

#: keys fixed for the workshop (not controls): a smaller market than the reference scenario
FIXED: dict[str, Any] = {"market_size": 1200}

_DEFAULT = Scenario()


def shown(name: str) -> str:
    """A policy's identifier as the page shows it (``hunter_farmer`` -> ``hunter farmer``), as the monitors do."""
    return name.replace("_", " ")


def choices(names: list[str]) -> list[dict[str, str]]:
    """A dropdown's items: the label shown (Vuetify 2 reads ``text``, 3 ``title``) and the identifier it sets."""
    return [{"text": shown(name), "title": shown(name), "value": name} for name in names]


def controls() -> dict[str, Any]:
    """The settings panel: each scenario key with its widget, label and starting value."""
    return {
        "structure": {
            "type": "Select",
            "label": "Structure (who keeps a client after the sale)",
            "value": _DEFAULT.structure,
            "values": choices(structures.names()),
        },
        "incentive": {
            "type": "Select",
            "label": "Incentive scheme",
            "value": _DEFAULT.incentive,
            "values": choices(incentives.names()),
        },
        "salespeople": Slider("Salespeople", value=8, min=1, max=40, step=1),
        "account_managers": Slider("Account managers at the start", value=0, min=0, max=30, step=1),
        "spoiledness": Slider(
            "Client spoiledness (spec work left to us)", value=_DEFAULT.spoiledness, min=0.0, max=1.0, step=0.01
        ),
        "cross_sell_lines_mean": Slider(
            "Cross-sell potential (further lines per client)", value=_DEFAULT.cross_sell_lines_mean, min=0.0, max=6.0, step=0.5
        ),
        "handover_knowledge_carryover": Slider(
            "Handover: client knowledge kept", value=_DEFAULT.handover_knowledge_carryover, min=0.0, max=1.0, step=0.05
        ),
        "handover_hours": Slider(
            "Handover: hours per client and side", value=_DEFAULT.handover_hours, min=0.0, max=16.0, step=1.0
        ),
        "rng": Slider("Seed", value=1, min=0, max=99, step=1),
    }


def labels() -> dict[str, str]:
    """Each control's label as the panel shows it: what a message names instead of the scenario key."""
    return {key: (spec["label"] if isinstance(spec, dict) else spec.label) for key, spec in controls().items()}


def initial_settings() -> dict[str, Any]:
    """Starting values of every control plus the fixed keys: the keyword arguments of the first model."""
    values = {key: (spec["value"] if isinstance(spec, dict) else spec.value) for key, spec in controls().items()}
    return {**FIXED, **values}


def problem(settings: dict[str, Any]) -> str | None:
    """Why these settings cannot make a model (one line naming the key), or None if they can.

    The same rules as a scenario file: e.g. ``split_commission`` pays whoever
    takes a client over, so it needs a structure that hands clients over.
    """
    keys = {k: v for k, v in settings.items() if k != "rng"}
    try:
        Scenario.model_validate(keys)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error.get("loc", ())) or "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        return message if where == "settings" else f"{where}: {message}"
    return None
