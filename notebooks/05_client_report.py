# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %%
# Client report template: a parameterised report for one client company.
#
# Set the client's numbers in the parameters cell below (or pass them with papermill)
# and render the report to HTML without code cells, from the repository's folder:
#
#   .venv/bin/papermill notebooks/05_client_report.ipynb out/acme/report.ipynb \
#       -p company_name "Acme Trading" -p salespeople 12 -p market_size 2000 -p spoiledness 0.6
#   .venv/bin/jupyter nbconvert --to html --no-input out/acme/report.ipynb
#
# The second command writes out/acme/report.html: text, tables and figures only (this
# notebook's code cells, this one included, are left out). Every sentence of the
# report is built from the numbers the simulation computes.

# %% tags=["parameters"]
company_name = "Example Trading Ltd"
salespeople = 12  # people who win clients today
account_managers = 0  # people who only keep clients today
market_size = 1800  # companies in the market that could become clients
spoiledness = 0.67  # share of the specification work clients leave to you (0 to 1)
structure = "full_cycle"  # today's structure (orgmodel scenarios --keys lists them)
incentive = "volume_commission"  # today's pay scheme
years = 8  # horizon of the projection
histories = 3  # simulated histories per option: 3 is quick, 10 or more for the final report
first_seed = 1

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from orgmodel import simulate
from orgmodel.analysis.compare import compare_arms
from orgmodel.analysis.figures import overview_figure
from orgmodel.analysis.summary import time_use
from orgmodel.scenario import ScenarioError, load_scenario

# large type and light grids, readable on a projector
sns.set_theme(context="talk", style="whitegrid", rc={"figure.figsize": (12, 5.5), "axes.titleweight": "bold"})


def md(text: str) -> None:
    """Show report text built from computed numbers."""
    display(Markdown(text))


def millions(x: float) -> str:
    """Money as the report writes it."""
    return f"{x / 1e6:,.1f} million"


# %%
# The options the report compares: today's organisation and the alternatives below
# (scenario keys changed from today's). Options that cannot be combined with today's
# set-up, or that are the same as today's, are left out.
CURRENT = "Today's organisation"
OPTIONS = {
    "Split roles: hunters and account managers": {
        "structure": "hunter_farmer",
        "incentive": "split_commission",
        "account_managers": max(2, account_managers),
        "hire_account_managers": True,
    },
    "Capped portfolios: keep up to 15 clients each": {
        "structure": "capped_portfolio",
        "incentive": "split_commission",
        "account_managers": max(2, account_managers),
        "hire_account_managers": True,
    },
    "Order desk: agents specify orders and chase shipments": {"structure": "service_desk"},
    "Bonus per new client, same structure": {"incentive": "new_client_bonus"},
    "Replace the lowest performers every year": {"management_response": "replace_low_performers"},
}

# %%
client = {
    "name": company_name,
    "years": years,
    "salespeople": salespeople,
    "account_managers": account_managers,
    "market_size": market_size,
    "spoiledness": spoiledness,
    "structure": structure,
    "incentive": incentive,
}
today = load_scenario(None, client)
scenarios = {CURRENT: today}
left_out = []
for option, changes in OPTIONS.items():
    try:
        candidate = load_scenario(None, {**client, **changes})
    except ScenarioError as error:
        left_out.append(f"{option} ({error})")
        continue
    if candidate.with_(name=today.name) == today:
        left_out.append(f"{option} (the same as today's organisation)")
        continue
    scenarios[option] = candidate

seeds = list(range(first_seed, first_seed + histories))
runs = {option: [simulate(sc, seed=seed) for seed in seeds] for option, sc in scenarios.items()}


def yearly(option: str, key: str) -> np.ndarray:
    """One row per history, one column per year."""
    return np.array([r.summary[key] for r in runs[option]], dtype=float)


def headcount(option: str) -> np.ndarray:
    """Client-facing staff (salespeople, account managers, desk agents) in the last month, per history."""
    return np.array([r.staff.loc[r.staff["month"] == r.staff["month"].max(), "person"].nunique() for r in runs[option]])


# %%
staff_today = f"{salespeople} salespeople" + (
    f" and {account_managers} account manager{'s' if account_managers != 1 else ''}" if account_managers else ""
)
md(
    f"""
# Sales organisation review: {company_name}

**What was modelled.** {company_name} today: {staff_today},
{today.structure.replace("_", "-")} structure, paid by {today.incentive.replace("_", " ")}, in a market of
{market_size:,} companies that could become clients; clients leave {spoiledness:.0%} of the specification work of
their orders to {company_name}. The simulation follows the organisation week by week for {years} years, starting
without clients, {histories} times with different chance events (the ranges below), for today's organisation and
{len(scenarios) - 1} alternatives.
"""
)

# %% [markdown]
# ## If nothing changes

