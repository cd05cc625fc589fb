# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The stagnation trap
#
# A workshop in six steps, in the order a trainer tells it:
#
# 1. A young company grows.
# 2. The salespeople's weeks fill with service work.
# 3. Growth stalls.
# 4. Management's view ("they got lazy") next to the cause (where their hours went).
# 5. What firing the "lazy" ones does.
# 6. What a restructuring does.
#
# At the end, a check of the model against a published finding: the share of a
# salesperson's time on winning new clients at which they perform best.
#
# The company: 20 salespeople in a market of 3,000 possible client companies. Each
# salesperson finds clients, closes them, and keeps every client they win: they
# write the client's orders up into full specifications, chase shipments, settle
# complaints and sell further product lines. They are paid a commission on the
# revenue of their own clients. Every number in the text below is computed by the
# cells above it; run all cells (**Run → Run All Cells**) after changing anything.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from IPython.display import Markdown, display

from orgmodel import simulate
from orgmodel.analysis.figures import ACTIVITY_COLOURS, ACTIVITY_LABELS
from orgmodel.analysis.new_client_fall import new_client_fall
from orgmodel.scenario import load_scenario

# large type and light grids, readable on a projector
sns.set_theme(context="talk", style="whitegrid", rc={"figure.figsize": (12, 5.5), "axes.titleweight": "bold"})
STATUS_QUO, RESTRUCTURED, FIRED = "#c55a11", "#1f4e79", "#7f7f7f"


def md(text: str) -> None:
    """Show commentary built from computed numbers as formatted text."""
    display(Markdown(text))


def millions(x: float) -> str:
    """Money as the text says it."""
    return f"{x / 1e6:.1f} million"


# %% [markdown]
# ## Size of the runs  ⟵ *scale up here*
#
# The story follows one company history (`SEED`). Steps 5 and 6 compare policies
# over `SEEDS` histories so that a difference is not luck; three keep the notebook
# quick, ten or more are worth presenting.

# %%
SEED = 1
SEEDS = [1, 2, 3]
SIZE = {"salespeople": 20, "market_size": 3000}
YEARS = 10  # the restructuring happens in year 5, so at least 6

# %%
status_quo = load_scenario("status_quo").with_(years=YEARS, **SIZE)
story = simulate(status_quo, seed=SEED)
s = story.summary
years = np.arange(1, YEARS + 1)
revenue = np.asarray(s["annual_revenue"])
cross_sell = np.asarray(s["annual_cross_sell_revenue"])
won = np.asarray(s["annual_new_clients"])

# %% [markdown]
# ## 1. A young company grows

# %%
first_years = 3
fig, ax = plt.subplots()
ax.bar(years[:first_years], (revenue - cross_sell)[:first_years] / 1e6, color="#4472c4", label="First product lines")
ax.bar(
    years[:first_years],
    cross_sell[:first_years] / 1e6,
    bottom=(revenue - cross_sell)[:first_years] / 1e6,
    color="#70ad47",
    label="Cross-sell (further lines)",
)
ax.set(title="The first three years: revenue", xlabel="Year", ylabel="Revenue (millions per year)", xticks=years[:first_years])
ax.legend(loc="upper left")
plt.show()

# %%
md(
    f"""
Revenue goes from {millions(revenue[0])} in year 1 to {millions(revenue[2])} in year 3,
{revenue[2] / revenue[0]:.1f} times as much. The salespeople won {won[0]} clients in year 1,
{won[1]} in year 2 and {won[2]} in year 3. From year 2 on, most of the growth is
**cross-sell**: further product lines sold to clients already won
({millions(cross_sell[2])} of year 3's {millions(revenue[2])}).
"""
)

# %% [markdown]
# ## 2. The salespeople's weeks fill with service work
#
# Each salesperson has the same week throughout: the contracted hours minus travel and
# admin. What changes is what those hours go to. Every client won brings orders to
# specify, shipments to chase, problems and complaints, and the salesperson who won it
# does all of that.

# %%
sales = story.staff[story.staff["role"] == "salesperson"]
hour_columns = [f"hours_{a}" for a in ACTIVITY_COLOURS]
# months have four or five weeks: take each month's shares of a week's client-facing hours
monthly = sales.groupby("month")[hour_columns].sum()
per_week = monthly.div(monthly.sum(axis=1), axis=0) * status_quo.available_hours
per_week.columns = list(ACTIVITY_COLOURS)
months = per_week.index.to_numpy()

