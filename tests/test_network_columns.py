"""The columnar relationship network gives the strengths a contact-by-contact update gives.

The reference below is the rule written out per contact (the network before
it stored relationships in columns and applied a week's contacts at once):
grow ``s' = 1 - (1 - s) exp(-g h skill)`` after decaying ``s`` since the last
contact. Random weeks of contacts, with repeats of the same pair in a week,
people who know more staff than a row first holds, handovers and pruning, must
give the same strengths to rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from orgmodel.model import network as network_module
from orgmodel.model.network import RelationshipNetwork

HALF_LIFE, GAIN = 26.0, 0.35


class PerContact:
    """The growth and decay rule applied one contact at a time (the reference)."""

    def __init__(self) -> None:
        self.decay = math.log(2.0) / HALF_LIFE
        self.ties: dict[tuple[int, int], tuple[float, float]] = {}

    def now(self, staff: int, person: int, week: float) -> float:
        s, t = self.ties.get((staff, person), (0.0, week))
        return s * math.exp(-self.decay * (week - t))

    def invest(self, staff: int, person: int, hours: float, week: float, skill: float) -> None:
        s = self.now(staff, person, week)
        self.ties[(staff, person)] = (1.0 - (1.0 - s) * math.exp(-GAIN * hours * skill), week)

    def best(self, person: int, week: float) -> float:
        return max((self.now(a, b, week) for a, b in self.ties if b == person), default=0.0)

    def prune(self, week: float, below: float) -> int:
        dead = [k for k in self.ties if self.now(*k, week) < below]
        for k in dead:
            del self.ties[k]
        return len(dead)


def test_a_year_of_random_contacts_gives_the_per_contact_strengths():
    rng = np.random.default_rng(5)
    staff = list(range(1, 13))  # twelve staff: some people meet more of them than a row first holds (4)
    people = list(range(100, 160))
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    net.add_people(people, role="buyer")
    ref = PerContact()
    for week in range(1, 53):
        for _ in range(int(rng.integers(0, 40))):
            a, b = int(rng.choice(staff)), int(rng.choice(people[:20] if rng.random() < 0.5 else people))
            hours, skill = float(rng.uniform(0.1, 3.0)), float(rng.uniform(0.6, 1.4))
            if rng.random() < 0.5:
                net.invest(a, b, hours, week, skill)
                ref.invest(a, b, hours, week, skill)
            else:  # the same pair twice in one week, booked in one call
                net.invest_many(a, [(b, hours / 2), (b, hours / 2)], week, skill)
                ref.invest(a, b, hours / 2, week, skill)
                ref.invest(a, b, hours / 2, week, skill)
        if week % 13 == 0:  # a handover: the receiver starts at a share of the giver's strength
            a, b, p = int(rng.choice(staff)), int(rng.choice(staff)), int(rng.choice(people))
            value = 0.5 * net.strength(a, p, week)
            net.set_strength(b, p, value, week)
            if value > 0.0:
                ref.ties[(b, p)] = (max(ref.now(b, p, week), min(1.0, value)), week)
        if week % 10 == 0:
            for a, b in list(ref.ties)[:25]:
                assert net.strength(a, b, week) == pytest.approx(ref.now(a, b, week), abs=1e-12)
                assert net.strength(b, a, week) == net.strength(a, b, week)
    week = 60
    assert net.staff.shape[1] > 4  # rows widened; nobody's relationship was dropped for lack of room
    assert net.number_of_relationships() == len(ref.ties)
    best = net.best_strengths(np.asarray(people), week)
    assert best == pytest.approx([ref.best(p, week) for p in people], abs=1e-12)
    assert [net.best_strength(p, week) for p in people] == pytest.approx(best.tolist(), abs=1e-15)
    for a in staff:
        known = {b for (x, b) in ref.ties if x == a}
        assert set(net.people_known_by(a)) == known
        assert net.neighbours(a, week) == pytest.approx({b: ref.now(a, b, week) for b in known}, abs=1e-12)
    # a year later most have faded below the threshold: the same ones go, the rest keep their strengths
    assert net.prune(week + 80, staff, below=0.05) == ref.prune(week + 80, 0.05) > 0
    assert net.number_of_relationships() == len(ref.ties)
    for a, b in ref.ties:
        assert net.strength(a, b, week + 80) == pytest.approx(ref.now(a, b, week + 80), abs=1e-12)
    for a in staff:
        assert set(net.people_known_by(a)) == {b for (x, b) in ref.ties if x == a}


def test_a_booked_contact_is_seen_by_the_next_read():
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    net.add_people([10, 11])
    net.invest(1, 10, 2.0, week=3)
    assert net.pending == 1
    assert net.strength(1, 10, 3) == pytest.approx(1 - math.exp(-0.7))  # the read applied the booking
    assert net.pending == 0
    net.invest_many(2, [(11, 1.0), (11, 1.0)], week=4)
    assert net.best_strengths(np.asarray([10, 11]), 4)[1] == pytest.approx(1 - math.exp(-0.7))
    # a booking of a later week applies the earlier week's first (decay runs between them)
    net.invest(1, 10, 1.0, week=5)
    net.invest(1, 10, 1.0, week=30)
    s5 = 1 - (1 - (1 - math.exp(-0.7)) * 0.5 ** (2 / 26)) * math.exp(-0.35)
    assert net.strength(1, 10, 30) == pytest.approx(1 - (1 - s5 * 0.5 ** (25 / 26)) * math.exp(-0.35))


def test_someone_never_added_gets_a_row_when_first_met():
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    net.invest(1, 5000, 1.0, week=1)
    assert net.strength(5000, 1, 1) == pytest.approx(1 - math.exp(-0.35))
    assert net.number_of_relationships() == 1 and net.graph.has_edge(1, 5000)


def test_ids_at_the_end_of_the_row_table_get_rows_and_its_last_entry_stays_no_ones():
    """A look-up clipped to the table's end must read "no row yet" for an id beyond it."""
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    size = net.row_of.size
    for person in (size - 2, size - 1, size, 3 * size):
        net.invest(1, person, 1.0, week=1)
        net.flush()
        assert net.strength(person, 1, 1) == pytest.approx(1 - math.exp(-0.35))
        assert net.row_of[-1] == -1
    assert net.number_of_relationships() == 4


