"""Reading exports: the canonical format in CSV and Parquet, and Salesforce-, HubSpot- and spreadsheet-named
exports through the shipped mappings, giving the same tables and estimates as the canonical one.

The Salesforce and HubSpot files are written here, from the test fixture
tables (tests/crm_fixtures.py), with those systems' documented field names.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from crm_fixtures import Truth, make_tables
from typer.testing import CliRunner

from orgmodel.cli import app
from orgmodel.crm import TABLES, CrmError, load_export, write_export
from orgmodel.crm.estimate import describe
from orgmodel.crm.mapping import shipped_mappings
from orgmodel.crm.parse import parse_amounts, parse_dates

TRUTH = Truth(
    years=2.0,
    deals=400,
    clients=60,
    salespeople=5,
    account_managers=2,
    activities_per_week={"call": 4.0, "email": 6.0, "meeting": 1.0},
)
runner = CliRunner()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables(TRUTH, seed=7)


@pytest.fixture(scope="module")
def canonical(tables, tmp_path_factory):
    folder = tmp_path_factory.mktemp("canonical")
    write_export(tables, folder)
    export = load_export(folder)
    return export, describe(export)


def sf_time(dates: pd.Series) -> pd.Series:
    """Salesforce datetime text: 2024-01-10T00:00:00.000+0000."""
    return dates.dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000").fillna("")


def sf_date(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").fillna("")


def write_salesforce(t: dict[str, pd.DataFrame], folder) -> None:
    """The fixture company as a Salesforce Data Loader export (one CSV per object, API field names)."""
    titles = {"salesperson": "Account Executive", "account_manager": "Key Account Manager"}
    staff = t["staff"]
    pd.DataFrame(
        {
            "Id": staff["staff_id"],
            "Title": staff["role"].map(titles),
            "CreatedDate": sf_time(staff["start_date"]),
            "Termination_Date__c": sf_date(staff["end_date"]),
            "Department": "Sales",
            "IsActive": staff["end_date"].isna().map({True: "true", False: "false"}),
        }
    ).to_csv(folder / "User.csv", index=False)
    pd.DataFrame({"Id": t["accounts"]["account_id"], "Name": "Acme", "NumberOfEmployees": 250}).to_csv(
        folder / "Account.csv", index=False
    )
    deals = t["opportunities"]
    is_open = deals["outcome"] == "open"
    expected = deals["created_date"] + pd.Timedelta(90, unit="D")  # Salesforce keeps an expected close date on open deals
    pd.DataFrame(
        {
            "Id": deals["opportunity_id"],
            "AccountId": deals["account_id"],
            "OwnerId": deals["owner_id"],
            "CreatedDate": sf_time(deals["created_date"]),
            "CloseDate": sf_date(deals["close_date"].where(~is_open, expected)),
            "Amount": deals["amount"],
            "IsClosed": (~is_open).map({True: "true", False: "false"}),
            "IsWon": (deals["outcome"] == "won").map({True: "true", False: "false"}),
            "StageName": deals["outcome"].map({"won": "Closed Won", "lost": "Closed Lost", "open": "Proposal/Price Quote"}),
            "Type": deals["kind"].map({"new_business": "New Customer", "cross_sell": "Existing Customer - Upgrade"}),
        }
    ).to_csv(folder / "Opportunity.csv", index=False)
    history = t["stage_history"]
    rows = history.rename(columns={"opportunity_id": "OpportunityId", "stage": "StageName", "entered_date": "CreatedDate"})
    # a change of amount in the same stage adds a row repeating the stage; the close adds a Closed Won/Lost row
    repeats = rows.iloc[::5].assign(CreatedDate=lambda r: r["CreatedDate"] + pd.Timedelta(1, unit="h"))
    closed = deals[~is_open]
    closes = pd.DataFrame(
        {
            "OpportunityId": closed["opportunity_id"],
            "StageName": closed["outcome"].map({"won": "Closed Won", "lost": "Closed Lost"}),
            "CreatedDate": closed["close_date"],
        }
    )
    sf_history = pd.concat([rows, repeats, closes], ignore_index=True).sample(frac=1.0, random_state=1)
    sf_history["CreatedDate"] = sf_time(sf_history["CreatedDate"])
    sf_history.insert(0, "Id", [f"008{i:06d}" for i in range(len(sf_history))])
    sf_history.to_csv(folder / "OpportunityHistory.csv", index=False)
    contacts = t["contacts"]
    pd.DataFrame(
        {
            "Id": [f"00K{i:06d}" for i in range(len(contacts))],
            "OpportunityId": contacts["opportunity_id"],
            "ContactId": contacts["contact_id"],
            "Role": np.where(np.arange(len(contacts)) % 3 == 0, "Decision Maker", "Technical Buyer"),
            "IsPrimary": "false",
        }
    ).to_csv(folder / "OpportunityContactRole.csv", index=False)
    orders = t["orders"]
    pd.DataFrame(
        {
            "Id": orders["order_id"],
            "AccountId": orders["account_id"],
            "EffectiveDate": sf_date(orders["order_date"]),
            "TotalAmount": orders["amount"],
            "Status": "Activated",
        }
    ).to_csv(folder / "Order.csv", index=False)
    acts = t["activities"]
    tasks = acts[acts["kind"] != "meeting"]
    pd.DataFrame(
        {
            "Id": [f"00T{i:07d}" for i in range(len(tasks))],
            "OwnerId": tasks["staff_id"],
            "ActivityDate": sf_date(tasks["date"]),
            "TaskSubtype": tasks["kind"].map({"call": "Call", "email": "Email"}),
            "CallDurationInSeconds": np.where(tasks["kind"] == "call", 600, np.nan),
        }
    ).to_csv(folder / "Task.csv", index=False)
    events = acts[acts["kind"] == "meeting"]
    pd.DataFrame(
        {
            "Id": [f"00U{i:07d}" for i in range(len(events))],
            "OwnerId": events["staff_id"],
            "ActivityDate": sf_date(events["date"]),
            "DurationInMinutes": 60,
        }
    ).to_csv(folder / "Event.csv", index=False)
    cases = t["cases"]
    pd.DataFrame(
        {
            "Id": [f"500{i:06d}" for i in range(len(cases))],
            "AccountId": cases["account_id"],
            "CreatedDate": sf_time(cases["opened_date"]),
            "ClosedDate": sf_time(cases["closed_date"]),
            "Type": cases["kind"].map({"complaint": "Complaint", "problem": "Mechanical"}),
            "OwnerId": cases["staff_id"],
        }
    ).to_csv(folder / "Case.csv", index=False)


HUBSPOT_STAGES = {"Qualification": "appointmentscheduled", "Proposal": "qualifiedtobuy", "Negotiation": "contractsent"}


def epoch_ms(dates: pd.Series) -> pd.Series:
    return dates.map(lambda d: "" if pd.isna(d) else str(int(d.value // 1_000_000)))


def write_hubspot(t: dict[str, pd.DataFrame], folder) -> None:
    """The fixture company as a HubSpot export with internal property names (dates partly as epoch milliseconds)."""
    staff = t["staff"]
    pd.DataFrame(
        {"id": staff["staff_id"], "email": "x@example.com", "createdAt": staff["start_date"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")}
    ).to_csv(folder / "owners.csv", index=False)
    pd.DataFrame({"hs_object_id": t["accounts"]["account_id"], "name": "Acme", "numberofemployees": 40}).to_csv(
        folder / "companies.csv", index=False
    )
    deals = t["opportunities"]
    last_stage = t["stage_history"].groupby("opportunity_id")["stage"].last().map(HUBSPOT_STAGES)
    stage = deals["outcome"].map({"won": "closedwon", "lost": "closedlost"}).fillna(deals["opportunity_id"].map(last_stage))
    out = pd.DataFrame(
        {
            "hs_object_id": deals["opportunity_id"],
            "dealname": "deal",
            "Associated Company IDs (Primary)": deals["account_id"],  # the UI export's column (with associations)
            "hubspot_owner_id": deals["owner_id"],
            "createdate": epoch_ms(deals["created_date"]),
            "closedate": deals["close_date"].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z").fillna(""),
            "amount": deals["amount"],
            "dealstage": stage,
            "pipeline": "default",
            "dealtype": deals["kind"].map({"new_business": "newbusiness", "cross_sell": "existingbusiness"}),
        }
    )
    wide = t["stage_history"].pivot(index="opportunity_id", columns="stage", values="entered_date")
    for name, internal in HUBSPOT_STAGES.items():
        out[f"hs_date_entered_{internal}"] = epoch_ms(deals["opportunity_id"].map(wide[name]))
    for outcome in ("won", "lost"):
        out[f"hs_date_entered_closed{outcome}"] = epoch_ms(deals["close_date"].where(deals["outcome"] == outcome))
    out.to_csv(folder / "deals.csv", index=False)
    acts = t["activities"]
    for kind, file in (("call", "calls"), ("email", "emails"), ("meeting", "meetings")):
        sub = acts[acts["kind"] == kind]
        frame = pd.DataFrame(
            {"hs_object_id": range(len(sub)), "hubspot_owner_id": sub["staff_id"], "hs_timestamp": epoch_ms(sub["date"])}
        )
        if kind == "call":
            frame["hs_call_duration"] = 300_000  # five minutes, in milliseconds
        frame.to_csv(folder / f"{file}.csv", index=False)
    cases = t["cases"]
    pd.DataFrame(
        {
            "hs_object_id": range(len(cases)),
            # several associated companies in one cell: the first is the primary
            "Associated Company IDs": cases["account_id"] + ";A999999",
            "createdate": cases["opened_date"].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "closed_date": cases["closed_date"].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z").fillna(""),
            "hs_ticket_category": cases["kind"].map({"complaint": "COMPLAINT", "problem": "PRODUCT_ISSUE"}),
            "hubspot_owner_id": cases["staff_id"],
        }
    ).to_csv(folder / "tickets.csv", index=False)


def values(est, prefix: str) -> list[float]:
    return [e.value for e in est.estimates if e.key.startswith(prefix)]


def test_shipped_mappings():
    assert {"salesforce", "hubspot", "example"} <= set(shipped_mappings())


def test_canonical_round_trip_csv_and_parquet(tmp_path, tables, canonical):
    export, _ = canonical
    for name, frame in export.tables.items():
        spec = TABLES[name]
        assert list(frame.columns) == list(spec.names)
        for col in spec.columns:
            assert frame[col.name].dtype == col.dtype, (name, col.name)
        assert all(isinstance(v, str) for v in frame[spec.names[0]].dropna())  # ids as str
    # some tables as Parquet, others as CSV: the same export
    write_export(tables, tmp_path / "csv")
    write_export(tables, tmp_path / "parquet", fmt="parquet")
    mixed_dir = tmp_path / "mixed"
    mixed_dir.mkdir()
    for name in tables:
        fmt = "parquet" if name in ("opportunities", "orders") else "csv"
        shutil.copy(tmp_path / fmt / f"{name}.{fmt}", mixed_dir)
    mixed = load_export(mixed_dir)
    assert mixed.files["opportunities"] == "opportunities.parquet"
    assert mixed.window == export.window
    for name, frame in export.tables.items():
        pd.testing.assert_frame_equal(mixed.tables[name], frame, check_dtype=True)


def test_write_export_refuses_what_is_not_canonical(tmp_path, tables):
    with pytest.raises(CrmError, match="table 'deals' is not canonical"):
        write_export({**tables, "deals": tables["opportunities"]}, tmp_path)
    with pytest.raises(CrmError, match="column 'colour' is not canonical"):
        write_export({**tables, "staff": tables["staff"].assign(colour="red")}, tmp_path)
    with pytest.raises(CrmError, match="required table 'staff' is missing"):
        write_export({k: v for k, v in tables.items() if k != "staff"}, tmp_path)
    with pytest.raises(CrmError, match="format 'xlsx' is not allowed"):
        write_export(tables, tmp_path, fmt="xlsx")
    assert not list(tmp_path.iterdir())


def test_salesforce_export_imports_through_the_shipped_mapping(tmp_path, tables, canonical):
    export, est = canonical
    write_salesforce(tables, tmp_path)
    result = runner.invoke(app, ["crm", "check", str(tmp_path), "--mapping", "salesforce"])
    assert result.exit_code == 0, result.output + result.stderr
    sf = load_export(tmp_path, "salesforce")
    for name in ("staff", "accounts", "opportunities", "stage_history", "orders", "activities", "cases"):
        assert len(sf.tables[name]) == len(export.tables[name]), name
    kinds = {p.kind for p in sf.problems}
    assert {"repeated stage", "close recorded as a stage", "dates out of order", "close date on an open deal"} <= kinds
    assert sf.window == export.window
    sf_est = describe(sf)
    for key in ("win_rate", "win_rate.group_1", "cross_sell_share", "sales_cycle_days", "order_value_median", "complaint_share"):
        assert sf_est.get(key).value == pytest.approx(est.get(key).value), key
    assert values(sf_est, "stage_conversion.") == pytest.approx(values(est, "stage_conversion."))
    assert values(sf_est, "activities_per_week.") == pytest.approx(values(est, "activities_per_week."))
    assert sf_est.get("hours_per_week.salesperson.call").value == pytest.approx(
        sf_est.get("activities_per_week.salesperson.call").value * 10 / 60
    )
    roles = sf.tables["contacts"]["role"].value_counts()
    assert set(roles.index) == {"decision_maker", "buyer"}


def test_refusals_name_the_files_own_column(tmp_path, tables):
    write_salesforce(tables, tmp_path)
    opp = pd.read_csv(tmp_path / "Opportunity.csv", dtype=str, keep_default_na=False)
    opp.loc[2, "IsWon"] = "maybe"
    opp.to_csv(tmp_path / "Opportunity.csv", index=False)
    result = runner.invoke(app, ["crm", "check", str(tmp_path), "-m", "salesforce"])
    assert result.exit_code == 2
    assert "Opportunity.csv row 4, column outcome (from IsClosed|IsWon): '" in result.stderr
    assert "is not allowed; allowed: won, lost, open" in result.stderr


def test_salesforce_deleted_records_are_excluded(tmp_path, tables):
    write_salesforce(tables, tmp_path)
    opp = pd.read_csv(tmp_path / "Opportunity.csv", dtype=str, keep_default_na=False)
    opp["IsDeleted"] = ["true"] * 3 + ["false"] * (len(opp) - 3)
    opp.to_csv(tmp_path / "Opportunity.csv", index=False)
    sf = load_export(tmp_path, "salesforce")
    excluded = [p for p in sf.problems if p.kind == "excluded by the mapping"]
    assert [(p.table, p.rows, p.action) for p in excluded] == [("opportunities", 3, "drop")]
    assert "Opportunity.csv row 2: IsDeleted=true" in excluded[0].example
    assert len(sf.tables["opportunities"]) == len(tables["opportunities"]) - 3


def test_salesforce_without_a_leaving_date_skips_attrition(tmp_path, tables):
    write_salesforce(tables, tmp_path)
    user = pd.read_csv(tmp_path / "User.csv").drop(columns="Termination_Date__c")
    user.to_csv(tmp_path / "User.csv", index=False)
    sf = load_export(tmp_path, "salesforce")
    assert any(p.kind == "column missing" and p.column == "end_date" for p in sf.problems)
    assert "staff_attrition_per_year" in {m.key for m in describe(sf).not_estimated}


def test_hubspot_export_imports_through_the_shipped_mapping(tmp_path, tables, canonical):
    export, est = canonical
    write_hubspot(tables, tmp_path)
    result = runner.invoke(app, ["crm", "describe", str(tmp_path), "-m", "hubspot", "--json", str(tmp_path / "describe.json")])
    assert result.exit_code == 0, result.output + result.stderr
    written = json.loads((tmp_path / "describe.json").read_text())
    assert {"window", "estimates", "not_estimated", "headcount", "problems"} <= set(written)
    assert any(p["kind"] == "close recorded as a stage" for p in written["problems"])
    hs = load_export(tmp_path, "hubspot")
    assert len(hs.tables["opportunities"]) == len(export.tables["opportunities"])
    # the company association under the UI export's names (one id per cell, or a list whose first is primary)
    assert list(hs.tables["opportunities"]["account_id"]) == list(export.tables["opportunities"]["account_id"])
    assert list(hs.tables["cases"]["account_id"]) == list(export.tables["cases"]["account_id"])
    assert len(hs.tables["stage_history"]) == len(export.tables["stage_history"])
    assert set(hs.tables["stage_history"]["stage"]) == set(HUBSPOT_STAGES.values())
    assert (
        hs.tables["activities"]["kind"].value_counts().to_dict() == export.tables["activities"]["kind"].value_counts().to_dict()
    )
    assert hs.tables["activities"]["minutes"].dropna().eq(5.0).all()
    hs_est = describe(hs)
    for key in ("win_rate", "win_rate.new_business", "cross_sell_share", "sales_cycle_days", "complaint_share", "case_days"):
        assert hs_est.get(key).value == pytest.approx(est.get(key).value), key
    assert values(hs_est, "stage_conversion.") == pytest.approx(values(est, "stage_conversion."))
    assert values(hs_est, "stage_days.") == pytest.approx(values(est, "stage_days."))


def test_example_mapping_reads_a_german_spreadsheet_export(tmp_path, tables, canonical):
    export, est = canonical
    t = tables
    de = {"salesperson": "Vertrieb", "account_manager": "Key Account"}
    pd.DataFrame(
        {
            "Personalnummer": t["staff"]["staff_id"],
            "Funktion": t["staff"]["role"].map(de),
            "Eintritt": t["staff"]["start_date"].dt.strftime("%d.%m.%Y"),
            "Austritt": t["staff"]["end_date"].dt.strftime("%d.%m.%Y").fillna(""),
        }
    ).to_csv(tmp_path / "Mitarbeiter.csv", index=False, sep=";")
    pd.DataFrame({"Kundennummer": t["accounts"]["account_id"]}).to_csv(tmp_path / "Kunden.csv", index=False, sep=";")
    deals = t["opportunities"]
    pd.DataFrame(
        {
            "Nr": deals["opportunity_id"],
            "Kundennummer": deals["account_id"],
            "Verantwortlich": deals["owner_id"],
            "Erstellt": deals["created_date"].dt.strftime("%d.%m.%Y"),
            "Abgeschlossen": deals["close_date"].dt.strftime("%d.%m.%Y").fillna(""),
            "Volumen": [f"{a:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".") for a in deals["amount"]],
            "Status": deals["outcome"].map({"won": "Gewonnen", "lost": "Verloren", "open": "In Verhandlung"}),
            "Art": deals["kind"].map({"new_business": "Neukunde", "cross_sell": "Bestandskunde"}),
        }
    ).to_csv(tmp_path / "Verkaufschancen.csv", index=False, sep=";")
    orders = t["orders"]
    pd.DataFrame(
        {
            "Auftragsnummer": orders["order_id"],
            "Kundennummer": orders["account_id"],
            "Datum": orders["order_date"].dt.strftime("%d.%m.%Y"),
            "Netto": orders["amount"].map(lambda a: f"{a:.2f}".replace(".", ",")),
        }
    ).to_csv(tmp_path / "Auftraege.csv", index=False, sep=";")
    ex = load_export(tmp_path, "example")
    pd.testing.assert_series_equal(ex.tables["opportunities"]["amount"], export.tables["opportunities"]["amount"])
    pd.testing.assert_series_equal(ex.tables["orders"]["order_date"], export.tables["orders"]["order_date"])
    assert describe(ex).get("win_rate").value == pytest.approx(est.get("win_rate").value)
    assert any(p.kind == "amount as text" and p.rows == len(deals) for p in ex.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[deals]\nfile = "x"\n', "'deals' is not a canonical table"),
        ('[opportunities.columns]\nwinner = "X"\n', "'winner' is not a column of opportunities"),
        ('[opportunities.columns]\noutcome = { colum = "X" }\n', "unknown key 'colum'"),
        ("[opportunities\n", "is not valid TOML"),
        ('[opportunities.columns]\naccount_id = { one_of = ["A"], column = "B" }\n', "either column/columns or one_of"),
        ('[opportunities.columns]\naccount_id = { one_of = ["Company", "Firma"] }\n', "any of 'Company, Firma'"),
        (
            '[stage_history]\nunpivot = { pattern = "^x_(.+)_(.+)$", name = "stage", value = "entered_date" }\n',
            "exactly one (group)",
        ),
    ],
)
def test_bad_mappings_are_refused_in_one_line(tmp_path, tables, text, expected):
    write_export(tables, tmp_path)
    (tmp_path / "mapping.toml").write_text(text)
    result = runner.invoke(app, ["crm", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert expected in result.stderr and result.stderr.count("\n") == 1


def test_unknown_mapping_name_is_refused(tmp_path, tables):
    write_export(tables, tmp_path)
    result = runner.invoke(app, ["crm", "check", str(tmp_path), "--mapping", "pipedrive"])
    assert result.exit_code == 2
    assert "shipped: example, hubspot, salesforce" in result.stderr


def test_mapped_column_missing_from_the_file_is_refused(tmp_path, tables):
    write_salesforce(tables, tmp_path)
    pd.read_csv(tmp_path / "Opportunity.csv").drop(columns="OwnerId").to_csv(tmp_path / "Opportunity.csv", index=False)
    with pytest.raises(CrmError, match=r"Opportunity.csv: column 'OwnerId' \(mapped to opportunities.owner_id\) is missing"):
        load_export(tmp_path, "salesforce")


def test_describe_json_is_not_overwritten_without_force(tmp_path, tables):
    write_export(tables, tmp_path)
    target = tmp_path / "mine.json"
    target.write_text("keep me")
    result = runner.invoke(app, ["crm", "describe", str(tmp_path), "--json", str(target)])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert target.read_text() == "keep me"
    result = runner.invoke(app, ["crm", "describe", str(tmp_path), "--json", str(target), "--force"])
    assert result.exit_code == 0
    assert '"win_rate"' in target.read_text()


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$1,234.50", 1234.5),
        ("1.234,50 €", 1234.5),
        ("EUR 12 000", 12000.0),
        ("(250.00)", -250.0),
        ("12,5", 12.5),
        ("0,750", 0.75),
        ("CHF 1'000", 1000.0),
        ("n/a", np.nan),
    ],
)
def test_amount_text(text, amount):
    parsed, bad, as_text = parse_amounts(pd.Series([text], dtype=object))
    if np.isnan(amount):
        assert bad.iloc[0]
    else:
        assert parsed.iloc[0] == pytest.approx(amount)
        assert as_text.iloc[0]


def test_dates_with_times_zones_and_epochs():
    parsed, bad = parse_dates(
        pd.Series(["2024-01-10T09:15:30.000+0000", "2024-01-10T01:00:00+02:00", "1704844800000", "", "soon"])
    )
    assert parsed.iloc[0] == pd.Timestamp("2024-01-10 09:15:30")
    assert parsed.iloc[1] == pd.Timestamp("2024-01-09 23:00:00")
    assert parsed.iloc[2] == pd.Timestamp("2024-01-10")
    assert pd.isna(parsed.iloc[3]) and not bad.iloc[3]
    assert bad.tolist() == [False, False, False, False, True]


def test_docs_list_every_canonical_column():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "calibration.md").read_text()
    for name, spec in TABLES.items():
        assert f"| `{name}`" in doc, name
        for col in spec.columns:
            assert f"`{col.name}`" in doc, (name, col.name)
            for value in col.allowed:
                assert f"`{value}`" in doc, (name, col.name, value)
