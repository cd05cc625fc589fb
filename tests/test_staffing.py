"""Who receives a leaver's clients: the least loaded colleague at each handover, ties to the lowest id."""

from __future__ import annotations

import pytest

from orgmodel import SalesOrgModel, Scenario
from orgmodel.model.clients import Stage
from orgmodel.model.turnover import NO_TURNOVER

SMALL = {"market_size": 1200, "salespeople": 6, "years": 2, **NO_TURNOVER}


def _record_receivers(model: SalesOrgModel, leaving: set[int]) -> list[tuple[int, int]]:
    """Wrap ``model.hand_over``: check each receiver against a scan of every colleague, record (client, receiver)."""
    staffing = model.staffing
    handed = []
    original = model.hand_over

    def checked(company, receiver):
        colleagues = [p for p in model.salespeople if p.unique_id not in leaving]
        expected = min(colleagues, key=staffing._standard_work)  # the brute-force choice, work counted afresh
        assert receiver is expected, f"{company} went to {receiver}, the least loaded was {expected}"
        handed.append((company.uid, receiver.unique_id))
        original(company, receiver)

    model.hand_over = checked
    return handed


def test_a_leavers_clients_go_one_by_one_to_the_least_loaded_colleague():
    model = SalesOrgModel(rng=4, **SMALL)
    model.run_until(60)
    leaver = max(model.salespeople, key=lambda p: len(p.portfolio))
    clients = list(leaver.portfolio)
    handed = _record_receivers(model, {leaver.unique_id})
    model.let_go(leaver)
    moved = [c for c in clients if c.owner is not None]  # a client that followed the leaver out is not handed over
    # every receiver was the least loaded colleague at its turn (checked in _record_receivers against a full scan);
    # whether the least loaded changes within one leaver's clients depends on the draw (a new hire without clients
    # may stay the least loaded throughout): test_equal_work_goes_to_the_lowest_id_first shows the turn-taking
    assert len(moved) >= 5 and [uid for uid, _ in handed] == [c.uid for c in moved]
    model.check_invariants()


def test_a_group_of_leavers_gives_no_client_to_another_leaver():
    model = SalesOrgModel(rng=5, **SMALL)
    model.run_until(60)
    ranked = sorted(model.salespeople, key=lambda p: -len(p.portfolio))
    group = ranked[:2]
    leaving = {p.unique_id for p in group}
    handed = _record_receivers(model, leaving)
    model.let_go_group(group)
    assert handed and not leaving & {r for _, r in handed}
    model.check_invariants()


def test_equal_work_goes_to_the_lowest_id_first():
    """Two colleagues without clients take a leaver's four new clients in turn, the lower id first."""
    model = SalesOrgModel(rng=1, **{**SMALL, "salespeople": 3})
    leaver, first, second = (
        sorted(model.salespeople, key=lambda p: -p.unique_id)[0],
        *sorted(model.salespeople, key=lambda p: p.unique_id)[:2],
    )
    assert first.unique_id < second.unique_id and leaver not in (first, second)
    for company in model.companies[:4]:  # clients in implementation: each counts the same support hours
        model.market.set_stage(company, Stage.IMPLEMENTATION)
        model.hand_over(company, leaver)
    handed = _record_receivers(model, {leaver.unique_id})
    model.let_go(leaver)
    assert [r for _, r in handed] == [first.unique_id, second.unique_id] * 2


RESTRUCTURINGS = {
    "to_hunter_farmer": ({}, {"structure": "hunter_farmer", "hire_account_managers": True}),
    "to_segments": (
        {},
        {"structure": "hunter_farmer", "handover_receiver": "by_segment", "client_segments": 2, "account_managers": 3},
    ),
    "to_full_cycle": ({"structure": "hunter_farmer", "account_managers": 3}, {"structure": "full_cycle"}),
}


