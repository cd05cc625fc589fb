"""Reading the text of real exports: ids, dates, amounts with currency signs, category values.

Every parser takes a column of strings (empty string = no value) and returns
the parsed values plus a mask of non-empty values it could not read, so the
caller can decide whether to drop those rows or refuse the column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_CURRENCY = re.compile(r"[^\d,.\-()+]")  # everything but digits, separators, sign and accounting brackets
_EPOCH_MS = re.compile(r"^\d{11,13}$")
_SEPARATORS = re.compile(r"[\s\-/]+")


#: what spreadsheets and exports write for "no value"
_EMPTY = ["", "nan", "NaN", "NaT", "None", "NULL", "null", "<NA>"]
#: Arrow-backed strings: the string work on exports of a few hundred thousand rows is several times faster
_FAST = "string[pyarrow]"


def stripped(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The text of a column, stripped, and where it holds no value (missing, blank, ``nan``, ``NULL`` ...)."""
    text = values.astype(_FAST).str.strip()
    return text, text.isna() | text.isin(_EMPTY)


def empty(values: pd.Series) -> pd.Series:
    """True where a text column holds no value (missing, blank or a spreadsheet's ``nan``/``NULL``)."""
    return stripped(values)[1]


def parse_ids(values: pd.Series) -> pd.Series:
    """Ids as text, stripped; ``123.0`` (a spreadsheet's float id) read as ``123``; empty as missing."""
    text, blank = stripped(values)
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True).mask(blank).astype("string")


def parse_dates(values: pd.Series, dayfirst: bool = False) -> tuple[pd.Series, pd.Series]:
    """Dates and date-times as ``datetime64[ns]`` without time zone (UTC when one is given).

    Accepts ISO dates and times (``2024-01-10``, ``2024-01-10T09:15:30.000+0000`` as Salesforce writes
    them), other common layouts (``dayfirst`` decides ``03/04/2024``) and epoch milliseconds (HubSpot's
    API values). Returns the dates and a mask of non-empty values that are not dates.
    """
    text, blank = stripped(values)
    text = text.mask(blank)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    epoch = text.str.match(_EPOCH_MS.pattern).fillna(False).astype(bool) & ~blank
    if epoch.any():
        out[epoch] = pd.to_datetime(text[epoch].astype("int64"), unit="ms").astype("datetime64[ns]")
    rest = ~blank & ~epoch
    if rest.any():
        # ISO dates (what most exports write) in one vectorised pass; anything else element by element
        iso = pd.to_datetime(text[rest], errors="coerce", utc=True, format="ISO8601")
        out[rest] = iso.dt.tz_convert(None).astype("datetime64[ns]")
        other = rest & out.isna()
        if other.any():
            parsed = pd.to_datetime(text[other], errors="coerce", utc=True, format="mixed", dayfirst=dayfirst)
            out[other] = parsed.dt.tz_convert(None).astype("datetime64[ns]")
    bad = ~blank & out.isna()
    return out, bad


def _one_amount(text: str) -> float:
    """One amount written by a person or a spreadsheet: ``€1.234,50``, ``$1,234.50``, ``(300)``, ``1 234``."""
    s = text.strip()
    negative = s.startswith("(") and s.endswith(")")
    s = _CURRENCY.sub("", s).strip("()+")
    if s.startswith("-"):
        negative, s = True, s[1:]
    if not s or "-" in s:
        return np.nan
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s:
        parts = s.split(",")
        # "1,234" and "1,234,567" are thousands; "12,5" and "1234,56" are decimals
        thousands = len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] != "0")
        s = s.replace(",", "" if thousands else ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return np.nan
    return -value if negative else value


def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Amounts as float. Returns (amounts, not-an-amount mask, written-as-text mask).

    "Written as text" are values that needed cleaning: currency signs or codes, thousand separators,
    decimal commas, accounting brackets. They are converted, and counted so ``crm check`` can say so.
    """
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
        return out, pd.Series(False, index=values.index), pd.Series(False, index=values.index)
    text, blank = stripped(values)
    text = text.fillna("")
    plain = pd.to_numeric(text.mask(blank), errors="coerce")
    needs = ~blank & plain.isna()
    out = plain.astype(float)
    if needs.any():
        out[needs] = [_one_amount(t) for t in text[needs]]
    bad = ~blank & out.isna()
    return out, bad, needs & ~bad


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (minutes, order lines); the amount reader handles separators. Returns (numbers, bad mask)."""
    out, bad, _ = parse_amounts(values)
    return out, bad


def normalise_category(values: pd.Series) -> pd.Series:
    """Lower case with spaces, hyphens and slashes as underscores: ``New Business`` -> ``new_business``."""
    text = values.astype(_FAST).str.strip().str.lower()
    return text.str.replace(_SEPARATORS.pattern, "_", regex=True).astype("string")
