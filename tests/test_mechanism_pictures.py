"""Pictures of the mechanism stay true to the model.

The causal-loop diagram's links exist in the code and its loops have the polarity the essay
describes; every structure has its org picture.
"""

from pathlib import Path

import pytest

from orgmodel.analysis import loops, org_pictures
from orgmodel.policies import structures

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("link", loops.LINKS, ids=lambda link: link.where)
def test_every_link_names_model_code_that_exists(link):
    assert callable(loops.resolve(link.where))


def test_the_trap_has_its_reinforcing_and_balancing_loops():
    found = {loop.name: loop.kind for loop in loops.loops()}
    assert found == {
        "cross-selling to own clients": "R",
        "service load crowds out hunting": "B",
        "cross-selling takes hunting hours": "B",
        "management's fix (intended)": "B",
        "the fix that fails": "R",
    }
    flipped = loops.graph(
        tuple(loops.Link(k.cause, k.effect, -k.sign if k.cause == loops.SERVICE else k.sign, k.where) for k in loops.LINKS)
    )
    assert {loop.name: loop.kind for loop in loops.loops(flipped)}["service load crowds out hunting"] == "R"


def test_diagram_is_drawn_and_used_in_the_docs():
    png = loops.diagram_png(dpi=40)
    assert png.startswith(b"\x89PNG")
    image = "images/stagnation_trap_loops.png"
    assert (ROOT / "docs" / image).is_file()
    for doc in ("README.md", "docs/ODD.md", "notebooks/02_the_stagnation_trap.py"):
        assert image in (ROOT / doc).read_text(encoding="utf-8"), doc


def test_every_structure_has_its_org_picture_in_the_docs():
    page = (ROOT / "docs/policies/structures.md").read_text(encoding="utf-8")
    for name in structures.names():
        assert name in org_pictures.JOBS, f"describe who wins, keeps and serves clients in {name}"
        assert (ROOT / f"docs/images/structures/{name}.png").is_file()
        assert f"../images/structures/{name}.png" in page


def test_an_unlisted_structure_is_drawn_from_what_it_declares(monkeypatch):
    class Splitter(structures.get("hunter_farmer")):
        name = "my_splitter_test"

    real = structures.get
    monkeypatch.setattr(structures, "get", lambda name: Splitter if name == "my_splitter_test" else real(name))
    assert org_pictures.jobs_of("my_splitter_test").handover == "handover"
    assert org_pictures.jobs_of("nowhere_structure").keeps == ("Salespeople",)
    assert org_pictures.structure_png("my_splitter_test", dpi=30).startswith(b"\x89PNG")
