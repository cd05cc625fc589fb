"""A small named registry, one per policy family.

Built-in policies register themselves on import; a user registers their own
class with the same decorator from their own module, so that adding a policy
never means editing orgmodel. A scenario can also name a class that no one
registered by where it lives: ``"path/to/file.py:ClassName"`` (a file,
relative to the current directory or absolute) or ``"package.module:ClassName"``
(an importable module). :meth:`Registry.get` imports it on first use, so a
worker process that receives the scenario loads it the same way.

Importing a file runs its code, and scenario and experiment files are shared
between people: a reference is loaded only when the user has said they trust
the plug-ins (``orgmodel --trust-plugins ...``, ``ORGMODEL_TRUST_PLUGINS=1`` or
:func:`trust_plugins` in Python). Without that, naming plug-in code is one
clear error and nothing of it runs. The setting is an environment variable so
that worker processes started by the run inherit it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

#: what a reference to a user's own class looks like, for error messages
REFERENCE_HINT = "or 'file.py:Class' for your own"


#: set to 1 to let scenarios load plug-in code named as 'file.py:Class' or 'package.module:Class'
TRUST_ENV = "ORGMODEL_TRUST_PLUGINS"


class UnknownPolicyError(ValueError):
    """A scenario named a policy that is not registered or cannot be loaded."""


def plugins_trusted() -> bool:
    """Whether the user allowed scenarios to load plug-in code (``ORGMODEL_TRUST_PLUGINS``)."""
    return os.environ.get(TRUST_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def trust_plugins(trusted: bool = True) -> None:
    """Allow (or forbid again) loading plug-in code named by scenarios, in this process and the workers it starts."""
    if trusted:
        os.environ[TRUST_ENV] = "1"
    else:
        os.environ.pop(TRUST_ENV, None)


def _one_line(exc: BaseException) -> str:
    """An exception as ``Type: message`` on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _module_name(path: Path) -> str:
    """A stable module name for a user file, so loading it twice reuses the module."""
    digest = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]
    stem = "".join(ch if ch.isalnum() else "_" for ch in path.stem)
    return f"orgmodel_plugin_{stem}_{digest}"


def _load_file(path_text: str) -> ModuleType:
    """Import a Python file by path (once per resolved path)."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        where = "" if path.is_absolute() else f" (looked in {Path.cwd()})"
        raise FileNotFoundError(f"file '{path_text}' not found{where}")
    path = path.resolve()
    name = _module_name(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"'{path_text}' cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _is_file_reference(where: str) -> bool:
    return where.endswith(".py") or "/" in where or "\\" in where


def split_reference(ref: str) -> tuple[str, str] | None:
    """``(module or file, class name)`` if ``ref`` looks like ``where:ClassName``, else None."""
    where, sep, cls_name = ref.rpartition(":")
    if not sep or not where or not cls_name.isidentifier():
        return None
    if not _is_file_reference(where) and not all(part.isidentifier() for part in where.split(".")):
        return None
    return where, cls_name


class Registry[T]:
    """Maps names to policy classes of one family.

    Args:
        family: the family's word in messages ("structure", "incentive").
        base: the class every policy of the family subclasses; classes loaded
            from a reference must subclass it.

    """

    def __init__(self, family: str, base: type[T] | None = None) -> None:
        self.family = family
        self.base = base
        self._items: dict[str, type[T]] = {}
        self._refs: dict[str, type[T]] = {}  # classes loaded from "file.py:Class", kept out of names()

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
        """The class registered under ``name``, or loaded from a ``where:ClassName`` reference.

        Raises:
            UnknownPolicyError: one line naming what was asked and what is allowed.

        """
        if name in self._items:
            return self._items[name]
        if name in self._refs:
            return self._refs[name]
        ref = split_reference(name)
        if ref is None:
            raise UnknownPolicyError(f"unknown {self.family} '{name}'; valid names: {', '.join(self.names())} ({REFERENCE_HINT})")
        return self._load(name, *ref)

    def _load(self, ref: str, where: str, cls_name: str) -> type[T]:
        """Import ``where``, check ``cls_name`` there and register it under ``ref`` and its name."""
        usage = "give 'path/to/file.py:ClassName' (relative to the current directory) or 'package.module:ClassName'"

        def fail(problem: str) -> UnknownPolicyError:
            return UnknownPolicyError(f"{self.family} '{ref}': {problem}")

        is_file = _is_file_reference(where)
        if not plugins_trusted():
            what = f"the Python file '{where}'" if is_file else f"the Python module '{where}'"
            raise fail(
                f"names plug-in code in {what}, and loading it would run that code; orgmodel runs plug-ins only "
                f"when you trust them: add --trust-plugins (orgmodel --trust-plugins run ...) or set {TRUST_ENV}=1 "
                "(in Python: orgmodel.policies.registry.trust_plugins())"
            )
        try:
            module = _load_file(where) if is_file else importlib.import_module(where)
        except FileNotFoundError as exc:
            raise fail(f"{exc}; {usage}") from None
        except ModuleNotFoundError as exc:
            if not is_file and exc.name is not None and (where == exc.name or where.startswith(exc.name + ".")):
                raise fail(f"no module named '{where}' on the Python path; {usage}") from None
            raise fail(f"importing '{where}' failed: {_one_line(exc)}") from None
        except Exception as exc:  # the user's code raised: say what, on one line
            raise fail(f"importing '{where}' failed: {_one_line(exc)}") from None
        cls = getattr(module, cls_name, None)
        base = self.base
        base_name = base.__name__ if base is not None else self.family
        if cls is None:
            found = sorted(
                n
                for n, c in vars(module).items()
                if inspect.isclass(c) and c.__module__ == module.__name__ and (base is None or issubclass(c, base))
            )
            listed = f"{base_name} classes there: {', '.join(found)}" if found else f"it defines no {base_name} subclass"
            raise fail(f"'{where}' has no class '{cls_name}' ({listed})")
        if not inspect.isclass(cls) or (base is not None and not issubclass(cls, base)):
            hint = f" (from {base.__module__.rsplit('.', 1)[0]} import {base_name})" if base is not None else ""
            raise fail(f"'{cls_name}' must subclass {base_name}{hint}")
        own = getattr(cls, "name", "")
        if not own or not isinstance(own, str):
            raise fail(f"class '{cls_name}' needs a 'name' attribute (the name it reports under)")
        taken = self._items.get(own)
        if taken is not None and taken is not cls:
            raise fail(
                f"class '{cls_name}' has name '{own}', which {taken.__name__} already uses; "
                'set its own `name = "..."` in the class'
            )
        self._refs[own] = cls  # by its own name too, but not listed among the built-ins by names()
        self._refs[ref] = cls
        return cls
