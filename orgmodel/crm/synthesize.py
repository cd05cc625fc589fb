"""The export a simulated company would produce: canonical CRM/ERP tables from a recorded run.

Calibration compares a company's export with simulated ones through the
same code (:mod:`orgmodel.calibration.targets`), so a simulated run must
produce exactly what an export holds: opportunities with their stage history,
orders, staff spells, contacts, logged activities and cases, with calendar
dates, left-truncated at the window's start and censored at the export date
(a deal still open then is ``open`` with no close date, whatever happened
afterwards in the run). It is also the test bed: exports with known truth, and
with the flaws of real exports switched on one by one (:class:`Flaws`).

The simulated company has run ``history_years`` before the window begins
(the model starts with an empty book; a real company has clients when its
CRM export starts). Calendar: week ``w`` of the run starts ``w - 1`` weeks
after the run's first day; events land on a weekday of their week drawn
from the synthesizer's own random stream (never the model's, so the run is
the same with or without an export).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from orgmodel.crm.schema import TABLES
from orgmodel.model.activities import ACTIVITIES
from orgmodel.model.model import SalesOrgModel
from orgmodel.model.records import EventRecorder
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Scenario

#: How each model activity shows up among a CRM's logged activity kinds (idle time is never logged).
#: Prospecting is calls; deal, cross-sell, relationship and handover work is meetings; implementation
#: support is tasks; order servicing is e-mail. ``activity_mix`` targets compare minute shares by kind.
ACTIVITY_KIND = {
    "prospecting": "call",
    "pipeline": "meeting",
    "implementation": "task",
    "servicing": "email",
    "cross_sell": "meeting",
    "relationship": "meeting",
    "handover": "meeting",
}
ACTIVITY_KINDS = ("call", "meeting", "email", "task")
#: staff roles of the model as the export's ``staff.role`` names them
ROLE = {"salesperson": "salesperson", "account_manager": "account_manager", "desk_agent": "service_desk"}
EMPLOYEES_PER_SIZE = 50  # a median company (size 1) has 50 employees in ``accounts.size``: scale only
TABLE_NAMES = ("staff", "accounts", "contacts", "opportunities", "stage_history", "orders", "activities", "cases")


@dataclass(frozen=True)
class Flaws:
    """The imperfections of real exports, each off by default.

    Attributes:
        missing: tables left out of the export (``staff``, ``accounts`` and
            ``opportunities`` are required by the import and cannot be left out).
        window_months: the export covers only the last this many months of the window.
        stale_open_share: share of lost deals nobody closed in the CRM: they stay
            ``open`` with no close date (on top of the deals truly open at the export date).
        amount_noise: lognormal sigma of multiplicative noise on deal and order amounts
            (typos, currency and discount fields used differently).
        contact_fill: chance each buying-centre member beyond the first is in
            ``contacts`` (contact roles are often under-filled).

    """

    missing: tuple[str, ...] = ()
    window_months: int | None = None
    stale_open_share: float = 0.0
    amount_noise: float = 0.0
    contact_fill: float = 1.0

    def __post_init__(self) -> None:
        for table in self.missing:
            if table not in TABLE_NAMES:
                raise ValueError(f"missing: unknown table {table!r}; allowed: {', '.join(TABLE_NAMES)}")
            if table in ("staff", "accounts", "opportunities"):
                raise ValueError(f"missing: {table} is required by the import format and cannot be left out")
        if self.window_months is not None and self.window_months < 1:
            raise ValueError(f"window_months must be at least 1, got {self.window_months}")
        for name in ("stale_open_share", "contact_fill"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.amount_noise < 0:
            raise ValueError(f"amount_noise must be at least 0, got {self.amount_noise}")


@dataclass
class SyntheticExport:
    """A simulated company's export.

    Attributes:
        tables: canonical table name -> DataFrame (as :func:`orgmodel.crm.load_export` returns them).
        window: first and last day the export covers.
        scenario: the scenario that ran (its ``years`` include the history).
        seed: the run's seed.
        history_years: years the company ran before the window.

    """

    tables: dict[str, pd.DataFrame]
    window: tuple[pd.Timestamp, pd.Timestamp]
    scenario: Scenario
    seed: int
    history_years: int
    flaws: Flaws = field(default_factory=Flaws)


def run_recorded(scenario: Scenario, seed: int) -> EventRecorder:
    """Run ``scenario`` with the event recorder on and return the record."""
    model = SalesOrgModel(rng=seed, scenario=scenario, record_events=True)
    model.run_until(scenario.weeks)
    recorder = model.recorder
    assert recorder is not None
    recorder.finish()
    return recorder


def synthesize(
    scenario: Scenario | None = None,
    seed: int = 0,
    years: float = 3.0,
    start: date | str = "2023-01-02",
    history_years: int = 2,
    flaws: Flaws | None = None,
) -> SyntheticExport:
    """Simulate a company and export what its CRM and ERP would hold for ``years`` from ``start``.

    Args:
        scenario: the company (its ``years`` are replaced by history plus window).
        seed: seed of the run (and of the export's day-of-week and flaw draws).
        years: length of the export window (fractions allowed: 0.25 is 13 weeks).
        start: first day of the export window.
        history_years: whole years the company ran before the window.
        flaws: imperfections to build in (none by default).

    Returns:
        The tables, the window and what produced them.

    """
    scenario = scenario or Scenario()
    flaws = flaws or Flaws()
    if years <= 0:
        raise ValueError(f"years must be positive, got {years}")
    if history_years < 0:
        raise ValueError(f"history_years must be at least 0, got {history_years}")
    window_weeks = max(1, round(years * WEEKS_PER_YEAR))
    total_years = history_years + math.ceil(window_weeks / WEEKS_PER_YEAR)
    run = scenario.with_(years=total_years)
    record = run_recorded(run, seed)
    first_week = history_years * WEEKS_PER_YEAR + 1
    last_week = history_years * WEEKS_PER_YEAR + window_weeks
    if flaws.window_months is not None:
        first_week = max(first_week, last_week - round(flaws.window_months * WEEKS_PER_YEAR / 12) + 1)
    run_start = pd.Timestamp(start) - pd.Timedelta(weeks=history_years * WEEKS_PER_YEAR)
    tables = export_tables(record, run_start, first_week, last_week, np.random.default_rng([seed, 11]), flaws)
    window = (run_start + pd.Timedelta(weeks=first_week - 1), run_start + pd.Timedelta(weeks=last_week, days=-1))
    return SyntheticExport(tables, window, run, seed, history_years, flaws)


def export_tables(
    record: EventRecorder,
    run_start: pd.Timestamp,
    first_week: int,
    last_week: int,
    rng: np.random.Generator,
    flaws: Flaws,
) -> dict[str, pd.DataFrame]:
    """Canonical tables of the weeks ``first_week``..``last_week`` of a recorded run.

    Events after ``last_week`` have not happened yet as far as the export
    knows; events before ``first_week`` are out of the window, except the
    staff and accounts that still exist in it.
    """

    def dates(times: np.ndarray, jitter: bool = True) -> pd.Series:
        weeks = np.maximum(np.asarray(times, dtype=float) - 1.0, 0.0)
        days = weeks * 7 + (rng.integers(0, 5, len(weeks)) if jitter else 0)
        return pd.Series(run_start + pd.to_timedelta(days, unit="D"))

    def in_window(t: float) -> bool:
        return first_week <= t <= last_week

    def noisy(amounts: np.ndarray) -> np.ndarray:
        if flaws.amount_noise <= 0 or len(amounts) == 0:
            return amounts
        return amounts * rng.lognormal(-(flaws.amount_noise**2) / 2, flaws.amount_noise, len(amounts))

    model = record.model
    tables: dict[str, pd.DataFrame] = {}

    # staff: everyone employed at some time in the window
    spells = [s for s in record.staff.values() if s.start <= last_week and (s.end is None or s.end >= first_week)]
    ends = [s.end if s.end is not None and s.end <= last_week else np.nan for s in spells]
    tables["staff"] = pd.DataFrame(
        {
            "staff_id": [staff_id(s.person) for s in spells],
            "role": [ROLE.get(s.role, "other") for s in spells],
            "start_date": dates(np.array([s.start for s in spells]), jitter=False),
            "end_date": dates(np.array(ends, dtype=float), jitter=False).where(~np.isnan(ends)),
            "team": [s.team for s in spells],
        }
    )

    # accounts: the whole market (the CRM was loaded with the addressable market when the company started)
    companies = model.companies
    tables["accounts"] = pd.DataFrame(
        {
            "account_id": [account_id(c.uid) for c in companies],
            "created_date": pd.Series([run_start] * len(companies)),
            "size": [str(max(1, round(EMPLOYEES_PER_SIZE * c.size))) for c in companies],
        }
    )

    # opportunities created in the window, as the CRM knew them on the export date
    opps = [o for o in record.opportunities.values() if in_window(o.created)]
    stale = rng.random(len(opps)) < flaws.stale_open_share
    outcome, closed, stage_rows = [], [], []
    for opp, never_closed in zip(opps, stale, strict=True):
        done = opp.closed is not None and opp.closed <= last_week
        if done and opp.outcome == "lost" and never_closed:
            done = False
        outcome.append(opp.outcome if done else "open")
        closed.append(opp.closed if done else np.nan)
        for stage, t in opp.stages:
            if t <= last_week:
                stage_rows.append((opp.opportunity_id, stage, t))
    closed_arr = np.array(closed, dtype=float)
    tables["opportunities"] = pd.DataFrame(
        {
            "opportunity_id": [opportunity_id(o.opportunity_id) for o in opps],
            "account_id": [account_id(o.company) for o in opps],
            "owner_id": [staff_id(o.owner) for o in opps],
            "created_date": dates(np.array([o.created for o in opps])),
            "close_date": dates(closed_arr).where(~np.isnan(closed_arr)),
            "outcome": outcome,
            "amount": noisy(np.array([o.amount for o in opps], dtype=float)),
            "kind": [o.kind for o in opps],
        }
    )
    # the close date is a date after creation: the same week's jitter must not reverse them
    opp_table = tables["opportunities"]
    opp_table["close_date"] = opp_table[["created_date", "close_date"]].max(axis=1).where(opp_table["close_date"].notna())
    tables["stage_history"] = pd.DataFrame(
        {
            "opportunity_id": [opportunity_id(r[0]) for r in stage_rows],
            "stage": [r[1] for r in stage_rows],
            "entered_date": dates(np.array([r[2] for r in stage_rows], dtype=float), jitter=False),
        }
    )

    # contacts of the accounts the window's deals touched (the buying centre as far as it was recorded)
    touched = sorted({o.company for o in opps})
    contact_rows = []
    for uid in touched:
        company = companies[uid]
        for i, member in enumerate(company.members):
            if i > 0 and rng.random() >= flaws.contact_fill:
                continue
            role = "buyer" if i == 0 else ("decision_maker" if member.decision_maker else "influencer")
            contact_rows.append((f"P{member.unique_id}", account_id(uid), role))
    tables["contacts"] = pd.DataFrame(contact_rows, columns=["contact_id", "account_id", "role"])

    # orders in the window
    orders = [o for o in record.orders if in_window(o[0])]
    tables["orders"] = pd.DataFrame(
        {
            "order_id": [f"R{i + 1}" for i in range(len(orders))],
            "account_id": [account_id(o[1]) for o in orders],
            "order_date": dates(np.array([o[0] for o in orders], dtype=float)),
            "amount": noisy(np.array([o[2] for o in orders], dtype=float)),
            "lines": np.array([o[3] for o in orders], dtype=float),
        }
    )

    # logged activities: one row per person, week and kind with the minutes logged
    index = {name: i for i, name in enumerate(ACTIVITIES)}
    act_rows = []
    for week, person, hours in record.hours:
        if not in_window(week):
            continue
        minutes: dict[str, float] = {}
        for activity, kind in ACTIVITY_KIND.items():
            h = hours[index[activity]]
            if h > 0:
                minutes[kind] = minutes.get(kind, 0.0) + 60.0 * h
        act_rows.extend((staff_id(person), week, kind, round(m, 1)) for kind, m in minutes.items())
    tables["activities"] = pd.DataFrame(
        {
            "staff_id": [r[0] for r in act_rows],
            "date": dates(np.array([r[1] for r in act_rows], dtype=float), jitter=False),
            "kind": [r[2] for r in act_rows],
            "minutes": np.array([r[3] for r in act_rows], dtype=float),
        }
    )

    # cases: problems and complaints (the model does not follow a case to its close)
    cases = [c for c in record.cases if in_window(c[0])]
    tables["cases"] = pd.DataFrame(
        {
            "case_id": [f"K{i + 1}" for i in range(len(cases))],
            "account_id": [account_id(c[1]) for c in cases],
            "opened_date": dates(np.array([c[0] for c in cases], dtype=float)),
            "closed_date": pd.Series([pd.NaT] * len(cases), dtype="datetime64[ns]"),
            "kind": [c[2] for c in cases],
            "staff_id": [staff_id(c[3]) if c[3] >= 0 else None for c in cases],
        }
    )
    for table in flaws.missing:
        tables.pop(table, None)
    return {name: _canonical_columns(name, df) for name, df in tables.items()}


def _canonical_columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """All canonical columns in documented order, as :func:`orgmodel.crm.load_export` gives them (unrecorded: empty)."""
    spec = TABLES[name]
    for col in spec.columns:
        if col.name not in frame:
            frame[col.name] = pd.Series(pd.NaT, index=frame.index) if col.kind == "date" else pd.Series(pd.NA, index=frame.index)
    return frame[list(spec.names)]


def staff_id(person: int) -> str:
    """The export's id of a model person."""
    return f"S{person}"


def account_id(uid: int) -> str:
    """The export's id of a model company."""
    return f"A{uid:06d}"


def opportunity_id(oid: int) -> str:
    """The export's id of a recorded opportunity."""
    return f"O{oid}"
