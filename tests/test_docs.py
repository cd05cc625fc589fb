"""The docs say what the code does: the parameter table is current and every source is cited.

These tests read the real files under docs/, so they fail when the schema changes and the
docs are not regenerated or updated.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orgmodel import Scenario
from orgmodel.scenario.paramtable import assumption_mark, parameters_page

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGENERATE = "python -m orgmodel.scenario.paramtable > docs/parameters.md"

#: names by which a scenario ``source`` cites a reference; each must appear in the ODD's References
REFERENCE_NAMES = (
    "essay",
    "issue #2",
    "Proudfoot",
    "IPG",
    "CEB",
    "Challenger",
    "Gartner",
    "Houghton",
    "Chung",
    "Cron",
    "DeCarlo",
    "Kim",
    "Kishore",
    "Sabnis",
    "HubSpot",
    "CSO Insights",
    "Carter",
    "Misra",
    "Leone",
    "Ross",
    "Forrester",
    "vendor surveys",
    "vendor benchmarks",
    # specialisation mechanisms (issue #18)
    "Newell",
    "Argote",
    "O'Boyle",
    "Gudith",
)


def _read(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"{path} is missing"
    return path.read_text(encoding="utf-8")


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` mentions ``name`` as a whole word (case-insensitive)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I) is not None


def cited_names(source: str) -> list[str]:
    """The reference names a source text mentions."""
    return [n for n in REFERENCE_NAMES if _mentions(source, n)]


def references_section(odd: str) -> str:
    """The text of the ODD's References section (up to the next heading of the same or higher level)."""
    m = re.search(r"^(#{1,6})\s+References\s*$", odd, re.M)
    assert m, "docs/ODD.md has no References heading"
    level = len(m.group(1))
    rest = odd[m.end() :]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    return rest[: end.start()] if end else rest


def test_parameter_table_is_current():
    assert _read("parameters.md") == parameters_page(), f"docs/parameters.md is stale: run `{REGENERATE}`"


def test_parameter_table_has_one_row_per_key():
    table = _read("parameters.md")
    rows = re.findall(r"^\| `([a-z_0-9]+)` \|", table, re.M)
    assert sorted(rows) == sorted(Scenario.model_fields), set(rows) ^ set(Scenario.model_fields)


def test_every_key_is_documented():
    odd, table = _read("ODD.md"), _read("parameters.md")
    missing = [k for k in Scenario.model_fields if f"`{k}`" not in odd and f"| `{k}` |" not in table]
    assert not missing, f"keys in neither docs/ODD.md nor docs/parameters.md: {missing}"


def test_assumptions_are_marked():
    table = _read("parameters.md")
    for key, (_, _, source) in Scenario.field_sources().items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{key}` |"))
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)][1:-1]
        mark = cells[-1]
        assert mark == assumption_mark(source), (key, source, mark)
        if source.lower().startswith("assumption"):
            assert mark == "yes", key


def test_every_source_is_an_assumption_or_a_cited_reference():
    references = references_section(_read("ODD.md"))
    problems = []
    for key, (_, _, source) in Scenario.field_sources().items():
        if not source.strip():
            problems.append(f"{key}: no source")
            continue
        if source.strip().lower().startswith("assumption"):
            continue
        names = cited_names(source)
        if not names:
            problems.append(f"{key}: source {source!r} names no known reference (add it to REFERENCE_NAMES and the ODD)")
        problems += [f"{key}: {n!r} is not in the ODD's References" for n in names if not _mentions(references, n)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("Proudfoot 2005 (travel 21%)", ["Proudfoot"]),
        ("CEB/Challenger; Gartner 6-10", ["CEB", "Challenger", "Gartner"]),
        ("Smith 2020", []),
        ("Kimball survey", []),
    ],
)
def test_reference_names_are_matched_as_words(source, names):
    assert cited_names(source) == names


def test_references_section_stops_at_the_next_heading():
    odd = "# ODD\n\n## References\n\n- Houghton 2016\n\n## Appendix\n\nChung\n"
    section = references_section(odd)
    assert "Houghton" in section and "Chung" not in section
