"""The ``orgmodel`` command line: run scenarios, list built-ins and keys.

Every input error (a scenario key, a value, a file, the output folder) is
reported as one line ``error: ...`` on stderr with exit code 2, before any
output file is touched; typer's own usage errors also exit with 2.
"""

from __future__ import annotations

import math
import os
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from orgmodel.analysis import discovery_cli
from orgmodel.calibration.cli import calibrate_command
from orgmodel.clierrors import DEBUG_ENV, OneLineErrors, fail
from orgmodel.crm.cli import crm_app
from orgmodel.experiments.commands import experiment_app, results_app
from orgmodel.experiments.spec import ExperimentError
from orgmodel.outputs import OUTPUT_FILES, OutputError, check_out_dir, folder_name, write_run
from orgmodel.policies import structures
from orgmodel.policies.registry import TRUST_ENV, trust_plugins
from orgmodel.scenario import builtin
from orgmodel.scenario.files import ScenarioError, allowed_values, load_scenario, toml_value
from orgmodel.scenario.schema import Scenario
from orgmodel.simulate import SimulationResult, simulate
from orgmodel.workshop.cli import workshop_command

if TYPE_CHECKING:
    from orgmodel.experiments.repeat import Repeat

app = typer.Typer(
    cls=OneLineErrors,  # usage errors and unexpected faults as one line (orgmodel/clierrors.py)
    name="orgmodel",
    help="Agent-based model of a B2B sales organisation: structures, incentives and the stagnation trap.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help=f"Show the traceback of an unexpected error (also {DEBUG_ENV}=1).")
    ] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust-plugins",
            help=f"Let scenarios load the plug-in code they name ('file.py:Class'); also {TRUST_ENV}=1. "
            "Only for files you trust: loading runs their code.",
        ),
    ] = False,
) -> None:
    """Agent-based model of a B2B sales organisation: structures, incentives and the stagnation trap."""
    if debug:
        os.environ[DEBUG_ENV] = "1"
    if trust:
        trust_plugins()


def _money(x: float) -> str:
    return f"{x / 1e6:,.2f}"


def _share(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.0%}"