fig, ax = plt.subplots(figsize=(14, 6))
ax.stackplot(
    (months - 0.5) / 12,
    [per_week[a] for a in ACTIVITY_COLOURS],
    colors=list(ACTIVITY_COLOURS.values()),
    labels=[ACTIVITY_LABELS[a] for a in ACTIVITY_COLOURS],
)
ax.set(
    title="A salesperson's week: client-facing hours by activity",
    xlabel="Years since the start",
    ylabel="Hours per salesperson per week",
    xlim=(0, YEARS),
    xticks=range(YEARS + 1),
)
handles, labels = ax.get_legend_handles_labels()
ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
plt.show()

# %%
yearly_hours = sales.groupby("year")[hour_columns].sum().div(sales.groupby("year")["person"].nunique() * 52, axis=0)
yearly_hours.columns = list(ACTIVITY_COLOURS)
hunting = yearly_hours["prospecting"] + yearly_hours["pipeline"]
servicing = yearly_hours["servicing"]
week_hours = yearly_hours.sum(axis=1)
md(
    f"""
In year 1 a salesperson spends {hunting.iloc[0]:.1f} of their {week_hours.iloc[0]:.0f} client-facing hours a
week on finding and closing new clients (prospecting and pipeline) and {servicing.iloc[0]:.1f} on servicing
orders. By year 4 it is {hunting.iloc[3]:.1f} and {servicing.iloc[3]:.1f}; in year {YEARS}, {hunting.iloc[-1]:.1f}
and {servicing.iloc[-1]:.1f}. The service work comes with every client won, and the salesperson who won it
does it.
"""
)

# %% [markdown]
# ## 3. Growth stalls

# %%
fig, (ax_rev, ax_won) = plt.subplots(1, 2, figsize=(15, 5.5), layout="constrained")
ax_rev.bar(years, (revenue - cross_sell) / 1e6, color="#4472c4", label="First product lines")
ax_rev.bar(years, cross_sell / 1e6, bottom=(revenue - cross_sell) / 1e6, color="#70ad47", label="Cross-sell (further lines)")
ax_rev.set(title="Annual revenue", xlabel="Year", ylabel="Revenue (millions per year)", xticks=years)
ax_rev.legend(loc="upper left")
bars = ax_won.bar(years, won, color="#2f5597")
ax_won.bar_label(bars, padding=3)
ax_won.set(title="New clients won per year", xlabel="Year", ylabel="New clients (number)", xticks=years)
fig.suptitle("Ten years of the status quo", fontsize=18, fontweight="bold")
plt.show()

# %%
growth_late = (revenue[-1] / revenue[-4]) ** (1 / 3) - 1
md(
    f"""
After year 3 revenue grows by {revenue[3] / revenue[2] - 1:.0%} in year 4 and then
{growth_late:+.1%} a year on average over the last three years: {millions(revenue[-1])} in year {YEARS}.
New clients fall from {won.max()} in the best year to {won[-1]} in year {YEARS}. The market is not the
limit: at the end {s["market_share_of_companies"]:.0%} of its companies are clients. Cross-sell revenue, which
carried the middle years, was {millions(cross_sell[1])} in year 2, {millions(cross_sell[4])} in year 5 and
{millions(cross_sell[-1])} in year {YEARS}: a client's further lines can be sold only once.
"""
)

# %% [markdown]
# ## 4. Management's view, and the cause
#
# Management reads the number it always reads: new clients per salesperson. It has
# fallen, the people are the same, so the people must have changed: "they got
# lazy". The panels on the right look at the same people's hours instead.
#
# The loops behind it (drawn from the model's own links by `python -m orgmodel.analysis.loops`):
# every client won adds service hours that come out of hunting; cross-selling to
# one's own clients pays better per hour; and management's fix adds load where it
# means to add hunting.
#
# ![The stagnation trap's feedback loops](../docs/images/stagnation_trap_loops.png)

# %%
heads_by_year = sales.groupby("year")["person"].nunique().to_numpy()
won_per_head = won / heads_by_year
hunting_hours_year = hunting.to_numpy() * 52 * heads_by_year
won_per_100_hunting_hours = 100 * won / hunting_hours_year
skill = sales.groupby("year")["hunting_skill"].mean().to_numpy()