@pytest.mark.parametrize("case", RESTRUCTURINGS)
def test_a_restructurings_clients_go_one_by_one_to_the_least_loaded_of_their_team(case):
    """Each client goes to whoever of its receivers (its segment's account managers, or the salespeople) has least work."""
    start, changes = RESTRUCTURINGS[case]
    week = 60
    scenario = Scenario(**{**SMALL, **start}, interventions=[{"week": week, "set": changes}])
    model = SalesOrgModel(rng=2, scenario=scenario)
    model.run_until(week - 1)
    staffing, original, handed = model.staffing, model.hand_over, []

    def checked(company, receiver):
        if model.time == week - 0.5:  # the switch (the week's later handovers follow the usual rules)
            structure = model.structure
            if structure.name == "full_cycle":
                candidates = model.salespeople
            else:
                team = structure.team_of_client(company)
                candidates = [m for m in model.account_managers if team is None or m.team == team]
            expected = min(candidates, key=staffing._standard_work)
            assert receiver is expected, f"{company} went to {receiver}, the least loaded was {expected}"
            handed.append(receiver.unique_id)
        original(company, receiver)

    model.hand_over = checked
    model.run_for(1)
    assert len(handed) >= 10 and len(set(handed)) >= 2
    model.check_invariants()


@pytest.mark.parametrize("receiver", ["least_loaded", "by_segment"])
def test_a_new_client_goes_to_the_account_manager_with_the_lightest_load(receiver):
    """Load plus a thousandth per client, the lowest id on a tie: checked against a scan at every handover."""
    scenario = Scenario(**SMALL, structure="hunter_farmer", account_managers=4, handover_receiver=receiver, client_segments=2)
    model = SalesOrgModel(rng=3, scenario=scenario)
    staffing = model.staffing
    fast = staffing.least_loaded_account_manager
    asked = []

    def checked(team=None):
        managers = [m for m in model.account_managers if m.unique_id not in staffing.leaving]
        managers = [m for m in managers if team is None or m.team == team]
        expected = min(managers, key=lambda m: (m.load + len(m.portfolio) * 1e-3, m.unique_id)) if managers else None
        got = fast(team)
        assert got is expected, f"{got} chosen, the least loaded was {expected}"
        asked.append(len({(m.load, len(m.portfolio)) for m in managers}) < len(managers))
        return got

    staffing.least_loaded_account_manager = checked
    model.run_until(60)
    assert len(asked) >= 20 and any(asked)  # many choices, some of them between equally loaded managers


def test_the_account_manager_choice_skips_other_teams_and_those_being_let_go():
    """Per team and with people being let go, the choice is a scan's: load plus a thousandth per client, then the id."""
    scenario = Scenario(**SMALL, structure="hunter_farmer", account_managers=6, handover_receiver="by_segment", client_segments=2)
    model = SalesOrgModel(rng=5, scenario=scenario)
    model.run_until(30)
    staffing = model.staffing
    managers = list(model.account_managers)
    managers[1].load = managers[0].load + (len(managers[0].portfolio) - len(managers[1].portfolio)) * 1e-3  # a tie

    def scan(team):
        kept = [m for m in managers if m.unique_id not in staffing.leaving and (team is None or m.team == team)]
        return min(kept, key=lambda m: (m.load + len(m.portfolio) * 1e-3, m.unique_id)) if kept else None

    for team in [None, *{m.team for m in managers}]:
        staffing.leaving = set()
        while True:
            expected = scan(team)
            assert staffing.least_loaded_account_manager(team) is expected
            if expected is None:
                break
            staffing.leaving.add(expected.unique_id)  # the next best once this one is being let go
    staffing.leaving = set()


def test_a_pods_roster_holds_for_the_whole_week():
    """Each call's roster (and its portfolios' client rows) is a fresh scan's, through hires, departures and re-dealing."""
    scenario = Scenario(
        market_size=1500,
        salespeople=8,
        years=2,
        structure="pod",
        pod_size=3,
        account_managers=3,
        hire_account_managers=True,
        voluntary_turnover_account_managers=0.6,
    )
    model = SalesOrgModel(rng=2, scenario=scenario)
    structure = model.structure
    original = structure.shared_service
    checked = []
    portfolios_kept = []  # the week's client rows of the account managers read so far

    def check(person, free):
        spent = original(person, free)
        if structure._rosters is not None:
            fresh = {}
            for m in model.account_managers:
                fresh.setdefault(m.team, []).append(m)
            assert structure._rosters == fresh, f"week {model.time}: the pods changed during the week"
            for team, pool in structure._pools.items():
                clients = [c for m in fresh.get(team, ()) for c in m.portfolio]
                assert pool.clients == clients and pool.rows.tolist() == [c.uid for c in clients]
                assert all(pool.clients[s:e] == m.portfolio for m in fresh.get(team, ()) for s, e in [pool.own[m.unique_id]])
                portfolios_kept.append(len(clients))
            checked.append(model.time)
        return spent

    structure.shared_service = check
    model.run_until(model.cfg.weeks)
    left = sum(1 for d in model.turnover.departures if d["role"] == "account_manager")
    hired = len(model.account_managers) + left - 3
    assert len(set(checked)) > 50 and left >= 2 and hired >= 2 and sum(portfolios_kept) > 100