# %%
final_revenue = yearly(CURRENT, "annual_revenue")[:, -1]
typical = runs[CURRENT][int(np.argsort(final_revenue)[len(final_revenue) // 2])]
overview_figure(typical)

# %%
rev = yearly(CURRENT, "annual_revenue")
won = yearly(CURRENT, "annual_new_clients")
shares = time_use(typical.staff)
service_share_last = shares["servicing"].iloc[-1]
hunting_share_first = shares["prospecting"].iloc[0] + shares["pipeline"].iloc[0]
hunting_share_last = shares["prospecting"].iloc[-1] + shares["pipeline"].iloc[-1]
growth_last = (rev[:, -1] / rev[:, -4]) ** (1 / 3) - 1
md(
    f"""
The figure shows one typical history (the median of {histories} by year-{years} revenue). Over all histories:

* revenue in year {years} is {millions(rev[:, -1].mean())} (range {millions(rev[:, -1].min())} to
  {millions(rev[:, -1].max())}); over the last three years it grows by {growth_last.mean():+.1%} a year on average;
* new clients: {won[:, 0].mean():.0f} in year 1 and {won[:, -1].mean():.0f} in year {years};
* in the typical history the salespeople spend {hunting_share_first:.0%} of their client-facing hours finding and
  closing new clients in year 1 and {hunting_share_last:.0%} in year {years}; servicing orders takes
  {service_share_last:.0%} in year {years}.
"""
)

# %% [markdown]
# ## The options

# %%
palette = ["#c55a11", "#1f4e79", "#70ad47", "#7030a0", "#7f7f7f", "#bf9000"]
colours = dict(zip(scenarios, palette, strict=False))
year_axis = np.arange(1, years + 1)
panels = [
    ("annual_revenue", "Annual revenue", "Revenue (millions per year)", 1e6),
    ("annual_new_clients", "New clients won per year", "New clients (number)", 1),
    ("annual_contribution", "Contribution after all sales pay", "Gross margin minus sales pay (millions)", 1e6),
]
fig, axes = plt.subplots(1, 3, figsize=(19, 6.5), layout="constrained")
for ax, (key, title, ylabel, scale) in zip(axes, panels, strict=True):
    for option in scenarios:
        values = yearly(option, key) / scale
        for row in values:
            ax.plot(year_axis, row, color=colours[option], alpha=0.25, lw=1)
        ax.plot(year_axis, values.mean(axis=0), color=colours[option], lw=3.5, marker="o", label=option)
    ax.set(title=title, xlabel="Year", ylabel=ylabel, xticks=year_axis)
    ax.set_ylim(min(0, ax.get_ylim()[0]), None)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=min(3, len(scenarios)), frameon=False)
fig.suptitle(f"{company_name}: today's organisation and the alternatives", fontsize=19, fontweight="bold")
plt.show()

# %%
contribution_key = f"contribution, years 1-{years} (millions)"
per_history = pd.DataFrame(
    [
        {"option": option, "contribution": total / 1e6}
        for option in scenarios
        for total in yearly(option, "annual_contribution").sum(axis=1)
    ]
)
against_today = compare_arms(per_history["contribution"], per_history["option"], reference=CURRENT).set_index("arm")
rows = []
for option in scenarios:
    revenue = yearly(option, "annual_revenue")
    cost = yearly(option, "annual_cost_of_sales")
    ci = against_today.loc[option]
    rows.append(
        {
            "option": option,
            f"revenue, year {years} (millions)": revenue[:, -1].mean() / 1e6,
            contribution_key: ci["mean"],
            "95% interval": f"{ci['ci_low']:,.1f} to {ci['ci_high']:,.1f}",
            "difference from today": ""
            if option == CURRENT
            else f"{ci['diff']:+,.1f} ({ci['diff_low']:+,.1f} to {ci['diff_high']:+,.1f})",
            f"cost of sales, year {years} (% of revenue)": (cost[:, -1] / revenue[:, -1]).mean(),
            f"new clients, year {years}": yearly(option, "annual_new_clients")[:, -1].mean(),
            f"client-facing staff, year {years}": headcount(option).mean(),
        }
    )
table = pd.DataFrame(rows).set_index("option").sort_values(contribution_key, ascending=False)
display(
    table.style.format(
        {
            f"revenue, year {years} (millions)": "{:,.1f}",
            contribution_key: "{:,.1f}",
            f"cost of sales, year {years} (% of revenue)": "{:.1%}",
            f"new clients, year {years}": "{:.0f}",
            f"client-facing staff, year {years}": "{:.0f}",
        }
    ).set_caption(f"Means of {histories} histories, best contribution first; intervals: bootstrap 95% confidence intervals")
)

# %% [markdown]
# ## Recommendation

# %%
best = table.index[0]
current_row = table.loc[CURRENT]
best_row = table.loc[best]
staff_key = f"client-facing staff, year {years}"
if best == CURRENT:
    verdict = (
        f"None of the alternatives modelled brings a higher contribution over {years} years than today's organisation "
        f"({current_row[contribution_key]:,.1f} million)."
    )
elif against_today.loc[best, "diff_low"] > 0:
    verdict = (
        f"**{best}** brings the highest contribution over {years} years: {best_row[contribution_key]:,.1f} million "
        f"against {current_row[contribution_key]:,.1f} million today, {against_today.loc[best, 'diff']:+,.1f} million "
        f"(95% interval {against_today.loc[best, 'diff_low']:+,.1f} to {against_today.loc[best, 'diff_high']:+,.1f}). "
        f"It needs {best_row[staff_key]:.0f} client-facing staff by year {years} against {current_row[staff_key]:.0f} today."
    )
else:
    verdict = (
        f"**{best}** has the highest mean contribution over {years} years ({best_row[contribution_key]:,.1f} million "
        f"against {current_row[contribution_key]:,.1f} million today), but the 95% interval of the difference includes "
        f"zero: run the report with more histories before deciding."
    )
md(verdict)
if left_out:
    md("Not modelled: " + "; ".join(left_out) + ".")

# %% [markdown]
# ## How to read this report
#
# The numbers come from an agent-based simulation of a sales organisation (orgmodel): every
# salesperson, account manager, client company and the people in its buying centre, week by
# week. It compares organisations under the same assumptions; it is not a forecast of your
# revenue. The assumptions and their sources are in orgmodel's `docs/ODD.md` and
# `docs/parameters.md`.
