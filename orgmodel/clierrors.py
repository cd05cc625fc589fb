"""How the ``orgmodel`` command ends when something goes wrong: one line, never a bare traceback.

The command-line library's own usage errors (a negative ``--seed``, ``--workers 0``,
a bad ``--port``, an unknown option) are printed like the model's input errors:
one line ``error: ...`` on stderr and exit code 2. Anything else that escapes a
command is a fault of orgmodel, not of the input: the traceback goes to a log
file and the user gets one line naming what failed and where the log is, exit
code 1. ``--debug`` (or ``ORGMODEL_DEBUG=1``) shows the traceback instead.

The handling lives in the command group's ``main`` so that it applies both to
the installed ``orgmodel`` script and to ``typer.testing.CliRunner``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click import exceptions as usage  # typer vendors click: its usage errors are these classes
from typer.core import TyperGroup

EXIT_USAGE = 2
EXIT_FAULT = 1
#: set to 1 to see tracebacks (the same as ``orgmodel --debug``)
DEBUG_ENV = "ORGMODEL_DEBUG"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def fail(message: str) -> NoReturn:
    """Refuse bad input: one ``error:`` line on stderr, exit code 2, no traceback.

    Every command module calls this one function (rather than importing it from
    ``orgmodel.cli``), so the command modules do not import the main CLI back.
    """
    sys.stderr.write(f"error: {_one_line(message)}\n")
    sys.stderr.flush()
    raise typer.Exit(EXIT_USAGE)


def debug_enabled() -> bool:
    """Whether tracebacks are shown rather than logged (``--debug`` sets the variable)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def log_folder() -> Path:
    """Where crash logs go: the user's cache folder (``$XDG_CACHE_HOME/orgmodel/logs``), else the temp folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "orgmodel" / "logs"


def write_crash_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the traceback of ``exc`` with the command line to a new log file; its path, or None if none could be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = f"orgmodel {' '.join(argv)}\ntime: {dt.datetime.now().isoformat(timespec='seconds')}\n\n" + "".join(
        traceback.format_exception(exc)
    )
    for folder in (log_folder(), Path(tempfile.gettempdir()) / "orgmodel-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _say(message: str) -> None:
    sys.stderr.write(f"error: {_one_line(message)}\n")
    sys.stderr.flush()


def _command_path(exc: usage.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    return ctx.command_path if ctx is not None else "orgmodel"


class OneLineErrors(TyperGroup):
    """The top-level command group, with every way of failing reduced to one line and an exit code."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None, **extra: Any) -> Any:
        """Run the command; usage errors exit 2 with one line, unexpected exceptions exit 1 with a log file."""
        standalone = extra.pop("standalone_mode", True)
        if not standalone:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except usage.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except usage.UsageError as exc:
            _say(f"{exc.format_message()} (see: {_command_path(exc)} --help)")
            sys.exit(EXIT_USAGE)
        except usage.ClickException as exc:
            _say(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            _say("aborted")
            sys.exit(EXIT_FAULT)
        except Exception as exc:  # a fault of orgmodel: one line and a log, never a bare traceback
            if debug_enabled():
                raise
            log = write_crash_log(exc, argv)
            where = f"the traceback is in {log}" if log is not None else "no log could be written"
            words = [a for a in argv[:2] if a.replace("-", "_").isidentifier() and not a.startswith("-")]
            command = " ".join(["orgmodel", *words])
            _say(
                f"{command} failed unexpectedly: {type(exc).__name__}: {_one_line(str(exc))[:300]}; {where} "
                f"(rerun with --debug to see it here); please report it"
            )
            sys.exit(EXIT_FAULT)
        sys.exit(code if isinstance(code, int) else 0)


__all__ = ["DEBUG_ENV", "EXIT_FAULT", "EXIT_USAGE", "OneLineErrors", "debug_enabled", "write_crash_log"]