def test_a_group_recounts_a_colleague_whose_client_followed_a_leaver():
    """Hunters' clients that follow them out leave account managers' portfolios mid-group: their work is counted again."""
    scenario = Scenario(**{**SMALL, "salespeople": 8}, structure="hunter_farmer", account_managers=4, clients_follow_share=0.5)
    model = SalesOrgModel(rng=2, scenario=scenario)
    model.run_until(100)
    managers = sorted(model.account_managers, key=lambda m: -len(m.portfolio))
    hunters = list(model.salespeople)
    group = [managers[0], *hunters[:4], managers[1]]  # an account manager's clients before and after the hunters'
    leaving = {p.unique_id for p in group}
    staying = [m for m in model.account_managers if m.unique_id not in leaving]
    before = {m.unique_id: len(m.portfolio) for m in staying}
    staffing, original, handed = model.staffing, model.hand_over, []

    def checked(company, receiver):
        colleagues = [m for m in model.account_managers if m.unique_id not in leaving]
        expected = min(colleagues, key=staffing._standard_work)
        assert receiver is expected, f"{company} went to {receiver}, the least loaded was {expected}"
        handed.append(receiver.unique_id)
        original(company, receiver)

    model.hand_over = checked
    model.let_go_group(group)
    received = {uid: handed.count(uid) for uid in before}
    shrank = [m for m in staying if len(m.portfolio) < before[m.unique_id] + received[m.unique_id]]
    assert len(handed) >= 10 and shrank  # some stayer lost a client that followed a hunter out
    model.check_invariants()


def test_a_pod_with_nothing_owed_shares_no_work_and_skips_the_servicing():
    """Serving colleagues' clients that owe nothing spends nothing and changes nothing: the pod skips the call.

    With work owed, the colleague serves the clients that owe it, in order (all that ``Staff.serve`` keeps).
    """
    scenario = Scenario(market_size=1500, salespeople=8, years=1, structure="pod", pod_size=4, account_managers=4)
    model = SalesOrgModel(rng=3, scenario=scenario)
    model.run_until(30)
    person = next(m for m in model.account_managers if any(o is not m and o.team == m.team for o in model.account_managers))
    clients = [c for o in model.account_managers if o is not person and o.team == person.team for c in o.portfolio]
    assert clients
    table = model.clients
    for company in clients:  # the colleagues are up to date with their clients' work
        company.backlog = 0.0
    state = (table.backlog.copy(), table.knowledge.copy(), list(person.hours))
    assert person.serve(clients, 20.0) == (0.0, 0.0)  # what the skipped call would give
    assert (table.backlog == state[0]).all() and (table.knowledge == state[1]).all() and person.hours == state[2]

    served = []
    person.serve = lambda clients, free: served.append(clients) or (1.0, 1.0)
    assert model.structure.shared_service(person, 20.0) == 0.0 and not served
    clients[-1].backlog = clients[0].backlog = 2.0  # two clients owe work: the colleague serves them, in order
    assert model.structure.shared_service(person, 20.0) == 1.0 and served == [[clients[0], clients[-1]]]


def test_standard_work_reads_the_columns_as_the_clients_attributes_do():
    """The ranking's sum (column reads) is the very float the clients' own attributes give, summed in portfolio order."""
    model = SalesOrgModel(rng=3, **SMALL)
    model.run_until(40)
    staffing = model.staffing
    support = model.cfg.implementation_hours
    stages = set()
    people = model.salespeople
    counted = staffing._standard_works(people)  # everyone at once, as a ranking's first count
    for person, key in zip(people, counted, strict=True):
        by_attribute = sum([c.weekly_service if c.stage == Stage.SERIAL else support for c in person.portfolio])
        stages |= {c.stage for c in person.portfolio}
        assert key == staffing._standard_work(person) == (by_attribute, person.unique_id)
    assert {Stage.SERIAL, Stage.IMPLEMENTATION} <= stages  # both kinds of client were counted


