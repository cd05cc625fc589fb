"""Organisational structures: who finds clients, who keeps them."""

from orgmodel.policies.registry import Registry
from orgmodel.policies.structures.base import Structure

REGISTRY: Registry[Structure] = Registry("structure", base=Structure)
register = REGISTRY.register

from orgmodel.policies.structures import (  # noqa: E402,F401
    capped_portfolio,
    full_cycle,
    hunter_farmer,
    key_accounts,
    pod,
    service_desk,
)


def get(name: str) -> type[Structure]:
    """The structure class registered under ``name``."""
    return REGISTRY.get(name)


def check_name(name: str) -> None:
    """Raise a ValueError listing the valid names if ``name`` is unknown."""
    REGISTRY.get(name)


def names(hands_over: bool | None = None) -> list[str]:
    """Registered structure names, optionally only those that hand clients over."""
    if hands_over is None:
        return REGISTRY.names()
    return REGISTRY.names(lambda c: c.hands_over == hands_over)


__all__ = ["Structure", "check_name", "get", "names", "register"]