fig, axes = plt.subplots(2, 2, figsize=(18, 11.5), layout="constrained")
(ax_kpi, ax_hours), (ax_rate, ax_skill) = axes
ax_kpi.bar(years, won_per_head, color="#2f5597")
ax_kpi.set(title="Management's view: new clients per salesperson", xlabel="Year", ylabel="New clients per year")

ax_hours.plot(years, hunting, marker="o", lw=3, color=ACTIVITY_COLOURS["prospecting"], label="Finding and closing new clients")
ax_hours.plot(years, servicing, marker="o", lw=3, color=ACTIVITY_COLOURS["servicing"], label="Servicing orders")
ax_hours.plot(years, week_hours, ls="--", lw=2, color="black", label="All client-facing hours")
ax_hours.set(title="The cause: where their hours went", xlabel="Year", ylabel="Hours per week", ylim=(0, None))
ax_hours.legend(loc="lower right", bbox_to_anchor=(1, 0.2), fontsize="small")

ax_rate.bar(years, won_per_100_hunting_hours, color=ACTIVITY_COLOURS["pipeline"])
ax_rate.set(title="Clients won per 100 hours of selling", xlabel="Year", ylabel="New clients per 100 hours")

ax_skill.plot(years, skill, marker="o", lw=3, color="black")
ax_skill.set(title="Their selling skill", xlabel="Year", ylabel="Mean hunting skill (1 = average)", ylim=(0, 1.5))
for ax in axes.flat:
    ax.set_xticks(years)
fig.suptitle("They did not get lazy: their week went to service", fontsize=22, fontweight="bold")
plt.show()

# %%
low, high = round(week_hours.min()), round(week_hours.max())
week_range = f"{low}" if low == high else f"{low}–{high}"
per_hour_trend = (
    "did not fall"
    if won_per_100_hunting_hours[-1] >= 0.9 * won_per_100_hunting_hours[0]
    else "fell, though less than their selling hours did"
    if won_per_100_hunting_hours[-1] / won_per_100_hunting_hours[0] > hunting.iloc[-1] / hunting.iloc[0]
    else "fell as much as their selling hours"
)
md(
    f"""
New clients per salesperson fell from {won_per_head[0]:.1f} in year 1 to {won_per_head[-1]:.1f} in year {YEARS}.
Over the same years:

* the client-facing week stayed at {week_range} hours: nobody works less;
* the hours spent finding and closing new clients fell from {hunting.iloc[0]:.1f} to {hunting.iloc[-1]:.1f} a week,
  and servicing rose from {servicing.iloc[0]:.1f} to {servicing.iloc[-1]:.1f};
* per 100 hours of selling they won {won_per_100_hunting_hours[0]:.1f} clients in year 1 and
  {won_per_100_hunting_hours[-1]:.1f} in year {YEARS}: their success per hour of selling {per_hour_trend};
* their mean selling skill was {skill[0]:.2f} in year 1 and {skill[-1]:.2f} in year {YEARS}.

The salespeople's skills did not change. Their job did: the company no longer has a sales department,
it has an account-management department that still carries the name.
"""
)

# %% [markdown]
# ### How much of the fall is time, how much is skill?
#
# A salesperson's new clients are their hours of hunting (prospecting and pipeline) times
# their hunting skill times the clients a skilled hour wins. So the fall in new clients per
# salesperson since management's best year splits into the **time taken by service** (the
# hunting hours that went), the **skill that faded** (each person's own hunting skill,
# against their first month) and the rest (the market, deals still in flight, who is on the
# team). In the default model skills are constant, so the second part is zero by
# construction. With the `skills_move` mechanism on (`specialisation = "skills_move"`,
# docs/ODD.md 7.17) skills grow with practice and fade without it; the same company is run
# again that way to show the second part.

# %%
practised = simulate(status_quo.with_(specialisation="skills_move"), seed=SEED)
falls = {
    "Skills constant (the default)": new_client_fall(story.staff),
    "Skills move with practice (skills_move)": new_client_fall(practised.staff),
}
fig, axes = plt.subplots(1, 2, figsize=(18, 6.5), layout="constrained", sharey=True)
for ax, (title, fall) in zip(axes, falls.items(), strict=True):
    base = fall.attrs["base_year"]
    ax.bar(fall.index, 100 * np.exp(fall["fall"]), color="#2f5597", alpha=0.35, label="new clients per salesperson")
    ax.plot(
        fall.index,
        100 * np.exp(fall["hours"]),
        marker="o",
        lw=3,
        color=ACTIVITY_COLOURS["servicing"],
        label="if only their hunting hours had changed",
    )
    both = 100 * np.exp(fall["hours"] + fall["skill"])
    ax.plot(fall.index, both, marker="o", lw=3, ls="--", color="black", label="hours and skill lost")
    ax.axhline(100, color="grey", lw=1)
    ax.set(title=title, xlabel="Year", ylabel=f"% of year {base}", xticks=years)
