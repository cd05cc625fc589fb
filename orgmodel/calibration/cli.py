"""``orgmodel calibrate DIR --out OUT``: fit the model to a company's export and write the calibrated scenario.

Registered in orgmodel/cli.py with one line. Bad input (an unusable export,
an unknown key, a holdout longer than the window, an existing OUT without
``--resume``) is one ``error:`` line and exit code 2, with nothing written
and nothing of the user's touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orgmodel.clierrors import fail
from orgmodel.crm.schema import CrmError

OUTPUTS = ("scenario.toml", "calibration.json", "report.html")
STUDY = "study.db"


def calibrate_command(
    folder: Annotated[Path, typer.Argument(help="Folder with the company's export (see docs/calibration.md).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for scenario.toml, calibration.json, report.html, study.db.")],
    budget: Annotated[int, typer.Option(min=1, help="Trials to run in all (each runs --seeds simulations).")] = 200,
    workers: Annotated[int, typer.Option(min=1, help="Processes running simulations (results do not depend on it).")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the calibration in OUT (up to --budget trials).")] = False,
    holdout_months: Annotated[
        int, typer.Option(min=0, help="Months at the export's end the fit does not see; the report forecasts them.")
    ] = 0,
    seeds: Annotated[int, typer.Option(min=1, max=50, help="Common seeds per trial (several, so luck is not fit).")] = 3,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the sampler and of the common seeds.")] = 0,
    mapping: Annotated[
        str | None, typer.Option("--mapping", "-m", help="mapping.toml for the export's names (as for `orgmodel crm check`).")
    ] = None,
    fit: Annotated[
        list[str] | None, typer.Option("--fit", metavar="KEY", help="Fit only these keys (repeat; default: all fitted keys).")
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="Scenario (name or TOML) whose values stand where the data says nothing.")
    ] = None,
    slice_points: Annotated[int, typer.Option(min=0, max=50, help="Values per key in the slices through the best.")] = 5,
) -> None:
    """Calibrate the model to a company's CRM/ERP export: estimate what it shows, fit the rest, check on held-out months."""
    from orgmodel.calibration.fit import check_fit_keys
    from orgmodel.calibration.outputs import calibration_json, scenario_toml
    from orgmodel.calibration.report import write_report
    from orgmodel.calibration.run import calibrate
    from orgmodel.crm.export import load_export
    from orgmodel.scenario.files import ScenarioError, load_scenario

    out_full = out.resolve()
    if out_full.exists() and not out_full.is_dir():
        fail(f"--out '{out}' exists and is not a folder")
    if resume and (not (out_full / STUDY).is_file() or (out_full / STUDY).stat().st_size == 0):
        fail(f"--resume: '{out}' holds no calibration to continue ({STUDY} not found or empty)")
    if not resume and out_full.exists() and any(out_full.iterdir()):
        fail(f"--out '{out}' already exists and is not empty; choose another folder, or --resume to continue its calibration")
    try:
        check_fit_keys(fit or ())  # before the export is read and the progress bar starts
    except ValueError as exc:
        fail(str(exc))
    try:
        export = load_export(folder, mapping)
    except CrmError as exc:
        fail(str(exc))
    try:
        base_scenario = load_scenario(base) if base is not None else None
    except ScenarioError as exc:
        fail(str(exc))
    created = not out_full.exists()
    out_full.mkdir(parents=True, exist_ok=True)
    err = Console(stderr=True)
    try:
        with Progress(
            TextColumn("calibrating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("trials; best loss {task.fields[best]}"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as bar:
            task = bar.add_task("fit", total=budget, best="-")

            def progress(done: int, total: int, best: float) -> None:
                bar.update(task, completed=done, best=f"{best:.2f}")

            result = calibrate(
                export.tables,
                export.window,
                out_full / STUDY,
                budget=budget,
                workers=workers,
                resume=resume,
                holdout_months=holdout_months,
                n_seeds=seeds,
                seed=seed,
                slice_points=slice_points,
                fit_keys=fit,
                base=base_scenario,
                source=Path(export.source).name,
                progress=progress,
            )
    except ValueError as exc:
        if created:
            shutil.rmtree(out_full, ignore_errors=True)
        fail(str(exc))
    (out_full / "scenario.toml").write_text(scenario_toml(result), encoding="utf-8")
    (out_full / "calibration.json").write_text(calibration_json(result), encoding="utf-8")
    write_report(result, out_full)
    console = Console()
    pinned = [p.key for p in result.parameters if p.identified]
    loose = [p.key for p in result.parameters if not p.identified]
    console.print(
        f"{len(result.trials)} trials, {result.simulations} simulations; best loss {result.best_loss:.2f} "
        f"over {len(result.scales)} targets."
    )
    console.print(f"Pinned down by the data: {', '.join(pinned) or 'none'}.")
    console.print(f"Not identified (any value in the range fits about as well): {', '.join(loose) or 'none'}.")
    if result.holdout:
        h = result.holdout
        obs, fc = h["observed"].get("revenue_per_year"), h["forecast"].get("revenue_per_year")
        if obs and fc:
            console.print(f"Holdout ({h['from']} to {h['to']}): revenue per year {fc:,.0f} forecast, {obs:,.0f} observed.")
    console.print(f"Wrote {out}/scenario.toml, calibration.json, report.html. Run it: orgmodel run {out}/scenario.toml")
