"""The "restructure now" control: change the structure or incentive scheme of the running organisation.

The change goes through the model's interventions mechanism, exactly as an
``[[interventions]]`` table in a scenario file would: it is scheduled for the
coming week (:meth:`SalesOrgModel.schedule_intervention`) and applied before
that week's work, with the handovers, hiring and re-planning that
``docs/policies/interventions.md`` describes. Scheduling rather than changing
the model on the spot also keeps the change out of a week that Play may be
computing in another thread at the moment of the click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import solara
from mesa.visualization.utils import update_counter

from orgmodel.dashboard import params, sync
from orgmodel.policies import incentives, structures
from orgmodel.scenario.files import toml_value
from orgmodel.scenario.schema import Intervention, intervention_changes

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

NOTE = "restructured live in the dashboard"
#: pay guarantees the panel offers, in weeks (0: none; docs/policies/transitions.md)
GUARANTEE_WEEKS = (0, 13, 26, 52)


def default_target(current_structure: str) -> tuple[str, str]:
    """A first suggestion: the essay's alternative if it is registered, else another structure that hands clients over."""
    names = structures.names(hands_over=True) or structures.names()
    structure = "hunter_farmer" if "hunter_farmer" in names else next((n for n in names if n != current_structure), names[0])
    scheme = "split_commission" if "split_commission" in incentives.names() else incentives.names()[0]
    return structure, scheme


def changes_for(model: SalesOrgModel, structure: str, incentive: str, pay_guarantee_weeks: int = 0) -> dict[str, Any]:
    """The keys that differ from what is in force (empty if nothing would change).

    A pay guarantee goes with a change of structure or scheme, never alone.
    """
    out: dict[str, Any] = {}
    if structure != model.cfg.structure:
        out["structure"] = structure
    if incentive != model.cfg.incentive:
        out["incentive"] = incentive
    if out and pay_guarantee_weeks != model.cfg.pay_guarantee_weeks:
        out["pay_guarantee_weeks"] = pay_guarantee_weeks
    return out


def restructure(model: SalesOrgModel, structure: str, incentive: str, pay_guarantee_weeks: int = 0) -> tuple[str, int | None]:
    """Schedule the change for the coming week: what the panel says (one line) and the week, if scheduled."""
    if not model.running:
        return "The run is over; press Reset to start a new one.", None
    change = changes_for(model, structure, incentive, pay_guarantee_weeks)
    if not change:
        return f"{structure} with {incentive} is already in force.", None
    current = model.cfg.model_dump(exclude={"interventions"})
    issue = params.problem({**current, **intervention_changes(model.cfg, change)})
    if issue is not None:
        return f"Not possible: {issue}.", None
    week = int(model.time) + 1
    model.schedule_intervention(Intervention(week=week, set=change, note=NOTE))
    return f"Scheduled for week {week}: {describe(change)}. It takes effect when the run reaches that week.", week


def _plain(value: Any) -> str:
    """A name as itself, any other value as in a scenario file."""
    return value if isinstance(value, str) else toml_value(value)


def describe(change: dict[str, Any]) -> str:
    """``structure -> hunter_farmer, incentive -> split_commission``."""
    return ", ".join(f"{k} -> {_plain(v)}" for k, v in change.items())


def last_applied(model: SalesOrgModel) -> str | None:
    """The latest change the model has made, with its handovers and headcounts."""
    if not model.interventions_applied:
        return None
    item = model.interventions_applied[-1]
    changes = ", ".join(f"{k} {_plain(old)} -> {_plain(new)}" for k, (old, new) in item["changes"].items())
    return (
        f"Week {item['week']}: {changes or 'no change'}; {item['handovers']} clients handed over; "
        f"now {item['salespeople_after']} salespeople and {item['account_managers_after']} account managers."
    )


@solara.component
def RestructureCard(model: SalesOrgModel) -> None:
    """Pick a structure and scheme, press the button, watch what happens next."""
    update_counter.get()
    first = solara.use_memo(lambda: default_target(model.cfg.structure), [])
    structure = solara.use_reactive(first[0])
    incentive = solara.use_reactive(first[1])
    guarantee = solara.use_reactive(0)
    said = solara.use_reactive((0, "", None))  # (model id, message, week scheduled); a Reset clears it
    applied = last_applied(model)

    def on_click() -> None:
        with sync.lock(model):
            text, week = restructure(model, structure.value, incentive.value, guarantee.value)
        said.set((id(model), text, week))

    owner, text, week = said.value
    show = owner == id(model) and text and (week is None or model.time < week)
    with solara.Card("Restructure now"):
        solara.Select("New structure", value=structure, values=params.choices(structures.names()))
        solara.Select("New incentive scheme", value=incentive, values=params.choices(incentives.names()))
        solara.Select("Pay guarantee (weeks of last year's variable pay)", value=guarantee, values=list(GUARANTEE_WEEKS))
        solara.Button("Restructure now", color="warning", on_click=on_click, disabled=not model.running, block=True)
        if show:
            solara.Info(text, classes=["orgmodel-message"])
        if applied is not None:
            solara.Success(applied, classes=["orgmodel-message"])