axes[0].legend(loc="upper right", fontsize="small")
fig.suptitle("New clients per salesperson against the best year: time taken by service, skill that faded", fontweight="bold")
plt.show()


# %%
def fall_text(fall) -> str:
    """The fall from the base year to the last year in words: what is left, and which part took what."""
    base, last = fall.attrs["base_year"], fall.iloc[-1]
    if not last["fall"] < 0:
        return f"new clients per salesperson in year {YEARS} are not below year {base}'s."
    rest = np.exp(last["team"] + last["other"])
    text = (
        f"in year {YEARS} a salesperson wins {np.exp(last['fall']):.0%} of year {base}'s new clients. Their hunting hours "
        f"alone would leave {np.exp(last['hours']):.0%}"
    )
    if last["skill"] == 0.0:
        rest_text = f"; the rest (market, deals in flight, team) multiplies that by {rest:.2f}."
        return text + rest_text + " Skill is constant, so none of the fall is skill."
    return text + (
        f"; the hunting skill they lost multiplies that by {np.exp(last['skill']):.2f}, the rest (market, deals in flight, "
        f"team) by {rest:.2f}. Of the fall (in logs) the time taken by service is {last['hours'] / last['fall']:.0%}, "
        f"the skill that faded {last['skill'] / last['fall']:.0%}."
    )


constant, moving = falls.values()
md(
    f"""
Against the best year after the first (year 1 is left out: its hunting hours win their clients only after the
sales cycle and implementation, about half a year):

* **Skills constant** (the default): {fall_text(constant)} The fall is the structure's.
* **Skills that move**: {fall_text(moving)} Mean hunting skill went from {moving["hunting_skill"].iloc[0]:.2f}
  in year 1 to {moving["hunting_skill"].iloc[-1]:.2f} in year {YEARS}: a salesperson who services all week loses
  the practice. That part of "they got lazy" is measurable, and it too comes from where the week goes.
"""
)

# %% [markdown]
# The pay scheme rewards the drift. A salesperson's variable pay is a commission on the
# revenue of their clients, and serial clients with several product lines bring the most.

# %%
pay = np.asarray(s["salesperson_variable_pay_per_head"]) / 1e3
fig, (ax_pay, ax_won2) = plt.subplots(1, 2, figsize=(16, 6), layout="constrained")
ax_pay.bar(years, pay, color="#70ad47")
ax_pay.set(title="Variable pay per salesperson", xlabel="Year", ylabel="Thousands per year", xticks=years)
ax_won2.plot(years, won_per_head, marker="o", lw=3, color="#2f5597")
ax_won2.set(title="New clients per salesperson", xlabel="Year", ylabel="New clients per year", xticks=years, ylim=(0, None))
fig.suptitle("Variable pay rose while new clients fell", fontsize=20, fontweight="bold")
plt.show()

# %%
top_pay_year = int(np.argmax(pay)) + 1
md(
    f"""
Variable pay per salesperson was {pay[0]:.0f} thousand in year 1 and {pay[-1]:.0f} thousand in year {YEARS}
(highest in year {top_pay_year}: {pay.max():.0f} thousand), while new clients per salesperson went from
{won_per_head[0]:.1f} to {won_per_head[-1]:.1f}. The scheme pays for keeping clients, and that is what the
salespeople do.
"""
)

# %% [markdown]
# ## Comparing policies
#
# Steps 5 and 6 change one thing about this company and compare it with the status quo
# over the same `SEEDS`: a run with the same seed is the same company with the same
# chance events until the policies differ. Thick lines are the mean of the histories,
# thin lines each history.

# %%
status_quo_runs = [story if seed == SEED else simulate(status_quo, seed=seed) for seed in SEEDS]
colours = {"status quo": STATUS_QUO, "restructured in year 5": RESTRUCTURED, "fire the lowest performers": FIRED}
PANELS = {  # summary key: (panel title, axis label, divisor)
    "annual_revenue": ("Annual revenue", "Revenue (millions per year)", 1e6),
    "annual_new_clients": ("New clients won per year", "New clients (number)", 1),
    "annual_lost_clients": ("Clients lost per year", "Clients lost (number)", 1),
    "annual_contribution": ("Contribution after all sales pay", "Gross margin minus sales pay (millions)", 1e6),
}


