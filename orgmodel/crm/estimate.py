"""What a company's export shows directly, with 95% intervals: ``orgmodel crm describe``.

No simulation here: each figure is a standard estimator from a well-kept
library, chosen so that unfinished things are not mistaken for finished ones.

- Proportions (win rates, stage conversion, cross-sell and complaint shares):
  exact Clopper-Pearson intervals (``scipy.stats.binomtest``).
- Rates (activities per person-week, orders per client-year, cases, new
  clients): exact Poisson (Garwood) intervals from ``scipy.stats.chi2``.
- Durations with unfinished cases (sales cycle, time in each stage, case
  resolution): Kaplan-Meier medians from ``lifelines``, open deals and open
  cases censored at the export's end, not dropped.
- Lifetimes (client churn, staff attrition and tenure): exponential models
  with censoring (``lifelines.ExponentialFitter``); people hired before the
  window count from the window's start (memoryless), clients ordering near
  its start were clients before it.
- Medians: exact distribution-free intervals from order statistics (``scipy.stats.quantile_test``);
  means and totals of skewed amounts: percentile bootstrap (``scipy.stats.bootstrap``, fixed seed
  so the same export gives the same intervals).

Every figure carries the number of observations it rests on; what cannot be
estimated (a missing table or column, a window too short) is listed with why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from orgmodel.crm.export import CrmExport
from orgmodel.crm.parse import normalise_category

LEVEL = 0.95
#: fewer observations than this and a figure is not given (its interval would say nothing)
MIN_N = 10
#: owners needed for the spread of win rates between them
OWNERS_MIN = 5
#: months of data the yearly totals need, and the lifetimes (churn, attrition)
YEARLY_MONTHS = 6
LIFETIME_MONTHS = 12
YEAR = 365.25
#: a window this many months short of a requirement still meets it (a calendar year is 11.99 "months" of 30.44 days)
MONTH_SLACK = 0.5
_BOOTSTRAP_SEED = 20261206
GROUPS = {
    "pipeline": "Pipeline: win rates, stages, cycle",
    "deals": "Deals: size, cross-sell, new clients",
    "orders": "Orders and clients",
    "staff": "Staff: headcount, tenure, attrition",
    "activities": "Activities (logged in the CRM)",
    "cases": "Service cases and complaints",
}


@dataclass
class Estimate:
    """One figure the data shows, with its 95% interval.

    Attributes:
        key: stable name (``win_rate``, ``stage_days.proposal``, ``activities_per_week.salesperson.call``).
        label: what it is, for people.
        value: the estimate.
        low: lower end of the 95% interval.
        high: upper end.
        n: the observations it rests on (deals, clients, person-weeks ...; see ``method``).
        unit: share, days, years, currency, per year, per person-week, per client-year, people.
        method: estimator and what n counts.
        group: pipeline, deals, orders, staff, activities or cases.
        note: caveats (e.g. inferred from other columns).

    """

    key: str
    label: str
    value: float
    low: float
    high: float
    n: int
    unit: str
    method: str
    group: str
    note: str = ""


@dataclass
class NotEstimated:
    """A figure the export cannot give, and why (missing table or column, window too short, too few rows)."""

    key: str
    label: str
    group: str
    reason: str


@dataclass
class Estimates:
    """Everything ``crm describe`` reports for one export."""

    source: str
    window: tuple[pd.Timestamp, pd.Timestamp]
    estimates: list[Estimate] = field(default_factory=list)
    not_estimated: list[NotEstimated] = field(default_factory=list)
    #: headcount by role at each quarter's end within the window (index: date; columns: roles)
    headcount: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: rows per canonical table
    rows: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Estimate | None:
        """The estimate called ``key``, or None if it was not made."""
        return next((e for e in self.estimates if e.key == key), None)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (NaN as None)."""

        def clean(value: object) -> object:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        return {
            "source": self.source,
            "window": {"start": f"{self.window[0]:%Y-%m-%d}", "end": f"{self.window[1]:%Y-%m-%d}"},
            "months": round((self.window[1] - self.window[0]).days / 30.44, 1),
            "rows": self.rows,
            "confidence_level": LEVEL,
            "estimates": [{k: clean(v) for k, v in asdict(e).items()} for e in self.estimates],
            "not_estimated": [asdict(m) for m in self.not_estimated],
            "headcount": {f"{d:%Y-%m-%d}": {r: int(v) for r, v in row.items()} for d, row in self.headcount.iterrows()},
        }

    def rows_by_group(self) -> dict[str, list[tuple[str, str, str, str, str]]]:
        """(label, value, interval, n, method) per group, formatted for people."""
        out: dict[str, list[tuple[str, str, str, str, str]]] = {g: [] for g in GROUPS}
        for e in self.estimates:
            interval = "" if e.low == e.high == e.value else f"{fmt(e.low, e.unit)} – {fmt(e.high, e.unit)}"
            method = e.method + (f"; {e.note}" if e.note else "")
            out[e.group].append((e.label, fmt(e.value, e.unit), interval, f"{e.n:,}", method))
        return out

    def to_text(self) -> str:
        """Plain-text report: every group's estimates, then what could not be estimated."""
        lines = [
            f"Export {self.source}: {self.window[0]:%Y-%m-%d} to {self.window[1]:%Y-%m-%d} "
            f"({(self.window[1] - self.window[0]).days / 30.44:.1f} months); 95% intervals"
        ]
        for group, rows in self.rows_by_group().items():
            if not rows:
                continue
            lines += ["", GROUPS[group]]
            width = max(len(r[0]) for r in rows)
            lines += [f"  {r[0]:<{width}}  {r[1]:>12}  {r[2]:<25} n={r[3]:<8} {r[4]}" for r in rows]
        if not self.headcount.empty:
            roles = [str(r) for r in self.headcount.columns]
            lines += ["", "Headcount at each quarter's end", "  " + " ".join(f"{r:>16}" for r in ["date", *roles])]
            lines += [
                "  " + " ".join(f"{x:>16}" for x in [f"{d:%Y-%m-%d}", *(str(int(v)) for v in row)])
                for d, row in self.headcount.iterrows()
            ]
        if self.not_estimated:
            lines += ["", "Not estimated"]
            lines += [f"  {m.label}: {m.reason}" for m in self.not_estimated]
        return "\n".join(lines) + "\n"