def test_stored_coverage_is_the_weighted_mean_of_best_strengths_and_follows_a_new_decision_maker_weight():
    """The weights and their sums are kept between reads: a new decision maker's weight must reach them."""
    from orgmodel.model.model import SalesOrgModel

    model = SalesOrgModel(rng=2, salespeople=3, market_size=60, years=1)
    model.run_for(30)
    relations, network = model.relations, model.network
    met = [c for c in model.market.companies if c.people and network.best_strengths(np.asarray(c.people), model.time).max() > 0]
    assert met

    def direct(company, w_dm: float) -> float:
        best = network.best_strengths(np.asarray(company.people), model.time)
        w = np.where(np.asarray(company.deciders), w_dm, 1.0)
        return float((w * best).sum() / w.sum())

    for w_dm in (model.cfg.decision_maker_weight, 3.5):
        model.cfg = model.cfg.with_(decision_maker_weight=w_dm)
        for company in met:
            relations.met(company)
        relations.refresh()
        assert [c.coverage for c in met] == pytest.approx([direct(c, w_dm) for c in met], rel=1e-12)
        uids = np.asarray([c.uid for c in met])
        assert relations.coverage_of(uids) == pytest.approx([direct(c, w_dm) for c in met], rel=1e-12)


def test_the_clients_reviewing_this_week_are_read_from_their_column_and_get_the_week_s_coverage():
    """Serial clients whose ``next_review`` is this week have their coverage stored as the week settles; no others."""
    from orgmodel.model.clients import Stage
    from orgmodel.model.model import SalesOrgModel

    model = SalesOrgModel(rng=2, salespeople=3, market_size=60, years=1)
    model.run_for(30)
    relations, table, week = model.relations, model.clients, round(model.time)
    serial = [c for c in model.market.companies if c.stage == Stage.SERIAL]
    prospect = next(c for c in model.market.companies if c.stage == Stage.PROSPECT)
    assert len(serial) >= 2
    due, later = serial[:2]
    relations.settle()  # the week's contacts stored: what follows is the reviews' doing
    table.next_review[[due.uid, prospect.uid]] = week
    table.next_review[later.uid] = week + 1
    for company in (due, later, prospect):
        company.coverage = -1.0
    relations.settle(reviews=True)
    assert due.coverage == relations.coverage(due) >= 0.0 and relations.coverage_week[due.uid] == model.time
    assert later.coverage == prospect.coverage == -1.0