def yearly(runs_of_policy: list, key: str) -> np.ndarray:
    """One row per seed, one column per year."""
    return np.array([r.summary[key] for r in runs_of_policy], dtype=float)


def compare_figure(runs: dict, title: str, panels: list[str], change_year: int | None = None) -> plt.Figure:
    """Mean of the seeds as a thick line, each seed as a thin one, for every policy in ``runs``; one panel per summary key."""
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 6), layout="constrained")
    for ax, key in zip(axes, panels, strict=True):
        panel_title, ylabel, scale = PANELS[key]
        for policy, policy_runs in runs.items():
            values = yearly(policy_runs, key) / scale
            for row in values:
                ax.plot(years, row, color=colours[policy], alpha=0.25, lw=1)
            ax.plot(years, values.mean(axis=0), color=colours[policy], lw=3.5, marker="o", label=policy)
        if change_year is not None:
            ax.axvline(change_year - 0.5, color="black", ls=":", lw=2)
            ax.annotate(
                " change", xy=(change_year - 0.5, 0.02), xycoords=("data", "axes fraction"), ha="left", va="bottom", fontsize=14
            )
        ax.set(title=panel_title, xlabel="Year", ylabel=ylabel, xticks=years)
        ax.set_ylim(min(0, ax.get_ylim()[0]), None)
    axes[0].legend(loc="upper left")
    fig.suptitle(title, fontsize=19, fontweight="bold")
    fig.supxlabel(
        f"Thick lines: mean of {len(SEEDS)} company histories (seeds); thin lines: each history.",
        fontsize=14,
        color="#555555",
    )
    return fig


# %% [markdown]
# ## 5. What firing the "lazy" ones does
#
# Management acts on its diagnosis. The built-in scenario
# `status_quo_replace_low_performers` is the status quo plus one rule: at every year end the
# salespeople who won the fewest new clients that year (the bottom 10%) are let go and
# replaced. Their clients go to colleagues through a hand-over, with relationships and client
# knowledge partly lost; each replacement starts after the hiring delay, with no clients.

# %%
fire = load_scenario("status_quo_replace_low_performers").with_(years=YEARS, **SIZE)
runs = {"status quo": status_quo_runs, "fire the lowest performers": [simulate(fire, seed=seed) for seed in SEEDS]}
compare_figure(
    runs,
    "Firing the salespeople with the fewest new clients, every year",
    panels=["annual_revenue", "annual_new_clients", "annual_lost_clients"],
)
plt.show()

# %%
fired_runs = runs["fire the lowest performers"]
let_go, leaver_skill, kept_skill, leaver_won, others_won = [], [], [], [], []
for run in fired_runs:
    actions = [a for a in run.summary["response_actions"] if a.get("let_go")]
    leavers = {person for a in actions for person in a["let_go"]}
    let_go.append(len(leavers))
    skills = run.staff[run.staff["role"] == "salesperson"].groupby("person")["hunting_skill"].first()
    leaver_skill.append(skills[skills.index.isin(leavers)].mean())
    kept_skill.append(skills[~skills.index.isin(leavers)].mean())
    leaver_won += [n for a in actions for n in a["new_clients_of_leavers"]]
    others_won += [n for a in actions for n in a["new_clients_of_others"]]
