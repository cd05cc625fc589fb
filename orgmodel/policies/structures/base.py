"""The interface every organisational structure implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from orgmodel.model.clients import ClientCompany
    from orgmodel.model.model import SalesOrgModel


class Structure(ABC):
    """Who hunts, who keeps a client once it buys, and when it changes hands.

    The model calls these hooks; a structure acts only through the model's
    public verbs (``hire``, ``hand_over``), so that a new structure is one
    small file. Attributes:
        name: the scenario name.
        hands_over: whether clients ever move from the person who won them to
            an account manager (schemes that pay the receiver need it).
        summary: one line for ``orgmodel scenarios`` and the docs.
    """

    name: ClassVar[str] = ""
    hands_over: ClassVar[bool] = False
    summary: ClassVar[str] = ""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    @abstractmethod
    def staff_up(self) -> None:
        """Create the initial staff (each structure says who it employs)."""

    def on_serial(self, client: ClientCompany) -> None:  # noqa: B027 (optional hook)
        """A client finished implementation and placed its first serial order."""

    def monthly(self) -> None:  # noqa: B027 (optional hook)
        """Once a month: staffing decisions the structure makes itself."""

    def salespeople_keep_clients(self) -> bool:
        """Whether salespeople keep the clients they win (by default: unless clients are handed over)."""
        return not self.hands_over

    def restructure(self, previous: Structure) -> None:  # noqa: B027 (optional hook)
        """The organisation switches to this structure from ``previous`` during the run.

        Called after the new structure's salespeople got their
        ``keeps_clients`` and after any hires the intervention asked for;
        clients move only through ``model.hand_over``. The default does
        nothing (people keep what they have).
        """