def test_the_reviews_read_the_week_s_coverage_and_compute_what_was_not_stored():
    """Stored this week, met since (stale) or not stored: each review gets its client's coverage now."""
    from orgmodel.model.clients import Stage
    from orgmodel.model.model import SalesOrgModel

    model = SalesOrgModel(rng=3, salespeople=3, market_size=60, years=1)
    model.run_for(30)
    relations = model.relations
    serial = [c for c in model.market.companies if c.stage == Stage.SERIAL][:6]
    assert len(serial) >= 3
    relations.settle()
    met, unstored = serial[0], serial[1:3]
    owner = met.owner
    relations.book_contact(owner, met, 4.0, everyone=True, skill=owner.service_skill)  # met since the week settled
    for company in unstored:
        relations.coverage_week[company.uid] = -1.0
        company.coverage = -1.0
    uids = np.asarray([c.uid for c in serial], dtype=np.int64)
    values = relations.coverage_for_reviews(serial, uids)
    assert values == [relations.coverage(c) for c in serial] == [c.coverage for c in serial]
    assert not relations.stale and (relations.coverage_week[uids] == model.time).all()


def test_known_by_is_every_relationship_in_the_table_whenever_it_is_read():
    """``known_by`` is read from the table when asked: reads between weeks of new ones miss none and repeat none."""
    rng = np.random.default_rng(11)
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    people = list(range(200, 260))
    net.add_people(people)
    for week in range(1, 30):
        staff = rng.integers(1, 9, size=int(rng.integers(0, 30)))
        met = rng.choice(people, size=staff.size)
        net.book(staff.tolist(), met.tolist(), rng.uniform(0.1, 2.0, size=staff.size).tolist(), week)
        if week % 7 == 0:  # a handover: one receiver for a few people at once (the one-staff path)
            net.set_strengths(9, net.rows(np.asarray(people[:5])), np.full(5, 0.3), week)
        if week % 3 == 0:
            net.flush()
            table: dict[int, set[int]] = {}
            for row in range(len(net.id_of)):
                for k in range(int(net.used[row])):
                    table.setdefault(int(net.staff[row, k]), set()).add(row)
            assert net.known_by == table
    assert net.prune(week + 200, range(1, 10), below=0.5) > 0
    assert all(net.known_by.values()) and sum(map(len, net.known_by.values())) == net.number_of_relationships()


def test_a_staff_member_s_people_are_the_table_s_whenever_read():
    """A staff member's people, read as new relationships are made and old ones pruned: every one, by row, none twice.

    Unordered (``by_row=False``, read first, so that it too meets a table changed since the last read): the same people.
    """
    rng = np.random.default_rng(12)
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    people = list(range(300, 380))
    net.add_people(people)
    changed = 0
    for week in range(1, 40):
        staff = rng.integers(1, 9, size=int(rng.integers(0, 30)))
        met = rng.choice(people, size=staff.size)
        net.book(staff.tolist(), met.tolist(), rng.uniform(0.1, 2.0, size=staff.size).tolist(), week)
        if week % 5 == 0:  # a handover: the one-staff path
            net.set_strengths(9, net.rows(np.asarray(people[:5])), np.full(5, 0.3), week)
        net.flush()
        changed += net._known_by is None
        for sid in rng.integers(1, 11, size=2).tolist():  # 10: someone who met nobody
            rows = sorted(r for r in range(len(net.id_of)) for k in range(int(net.used[r])) if net.staff[r, k] == sid)
            unordered = net.people_known_by(sid, by_row=False)
            assert sorted(unordered) == sorted(net.id_of[r] for r in rows) and len(set(unordered)) == len(unordered)
            assert net.people_known_by(sid) == [net.id_of[r] for r in rows]
        if week % 13 == 0:
            net.prune(week + 60, range(1, 10), below=0.3)
    assert changed > 10  # most reads found the table changed since the last


