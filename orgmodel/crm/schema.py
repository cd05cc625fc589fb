"""The canonical import format: which tables and columns a CRM/ERP export brings, and what each may hold.

A consultant's export is a folder with one file per table (CSV or Parquet).
The names below are the canonical ones; a ``mapping.toml`` beside the files
(see :mod:`orgmodel.crm.mapping`) renames a company's own tables, columns and
values onto them. ``docs/calibration.md`` documents the same format for people.

Why a fixed, small format: every estimate and every simulated target needs to
know exactly what a "won deal" or an "order" is, whatever CRM it came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

#: What a column holds; decides how its text is parsed.
Kind = Literal["id", "date", "amount", "number", "category", "text"]

#: What the import does about a problem it found (``crm check`` prints it).
#: drop: the rows are left out; censor: the rows are kept as unfinished (open deals, running tenures);
#: fix: the values were corrected (converted text, sorted dates, merged repeats); keep: kept as they are,
#: with the consequence said; skip: the estimates that need more data are not made;
#: refuse: the export cannot be used (raised as :class:`CrmError`).
Action = Literal["drop", "censor", "fix", "keep", "skip", "refuse"]


#: pandas dtype per kind of column in a loaded export
DTYPES: dict[str, str] = {
    "id": "string",
    "date": "datetime64[ns]",
    "amount": "float64",
    "number": "float64",
    "category": "string",
    "text": "string",
}


class CrmError(Exception):
    """The export cannot be used; ``str(error)`` is one line naming file, row, column and what is allowed."""


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes:
        name: canonical column name.
        kind: how the text is parsed (ids as text, dates, amounts with currency signs, categories).
        required: the column must be in the file (a missing optional column means "not recorded").
        nullable: values may be empty (e.g. the close date of an open deal).
        allowed: for categories, the values the calibration understands.
        description: one line for docs and messages.

    """

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    description: str = ""

    @property
    def dtype(self) -> str:
        """The pandas dtype of the column in a loaded export (dates without time zone, ids and text as strings)."""
        return DTYPES[self.kind]


@dataclass(frozen=True)
class TableSpec:
    """One canonical table: its columns, the column that identifies a row (if any) and whether it must exist."""

    name: str
    columns: tuple[Column, ...]
    required: bool
    key: str | None
    description: str

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if there is none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical column names, in documented order."""
        return tuple(col.name for col in self.columns)


STAFF_ROLES = ("salesperson", "account_manager", "service_desk", "manager", "other")
CONTACT_ROLES = ("decision_maker", "influencer", "buyer", "user", "other")
OUTCOMES = ("won", "lost", "open")
DEAL_KINDS = ("new_business", "cross_sell")
CASE_KINDS = ("problem", "complaint")
#: stage names (after normalising case and separators) that record the close itself, not a pipeline stage
CLOSING_STAGES = frozenset({"won", "lost", "closed_won", "closed_lost", "closedwon", "closedlost"})

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "staff",
            (
                Column("staff_id", "id", description="the person's id, as the other tables' owner/staff ids use it"),
                Column("role", "category", allowed=STAFF_ROLES, description="the person's job"),
                Column("start_date", "date", description="first day employed (or first day in the CRM)"),
                Column("end_date", "date", required=False, nullable=True, description="last day employed; empty while employed"),
                Column("team", "text", required=False, nullable=True, description="team, pod or segment"),
            ),
            required=True,
            key="staff_id",
            description="everyone who owns deals, accounts, activities or cases",
        ),
        TableSpec(
            "accounts",
            (
                Column("account_id", "id", description="the client company's id"),
                Column("created_date", "date", required=False, nullable=True, description="when the account was created"),
                Column("size", "text", required=False, nullable=True, description="employees, revenue or a band such as 500-999"),
            ),
            required=True,
            key="account_id",
            description="client and prospect companies",
        ),
        TableSpec(
            "contacts",
            (
                Column("contact_id", "id", description="the person's id at the client"),
                Column("account_id", "id", description="their company (filled from opportunity_id when only that is given)"),
                Column("role", "category", required=False, nullable=True, allowed=CONTACT_ROLES, description="buying role"),
                Column("opportunity_id", "id", required=False, nullable=True, description="the deal they were a contact role on"),
            ),
            required=False,
            key=None,
            description="people at the client; contacts per account (or per deal) give the buying-group size",
        ),
        TableSpec(
            "opportunities",
            (
                Column("opportunity_id", "id", description="the deal's id"),
                Column("account_id", "id", description="the client company"),
                Column("owner_id", "id", description="the staff_id of the deal's owner"),
                Column("created_date", "date", description="when the deal was opened"),
                Column("close_date", "date", nullable=True, description="when it was won or lost; empty while open"),
                Column("outcome", "category", allowed=OUTCOMES, description="won, lost or open"),
                Column("amount", "amount", nullable=True, description="deal value"),
                Column(
                    "kind", "category", required=False, nullable=True, allowed=DEAL_KINDS, description="new client or existing"
                ),
            ),
            required=True,
            key="opportunity_id",
            description="deals, open and closed",
        ),
        TableSpec(
            "stage_history",
            (
                Column("opportunity_id", "id", description="the deal"),
                Column("stage", "text", description="the pipeline stage entered"),
                Column("entered_date", "date", description="when the deal entered it"),
            ),
            required=False,
            key=None,
            description="one row per stage a deal entered",
        ),
        TableSpec(
            "orders",
            (
                Column("order_id", "id", description="the order's id"),
                Column("account_id", "id", description="the client company"),
                Column("order_date", "date", description="when it was ordered"),
                Column("amount", "amount", description="order value"),
                Column("lines", "number", required=False, nullable=True, description="order lines"),
            ),
            required=False,
            key="order_id",
            description="the order history (ERP)",
        ),
        TableSpec(
            "activities",
            (
                Column("staff_id", "id", description="who did it"),
                Column("date", "date", description="when"),
                Column("kind", "text", description="call, email, meeting, task, ..."),
                Column("account_id", "id", required=False, nullable=True, description="the client company"),
                Column("opportunity_id", "id", required=False, nullable=True, description="the deal"),
                Column("minutes", "number", required=False, nullable=True, description="how long"),
            ),
            required=False,
            key=None,
            description="logged calls, emails, meetings and tasks: the only time-use signal a CRM has",
        ),
        TableSpec(
            "cases",
            (
                Column("account_id", "id", description="the client company"),
                Column("opened_date", "date", description="when the case was opened"),
                Column("closed_date", "date", nullable=True, description="when it was closed; empty while open"),
                Column("kind", "category", allowed=CASE_KINDS, description="problem or complaint"),
                Column("staff_id", "id", required=False, nullable=True, description="who handled it"),
                Column("case_id", "id", required=False, nullable=True, description="the case's id"),
            ),
            required=False,
            key="case_id",
            description="service cases and complaints",
        ),
    )
}


@dataclass
class Problem:
    """Something ``crm check`` found in the export, and what the calibration does about it.

    Attributes:
        kind: short name (``duplicate id``, ``close before creation``, ``amount as text`` ...).
        table: canonical table.
        column: canonical column ("" when the whole row or table is concerned).
        rows: how many rows it concerns.
        example: one such row as it was in the file (``file row N: col=value, ...``).
        action: drop, censor, fix, keep, skip or refuse (see :data:`Action`).
        detail: one sentence: what it means for the estimates.

    """

    kind: str
    table: str
    column: str
    rows: int
    example: str
    action: Action
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return asdict(self)
