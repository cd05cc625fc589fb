"""The holdout check: an export as it would have looked on an earlier date, and the months after it.

Fitting on the earlier part of the window and forecasting the rest is the
honest test of a calibration: the forecast months were never seen by the
fit. :func:`cut_export` rewinds an export to a date (deals closed later are
still open then, stages entered later have not happened, people hired later
are not there yet); :func:`tail_export` keeps the months after it, for the
comparison.
"""

from __future__ import annotations

import pandas as pd

from orgmodel.calibration.targets import Tables, Window

#: per table, the column saying when a row happened (rows after the cut do not exist yet)
EVENT_DATE = {
    "opportunities": "created_date",
    "stage_history": "entered_date",
    "orders": "order_date",
    "activities": "date",
    "cases": "opened_date",
    "staff": "start_date",
}


def cut_export(tables: Tables, window: Window, last: pd.Timestamp) -> tuple[dict[str, pd.DataFrame], Window]:
    """The export as it would have been taken on ``last`` (window ``window[0]``..``last``)."""
    out: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        column = EVENT_DATE.get(name)
        df = df[df[column] <= last].copy() if column is not None and column in df else df.copy()
        if name == "opportunities":
            later = df["close_date"] > last
            df.loc[later, "outcome"] = "open"
            df.loc[later, "close_date"] = pd.NaT
        elif name == "staff" and "end_date" in df:
            df.loc[df["end_date"] > last, "end_date"] = pd.NaT
        elif name == "cases" and "closed_date" in df:
            df.loc[df["closed_date"] > last, "closed_date"] = pd.NaT
        out[name] = df
    return out, (window[0], last)


def tail_export(tables: Tables, window: Window, first: pd.Timestamp) -> tuple[dict[str, pd.DataFrame], Window]:
    """The part of the export from ``first`` on (deals opened before it are left out, as in any export)."""
    out: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        column = EVENT_DATE.get(name)
        if column is None or column not in df or name == "staff":
            out[name] = df.copy()
        else:
            out[name] = df[df[column] >= first].copy()
    return out, (first, window[1])