def test_handovers_carried_over_together_set_the_strengths_one_after_another_would():
    """One call for many clients' relationships (a restructuring's) leaves the network as client-by-client carry-overs."""
    import copy

    import numpy as np

    scenario = Scenario(**SMALL, structure="hunter_farmer", account_managers=3)
    model = SalesOrgModel(rng=2, scenario=scenario)
    model.run_until(60)
    clients = [c for p in model.salespeople for c in p.portfolio] + [c for m in model.account_managers for c in m.portfolio]
    receivers = [*model.account_managers, *model.salespeople]
    moves = [(c.owner, c, receivers[i % len(receivers)]) for i, c in enumerate(clients)]
    moves = [(g, c, r) for g, c, r in moves if g is not r]
    assert len(moves) >= 10 and len({g for g, _, _ in moves}) >= 3 and len({r for _, _, r in moves}) >= 3
    week, share = model.time, model.cfg.handover_relationship_carryover
    one_by_one, together = model.network, copy.deepcopy(model.network)
    before = together.number_of_relationships()
    for giver, company, receiver in moves:  # what a handover on its own does (BuyingCentreRelations.carry_over)
        rows = model.relations.rows_of(company)
        one_by_one.set_strengths(receiver.unique_id, rows, share * one_by_one.strengths_at(giver.unique_id, rows, week), week)
    each = [model.relations.rows_of(c) for _, c, _ in moves]
    sizes = [r.size for r in each]
    givers = np.repeat([g.unique_id for g, _, _ in moves], sizes)
    takers = np.repeat([r.unique_id for _, _, r in moves], sizes)
    together.carry_strengths(givers, takers, np.concatenate(each), share, week)
    for name in ("staff", "s", "t", "used", "top"):
        assert np.array_equal(getattr(one_by_one, name), getattr(together, name)), name
    assert one_by_one.known_by == together.known_by
    assert together.number_of_relationships() > before  # receivers met clients' people they did not know


@pytest.mark.parametrize("follow", [0.0, 0.6])
def test_a_group_of_leavers_reuses_one_ranking_and_still_picks_the_least_loaded(follow):
    """Later leavers of a group reuse the first one's ranking, counting again only colleagues who lost clients meanwhile."""
    from orgmodel.model.staffing import WorkRanking

    model = SalesOrgModel(rng=6, **{**SMALL, "salespeople": 8, "clients_follow_share": follow})
    model.run_until(80)
    group = sorted(model.salespeople, key=lambda p: -len(p.portfolio))[:3]
    handed = _record_receivers(model, {p.unique_id for p in group})  # each receiver checked against a full scan
    counts, recounted, original = [], [], (WorkRanking.refresh, WorkRanking._count)

    def refresh(ranking):
        before = len(counts)
        original[0](ranking)
        recounted.append(len(counts) - before)  # colleagues it had to count again

    def count(ranking, person):
        counts.append(person.unique_id)
        original[1](ranking, person)

    WorkRanking.refresh, WorkRanking._count = refresh, count
    try:
        model.let_go_group(group)
    finally:
        WorkRanking.refresh, WorkRanking._count = original
    assert len(handed) >= 10 and len(recounted) == 2
    followed_later = sum(d["clients_followed"] for d in model.turnover.departures[-2:])  # the leavers after the first
    assert (followed_later > 0) == (follow > 0)  # both paths are taken: nothing changed, and clients followed
    if not follow:
        assert sum(recounted) == 0  # its own handovers are known to it: nobody is counted again
    model.check_invariants()


def test_hunters_leaving_together_take_clients_from_the_account_managers_who_receive_their_clients():
    """A hunter's former clients follow them out of account managers' portfolios; the rankings count those again."""
    model = SalesOrgModel(
        rng=3,
        scenario=Scenario(**{**SMALL, "salespeople": 8}, structure="hunter_farmer", account_managers=4, clients_follow_share=0.8),
    )
    model.run_until(90)
    staffing = model.staffing
    group = sorted(model.salespeople, key=lambda p: -len(p.originated))[:3]
    leaving = {p.unique_id for p in group}
    original, handed, lost = model.hand_over, [], []

    def checked(company, receiver):
        managers = [m for m in model.account_managers if m.unique_id not in leaving]
        assert receiver is min(managers, key=staffing._standard_work)  # the brute-force choice, counted afresh
        handed.append(company)
        original(company, receiver)

    def noted(person):
        lost.append(person)
        changed(person)

    changed = staffing.portfolio_changed
    model.hand_over, staffing.portfolio_changed = checked, noted
    model.let_go_group(group)
    assert handed and any(p is not None and p.role == "account_manager" for p in lost)  # the path was taken
    model.check_invariants()


