"""Incentive schemes: what a person is paid, and so what they spend time on."""

from orgmodel.policies.incentives.base import IncentiveScheme
from orgmodel.policies.registry import Registry

REGISTRY: Registry[IncentiveScheme] = Registry("incentive", base=IncentiveScheme)
register = REGISTRY.register

from orgmodel.policies.incentives import (  # noqa: E402,F401
    growth_bonus,
    margin_commission,
    mixed,
    new_client_bonus,
    quota_bonus,
    split_commission,
    team_bonus,
    volume_commission,
)


def get(name: str) -> type[IncentiveScheme]:
    """The scheme class registered under ``name``."""
    return REGISTRY.get(name)


def check_name(name: str) -> None:
    """Raise a ValueError listing the valid names if ``name`` is unknown."""
    REGISTRY.get(name)


def names() -> list[str]:
    """Registered scheme names."""
    return REGISTRY.names()


__all__ = ["IncentiveScheme", "check_name", "get", "names", "register"]
