"""The ``orgmodel crm`` commands (registered in orgmodel/cli.py): check an export, describe what it shows.

An export that cannot be used is one ``error:`` line (file, row, column, what
is allowed) with exit code 2 and nothing written; every flaw that can be
handled is listed with its row count and what is done about it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orgmodel.crm.export import CrmExport, load_export
from orgmodel.crm.schema import CrmError

if TYPE_CHECKING:
    from orgmodel.crm.estimate import Estimates

crm_app = typer.Typer(
    help="A company's own CRM/ERP export: check it and describe what it shows (the start of a calibration).",
    no_args_is_help=True,
)

FolderArg = Annotated[Path, typer.Argument(help="Folder with the export's tables (CSV or Parquet, one file per table).")]
MappingOpt = Annotated[
    str | None,
    typer.Option(
        "--mapping",
        "-m",
        help="mapping.toml naming your tables, columns and values, or a shipped one: salesforce, hubspot, example "
        "(default: DIR/mapping.toml if there, else the canonical names).",
    ),
]


def _fail(message: str) -> NoReturn:
    from orgmodel.cli import _fail as fail

    fail(message)


def _load(folder: Path, mapping: str | None) -> CrmExport:
    try:
        return load_export(folder, mapping)
    except CrmError as exc:
        _fail(str(exc))


def _overview(console: Console, export: CrmExport) -> None:
    start, end = export.window
    console.print(
        f"[bold]Export[/bold] {escape(export.source)}" + (f"  (mapping {escape(export.mapping)})" if export.mapping else "")
    )
    console.print(f"Window: {start:%Y-%m-%d} to {end:%Y-%m-%d} ({export.months:.1f} months)")
    tables = Table(box=box.SIMPLE, show_edge=False)
    for col, just in (("table", "left"), ("rows", "right"), ("from", "left")):
        tables.add_column(col, justify=just)  # type: ignore[arg-type]
    for name, frame in export.tables.items():
        tables.add_row(name, f"{len(frame):,}", escape(export.files.get(name, "")))
    console.print(tables)


def _problems(console: Console, export: CrmExport) -> None:
    if not export.problems:
        console.print("No problems found.")
        return
    table = Table(title="What the check found, and what the calibration does", box=box.SIMPLE_HEAD, show_lines=False)
    for col, just in (("problem", "left"), ("where", "left"), ("rows", "right"), ("action", "left")):
        table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("meaning; example", overflow="fold", min_width=20)
    for p in export.problems:
        where = ".".join(x for x in (p.table, p.column) if x)
        detail = p.detail + (f"\n[dim]{escape(p.example)}[/dim]" if p.example else "")
        table.add_row(p.kind, where, f"{p.rows:,}" if p.rows else "", p.action, detail)
    console.print(table)


@crm_app.command("check")
def check_command(folder: FolderArg, mapping: MappingOpt = None) -> None:
    """Read and check an export: every flaw with its row count and what is done about it (drop, censor, fix, keep, skip).

    Exits with 2 and one line naming file, row and column if the export cannot be used. Writes nothing.
    """
    export = _load(folder, mapping)
    console = Console()
    _overview(console, export)
    _problems(console, export)
    dropped = sum(p.action == "drop" for p in export.problems)
    console.print(
        f"Usable: {sum(len(f) for f in export.tables.values()):,} rows in {len(export.tables)} tables"
        + (f"; {dropped} kinds of flawed rows left out" if dropped else "")
    )


def render(console: Console, estimates: Estimates) -> None:
    """The estimates as rich tables, one per group, then what could not be estimated."""
    from orgmodel.crm.estimate import GROUPS

    for group, rows in estimates.rows_by_group().items():
        if not rows:
            continue
        table = Table(title=GROUPS[group], box=box.SIMPLE_HEAD, title_justify="left")
        for col, just in (("figure", "left"), ("estimate", "right"), ("95% interval", "left"), ("n", "right"), ("how", "left")):
            table.add_column(col, justify=just, overflow="fold", max_width=60 if col == "how" else None)  # type: ignore[arg-type]
        for row in rows:
            table.add_row(*(escape(x) for x in row))
        console.print(table)
    if not estimates.headcount.empty:
        heads = Table(title="Headcount at each quarter's end", box=box.SIMPLE_HEAD, title_justify="left")
        heads.add_column("date")
        for role in estimates.headcount.columns:
            heads.add_column(str(role).replace("_", " "), justify="right")
        for day, row in estimates.headcount.iterrows():
            heads.add_row(f"{day:%Y-%m-%d}", *(str(int(v)) for v in row))
        console.print(heads)
    if estimates.not_estimated:
        table = Table(title="Not estimated", box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column("figure")
        table.add_column("why", overflow="fold")
        for m in estimates.not_estimated:
            table.add_row(escape(m.label), escape(m.reason))
        console.print(table)


def _check_json_target(path: Path, force: bool) -> None:
    if path.exists() and (path.is_dir() or not force):
        _fail(f"--json '{path}' exists; choose another file or pass --force to replace it")
    parent = path.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        _fail(f"--json '{path}': folder '{parent}' does not exist or is not writable")


def _write_json(path: Path, data: dict[str, object]) -> None:
    """Write atomically: a temporary file beside the target, moved in once complete."""
    from orgmodel.outputs import json_safe

    fd, tmp = tempfile.mkstemp(prefix=".describe-", suffix=".json", dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(json_safe(data), fh, indent=2, allow_nan=False)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        _fail(f"cannot write --json '{path}': {exc.strerror or exc}")


@crm_app.command("describe")
def describe_command(
    folder: FolderArg,
    mapping: MappingOpt = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every estimate, interval and n to this JSON file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --json file if it exists.")] = False,
) -> None:
    """What the export shows directly, with 95% intervals and the n each rests on; and what it cannot show, and why."""
    from orgmodel.crm.estimate import describe

    if json_out is not None:
        _check_json_target(json_out, force)
    export = _load(folder, mapping)
    estimates = describe(export)
    console = Console()
    _overview(console, export)
    flawed = [p for p in export.problems if p.rows]
    if flawed:
        console.print(f"{len(flawed)} kinds of flawed rows handled (drop, censor, fix or keep): see `orgmodel crm check`.")
    render(console, estimates)
    if json_out is not None:
        _write_json(json_out, {**estimates.to_dict(), "problems": [p.to_dict() for p in export.problems]})
        console.print(f"Estimates written to {escape(str(json_out))}")


# `orgmodel crm synthesize` (the simulated company's export, built on write_export) is added below by the
# calibration work; keep further crm commands in this module.