def fmt(value: float, unit: str) -> str:
    """A value as people read it in its unit."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "currency":
        return f"{value:,.0f}"
    if unit in ("days", "people"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


# ---- interval helpers ------------------------------------------------------------------------------------


def proportion(successes: int, n: int) -> tuple[float, float, float]:
    """Share with its exact (Clopper-Pearson) interval."""
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level=LEVEL, method="exact")
    return successes / n, float(ci.low), float(ci.high)


def poisson_rate(count: int, exposure: float) -> tuple[float, float, float]:
    """Events per unit of exposure with the exact (Garwood) Poisson interval."""
    alpha = 1 - LEVEL
    low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return count / exposure, low / exposure, high / exposure


def bootstrap(values: np.ndarray, statistic: Callable[..., np.ndarray]) -> tuple[float, float, float]:
    """A statistic of skewed values with its percentile-bootstrap interval (fixed seed: same data, same interval)."""
    result = stats.bootstrap(
        (values,),
        statistic,
        n_resamples=999,
        method="percentile",
        confidence_level=LEVEL,
        rng=np.random.default_rng(_BOOTSTRAP_SEED),
        vectorized=True,
    )
    return float(statistic(values)), float(result.confidence_interval.low), float(result.confidence_interval.high)


def quantile(values: np.ndarray, p: float) -> tuple[float, float, float]:
    """The ``p`` quantile with its exact distribution-free interval (order statistics; ``scipy.stats.quantile_test``)."""
    q = float(np.quantile(values, p))
    ci = stats.quantile_test(values, q=q, p=p).confidence_interval(confidence_level=LEVEL)
    return q, float(ci.low), float(ci.high)


def median(values: np.ndarray) -> tuple[float, float, float]:
    """The median with its exact distribution-free interval."""
    return quantile(values, 0.5)


def km_median(durations: np.ndarray, observed: np.ndarray, entry: np.ndarray | None = None) -> tuple[float, float, float]:
    """Kaplan-Meier median with its interval; unfinished cases censored (inf where the curve never reaches half)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    kmf = KaplanMeierFitter(alpha=1 - LEVEL).fit(durations, observed, entry=entry)
    ci = median_survival_times(kmf.confidence_interval_)
    return float(kmf.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1])


def exponential_lifetime(durations: np.ndarray, observed: np.ndarray) -> tuple[float, float, float]:
    """Mean lifetime (days) of an exponential model with censoring, and its interval."""
    from lifelines import ExponentialFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialFitter(alpha=1 - LEVEL).fit(np.maximum(durations, 0.5), observed)
    row = fit.summary.loc["lambda_"]
    return float(fit.lambda_), float(row.iloc[2]), float(row.iloc[3])


def yearly_loss(mean_days: float) -> float:
    """Share lost per year for an exponential lifetime with this mean."""
    return 1 - math.exp(-YEAR / mean_days) if mean_days > 0 else 1.0


# ---- the estimator -------------------------------------------------------------------------------------------


