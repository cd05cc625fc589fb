"""`orgmodel crm check`: each flaw of real exports is found, counted and handled; what cannot be used is refused.

The exports are test fixtures drawn by tests/crm_fixtures.py, with each flaw
put in by hand so its row count is known.
"""

from __future__ import annotations

import pandas as pd
import pytest
from crm_fixtures import Truth, make_tables
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.crm import CrmError, load_export, write_export

runner = CliRunner()
SMALL = Truth(years=2.0, deals=300, clients=60, salespeople=4, account_managers=2, activities_per_week={"call": 3.0})


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables(SMALL, seed=3)


def fresh(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in tables.items()}


def check(folder) -> tuple[object, list]:
    result = runner.invoke(app, ["crm", "check", str(folder)], catch_exceptions=False)
    return result, load_export(folder).problems if result.exit_code == 0 else []


def problem(problems, kind: str, table: str):
    found = [p for p in problems if p.kind == kind and p.table == table]
    assert found, f"no '{kind}' problem in {table}: {[(p.kind, p.table) for p in problems]}"
    return found[0]


def test_clean_export_has_no_row_problems(tmp_path, tables):
    write_export(tables, tmp_path)
    result, problems = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert not [p for p in problems if p.rows], problems
    assert "Usable:" in result.output


def test_duplicated_ids_are_dropped(tmp_path, tables):
    t = fresh(tables)
    deals = t["opportunities"]
    copies = deals.iloc[:5]
    changed = deals.iloc[10:13].assign(amount=1.0)  # same ids, other values: the later row wins
    t["opportunities"] = pd.concat([deals, copies, changed], ignore_index=True)
    write_export(t, tmp_path)
    result, problems = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert problem(problems, "duplicate row", "opportunities").rows == 5
    clash = problem(problems, "duplicate id", "opportunities")
    assert (clash.rows, clash.action) == (3, "drop")
    export = load_export(tmp_path)
    loaded = export.tables["opportunities"].set_index("opportunity_id")
    assert len(loaded) == len(deals)
    assert (loaded.loc[list(deals["opportunity_id"].iloc[10:13]), "amount"] == 1.0).all()
    assert "duplicate id" in result.output


def test_close_before_creation_is_dropped(tmp_path, tables):
    t = fresh(tables)
    deals = t["opportunities"]
    closed = deals.index[deals["outcome"] != "open"][:4]
    deals.loc[closed, "close_date"] = deals.loc[closed, "created_date"] - pd.Timedelta(3, unit="D")
    write_export(t, tmp_path)
    result, problems = check(tmp_path)
    assert "close before creation" in result.output
    p = problem(problems, "close before creation", "opportunities")
    assert (p.rows, p.action) == (4, "drop")
    assert "row" in p.example and "opportunities.csv" in p.example
    assert len(load_export(tmp_path).tables["opportunities"]) == len(deals) - 4


def test_stage_dates_out_of_order_are_sorted(tmp_path, tables):
    t = fresh(tables)
    history = t["stage_history"]
    multi = history.groupby("opportunity_id").filter(lambda g: len(g) == 3)
    first_two = multi["opportunity_id"].unique()[:6]
    shuffled = history[history["opportunity_id"].isin(first_two)].iloc[::-1]
    t["stage_history"] = pd.concat([history[~history["opportunity_id"].isin(first_two)], shuffled], ignore_index=True)
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    p = problem(problems, "dates out of order", "stage_history")
    assert p.action == "fix" and p.rows == 12  # two of three rows per reversed deal come after a later date
    loaded = load_export(tmp_path).tables["stage_history"]
    for opp in first_two:
        dates = loaded.loc[loaded["opportunity_id"] == opp, "entered_date"]
        assert dates.is_monotonic_increasing


def test_staff_leaving_before_starting_is_dropped(tmp_path, tables):
    t = fresh(tables)
    t["staff"].loc[0, "end_date"] = t["staff"].loc[0, "start_date"] - pd.Timedelta(30, unit="D")
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    p = problem(problems, "dates out of order", "staff")
    assert (p.rows, p.action) == (1, "drop")


def test_amounts_as_text_are_converted(tmp_path, tables):
    t = fresh(tables)
    deals = t["opportunities"]
    texts = ["$1,234.50", "€ 2.500,00", "EUR 3 000", "(400)", "1,234,567"]
    expected = [1234.5, 2500.0, 3000.0, -400.0, 1234567.0]
    deals["amount"] = deals["amount"].astype(object)
    deals.loc[: len(texts) - 1, "amount"] = texts
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    p = problem(problems, "amount as text", "opportunities")
    assert (p.rows, p.action) == (5, "fix")
    loaded = load_export(tmp_path).tables["opportunities"].set_index("opportunity_id")
    assert loaded.loc[list(deals["opportunity_id"][: len(texts)]), "amount"].tolist() == expected