last3 = slice(YEARS - 3, YEARS)
won_fire = yearly(fired_runs, "annual_new_clients")[:, last3].sum(axis=1)
won_sq3 = yearly(status_quo_runs, "annual_new_clients")[:, last3].sum(axis=1)
lost_fire = yearly(fired_runs, "annual_lost_clients")[:, last3].sum(axis=1)
lost_sq3 = yearly(status_quo_runs, "annual_lost_clients")[:, last3].sum(axis=1)
rev_fire = yearly(fired_runs, "annual_revenue")[:, -1]
rev_sq_last = yearly(status_quo_runs, "annual_revenue")[:, -1]
lower = int((rev_fire < rev_sq_last).sum())
measured = "rises" if won_fire.mean() > won_sq3.mean() else "does not rise"
md(
    f"""
Over {YEARS} years management lets go {np.mean(let_go):.0f} salespeople on average (mean of {len(SEEDS)} histories)
and hires as many replacements. In the year they were let go, those fired had won {np.mean(leaver_won):.1f} new clients
on average, the colleagues who stayed {np.mean(others_won):.1f}. Their selling skill was {np.nanmean(leaver_skill):.2f}
against {np.nanmean(kept_skill):.2f} for everyone else who worked there (1.0 is average).

What management measures {measured}: in years {YEARS - 2}-{YEARS} the company wins {won_fire.mean():.0f} new clients against
the status quo's {won_sq3.mean():.0f}. It also loses {lost_fire.mean():.0f} clients in those years against
{lost_sq3.mean():.0f}. Revenue in year {YEARS} is {millions(rev_fire.mean())} against {millions(rev_sq_last.mean())};
it is lower than the status quo's in {lower} of the {len(SEEDS)} histories.
"""
)

# %% [markdown]
# ## 6. What a restructuring does
#
# The built-in scenario `status_quo_restructured_year5` runs the same company as the
# status quo for four years and then splits the roles in week 209 (the start of year 5):
# salespeople become hunters who win clients and hand them to account managers after
# implementation; account managers are hired as the existing ones fill up; commission is
# split between the hunter and the account manager. The hand-over has costs: joint
# visits, relationships and client knowledge partly lost.

# %%
restructured = load_scenario("status_quo_restructured_year5").with_(years=YEARS, **SIZE)
runs = {"status quo": status_quo_runs, "restructured in year 5": [simulate(restructured, seed=seed) for seed in SEEDS]}
compare_figure(
    runs,
    "Splitting hunting from account management in year 5",
    panels=["annual_revenue", "annual_new_clients", "annual_contribution"],
    change_year=5,
)
plt.show()

# %%
sq, rs = runs["status quo"], runs["restructured in year 5"]
rev_sq, rev_rs = yearly(sq, "annual_revenue").mean(0), yearly(rs, "annual_revenue").mean(0)
won_sq, won_rs = yearly(sq, "annual_new_clients").mean(0), yearly(rs, "annual_new_clients").mean(0)
con_sq, con_rs = yearly(sq, "annual_contribution").mean(0), yearly(rs, "annual_contribution").mean(0)
cost_sq, cost_rs = yearly(sq, "annual_cost_of_sales").mean(0), yearly(rs, "annual_cost_of_sales").mean(0)
ams = yearly(rs, "account_managers_end_of_year").mean(0)
worse_contribution = [int(y) for y in years[4:] if con_rs[y - 1] < con_sq[y - 1]]
md(
    f"""
Mean of {len(SEEDS)} histories. In year 5, the year of the switch, the restructured company wins
{won_rs[4]:.0f} new clients against the status quo's {won_sq[4]:.0f}, and it has {ams[4]:.0f} account managers
at the end of that year ({ams[-1]:.0f} by year {YEARS}). Revenue in year {YEARS} is {millions(rev_rs[-1])} against
{millions(rev_sq[-1])}. The extra people cost money: cost of sales in year {YEARS} is {millions(cost_rs[-1])}
against {millions(cost_sq[-1])}, and contribution after paying everyone is {millions(con_rs[-1])} against
{millions(con_sq[-1])}.
"""
    + (
        "Its contribution is not below the status quo's in any year after the switch."
        if not worse_contribution
        else f"Its contribution is below the status quo's in year(s) {', '.join(map(str, worse_contribution))} "
        f"and above it in year {YEARS}: the switch costs contribution before it pays."
        if con_rs[-1] > con_sq[-1]
        else f"Its contribution is below the status quo's in year(s) {', '.join(map(str, worse_contribution))}."
    )
)

# %% [markdown]
# ## What to take away

