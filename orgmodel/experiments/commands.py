"""The ``orgmodel experiment`` and ``orgmodel results`` commands (added to the main CLI in orgmodel/cli.py).

Errors in the experiment file, the output folder, the scheduler or a query
are one ``error:`` line with exit code 2, like scenario errors. A finished
experiment with failed runs exits with 1; one stopped by Ctrl-C with 130.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orgmodel.clierrors import fail
from orgmodel.experiments.spec import Experiment, ExperimentError, load_experiment, parse_experiment
from orgmodel.experiments.store import EXPERIMENT_FILE, RUNS_FILE, TIMESERIES
from orgmodel.invocation import orgmodel_command, quoted
from orgmodel.outputs import folder_name
from orgmodel.scenario.files import ScenarioError, parse_overrides, read_toml

if TYPE_CHECKING:
    from orgmodel.experiments.runner import RunReport

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130
#: the arms table after a run is printed for experiments with at most this many design points
MAX_ARMS_SHOWN = 30

experiment_app = typer.Typer(
    help="Run experiment files: designs over scenario keys, replications, a results store.", no_args_is_help=True
)
results_app = typer.Typer(help="Query an experiment's results store.", no_args_is_help=True)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{seconds:.1f}s"


@experiment_app.command("run")
def run_command(
    file: Annotated[Path, typer.Argument(help="Experiment file (TOML), e.g. experiments/essay.toml.")],
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Worker processes (default: every core; 1 runs in this process).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run on a Dask cluster: the scheduler's address (tcp://host:8786), or 'local' for a LocalCluster."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a stopped experiment in --out: run only its missing runs.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder (default: out/<experiment name>).")] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="Replications per design point, instead of the file's (e.g. a quick look).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", "-s", metavar="KEY=VALUE", help="Set a scenario key in every run (added to the file's `set` table); repeat."
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(min=1, help="Samples of a sampling design, instead of the file's design.samples (e.g. a quick look)."),
    ] = None,
) -> None:
    """Run an experiment into a results folder (runs.parquet, timeseries/, experiment.toml).

    ``--replications`` and ``--set`` change the experiment as BehaviorSpace's
    repetitions box does; the resolved experiment.toml in the folder records
    them, so that file (not the original) repeats such a run.
    """
    from orgmodel.experiments.runner import WorkerError, run_experiment

    try:
        overridden = replications is not None or set_ or samples is not None
        exp = _with_overrides(file, replications, set_ or [], samples) if overridden else load_experiment(file)
        out_dir = out if out is not None else Path("out") / folder_name(exp.name)
        err = Console(stderr=True)
        report = run_experiment(
            exp, out_dir, workers=workers, scheduler=scheduler, resume=resume, show_progress=err.is_terminal or "lines"
        )
    except ExperimentError as exc:
        fail(str(exc))
    except WorkerError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(EXIT_FAILED_RUNS) from None
    except KeyboardInterrupt:  # before the runs started or while tidying up: nothing half-written
        sys.stderr.write("interrupted\n")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _print_report(report, file)
    if report.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if report.failed:
        raise typer.Exit(EXIT_FAILED_RUNS)


def _with_overrides(file: Path, replications: int | None, set_: list[str], samples: int | None = None) -> Experiment:
    """The experiment file with --replications, --set and --samples applied, validated as the file is.

    The result records no source file: the original file alone would not repeat
    these runs, so reports point to the resolved file instead.
    """
    try:
        data = read_toml(file, what="experiment file")
        overrides = parse_overrides(set_)
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    if replications is not None:
        data["replications"] = replications
    if samples is not None:
        design = data.get("design", {})
        data["design"] = {**design, "samples": samples} if isinstance(design, dict) else design
    if overrides:
        table = data.get("set", {})
        data["set"] = {**table, **overrides} if isinstance(table, dict) else table
    exp = parse_experiment(data, where=str(file), folder=file.parent, default_name=file.stem)
    exp._source = ""  # the original file alone does not repeat these runs
    return exp


def _print_report(report: RunReport, file: Path) -> None:
    """What ran, where it went, the arms at a glance and how to go on."""
    console = Console()
    out = escape(str(report.out))
    for label, why in report.left_out[:5]:
        console.print(f"Left out invalid point {escape(label)}: {escape(why)}", highlight=False)
    if len(report.left_out) > 5:
        console.print(f"... and {len(report.left_out) - 5} more invalid points left out.", highlight=False)
    if report.damaged:
        console.print(
            f"Found damaged results, set aside in {out}/damaged/ and run again: {escape(report.damaged.describe())}.",
            highlight=False,
        )
    if report.ran == 0 and not report.interrupted:
        console.print(f"All {report.total} runs were already stored in {out}; nothing to run.", highlight=False)
    else:
        resumed = f" ({report.already} were already stored)" if report.already else ""
        console.print(
            f"Ran {report.ran} runs{resumed} with {escape(report.backend)} in {_duration(report.wall_time_s)}: "
            f"{report.stored} of {report.total} stored in {out}/, {report.failed} failed.",
            highlight=False,
        )
    if report.first_error is not None:
        run_id, message = report.first_error
        console.print(f"First failure, run {run_id}: {escape(message)} (see the error column of runs)", highlight=False)
    if report.interrupted:
        console.print(
            f"Stopped. Finish it with: {escape(orgmodel_command())} experiment run {escape(quoted(file))} "
            f"--out {escape(quoted(report.out))} --resume",
            highlight=False,
            soft_wrap=True,
        )
        return
    _print_arms(report.out)
    console.print(
        f"Files: {out}/{RUNS_FILE}, {out}/{TIMESERIES}/, {out}/{EXPERIMENT_FILE}. "
        f"Query them: {escape(orgmodel_command())} results query {escape(quoted(report.out))} "
        "'SELECT arm, avg(total_revenue) FROM runs GROUP BY arm'",
        highlight=False,
        soft_wrap=True,
    )


def _print_arms(folder: Path) -> None:
    """Runs, failures and mean revenue by arm (for designs with a handful of points); reads only those columns."""
    from orgmodel.experiments.store import read_runs

    runs = read_runs(folder, columns=["run_id", "point", "arm", "status", "total_revenue", "annual_revenue"]).to_pandas()
    if runs.empty or runs["point"].nunique() > MAX_ARMS_SHOWN:
        return
    table = Table(box=box.SIMPLE_HEAD, title="By arm (means over successful runs; money in millions)", title_justify="left")
    widest = int(runs["arm"].str.len().max())
    table.add_column("Arm", no_wrap=True, min_width=min(widest, 48))  # whole arm names: they are how runs are told apart
    for head in ("Runs", "Failed", "Total revenue", "Last year revenue"):
        table.add_column(head, justify="right")
    ok = runs["status"] == "ok"
    total = runs.get("total_revenue")
    last = runs["annual_revenue"].map(lambda v: v[-1] if v is not None and len(v) else None) if "annual_revenue" in runs else None
    for _, group in runs.groupby("point", sort=True):
        good = ok[group.index]
        means = [
            "n/a" if v is None or not good.any() else f"{v[group.index[good]].astype(float).mean() / 1e6:,.2f}"
            for v in (total, last)
        ]
        table.add_row(escape(str(group["arm"].iloc[0])), str(len(group)), str(int((~good).sum())), *means)
    Console().print(table)


@experiment_app.command("check")
def check_command(file: Annotated[Path, typer.Argument(help="Experiment file (TOML).")]) -> None:
    """Validate an experiment file and show its design without running it."""
    from orgmodel.experiments.plan import Plan

    try:
        plan = Plan(load_experiment(file))
    except ExperimentError as exc:
        fail(str(exc))
    exp = plan.experiment
    console = Console()
    keep = {None: "summaries only", 1: "weekly timeseries"}.get(exp.keep_every, f"every {exp.keep_every} weeks")
    console.print(
        f"{escape(exp.name)}: {exp.design.kind} design, {plan.n_points} points x {exp.replications} replications = "
        f"{plan.n_runs} runs; base seed {exp.seed}; keeps {keep}.",
        highlight=False,
    )
    if exp.question:
        console.print(f"Question: {escape(exp.question)}", highlight=False)
    for label, why in plan.left_out:
        console.print(f"Left out invalid point {escape(label)}: {escape(why)}", highlight=False)
    shown = plan.labels[:MAX_ARMS_SHOWN]
    for i, label in enumerate(shown):
        console.print(f"  point {i}: {escape(label)}", highlight=False)
    if len(plan.labels) > len(shown):
        console.print(f"  ... and {len(plan.labels) - len(shown)} more points", highlight=False)


@results_app.command("query")
def query_command(
    folder: Annotated[Path, typer.Argument(help="Results folder written by `orgmodel experiment run`.")],
    sql: Annotated[str, typer.Argument(help='DuckDB SQL over the views runs and timeseries, e.g. "SELECT count(*) FROM runs".')],
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Run a SQL query (DuckDB) over an experiment's runs and timeseries and print the result."""
    from orgmodel.experiments.results import load_results

    try:
        frame = load_results(folder).query(sql)
    except ExperimentError as exc:
        fail(str(exc))
    if csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", None):
        sys.stdout.write(frame.to_string(index=False) + "\n")
    sys.stdout.write(f"({len(frame)} row{'s' if len(frame) != 1 else ''})\n")


__all__ = ["experiment_app", "results_app"]