def test_few_unreadable_amounts_are_dropped_many_refused(tmp_path, tables):
    t = fresh(tables)
    t["orders"]["amount"] = t["orders"]["amount"].astype(object)
    t["orders"].loc[:2, "amount"] = "call me"
    write_export(t, tmp_path / "few")
    _, problems = check(tmp_path / "few")
    assert problem(problems, "not an amount", "orders").rows == 3
    t["orders"]["amount"] = "n/a yet"
    write_export(t, tmp_path / "many")
    result = runner.invoke(app, ["crm", "check", str(tmp_path / "many")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "orders.csv row 2, column amount: 'n/a yet' is not an amount" in result.stderr


def test_open_deals_older_than_the_export_are_censored(tmp_path, tables):
    t = fresh(tables)
    deals = t["opportunities"]
    stale = deals.index[:7]
    deals.loc[stale, "outcome"] = "open"
    deals.loc[stale, "close_date"] = pd.NaT
    deals.loc[stale, "created_date"] = SMALL.end - pd.Timedelta(700, unit="D")
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    p = problem(problems, "open deal older than the export", "opportunities")
    assert (p.rows, p.action) == (7, "censor")
    assert len(load_export(tmp_path).tables["opportunities"]) == len(deals)  # kept, not dropped


def test_expected_close_date_of_open_deals_is_ignored(tmp_path, tables):
    t = fresh(tables)
    deals = t["opportunities"]
    open_ = deals.index[deals["outcome"] == "open"]
    assert len(open_) > 0
    deals.loc[open_, "close_date"] = SMALL.end + pd.Timedelta(400, unit="D")  # Salesforce-style expected date
    write_export(t, tmp_path)
    export = load_export(tmp_path)
    p = problem(export.problems, "close date on an open deal", "opportunities")
    assert (p.rows, p.action) == (len(open_), "fix")
    assert export.tables["opportunities"]["close_date"].isna().sum() == len(open_)
    assert export.window[1] <= SMALL.end  # the expected dates do not stretch the window


def test_unknown_staff_ids_are_kept_and_counted(tmp_path, tables):
    t = fresh(tables)
    t["opportunities"].loc[:8, "owner_id"] = "GHOST1"
    t["activities"].loc[:19, "staff_id"] = "GHOST2"
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    deals = problem(problems, "unknown staff id", "opportunities")
    assert (deals.rows, deals.action) == (9, "keep")
    assert problem(problems, "unknown staff id", "activities").rows == 20
    assert len(load_export(tmp_path).tables["opportunities"]) == len(t["opportunities"])


def test_unknown_accounts_are_added(tmp_path, tables):
    t = fresh(tables)
    t["orders"].loc[:3, "account_id"] = ["X1", "X1", "X2", "X3"]
    write_export(t, tmp_path)
    export = load_export(tmp_path)
    assert problem(export.problems, "unknown account id", "orders").rows == 4
    assert {"X1", "X2", "X3"} <= set(export.tables["accounts"]["account_id"])


def test_two_month_window_is_reported_and_limits_estimates(tmp_path):
    from orgmodel.crm.estimate import describe

    t = make_tables(Truth(years=2 / 12, deals=200, clients=40, salespeople=4, account_managers=1), seed=4)
    write_export(t, tmp_path)
    result, problems = check(tmp_path)
    assert result.exit_code == 0
    p = problem(problems, "short window", "")
    assert p.action == "skip" and "2.0 months" in p.detail
    est = describe(load_export(tmp_path))
    skipped = {m.key: m.reason for m in est.not_estimated}
    assert "client_churn_per_year" in skipped and "months" in skipped["client_churn_per_year"]
    assert "revenue_per_year" in skipped
    assert est.get("client_churn_per_year") is None
    assert est.get("win_rate") is not None  # what a short window can show is still shown


def test_missing_optional_table_is_reported(tmp_path, tables):
    t = fresh(tables)
    del t["stage_history"], t["contacts"]
    write_export(t, tmp_path)
    _, problems = check(tmp_path)
    assert problem(problems, "table missing", "stage_history").action == "skip"
    assert "buying-group" in problem(problems, "table missing", "contacts").detail


@pytest.mark.parametrize(
    ("flaw", "expected"),
    [
        ("outcome", "opportunities.csv row 2, column outcome: 'Pending' is not allowed; allowed: won, lost, open"),
        ("role", "staff.csv row 3, column role: 'Intern' is not allowed; allowed: salesperson, account_manager"),
        ("no_column", "opportunities.csv: column 'outcome' is missing; opportunities needs"),
        ("no_table", "table accounts is missing"),
        ("dates", "column order_date: 'someday' is not a date"),
    ],
)
def test_unusable_exports_are_refused_in_one_line(tmp_path, tables, flaw, expected):
    write_export(tables, tmp_path)
    t = fresh(tables)
    if flaw == "outcome":
        t["opportunities"].loc[0, "outcome"] = "Pending"
        t["opportunities"].to_csv(tmp_path / "opportunities.csv", index=False)
    elif flaw == "role":
        t["staff"].loc[1, "role"] = "Intern"
        t["staff"].to_csv(tmp_path / "staff.csv", index=False)
    elif flaw == "no_column":
        t["opportunities"].drop(columns="outcome").to_csv(tmp_path / "opportunities.csv", index=False)
    elif flaw == "dates":
        t["orders"]["order_date"] = "someday"
        t["orders"].to_csv(tmp_path / "orders.csv", index=False)
    elif flaw == "no_table":
        (tmp_path / "accounts.csv").unlink()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["crm", "describe", str(tmp_path), "--json", str(tmp_path / "d.json")])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    with pytest.raises(CrmError):
        load_export(tmp_path)


def test_contacts_without_account_or_deal_are_refused(tmp_path, tables):
    write_export(tables, tmp_path)
    tables["contacts"][["contact_id", "role"]].to_csv(tmp_path / "contacts.csv", index=False)
    result = runner.invoke(app, ["crm", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert "contacts.csv: contacts need account_id or opportunity_id" in result.stderr


def test_two_files_for_one_table_are_refused(tmp_path, tables):
    write_export(tables, tmp_path)
    tables["cases"].to_parquet(tmp_path / "cases.parquet")
    result = runner.invoke(app, ["crm", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert "cases.csv and cases.parquet: two files for table cases" in result.stderr


def test_not_a_folder_is_refused(tmp_path):
    result = runner.invoke(app, ["crm", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr
