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
# The options are run as an experiment (one arm per option) and reported by the same
# builder as `orgmodel report DIR`: the experiment's folder (out_dir) also holds
# report.html, report.pdf (where Chromium is installed) and the figures as PNG files.
# Every sentence of the report is built from the numbers the simulation computes.

# %% tags=["parameters"]
company_name = "Example Trading Ltd"
salespeople = 12  # people who win clients today
account_managers = 0  # people who only keep clients today
market_size = 1800  # companies in the market that could become clients
spoiledness = 0.67  # share of the specification work clients leave to you (0 to 1)
structure = "full_cycle"  # today's structure (orgmodel scenarios --keys lists them)
incentive = "volume_commission"  # today's pay scheme
currency = ""  # the currency the client's amounts are in (e.g. "EUR"); empty: unnamed units
years = 8  # horizon of the projection
histories = 3  # simulated histories per option: 3 is quick, 10 or more for the final report
first_seed = 1
out_dir = "out/client_report"  # where the runs, report.html and report.pdf go

# %%
import hashlib
import json
import re
from pathlib import Path

from IPython.display import HTML, Markdown, display

from orgmodel.analysis.report import write_report
from orgmodel.experiments import parse_experiment, run_experiment
from orgmodel.scenario import ScenarioError, load_scenario

# %%
# The options the report compares: today's organisation and the alternatives below
# (scenario keys changed from today's). Options that cannot be combined with today's
# set-up, or that are the same as today's, are left out.
OPTIONS = {
    "split_roles": (
        "Split roles: hunters win clients, account managers keep them",
        {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": max(2, account_managers)},
    ),
    "capped_portfolios": (
        "Capped portfolios: salespeople keep up to 15 clients each",
        {"structure": "capped_portfolio", "incentive": "split_commission", "account_managers": max(2, account_managers)},
    ),
    "order_desk": ("Order desk: agents specify orders and chase shipments", {"structure": "service_desk"}),
    "new_client_bonus": ("Bonus per new client, same structure", {"incentive": "new_client_bonus"}),
    "replace_low_performers": (
        "Replace the lowest performers every year",
        {"management_response": "replace_low_performers"},
    ),
}

# %%
client = {
    "name": "today",
    "description": f"{company_name} as it is today",
    "years": years,
    "salespeople": salespeople,
    "account_managers": account_managers,
    "market_size": market_size,
    "spoiledness": spoiledness,
    "structure": structure,
    "incentive": incentive,
    "currency": currency,
}
today = load_scenario(None, client)
scenarios = {"today": client}
left_out = []
for key, (option, changes) in OPTIONS.items():
    values = {**client, **changes, "name": key, "description": option}
    try:
        candidate = load_scenario(None, values)
    except ScenarioError as error:
        left_out.append(f"{option} ({error})")
        continue
    if candidate.with_(name=today.name, description=today.description) == today:
        left_out.append(f"{option} (the same as today's organisation)")
        continue
    scenarios[key] = values

experiment = parse_experiment(
    {
        "name": f"{company_name}: sales organisation review",
        "question": f"Which way of organising and paying {company_name}'s sales team earns the most over {years} years?",
        "scenario": "today",
        "scenarios": scenarios,
        "years": years,
        "replications": histories,
        "seed": first_seed,
        "factors": {"scenario": list(scenarios)},
    }
)
# one folder per company and set of inputs: running the notebook again reuses the runs
inputs = hashlib.sha1(json.dumps([scenarios, histories, first_seed], sort_keys=True).encode()).hexdigest()[:8]
folder = Path(out_dir) / f"{re.sub(r'[^a-z0-9]+', '-', company_name.lower()).strip('-')}-{inputs}"
run_experiment(experiment, folder, workers=1, resume=folder.exists())
written = write_report(folder)

# %%
staff_today = f"{salespeople} salespeople" + (
    f" and {account_managers} account manager{'s' if account_managers != 1 else ''}" if account_managers else ""
)
display(
    Markdown(
        f"""
# Sales organisation review: {company_name}

**What was modelled.** {company_name} today: {staff_today}, {today.structure.replace("_", "-")} structure,
paid by {today.incentive.replace("_", " ")}, in a market of {market_size:,} companies that could become
clients; clients leave {spoiledness:.0%} of the specification work of their orders to {company_name}. The
simulation follows each option week by week for {years} years, {histories} times with different chance events.
"""
        + (f"\n\nNot modelled: {'; '.join(left_out)}." if left_out else "")
    )
)
display(HTML(written.html.read_text(encoding="utf-8")))
print(f"The report is also in {written.html}" + (f" and {written.pdf}" if written.pdf else f" ({written.pdf_note})"))
