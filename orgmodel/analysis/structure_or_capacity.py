"""The README's "Structure or capacity?" tables, computed from the experiment stores.

The four experiments behind that section (``experiments/structure_or_capacity.toml``,
``..._mechanisms.toml``, ``..._conditions.toml`` and ``acquisition_share.toml``)
write their stores with ``orgmodel experiment run``; the functions here read
those stores and return the tables as Markdown, so that the numbers in the
README can be regenerated (``python experiments/structure_or_capacity_tables.py``)
and checked rather than copied from a scratch script. Every number is a mean
over the stored replications of a cell; nothing is smoothed or selected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orgmodel.experiments.results import load_results

STRUCTURES = {
    "status_quo": "status quo (full cycle)",
    "hunter_farmer": "hunter/farmer",
    "pod": "pod",
    "service_desk": "service desk",
    "key_accounts": "key accounts",
}
RESPONSES = {"fixed_headcount": "fixed headcount", "hire_on_revenue": "hire on revenue", "fixed_budget_path": "fixed budget path"}
MECHANISMS = ("none", "all")
ROLES = {"salespeople": "sp", "account_managers": "am", "desk_agents": "desk"}


def final_year(folder: str | Path) -> pd.DataFrame:
    """One row per finished run: its factors and its last year's outcomes, money in millions.

    Columns: the experiment's factors, ``revenue``, ``contribution``, ``cost`` (cost of sales)
    of the last year, ``total`` (revenue over the run); when the store kept weekly data also
    the headcount at the end (``sp``, ``am``, ``desk``, ``heads``), ``revenue_per_head``
    (thousands) and ``revenue_per_cost`` (revenue per unit of sales cost).
    """
    results = load_results(folder)
    runs = results.ok.sort_values(["point", "replicate"], kind="stable").set_index("run_id")
    out = runs[results.factors].copy()
    out["revenue"] = runs["annual_revenue"].map(lambda v: v[-1]) / 1e6
    out["contribution"] = runs["annual_contribution"].map(lambda v: v[-1]) / 1e6
    if "annual_cost_of_sales" in runs:
        out["cost"] = runs["annual_cost_of_sales"].map(lambda v: v[-1]) / 1e6
    out["total"] = runs["total_revenue"] / 1e6
    ts = results.read_timeseries(list(ROLES))
    if not ts.empty:
        last = ts[ts["week"] == ts["week"].max()].set_index("run_id")
        for column, short in ROLES.items():
            out[short] = last[column]
        out["heads"] = out[list(ROLES.values())].sum(axis=1)
        out["revenue_per_head"] = out["revenue"] * 1e3 / out["heads"]
        out["revenue_per_cost"] = out["revenue"] / out["cost"]
    return out


def cell_means(runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Means of every outcome per cell of ``by`` (in the design's order), with ``n`` (replications) and ``revenue_sd``."""
    g = runs.groupby(by, sort=False)
    out = g.mean(numeric_only=True)
    out["revenue_sd"] = g["revenue"].std()
    out["n"] = g.size()
    return out


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def revenue_by_response(folder: str | Path) -> str:
    """Last-year revenue per structure and management response, mechanisms off / all on."""
    t = cell_means(final_year(folder), ["management_response", "specialisation", "scenario"])
    rows = [
        [label, *[f"{t.at[(r, 'none', s), 'revenue']:.0f} / {t.at[(r, 'all', s), 'revenue']:.0f}" for r in RESPONSES]]
        for s, label in STRUCTURES.items()
    ]
    return _table(["structure", *RESPONSES.values()], rows)


def equal_budget(folder: str | Path, structures: tuple[str, ...] = ("status_quo", "hunter_farmer")) -> str:
    """The fixed-budget-path cells: revenue, contribution, people by role, revenue per head and per unit of cost."""
    t = cell_means(final_year(folder), ["management_response", "specialisation", "scenario"])
    rows = []
    for spec in MECHANISMS:
        for s in structures:
            c = t.loc[("fixed_budget_path", spec, s)]
            rows.append(
                [
                    f"{STRUCTURES[s]}, mechanisms {'off' if spec == 'none' else 'all on'}",
                    f"{c.revenue:.1f}",
                    f"{c.contribution:.1f}",
                    f"{c.sp:.0f} / {c.am:.0f} / {c.desk:.0f}",
                    f"{c.revenue_per_head:,.0f}".replace(",", " "),
                    f"{c.revenue_per_cost:.1f}",
                ]
            )
    header = [
        "",
        "revenue (M)",
        "contribution (M)",
        "people (sales / AM / desk)",
        "revenue per head (k)",
        "revenue per unit of sales cost",
    ]
    return _table(header, rows)


def split_lead(folder: str | Path, by: list[str]) -> str:
    """Hunter/farmer minus status quo, last-year revenue, per cell of ``by`` (both structures' revenue too)."""
    t = cell_means(final_year(folder), [*by, "scenario"])["revenue"].unstack("scenario")
    rows = [
        [
            ", ".join(f"{k} {v}" for k, v in zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
            f"{row['status_quo']:.1f}",
            f"{row['hunter_farmer']:.1f}",
            f"{row['hunter_farmer'] - row['status_quo']:+.1f}",
        ]
        for key, row in t.iterrows()
    ]
    return _table(["cell", "status quo (M)", "hunter/farmer (M)", "split minus status quo (M)"], rows)


def acquisition_curve(folder: str | Path) -> str:
    """Revenue over the run per fixed share of hunting hours, mechanisms off / all on (Carter et al. 2014's inverted U)."""
    t = cell_means(final_year(folder), ["fixed_hunting_share", "specialisation"])["total"].unstack("specialisation")
    rows = [[f"{share:.2f}", f"{row['none']:.0f}", f"{row['all']:.0f}"] for share, row in t.iterrows()]
    return _table(["share of hours on acquisition", "revenue over the run (M), off", "all on"], rows)


def readme_tables(out: str | Path) -> str:
    """All the section's tables from the stores in ``out`` (``out/<experiment name>``), as Markdown."""
    out = Path(out)
    main = out / "structure_or_capacity"
    parts = [
        "Last-year revenue, millions (mechanisms off / all on):",
        revenue_by_response(main),
        "At the equal budget (fixed budget path), last year:",
        equal_budget(main),
        "What each mechanism adds (fixed budget path):",
        split_lead(out / "structure_or_capacity_mechanisms", ["specialisation"]),
        "Conditions (fixed budget path):",
        split_lead(out / "structure_or_capacity_conditions", ["client_size_sigma", "spoiledness", "specialisation"]),
        "Share of time on acquisition (status quo, fixed headcount):",
        acquisition_curve(out / "acquisition_share"),
    ]
    return "\n\n".join(parts) + "\n"


__all__ = ["acquisition_curve", "cell_means", "equal_budget", "final_year", "readme_tables", "revenue_by_response", "split_lead"]
