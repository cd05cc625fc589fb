"""Interventions: the scenario's changes to the organisation during the run.

Each intervention is applied half a week before the week it names, so that
week's work already happens under the change. Parameter changes take effect
at once; a new structure restructures (clients change hands at handover
cost); headcount changes are requisitioned or let go.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mesa.time import Priority

from orgmodel.model.service import SERVICE_KEYS
from orgmodel.model.worktime import Expectations
from orgmodel.policies import incentives, responses, structures
from orgmodel.scenario.schema import Intervention, Scenario, intervention_changes

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff


class ScheduledIntervention:
    """One of the scenario's interventions, waiting for its week.

    Mesa keeps only a weak reference to an event's callback, so the model
    keeps these objects in ``model.scheduled_interventions`` and schedules
    their bound :meth:`apply`.
    """

    def __init__(self, model: SalesOrgModel, index: int, spec: Intervention) -> None:
        self.model = model
        self.index = index
        self.spec = spec

    def apply(self) -> None:
        """Make the change (called by the event list)."""
        self.model.apply_intervention(self.spec)


class Interventions:
    """Scheduled interventions and the record of those applied.

    Args:
        model: the model; this lives as ``model.interventions``.

    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        self.applied: list[dict[str, Any]] = []
        self.scheduled: list[ScheduledIntervention] = []

    def schedule(self, spec: Intervention) -> None:
        """Have ``spec`` applied half a week before its week, so that week's work happens under it.

        The scenario's interventions come here at set-up; a live front end
        (the workshop dashboard's "restructure now") adds one for the next week.
        """
        model = self.model
        if spec.week - 0.5 <= model.time:
            raise ValueError(f"intervention week {spec.week} has begun or passed (now week {math.ceil(model.time)})")
        item = ScheduledIntervention(model, len(self.scheduled), spec)
        self.scheduled.append(item)
        model.schedule_event(item.apply, at=spec.week - 0.5, priority=Priority.HIGH)

    def apply(self, spec: Intervention) -> None:
        """Change the organisation as ``spec`` says, from this week on.

        New values are validated against the current settings. Parameter
        changes take effect at once (a service parameter recomputes every
        serial client's service need); a new incentive scheme starts afresh;
        a new structure restructures through :meth:`Structure.restructure`
        (clients move with ``hand_over``, at its cost); ``salespeople``
        and ``account_managers`` are the new headcounts: the difference is
        requisitioned (arriving after the hiring delay, ramping up; at once
        with ``recruited_in_advance``) or let go (``let_go``); salespeople
        already requisitioned count, and a cut withdraws them first. The change is
        recorded in ``interventions_applied`` (week, note, each changed key's
        old and new value, people hired and let go on request, handovers it
        caused, headcounts after it).
        """
        model = self.model
        staffing = model.staffing
        week = math.ceil(model.time)
        old = model.cfg
        changes = intervention_changes(old, spec.set)
        new = Scenario.model_validate({**old.model_dump(exclude={"interventions"}), **changes})
        new = new.model_copy(update={"interventions": old.interventions})
        changed = {k: (getattr(old, k), getattr(new, k)) for k in changes if getattr(old, k) != getattr(new, k)}
        handovers_before = staffing.handovers
        portfolios_before = model.transition.portfolios()
        model.cfg = new
        if "incentive" in changed or "mixed_components" in changed:
            model.scheme = incentives.get(new.incentive)(new)
        else:  # keeps the scheme's running state (quotas, last year's sales)
            model.scheme.cfg = new
            for component, _weight in getattr(model.scheme, "components", ()):
                component.cfg = new
        model.relations.refresh()  # contacts booked so far grow and decay at the old rates
        model.network.set_rates(new.relationship_half_life_weeks, new.relationship_gain_per_hour)
        model.switch_mechanisms()
        model.pipeline.configure()
        previous = model.structure
        if "structure" in changed:
            model.structure = structures.get(new.structure)(model)
            previous.leave(model.structure)
        if "management_response" in changed:  # the old response's reviews stop; the new one starts now
            model.response.stop()
            model.response = responses.get(new.management_response)(model)
            model.response.start()
        keeps = model.structure.salespeople_keep_clients()
        for p in model.salespeople:
            p.keeps_clients = keeps
        hired: dict[str, int] = {}
        requested: dict[str, int] = {}
        leaving: list[Staff] = []
        for key, role_people, hire, request in (
            (
                "salespeople",
                model.salespeople,
                lambda n: model.hire_salespeople(n, keeps, new.ramp_up_weeks),
                model.request_salespeople,
            ),
            (
                "account_managers",
                model.account_managers,
                lambda n: model.hire_account_managers(n, new.ramp_up_weeks),
                lambda n: [model.request_account_manager() for _ in range(n)],
            ),
        ):
            if key not in changes:
                continue
            diff = int(changes[key]) - len(role_people)
            if key == "salespeople" and staffing.open_salesperson_requisitions:  # issue #12: people on their way count
                pending = staffing.open_salesperson_requisitions
                withdraw = min(pending, max(0, -diff + pending))  # a cut withdraws requisitions first
                staffing.open_salesperson_requisitions -= withdraw
                staffing.withdrawn_salesperson_requisitions += withdraw
                diff -= pending - withdraw
            if diff > 0 and not new.recruited_in_advance:  # issue #12: they start after the hiring delay
                request(diff)
                requested[key] = diff
            elif diff > 0:
                for p in hire(diff):
                    p.hired_week = week
                hired[key] = diff
            elif diff < 0:
                leaving.extend(staffing.who_leaves(role_people, -diff))
        staffing.leaving = {p.unique_id for p in leaving}
        if "structure" in changed:
            model.structure.restructure(previous)
        for person in leaving:
            model.let_go(person)
        staffing.leaving = set()
        if SERVICE_KEYS & changed.keys():
            model.service.update_all_service_needs()
        model.expectations = Expectations(model)
        model.structure.monthly()  # queued handovers and hiring under the new settings
        model.transition.after_intervention(changed.keys(), portfolios_before)
        model.relations.refresh()  # the coverage of the clients handed over, now
        self.applied.append(
            {
                "week": week,
                "note": spec.note,
                "changes": {k: list(v) for k, v in changed.items()},
                "hired": hired,
                "requested": requested,
                "left": {role: sum(1 for p in leaving if p.role == role) for role in {p.role for p in leaving}},
                "handovers": staffing.handovers - handovers_before,
                "salespeople_after": len(model.salespeople),
                "account_managers_after": len(model.account_managers),
            }
        )