def test_ties_among_rows_are_where_the_strengths_are_read_with_the_same_bytes():
    """``ties_among`` finds a staff member's ties among rows (any order, some repeated) with ``strengths_at``'s values."""
    rng = np.random.default_rng(13)
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    people = list(range(400, 470))
    net.add_people(people)
    assert [a.size for a in net.ties_among(1, net.rows(np.asarray(people[:3])), 1.0)] == [0, 0]  # no relationship yet
    for week in range(1, 25):
        staff = rng.integers(1, 9, size=int(rng.integers(0, 30)))
        net.book(
            staff.tolist(), rng.choice(people, size=staff.size).tolist(), rng.uniform(0.1, 2.0, size=staff.size).tolist(), week
        )
        rows = net.rows(rng.choice(people, size=40))
        for sid in range(1, 11):  # 9 and 10: someone who met nobody
            where, strengths = net.ties_among(sid, rows, week + 0.5)
            expected = net.strengths_at(sid, rows, week + 0.5)
            tied = np.array([sid in net.staff[r, : net.used[r]] for r in rows.tolist()], dtype=bool)
            assert where.tolist() == np.flatnonzero(tied).tolist()
            assert strengths.tobytes() == expected[where].tobytes()


def test_contacts_booked_as_arrays_and_as_lists_give_the_same_bytes_in_booking_order():
    """A week's ledger mixes contacts booked as arrays (service visits) and one by one; order decides the sums."""
    rng = np.random.default_rng(7)
    mixed, plain = RelationshipNetwork(HALF_LIFE, GAIN), RelationshipNetwork(HALF_LIFE, GAIN)
    for net in (mixed, plain):
        net.add_people(range(100, 160))
    for week in (1.0, 2.0, 5.0):
        for _ in range(6):  # repeats of the same pairs within a week, so that the order of the sums matters
            staff = rng.integers(1, 4, 12)
            people = rng.integers(100, 160, 12)
            hours = rng.uniform(0.01, 3.0, 12)
            if rng.random() < 0.5:
                mixed.book(staff, people, hours, week)
            else:
                mixed.book(staff.tolist(), people.tolist(), hours.tolist(), week)
            mixed.invest(int(staff[0]), int(people[0]), 0.7, week)
            plain.book(staff.tolist(), people.tolist(), hours.tolist(), week)
            plain.invest(int(staff[0]), int(people[0]), 0.7, week)
        assert mixed.booked() == plain.booked()
        assert mixed.pending == plain.pending == len(plain.booked()[0])
        mixed.flush()
        plain.flush()
        assert mixed.pending == 0
        columns = [(net.s.tobytes(), net.t.tobytes(), net.top.tobytes()) for net in (mixed, plain)]
        assert columns[0] == columns[1]


def test_pruning_moves_each_rows_survivors_to_its_front_in_their_order_and_recomputes_its_best():
    """After a prune each row holds its surviving relationships first, in their old order, then empty slots."""
    rng = np.random.default_rng(13)
    net = RelationshipNetwork(HALF_LIFE, GAIN)
    people = list(range(300, 340))
    net.add_people(people)
    for week in range(1, 40):  # many staff per person: rows widen past the first four slots
        staff = rng.integers(1, 15, size=25)
        net.book(staff.tolist(), rng.choice(people, size=25).tolist(), rng.uniform(0.05, 2.0, size=25).tolist(), week)
    net.flush()
    n, week = len(net.id_of), 70.0
    before = [[(int(net.staff[r, k]), float(net.s[r, k]), float(net.t[r, k])) for k in range(int(net.used[r]))] for r in range(n)]
    pruned_staff = set(range(1, 10))  # staff 10-14 keep even their faded relationships

    def survives(staff: int, s: float, t: float) -> bool:
        return staff not in pruned_staff or s * math.exp(-net.decay * (week - t)) >= 0.2

    assert net.prune(week, sorted(pruned_staff), below=0.2) > 0
    assert net.staff.shape[1] > 4
    for r in range(n):
        kept = [slot for slot in before[r] if survives(*slot)]
        assert int(net.used[r]) == len(kept)
        m = len(kept)
        held = zip(net.staff[r, :m].tolist(), net.s[r, :m].tolist(), net.t[r, :m].tolist(), strict=True)
        assert list(held) == kept
        assert (net.staff[r, m:] == -1).all()
        best = max((math.log(s) + net.decay * t for _, s, t in kept if s > 0.0), default=-math.inf)
        assert net.top[r] == (pytest.approx(best, abs=1e-12) if math.isfinite(best) else best)