def test_the_work_bounds_stay_below_the_counted_work():
    """The ranking's lower bounds from the columns never exceed the work counted client by client (its serial part exactly)."""
    import numpy as np

    for structure in ("full_cycle", "hunter_farmer"):
        model = SalesOrgModel(rng=7, scenario=Scenario(**SMALL, structure=structure))
        staffing = model.staffing
        for week in (10, 30, 60, 100):
            model.run_until(week)
            people = model.staff
            bounds = np.array(staffing._work_bounds(people))
            work = np.array([key for key, _ in staffing._standard_works(people)])
            assert (bounds <= work).all(), structure
            serial = [any(c.stage == Stage.SERIAL for c in p.portfolio) for p in people]
            assert (bounds[serial] < work[serial]).all()  # strictly below: the rounding of the sums is allowed for
            only_serial = [bool(p.portfolio) and all(c.stage == Stage.SERIAL for c in p.portfolio) for p in people]
            assert (bounds[only_serial] > (1 - 1e-6) * work[only_serial]).all()  # their bound is their work, lowered
            ranking = staffing.ranking(people)
            assert ranking.least_loaded() is min(people, key=staffing._standard_work)
            if week >= 60 and structure == "full_cycle":  # clients spread by now: most bounds spare a count
                assert len(ranking._counted) <= len(people) // 2


@pytest.mark.parametrize("scarce", [False, True])
def test_hired_skills_are_plain_floats(scarce: bool) -> None:
    """Skills are stored as Python floats (a numpy scalar made every product with them a numpy operation).

    Also for people hired during the run from the labour market's pool (scarce talent).
    """
    model = SalesOrgModel(rng=2, **{**SMALL, "scarce_hunting_talent": scarce})
    hired = model.staffing.hire(type(model.staff[0]), 2, True, 0)
    model.run_until(3)
    hired += model.staffing.hire(type(model.staff[0]), 2, True, 0)  # during the run: from the pool if talent is scarce
    for person in [*model.staff, *hired]:
        assert type(person.hunting_skill) is float
        assert type(person.service_skill) is float


def test_the_week_asks_for_colleagues_service_only_where_the_structure_shares_it():
    """Only a structure that overrides ``shared_service`` (pods) is asked each person-week; the others' answer is none."""
    pods = SalesOrgModel(rng=3, scenario=Scenario(market_size=300, salespeople=4, years=1, structure="pod", pod_size=2))
    assert pods.structure.shares_service
    for name in ("full_cycle", "hunter_farmer"):
        model = SalesOrgModel(rng=3, scenario=Scenario(market_size=300, salespeople=4, years=1, structure=name))
        assert not model.structure.shares_service
        assert model.structure.shared_service(model.staff[0], 20.0) == 0.0


@pytest.mark.parametrize("negative", [False, True])
def test_the_work_bounds_are_those_of_masked_columns_and_a_sum_of_magnitudes(negative: bool) -> None:
    """The bounds read by positions, with the sum of magnitudes taken as the sum when no term is negative, are the
    very numbers of boolean masks and two ``bincount`` calls; a negative term (never in a run) takes the second sum."""
    import numpy as np

    model = SalesOrgModel(rng=7, scenario=Scenario(**SMALL, structure="full_cycle"))
    model.run_until(40)
    table = model.clients
    people = model.staff
    if negative:
        row = int(np.flatnonzero(table.owner_row >= 0)[0])
        table.weekly_service[row] = -1.5
    owned = table.owner_row >= 0
    rows = table.owner_row[owned]
    least = np.minimum(table.weekly_service[owned], model.cfg.implementation_hours)
    size = len(table.staff)
    sums = np.bincount(rows, weights=least, minlength=size)
    slack = np.bincount(rows, weights=np.abs(least), minlength=size) * 1e-9
    at = np.array([p.row for p in people], dtype=np.int64)
    expected = (sums[at] - slack[at]).tolist()
    assert model.staffing._work_bounds(people) == expected
    assert (least.min() < 0.0) == negative
