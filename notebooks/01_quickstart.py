# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: one sales organisation, ten years, week by week
#
# This notebook checks that orgmodel is installed, runs the default scenario (the
# essay's status quo: 20 salespeople who win clients, keep them and are paid a
# commission on their volume), reads its results, shows the three figures that
# matter and changes a parameter.
#
# Run it top to bottom (**Run → Run All Cells**). It takes a few seconds.

# %% [markdown]
# ## 1. Install check
#
# If this cell fails, run `make install` in the repository's folder and choose the
# kernel of its `.venv` (the `make lab` command does both).

# %%
# %matplotlib inline
import platform

import matplotlib.pyplot as plt
import mesa
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

import orgmodel
from orgmodel import Scenario, simulate
from orgmodel.analysis.figures import overview_figure
from orgmodel.analysis.summary import time_use
from orgmodel.scenario import load_scenario
from orgmodel.scenario.builtin import list_builtins

print(f"orgmodel {orgmodel.__version__} · Mesa {mesa.__version__} · Python {platform.python_version()}")

# large type and light grids, readable on a projector
sns.set_theme(context="talk", style="whitegrid", rc={"figure.figsize": (12, 5.5), "axes.titleweight": "bold"})


def md(text: str) -> None:
    """Show commentary built from computed numbers as formatted text."""
    display(Markdown(text))


# %% [markdown]
# ## 2. Size of the run  ⟵ *scale up here*
#
# The default is the model's reference size (20 salespeople, 3,000 companies in the
# market, 10 years), which runs in a few seconds. Change the seed to see another
# history of the same company; change the sizes to model your own.

# %%
SEED = 1
YEARS = 10
SALESPEOPLE = 20
MARKET_SIZE = 3000

# %% [markdown]
# ## 3. Run the default scenario
#
# `load_scenario("status_quo")` reads a built-in scenario; `simulate` runs it and
# returns the weekly and monthly tables plus a summary. These are the built-ins:

# %%
display(pd.DataFrame(list_builtins(), columns=["scenario", "what it shows"]).set_index("scenario"))

# %%
scenario = load_scenario("status_quo").with_(years=YEARS, salespeople=SALESPEOPLE, market_size=MARKET_SIZE)
result = simulate(scenario, seed=SEED)
summary = result.summary

# %% [markdown]
# ## 4. Read the results
#
# Three things come back:
#
# * `result.timeseries`: one row per week (revenue, clients won and lost, open deals, how hours were spent, cost of sales);
# * `result.staff`: one row per person per month (hours by activity, clients, pay, skills);
# * `result.summary`: yearly lists and headline numbers.

# %%
result.timeseries.tail(3)

# %%
result.staff[result.staff["role"] == "salesperson"].tail(3)

# %% [markdown]
# The yearly view a sales director reads first:

# %%
yearly = pd.DataFrame(
    {
        "revenue (millions)": [r / 1e6 for r in summary["annual_revenue"]],
        "of which cross-sell (millions)": [r / 1e6 for r in summary["annual_cross_sell_revenue"]],
        "new clients": summary["annual_new_clients"],
        "lost clients": summary["annual_lost_clients"],
        "clients at year end": summary["active_clients_end_of_year"],
        "hunting share of hours": summary["annual_hunting_share"],
        "cost of sales (millions)": [c / 1e6 for c in summary["annual_cost_of_sales"]],
    },
    index=pd.RangeIndex(1, YEARS + 1, name="year"),
)
yearly.style.format(
    {
        "revenue (millions)": "{:.1f}",
        "of which cross-sell (millions)": "{:.1f}",
        "hunting share of hours": "{:.0%}",
        "cost of sales (millions)": "{:.2f}",
    }
)

# %% [markdown]
# ## 5. The three figures that matter
#
# Revenue by year (split into first sales and cross-sell), new clients won per
# year, and where the salespeople's client-facing hours went.

# %%
overview_figure(result)

# %%
revenue = summary["annual_revenue"]
won = summary["annual_new_clients"]
shares = time_use(result.staff)
best = max(range(YEARS), key=lambda y: won[y])
last = YEARS - 1
md(
    f"""
**What this run shows.** Revenue went from {revenue[0] / 1e6:.1f} million in year 1 to
{revenue[last] / 1e6:.1f} million in year {YEARS}. The most clients were won in year {best + 1}
({won[best]}); in year {YEARS} it was {won[last]}. In year 1 the salespeople spent
{shares["prospecting"].iloc[0] + shares["pipeline"].iloc[0]:.0%} of their client-facing hours finding and
closing new clients (prospecting and pipeline) and {shares["servicing"].iloc[0]:.0%} servicing orders;
in year {YEARS} it was {shares["prospecting"].iloc[last] + shares["pipeline"].iloc[last]:.0%} and
{shares["servicing"].iloc[last]:.0%}.
"""
)

# %% [markdown]
# ## 6. Change a parameter
#
# Every input is a scenario key (`orgmodel keys` on the command line lists them with
# their defaults, allowed values and sources). `scenario.with_(key=value)` returns a
# changed copy; a wrong key or value raises an error that names it.
#
# Here: **spoiledness**, the share of the specification work a client leaves to the
# supplier (the essay's "about two thirds"). What if clients sent complete orders?

# %%
defaults = Scenario.field_sources()
default, meaning, source = defaults["spoiledness"]
md(f"`spoiledness`: {meaning} Default {default} (source: {source}).")

# %%
less_spoiled = simulate(scenario.with_(spoiledness=0.2, name="clients send near-complete orders"), seed=SEED)

years = list(range(1, YEARS + 1))
fig, (ax_rev, ax_won) = plt.subplots(1, 2, figsize=(15, 5.5), layout="constrained")
for run, label, colour in [
    (result, "spoiledness 0.67 (default)", "#c55a11"),
    (less_spoiled, "spoiledness 0.2", "#1f4e79"),
]:
    ax_rev.plot(years, [r / 1e6 for r in run.summary["annual_revenue"]], marker="o", lw=3, color=colour, label=label)
    ax_won.plot(years, run.summary["annual_new_clients"], marker="o", lw=3, color=colour, label=label)
ax_rev.set(title="Annual revenue", xlabel="Year", ylabel="Revenue (millions per year)", ylim=(0, None))
ax_won.set(title="New clients won per year", xlabel="Year", ylabel="New clients (number)", ylim=(0, None))
ax_rev.legend()
for ax in (ax_rev, ax_won):
    ax.set_xticks(years)
fig.suptitle("Status quo: what if clients did their own specification work?", fontsize=18, fontweight="bold")
plt.show()

# %%
a, b = result.summary, less_spoiled.summary
md(
    f"""
With clients doing more of their own specification work (spoiledness 0.2 instead of 0.67),
year-{YEARS} revenue is {b["annual_revenue"][last] / 1e6:.1f} million instead of {a["annual_revenue"][last] / 1e6:.1f}
million, and {b["annual_new_clients"][last]} new clients are won in year {YEARS} instead of {a["annual_new_clients"][last]}.
"""
)

# %% [markdown]
# ## Next
#
# * Save a run's tables, summary and figure: `orgmodel.outputs.write_run(result, "out/my_run")`,
#   or on the command line `orgmodel run status_quo --set spoiledness=0.2 --out out/my_run`.
# * `02_the_stagnation_trap.ipynb` tells the whole story of the trap, in workshop order.
