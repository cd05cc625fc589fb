"""A small named registry, one per policy family.

Built-in policies register themselves on import; a user registers their own
class with the same decorator from their own module, so that adding a policy
never means editing orgmodel.
"""

from __future__ import annotations

from collections.abc import Callable


class UnknownPolicyError(ValueError):
    """A scenario named a policy that is not registered."""


class Registry[T]:
    """Maps names to policy classes of one family."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._items: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: make ``cls`` usable by its ``name`` attribute."""
        name = getattr(cls, "name", None)
        if not name:
            raise ValueError(f"a {self.family} class needs a 'name' attribute")
        self._items[name] = cls
        return cls

    def names(self, where: Callable[[type[T]], bool] | None = None) -> list[str]:
        """Registered names, optionally those whose class passes ``where``."""
        return sorted(n for n, c in self._items.items() if where is None or where(c))

    def get(self, name: str) -> type[T]:
        """The class registered under ``name``; a clear error listing valid names otherwise."""
        try:
            return self._items[name]
        except KeyError:
            raise UnknownPolicyError(f"unknown {self.family} '{name}'; valid names: {', '.join(self.names())}") from None
