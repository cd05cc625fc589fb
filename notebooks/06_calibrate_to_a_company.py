# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Calibrate the model to a company's own data
#
# From a CRM/ERP export to "your company under hunter/farmer" in a few steps:
#
# 1. read and check the export (`orgmodel crm check`),
# 2. what the data shows directly, with intervals (`orgmodel crm describe`),
# 3. fit what no table shows by simulation, holding the last months back (`orgmodel calibrate`),
# 4. check the forecast of the held-out months against what happened,
# 5. run the calibrated company under another structure.
#
# There is no client data in this repository, so the first cell makes an export the
# way a trainer would: `orgmodel crm synthesize` simulates a company whose settings we
# know (four of them well away from the defaults) and writes what its CRM would hold.
# With a real export, skip that cell and point `EXPORT` at the folder. Runs in about a
# minute at this small size; the cell marked **scale up here** sets a real budget.

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display

from orgmodel import Scenario, simulate
from orgmodel.calibration.outputs import calibration_json, scenario_toml
from orgmodel.calibration.report import time_figure, write_report
from orgmodel.calibration.run import calibrate
from orgmodel.crm import load_export, write_export
from orgmodel.crm.estimate import describe
from orgmodel.crm.synthesize import Flaws, synthesize

# %% [markdown]
# ## 1. An export (here: a simulated company with known settings)

# %%
TRUTH = {"spoiledness": 0.35, "cross_sell_lines_mean": 4.0, "churn_base": 0.12, "hours_per_lead": 7.0}
company = Scenario(salespeople=4, market_size=300, **TRUTH)
EXPORT = Path("acme_export")
if not EXPORT.exists():
    synthetic = synthesize(company, seed=21, years=2.5, history_years=1, flaws=Flaws(amount_noise=0.1, contact_fill=0.7))
    write_export(synthetic.tables, EXPORT)
sorted(p.name for p in EXPORT.iterdir())

# %% [markdown]
# ## 2. Check it and see what it shows directly

# %%
export = load_export(EXPORT)
print(f"window {export.window[0].date()} to {export.window[1].date()}; problems found: {len(export.problems)}")
estimates = describe(export)
pd.DataFrame(
    [(e.label, e.value, e.low, e.high, e.n) for e in estimates.estimates], columns=["figure", "estimate", "low", "high", "n"]
).head(15)

# %% [markdown]
# ## 3. Fit the rest, holding the last six months back
#
# **Scale up here**: a real calibration runs a few hundred trials with three or more
# seeds (`budget=300, n_seeds=3`, and `workers=2` on two cores); see the README's numbers.

# %%
budget, n_seeds = 16, 2
OUT = Path("acme_calibration")
OUT.mkdir(exist_ok=True)
result = calibrate(
    export.tables,
    export.window,
    OUT / "study.db",
    budget=budget,
    n_seeds=n_seeds,
    holdout_months=6,
    fit_keys=list(TRUTH),
    noise_seeds=4,
    resume=(OUT / "study.db").exists(),
    source="acme_export",
)
(OUT / "scenario.toml").write_text(scenario_toml(result))
(OUT / "calibration.json").write_text(calibration_json(result))
write_report(result, OUT)
pd.DataFrame(
    [
        {
            "key": p.key,
            "fitted": p.value,
            "interval": f"{p.low:.3g} to {p.high:.3g}",
            "pinned down": "yes" if p.identified else "no",
            "truth": TRUTH.get(p.key, 1 if p.key == "history_years" else None),
        }
        for p in result.parameters
    ]
)

# %% [markdown]
# The keys the data shows were set directly (never fitted):

# %%
pd.DataFrame([(e.key, e.value, e.rule) for e in result.estimates.values()], columns=["key", "value", "rule"])

# %% [markdown]
# ## 4. The holdout check: observed against simulated, month by month
#
# Right of the dashed line are the six months the fit never saw.

# %%
display(Image(time_figure(result)))
h = result.holdout
display(
    Markdown(
        f"Held-out months {h['from']} to {h['to']}: revenue per year **{h['forecast']['revenue_per_year']:,.0f}** "
        f"forecast against **{h['observed']['revenue_per_year']:,.0f}** observed."
    )
)

# %% [markdown]
# ## 5. Your company under hunter/farmer
#
# The calibrated scenario is an ordinary scenario: `orgmodel run acme_calibration/scenario.toml`.
# Here the company runs on for five years after its export, as it is and switching to
# hunter/farmer (with the split commission) in the week after the export ends: an
# intervention, as in `docs/policies/interventions.md`. Three histories of each.

# %%
end_week = result.history_years * 52 + round(2.5 * 52)
calibrated = result.scenario.with_(years=result.scenario.years + 5)
switch = {
    "week": end_week + 1,
    "set": {"structure": "hunter_farmer", "incentive": "split_commission"},
    "note": "hunter/farmer after the export",
}
arms = {"as it is": calibrated, "hunter/farmer": calibrated.with_(interventions=[switch])}
yearly = {}
for name, sc in arms.items():
    runs = [simulate(sc, seed=s).timeseries.groupby("year")["revenue"].sum() for s in range(3)]
    yearly[name] = pd.concat(runs, axis=1).mean(axis=1) / 1e6
fig, ax = plt.subplots(figsize=(8, 4))
for name, series in yearly.items():
    ax.plot(series.index, series.values, marker="o", label=name)
ax.axvline(end_week / 52, color="grey", ls="--", lw=1)
ax.set_xlabel("year of the run (dashed: the export's end)")
ax.set_ylabel("revenue, millions per year")
ax.legend()
plt.show()