@pytest.mark.parametrize("w_dm", [2.0, 1.7, 0.0])  # 1.7: sums a compensated ``sum`` would round otherwise; 0: 0/0
def test_a_week_s_few_buying_centres_are_read_in_lists_as_the_array_path_reads_them(monkeypatch, w_dm):
    """:meth:`settle` reads a few companies in Python lists, more with arrays: the same coverage and strengths, bit for bit."""
    import warnings

    from orgmodel.model import relationships as relationships_module
    from orgmodel.model.clients import Stage
    from orgmodel.model.model import SalesOrgModel

    model = SalesOrgModel(rng=4, salespeople=3, market_size=120, years=2)
    model.run_for(60)
    model.cfg = model.cfg.with_(decision_maker_weight=w_dm)
    relations = model.relations
    assert relations._first is not None  # the model seats the buying centres before anyone is met: contiguous rows
    relations.refresh()
    serial = [c for c in model.market.companies if c.stage is Stage.SERIAL]
    met, asked = serial[:5], [c for c in model.market.companies if c.stage is Stage.PROSPECT][:4] + serial[5:7]
    assert len(met) == 5 and len(asked) == 6

    def read(few: int) -> tuple[list[bytes], list[bytes]]:
        monkeypatch.setattr(relationships_module, "_FEW", few)
        for company in met:
            relations.met(company)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a lone decision maker weighted 0: 0/0, as either path
            best = relations.settle(asked)
        return [np.float64(c.coverage).tobytes() for c in met], [np.asarray(b).tobytes() for b in best]

    assert read(len(met) + len(asked)) == read(0)  # every company in lists; every company in arrays
    assert [len(b) for b in relations.settle(asked)] == [len(c.people) for c in asked]


# a few contacts in Python lists or in arrays; a ledger ordered by sorting values or by a stable sort of positions
@pytest.mark.parametrize(("name", "first", "second"), [("_FEW_CONTACTS", 10**6, 0), ("_SORT_VALUES_FROM", 0, 10**9)])
def test_a_few_contacts_are_applied_in_lists_as_the_array_steps_apply_them(monkeypatch, name, first, second):
    """A ledger applied in Python lists (a few contacts) and in arrays (more): the same columns, byte for byte.

    Likewise a ledger ordered by sorting values made distinct (a large
    week's) and by a stable sort. Repeats of a pair in a week (their sums),
    zero hours (no contact), people never added (new rows), rows that fill
    up (wider rows) and pruning in between, so that both paths meet every case.
    """
    rng = np.random.default_rng(21)
    lists, arrays = RelationshipNetwork(HALF_LIFE, GAIN), RelationshipNetwork(HALF_LIFE, GAIN)
    for net in (lists, arrays):
        net.add_people(range(100, 130))
    for week in range(1, 60):
        n = int(rng.integers(1, 20))
        staff = rng.integers(1, 12, n).tolist()
        people = rng.integers(100, 140 if week > 30 else 130, n).tolist()  # later weeks meet people never added
        hours = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.01, 3.0, n)).tolist()
        for net, at in ((lists, first), (arrays, second)):  # e.g. every ledger in lists; every ledger in arrays
            monkeypatch.setattr(network_module, name, at)
            net.book(staff, people, hours, float(week))
            net.flush()
            if week % 20 == 0:
                net.prune(float(week), range(1, 6), below=0.2)
        columns = [[a.tobytes() for a in (net.staff, net.s, net.t, net.top, net.used)] for net in (lists, arrays)]
        assert columns[0] == columns[1]
        assert lists.id_of == arrays.id_of and lists._widest == arrays._widest
    assert lists.known_by == arrays.known_by and lists.staff.shape[1] > 4


