"""The interface every organisational structure implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.staff import Staff
    from orgmodel.scenario.schema import Scenario


class Structure(ABC):
    """Who hunts, who keeps a client once it buys, and when it changes hands.

    The model calls these hooks; a structure acts only through the model's
    public verbs (``hire``, ``hand_over``), so that a new structure is one
    small file. Attributes:
        name: the scenario name.
        hands_over: whether clients ever move from the person who won them to
            an account manager (schemes that pay the receiver need it, and
            ``handover_timing`` applies only then).
        receives_by_segment: whether ``handover_receiver = "by_segment"``
            (account managers specialised by client size band) is available.
        summary: one line for ``orgmodel scenarios`` and the docs.
    """

    name: ClassVar[str] = ""
    hands_over: ClassVar[bool] = False
    receives_by_segment: ClassVar[bool] = False
    summary: ClassVar[str] = ""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model
        #: whether colleagues share service work here (:meth:`shared_service` overridden): the person's week asks
        #: only then, instead of calling the default's "none" for every person and week
        self.shares_service = type(self).shared_service is not Structure.shared_service

    @classmethod
    def check_scenario(cls, cfg: Scenario) -> None:
        """Raise a ValueError (one sentence: what is wrong, what is allowed) if ``cfg`` does not fit this structure.

        The base rule: the handover keys that choose something only make
        sense where clients are handed over; a subclass adds its own rules
        and calls ``super().check_scenario(cfg)``.
        """
        from orgmodel.policies import structures

        if cfg.handover_timing != "after_implementation" and not cls.hands_over:
            raise ValueError(
                f"handover_timing = {cfg.handover_timing!r} needs a structure that hands clients over "
                f"({', '.join(structures.names(hands_over=True))}); structure '{cls.name}' never does "
                "(set handover_timing = 'after_implementation')"
            )
        if cfg.handover_receiver == "by_segment" and not cls.receives_by_segment:
            able = [n for n in structures.names() if structures.get(n).receives_by_segment]
            raise ValueError(
                f"handover_receiver = 'by_segment' needs a structure whose account managers specialise by segment "
                f"({', '.join(able)}); structure '{cls.name}' has none (set handover_receiver = 'least_loaded')"
            )

    @classmethod
    def bonus_team_size(cls, cfg: Scenario) -> float:
        """People who share one team bonus pool at the start (default: the whole staff)."""
        return max(1, cfg.salespeople + cfg.account_managers)

    @abstractmethod
    def staff_up(self) -> None:
        """Create the initial staff (each structure says who it employs)."""

    def on_serial(self, client: ClientCompany) -> None:  # noqa: B027 (optional hook)
        """A client finished implementation and placed its first serial order."""

    def handover_due(self, client: ClientCompany) -> None:  # noqa: B027 (optional hook)
        """A handover scheduled for ``handover_after_weeks`` of serial buying is due (see ``hunter_farmer``)."""

    def monthly(self) -> None:  # noqa: B027 (optional hook)
        """Once a month: staffing decisions the structure makes itself."""

    def shared_service(self, person: Staff, free: float) -> float:
        """Hours ``person`` spends this week on colleagues' clients after their own (default: none)."""
        return 0.0

    def bonus_team(self, person: Staff) -> Hashable | None:
        """The team whose results ``person``'s team bonus is paid on (None: the whole company)."""
        return None

    def salespeople_keep_clients(self) -> bool:
        """Whether salespeople keep the clients they win (by default: unless clients are handed over)."""
        return not self.hands_over

    def restructure(self, previous: Structure) -> None:  # noqa: B027 (optional hook)
        """The organisation switches to this structure from ``previous`` during the run.

        Called after the new structure's salespeople got their
        ``keeps_clients``, after any hires the intervention asked for and after
        ``previous.leave``; clients move only through ``model.hand_over``. The
        default does nothing (people keep what they have).
        """

    def leave(self, following: Structure) -> None:  # noqa: B027 (optional hook)
        """The organisation switches away from this structure to ``following``: undo what only this one has.

        Called before ``following.restructure``. The default does nothing.
        """
