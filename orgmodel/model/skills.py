"""Skills that move: hunting and service skill grow with practice and fade without it.

Issue #18, switch ``skills_move`` (off by default). Each person carries a
*practice stock* per skill: last week's stock times a weekly retention, plus
this week's hours of that kind of work. The stock depreciates with half-life
``forgetting_half_life_weeks`` (experience depreciates, Argote, Beckman &
Epple 1990), and the skill follows the power law of practice (Newell &
Rosenbloom 1981): ``skill = innate x (stock / reference) ** learning_exponent``,
kept between ``skill_floor`` and ``skill_ceiling`` times the innate skill.
The reference stock is what ``skill_practice_hours`` a week keep up, and
everyone starts there, so skills equal the drawn (innate) skills in week 0
and a person who keeps practising that much keeps them. A salesperson who
stops hunting for three years falls to about (1/8) ** exponent of their
hunting skill; an account manager who services all week grows faster at it.

Practice: hunting = prospecting + pipeline hours; service = servicing,
implementation support, cross-sell and relationship hours (the work service
skill speeds up). Service-desk agents' skills do not move.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgmodel.model.activities import CROSS_SELL, IMPLEMENTATION, PIPELINE, PROSPECTING, RELATIONSHIP, SERVICING

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff
    from orgmodel.scenario.schema import Scenario


class SkillPractice:
    """Learning and forgetting of every client-facing person's two skills (see module doc).

    The practice state lives on the person (``innate_*``, ``*_practice``),
    set by :meth:`enrol` when they are hired.
    """

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def _retention(self) -> float:
        return 0.5 ** (1.0 / self.model.cfg.forgetting_half_life_weeks)

    def reference_stock(self) -> float:
        """The practice stock ``skill_practice_hours`` a week keep up (the level everyone starts at)."""
        return self.model.cfg.skill_practice_hours / (1.0 - self._retention())

    def enrol(self, people: list[Staff]) -> None:
        """New people: their drawn skills are innate, and they start with the reference practice stock."""
        stock = self.reference_stock()
        for p in people:
            p.innate_hunting = p.hunting_skill
            p.innate_service = p.service_skill
            p.hunting_practice = stock
            p.service_practice = stock

    def skill(self, innate: float, stock: float) -> float:
        """The power law of practice, bounded by ``skill_floor`` and ``skill_ceiling``."""
        return _practised(self.model.cfg, self.reference_stock(), innate, stock)

    def close_week(self, people: list[Staff]) -> None:
        """Add the week's practice to each stock after depreciating it, and update the skills.

        The retention and the reference stock are worked out once for the
        week (as :meth:`reference_stock` does), not twice per person.
        """
        cfg = self.model.cfg
        keep = self._retention()
        reference = cfg.skill_practice_hours / (1.0 - keep)
        for p in people:
            h = p.hours
            p.hunting_practice = keep * p.hunting_practice + h[PROSPECTING] + h[PIPELINE]
            p.service_practice = keep * p.service_practice + h[SERVICING] + h[IMPLEMENTATION] + h[CROSS_SELL] + h[RELATIONSHIP]
            p.hunting_skill = _practised(cfg, reference, p.innate_hunting, p.hunting_practice)
            p.service_skill = _practised(cfg, reference, p.innate_service, p.service_practice)


def _practised(cfg: Scenario, reference: float, innate: float, stock: float) -> float:
    """:meth:`SkillPractice.skill` with the week's reference stock given."""
    ratio = stock / reference
    factor = math.exp(cfg.learning_exponent * math.log(ratio)) if ratio > 0.0 else 0.0
    return innate * min(cfg.skill_ceiling, max(cfg.skill_floor, factor))


__all__ = ["SkillPractice"]
