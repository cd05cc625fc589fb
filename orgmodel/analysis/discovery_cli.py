"""``orgmodel discover`` and ``orgmodel robustness``: scenario discovery and robust choice over a results store.

Both print their findings in words and, with an output folder, write
figures and a self-contained summary (``summary.html`` and ``summary.md``).
An existing output folder is never overwritten without ``--force``. Every
input error is one line on stderr with exit code 2, before anything is
written.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from orgmodel.clierrors import fail
from orgmodel.experiments.spec import ExperimentError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from orgmodel.analysis.discovery import Discovery

DEFAULT_CLAIMS_OUTCOME = "annual_contribution[-1]"


def _prepare_out(out: Path, force: bool, results: Path) -> None:
    """Check the output folder before any work.

    A file is an error; an existing non-empty folder needs --force; a folder
    that is or holds the results store is refused even with --force, so the
    runs can never be replaced by a summary of them.
    """
    if out.exists() and not out.is_dir():
        fail(f"--out '{out}' exists and is not a folder")
    store = results.resolve()
    if out.resolve() == store or out.resolve() in store.parents or (out / "experiment.toml").exists():
        fail(f"--out '{out}' is or holds an experiment's results; write the summary into a folder of its own")
    if out.is_dir() and any(out.iterdir()) and not force:
        fail(f"--out '{out}' already exists and is not empty; choose another folder or add --force to replace it")


def _write_out(out: Path, force: bool, files: dict[str, bytes | str]) -> None:
    """Write the files into a fresh folder, then put it in place (a failure leaves any earlier folder as it was)."""
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if out.exists() and force:
        shutil.rmtree(out)
    tmp.rename(out)


def _load(results: Path):
    from orgmodel.experiments import load_results

    return load_results(results)


def discover_command(
    results: Annotated[Path, typer.Argument(metavar="DIR", help="Results folder written by `orgmodel experiment run`.")],
    where: Annotated[
        str,
        typer.Option(
            "--where",
            help='The condition, e.g. "hunter_farmer.annual_revenue[-1] < status_quo.annual_revenue[-1]" '
            '(arms compared world by world) or "revenue_growth_last_3_years < 0.03" (run by run); '
            "grammar: docs/discovery.md.",
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write figures and summary.html/summary.md into this folder.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    box: Annotated[
        int | None, typer.Option(min=0, help="Which box on PRIM's peeling trajectory (default: best coverage-density balance).")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the feature scoring's random trees.")] = 0,
) -> None:
    """Scenario discovery: where in the input space a condition holds (PRIM box, CART tree, feature scores)."""
    from orgmodel.analysis.cases import cases
    from orgmodel.analysis.discovery import discover, ema_analysis

    if out is not None:
        _prepare_out(out, force, results)
    err = Console(stderr=True)
    try:
        ema_analysis()
        store = _load(results)
        found = cases(store, where)
        with err.status("PRIM, CART and feature scoring") if err.is_terminal else _nothing():
            result = discover(found, box=box, seed=seed)
    except ExperimentError as exc:
        fail(str(exc))
    console = Console(highlight=False)
    for line in result.words():
        console.print(escape(line))
    console.print("\nCART leaves, densest first:")
    for row in result.tree.leaves.head(5).itertuples():
        console.print(escape(f"  density {row.density:.0%}, coverage {row.coverage:.0%}, mass {row.mass:.0%}: {row.limits}"))
    if out is not None:
        try:
            _write_out(out, force, _discovery_files(result, results))
        except OSError as exc:
            fail(f"cannot write '{out}': {exc.strerror or exc}")
        console.print(f"\nWrote {escape(str(out))}/summary.html, summary.md and figures/")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _discovery_files(result: Discovery, results: Path) -> dict[str, bytes | str]:
    from orgmodel.analysis import discovery_figures as figs

    figures = {
        "figures/peeling_trajectory.png": (figs.trajectory_figure(result.box), "PRIM's peeling trajectory"),
        "figures/box_limits.png": (figs.box_limits_figure(result.box), "The chosen box's limits"),
        "figures/tree.png": (figs.tree_figure(result.tree), "The CART tree"),
        "figures/feature_scores.png": (figs.scores_figure(result.scores), "Feature scores"),
    }
    files: dict[str, bytes | str] = {name: figs.png(fig) for name, (fig, _) in figures.items()}
    trajectory = result.box.trajectory[["coverage", "density", "mass", "res_dim", "n", "k", "pruned_from"]]
    files["peeling_trajectory.csv"] = trajectory.to_csv(index_label="box")
    files["feature_scores.csv"] = result.scores.to_csv()
    files["cart_leaves.csv"] = result.tree.leaves.to_csv(index=False)
    title = f"Scenario discovery: {result.cases.where.text}"
    command = f'orgmodel discover {results} --where "{result.cases.where.text}"'
    md = [f"# {title}", "", *[f"- {line}" for line in result.words()], "", "## CART tree", "", "```", result.tree.rules, "```"]
    md += ["", "## Figures", ""] + [f"![{alt}]({name})" for name, (_, alt) in figures.items()]
    md += ["", "Reproduce:", "", "```sh", command, "```", ""]
    files["summary.md"] = "\n".join(md)
    files["summary.html"] = _html(title, result.words(), figures, files, result.tree.rules, command)
    return files


def _html(
    title: str, words: list[str], figures: dict[str, tuple[Figure, str]], files: dict[str, bytes | str], rules: str, command: str
) -> str:
    from orgmodel.analysis import summary_html as html

    parts = [html.bullets(words)]
    parts += [html.figure(files[name], alt) for name, (_, alt) in figures.items()]  # type: ignore[arg-type]
    parts += [html.heading("CART tree"), html.preformatted(rules), html.heading("Reproduce"), html.preformatted(command)]
    return html.page(title, parts)


def robustness_command(
    results: Annotated[
        Path, typer.Argument(metavar="DIR", help="Results folder of a crossed experiment (experiments/robustness.toml).")
    ],
    outcome: Annotated[
        str, typer.Option(help="The outcome for regret and satisficing (a summary key, or one year: annual_revenue[-1]).")
    ] = DEFAULT_CLAIMS_OUTCOME,
    target: Annotated[
        float | None,
        typer.Option(help="The outcome an arm must reach in a world to satisfice (default: the median over all runs)."),
    ] = None,
    lower_is_better: Annotated[bool, typer.Option("--lower-is-better", help="Less of the outcome is better (a cost).")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write claims.png, regret.png, tables and summary.md/html here.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
) -> None:
    """Robustness: the share of plausible worlds where each README claim holds; regret and satisficing by arm."""
    from orgmodel.analysis.regret import outcome_by_world, regret_figure, regret_table
    from orgmodel.analysis.robustness import claim_figure, claim_markdown, claim_sentences, claim_shares

    if target is not None and not math.isfinite(target):
        fail(f"--target must be a finite number, got {target}")
    if out is not None:
        _prepare_out(out, force, results)
    try:
        store = _load(results)
        claims = claim_shares(store)
        by_world = outcome_by_world(store, outcome)
        regret = regret_table(by_world, target=target, higher_is_better=not lower_is_better)
    except ExperimentError as exc:
        fail(str(exc))
    console = Console(highlight=False)
    console.print("How robust are the claims (share of the plausible worlds where each holds):")
    for line in claim_sentences(claims):
        console.print(escape(f"- {line}"))
    console.print(f"\nRobust choice on {escape(outcome)} over {regret.attrs['worlds']} worlds:")
    console.print(escape(_regret_text(regret)), soft_wrap=True)
    if out is not None:
        from orgmodel.analysis import discovery_figures as figs

        files: dict[str, bytes | str] = {
            "figures/claims.png": figs.png(claim_figure(claims)),
            "figures/regret.png": figs.png(regret_figure(by_world, regret, outcome)),
            "claims.csv": claims.to_csv(index=False),
            "regret.csv": regret.to_csv(index=False),
        }
        md = ["# How robust are the claims?", "", claim_markdown(claims), f"## Robust choice on {outcome}", "", "```"]
        md += [_regret_text(regret), "```", "", "![claims](figures/claims.png)", "", "![regret](figures/regret.png)", ""]
        files["summary.md"] = "\n".join(md)
        files["summary.html"] = _robustness_html(claims, regret, files, outcome)
        try:
            _write_out(out, force, files)
        except OSError as exc:
            fail(f"cannot write '{out}': {exc.strerror or exc}")
        console.print(f"\nWrote {escape(str(out))}/summary.html, summary.md and figures/")


def _regret_text(regret: pd.DataFrame) -> str:
    word = "at least" if regret.attrs.get("higher_is_better", True) else "at most"
    shown = regret.rename(
        columns={
            "mean_regret": "mean regret",
            "regret_p90": "90% regret",
            "max_regret": "max regret",
            "best_share": "best in",
            "satisficing": f"{word} target",
        }
    )
    shown = shown[["arm", "mean", "mean regret", "90% regret", "max regret", "best in", f"{word} target"]].copy()
    shown[f"{word} target"] = [
        f"{s:.0%} ({lo:.0%}-{hi:.0%})"
        for s, lo, hi in zip(regret["satisficing"], regret["satisficing_low"], regret["satisficing_high"], strict=True)
    ]
    formats = {c: _amount for c in ("mean", "mean regret", "90% regret", "max regret")}
    formats["best in"] = "{:.0%}".format
    return shown.to_string(index=False, formatters=formats) + (
        f"\n(target: {_amount(regret.attrs['target'])}; satisficing with its 95% interval)"
    )


def _amount(x: float) -> str:
    """An outcome as a reader takes it in: whole units with thousands separators for money, else 4 digits."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def _robustness_html(claims: pd.DataFrame, regret: pd.DataFrame, files: dict[str, bytes | str], outcome: str) -> str:
    from orgmodel.analysis import summary_html as html
    from orgmodel.analysis.robustness import claim_sentences

    parts = [
        html.bullets(claim_sentences(claims)),
        html.figure(files["figures/claims.png"], "Share of plausible worlds where each claim holds"),  # type: ignore[arg-type]
        html.heading(f"Robust choice on {outcome}"),
        html.preformatted(_regret_text(regret)),
        html.figure(files["figures/regret.png"], "Regret and satisficing by arm"),  # type: ignore[arg-type]
    ]
    return html.page("How robust are the claims?", parts)


__all__ = ["discover_command", "robustness_command"]