@pytest.mark.parametrize("at_most", [10**6, 0])  # ledgers applied in lists; in arrays
@pytest.mark.parametrize("weight", [2, 1.7, 0.0])  # an int as a scenario may give it; sums to round; members without time
@pytest.mark.parametrize("contiguous", [True, False])  # the members' rows one after the other (as the model seats them), or not
def test_a_contact_with_a_group_is_its_members_contacts_booked_one_by_one(monkeypatch, at_most, weight, contiguous):
    """:meth:`book_group` books what :meth:`book` of each member with ``w * hours`` books, in the same place of the order.

    Contacts with groups, one by one and as arrays, mixed within weeks with
    repeats of the same pairs (their sums' order), people never added (new
    rows, in their order), members without time (weight 0) and rows that
    fill up: the same ledger (:meth:`booked`, :attr:`pending`) and the same
    columns, byte for byte, as the members booked one by one.
    """
    monkeypatch.setattr(network_module, "_FEW_CONTACTS", at_most)
    rng = np.random.default_rng(5)
    grouped, plain = RelationshipNetwork(HALF_LIFE, GAIN), RelationshipNetwork(HALF_LIFE, GAIN)
    sizes = rng.integers(1, 7, 8)
    people = np.arange(1000, 1000 + int(sizes.sum()))
    flags = rng.random(people.size) < 0.3
    start = np.cumsum(sizes) - sizes
    for net in (grouped, plain):
        net.add_people(people.tolist())
        if not contiguous:
            net.rows(people[::-1])  # rows in the reverse order
        net.set_groups(net.rows(people), start, sizes, flags)
    for week in range(1, 40):
        for _ in range(int(rng.integers(1, 30))):
            kind = rng.random()
            sid = int(rng.integers(1, 7))
            if kind < 0.5:  # buying centres met (one, or several in one call), mostly the same few
                groups = rng.integers(0, 2 if rng.random() < 0.7 else 8, 1 if rng.random() < 0.7 else 3).tolist()
                hours = rng.uniform(0.01, 2.0, len(groups)).tolist()
                if len(groups) == 1:
                    grouped.book_group(sid, groups[0], hours[0], weight, float(week))
                else:
                    grouped.book_groups(sid, groups, hours, weight, float(week))
                for group, h in zip(groups, hours, strict=True):
                    members = slice(int(start[group]), int(start[group] + sizes[group]))
                    spread = [(weight if dm else 1.0) * h for dm in flags[members].tolist()]
                    plain.book([sid] * len(spread), people[members].tolist(), spread, float(week))
            elif kind < 0.8:  # a lead, or someone never added
                person = int(rng.choice(people[:12])) if rng.random() < 0.8 else int(rng.integers(5000, 5010))
                for net in (grouped, plain):
                    net.invest(sid, person, 0.5, float(week), 0.9)
            else:  # service visits, as arrays
                staff, met = rng.integers(1, 7, 4), rng.choice(people, 4)
                hours = rng.uniform(0.1, 1.0, 4)
                for net in (grouped, plain):
                    net.book(staff, met, hours, float(week))
        assert grouped.booked() == plain.booked()
        assert grouped.pending == plain.pending
        for net in (grouped, plain):
            net.flush()
        columns = [[a.tobytes() for a in (net.staff, net.s, net.t, net.top, net.used)] for net in (grouped, plain)]
        assert columns[0] == columns[1]
        assert grouped.id_of == plain.id_of and grouped._widest == plain._widest
    assert grouped.known_by == plain.known_by and grouped.staff.shape[1] > 4


def test_a_model_booking_buying_centres_as_entries_runs_as_one_booking_their_members(monkeypatch):
    """A large market books a contact with a buying centre as one ledger entry: the same run as member by member."""
    from orgmodel.model import relationships as relationships_module
    from orgmodel.model.model import SalesOrgModel

    def run(apart: int) -> list[bytes]:
        monkeypatch.setattr(relationships_module, "_GROUPS_APART", apart)
        model = SalesOrgModel(rng=3, salespeople=4, market_size=150, years=2)
        assert model.relations.as_groups is (apart == 0)
        model.run_for(80)
        net = model.network
        coverage = np.array([c.coverage for c in model.market.companies])
        return [a.tobytes() for a in (net.staff, net.s, net.t, net.top, net.used, coverage)]

    assert run(0) == run(10**9)


@pytest.mark.parametrize("apart", [0, 10**9])  # buying centres booked as entries; member by member
def test_a_contact_spreads_the_decision_maker_weight_in_force_when_it_is_booked(monkeypatch, apart):
    """Each company's weights are kept between contacts: a new weight (an intervention) is used from then on."""
    from orgmodel.model import relationships as relationships_module
    from orgmodel.model.model import SalesOrgModel

    monkeypatch.setattr(relationships_module, "_GROUPS_APART", apart)
    model = SalesOrgModel(rng=4, salespeople=3, market_size=120, years=1)
    relations, network = model.relations, model.network
    company = next(c for c in model.market.companies if any(c.deciders) and len(c.people) > 2)
    person, week = model.salespeople[0], model.time
    network.flush()
    for w_dm in (2.0, 3.5, 2.0):
        model.cfg = model.cfg.with_(decision_maker_weight=w_dm)
        relations.book_contact(person, company, 3.0, everyone=True, skill=0.5, week=week)
        weights = [w_dm if dm else 1.0 for dm in company.deciders]
        assert network.booked()[2][-len(weights) :] == [w * (3.0 * 0.5 / sum(weights)) for w in weights]
