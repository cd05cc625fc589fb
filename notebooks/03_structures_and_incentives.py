# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Structures and incentives: the comparison a consultant presents
#
# Every organisational structure and every incentive scheme orgmodel knows, run with
# replications under the same assumptions, compared with the status quo (full-cycle
# salespeople on volume commission): revenue, new clients, cost of sales and
# contribution, with 95% confidence intervals, and a recommendation table that follows
# the criteria you set in the first cell.
#
# Two questions, two sets of runs:
#
# 1. **Which structure?** Each structure set up as its built-in scenario sets it up
#    (`orgmodel scenarios`), with the pay that goes with it; a structure without a built-in
#    gets volume commission where salespeople keep their clients and split commission where
#    clients are handed over.
# 2. **Which pay scheme?** Each scheme in today's full-cycle structure.

# %% [markdown]
# ## The consultant's settings
#
# The recommendation table depends on these. `OBJECTIVE` is what the client wants most;
# options that break a limit are shown but not recommended.

# %%
OBJECTIVE = "contribution"  # "contribution" (gross margin minus all sales pay, summed over the years),
#                             "revenue" (in the last year) or "new_clients" (in the last year)
MAX_COST_OF_SALES = 0.10  # highest acceptable cost of sales, as a share of revenue in the last year
MAX_STAFF = 60  # most client-facing staff (salespeople, account managers, agents) the client can employ at the end
MARKET = {"spoiledness": 0.67}  # scenario keys that describe the client's market (orgmodel keys lists them all)

# %% [markdown]
# ## Size of the runs  ⟵ *scale up here*
#
# Small by default so that the notebook runs in about a minute: a sales force of 8 in a
# market of 1,200 companies, 8 years, 3 replications per option. For a presentation use
# the client's own sizes and 10 or more replications; the intervals narrow as replications
# grow. The runs go to worker processes on every core (`WORKERS`).

# %%
SIZE = {"salespeople": 8, "market_size": 1200}
YEARS = 8
REPLICATIONS = 3
WORKERS = None  # worker processes for the runs; None: every core
OUT = "out/03_structures_and_incentives"  # the runs' store (relative to this notebook)

# %%
# %matplotlib inline
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from matplotlib.ticker import PercentFormatter

from orgmodel.analysis.compare import compare_arms
from orgmodel.experiments import load_results, parse_experiment, run_experiment
from orgmodel.policies import incentives, structures
from orgmodel.scenario import ScenarioError, builtin, load_scenario

# large type and light grids, readable on a projector
sns.set_theme(context="talk", style="whitegrid", rc={"figure.figsize": (12, 5.5), "axes.titleweight": "bold"})


def md(text: str) -> None:
    """Show commentary built from computed numbers as formatted text."""
    display(Markdown(text))


# %% [markdown]
# ## The options

# %%
BASE = {**SIZE, **MARKET, "years": YEARS}
STATUS_QUO = "full cycle · volume commission"


def label(structure: str, incentive: str) -> str:
    """An option's name as it appears in figures and tables."""
    return f"{structure.replace('_', ' ')} · {incentive.replace('_', ' ')}"


def structure_set_up(structure: str) -> dict:
    """A structure as its built-in scenario sets it up (pay, starting account managers), if it has one.

    Otherwise: split commission where clients change hands, volume commission where they do not,
    and two account managers to start with where the structure has them (it hires as they fill up).
    """
    if structure in builtin.names():
        reference = load_scenario(structure)
        return {"structure": structure, "incentive": reference.incentive, "account_managers": reference.account_managers}
    hands_over = structures.get(structure).hands_over
    return {
        "structure": structure,
        "incentive": "split_commission" if hands_over else "volume_commission",
        "account_managers": 2 if hands_over else 0,
    }


options, option_keys, not_possible = {}, {}, []
candidates = [structure_set_up(s) for s in structures.names()]
candidates += [{"structure": "full_cycle", "incentive": i} for i in incentives.names() if i != "volume_commission"]
for keys in candidates:
    name = label(keys["structure"], keys["incentive"])
    try:
        options[name] = load_scenario(None, {**BASE, **keys})
        option_keys[name] = {**SIZE, **MARKET, **keys}
    except ScenarioError as error:
        not_possible.append(f"{name}: {error}")
