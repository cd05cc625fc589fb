"""Push harder: at a given week, raise targets and headcount."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmodel.policies.responses import register
from orgmodel.policies.responses.base import ManagementResponse, share_of

if TYPE_CHECKING:
    from orgmodel.scenario.schema import Scenario


@register
class PushHarder(ManagementResponse):
    """Reading the plateau as a selling problem (Forrester 1968): more targets, more people.

    Assumes: at ``push_harder_week`` every target of the incentive scheme is
    multiplied by ``push_harder_target_factor`` for the rest of the run
    (``quota_bonus``: the quotas; ``growth_bonus``: growth counts only above
    that multiple of last year's revenue; ``mixed``: its components; the
    other schemes have no target), and
    ``push_harder_hiring_share`` x the salespeople then employed (rounded,
    halves up) are requisitioned; they start after ``hiring_delay_weeks``
    and ramp up over ``ramp_up_weeks``. Targets enter pay only: the
    time-allocation rule reads the scheme's rates, not where a person stands
    against a target, so higher targets change what people are paid, not
    what they do.
    """

    name = "push_harder"
    summary = (
        "at push_harder_week targets rise by push_harder_target_factor and push_harder_hiring_share more salespeople are hired"
    )
    keys = ("push_harder_week", "push_harder_target_factor", "push_harder_hiring_share", "hiring_delay_weeks", "ramp_up_weeks")

    @classmethod
    def check(cls, cfg: Scenario) -> None:
        """The push must fall within the run."""
        if cfg.push_harder_week > cfg.weeks:
            raise ValueError(
                f"push_harder_week ({cfg.push_harder_week}) is beyond the horizon: it must be between 1 and "
                f"{cfg.weeks} (years * 52 with years = {cfg.years})"
            )

    def start(self) -> None:
        """Push at ``push_harder_week``, or at once if the response starts later than that."""
        week = self.model.cfg.push_harder_week
        if week - 0.5 <= self.model.time:
            self.push()
        else:
            self.at(week, self.push)

    def push(self) -> None:
        """Raise the scheme's targets and requisition the extra salespeople."""
        model = self.model
        cfg = model.cfg
        model.scheme.raise_targets(cfg.push_harder_target_factor)
        hires = share_of(cfg.push_harder_hiring_share, len(model.salespeople))
        model.request_salespeople(hires)
        self.record(scheme=model.scheme.name, target_factor=cfg.push_harder_target_factor, requested=hires)
