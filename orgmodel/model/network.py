"""The relationship network: who at the supplier knows whom at the client, stored in columns.

Nodes are people (Mesa agents' ``unique_id``): staff and client-side people.
An edge is a working relationship with a strength in [0, 1] that grows with
hours spent together, ``s' = 1 - (1 - s) exp(-g h)``, and decays without
contact with a fixed half-life. Decay is applied lazily: an edge stores its
strength and the week it was last touched, and the current strength is
computed when someone asks. So a relationship nobody uses costs nothing per
week, which keeps thousands of client-side people passive.

**Columns.** Every relationship has a staff end and a client end (the person
in a buying centre). Each person has a row of ``K`` slots in three arrays,
``staff`` (the supplier-side person of each slot, -1 if empty), ``s``
(strength when last touched) and ``t`` (that week); a row that fills up
doubles ``K`` for everyone, so no relationship is ever dropped for lack of
room. A buying centre's strengths are then a slice of rows, and the week's
questions (each member's best relationship, a buying centre's coverage) are
array operations over all the people asked about at once.

**Contacts are booked, then applied in one batch.** The week's work books
thousands of contacts (``invest``, ``invest_many``); they go to a ledger and
are applied together (:meth:`flush`) before anyone reads a strength: every
read flushes first, so a reader always sees every contact booked before it.
Several contacts between the same two people in one week combine into one
(growth multiplies, ``exp(-g h1) exp(-g h2) = exp(-g (h1 + h2))``, and there
is no decay within a week), so the batch gives the strengths a contact-by-
contact update gives, up to rounding in the last digit. A contact with a
whole buying centre (:meth:`RelationshipNetwork.book_group`) stays one
entry of the ledger until it is applied, and is then spread over the
members.

A networkx graph of the same people and relationships is built on demand for
views, drawing and analysis: :meth:`RelationshipNetwork.snapshot` (current
strengths) and :attr:`RelationshipNetwork.graph` (stored strengths).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import networkx as nx
import numpy as np

_SLOTS = 4  # relationships per person before the rows widen (a buyer rarely knows more suppliers' people)
#: contacts booked one by one up to which :meth:`RelationshipNetwork.flush` sorts and finds them in Python lists (the
#: ledger a week's events leave, a new client's implementation or two, holds five to ten): some forty numpy calls
#: fewer, which cost more than the work at that size; beyond, and with contacts booked as arrays (the week's), the
#: array steps. Counted: 8-12 save the most instructions; at 48 the lists cost about what they save
_FEW_CONTACTS = 10
# a pair of people as one sortable integer: the person's row in the high bits, the staff id in the low ones
_STAFF_BITS = 32
_STAFF_MASK = (1 << _STAFF_BITS) - 1
#: contacts in a ledger from which :meth:`RelationshipNetwork.flush` orders them by sorting values (keys made
#: distinct by each contact's place) rather than by a stable sort of positions: faster for a large week's, a few
#: more numpy calls for the reference size's few hundred
_SORT_VALUES_FROM = 1024


class RelationshipNetwork:
    """People and their lazily decaying relationship strengths, in columns.

    Args:
        half_life_weeks: weeks for an untouched relationship to halve.
        gain_per_hour: ``g`` in the growth rule above.

    """

    def __init__(self, half_life_weeks: float, gain_per_hour: float) -> None:
        self.decay = math.log(2.0) / half_life_weeks
        self.gain = gain_per_hour
        self._people: list[tuple[list[int], dict[str, object]]] = []  # ids and their node attributes, per call
        #: person id -> row (-1: no row yet); grown as ids arrive, always with a last entry of -1 (no one's),
        #: so a look-up clipped to the end (:meth:`flush`) reads "no row yet" for an id beyond it
        self.row_of = np.full(1024, -1, dtype=np.int64)
        self.id_of: list[int] = []  # row -> person id
        # rows are allocated with room to spare (rows beyond the last person's are empty)
        self.staff = np.full((0, _SLOTS), -1, dtype=np.int32)  # supplier-side person of each slot
        self.s = np.zeros((0, _SLOTS))  # strength when last touched
        self.t = np.zeros((0, _SLOTS))  # week last touched
        self.used = np.zeros(0, dtype=np.int64)  # slots in use per row (the first ``used`` of the row)
        self._widest = 0  # at least the most slots any row uses (searches look no further)
        #: per row, the best relationship in decay-free units, max over slots of ln s + decay t (-inf: none).
        #: A relationship's current strength is exp(ln s + decay t - decay week), so the best one now is
        #: the row's ``top`` turned into a strength, whatever the week: growth only raises a slot's value,
        #: so each update is a maximum, and only pruning (and a new decay rate) recomputes it.
        self.top = np.zeros(0)
        # staff id -> rows of the people they have a relationship with (:attr:`known_by`), read from the table
        # when asked and kept until a relationship is made or dropped (None: to be read again)
        self._known_by: dict[int, set[int]] | None = {}
        # the ledger of contacts booked since the last flush: staff, person, hours x skill, and their week;
        # contacts booked one by one go to the lists, contacts booked as arrays (a week's service visits) stay
        # arrays, in ``_book_parts`` with the lists booked before them, so that the order of booking is kept
        self._book_staff: list[int] = []
        self._book_person: list[int] = []
        self._book_hours: list[float] = []
        self._book_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._book_week = 0.0
        # groups of people met together (buying centres, :meth:`set_groups`): each group's first index into the
        # members' rows and how many; whether a member's hours are weighted (a decision maker's). A contact with a
        # whole group waits in the ledger as one entry, its person ``~group`` (negative), its weight in
        # ``_group_weights`` (in booking order), and is spread over the members as it is applied
        self._group_rows = np.zeros(0, dtype=np.int64)
        self._group_flag = np.zeros(0, dtype=bool)
        self._group_start = np.zeros(0, dtype=np.int64)
        self._group_size = np.zeros(0, dtype=np.int64)
        self._group_weights: list[float] = []

    # --- people -----------------------------------------------------------------------------------
    def add_people(self, ids: Iterable[int], **attrs: object) -> None:
        """Add people as nodes (attributes like role are for views and analysis).

        A person gets a row of relationships when first met (or when
        :meth:`rows` is asked for them): staff, who are only ever the other
        end, take no room.
        """
        self._people.append((list(ids), attrs))

    def rows(self, ids: np.ndarray, distinct: bool = False) -> np.ndarray:
        """The rows of ``ids`` (people without one get one); ``distinct``: no id is asked for twice (the caller knows)."""
        if ids.size == 0:
            return ids
        top = int(ids.max())
        if top >= self.row_of.size - 1:  # the last entry stays -1
            grown = np.full(max(top + 2, 2 * self.row_of.size), -1, dtype=np.int64)
            grown[: self.row_of.size] = self.row_of
            self.row_of = grown
        rows = self.row_of[ids]
        missing = rows < 0
        if missing.any():
            if distinct:  # the set-up's hundreds of thousands: no dictionary to keep each once
                new = ids[missing]
                self.id_of.extend(new.tolist())
            else:
                fresh = list(dict.fromkeys(ids[missing].tolist()))  # first appearance order, once each
                self.id_of.extend(fresh)
                new = np.asarray(fresh, dtype=np.int64)
            first = len(self.id_of) - new.size
            self.row_of[new] = np.arange(first, first + new.size)
            if not self.used.size:  # the first people (the market's): the columns made at their size, not stacked
                n, k = len(self.id_of), self.staff.shape[1]
                self.staff = np.full((n, k), -1, dtype=self.staff.dtype)
                self.s = np.zeros((n, k))
                self.t = np.zeros((n, k), dtype=self.t.dtype)
                self.used = np.zeros(n, dtype=np.int64)
                self.top = np.full(n, -np.inf)
            elif len(self.id_of) > self.used.size:  # room for twice as many people (rows beyond the last are empty)
                extra = max(len(self.id_of), 2 * self.used.size) - self.used.size
                k = self.staff.shape[1]
                self.staff = np.vstack([self.staff, np.full((extra, k), -1, dtype=self.staff.dtype)])
                self.s = np.vstack([self.s, np.zeros((extra, k))])
                self.t = np.vstack([self.t, np.zeros((extra, k), dtype=self.t.dtype)])
                self.used = np.concatenate([self.used, np.zeros(extra, dtype=np.int64)])
                self.top = np.concatenate([self.top, np.full(extra, -np.inf)])
            rows = self.row_of[ids]
        return rows

    def _row(self, person: int) -> int:
        """The row of one person, or -1."""
        return int(self.row_of[person]) if 0 <= person < self.row_of.size else -1

    def _widen(self, k: int) -> None:
        """Make room for ``k`` relationships per person."""
        old = self.staff.shape[1]
        if k <= old:
            return
        k = max(k, 2 * old)
        self.staff = _widened(self.staff, k, -1)
        self.s = _widened(self.s, k, 0.0)
        self.t = _widened(self.t, k, 0.0)

    # --- contacts ----------------------------------------------------------------------------------
    def invest(self, staff: int, person: int, hours: float, week: float, skill: float = 1.0) -> None:
        """Book ``hours`` that ``staff`` spends with ``person`` in ``week``: the relationship grows."""
        if hours <= 0.0:
            return
        if week != self._book_week:
            self.flush()
            self._book_week = week
        self._book_staff.append(staff)
        self._book_person.append(person)
        self._book_hours.append(hours * skill)

    def invest_many(self, staff: int, visits: Sequence[tuple[int, float]], week: float, skill: float = 1.0) -> None:
        """Book several ``(person, hours)`` contacts of one person in one call (see :meth:`invest`)."""
        if week != self._book_week:
            self.flush()
            self._book_week = week
        people = self._book_person
        hours = self._book_hours
        n = 0
        for person, h in visits:
            if h > 0.0:
                people.append(person)
                hours.append(h * skill)
                n += 1
        self._book_staff.extend([staff] * n)

    def book(self, staff: Sequence[int], people: Sequence[int], hours: Sequence[float], week: float) -> None:
        """Book contacts given as columns: ``hours[i]`` (already times skill) of ``staff[i]`` with ``people[i]``.

        Lists or arrays. Arrays (``people`` an array) are kept as arrays (copies)
        until the flush, which then needs no conversion of them; lists go into
        the ledger's lists.
        """
        if week != self._book_week:
            self.flush()
            self._book_week = week
        if isinstance(people, np.ndarray):
            if self._book_person:
                self._seal()
            part = (np.array(staff, dtype=np.int64), people.astype(np.int64), np.array(hours, dtype=float))
            self._book_parts.append(part)
            return
        self._book_staff.extend(staff)
        self._book_person.extend(people)
        self._book_hours.extend(hours)

    def set_groups(self, rows: np.ndarray, start: np.ndarray, size: np.ndarray, flag: np.ndarray) -> None:
        """Lay out groups of people met together (buying centres) for :meth:`book_group`.

        Group ``g``'s members are in rows ``rows[start[g] : start[g] + size[g]]``
        (rows from :meth:`rows`, so every member has one); ``flag`` marks the
        members whose hours a group contact weights (decision makers).
        """
        self._group_rows = np.asarray(rows, dtype=np.int64)
        self._group_start = np.asarray(start, dtype=np.int64)
        self._group_size = np.asarray(size, dtype=np.int64)
        self._group_flag = np.asarray(flag, dtype=bool)

    def book_group(self, staff: int, group: int, hours: float, weight: float, week: float) -> None:
        """Book ``hours`` of ``staff`` with each member of ``group`` (:meth:`set_groups`), ``weight`` x them with the flagged.

        What :meth:`book` of the members with ``w * hours`` each (``w`` the
        member's weight, ``weight`` or 1.0) books, as one entry of the ledger:
        a buying centre's contact then costs no Python number per member (at a
        hundred thousand companies, each member's id read from memory far
        apart as it was booked, converted and released again), and the
        members' rows need no look-up as the ledger is applied. The array
        steps that spread the entries cost more than the members' lists in a
        small market (:mod:`orgmodel.model.relationships` books those).
        """
        if week != self._book_week:
            self.flush()
            self._book_week = week
        self._book_staff.append(staff)
        self._book_person.append(~group)
        self._book_hours.append(hours)
        self._group_weights.append(weight)

    def book_groups(self, staff: int, groups: Sequence[int], hours: Sequence[float], weight: float, week: float) -> None:
        """:meth:`book_group` of ``staff`` with each of ``groups`` in turn, ``hours[i]`` with ``groups[i]`` (one call)."""
        if week != self._book_week:
            self.flush()
            self._book_week = week
        self._book_staff.extend([staff] * len(groups))
        self._book_person.extend([~group for group in groups])
        self._book_hours.extend(hours)
        self._group_weights.extend([weight] * len(groups))

    def _seal(self) -> None:
        """Move the contacts in the ledger's lists to its parts, as arrays (the lists start again)."""
        n = len(self._book_person)
        staff = np.fromiter(self._book_staff, dtype=np.int64, count=n)  # fromiter: a fifth faster than np.array here
        people = np.fromiter(self._book_person, dtype=np.int64, count=n)
        hours = np.fromiter(self._book_hours, dtype=float, count=n)
        self._book_staff, self._book_person, self._book_hours = [], [], []
        self._book_parts.append((staff, people, hours))

    @property
    def pending(self) -> int:
        """Contacts booked and not yet applied."""
        if self._group_weights:  # a group's entry counts its members
            return len(self.booked()[0])
        return len(self._book_person) + sum(part[1].size for part in self._book_parts)

    def booked(self) -> tuple[list[int], list[int], list[float]]:
        """The contacts booked and not yet applied, in booking order: staff, person, hours x skill (for checks).

        A contact with a group (:meth:`book_group`) is listed member by member.
        """
        staff: list[int] = []
        people: list[int] = []
        hours: list[float] = []
        for s, p, h in self._book_parts:
            staff += s.tolist()
            people += p.tolist()
            hours += h.tolist()
        staff, people, hours = staff + self._book_staff, people + self._book_person, hours + self._book_hours
        if not self._group_weights:
            return staff, people, hours
        out: tuple[list[int], list[int], list[float]] = ([], [], [])
        weights = iter(self._group_weights)
        for sid, person, h in zip(staff, people, hours, strict=True):
            if person >= 0:
                members, met = [person], [h]
            else:  # a group's members: ``w * hours``, w the contact's weight if flagged, else 1.0 (the same double)
                a, w = int(self._group_start[~person]), next(weights)
                members = [self.id_of[row] for row in self._group_rows[a : a + int(self._group_size[~person])].tolist()]
                met = [(w if flag else 1.0) * h for flag in self._group_flag[a : a + len(members)].tolist()]
            out[0].extend([sid] * len(members))
            out[1].extend(members)
            out[2].extend(met)
        return out

    def flush(self) -> None:
        """Apply every booked contact: one array update for the whole ledger.

        A week's ledger holds a few hundred contacts at the reference size, so
        the fixed cost of each numpy call outweighs its arithmetic: the steps
        below use as few calls as give the same numbers (a pair's contacts
        summed in booking order, new relationships given slots in (person,
        staff) order).
        """
        parts = self._book_parts
        if not parts:
            booked = self._book_person
            if not booked:
                return
            if len(booked) <= _FEW_CONTACTS and not self._group_weights:  # contacts with groups: the array steps
                self._flush_few()
                return
        if self._book_person:
            self._seal()
        week = self._book_week
        self._book_parts = []
        if len(parts) == 1:
            staff, people, hours = parts[0]
        else:
            staff = np.concatenate([part[0] for part in parts])
            people = np.concatenate([part[1] for part in parts])
            hours = np.concatenate([part[2] for part in parts])
        if self._group_weights:
            staff, hours, rows = self._spread_arrays(staff, people, hours)
            if rows is None:
                return
        else:
            if hours.min() <= 0.0:  # no time together is no contact (a decision maker weighted 0, say)
                keep = hours > 0.0
                staff, people, hours = staff[keep], people[keep], hours[keep]
                if not hours.size:
                    return
            rows = self.row_of.take(people, mode="clip")  # an id beyond the table reads its last entry, -1
            if rows.min() < 0:  # someone met for the first time who was never added
                rows = self.rows(people)
        # one update per pair of people: a week's contacts of a pair combine (no decay within a week)
        bits = _STAFF_BITS
        n = hours.size
        if n >= _SORT_VALUES_FROM:
            bits = int(staff.max()).bit_length()
            place = (n - 1).bit_length()
            if len(self.id_of).bit_length() + bits + place > 63:
                bits = _STAFF_BITS
        if bits == _STAFF_BITS:
            key = (rows << _STAFF_BITS) | staff  # by person, then staff
            order = key.argsort(kind="stable")  # a pair's contacts summed in booking order
            key = key[order]
        else:
            # the same order, from a sort of values: each contact's place in the ledger below the pair's key makes
            # the keys distinct, so the one order they sort in is the stable sort's of the pairs (numpy sorts
            # integers by value several times faster than it sorts their positions stably: 0.2 against 2 ms for a
            # hundred thousand companies' week)
            key = (((rows << bits) | staff) << place) | np.arange(n)
            key.sort()
            order = key & ((1 << place) - 1)
            key >>= place
        repeat = key[1:] == key[:-1]
        if repeat.any():
            first = np.concatenate(([True], ~repeat))
            hours = np.bincount(first.cumsum() - 1, weights=hours[order])
            key = key[first]
        else:  # every pair once (the usual week): no sums needed
            hours = hours[order]
        rows = key >> bits
        staff = key & ((1 << bits) - 1)
        slot = self._slots_for(rows, staff, week)
        self._grow(rows, rows * self.staff.shape[1] + slot, hours, week)

    def _spread_arrays(
        self, staff: np.ndarray, people: np.ndarray, hours: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """:meth:`flush`'s columns with each group entry spread over its members: staff, hours and rows, in booking order.

        A member takes its group entry's place in the order, so a pair's
        contacts are summed in the order they were booked in; contacts
        without time are dropped (rows None if none is left) before the
        people met one by one get their rows, in the order :meth:`rows`
        would give them (the members have theirs already).
        """
        weights = np.array(self._group_weights, dtype=float)
        self._group_weights = []
        group = people < 0
        which = ~people[group]
        size = self._group_size.take(which)
        count = np.ones(people.size, dtype=np.int64)
        count[group] = size
        staff, people, hours = staff.repeat(count), people.repeat(count), hours.repeat(count)
        member = group.repeat(count)
        ends = size.cumsum()
        index = np.arange(ends[-1]) + (self._group_start.take(which) - (ends - size)).repeat(size)
        hours[member] *= np.where(self._group_flag.take(index), weights.repeat(size), 1.0)
        rows = np.empty(people.size, dtype=np.int64)
        rows[member] = self._group_rows.take(index)
        if hours.min() <= 0.0:  # no time together is no contact (a decision maker weighted 0, say)
            keep = hours > 0.0
            staff, people, hours, rows, member = staff[keep], people[keep], hours[keep], rows[keep], member[keep]
            if not hours.size:
                return staff, hours, None
        alone = ~member
        if alone.any():
            ids = people[alone]
            found = self.row_of.take(ids, mode="clip")  # an id beyond the table reads its last entry, -1
            if found.min() < 0:  # someone met for the first time who was never added
                found = self.rows(ids)
            rows[alone] = found
        return staff, hours, rows

    def _flush_few(self) -> None:
        """:meth:`flush` of a few contacts booked one by one: sorted, summed and found in Python lists.

        The same steps as the array path, in lists: each pair's hours added
        in booking order from 0.0 (as ``bincount`` adds them; a pair met once
        keeps its hours, as the array path does), the pairs in (person, staff)
        order, a row's new relationships given its next free slots in that
        order; then the same array arithmetic (:meth:`_grow`) on the same
        values, so the same doubles.
        """
        staff, people, hours = self._book_staff, self._book_person, self._book_hours
        self._book_staff, self._book_person, self._book_hours = [], [], []
        week = self._book_week
        if min(hours) <= 0.0:  # no time together is no contact
            kept = [(sid, person, h) for sid, person, h in zip(staff, people, hours, strict=True) if h > 0.0]
            if not kept:
                return
            staff, people, hours = (list(column) for column in zip(*kept, strict=True))
        rows = self.row_of.take(people, mode="clip").tolist()  # an id beyond the table reads its last entry, -1
        if min(rows) < 0:  # someone met for the first time who was never added
            rows = self.rows(np.fromiter(people, dtype=np.int64, count=len(people))).tolist()
        sums: dict[int, float] = {}  # (person's row, staff) as one key -> the pair's hours
        for row, sid, h in zip(rows, staff, hours, strict=True):
            key = (row << _STAFF_BITS) | sid
            sums[key] = sums[key] + h if key in sums else h
        keys = sorted(sums)
        rows = [key >> _STAFF_BITS for key in keys]
        staff = [key & _STAFF_MASK for key in keys]
        slots = [0] * len(keys)
        new = []  # positions (in ``keys``) of new relationships, by row
        held = self.staff.take(rows, axis=0).tolist() if self._widest else None
        for i, sid in enumerate(staff):
            if held is not None and sid in held[i]:
                slots[i] = held[i].index(sid)
            else:
                new.append(i)
        if new:
            new_rows = [rows[i] for i in new]
            new_staff = [staff[i] for i in new]
            last, j = -1, 0
            for i, row, free in zip(new, new_rows, self.used.take(new_rows).tolist(), strict=True):
                j = j + 1 if row == last else 0  # the row's next free slots, in order
                last = row
                slots[i] = free + j
            need = max(slots[i] for i in new) + 1
            if need > self._widest:
                self._widest = need
                if need > self.staff.shape[1]:
                    self._widen(need)
            k = self.staff.shape[1]
            at = [row * k + slots[i] for i, row in zip(new, new_rows, strict=True)]
            self.staff.put(at, new_staff)
            self.s.put(at, 0.0)
            self.t.put(at, week)
            np.add.at(self.used, new_rows, 1)
            self._known_by = None
        k = self.staff.shape[1]
        at = np.array([row * k + slot for row, slot in zip(rows, slots, strict=True)], dtype=np.int64)
        self._grow(rows, at, np.fromiter([sums[key] for key in keys], dtype=float, count=len(keys)), week)

    def _grow(self, rows: np.ndarray | list[int], at: np.ndarray, hours: np.ndarray, week: float) -> None:
        """The relationships at flat positions ``at`` (in ``rows``) grow by ``hours`` (times skill) in ``week``."""
        flat_s = self.s.reshape(-1)
        flat_t = self.t.reshape(-1)
        s = flat_s.take(at) * np.exp(-self.decay * (week - flat_t.take(at)))
        s = 1.0 - (1.0 - s) * np.exp(-self.gain * hours)
        flat_s[at] = s
        flat_t[at] = week
        self._raise_top(rows, s, week)

    def _raise_top(self, rows: np.ndarray, s: np.ndarray, week: float) -> None:
        """Relationships in ``rows`` now have strength ``s`` as of ``week``: update the rows' best."""
        if s.min() > 0.0:
            value = np.log(s) + self.decay * week
        else:  # a relationship at 0 (no growth) is no better than none
            with np.errstate(divide="ignore"):
                value = np.log(s) + self.decay * week
        np.maximum.at(self.top, rows, value)

    def _recompute_top(self, rows: np.ndarray, staff: np.ndarray, s: np.ndarray, t: np.ndarray) -> None:
        """The best of ``rows`` from their slots (after relationships were dropped, or a new decay rate).

        ``staff``, ``s`` and ``t`` are the rows' columns, as the caller has
        them at hand (a second gather of the rows cost as much as the rest).
        """
        with np.errstate(divide="ignore"):
            value = np.where(staff >= 0, np.log(s) + self.decay * t, -np.inf)
        self.top[rows] = value.max(axis=1) if value.shape[1] else -np.inf

    def set_rates(self, half_life_weeks: float, gain_per_hour: float) -> None:
        """New decay and growth rates from now on (an intervention); contacts booked so far use the old ones."""
        self.flush()
        self.decay = math.log(2.0) / half_life_weeks
        self.gain = gain_per_hour
        n = len(self.id_of)
        self._recompute_top(np.arange(n), self.staff[:n], self.s[:n], self.t[:n])

    def _find(self, rows: np.ndarray, staff: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """(found, slot): where each row holds a relationship with the matching ``staff`` id.

        Whole rows are compared (the empty slots, -1, match no one): a
        contiguous comparison costs less than one of the used slots alone.
        ``argmax`` gives each row's first match (or 0), and one look-up of
        the match there says whether there was one: a reduction along rows
        a few slots long (``any``) costs several times more.
        """
        if self._widest == 0 or not rows.size:  # no relationship yet
            return np.zeros(rows.size, dtype=bool), np.zeros(rows.size, dtype=np.int64)
        held = self.staff.take(rows, axis=0)  # take (of whole rows): several times faster than fancy indexing
        match = held == (staff[:, None] if isinstance(staff, np.ndarray) else staff)
        slot = match.argmax(axis=1)
        k = match.shape[1]
        return match.reshape(-1).take(slot + np.arange(0, match.size, k)), slot

    def _slots_for(self, rows: np.ndarray, staff: np.ndarray | int, week: float) -> np.ndarray:
        """The slot of each (row, staff) relationship, new ones (strength 0, touched ``week``) made as needed.

        Pairs must be distinct and sorted by row (as :meth:`flush` makes them).
        """
        found, slot = self._find(rows, staff)
        if found.all():
            return slot
        new = (~found).nonzero()[0]
        new_rows = rows[new]  # ascending
        first = new_rows.searchsorted(new_rows)  # each row's first new relationship
        slot_new = self.used.take(new_rows) + (np.arange(new.size) - first)  # the next free slots of each row, in order
        need = int(slot_new.max()) + 1
        if need > self._widest:
            self._widest = need
            if need > self.staff.shape[1]:
                self._widen(need)
        slot[new] = slot_new
        at = new_rows * self.staff.shape[1] + slot_new  # positions in the flattened columns
        new_staff = staff[new] if isinstance(staff, np.ndarray) else staff
        self.staff.put(at, new_staff)
        self.s.put(at, 0.0)
        self.t.put(at, week)
        np.add.at(self.used, new_rows, 1)
        self._known_by = None
        return slot

    @property
    def known_by(self) -> dict[int, set[int]]:
        """Staff id -> rows of the people they have a relationship with (pruned ones excluded).

        Read from the table when asked after relationships were made or
        dropped (one scan of the staff column, grouped by staff: see
        :func:`_rows_by_staff`), then kept until the next such change. Only
        views and checks ask (a leaver's clients are found from the columns:
        :meth:`ties_among`), so a run keeps no index up to date: a large
        force makes thousands of relationships a week.
        """
        known = self._known_by
        if known is None:
            n = len(self.id_of)
            rows, slots = np.nonzero(self.staff[:n] >= 0)
            staff = self.staff[rows, slots].astype(np.int64)
            known = self._known_by = {sid: set(theirs) for sid, theirs in _rows_by_staff(staff, rows)}
        return known

    def strengths_at(self, staff: int | np.ndarray, rows: np.ndarray, week: float) -> np.ndarray:
        """Current strength of ``staff``'s relationship with each of ``rows``, 0 where none (a staff id per row, or one)."""
        self.flush()
        found, slot = self._find(rows, staff)
        out = np.zeros(rows.size)
        if found.any():
            r, k = rows[found], slot[found]
            out[found] = self.s[r, k] * np.exp(-self.decay * (week - self.t[r, k]))
        return out

    def set_strengths(self, staff: int | np.ndarray, rows: np.ndarray, values: np.ndarray, week: float) -> None:
        """:meth:`set_strength` for each person in ``rows`` (distinct) at once (a staff id per row, or one for all).

        The relationships are made first (a new one at strength 0 as of
        ``week``, which is the 0 of no relationship), then read and raised
        in place: one search of the rows.
        """
        keep = values > 0.0
        rows, values = rows[keep], values[keep]
        order = rows.argsort(kind="stable")
        if isinstance(staff, np.ndarray):
            staff = staff[keep][order]
        rows, values = rows[order], values[order]
        if not rows.size:
            return
        self.flush()
        self._raise_sorted(staff, rows, values, week)

    def _raise_sorted(self, staff: int | np.ndarray, rows: np.ndarray, values: np.ndarray, week: float) -> None:
        """:meth:`set_strengths` of positive ``values`` for ``rows`` in ascending order, the contacts booked applied."""
        slot = self._slots_for(rows, staff, week)
        at = rows * self.staff.shape[1] + slot  # positions in the flattened columns
        flat_s = self.s.reshape(-1)
        flat_t = self.t.reshape(-1)
        current = flat_s.take(at) * np.exp(-self.decay * (week - flat_t.take(at)))
        s = np.maximum(current, np.minimum(1.0, values))
        flat_s[at] = s
        flat_t[at] = week
        self._raise_top(rows, s, week)

    # --- reading -----------------------------------------------------------------------------------
    def _slot(self, staff: int, person: int) -> tuple[int, int]:
        """(row, slot) of the relationship between ``staff`` and ``person`` in either direction, or (-1, -1)."""
        for a, b in ((staff, person), (person, staff)):
            row = self._row(b)
            if row >= 0:
                hit = np.flatnonzero(self.staff[row, : self.used[row]] == a)
                if hit.size:
                    return row, int(hit[0])
        return -1, -1

    def strength(self, a: int, b: int, week: float) -> float:
        """Current strength between ``a`` and ``b`` (0 if they never met)."""
        self.flush()
        row, slot = self._slot(a, b)
        if row < 0:
            return 0.0
        return float(self.s[row, slot]) * math.exp(-self.decay * (week - float(self.t[row, slot])))

    def best_strengths(self, people: np.ndarray, week: float) -> np.ndarray:
        """The strongest relationship anyone at the supplier has with each of ``people`` (0 for none)."""
        return self.best_strengths_at(self.rows(np.asarray(people, dtype=np.int64)), week)

    def best_strengths_at(self, rows: np.ndarray, week: float) -> np.ndarray:
        """:meth:`best_strengths` of the people in ``rows`` (rows from :meth:`rows`)."""
        self.flush()
        return np.exp(self.top.take(rows) - self.decay * week)  # the method: np.take only forwards to it

    def best_strength(self, person: int, week: float) -> float:
        """The strongest relationship anyone has with ``person`` (on either end)."""
        ties = self.neighbours(person, week)
        return max(ties.values()) if ties else 0.0

    def neighbours(self, person: int, week: float) -> dict[int, float]:
        """Everyone ``person`` has a relationship with, and its current strength.

        Reads one row (and, for staff, the rows of the people they know), so a
        view that needs a few people's ties need not build the whole
        :attr:`graph` (tens of thousands of nodes).
        """
        self.flush()
        decay = self.decay
        out: dict[int, float] = {}
        row = self._row(person)
        if row >= 0:
            for k in range(int(self.used[row])):
                out[int(self.staff[row, k])] = float(self.s[row, k]) * math.exp(-decay * (week - float(self.t[row, k])))
        for r in sorted(self.known_by.get(person, ())):
            k = int(np.flatnonzero(self.staff[r, : self.used[r]] == person)[0])
            out[self.id_of[r]] = float(self.s[r, k]) * math.exp(-decay * (week - float(self.t[r, k])))
        return out

    def people_known_by(self, staff: int, by_row: bool = True) -> list[int]:
        """Ids of the client-side people ``staff`` has a relationship with (pruned ones excluded), by row.

        ``by_row=False`` leaves them in no set order, for a caller that sorts them its own way.
        """
        self.flush()
        id_of = self.id_of
        known = self.known_by.get(staff, ())
        return [id_of[r] for r in (sorted(known) if by_row else known)]

    def ties_among(self, staff: int, rows: np.ndarray, week: float) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``rows`` ``staff`` has a relationship with: their places in ``rows`` (ascending) and current strengths.

        The strengths :meth:`strengths_at` gives there (the same product, element
        by element), for a caller that wants only the ties: the rows' slots are
        searched in one flat comparison, whose positions give each tie's row and
        slot (a staff member holds one slot of a row), not a match and an
        ``argmax`` per row, which for a few thousand rows four slots wide cost
        several times more.
        """
        self.flush()
        if self._widest == 0 or not rows.size:  # no relationship yet
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        k = self.staff.shape[1]
        at = np.flatnonzero(self.staff.take(rows, axis=0) == staff)  # take (of whole rows): see _find
        where = at // k
        at += (rows.take(where) - where) * k  # the ties' positions in the flattened columns
        return where, self.s.reshape(-1).take(at) * np.exp(-self.decay * (week - self.t.reshape(-1).take(at)))

    # --- other changes -------------------------------------------------------------------------------
    def set_strength(self, staff: int, person: int, strength: float, week: float) -> None:
        """Start a relationship at a given strength (used by handovers); never weakens one."""
        self.set_strengths(staff, self.rows(np.asarray([person], dtype=np.int64)), np.asarray([strength]), week)

    def prune(self, week: float, staff: Iterable[int], below: float = 0.01) -> int:
        """Drop relationships of ``staff`` that have decayed below ``below``; returns how many.

        Works on the whole table at once: every relationship is found by one
        scan of the flattened staff column (the slots beyond a row's last in
        use hold -1; a scan of a two-dimensional slice costs several times
        more), and only the rows that lose someone are rearranged, the
        surviving relationships moving to the row's front in their order.
        """
        self.flush()
        n = len(self.id_of)
        if n == 0 or self._widest == 0:
            return 0
        ids = np.fromiter(staff, dtype=np.int64)
        k = self.staff.shape[1]
        at = np.flatnonzero(self.staff[:n].reshape(-1) >= 0)  # every relationship's position, row by row
        current = np.take(self.s, at) * np.exp(-self.decay * (week - np.take(self.t, at)))
        faded = at[current < below]
        gone = np.take(self.staff, faded)
        dead = faded[np.isin(gone, ids)]
        dropped = int(dead.size)
        if not dropped:
            return 0
        rows = dead // k  # ascending, as the scan found them
        slots = dead - rows * k
        self._known_by = None
        first = np.empty(rows.size, dtype=bool)  # the first relationship dropped of each row
        first[0] = True
        np.not_equal(rows[1:], rows[:-1], out=first[1:])
        touched = rows[first]  # only rows that lose someone are rearranged
        local = np.cumsum(first) - 1
        staff_at = self.staff.take(touched, axis=0)  # take (of whole rows): several times faster than fancy indexing
        keep = staff_at >= 0
        keep[local, slots] = False
        # kept slots first, in their order: each slot's key (dropped or empty after kept, then by slot) is distinct
        # within its row, so any sort gives this order, and a small integer key sorts faster than a stable sort
        small = np.int16 if 2 * k <= np.iinfo(np.int16).max else np.int64
        order = ((~keep).astype(small) * small(k) + np.arange(k, dtype=small)).argsort(axis=1)
        # the rows rearranged by flat positions, one ``take`` a column: into the touched rows' block for the columns
        # read already, into the whole table for the strengths and weeks (``take_along_axis`` builds an index of its
        # own per call, and the table's rows would first be gathered)
        within = order + np.arange(0, order.size, k)[:, None]
        kept = keep.take(within)
        staff_at = np.where(kept, staff_at.take(within), -1)
        at_table = order + (touched * k)[:, None]
        s_at = self.s.take(at_table)
        t_at = self.t.take(at_table)
        self.staff[touched] = staff_at
        self.s[touched] = s_at
        self.t[touched] = t_at
        self.used[touched] = keep.sum(axis=1)
        self._widest = int(self.used[:n].max())
        self._recompute_top(touched, staff_at, s_at, t_at)
        return dropped

    # --- views ---------------------------------------------------------------------------------------
    def _edges(self) -> tuple[list[int], list[int], np.ndarray, np.ndarray]:
        """Every relationship as (client-side id, staff id, stored strength, week)."""
        self.flush()
        n = len(self.id_of)
        rows, slots = np.nonzero(self.staff[:n] >= 0)
        ids = np.asarray(self.id_of, dtype=np.int64)
        return ids[rows].tolist(), self.staff[rows, slots].tolist(), self.s[rows, slots], self.t[rows, slots]

    @property
    def graph(self) -> nx.Graph:
        """A networkx graph of everyone, each edge with its stored strength ``s`` and week ``t``.

        Built on each access (all people are nodes, with the attributes given
        to :meth:`add_people`), so keep the result rather than reading this
        attribute in a loop. Strengths are as last touched; :meth:`snapshot`
        gives current ones.
        """
        g = nx.Graph()
        for ids, attrs in self._people:
            g.add_nodes_from(ids, **attrs)
        people, staff, s, t = self._edges()
        g.add_edges_from((a, b, {"s": si, "t": ti}) for a, b, si, ti in zip(people, staff, s.tolist(), t.tolist(), strict=True))
        return g

    def snapshot(self, week: float) -> nx.Graph:
        """A networkx graph whose edges carry the current strength as ``weight`` (for views)."""
        g = self.graph
        for _, _, d in g.edges(data=True):
            d["weight"] = d["s"] * math.exp(-self.decay * (week - d["t"]))
        return g

    def number_of_relationships(self) -> int:
        """How many relationships exist (pruned ones excluded; booked contacts applied first)."""
        self.flush()
        return int(self.used.sum())

    # --- a restructuring's or a leaver's many handovers: their relationships carried over in one call -----------
    def carry_strengths(self, givers: np.ndarray, receivers: np.ndarray, rows: np.ndarray, share: float, week: float) -> None:
        """Each ``receivers[i]`` starts with ``share`` times ``givers[i]``'s current strength with ``rows[i]``.

        What :meth:`strengths_at` and then :meth:`set_strengths` give pair by
        pair (a stronger existing relationship is kept), in one read and one
        write for a restructuring's thousands of handovers: both take a staff
        id per row as well as one for all (:meth:`_find`, :meth:`_slots_for`).
        ``rows`` must be distinct (each person is in one buying centre, and
        each client moves once): then no pair's write is another's read, and
        every value is computed element by element as pair by pair.
        """
        values = share * self.strengths_at(givers, rows, week)  # the contacts booked are applied here
        keep = values > 0.0
        rows = rows[keep]
        order = rows.argsort(kind="stable")  # set_strengths' order: by row
        rows = rows[order]
        if rows.size:
            self._raise_sorted(receivers[keep][order], rows, values[keep][order], week)


def _rows_by_staff(staff: np.ndarray, rows: np.ndarray) -> Iterator[tuple[int, list[int]]]:
    """Each staff id in ``staff`` (ascending) with its ``rows``, in their order, as a list.

    One stable sort and one ``tolist``, then a slice per staff member: a
    numpy split would make an array per staff member, and a list of it again.
    """
    if not staff.size:
        return
    order = staff.argsort(kind="stable")
    staff = staff[order]
    listed = rows[order].tolist()
    ends = np.flatnonzero(staff[1:] != staff[:-1]) + 1
    cuts = [0, *ends.tolist(), len(listed)]
    for sid, a, b in zip(staff[cuts[:-1]].tolist(), cuts[:-1], cuts[1:], strict=True):
        yield sid, listed[a:b]


def _widened(table: np.ndarray, k: int, empty: float) -> np.ndarray:
    """``table`` with its rows ``k`` wide, the new slots set to ``empty``.

    Filled in place in a new array: no block of new slots is made first and
    then joined (as ``hstack`` would), which at a hundred thousand companies
    was a second copy of the table's new part, at the run's peak of memory.
    """
    n, old = table.shape
    out = np.empty((n, k), dtype=table.dtype)
    out[:, :old] = table
    out[:, old:] = empty
    return out
