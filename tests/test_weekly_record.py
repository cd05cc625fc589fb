"""The weekly record holds what Mesa's own DataCollector would hold, without copying plain numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mesa import DataCollector, Model

from orgmodel import SalesOrgModel
from orgmodel.model.weekly_record import WeeklyRecord, frame


def _run(monkeypatch: pytest.MonkeyPatch | None) -> SalesOrgModel:
    if monkeypatch is not None:  # Mesa's own way: copy every value, rows as dicts checked column by column
        monkeypatch.setattr(WeeklyRecord, "collect", DataCollector.collect)

        def add_rows(self, table, rows):
            for values in rows:
                self.add_table_row(table, dict(zip(self.tables[table], values, strict=True)))

        monkeypatch.setattr(WeeklyRecord, "add_rows", add_rows)
    model = SalesOrgModel(rng=7, structure="hunter_farmer", salespeople=6, market_size=900, years=2)
    model.run_until(model.cfg.weeks)
    return model


def test_the_record_is_what_mesas_collector_gives(monkeypatch):
    fast = _run(None).datacollector
    with monkeypatch.context() as patch:
        mesa = _run(patch).datacollector
    weekly, mesa_weekly = fast.get_model_vars_dataframe(), mesa.get_model_vars_dataframe()
    assert len(weekly) == 104 and weekly.equals(mesa_weekly)
    assert list(weekly.dtypes) == list(mesa_weekly.dtypes)
    staff, mesa_staff = fast.get_table_dataframe("staff"), mesa.get_table_dataframe("staff")
    assert (staff["left_reason"] != "").any()  # leavers' last rows are in it
    assert staff.equals(mesa_staff) and list(staff.columns) == list(mesa_staff.columns)


class _Holder(Model):
    def __init__(self) -> None:
        super().__init__(rng=1)
        self.count = 1
        self.items = [1]


def test_a_value_that_can_change_is_copied_as_mesa_does():
    model = _Holder()
    record = WeeklyRecord({"count": "count", "items": "items"}, {"t": ["a", "b"]})
    for _ in range(3):
        record.collect(model)
        model.items.append(2)  # the model keeps changing its list: the record keeps each week's copy
        model.count += 1
    assert record.model_vars == {"count": [1, 2, 3], "items": [[1], [1, 2], [1, 2, 2]]}


def test_a_row_needs_every_column():
    record = WeeklyRecord({}, {"t": ["a", "b"]})
    record.add_row("t", (1, "x"))
    assert record.get_table_dataframe("t").to_dict("list") == {"a": [1], "b": ["x"]}
    with pytest.raises(ValueError, match="needs 2 values, got 1"):
        record.add_row("t", (1,))
    record.add_rows("t", [(2, "y"), (3, "z")])
    assert record.get_table_dataframe("t").to_dict("list") == {"a": [1, 2, 3], "b": ["x", "y", "z"]}
    with pytest.raises(ValueError, match="needs 2 values, got 3"):
        record.add_rows("t", [(4, "w"), (5, "v", 6)])
    assert record.get_table_dataframe("t").to_dict("list") == {"a": [1, 2, 3], "b": ["x", "y", "z"]}  # nothing added


def test_the_frames_are_those_pandas_infers_from_the_lists():
    columns = {
        "ints": [1, 2, 3],
        "numpy_ints": [np.int64(1), 2, np.int64(-3)],
        "floats": [1.5, float("nan"), -0.0],
        "numpy_floats": [np.float64(0.1), 0.2, np.float64(1e300)],
        "ints_and_floats": [1, 2.5, 3],
        "bools_and_ints": [True, 2, 3],
        "bools_and_floats": [True, 2.5, 0.0],
        "bools": [True, False, True],
        "beyond_int64": [2**63, 1, 2],
        "far_beyond": [2**70, 1, 2],
        "strings": ["a", "", "c"],
        "none": [None, 1.0, 2.0],
        "float32": [np.float32(0.1), 0.5, 1.0],
    }
    built, inferred = frame(columns), pd.DataFrame(columns)
    assert list(built.dtypes) == list(inferred.dtypes)
    pd.testing.assert_frame_equal(built, inferred, check_exact=True)
    assert frame({"a": []}).dtypes["a"] == pd.DataFrame({"a": []}).dtypes["a"]


def test_the_records_frames_are_mesas():
    record = _run(None).datacollector
    weekly, staff = record.get_model_vars_dataframe(), record.get_table_dataframe("staff")
    mesa_weekly, mesa_staff = DataCollector.get_model_vars_dataframe(record), DataCollector.get_table_dataframe(record, "staff")
    assert weekly.equals(mesa_weekly) and list(weekly.dtypes) == list(mesa_weekly.dtypes)
    assert staff.equals(mesa_staff) and list(staff.dtypes) == list(mesa_staff.dtypes)
    assert set(staff.dtypes.astype(str)) == {"int64", "float64", "object"}
