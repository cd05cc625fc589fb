"""Pods: small teams of hunters and account managers that share their clients and a team target."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from orgmodel.policies.structures import register
from orgmodel.policies.structures.hunter_farmer import HunterFarmer

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff
    from orgmodel.policies.structures.base import Structure
    from orgmodel.scenario.schema import Scenario


class Pool(NamedTuple):
    """A pod's account managers' clients for the week: who they are, their rows, and each manager's own stretch."""

    clients: list[ClientCompany]
    rows: np.ndarray  # the clients' rows in the clients' columns (their uids)
    own: dict[int, tuple[int, int]]  # account manager id -> (start, end) of their own clients in ``clients``


def pod_count(cfg: Scenario) -> int:
    """Pods the sales force forms: ``salespeople / pod_size``, rounded up."""
    return math.ceil(cfg.salespeople / cfg.pod_size)


@register
class Pod(HunterFarmer):
    """Hunter/farmer inside small teams (pod selling).

    Assumes: the salespeople form ``pod_count`` pods of about ``pod_size``
    hunters each; the ``account_managers`` are spread over the pods in turn.
    A pod's hunters hand their clients to the least loaded account manager
    *of their own pod* (with the handover timing and costs of
    ``hunter_farmer``), so the pod keeps the clients it wins. Account
    managers share the pod's pool of clients: after their own clients' work
    they take on their pod colleagues' outstanding service work (with their
    own skill and the client's knowledge, building their own ties with the
    client), so one overloaded colleague does not leave clients waiting while
    another has hours. With ``hire_account_managers`` each pod hires for
    itself when its account managers are full. The team target is the pod's
    revenue: ``team_bonus`` pays each pod a share of its own clients'
    revenue, split among its members. New salespeople join the pod with the
    fewest hunters, new account managers the one with the fewest account
    managers.
    """

    name = "pod"
    hands_over = True
    receives_by_segment = False
    summary = "small teams of hunters and account managers share a pool of clients and a team target"

    def __init__(self, model: SalesOrgModel) -> None:
        super().__init__(model)
        self.n_pods = pod_count(model.cfg)
        self._week = -1.0
        self._rosters: dict[Hashable | None, list[Staff]] | None = None  # this week's account managers by pod
        self._pools: dict[Hashable | None, Pool] = {}  # this week's pools of clients, by pod (see pool)

    @classmethod
    def check_scenario(cls, cfg: Scenario) -> None:
        """Without hiring, every pod needs an account manager from the start."""
        super().check_scenario(cfg)
        pods = pod_count(cfg)
        if not cfg.hire_account_managers and cfg.account_managers < pods:
            raise ValueError(
                f"structure 'pod' with hire_account_managers = false needs an account manager in every pod: "
                f"account_managers ({cfg.account_managers}) must be at least the number of pods ({pods} = "
                f"salespeople {cfg.salespeople} / pod_size {cfg.pod_size}, rounded up)"
            )

    @classmethod
    def bonus_team_size(cls, cfg: Scenario) -> float:
        """A pod's share of the starting staff."""
        return max(1.0, (cfg.salespeople + cfg.account_managers) / pod_count(cfg))

    # --- who is in which pod ----------------------------------------------------------------------------
    def teams(self) -> list[Hashable | None]:
        """The pods."""
        return list(range(self.n_pods))

    def team_of_client(self, client: ClientCompany) -> Hashable | None:
        """The pod of whoever holds the client (the hunter who won it, until the handover)."""
        owner = client.owner
        if owner is None:
            return None
        self.place(owner)
        return owner.team

    def place(self, person: Staff) -> None:
        """Put someone without a pod in the pod with the fewest people of their role (lowest on a tie)."""
        if person.team in range(self.n_pods):
            return
        if not person.hunts:
            super().place(person)
            return
        size = dict.fromkeys(range(self.n_pods), 0)
        for p in self.model.salespeople:
            if p.team in size:
                size[p.team] += 1
        person.team = min(size, key=lambda t: (size[t], t))

    def bonus_team(self, person: Staff) -> Hashable | None:
        """Each pod is paid on its own results."""
        return person.team

    # --- the hooks ------------------------------------------------------------------------------------------
    def staff_up(self) -> None:
        """Hunters and account managers, dealt out to the pods in turn."""
        model = self.model
        cfg = model.cfg
        for i, person in enumerate(model.hire_salespeople(cfg.salespeople, keeps_clients=False)):
            person.team = i % self.n_pods
        for i, person in enumerate(model.hire_account_managers(cfg.account_managers)):
            person.team = i % self.n_pods

    def monthly(self) -> None:
        """New pods form as the sales force grows; new salespeople join one; then handovers and hiring per pod."""
        self.n_pods = max(self.n_pods, math.ceil(len(self.model.salespeople) / self.model.cfg.pod_size))
        for person in self.model.salespeople:
            self.place(person)
        super().monthly()

    def shared_service(self, person: Staff, free: float) -> float:
        """An account manager with hours left works off pod colleagues' clients' outstanding service.

        The work is shared over the colleagues' clients in proportion to what
        each is owed, as one's own. Everyone has done their own clients'
        service by now (the week's servicing comes before anyone's free
        hours), so each colleague's load already counts all their clients'
        work, and what is shared is what they could not do.

        Most weeks the colleagues have done all their clients' work; then
        there is nothing to share, and one look at the backlogs does without
        the servicing call (serving clients that owe nothing spends no hours
        and changes nothing). Otherwise the person serves the colleagues'
        clients that owe work, in the colleagues' order: exactly the clients
        :meth:`~orgmodel.model.staff.Staff.serve` keeps of all of them.
        """
        model = self.model
        week = model.time
        if week != self._week:
            self._week, self._rosters, self._pools = week, None, {}
        if person.hunts or free <= 1e-9:
            return 0.0
        pool = self.pool(person.team)
        owed = model.clients.backlog[pool.rows] > 0.0
        start, end = pool.own.get(person.unique_id, (0, 0))
        owed[start:end] = False  # one's own clients: served before, with one's own hours
        found = np.flatnonzero(owed).tolist()
        if not found:
            return 0.0
        clients = pool.clients
        return person.serve([clients[i] for i in found], free)[1]

    def pool(self, team: Hashable | None) -> Pool:
        """The pod's account managers' clients this week, in roster and portfolio order (built at the week's first call).

        Portfolios change when deals are won (after everyone's week), clients
        leave or are handed over (as the week closes, monthly, on events):
        never during the staff's week, so the week's first reading holds for
        all of its calls, as the roster does (``tests/test_staffing.py`` checks it).
        """
        pool = self._pools.get(team)
        if pool is None:
            clients: list[ClientCompany] = []
            own: dict[int, tuple[int, int]] = {}
            for m in self.rosters().get(team, ()):
                own[m.unique_id] = (len(clients), len(clients) + len(m.portfolio))
                clients.extend(m.portfolio)
            rows = np.fromiter((c.uid for c in clients), dtype=np.int64, count=len(clients))
            pool = self._pools[team] = Pool(clients, rows, own)
        return pool

    def rosters(self) -> dict[Hashable | None, list[Staff]]:
        """The account managers of each pod this week, in the model's order (built at the week's first call).

        Every account manager with hours left looks for its pod colleagues;
        scanning all account managers for each made the week's sharing grow
        with the square of the sales force. Account managers join (the
        calendar), leave (the week's close) and change pods (monthly, at
        restructurings) outside the staff's week, so the week's first roster
        holds for all of its calls (``tests/test_staffing.py`` checks it).
        """
        if self._rosters is None:
            rosters: dict[Hashable | None, list[Staff]] = {}
            for m in self.model.account_managers:
                rosters.setdefault(m.team, []).append(m)
            self._rosters = rosters
        return self._rosters

    def restructure(self, previous: Structure) -> None:
        """Form the pods (everyone dealt out in turn), then hand hunters' serial clients to their pod's account managers."""
        model = self.model
        self.n_pods = pod_count(model.cfg)
        for i, person in enumerate(model.salespeople):
            person.team = i % self.n_pods
        for i, person in enumerate(model.account_managers):
            person.team = i % self.n_pods
        super().restructure(previous)

    def leave(self, following: Structure) -> None:
        """The pods dissolve."""
        for person in self.model.staff:
            person.team = None
