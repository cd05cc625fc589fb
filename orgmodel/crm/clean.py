"""What ``crm check`` does with a messy export: parse, find each flaw, and drop, censor, fix or refuse.

Real exports have duplicated ids, dates out of order, close dates before the
creation date, amounts typed as text, deals left open for years, owners no
staff table knows and windows of two months. Each flaw becomes a
:class:`~orgmodel.crm.schema.Problem` with its row count, one example row and
the action taken. Only what cannot be used at all is refused, with one line
(file, row, column, what is allowed): a category value the calibration cannot
interpret (silently dropping "Pending" deals would bias the win rate), a
column most of whose values are not dates or amounts (the wrong column was
mapped), a required table with no usable row.
"""

from __future__ import annotations

import pandas as pd

from orgmodel.crm.mapping import MAPPING_FILE
from orgmodel.crm.parse import empty, normalise_category, parse_amounts, parse_dates, parse_ids
from orgmodel.crm.schema import CLOSING_STAGES, TABLES, CrmError, Problem

#: below this share of readable values a column is refused (the wrong column was mapped), above it bad rows are dropped
MIN_READABLE = 0.5
#: a window shorter than this many months is reported as too short for yearly rates
SHORT_WINDOW_MONTHS = 6
#: an open deal older than this many days at the export's end (or twice the slowest 5% of closed deals) is stale
STALE_OPEN_DAYS = 365
_EXAMPLE_COLUMNS = 6
#: what an optional table informs, said when it is missing
TABLE_USE = {
    "contacts": "win rate by buying-group size is not estimated",
    "stage_history": "stage conversion and stage durations are not estimated",
    "orders": "order interval and value, client churn are not estimated; revenue comes from won deals",
    "activities": "activities per person and week are not estimated",
    "cases": "case and complaint rates are not estimated",
}
#: what an optional column informs, said when it is missing (columns no estimate uses are not reported)
COLUMN_USE = {
    ("staff", "end_date"): "staff attrition and tenure are not estimated (everyone counts as employed)",
    ("contacts", "opportunity_id"): "buying groups are counted per account, not per deal",
    ("opportunities", "kind"): "new business and cross-sell are inferred from earlier wins and orders on the account",
    ("activities", "minutes"): "hours per week are not estimated, only counts",
}


def _example(text: pd.DataFrame, mask: pd.Series, column: str = "") -> str:
    """The first flagged row as the file had it: ``Opportunity.csv row 17: opportunity_id=..., ...`` (id, then ``column``)."""
    if not mask.any():
        return ""
    row = text[mask.to_numpy()].iloc[0]
    names = [c for c in text.columns if not c.startswith("_")]
    first = list(dict.fromkeys([names[0], column] if column in names else names[:1]))
    cols = first + [c for c in names if c not in first][: _EXAMPLE_COLUMNS - len(first)]
    values = ", ".join(f"{c}={'' if pd.isna(row[c]) else row[c]}" for c in cols)
    return f"{row['_file']} row {row['_row']}: {values}"


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _where(text: pd.DataFrame, mask: pd.Series) -> str:
    row = text[mask.to_numpy()].iloc[0]
    return f"{row['_file']} row {row['_row']}"


