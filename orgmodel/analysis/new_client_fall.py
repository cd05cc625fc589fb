"""Why new clients per salesperson fell: time taken by service, skill that faded, and the rest.

Management reads new clients per salesperson and, seeing it fall while the
people stay, concludes "they got lazy". In the model a salesperson's selling
output is their hunting hours times their hunting skill (prospecting progress
is hours x skill, and a deal's work takes hours / skill), so per salesperson

    new clients = hunting hours x hunting skill x clients per skilled hour,

and the log change from a base year splits exactly into parts:

* **hours** (structural): hunting hours per salesperson, i.e. the time the
  week's service work left for finding and winning clients;
* **skill** (faded): the change in each person's *own* hunting skill since
  their first month, weighted by their hunting hours. It is zero when skills
  do not move (``skills_move`` off: every person's skill is a constant), and
  negative when salespeople who no longer hunt lose the practice;
* **team**: whose skill does the hunting (each hunter's skill in their first
  month, hours-weighted): hires, departures and who hunts more;
* **other**: new clients per skilled hour of hunting (the market, deals still
  in flight, luck).

Everything is computed from the monthly staff table (``staff.parquet``, or the
dashboard's live DataCollector table), so the parts describe the run exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orgmodel.model.activities import ACTIVITIES, HUNTING
from orgmodel.scenario.schema import WEEKS_PER_YEAR

HUNTING_HOURS = [f"hours_{ACTIVITIES[i]}" for i in HUNTING]
#: the parts of the log change, in the order they are read
PARTS = ("hours", "skill", "team", "other")


def _log_ratio(values: pd.Series, base: float) -> pd.Series:
    """``log(values / base)``; NaN where either is not positive (a year without new clients has no log)."""
    v = values.to_numpy(dtype=float)
    ok = (v > 0.0) & (base > 0.0)
    out = np.full(len(v), np.nan)
    out[ok] = np.log(v[ok] / base)
    return pd.Series(out, index=values.index)


def new_client_fall(staff: pd.DataFrame, role: str = "salesperson", base_year: int | None = None) -> pd.DataFrame:
    """Year by year, the log change in new clients per salesperson since ``base_year``, split into parts.

    Args:
        staff: the monthly staff table (one row per person per closed month).
        role: the role management reads (``salesperson``: full-cycle salespeople or hunters).
        base_year: the year compared with; by default the complete year (12 months in the
            table) with the most new clients per salesperson, the year management remembers,
            leaving out year 1 when a later year is complete: the first year's hunting hours
            win their clients only after the sales cycle and implementation (about half a
            year), so its clients per hour are low for a reason that is neither hours nor skill.

    Returns:
        One row per year (index ``year``) with ``months`` (months of that year in the table: the
        running year may be partial), ``salespeople`` (mean headcount), ``new_clients_per_head``
        (per year), ``hunting_hours`` (per salesperson per week), ``hunting_skill`` (hours-weighted),
        ``fall`` (log change of new clients per salesperson since the base year) and the parts
        ``hours``, ``skill``, ``team``, ``other`` (log changes; ``fall`` is their sum). Rates are
        per person-month, so a partial year is comparable with a whole one. The base year is in
        ``attrs["base_year"]``. Empty when the table holds no month of ``role``.

    """
    first_skill = staff.sort_values("month").groupby("person")["hunting_skill"].first() if not staff.empty else None
    part = staff[staff["role"] == role] if not staff.empty else staff
    if part.empty:
        columns = ["months", "salespeople", "new_clients_per_head", "hunting_hours", "hunting_skill", "fall", *PARTS]
        return pd.DataFrame(columns=columns, index=pd.Index([], name="year"))
    hours = part[HUNTING_HOURS].sum(axis=1)
    frame = pd.DataFrame(
        {
            "year": part["year"],
            "month": part["month"],
            "new_clients": part["new_clients"],
            "hours": hours,
            "skilled": hours * part["hunting_skill"],
            "first_skilled": hours * part["person"].map(first_skill),
        }
    )
    g = frame.groupby("year")
    person_months = g.size().astype(float)
    months = g["month"].nunique()
    out = pd.DataFrame(
        {
            "months": months,
            "salespeople": person_months / months,
            "new_clients_per_head": g["new_clients"].sum() / person_months * 12.0,
            "hunting_hours": g["hours"].sum() / person_months * 12.0 / WEEKS_PER_YEAR,
        }
    )
    hunted = g["hours"].sum().replace(0.0, np.nan)
    out["hunting_skill"] = g["skilled"].sum() / hunted
    practice = g["skilled"].sum() / g["first_skilled"].sum().replace(0.0, np.nan)  # own skill now / in first month
    team_skill = g["first_skilled"].sum() / hunted
    per_skilled_hour = out["new_clients_per_head"] / (out["hunting_hours"] * out["hunting_skill"])

    if base_year is None:
        whole = out[out["months"] == 12]
        if len(whole) > 1:
            whole = whole.iloc[1:] if whole.index[0] == 1 else whole
        base_year = int((whole if not whole.empty else out)["new_clients_per_head"].idxmax())
    if base_year not in out.index:
        raise ValueError(f"base_year: {base_year} is not in the staff table (years {out.index.min()}-{out.index.max()})")
    out["fall"] = _log_ratio(out["new_clients_per_head"], out.at[base_year, "new_clients_per_head"])
    out["hours"] = _log_ratio(out["hunting_hours"], out.at[base_year, "hunting_hours"])
    out["skill"] = _log_ratio(practice, practice.at[base_year])
    out["team"] = _log_ratio(team_skill, team_skill.at[base_year])
    out["other"] = _log_ratio(per_skilled_hour, per_skilled_hour.at[base_year])
    out.attrs["base_year"] = base_year
    return out


__all__ = ["PARTS", "new_client_fall"]
