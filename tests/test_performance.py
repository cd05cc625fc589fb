"""The devices that keep the model fast change nothing it computes.

Speed itself is measured by benchmarks/bench_core.py, not here; these tests
check that the calendar, the compact relationship store and the paused cycle
collector are invisible in the results.
"""

from __future__ import annotations

import gc
import weakref

import networkx as nx
import pytest

from orgmodel import SalesOrgModel
from orgmodel.model.calendar import Calendar
from orgmodel.model.gcpause import collector_paused
from orgmodel.model.network import RelationshipNetwork
from orgmodel.model.turnover import NO_TURNOVER

SMALL = {"market_size": 400, "salespeople": 4, "years": 3}


class MesaEventList:
    """The calendar's interface on Mesa's own event list: one Mesa event per appointment."""

    def __init__(self, model: SalesOrgModel) -> None:
        self.model = model

    def schedule(self, fn, after: float):
        return self.model.schedule_event(fn, after=after)


@pytest.mark.parametrize(
    "params",
    [
        {"structure": "full_cycle"},
        {"structure": "hunter_farmer", "incentive": "split_commission", "account_managers": 1},
    ],
)
def test_calendar_gives_the_results_of_one_mesa_event_per_appointment(params):
    # Nobody quits: a leaver's replacement arrives by a Mesa event of its own, which runs before or after the
    # whole calendar batch of its week (calendar.py), not between the appointments made around it as it does
    # on Mesa's list; in a week an account manager is hired too, the two arrive in another order (their ids
    # swap, and what follows from the order differs), which is the documented difference, not the calendar's.
    runs = []
    for calendar in (Calendar, MesaEventList):
        model = SalesOrgModel(rng=11, **SMALL, **params, **NO_TURNOVER)
        model.calendar = calendar(model)
        model.run_until(model.cfg.weeks)
        runs.append(model.datacollector.get_model_vars_dataframe())
    assert runs[0]["new_clients"].sum() > 0 and runs[0]["lost_clients"].sum() > 0
    if params["structure"] == "hunter_farmer":
        assert runs[0]["account_managers"].iloc[-1] > 1  # hires arrived through the calendar
    assert runs[0].equals(runs[1])


def test_calendar_runs_appointments_in_order_and_honours_cancellations():
    model = SalesOrgModel(rng=0, **SMALL)
    seen: list[tuple[str, float]] = []

    class Diary:
        def note(self, what: str) -> None:
            seen.append((what, model.time))

        def first(self) -> None:
            self.note("first")
            model.calendar.schedule(self.same_time, 0)  # made while its time is processed: runs later that time

        def second(self) -> None:
            self.note("second")

        def same_time(self) -> None:
            self.note("same time")

        def cancelled(self) -> None:
            self.note("cancelled")

    diary = Diary()
    model.calendar.schedule(diary.first, 2)
    gone = model.calendar.schedule(diary.cancelled, 2)
    model.calendar.schedule(diary.second, 2)
    gone.cancel()
    model.run_until(3)
    assert seen == [("first", 2.0), ("second", 2.0), ("same time", 2.0)]


def test_network_views_are_networkx_graphs_of_everyone():
    net = RelationshipNetwork(half_life_weeks=26, gain_per_hour=0.35)
    net.add_people([1, 2], role="salesperson")
    net.add_people([10, 11, 12], role="buyer")
    net.invest(1, 10, hours=2.0, week=5)
    net.invest(2, 10, hours=1.0, week=6)
    net.set_strength(2, 11, 0.4, week=6)
    g = net.graph
    assert isinstance(g, nx.Graph)
    assert sorted(g.nodes) == [1, 2, 10, 11, 12] and g.nodes[12]["role"] == "buyer"
    assert g.number_of_edges() == net.number_of_relationships() == 3
    assert g.edges[1, 10]["s"] == pytest.approx(net.strength(1, 10, 5)) and g.edges[1, 10]["t"] == 5
    view = net.snapshot(week=31)
    for a, b, d in view.edges(data=True):
        assert d["weight"] == pytest.approx(net.strength(a, b, 31))
    assert net.best_strength(10, 31) == pytest.approx(max(net.strength(1, 10, 31), net.strength(2, 10, 31)))
    assert net.neighbours(10, 31) == pytest.approx({a: view.edges[a, 10]["weight"] for a in view.neighbors(10)})
    assert net.neighbours(12, 31) == {}
    # once pruned, a relationship is gone from both people, but the people stay in the views
    assert net.prune(week=600, staff=[1, 2]) == 3
    assert net.number_of_relationships() == 0 and net.best_strength(10, 600) == 0.0
    assert net.graph.number_of_nodes() == 5 and net.graph.number_of_edges() == 0


def test_a_dropped_model_is_freed_when_the_next_one_is_built():
    """Runs pause the collector, so a loop of runs must not keep every finished model (agents <-> model cycles)."""
    model = SalesOrgModel(rng=1, **SMALL)
    model.run_until(30)
    dropped = weakref.ref(model)
    del model
    SalesOrgModel(rng=2, **SMALL).run_until(30)
    assert dropped() is None


def test_runs_pause_the_cycle_collector_and_leave_no_cycles_behind():
    model = SalesOrgModel(rng=3, **SMALL)
    gc.collect()
    model.run_until(model.cfg.weeks)
    assert gc.isenabled()
    assert gc.collect() < 200  # the run freed its objects itself: almost nothing was left in cycles
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a collector the caller had switched off stays off
    finally:
        gc.enable()


def test_the_phase_timer_adds_up_to_the_run_and_puts_the_model_back():
    """benchmarks/bench_phases.py: every phase is timed, the table adds up, the model is unwrapped after."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_phases

    import orgmodel.model.model as model_module

    originals = (SalesOrgModel.__init__, SalesOrgModel.close_week, model_module.finish_weeks)
    runs = bench_phases.measure(salespeople=3, companies=300, years=1, seeds=[1, 2])
    assert len(runs) == 2
    for run in runs:
        assert set(run) == {"total", *bench_phases.PHASES}
        for phase in bench_phases.PHASES[:-1]:  # each wrapped phase ran (the rest may round to zero)
            assert run[phase] > 0.0, phase
        assert sum(run[p] for p in bench_phases.PHASES) == pytest.approx(run["total"])
    assert (SalesOrgModel.__init__, SalesOrgModel.close_week, model_module.finish_weeks) == originals
    model = SalesOrgModel(rng=1, **SMALL)  # a model built after is an ordinary one
    assert model.close_week.__func__ is originals[1]
