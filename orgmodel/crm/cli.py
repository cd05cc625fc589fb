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
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orgmodel.clierrors import fail
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


def _load(folder: Path, mapping: str | None) -> CrmExport:
    try:
        return load_export(folder, mapping)
    except CrmError as exc:
        fail(str(exc))


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
        fail(f"--json '{path}' exists; choose another file or pass --force to replace it")
    parent = path.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        fail(f"--json '{path}': folder '{parent}' does not exist or is not writable")


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
        fail(f"cannot write --json '{path}': {exc.strerror or exc}")


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


# `orgmodel crm synthesize`: the simulated company's export (orgmodel/crm/synthesize.py), built on write_export;
# keep further crm commands in this module.


@crm_app.command("synthesize")
def synthesize_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or TOML file of the simulated company.")] = "status_quo",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the export's tables into (must not exist).")] = Path(
        "synthetic_export"
    ),
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run (and of the export's flaws).")] = 0,
    years: Annotated[float, typer.Option(min=0.02, max=50, help="Years the export covers (0.25 = 13 weeks).")] = 3.0,
    start: Annotated[str, typer.Option(help="First day of the export window (YYYY-MM-DD).")] = "2023-01-02",
    history_years: Annotated[int, typer.Option(min=0, max=40, help="Years the company ran before the window.")] = 2,
    missing: Annotated[
        list[str] | None, typer.Option("--missing", metavar="TABLE", help="Leave this optional table out (repeat).")
    ] = None,
    window_months: Annotated[int | None, typer.Option(min=1, help="Short window: keep only the last this many months.")] = None,
    stale_open: Annotated[
        float, typer.Option(min=0, max=1, help="Share of lost deals nobody closed in the CRM (left open).")
    ] = 0.0,
    amount_noise: Annotated[float, typer.Option(min=0, max=3, help="Lognormal sigma of noise on amounts.")] = 0.0,
    contact_fill: Annotated[
        float, typer.Option(min=0, max=1, help="Chance each buying-centre member beyond the first is a contact.")
    ] = 1.0,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", metavar="KEY=VALUE", help="Override one scenario key; repeat for more."),
    ] = None,
) -> None:
    """Write the export a simulated company would produce (the calibration's test bed, and a trainer's demo data)."""
    from datetime import date

    from orgmodel.crm.export import write_export
    from orgmodel.crm.synthesize import Flaws, synthesize
    from orgmodel.scenario.files import ScenarioError, dump_scenario_toml, load_scenario

    if out.exists():
        fail(f"--out '{out}' already exists; choose a new folder (an export is never written over another)")
    try:
        first = date.fromisoformat(start)
    except ValueError:
        fail(f"--start '{start}' is not a date; give YYYY-MM-DD")
    try:
        sc = load_scenario(scenario, set_ or [])
    except ScenarioError as exc:
        fail(str(exc))
    try:
        flaws = Flaws(tuple(missing or ()), window_months, stale_open, amount_noise, contact_fill)
    except ValueError as exc:
        fail(str(exc))
    export = synthesize(sc, seed=seed, years=years, start=first, history_years=history_years, flaws=flaws)
    try:
        write_export(export.tables, out, fmt)
    except CrmError as exc:
        fail(str(exc))
    # what produced it, for checking a calibration against the truth (a scenario file, not a table)
    (out / "truth.toml").write_text(dump_scenario_toml(export.scenario, seed=seed), encoding="utf-8")
    rows = ", ".join(f"{name} {len(df):,}" for name, df in export.tables.items())
    Console().print(
        f"Wrote {escape(str(out))}: window {export.window[0].date()} to {export.window[1].date()}; {rows}. "
        f"The simulated company's scenario: {escape(str(out / 'truth.toml'))}."
    )
