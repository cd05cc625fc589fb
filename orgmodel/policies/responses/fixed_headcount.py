"""Fixed headcount: management changes nothing (the default)."""

from __future__ import annotations

from orgmodel.policies.responses import register
from orgmodel.policies.responses.base import ManagementResponse


@register
class FixedHeadcount(ManagementResponse):
    """The owners keep the sales team as it is, whatever revenue does.

    Assumes: no one is hired, let go or given new targets by management.
    What the structure itself does (e.g. ``hunter_farmer`` hiring account
    managers as they fill up) and scheduled interventions still happen.
    """

    name = "fixed_headcount"
    summary = "management keeps the team and its targets as they are (the default)"

    def start(self) -> None:
        """Nothing to schedule."""