# %%
firing_helped = rev_fire.mean() > 1.05 * rev_sq_last.mean()
md(
    f"""
* The status quo's slowdown comes from the structure: the people who could win clients spend their week
  servicing the ones they already have ({servicing.iloc[-1]:.0f} of {week_hours.iloc[-1]:.0f} client-facing hours
  in year {YEARS}), and the pay scheme rewards it. Their skills did not change.
* When skills move with practice, part of the fall is skill that faded: {
        moving.iloc[-1]["skill"] / moving.iloc[-1]["fall"]:.0%} of it (in logs) against {
        moving.iloc[-1]["hours"] / moving.iloc[-1]["fall"]:.0%} for the time taken by service. The skill fades
  because service takes the week: both parts come from the structure.
* "New clients per salesperson" measures the structure, not the people.
* Firing the salespeople with the fewest new clients {
        "raised" if won_fire.mean() > won_sq3.mean() else "did not raise"
    } the number of new clients in the last three years ({won_fire.mean():.0f} against {won_sq3.mean():.0f}) and {
        "raised" if firing_helped else "did not raise"
    } revenue in year {YEARS} by more than 5% ({millions(rev_fire.mean())} against {millions(rev_sq_last.mean())}).
* Splitting hunting from account management, with account managers hired as the client base grows, keeps new
  clients coming ({won_rs[-1]:.0f} in year {YEARS} against {won_sq[-1]:.0f}); the hand-over and the extra people
  have a cost, shown above in contribution.

The model behind these numbers, its assumptions and sources: `docs/ODD.md`; the management responses:
`docs/policies/responses.md`.
"""
)


# %% [markdown]
# ## Check: the share of time on winning new clients
#
# Carter, Henderson, Arroniz & Palmatier (2014) find an inverted U between the share of a
# salesperson's time spent on acquisition and their performance, best near 45%. Here the
# status quo is run with that share fixed (`fixed_hunting_share`, reserved before servicing),
# at a small size so that the cell stays quick, with the specialisation mechanisms off (the
# default) and all on. `experiments/acquisition_share.toml` is the same check with more
# runs; the README reports it.

# %%
SHARES = [0.15, 0.3, 0.45, 0.6, 0.75]
CHECK_SIZE = {"salespeople": 8, "market_size": 1200}
CHECK_SEEDS = SEEDS[:2]
check = status_quo.with_(**CHECK_SIZE)


def total_revenue(share: float, mechanisms: str) -> float:
    """Revenue over the run in millions, mean of the check's histories."""
    scenario = check.with_(fixed_hunting_share=share, specialisation=mechanisms)
    return float(np.mean([simulate(scenario, seed=seed).summary["total_revenue"] for seed in CHECK_SEEDS])) / 1e6


curve = {mechanisms: np.array([total_revenue(share, mechanisms) for share in SHARES]) for mechanisms in ("none", "all")}
fig, ax = plt.subplots(figsize=(12, 6))
ax.plot(SHARES, curve["none"], marker="o", lw=3, color=STATUS_QUO, label="mechanisms off (default)")
ax.plot(SHARES, curve["all"], marker="o", lw=3, color=RESTRUCTURED, label="specialisation mechanisms all on")
ax.axvline(0.45, color="black", ls=":", lw=2)
ax.annotate(" Carter et al. 2014: best near 45%", xy=(0.45, 0.03), xycoords=("data", "axes fraction"), fontsize=14)
ax.set(
    title="Revenue against the share of hunting hours",
    xlabel="Share of client-facing hours on prospecting and pipeline",
    ylabel=f"Revenue over {YEARS} years (millions)",
    xticks=SHARES,
    ylim=(0, None),
)
ax.legend(loc="upper right")
plt.show()


# %%
def curve_text(revenue: np.ndarray) -> str:
    """Where the curve peaks, and how far below the peak the largest share lands."""
    peak = int(np.argmax(revenue))
    shape = "an inverted U" if 0 < peak < len(SHARES) - 1 else "falling from the smallest share" if peak == 0 else "rising"
    return (
        f"peaks at {SHARES[peak]:.0%} ({revenue[peak]:.0f} million; {shape}); at {SHARES[-1]:.0%} revenue is "
        f"{1 - revenue[-1] / revenue[peak]:.0%} below the peak"
    )


right_side = all(revenue[-1] < 0.9 * revenue.max() for revenue in curve.values())
md(
    f"""
Mean of {len(CHECK_SEEDS)} histories at {CHECK_SIZE["salespeople"]} salespeople. Mechanisms off: revenue
{curve_text(curve["none"])}. All on: {curve_text(curve["all"])}. """
    + (
        "The right side of Carter's inverted U is in the model: hunting most of the week leaves service undone, "
        "and complaints and lost clients follow. "
        if right_side
        else "At this size the right side of Carter's inverted U does not show in both settings. "
    )
    + "Where the peak lies moves between histories at this size; the README reports the larger check "
    "(`experiments/acquisition_share.toml`) against Carter's 45%."
)