class _Describer:
    """Collects estimates and reasons for one export."""

    def __init__(self, export: CrmExport) -> None:
        self.x = export
        self.t = export.tables
        self.start, self.end = export.window
        self.years = (self.end - self.start).days / YEAR
        self.out = Estimates(export.source, export.window, rows={k: len(v) for k, v in export.tables.items()})

    def add(
        self, key: str, label: str, vlh: tuple[float, float, float], n: int, unit: str, method: str, group: str, note: str = ""
    ) -> None:
        value, low, high = vlh
        self.out.estimates.append(Estimate(key, label, float(value), float(low), float(high), int(n), unit, method, group, note))

    def skip(self, key: str, label: str, group: str, reason: str) -> None:
        self.out.not_estimated.append(NotEstimated(key, label, group, reason))

    def absent(self, table: str) -> str:
        """Why a table's estimates are missing: no such table, or a table without rows."""
        return f"no rows in {table}" if table in self.t else f"no {table} table"

    def enough(self, key: str, label: str, group: str, n: int, what: str) -> bool:
        if n >= MIN_N:
            return True
        self.skip(key, label, group, f"only {n} {what} (needs {MIN_N})")
        return False

    def months_ok(self, key: str, label: str, group: str, months: float) -> bool:
        if self.x.months >= months - MONTH_SLACK:
            return True
        self.skip(key, label, group, f"the window is {self.x.months:.1f} months; needs {months:.0f}")
        return False

    # -- pipeline ----------------------------------------------------------------------------------------------

    def mature_deals(self) -> tuple[pd.DataFrame, pd.Timestamp | None]:
        """Closed deals created early enough that nearly all deals of their age have closed.

        Lost deals close faster than won ones, so the deals closed by the export's end among the recent
        ones are mostly losses; a win rate over all closed deals would be biased low. The cut-off is the
        95th percentile of closed deals' cycle before the export's end.
        """
        deals = self.t["opportunities"]
        closed = deals[deals["outcome"].isin(["won", "lost"])]
        if closed.empty:
            return closed, None
        cycle = (closed["close_date"] - closed["created_date"]).dt.days
        cutoff = self.end - pd.Timedelta(float(cycle.quantile(0.95)), unit="D")
        mature = closed[closed["created_date"] <= cutoff]
        if len(mature) < max(MIN_N, len(closed) // 4):
            return closed, None
        return mature, cutoff

    def pipeline(self) -> None:
        deals = self.t["opportunities"]
        mature, cutoff = self.mature_deals()
        how = (
            f"won / closed deals created by {cutoff:%Y-%m-%d} (old enough to have closed); exact binomial"
            if cutoff is not None
            else "won / closed deals; exact binomial"
        )
        note = "" if cutoff is not None else "recent deals included: quick losses may bias it low"
        if self.enough("win_rate", "Win rate", "pipeline", len(mature), "closed deals"):
            won = mature["outcome"].eq("won")
            self.add("win_rate", "Win rate", proportion(won.sum(), len(mature)), len(mature), "share", how, "pipeline", note)
            self.win_by_group(mature)
            self.win_by_kind(mature, how)
            self.win_by_owner(mature)
        open_ = deals["outcome"].eq("open")
        durations = np.where(
            open_, (self.end - deals["created_date"]).dt.days, (deals["close_date"] - deals["created_date"]).dt.days
        )
        if self.enough("sales_cycle_days", "Sales cycle", "pipeline", int((~open_).sum()), "closed deals"):
            self.add(
                "sales_cycle_days",
                "Sales cycle, creation to close (median)",
                km_median(durations, ~open_.to_numpy()),
                len(deals),
                "days",
                "Kaplan-Meier median over all deals, open ones censored at the export's end",
                "pipeline",
            )
        self.stages()

    def buying_groups(self, deals: pd.DataFrame) -> pd.Series | None:
        """Contacts per deal (contact roles on the deal) or, without deal links, per account."""
        contacts = self.t.get("contacts")
        if contacts is None or contacts.empty:
            return None
        if contacts["opportunity_id"].notna().any():
            per = contacts.dropna(subset=["opportunity_id"]).groupby("opportunity_id")["contact_id"].nunique()
            return deals["opportunity_id"].map(per)
        per = contacts.groupby("account_id")["contact_id"].nunique()
        return deals["account_id"].map(per)

    def win_by_group(self, mature: pd.DataFrame) -> None:
        label = "Win rate by buying-group size"
        size = self.buying_groups(mature)
        if size is None:
            self.skip("win_rate.group", label, "pipeline", "no contacts table (contact roles per deal or contacts per account)")
            return
        per_deal = self.t["contacts"]["opportunity_id"].notna().any()
        unit = "contact roles on the deal" if per_deal else "contacts at the account"
        bins = {"1": (1, 1), "2": (2, 2), "3_4": (3, 4), "5_plus": (5, 10**9)}
        for name, (lo, hi) in bins.items():
            sub = mature[(size >= lo) & (size <= hi)]
            key, text = f"win_rate.group_{name}", f"Win rate, buying group of {name.replace('_plus', '+').replace('_', '-')}"
            if self.enough(key, text, "pipeline", len(sub), "closed deals"):
                self.add(
                    key,
                    text,
                    proportion(sub["outcome"].eq("won").sum(), len(sub)),
                    len(sub),
                    "share",
                    f"buying group = {unit}; exact binomial",
                    "pipeline",
                    "contact roles are often under-filled: sizes are lower bounds",
                )
        # deals without contacts are left out of the by-size rates; how many have contacts, and how many
        # per deal (a lower bound where contact roles are under-filled)
        self.add(
            "contact_coverage",
            f"Closed deals with {unit}",
            proportion(int(size.notna().sum()), len(size)),
            len(size),
            "share",
            "exact binomial",
            "pipeline",
        )
        counts = size.dropna().to_numpy(float)
        if self.enough("buying_group_mean", "Buying-group size", "pipeline", len(counts), "closed deals with contacts"):
            self.add(
                "buying_group_mean",
                "Buying-group size (mean, deals with contacts)",
                bootstrap(counts, np.mean),
                len(counts),
                "per deal",
                f"{unit} per deal; percentile bootstrap",
                "pipeline",
                "a lower bound where contact roles are under-filled",
            )

    def win_by_owner(self, mature: pd.DataFrame) -> None:
        """How much owners' win rates differ beyond what chance alone gives (a sign of skill differences).

        Method of moments: the variance of the owners' win rates less the binomial variance their deal
        counts imply; percentile bootstrap over owners. Owners with fewer than MIN_N closed deals are left out.
        """
        key, label = "win_rate.owner_sd", "Spread of win rates between owners (sd beyond chance)"
        per = mature.groupby("owner_id")["outcome"].agg(won=lambda o: int((o == "won").sum()), n="size")
        per = per[per["n"] >= MIN_N]
        if len(per) < OWNERS_MIN:
            self.skip(key, label, "pipeline", f"only {len(per)} owners with {MIN_N}+ closed deals (needs {OWNERS_MIN})")
            return
        won, n = per["won"].to_numpy(float), per["n"].to_numpy(float)

        def spread(w: np.ndarray, k: np.ndarray) -> np.ndarray:
            rate = w / k
            mean = w.sum(axis=-1, keepdims=True) / k.sum(axis=-1, keepdims=True)
            noise = (mean * (1 - mean) / k).mean(axis=-1)
            return np.sqrt(np.clip(rate.var(axis=-1, ddof=1) - noise, 0, None))

        picks = np.random.default_rng(_BOOTSTRAP_SEED).integers(0, len(per), (999, len(per)))
        resampled = spread(won[picks], n[picks])
        low, high = np.quantile(resampled, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        self.add(
            key,
            label,
            (float(spread(won, n)), float(low), float(high)),
            len(per),
            "share",
            f"owners with {MIN_N}+ closed deals; variance of their win rates less binomial noise; bootstrap over owners",
            "pipeline",
        )

    def deal_kind(self, deals: pd.DataFrame) -> tuple[pd.Series, str]:
        """new_business / cross_sell per deal: the kind column, or inferred from an earlier win or order on the account."""
        if deals["kind"].notna().any():
            unknown = int(deals["kind"].isna().sum())
            return deals["kind"].fillna("").astype(str), (f"{unknown} deals without a kind left out" if unknown else "")
        firsts = [
            self.t["opportunities"].loc[self.t["opportunities"]["outcome"] == "won"].groupby("account_id")["close_date"].min()
        ]
        if "orders" in self.t:
            firsts.append(self.t["orders"].groupby("account_id")["order_date"].min())
        first = pd.concat(firsts, axis=1).min(axis=1)
        earlier = deals["account_id"].map(first) < deals["created_date"]
        return pd.Series(np.where(earlier, "cross_sell", "new_business"), index=deals.index), (
            "inferred: cross-sell when the account had won or ordered before; "
            "accounts that were clients before the window count as new"
        )

    def win_by_kind(self, mature: pd.DataFrame, how: str) -> None:
        kind, note = self.deal_kind(mature)
        for name, text in (("new_business", "Win rate, new business"), ("cross_sell", "Win rate, cross-sell")):
            sub = mature[kind == name]
            if self.enough(f"win_rate.{name}", text, "pipeline", len(sub), "closed deals"):
                self.add(
                    f"win_rate.{name}",
                    text,
                    proportion(sub["outcome"].eq("won").sum(), len(sub)),
                    len(sub),
                    "share",
                    how,
                    "pipeline",
                    note,
                )

    def stage_paths(self) -> pd.DataFrame:
        """Per stage entry: stage, position, days to leave, left (bool), converted (bool or NA while open)."""
        history = self.t["stage_history"].merge(
            self.t["opportunities"][["opportunity_id", "outcome", "close_date"]], on="opportunity_id", how="inner"
        )
        history = history.sort_values(["opportunity_id", "entered_date"], kind="stable")
        grouped = history.groupby("opportunity_id", sort=False)
        history["position"] = grouped.cumcount()
        nxt = grouped["entered_date"].shift(-1)
        last = nxt.isna()
        exit_ = nxt.where(~last, history["close_date"])
        is_open = last & history["outcome"].eq("open")
        history["left"] = ~is_open
        history["days"] = (exit_.where(~is_open, self.end) - history["entered_date"]).dt.days.clip(lower=0)
        history["converted"] = (~last | history["outcome"].eq("won")).where(~is_open)
        return history

    def stages(self) -> None:
        if "stage_history" not in self.t or self.t["stage_history"].empty:
            self.skip("stage_conversion", "Stage conversion and durations", "pipeline", self.absent("stage_history"))
            return
        paths = self.stage_paths()
        order = paths.groupby("stage")["position"].mean().sort_values().index
        for stage in order:
            sub = paths[paths["stage"] == stage]
            slug = normalise_category(pd.Series([stage])).iloc[0]
            resolved = sub["converted"].dropna()
            key, text = f"stage_conversion.{slug}", f"Stage {stage}: moved on (or won)"
            if self.enough(key, text, "pipeline", len(resolved), "resolved deals in the stage"):
                self.add(
                    key,
                    text,
                    proportion(int(resolved.astype(bool).sum()), len(resolved)),
                    len(resolved),
                    "share",
                    f"deals that left the stage forward / all that left it; "
                    f"{int(sub['converted'].isna().sum())} still in it censored",
                    "pipeline",
                )
            key, text = f"stage_days.{slug}", f"Stage {stage}: days in it (median)"
            if self.enough(key, text, "pipeline", int(sub["left"].sum()), "deals that left the stage"):
                self.add(
                    key,
                    text,
                    km_median(sub["days"].to_numpy(), sub["left"].to_numpy()),
                    len(sub),
                    "days",
                    "Kaplan-Meier median, deals still in the stage censored at the export's end",
                    "pipeline",
                )

    # -- deals --------------------------------------------------------------------------------------------------

    def deals(self) -> None:
        deals = self.t["opportunities"]
        won = deals[deals["outcome"].eq("won")]
        amounts = won["amount"].dropna()
        amounts = amounts[amounts > 0].to_numpy()
        if self.enough("deal_size_median", "Deal size", "deals", len(amounts), "won deals with an amount"):
            self.add(
                "deal_size_median",
                "Deal size, won deals (median)",
                median(amounts),
                len(amounts),
                "currency",
                "exact order-statistic interval",
                "deals",
            )
            self.add(
                "deal_size_mean",
                "Deal size, won deals (mean)",
                bootstrap(amounts, np.mean),
                len(amounts),
                "currency",
                "percentile bootstrap",
                "deals",
            )
            for p in (0.1, 0.9):
                self.add(
                    f"deal_size_p{round(p * 100)}",
                    f"Deal size, won deals ({round(p * 100)}th percentile)",
                    quantile(amounts, p),
                    len(amounts),
                    "currency",
                    "exact order-statistic interval",
                    "deals",
                )
            logs = np.log(amounts)
            sd = float(logs.std(ddof=1))
            dof = len(logs) - 1
            chi = stats.chi2.ppf([(1 + LEVEL) / 2, (1 - LEVEL) / 2], dof)
            low, high = np.sqrt(dof * sd**2 / chi)
            self.add(
                "deal_size_log_sd",
                "Deal size spread (sd of log amounts)",
                (sd, float(low), float(high)),
                len(amounts),
                "log",
                "chi-square interval; a lognormal with this sd and the median fits the sizes",
                "deals",
            )
        kind, note = self.deal_kind(won)
        known = int((kind != "").sum())
        if self.enough("cross_sell_share", "Cross-sell share", "deals", known, "won deals with a kind"):
            cross = int((kind == "cross_sell").sum())
            self.add(
                "cross_sell_share",
                "Cross-sell share of won deals",
                proportion(cross, known),
                known,
                "share",
                "exact binomial",
                "deals",
                note,
            )
        if not self.months_ok("new_clients_per_year", "New clients per year", "deals", YEARLY_MONTHS):
            return
        new = won[kind == "new_business"]
        count = int(new["account_id"].nunique())
        self.add(
            "new_clients_per_year",
            "New clients won per year",
            poisson_rate(count, self.years),
            count,
            "per year",
            "accounts with a won new-business deal / window years; exact Poisson",
            "deals",
            note,
        )
        sales_years = self.person_years("salesperson")
        if sales_years > 0:
            self.add(
                "new_clients_per_salesperson_year",
                "New clients per salesperson and year",
                poisson_rate(count, sales_years),
                count,
                "per person-year",
                f"over {sales_years:.1f} salesperson-years in the window; exact Poisson",
                "deals",
                note,
            )

    # -- orders -------------------------------------------------------------------------------------------------

    def client_lives(self, orders: pd.DataFrame) -> tuple[pd.DataFrame, float]:
        """Per client: start, end of observation, churned, days observed; and the lapse (days without an order = lost).

        A lost client's life runs to its last order plus the mean gap between orders (when the next
        order would have come); a client ordering within the lapse of the window's start was a client before it.
        """
        orders = orders.sort_values(["account_id", "order_date"])
        gaps = orders.groupby("account_id")["order_date"].diff().dt.days.dropna()
        lapse = float(np.clip(gaps.quantile(0.95), 90, 365)) if len(gaps) else 365.0
        mean_gap = float(gaps.mean()) if len(gaps) else 0.0
        per = orders.groupby("account_id")["order_date"].agg(["min", "max", "size"])
        horizon = self.end - pd.Timedelta(lapse, unit="D")
        churned = per["max"] < horizon
        start = per["min"].where(per["min"] > self.start + pd.Timedelta(lapse, unit="D"), self.start)
        stop = (per["max"] + pd.Timedelta(mean_gap, unit="D")).where(churned, horizon)
        lives = pd.DataFrame({"start": start, "stop": stop, "churned": churned, "orders": per["size"]})
        lives["days"] = (lives["stop"] - lives["start"]).dt.days.clip(lower=0)
        # ordering time: clients not (yet) lost keep ordering to the export's end, not just to the horizon
        lives["ordering_days"] = (stop.where(churned, self.end) - start).dt.days.clip(lower=0)
        return lives, lapse

    def orders(self) -> None:
        if "orders" not in self.t or self.t["orders"].empty:
            for key, label in (("order_interval_days", "Order interval and value"), ("client_churn_per_year", "Client churn")):
                self.skip(key, label, "orders", self.absent("orders"))
            self.revenue_from_deals()
            return
        orders = self.t["orders"]
        clients = orders["account_id"].nunique()
        if self.months_ok("revenue_per_year", "Revenue per year", "orders", YEARLY_MONTHS):
            totals = orders.groupby("account_id")["amount"].sum().to_numpy()
            value, low, high = bootstrap(totals, np.sum)
            self.add(
                "revenue_per_year",
                "Revenue per year (orders)",
                (value / self.years, low / self.years, high / self.years),
                clients,
                "currency",
                "order amounts / window years; bootstrap over clients",
                "orders",
            )
        recent = orders[orders["order_date"] > self.end - pd.Timedelta(YEAR, unit="D")]["account_id"].nunique()
        self.add(
            "active_clients",
            "Active clients (ordered in the last 12 months)",
            (recent, recent, recent),
            recent,
            "people",
            "count",
            "orders",
        )
        lives, lapse = self.client_lives(orders)
        exposure = float(lives["ordering_days"].sum()) / YEAR
        if exposure > 0 and self.enough("orders_per_client_year", "Order frequency", "orders", len(orders), "orders"):
            rate = poisson_rate(len(orders), exposure)
            self.add(
                "orders_per_client_year",
                "Orders per active client and year",
                rate,
                len(orders),
                "per client-year",
                f"over {exposure:,.0f} client-years while ordering; exact Poisson",
                "orders",
            )
            # the mean interval from the rate: gaps seen inside a window are cut short by its ends and by churn
            self.add(
                "order_interval_days",
                "Days between a client's orders (mean)",
                (YEAR / rate[0], YEAR / rate[2], YEAR / rate[1]),
                len(orders),
                "days",
                "365.25 / orders per active client-year",
                "orders",
            )
        values = orders["amount"].dropna()
        values = values[values > 0].to_numpy()
        if self.enough("order_value_median", "Order value", "orders", len(values), "orders with an amount"):
            self.add(
                "order_value_median",
                "Order value (median)",
                median(values),
                len(values),
                "currency",
                "exact order-statistic interval",
                "orders",
            )
            self.add(
                "order_value_mean",
                "Order value (mean)",
                bootstrap(values, np.mean),
                len(values),
                "currency",
                "percentile bootstrap",
                "orders",
            )
        if not self.months_ok("client_churn_per_year", "Client churn", "orders", max(LIFETIME_MONTHS, lapse / 30.44 + 3)):
            return
        if self.enough(
            "client_churn_per_year", "Client churn", "orders", int(lives["churned"].sum()), "clients that stopped ordering"
        ):
            mean, low, high = exponential_lifetime(lives["days"].to_numpy(float), lives["churned"].to_numpy())
            self.add(
                "client_churn_per_year",
                "Clients lost per year (stopped ordering)",
                (yearly_loss(mean), yearly_loss(high), yearly_loss(low)),
                len(lives),
                "share",
                f"exponential lifetime with censoring; a client is lost when its last order is over {lapse:.0f} days "
                "(95th percentile of gaps) before the export's end",
                "orders",
            )

    def revenue_from_deals(self) -> None:
        """Without orders, yearly revenue from won deal amounts (what the CRM books)."""
        if not self.months_ok("revenue_per_year", "Revenue per year", "orders", YEARLY_MONTHS):
            return
        won = self.t["opportunities"]
        won = won[won["outcome"].eq("won") & won["amount"].notna()]
        if self.enough("revenue_per_year", "Revenue per year", "orders", len(won), "won deals with an amount"):
            totals = won.groupby("account_id")["amount"].sum().to_numpy()
            value, low, high = bootstrap(totals, np.sum)
            self.add(
                "revenue_per_year",
                "Revenue per year (won deals)",
                (value / self.years, low / self.years, high / self.years),
                len(won),
                "currency",
                "won deal amounts / window years; bootstrap over accounts",
                "orders",
                "no orders table: booked, not invoiced",
            )

    # -- staff --------------------------------------------------------------------------------------------------

    def employed(self, role: str | None = None) -> pd.DataFrame:
        staff = self.t["staff"]
        return staff if role is None else staff[staff["role"] == role]

    def person_years(self, role: str | None = None, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> float:
        """Years employed within [start, end] (default: the window), summed over the role's staff."""
        start = self.start if start is None else start
        end = self.end if end is None else end
        staff = self.employed(role)
        first = staff["start_date"].clip(lower=start)
        last = staff["end_date"].fillna(end).clip(upper=end)
        return float(((last - first).dt.days.clip(lower=0)).sum()) / YEAR

    def staff(self) -> None:
        staff = self.t["staff"]
        # the window's first day, every quarter's end within it, and its last day
        quarters = pd.DatetimeIndex([self.start, *pd.date_range(self.start, self.end, freq="QE"), self.end]).unique()
        rows = {}
        for day in quarters:
            here = staff[(staff["start_date"] <= day) & (staff["end_date"].isna() | (staff["end_date"] > day))]
            rows[day] = here["role"].value_counts()
        self.out.headcount = pd.DataFrame(rows).T.fillna(0).astype(int).sort_index(axis=1)
        for role, count in self.out.headcount.iloc[-1].items():
            if count:
                self.add(
                    f"headcount.{role}",
                    f"Headcount at the end: {role.replace('_', ' ')}",
                    (count, count, count),
                    count,
                    "people",
                    "count",
                    "staff",
                )
        if not staff["end_date"].notna().any() and not self.x.has("staff", "end_date"):
            self.skip(
                "staff_attrition_per_year",
                "Staff attrition and tenure",
                "staff",
                "no end dates in staff (end_date column empty or missing)",
            )
            return
        if not self.months_ok("staff_attrition_per_year", "Staff attrition and tenure", "staff", LIFETIME_MONTHS):
            return
        # each person observed from the later of hiring and the window's start (memoryless exponential);
        # people gone before the window or hired after it are not observed at all
        staff = staff[(staff["end_date"].isna() | (staff["end_date"] >= self.start)) & (staff["start_date"] <= self.end)]
        first = staff["start_date"].clip(lower=self.start)
        left = staff["end_date"].notna() & (staff["end_date"] <= self.end) & (staff["end_date"] >= self.start)
        last = staff["end_date"].where(left, self.end)
        days = (last - first).dt.days.clip(lower=0).to_numpy(float)
        keep = days > 0
        if self.enough("staff_attrition_per_year", "Staff attrition", "staff", int(left[keep].sum()), "leavers in the window"):
            mean, low, high = exponential_lifetime(days[keep], left[keep].to_numpy())
            self.add(
                "staff_attrition_per_year",
                "Staff leaving per year",
                (yearly_loss(mean), yearly_loss(high), yearly_loss(low)),
                int(keep.sum()),
                "share",
                "exponential lifetime with censoring over the window's person-years",
                "staff",
            )
            self.add(
                "tenure_years",
                "Expected tenure",
                (mean / YEAR, low / YEAR, high / YEAR),
                int(keep.sum()),
                "years",
                "mean of the same exponential lifetime",
                "staff",
            )

    # -- activities ---------------------------------------------------------------------------------------------

    def activities(self) -> None:
        if "activities" not in self.t or self.t["activities"].empty:
            self.skip("activities_per_week", "Activities per person and week", "activities", self.absent("activities"))
            return
        acts = self.t["activities"].copy()
        acts["kind"] = normalise_category(acts["kind"])
        first, last = acts["date"].min(), acts["date"].max()
        role_of = self.t["staff"].set_index("staff_id")["role"]
        acts["role"] = acts["staff_id"].map(role_of)
        counts = acts["kind"].value_counts()
        total = int(counts.sum())
        for kind, count in counts.items():
            self.add(
                f"activity_mix.{kind}",
                f"Share of activities: {kind}",
                proportion(int(count), total),
                total,
                "share",
                "exact binomial",
                "activities",
            )
        for role, sub in acts.dropna(subset=["role"]).groupby("role"):
            weeks = self.person_years(str(role), first, last) * YEAR / 7
            if weeks <= 0:
                continue
            for kind, count in sub["kind"].value_counts().items():
                self.add(
                    f"activities_per_week.{role}.{kind}",
                    f"{str(role).replace('_', ' ').capitalize()}: {kind}s per week",
                    poisson_rate(int(count), weeks),
                    int(count),
                    "per person-week",
                    f"logged / {weeks:,.0f} person-weeks employed in {first:%Y-%m-%d}..{last:%Y-%m-%d}; exact Poisson",
                    "activities",
                    "CRM logs miss servicing done outside it: a lower bound",
                )
            minutes = sub.dropna(subset=["minutes"])
            for kind, durations in minutes.groupby("kind")["minutes"]:
                n = len(durations)
                per = float(durations.mean()) / 60
                _, low, high = poisson_rate(n, weeks)
                self.add(
                    f"hours_per_week.{role}.{kind}",
                    f"{str(role).replace('_', ' ').capitalize()}: hours per week on {kind}s",
                    (float(durations.sum()) / 60 / weeks, low * per, high * per),
                    n,
                    "per person-week",
                    "logged minutes / person-weeks; interval from the count, the mean duration taken as known",
                    "activities",
                )
        unknown = int(acts["role"].isna().sum())
        if unknown:
            self.skip(
                "activities_per_week.unknown",
                "Activities of staff ids not in staff",
                "activities",
                f"{unknown} activities: counted in the mix, not per person",
            )

    # -- cases --------------------------------------------------------------------------------------------------

    def clients(self) -> int:
        """Clients: accounts with an order in the window, or without orders, with a won deal."""
        if "orders" in self.t and not self.t["orders"].empty:
            return int(self.t["orders"]["account_id"].nunique())
        deals = self.t["opportunities"]
        return int(deals.loc[deals["outcome"].eq("won"), "account_id"].nunique())

    def cases(self) -> None:
        if "cases" not in self.t or self.t["cases"].empty:
            self.skip("cases_per_client_year", "Case and complaint rates", "cases", self.absent("cases"))
            return
        cases = self.t["cases"]
        clients = self.clients()
        exposure = clients * self.years
        if clients and self.months_ok("cases_per_client_year", "Cases per client and year", "cases", YEARLY_MONTHS):
            complaints = int(cases["kind"].eq("complaint").sum())
            self.add(
                "cases_per_client_year",
                "Cases per client and year",
                poisson_rate(len(cases), exposure),
                len(cases),
                "per client-year",
                f"cases / ({clients} clients x window years); exact Poisson",
                "cases",
            )
            self.add(
                "complaints_per_client_year",
                "Complaints per client and year",
                poisson_rate(complaints, exposure),
                complaints,
                "per client-year",
                f"complaints / ({clients} clients x window years); exact Poisson",
                "cases",
            )
        if self.enough("complaint_share", "Complaint share", "cases", len(cases), "cases"):
            self.add(
                "complaint_share",
                "Complaints among cases",
                proportion(int(cases["kind"].eq("complaint").sum()), len(cases)),
                len(cases),
                "share",
                "exact binomial",
                "cases",
            )
        closed = cases["closed_date"].notna()
        days = (cases["closed_date"].where(closed, self.end) - cases["opened_date"]).dt.days.clip(lower=0)
        if self.enough("case_days", "Case resolution time", "cases", int(closed.sum()), "closed cases"):
            self.add(
                "case_days",
                "Days to close a case (median)",
                km_median(days.to_numpy(float), closed.to_numpy()),
                len(cases),
                "days",
                "Kaplan-Meier median, open cases censored at the export's end",
                "cases",
            )

    def run(self) -> Estimates:
        self.pipeline()
        self.deals()
        self.orders()
        self.staff()
        self.activities()
        self.cases()
        return self.out


def describe(export: CrmExport) -> Estimates:
    """The direct estimates for ``export``: every figure with its 95% interval and n, and what could not be estimated."""
    return _Describer(export).run()
