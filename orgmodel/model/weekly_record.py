"""The model's record: Mesa's ``DataCollector`` for the weekly columns and the monthly staff table, without copies.

Mesa's ``collect`` deep-copies every reporter's value each time (so that a
list or dict a model keeps changing is not changed in the record too), and
``add_table_row`` checks a row's columns one by one. Every weekly column
here is a plain number and every staff-table cell a number or a string:
immutable, so a copy protects nothing, yet the copies and checks were a few
percent of a reference run. :class:`WeeklyRecord` appends the very same
values to the stores Mesa's module docstring documents (``model_vars``: each
reporter's list of values; ``tables``: each table's column lists), so
``get_model_vars_dataframe``, ``get_table_dataframe``, the dashboard and
``batch_run`` read it as any ``DataCollector``. A week with a value that is
not a plain number (never in this model) goes through Mesa's own ``collect``,
and so does the first week (Mesa checks the reporters then).
``tests/test_weekly_record.py`` checks the frames are those Mesa's own
methods give.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd
from mesa import DataCollector, Model

#: values that cannot change after they are recorded (Mesa would copy them for nothing)
_IMMUTABLE = (int, float, str, np.number, np.bool_)
#: value types whose columns pandas would make float64 and int64 (numpy's scalars are what numpy sums give)
_FLOATS = frozenset((float, np.float64))
_INTS = frozenset((int, np.int64))


def column_array(values: list[Any]) -> np.ndarray | list[Any]:
    """A recorded column as pandas would store it: float64 or int64 if its values are all floats or all ints.

    ``pd.DataFrame`` infers a list's type by boxing every value into an
    object array and scanning it, several times what ``np.array`` costs for
    the same numbers; the array it ends with is the same. Anything else
    (strings, a mix of ints and floats, an int beyond int64, no values) is
    left to pandas as a list, so every column's type is the one pandas gives.
    """
    kinds = set(map(type, values))
    if not kinds:
        return values
    if kinds <= _FLOATS:
        return np.array(values, dtype=np.float64)
    if kinds <= _INTS:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:  # pandas makes such a column uint64 or object
            return values
    return values


def frame(columns: Mapping[str, list[Any]]) -> pd.DataFrame:
    """``pd.DataFrame(columns)`` with numeric columns turned into arrays first (the same frame, dtypes included)."""
    return pd.DataFrame({name: column_array(values) for name, values in columns.items()})


class WeeklyRecord(DataCollector):
    """A ``DataCollector`` of model attributes (one column each) and one table, filled without copies.

    Args:
        columns: weekly column name -> model attribute it reads.
        tables: table name -> its columns (as for ``DataCollector``).

    """

    def __init__(self, columns: Mapping[str, str], tables: Mapping[str, Sequence[str]]) -> None:
        super().__init__(model_reporters=dict(columns), tables={name: list(cols) for name, cols in tables.items()})
        self._weekly = [(self.model_vars[name], attribute) for name, attribute in columns.items()]
        self._stores = [store for store, _ in self._weekly]  # each column's list of values, in column order
        #: every column's attribute read in one call (after the first week, when all of them exist)
        self._read = attrgetter(*columns.values()) if len(columns) > 1 else None
        self._checked = False

    def collect(self, model: Model) -> None:
        """Append this week's value of every column (Mesa's ``collect`` for the first week and any odd value)."""
        if self._checked and self._read is not None:
            values = self._read(model)
        else:
            values = [getattr(model, attribute, None) for _, attribute in self._weekly]
        if not self._checked or not all(map(isinstance, values, repeat(_IMMUTABLE))):
            super().collect(model)
            self._checked = True
            return
        if hasattr(self, "_collection_steps"):  # as Mesa's collect keeps it (a private list it may drop)
            self._collection_steps.append(model.time)
        deque(map(list.append, self._stores, values), maxlen=0)  # each store appends its value, a C-level loop

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """Mesa's frame of the weekly columns, its numeric columns built from arrays (:func:`frame`)."""
        if not self.model_reporters:  # as Mesa's
            raise UserWarning("No model reporters have been defined in the DataCollector, returning empty DataFrame.")
        return frame(self.model_vars)

    def get_table_dataframe(self, table_name: str) -> pd.DataFrame:
        """Mesa's frame of a table, its numeric columns built from arrays (:func:`frame`)."""
        if table_name not in self.tables:  # as Mesa's
            raise Exception("No such table.")  # Mesa's own exception, which callers may catch
        return frame(self.tables[table_name])

    def add_row(self, table: str, values: Sequence[Any]) -> None:
        """Append one row given in the table's column order (``add_table_row`` without a dict per row)."""
        self.add_rows(table, (values,))

    def add_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """Append rows given in the table's column order, column by column (a month's rows of the staff table).

        The same values in the same order as one :meth:`add_row` after
        another; each column is extended once rather than every cell appended.
        """
        columns = self.tables[table]
        for values in rows:
            if len(values) != len(columns):
                raise ValueError(f"a row of table {table!r} needs {len(columns)} values, got {len(values)}")
        if rows:
            for store, column in zip(columns.values(), zip(*rows, strict=True), strict=True):
                store.extend(column)