question = {
    name: "structure" if sc.structure != "full_cycle" or name == STATUS_QUO else "pay scheme" for name, sc in options.items()
}
display(
    pd.DataFrame(
        {"question": question, "structure": {n: sc.structure for n, sc in options.items()}}
        | {"pay": {n: sc.incentive for n, sc in options.items()}}
    )
)
if not_possible:
    md("Left out: " + "; ".join(not_possible))

# %% [markdown]
# ## Run every option, replicated
#
# The options become one experiment (`docs/experiments.md`): each option is a scenario, the
# scenario is the factor, and with common random numbers replicate *r* of every option runs
# on the same random draws, so options are compared on the same luck. `run_experiment`
# spreads the runs over the worker processes and stores them; `load_results` reads them back.

# %%
experiment = parse_experiment(
    {
        "name": "structures_and_incentives",
        "scenario": STATUS_QUO,
        "years": YEARS,
        "replications": REPLICATIONS,
        "seed": 2026,
        "common_random_numbers": True,
        "keep": "summary",
        "scenarios": option_keys,
        "factors": {"scenario": list(options)},
    }
)
store = Path(OUT)
shutil.rmtree(store, ignore_errors=True)  # a store holds one experiment: a rerun starts clean
report = run_experiment(experiment, store, workers=WORKERS)
stored = load_results(store).runs
ok = stored[stored["status"] == "ok"]
md(f"{report.stored} runs on {report.workers} worker(s) in {report.wall_time_s:.0f} s; {len(ok)} finished without an error.")
last = ok["annual_revenue"].map(lambda v: v[-1])
runs = pd.DataFrame(
    {
        "option": ok["scenario"],
        "revenue": last,
        "contribution": ok["annual_contribution"].map(sum),
        "new_clients": ok["annual_new_clients"].map(lambda v: v[-1]),
        "cost_of_sales_share": ok["annual_cost_of_sales"].map(lambda v: v[-1]) / last.where(last > 0),
        "staff": ok["scenario"].map(lambda name: options[name].salespeople)
        + ok["account_managers_end_of_year"].map(lambda v: v[-1])
        + ok["desk_agents_end_of_year"].map(lambda v: v[-1]),
    }
)
years = YEARS
OUTCOMES = {
    "contribution": f"Contribution, years 1-{years} (millions)",
    "revenue": f"Revenue in year {years} (millions)",
    "new_clients": f"New clients in year {years}",
    "cost_of_sales_share": f"Cost of sales in year {years} (share of revenue)",
}
SCALE = {"contribution": 1e6, "revenue": 1e6, "new_clients": 1, "cost_of_sales_share": 1}


def compare(outcome: str) -> pd.DataFrame:
    """Each option's mean with a bootstrap 95% interval, and its difference from the status quo (Welch, Holm)."""
    table = compare_arms(runs[outcome] / SCALE[outcome], runs["option"], reference=STATUS_QUO)
    return table.set_index("arm")


# %% [markdown]
# ## Results with 95% confidence intervals
#
# Each dot is an option's mean over the replications; the bar is its bootstrap 95%
# confidence interval. The dashed line is the status quo.


# %%
ORDER = compare(OBJECTIVE).sort_values("mean").index  # every figure lists the options in the objective's order


def interval_figure(outcome: str, ax: plt.Axes) -> None:
    """One outcome for every option: mean and 95% interval, status quo marked."""
    table = compare(outcome).reindex(ORDER)
    y = np.arange(len(table))
    colours = [
        "#c55a11" if arm == STATUS_QUO else "#1f4e79" if question[arm] == "structure" else "#70ad47" for arm in table.index
    ]
    ax.errorbar(
        table["mean"],
        y,
        xerr=[table["mean"] - table["ci_low"], table["ci_high"] - table["mean"]],
        fmt="none",
        ecolor="#555555",
        elinewidth=2,
        capsize=4,
    )
    ax.scatter(table["mean"], y, c=colours, s=90, zorder=3)
    ax.axvline(table.loc[STATUS_QUO, "mean"], color="#c55a11", ls="--", lw=1.5)
    ax.set_yticks(y, table.index)
    ax.set(title=OUTCOMES[outcome], xlabel=OUTCOMES[outcome])


