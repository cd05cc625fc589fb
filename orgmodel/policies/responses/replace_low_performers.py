"""Replace low performers: every year the salespeople with the fewest new clients go and are replaced."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.policies.responses import register
from orgmodel.policies.responses.base import ManagementResponse, share_of
from orgmodel.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel


@register
class ReplaceLowPerformers(ManagementResponse):
    """The essay's wrong diagnosis acted on: "they got lazy, fire them".

    Assumes: at each year end management ranks the salespeople who were in
    post the whole year by the new clients they won that year (clients whose
    first serial order arrived, credited to whoever won them, as in the staff
    table's ``new_clients``; ties in random order) and lets the bottom
    ``low_performer_share`` go (rounded, halves up; never the last
    salesperson). People hired during the year are not ranked until they
    have had a full year. Leavers go through the model's ``let_go``: each
    of their clients moves to the least loaded remaining colleague who keeps
    clients, with the usual handover cost (joint visits, lost relationships
    and client knowledge); their open deals end and the prospects may be
    approached again at once; their cross-sell projects stop. One
    replacement per leaver is requisitioned the same day and starts after
    ``hiring_delay_weeks`` with an empty book, ramping up over
    ``ramp_up_weeks``.
    """

    name = "replace_low_performers"
    summary = "each year the bottom low_performer_share of salespeople by new clients won go and are replaced"
    keys = ("low_performer_share", "hiring_delay_weeks", "ramp_up_weeks")

    def __init__(self, model: SalesOrgModel) -> None:
        super().__init__(model)
        self._won_at_year_start: dict[int, int] = {}  # unique_id -> clients_won, for everyone ranked at the next review

    def start(self) -> None:
        """Note who is in post and review at every year end from the next one on."""
        self._won_at_year_start = self._tally()
        next_year_end = (math.floor(self.model.time) // WEEKS_PER_YEAR + 1) * WEEKS_PER_YEAR
        self.every(WEEKS_PER_YEAR, self.review, first_week=next_year_end + 1)

    def _tally(self) -> dict[int, int]:
        return {p.unique_id: p.clients_won for p in self.model.salespeople}

    def review(self) -> None:
        """Let the year's bottom performers go and requisition their replacements."""
        model = self.model
        salespeople = model.salespeople
        ranked = [
            (p.clients_won - self._won_at_year_start[p.unique_id], p)
            for p in salespeople
            if p.unique_id in self._won_at_year_start
        ]
        n = min(share_of(model.cfg.low_performer_share, len(salespeople)), len(ranked), len(salespeople) - 1)
        if n > 0:
            model.random.shuffle(ranked)  # ties in random order
            ranked.sort(key=lambda item: item[0])
            leavers = ranked[:n]
            handovers = model.handovers
            model.let_go_group([p for _, p in leavers])
            model.request_salespeople(n)
            self.record(
                let_go=[p.unique_id for _, p in leavers],
                new_clients_of_leavers=[won for won, _ in leavers],
                new_clients_of_others=sorted(won for won, _ in ranked[n:]),
                handovers=model.handovers - handovers,
                requested=n,
            )
        self._won_at_year_start = self._tally()