def _multiple(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}×"


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="Built-in scenario name (see `orgmodel scenarios`) or path to a TOML file.")
    ] = builtin.DEFAULT,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", metavar="KEY=VALUE", help="Override one scenario key; repeat for more."),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed gives identical results.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: out/<scenario name>).")] = None,
    from_experiment: Annotated[
        Path | None, typer.Option("--from-experiment", help="Repeat one run of an experiment's results folder (with --run).")
    ] = None,
    run_id: Annotated[int | None, typer.Option("--run", min=0, help="The run id to repeat (with --from-experiment).")] = None,
) -> None:
    """Run a scenario and write its tables, summary, resolved scenario and overview figure."""
    repeat = None
    if from_experiment is not None or run_id is not None:
        repeat = _repeat(scenario, set_, seed, from_experiment, run_id)
        sc, seed = repeat.scenario, repeat.seed
    else:
        try:
            sc = load_scenario(scenario, set_ or [])
        except ScenarioError as exc:
            fail(str(exc))
    default_name = folder_name(sc.name) if repeat is None else f"{folder_name(repeat.experiment.name)}-run-{repeat.run_id}"
    out_dir = out if out is not None else Path("out") / default_name
    try:
        check_out_dir(out_dir)
    except OutputError as exc:
        fail(str(exc))

    err = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("weeks"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(f"Simulating {escape(sc.name)}", total=sc.weeks)
        result = simulate(sc, seed=seed, progress=lambda week, _total: bar.update(task, completed=week))

    try:
        if err.is_terminal:
            with err.status("Writing outputs"):
                write_run(result, out_dir)
        else:
            write_run(result, out_dir)
    except OutputError as exc:
        fail(str(exc))

    console = Console()
    console.print(_summary_table(result))
    s = result.summary
    console.print(
        f"Cross-sell multiplier (annual value ÷ first sale): {_multiple(s['cross_sell_multiplier_developed'])} "
        f"on clients that bought further lines, {_multiple(s['cross_sell_multiplier_all'])} across all active clients."
    )
    for item in s.get("interventions", []):
        changes = ", ".join(f"{k} {toml_value(old)} -> {toml_value(new)}" for k, (old, new) in item["changes"].items())
        note = f" ({item['note']})" if item["note"] else ""
        console.print(
            f"Week {item['week']}: {escape(changes or 'no change')}{escape(note)}; "
            f"{item['handovers']} handovers, then {item['salespeople_after']} salespeople and "
            f"{item['account_managers_after']} account managers.",
            highlight=False,
        )
    if s["response_actions"]:
        console.print(_response_line(s["management_response"], s["response_actions"]), highlight=False)
    console.print(f"Wrote {escape(str(out_dir))}/: {', '.join(OUTPUT_FILES)}", highlight=False, soft_wrap=True)
    if repeat is not None:
        console.print(_repeat_note(repeat, result), highlight=False, soft_wrap=True)


def _repeat(scenario: str, set_: list[str] | None, seed: int, folder: Path | None, run_id: int | None) -> Repeat:
    """The run to repeat for ``--from-experiment DIR --run ID`` (which replace the scenario, --set and --seed)."""
    if folder is None or run_id is None:
        fail("--from-experiment DIR and --run ID go together: give both to repeat one run of an experiment")
    if scenario != builtin.DEFAULT or set_ or seed != 0:
        fail("--from-experiment repeats a stored run with its own scenario and seed: leave out the scenario, --set and --seed")
    from orgmodel.experiments.repeat import repeat_run

    try:
        return repeat_run(folder, run_id)
    except ExperimentError as exc:
        fail(str(exc))


def _repeat_note(repeat: Repeat, result: SimulationResult) -> str:
    """Whether the repeat reproduced the stored run."""
    from orgmodel.experiments.repeat import differences

    if repeat.stored is None:
        return f"Run {repeat.run_id} is not stored yet in the experiment's folder: nothing to compare with."
    differ = differences(repeat, result.summary)
    if not differ:
        return f"Same summary as run {repeat.run_id} stored in the experiment (seed {repeat.seed})."
    return f"Differs from run {repeat.run_id} stored in the experiment in: {', '.join(differ)}."


def _response_line(name: str, actions: list[dict]) -> str:
    """What the management response did over the run, in one sentence."""
    let_go = sum(len(a.get("let_go", ())) for a in actions)
    requested = sum(a.get("requested", 0) for a in actions)
    weeks = ", ".join(str(a["week"]) for a in actions)
    return (
        f"Management response {escape(name)}: {let_go} let go, {requested} hires requisitioned "
        f"(acted in week{'s' if len(actions) != 1 else ''} {weeks})."
    )


def _summary_table(result: SimulationResult) -> Table:
    """Per year: revenue, clients won and active, hunting share, cost of sales, contribution."""
    sc = result.scenario
    s = result.summary
    hands_over = structures.get(sc.structure).hands_over
    years = f"{sc.years} year{'s' if sc.years != 1 else ''}"
    table = Table(
        title=f"{escape(sc.name)}: {sc.structure} + {sc.incentive}, {years}, seed {result.seed}",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        caption="Money in millions per year. Hunting share: share of "
        + ("hunters'" if hands_over else "salespeople's")
        + " client-facing hours spent finding and winning clients.",
        caption_justify="left",
    )
    heads = ["Year", "Revenue", "New\nclients", "Active\nclients", "Hunting\nshare", "Cost of\nsales", "Contri-\nbution"]
    if hands_over:
        heads.append("Account\nmanagers")
    for head in heads:
        table.add_column(head, justify="right")
    columns = [
        s["annual_revenue"],
        s["annual_new_clients"],
        s["active_clients_end_of_year"],
        s["annual_hunting_share"],
        s["annual_cost_of_sales"],
        s["annual_contribution"],
        s["account_managers_end_of_year"],
    ]
    for year, (revenue, new, active, hunting, cost, contribution, managers) in enumerate(zip(*columns, strict=True), start=1):
        row = [str(year), _money(revenue), str(new), str(active), _share(hunting), _money(cost), _money(contribution)]
        if hands_over:
            row.append(str(managers))
        table.add_row(*row)
    return table


@app.command()
def scenarios(
    keys: Annotated[bool, typer.Option("--keys", help="List every scenario key with its default, meaning and source.")] = False,
) -> None:
    """List the built-in scenarios (or, with --keys, every scenario key)."""
    if keys:
        _print_keys()
        return
    table = Table(title="Built-in scenarios (orgmodel run NAME)", title_justify="left")
    table.add_column("Name", no_wrap=True, style="bold")
    table.add_column("Description")
    for name, description in builtin.list_builtins():
        table.add_row(name, escape(description))
    Console().print(table)


@app.command("keys")
def keys_command() -> None:
    """List every scenario key with its default, allowed values, meaning and source."""
    _print_keys()


def _print_keys() -> None:
    """Each key as ``key = default`` with its type and range, meaning and source (readable at any width)."""
    console = Console()
    console.print(
        "[bold]Scenario keys[/bold]: set them with --set KEY=VALUE or as `key = value` lines in a TOML file.\n",
        highlight=False,
    )
    for key, (default, description, source) in Scenario.field_sources().items():
        shown = "(unset)" if default is None else toml_value(default)
        console.print(f"[bold]{key}[/bold] = {escape(shown)}   [dim]({escape(allowed_values(key))})[/dim]", highlight=False)
        console.print(Padding(Text(description), (0, 0, 0, 4), expand=False))
        console.print(Padding(Text(f"source: {source}", style="dim"), (0, 0, 0, 4), expand=False))


@app.command("report")
def report_command(
    results: Annotated[Path, typer.Argument(metavar="DIR", help="Results folder written by `orgmodel experiment run`.")],
) -> None:
    """Write DIR/report.html (the answer first; tables in an appendix), DIR/report.pdf and DIR/figures/*.png."""
    from orgmodel.analysis.report import write_report
    from orgmodel.experiments import ExperimentError

    err = Console(stderr=True)
    try:
        with err.status("Analysing results, drawing figures, printing the PDF") if err.is_terminal else nullcontext():
            written = write_report(results)
    except ExperimentError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the report into '{results}': {exc.strerror or exc}")
    path = written.html
    out = Console()
    out.print(f"Wrote {escape(str(path))} and its figures in {escape(str(path.parent / 'figures'))}/", highlight=False)
    out.print(f"Wrote {escape(str(written.pdf))}" if written.pdf else escape(written.pdf_note), highlight=False, soft_wrap=True)


@app.command("app")
def app_command(
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port on 127.0.0.1 (default: a free one).", show_default=False)
    ] = None,
    host: Annotated[
        str,
        typer.Option(help="Address to serve on; 0.0.0.0 serves the network (anyone who can reach this machine)."),
    ] = "127.0.0.1",
) -> None:
    """Start the workshop dashboard (a live browser app) on 127.0.0.1 and print its URL once it listens."""
    import importlib.util

    from orgmodel.dashboard import serve

    if importlib.util.find_spec("solara") is None:
        fail("the dashboard needs the app extra: pip install -e '.[app]' (make install does it)")
    if (problem := serve.host_problem(host)) is not None:
        fail(problem)
    if port is not None and not serve.port_is_free(port, host):
        fail(f"--port {port} is in use on {host}; choose another or leave --port out to get a free one")
    serve.serve(port, host)


app.add_typer(experiment_app, name="experiment")
app.add_typer(results_app, name="results")
app.add_typer(crm_app, name="crm")
app.command("workshop")(workshop_command)
app.command("calibrate")(calibrate_command)  # issue #11: fit the model to a company's export
# --- scenario discovery and robustness (issue #16) ---
app.command("discover")(discovery_cli.discover_command)
app.command("robustness")(discovery_cli.robustness_command)


def main() -> None:
    """Entry point of the ``orgmodel`` command."""
    app(prog_name="orgmodel")


__all__ = ["app", "main"]