fig, axes = plt.subplots(1, 2, figsize=(19, 0.55 * len(options) + 2.5), layout="constrained")
interval_figure("contribution", axes[0])
interval_figure("revenue", axes[1])
axes[1].tick_params(labelleft=False)
fig.suptitle(
    f"Every option against the status quo (orange); blue: other structures, green: other pay · {REPLICATIONS} replications",
    fontsize=16,
    fontweight="bold",
)
plt.show()

# %% [markdown]
# ## Cost of sales
#
# What the client pays its client-facing staff (base pay and variable pay) as a share of
# revenue in the last year: a high share can eat what a structure gains.

# %%
fig, ax = plt.subplots(figsize=(12, 0.55 * len(options) + 2))
interval_figure("cost_of_sales_share", ax)
ax.axvline(MAX_COST_OF_SALES, color="black", ls=":", lw=2, label=f"your limit ({MAX_COST_OF_SALES:.0%})")
ax.xaxis.set_major_formatter(PercentFormatter(1.0))
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Recommendation

# %%
goal = compare(OBJECTIVE)
cost = compare("cost_of_sales_share")
staff = runs.groupby("option")["staff"].mean()
table = pd.DataFrame(
    {
        "mean": goal["mean"],
        "95% interval": [f"{lo:,.1f} to {hi:,.1f}" for lo, hi in zip(goal["ci_low"], goal["ci_high"], strict=True)],
        "vs status quo": goal["diff"],
        "difference interval": [
            "" if np.isnan(lo) else f"{lo:+,.1f} to {hi:+,.1f}"
            for lo, hi in zip(goal["diff_low"], goal["diff_high"], strict=True)
        ],
        "p (Holm)": goal["p_holm"],
        "cost of sales": cost["mean"],
        "staff at the end": staff.reindex(goal.index),
    }
)
table["within limits"] = (table["cost of sales"] <= MAX_COST_OF_SALES) & (table["staff at the end"] <= MAX_STAFF)
table["better than status quo"] = (goal["diff_low"] > 0) & (goal["p_holm"] < 0.05)  # interval above zero and Holm-adjusted test
table = table.sort_values("mean", ascending=False)
table.index.name = "option"
yes_no = {True: "yes", False: "no"}
display(
    table.replace({"within limits": yes_no, "better than status quo": yes_no})
    .style.format(
        {
            "mean": "{:,.1f}",
            "vs status quo": "{:+,.1f}",
            "p (Holm)": "{:.3f}",
            "cost of sales": "{:.1%}",
            "staff at the end": "{:.0f}",
        },
        na_rep="",
    )
    .set_caption(f"{OUTCOMES[OBJECTIVE]}: mean over {REPLICATIONS} replications, best first")
)

# %%
eligible = table[table["within limits"] & table["better than status quo"]]
if eligible.empty:
    md(
        f"""
**No option is recommended over the status quo** under these settings: none is both within your limits
(cost of sales at most {MAX_COST_OF_SALES:.0%} of revenue, at most {MAX_STAFF} client-facing staff) and better than the
status quo on {OUTCOMES[OBJECTIVE].lower()} (95% interval of the difference above zero, Holm-adjusted p below
0.05). With more replications
the intervals narrow; with other limits other options qualify.
"""
    )
else:
    best = eligible.index[0]
    row = eligible.iloc[0]
    md(
        f"""
**Recommended: {best}.** On {OUTCOMES[OBJECTIVE].lower()} it reaches {row["mean"]:,.1f} against the status quo's
{table.loc[STATUS_QUO, "mean"]:,.1f} (difference {row["vs status quo"]:+,.1f}, 95% interval
{row["difference interval"]}; Holm-adjusted p = {row["p (Holm)"]:.3f}), with cost of sales at
{row["cost of sales"]:.1%} of revenue and {row["staff at the end"]:.0f} client-facing staff at the end.
{len(eligible) - 1} other option(s) also meet your limits and beat the status quo.
"""
    )
