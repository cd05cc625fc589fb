"""Management responses: what the owners do about headcount and targets as the run goes on."""

from orgmodel.policies.registry import Registry
from orgmodel.policies.responses.base import ManagementResponse

REGISTRY: Registry[ManagementResponse] = Registry("management_response", base=ManagementResponse)
register = REGISTRY.register

from orgmodel.policies.responses import (  # noqa: E402,F401
    fixed_budget_path,
    fixed_headcount,
    hire_on_revenue,
    push_harder,
    replace_low_performers,
)


def get(name: str) -> type[ManagementResponse]:
    """The response class registered under ``name`` (or loaded from a ``where:ClassName`` reference)."""
    return REGISTRY.get(name)


def check_name(name: str) -> None:
    """Raise a ValueError listing the valid names if ``name`` is unknown."""
    REGISTRY.get(name)


def names() -> list[str]:
    """Registered response names."""
    return REGISTRY.names()


__all__ = ["ManagementResponse", "check_name", "get", "names", "register"]
