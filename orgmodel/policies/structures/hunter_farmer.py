"""Hunter/farmer: hunters win clients, account managers keep them."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TYPE_CHECKING

from orgmodel.model.clients import Stage
from orgmodel.policies.structures import register
from orgmodel.policies.structures.base import Structure
from orgmodel.policies.structures.segments import SizeBands

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff
    from orgmodel.model.staffing import WorkRanking
    from orgmodel.scenario.schema import Scenario


@register
class HunterFarmer(Structure):
    """Split roles (Ross & Tyler 2011; DeCarlo & Lam 2016).

    Assumes: a client goes to an account manager, who starts with a fraction
    of the hunter's relationships and client knowledge
    (``handover_*_carryover``), and both spend ``handover_hours`` on a joint
    visit. *When*: as implementation ends (``handover_timing =
    "after_implementation"``) or after ``handover_after_weeks`` of serial
    buying, during which the hunter services the client (a scheduled event,
    ``"after_serial_weeks"``). *To whom*: the least loaded account manager, or
    with ``handover_receiver = "by_segment"`` the least loaded one of the
    client's size band (``client_segments`` bands of equal market share; each
    account manager serves one band). Until a receiver exists the hunter keeps
    servicing the client. With ``hire_account_managers`` the company hires one
    (for the band, if segmented) when the existing ones are fully loaded,
    after ``hiring_delay_weeks``, and the new hire ramps up over
    ``ramp_up_weeks``.

    Subclasses that group account managers otherwise (pods) override
    :meth:`teams`, :meth:`team_of_client` and :meth:`place`.
    """

    name = "hunter_farmer"
    hands_over = True
    receives_by_segment = True
    summary = "hunters win clients and hand them to account managers after implementation"

    def __init__(self, model: SalesOrgModel) -> None:
        super().__init__(model)
        self.bands = SizeBands(model)

    @classmethod
    def check_scenario(cls, cfg: Scenario) -> None:
        """By segment without hiring needs an account manager for every segment."""
        super().check_scenario(cfg)
        if cfg.handover_receiver == "by_segment" and not cfg.hire_account_managers and cfg.account_managers < cfg.client_segments:
            raise ValueError(
                f"handover_receiver = 'by_segment' with hire_account_managers = false needs an account manager "
                f"for every segment: account_managers ({cfg.account_managers}) must be at least client_segments "
                f"({cfg.client_segments})"
            )

    # --- teams of account managers ---------------------------------------------------------------
    def teams(self) -> list[Hashable | None]:
        """The groups account managers form: one (None, anyone takes any client) or one per size band."""
        if self.model.cfg.handover_receiver == "by_segment":
            return list(range(self.model.cfg.client_segments))
        return [None]

    def team_of_client(self, client: ClientCompany) -> Hashable | None:
        """Which team's account managers may receive ``client``."""
        if self.model.cfg.handover_receiver == "by_segment":
            return self.bands.of(client)
        return None

    def place(self, person: Staff) -> None:
        """Put an account manager without a valid team in the team with the fewest account managers (lowest on a tie)."""
        teams = self.teams()
        if teams == [None] or person.team in teams:
            return
        size = {t: 0 for t in teams}
        for m in self.model.account_managers:
            if m.team in size:
                size[m.team] += 1
        person.team = min(teams, key=lambda t: (size[t] + self.model.requisitions_for(t), teams.index(t)))

    def receiver_for(self, client: ClientCompany) -> Staff | None:
        """The least loaded account manager of the client's team, if any."""
        return self.model.least_loaded_account_manager(self.team_of_client(client))

    # --- the hooks ------------------------------------------------------------------------------------
    def staff_up(self) -> None:
        """Salespeople (keeping clients or not, as the structure says) and the initial account managers."""
        cfg = self.model.cfg
        self.model.hire_salespeople(cfg.salespeople, keeps_clients=self.salespeople_keep_clients())
        for person in self.model.hire_account_managers(cfg.account_managers):
            self.place(person)

    def on_serial(self, client: ClientCompany) -> None:
        """Hand the client over now, or schedule it after ``handover_after_weeks`` of serial buying."""
        model = self.model
        if model.cfg.handover_timing == "after_serial_weeks":
            client.handover_event = model.schedule_event(client.buyer.handover_due, after=model.cfg.handover_after_weeks)
        else:
            self.hand_to_account_manager(client)

    def handover_due(self, client: ClientCompany) -> None:
        """A scheduled handover: only if the client still buys and is still with a salesperson."""
        if client.stage == Stage.SERIAL and client.owner is not None and client.owner.hunts:
            self.hand_to_account_manager(client)

    def hand_to_account_manager(self, client: ClientCompany) -> None:
        """Hand the client to its receiver now, or queue it until one exists."""
        receiver = self.receiver_for(client)
        if receiver is None:
            if client not in self.model.awaiting_handover:
                self.model.awaiting_handover.append(client)
            self.monthly()
        else:
            self.model.hand_over(client, receiver)

    def monthly(self) -> None:
        """Hand over queued clients; per team, hire when every account manager (counting the ones on their way) is full."""
        model = self.model
        teams = self.teams()
        if teams != [None]:  # with one team nobody needs placing (asked at every account manager's arrival, too)
            for person in model.account_managers:
                if person.team not in teams:
                    self.place(person)
        queue = model.awaiting_handover
        if queue:
            waiting = []
            for client in queue:
                receiver = self.receiver_for(client)
                if receiver is None:
                    waiting.append(client)
                else:
                    model.hand_over(client, receiver)
            queue[:] = waiting
        if not model.cfg.hire_account_managers:
            return
        everyone = model.account_managers
        by_team: dict[Hashable | None, list[Staff]] = {}  # one pass, not one per team (pods are many in a large force)
        if teams != [None]:
            for m in everyone:
                by_team.setdefault(m.team, []).append(m)
        for team in teams:
            managers = everyone if team is None else by_team.get(team, [])
            seats = len(managers) + model.requisitions_for(team)
            load = sum(m.load for m in managers) / seats if seats else float("inf")
            queued = bool(queue) if team is None else any(self.team_of_client(c) == team for c in queue)
            if load >= model.cfg.account_manager_load_limit or (queued and seats == 0):
                model.request_account_manager(team)

    def clients_to_restructure(self) -> list[ClientCompany]:
        """Salespeople's serial clients that go to account managers when the organisation switches to this structure."""
        return [c for p in self.model.salespeople for c in p.portfolio if c.stage == Stage.SERIAL]

    def restructure(self, previous: Structure) -> None:
        """Split the roles: hunters hand their serial clients to account managers.

        What a sales director would do: the reorganisation is announced ahead,
        so with ``hire_account_managers`` the account-manager team is recruited
        to start on the switch date, sized (per team, if account managers are
        grouped) to carry the clients' current service load (standard hours
        after the handover's knowledge loss) at ``account_manager_load_limit``;
        new hires ramp up over ``ramp_up_weeks``. Every client then goes to
        the least loaded account manager of its team (by standard client work)
        with the usual handover cost for both sides. With ``handover_timing =
        "after_serial_weeks"`` a client that has bought for fewer than
        ``handover_after_weeks`` stays with its hunter until then. Clients
        still in implementation stay with their hunter and are handed over
        when their time comes, as usual.
        """
        model = self.model
        cfg = model.cfg
        week = math.ceil(model.time)
        for person in model.account_managers:
            self.place(person)
        clients = self.clients_to_restructure()
        if cfg.handover_timing == "after_serial_weeks":
            later = [c for c in clients if week - c.serial_week < cfg.handover_after_weeks]
            for company in later:
                due = company.serial_week + cfg.handover_after_weeks - model.time
                company.handover_event = model.schedule_event(company.buyer.handover_due, after=due)
            clients = [c for c in clients if week - c.serial_week >= cfg.handover_after_weeks]
        if cfg.hire_account_managers and clients:
            self._recruit_for(clients)
        rankings: dict[Hashable | None, WorkRanking] = {}  # per team, kept up to date as clients move (one sum a move)
        with model.staffing.handing_over_together():  # relationships carry over at the end, in one call
            for company in clients:
                team = self.team_of_client(company)
                ranking = rankings.get(team)
                if ranking is None:
                    managers = [m for m in model.account_managers if team is None or m.team == team]
                    ranking = rankings[team] = model.staffing.ranking(managers)
                receiver = ranking.least_loaded()
                if receiver is None:
                    if company not in model.awaiting_handover:
                        model.awaiting_handover.append(company)
                else:
                    giver = company.owner
                    model.hand_over(company, receiver)
                    for each in rankings.values():
                        each.moved(giver, receiver)

    def _recruit_for(self, clients: list[ClientCompany]) -> None:
        """Hire, per team, the account managers needed to carry ``clients`` from today (ramping up)."""
        model = self.model
        cfg = model.cfg
        penalty = cfg.knowledge_penalty
        carry = cfg.handover_knowledge_carryover
        hours: dict[Hashable | None, float] = {}
        for c in clients:
            team = self.team_of_client(c)
            hours[team] = hours.get(team, 0.0) + c.weekly_service * (1.0 + penalty * (1.0 - c.knowledge * carry))
        for team, need in hours.items():
            needed = max(1, math.ceil(need / (cfg.available_hours * cfg.account_manager_load_limit)))
            present = sum(1 for m in model.account_managers if team is None or m.team == team)
            missing = needed - present - model.requisitions_for(team)
            for person in model.hire_account_managers(missing, ramp_up_weeks=cfg.ramp_up_weeks):
                person.hired_week = math.ceil(model.time)
                person.team = team