class Cleaner:
    """Turns the text tables into typed ones, collecting problems. One instance per export."""

    def __init__(
        self,
        text: dict[str, pd.DataFrame],
        missing: dict[str, list[str]],
        dayfirst: bool = False,
        origins: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.text = text
        self.missing = missing
        self.dayfirst = dayfirst
        self.origins = origins or {}
        self.problems: list[Problem] = []
        self.tables: dict[str, pd.DataFrame] = {}

    def note(self, kind: str, table: str, column: str, mask: pd.Series, action: str, detail: str, frame: pd.DataFrame) -> None:
        """Record a problem for the rows in ``mask`` of ``frame`` (its ``_file``/``_row`` locate the example)."""
        rows = int(mask.sum())
        if rows:
            self.problems.append(
                Problem(kind, table, column, rows, _example(self._text_of(table, frame), mask, column), action, detail)
            )  # type: ignore[arg-type]

    def _text_of(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The original text of ``frame``'s rows, for examples as the file had them (rows keep their index until the end)."""
        return self.text[table].loc[frame.index]

    # ---- parsing -------------------------------------------------------------------------------------

    def label(self, table: str, column: str) -> str:
        """A canonical column as messages name it, with the file's own column where the mapping renamed it."""
        origin = self.origins.get(table, {}).get(column)
        return f"{column} (from {origin})" if origin else column

    def _refuse_unreadable(self, table: str, column: str, text: pd.DataFrame, bad: pd.Series, what: str) -> None:
        filled = (~empty(text[column])).sum()
        if bad.any() and bad.sum() > (1 - MIN_READABLE) * filled:
            value = text.loc[bad, column].iloc[0]
            raise CrmError(
                f"{_where(text, bad)}, column {self.label(table, column)}: '{value}' is not {what} "
                f"({int(bad.sum())} of {int(filled)} values are not; map the right column in {MAPPING_FILE})"
            )

    def parse(self, table: str) -> pd.DataFrame:
        """Parse one text table into typed columns; drop rows that cannot be read, refuse what cannot be used."""
        spec = TABLES[table]
        text = self.text[table]
        out = pd.DataFrame({"_file": text["_file"], "_row": text["_row"]}, index=text.index)
        drop = pd.Series(False, index=text.index)
        for col in spec.columns:
            if col.name not in text.columns:
                continue
            raw = text[col.name]
            if col.kind == "id":
                values = parse_ids(raw)
            elif col.kind == "date":
                values, bad = parse_dates(raw, self.dayfirst)
                self._refuse_unreadable(table, col.name, text, bad, "a date (e.g. 2024-03-31)")
                self.note("not a date", table, col.name, bad, "drop", "rows whose date cannot be read are left out", text)
                drop |= bad
            elif col.kind in ("amount", "number"):
                values, bad, as_text = parse_amounts(raw)
                what = "an amount (e.g. 1234.50)" if col.kind == "amount" else "a number"
                self._refuse_unreadable(table, col.name, text, bad, what)
                self.note(
                    f"not {'an amount' if col.kind == 'amount' else 'a number'}",
                    table,
                    col.name,
                    bad,
                    "drop",
                    "rows whose value cannot be read are left out",
                    text,
                )
                if col.kind == "amount":
                    self.note(
                        "amount as text",
                        table,
                        col.name,
                        as_text,
                        "fix",
                        "currency signs, codes and thousand separators removed; decimal commas read as decimals",
                        text,
                    )
                drop |= bad
            elif col.kind == "category":
                values = normalise_category(raw).mask(empty(raw))
                wrong = values.notna() & ~values.isin(col.allowed)
                if wrong.any():
                    value = raw[wrong].iloc[0]
                    raise CrmError(
                        f"{_where(text, wrong)}, column {self.label(table, col.name)}: '{value}' is not allowed; allowed: "
                        f"{', '.join(col.allowed)} ({_rows(int(wrong.sum()))}; map other values in {MAPPING_FILE})"
                    )
            else:
                values = raw.astype("string").str.strip().mask(empty(raw))
            out[col.name] = values
            if not col.nullable:
                blank = values.isna() & ~drop
                if table == "contacts" and col.name == "account_id" and "opportunity_id" in text:
                    blank &= parse_ids(text["opportunity_id"]).isna()  # filled from the deal later
                self.note("missing value", table, col.name, blank, "drop", f"rows without a {col.name} are left out", text)
                drop |= blank
        for col in spec.columns:
            if col.name not in out.columns:
                out[col.name] = pd.Series(None, index=out.index, dtype=col.dtype)
        typed = out[~drop].copy()
        for col in spec.columns:
            typed[col.name] = typed[col.name].astype(col.dtype)
        return typed[[*spec.names, "_file", "_row"]]

    # ---- checks --------------------------------------------------------------------------------------

    def duplicates(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Exact copies are dropped; rows sharing an id but differing keep the last (the later state)."""
        key = TABLES[table].key
        if key is None or frame[key].isna().all():
            return frame
        data = [c for c in frame.columns if not c.startswith("_")]
        copies = frame.duplicated(subset=data, keep="first") & frame[key].notna()
        self.note("duplicate row", table, key, copies, "drop", "exact copies of a row are counted once", frame)
        frame = frame[~copies]
        clash = frame.duplicated(subset=[key], keep="last") & frame[key].notna()
        self.note(
            "duplicate id",
            table,
            key,
            clash,
            "drop",
            "rows repeating an id with other values: the last row of each id (the later state) is kept",
            frame,
        )
        return frame[~clash]

    def opportunities(self, deals: pd.DataFrame) -> pd.DataFrame:
        """Close dates against creation dates and outcomes; open deals keep no close date."""
        closed = deals["outcome"].isin(["won", "lost"])
        before = deals["close_date"].notna() & (deals["close_date"] < deals["created_date"])
        self.note(
            "close before creation",
            "opportunities",
            "close_date",
            before,
            "drop",
            "a deal cannot close before it was opened",
            deals,
        )
        deals = deals[~before]
        closed = deals["outcome"].isin(["won", "lost"])
        undated = closed & deals["close_date"].isna()
        self.note(
            "closed without close date",
            "opportunities",
            "close_date",
            undated,
            "drop",
            "won or lost deals need the date they closed",
            deals,
        )
        deals = deals[~undated].copy()
        expected = (deals["outcome"] == "open") & deals["close_date"].notna()
        self.note(
            "close date on an open deal",
            "opportunities",
            "close_date",
            expected,
            "fix",
            "an open deal's close date is the expected one: ignored, the deal counts as open at the export's end",
            deals,
        )
        deals.loc[expected, "close_date"] = pd.NaT
        return deals

    def stale_open(self, deals: pd.DataFrame, end: pd.Timestamp) -> None:
        """Open deals older than any closed deal took: counted as still open (censored), not as lost."""
        closed = deals[deals["close_date"].notna()]
        cycle = (closed["close_date"] - closed["created_date"]).dt.days
        limit = max(STALE_OPEN_DAYS, 2 * float(cycle.quantile(0.95))) if len(cycle) else STALE_OPEN_DAYS
        stale = (deals["outcome"] == "open") & ((end - deals["created_date"]).dt.days > limit)
        self.note(
            "open deal older than the export",
            "opportunities",
            "created_date",
            stale,
            "censor",
            f"open for more than {limit:.0f} days at the export's end: kept as open (censored) in stage durations and "
            "cycle length, not counted as lost; close or delete them in the CRM if they are dead",
            deals,
        )

    def stage_history(self, history: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
        """Stage rows: unknown deals dropped, closing stages set aside, file order and repeats fixed."""
        unknown = ~history["opportunity_id"].isin(deals["opportunity_id"])
        self.note(
            "unknown opportunity",
            "stage_history",
            "opportunity_id",
            unknown,
            "drop",
            "stage rows of deals not in opportunities (or dropped from it) are left out",
            history,
        )
        history = history[~unknown]
        closing = normalise_category(history["stage"]).isin(CLOSING_STAGES)
        self.note(
            "close recorded as a stage",
            "stage_history",
            "stage",
            closing,
            "fix",
            "rows for the closing stage are not a pipeline stage; the close comes from opportunities",
            history,
        )
        history = history[~closing]
        previous = history.groupby("opportunity_id", sort=False)["entered_date"].shift()
        disorder = previous.notna() & (history["entered_date"] < previous)
        self.note(
            "dates out of order",
            "stage_history",
            "entered_date",
            disorder,
            "fix",
            "stage rows sorted by date within each deal",
            history,
        )
        history = history.sort_values(["opportunity_id", "entered_date", "_row"], kind="stable")
        repeat = history["stage"].eq(history.groupby("opportunity_id")["stage"].shift()).fillna(False).astype(bool)
        self.note(
            "repeated stage",
            "stage_history",
            "stage",
            repeat,
            "fix",
            "a row repeating the stage before it (a change of amount or date) is merged into it",
            history,
        )
        return history[~repeat]

    def date_order(self, table: str, frame: pd.DataFrame, start: str, end: str, what: str) -> pd.DataFrame:
        """Rows ending before they start are left out (``what`` says what that means)."""
        wrong = frame[end].notna() & (frame[end] < frame[start])
        self.note("dates out of order", table, end, wrong, "drop", what, frame)
        return frame[~wrong]

    def known_ids(self, tables: dict[str, pd.DataFrame]) -> None:
        """Owners and staff no staff table knows; accounts no accounts table knows (added to it)."""
        staff = set(tables["staff"]["staff_id"])
        for table, column in (("opportunities", "owner_id"), ("activities", "staff_id"), ("cases", "staff_id")):
            if table in tables:
                frame = tables[table]
                unknown = frame[column].notna() & ~frame[column].isin(staff)
                ids = frame.loc[unknown, column].nunique()
                self.note(
                    "unknown staff id",
                    table,
                    column,
                    unknown,
                    "keep",
                    f"{ids} ids not in staff: counted in company totals, left out of per-person rates",
                    frame,
                )
        accounts = tables["accounts"]
        known = set(accounts["account_id"])
        extra: list[str] = []
        for table in ("opportunities", "orders", "cases", "contacts", "activities"):
            if table in tables and "account_id" in tables[table]:
                frame = tables[table]
                unknown = frame["account_id"].notna() & ~frame["account_id"].isin(known)
                self.note(
                    "unknown account id",
                    table,
                    "account_id",
                    unknown,
                    "fix",
                    "accounts not in the accounts table are added to it",
                    frame,
                )
                new = [a for a in dict.fromkeys(frame.loc[unknown, "account_id"]) if a not in known]
                extra += new
                known.update(new)
        if extra:
            added = pd.DataFrame({"account_id": pd.array(extra, dtype="string")})
            tables["accounts"] = pd.concat([accounts, added], ignore_index=True).astype({"account_id": "string"})

    def contacts(self, contacts: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
        """Contact roles given per deal take their account from the deal."""
        if contacts["opportunity_id"].isna().all():
            if contacts["account_id"].isna().all() and not contacts.empty:
                raise CrmError(
                    f"{contacts['_file'].iloc[0]}: contacts need account_id or opportunity_id (map one in {MAPPING_FILE})"
                )
            return contacts
        lookup = deals.set_index("opportunity_id")["account_id"]
        fill = contacts["account_id"].isna() & contacts["opportunity_id"].notna()
        contacts = contacts.copy()
        contacts.loc[fill, "account_id"] = contacts.loc[fill, "opportunity_id"].map(lookup)
        lost = contacts["account_id"].isna()
        self.note(
            "unknown opportunity",
            "contacts",
            "opportunity_id",
            lost,
            "drop",
            "contacts of deals not in opportunities (or dropped from it) are left out",
            contacts,
        )
        return contacts[~lost]

    # ---- the whole export ----------------------------------------------------------------------------

    def run(self) -> tuple[dict[str, pd.DataFrame], tuple[pd.Timestamp, pd.Timestamp]]:
        """Parse and check every table; returns the typed tables and the window they cover."""
        for table, spec in TABLES.items():
            if table not in self.text:
                if not spec.required:
                    self.problems.append(Problem("table missing", table, "", 0, "", "skip", TABLE_USE[table]))
                continue
            for column in self.missing.get(table, []):
                if (table, column) in COLUMN_USE:
                    self.problems.append(Problem("column missing", table, column, 0, "", "skip", COLUMN_USE[(table, column)]))
            self.tables[table] = self.duplicates(table, self.parse(table))
        t = self.tables
        t["opportunities"] = self.opportunities(t["opportunities"])
        t["staff"] = self.date_order(
            "staff", t["staff"], "start_date", "end_date", "people leaving before they started are left out"
        )
        if "cases" in t:
            t["cases"] = self.date_order(
                "cases", t["cases"], "opened_date", "closed_date", "cases closed before they opened are left out"
            )
        if "contacts" in t:
            t["contacts"] = self.contacts(t["contacts"], t["opportunities"])
        if "stage_history" in t:
            t["stage_history"] = self.stage_history(t["stage_history"], t["opportunities"])
        self.known_ids(t)
        for table in ("staff", "accounts", "opportunities"):
            if t[table].empty:
                raise CrmError(f"{table}: no usable row left ({len(self.text[table])} rows read; see crm check for why)")
        window = export_window(t)
        self.stale_open(t["opportunities"], window[1])
        months = (window[1] - window[0]).days / 30.44
        if months < SHORT_WINDOW_MONTHS:
            self.problems.append(
                Problem(
                    "short window",
                    "",
                    "",
                    0,
                    f"{window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}",
                    "skip",
                    f"{months:.1f} months: yearly rates need {SHORT_WINDOW_MONTHS} months, churn and attrition 12; "
                    "those are not estimated",
                )
            )
        return {name: frame.reset_index(drop=True) for name, frame in t.items()}, window


#: the columns whose dates say when something happened (an open deal's close date is blank by now)
DATE_COLUMNS = {
    "staff": ("start_date", "end_date"),
    "accounts": ("created_date",),
    "opportunities": ("created_date", "close_date"),
    "stage_history": ("entered_date",),
    "orders": ("order_date",),
    "activities": ("date",),
    "cases": ("opened_date", "closed_date"),
}
#: tables whose dates reach back before the export was taken (people hired and accounts created years ago)
_HISTORIC = {"staff", "accounts"}


def export_window(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last date of the activity the export records.

    Hiring dates and account creation dates reach back years before the CRM
    recorded any deal, so they do not open the window; they may close it.
    """
    firsts, lasts = [], []
    for table, cols in DATE_COLUMNS.items():
        if table not in tables:
            continue
        for col in cols:
            values = tables[table][col].dropna()
            if values.empty:
                continue
            lasts.append(values.max())
            if table not in _HISTORIC:
                firsts.append(values.min())
    if not firsts:
        raise CrmError("the export has no dated deal, order, activity or case: nothing to calibrate on")
    return pd.Timestamp(min(firsts)), pd.Timestamp(max(lasts))
