"""The relationship network: who at the supplier knows whom at the client.

Nodes are people (Mesa agents' ``unique_id``): staff and client-side people.
An edge is a working relationship with a strength in [0, 1] that grows with
hours spent together, ``s' = 1 - (1 - s) exp(-g h)``, and decays without
contact with a fixed half-life. Decay is applied lazily: an edge stores its
strength and the week it was last touched, and the current strength is
computed when someone asks. So a relationship nobody uses costs nothing per
week, which keeps thousands of client-side people passive.

Storage is compact because the model reads and writes relationships
thousands of times a week: each person who has any relationship has a row
``{other person: Tie(strength, week)}``, and both ends share the one small
:class:`Tie`. People without relationships (most of the market) take no
storage beyond their id in the list of people. A networkx graph of the same
people and relationships is built on demand for views, drawing and analysis:
:meth:`RelationshipNetwork.snapshot` (current strengths) and
:attr:`RelationshipNetwork.graph` (stored strengths).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx

#: the row of someone without relationships (read only; never stored in the network)
_NO_TIES: dict[int, Tie] = {}


class Tie:
    """One relationship: its strength ``s`` when last touched and that week ``t`` (shared by both ends)."""

    __slots__ = ("s", "t")

    def __init__(self, s: float, t: float) -> None:
        self.s = s
        self.t = t


class RelationshipNetwork:
    """People and their lazily decaying relationship strengths.

    Args:
        half_life_weeks: weeks for an untouched relationship to halve.
        gain_per_hour: ``g`` in the growth rule above.

    """

    def __init__(self, half_life_weeks: float, gain_per_hour: float) -> None:
        self.decay = math.log(2.0) / half_life_weeks
        self.gain = gain_per_hour
        self._people: list[tuple[list[int], dict[str, object]]] = []  # ids and their node attributes, per call
        #: person -> {other person: [strength, week last touched]}; the hot paths read it directly
        self.ties: dict[int, dict[int, Tie]] = {}

    def add_people(self, ids: Iterable[int], **attrs: object) -> None:
        """Add people as nodes (attributes like role are for views and analysis)."""
        self._people.append((list(ids), attrs))

    def strength(self, a: int, b: int, week: float) -> float:
        """Current strength between ``a`` and ``b`` (0 if they never met)."""
        row = self.ties.get(a)
        tie = row.get(b) if row is not None else None
        if tie is None:
            return 0.0
        return tie.s * math.exp(-self.decay * (week - tie.t))

    def _new_tie(self, a: int, b: int, week: float) -> Tie:
        """An edge of strength 0 between ``a`` and ``b``, stored in both rows."""
        tie = Tie(0.0, week)
        ties = self.ties
        for x, y in ((a, b), (b, a)):
            row = ties.get(x)
            if row is None:
                ties[x] = {y: tie}
            else:
                row[y] = tie
        return tie

    def invest(self, staff: int, person: int, hours: float, week: float, skill: float = 1.0) -> None:
        """Spend ``hours`` with a person: the relationship grows."""
        if hours <= 0.0:
            return
        row = self.ties.get(staff)
        tie = row.get(person) if row is not None else None
        if tie is None:
            tie = self._new_tie(staff, person, week)
            s = 0.0
        else:
            s = tie.s
            t = tie.t
            if t != week:
                s *= math.exp(-self.decay * (week - t))
        tie.s = 1.0 - (1.0 - s) * math.exp(-self.gain * hours * skill)
        tie.t = week

    def invest_many(self, staff: int, visits: list[tuple[int, float]], week: float, skill: float = 1.0) -> None:
        """Spend hours with several people, in order: :meth:`invest` for each ``(person, hours)``.

        One call for a whole week's contacts of one person (servicing a
        portfolio, meeting buying centres): the weekly work books tens of
        thousands of contacts, and a call per contact was a fifth of the run.
        A week's contacts mostly repeat the same hours (a buying centre's
        share) and the same weeks since the last contact, so the last growth
        and decay factors are kept and reused while their inputs repeat (the
        same inputs give the same factor: the result is the same).
        """
        ties = self.ties
        decay = self.decay
        gain = self.gain
        exp = math.exp
        row = ties.get(staff)
        get = row.get if row is not None else _NO_TIES.get  # the staff row's lookup (an empty one until a first tie)
        last_hours = last_gap = -1.0  # no factor computed yet (hours and gaps used are > 0)
        grow = fade = 1.0
        for person, hours in visits:
            if hours <= 0.0:
                continue
            tie = get(person)
            if tie is None:
                tie = self._new_tie(staff, person, week)
                get = ties[staff].get
                s = 0.0
            else:
                s = tie.s
                t = tie.t
                if t != week:
                    gap = week - t
                    if gap != last_gap:
                        fade = exp(-decay * gap)
                        last_gap = gap
                    s *= fade
            if hours != last_hours:
                grow = exp(-gain * hours * skill)
                last_hours = hours
            tie.s = 1.0 - (1.0 - s) * grow
            tie.t = week

    def set_strength(self, staff: int, person: int, strength: float, week: float) -> None:
        """Start a relationship at a given strength (used by handovers)."""
        if strength <= 0.0:
            return
        current = self.strength(staff, person, week)
        row = self.ties.get(staff)
        tie = row.get(person) if row is not None else None
        if tie is None:
            tie = self._new_tie(staff, person, week)
        tie.s = max(current, min(1.0, strength))
        tie.t = week

    def neighbours(self, person: int, week: float) -> dict[int, float]:
        """Everyone ``person`` has a relationship with, and its current strength.

        Reads one row of the store, so a view that needs a few people's ties
        need not build the whole :attr:`graph` (tens of thousands of nodes).
        """
        row = self.ties.get(person)
        if row is None:
            return {}
        decay = self.decay
        return {other: tie.s * math.exp(-decay * (week - tie.t)) for other, tie in row.items()}

    def best_strength(self, person: int, week: float) -> float:
        """The strongest relationship anyone at the supplier has with ``person``."""
        row = self.ties.get(person)
        if row is None:
            return 0.0
        best = 0.0
        decay = self.decay
        for tie in row.values():
            s = tie.s
            if s <= best:  # decay only lowers it (ties are touched at or before ``week``): it cannot win
                continue
            t = tie.t
            if t != week:
                s *= math.exp(-decay * (week - t))
            if s > best:
                best = s
        return best

    def prune(self, week: float, staff: Iterable[int], below: float = 0.01) -> int:
        """Drop relationships of ``staff`` that have decayed to nothing; returns how many.

        Every relationship has a staff end, so walking the staff rows finds them
        all without touching the thousands of client-side people. A client-side
        person left without relationships loses their row.
        """
        decay = self.decay
        ties = self.ties
        exp = math.exp
        last_gap = fade = -1.0  # the last decay factor and its gap (many ties were last touched the same week)
        dropped = 0
        for a in staff:
            row = ties.get(a)
            if not row:
                continue
            dead = []
            for b, tie in row.items():
                s = tie.s
                if s >= below:  # else it is below already: decay only lowers it
                    gap = week - tie.t
                    if gap != last_gap:
                        fade = exp(-decay * gap)
                        last_gap = gap
                    s *= fade
                if s < below:
                    dead.append(b)
            for b in dead:
                del row[b]
                other = ties[b]
                del other[a]
                if not other:
                    del ties[b]
            dropped += len(dead)
        return dropped

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
        g.add_edges_from((a, b, {"s": tie.s, "t": tie.t}) for a, row in self.ties.items() for b, tie in row.items() if a < b)
        return g

    def snapshot(self, week: float) -> nx.Graph:
        """A networkx graph whose edges carry the current strength as ``weight`` (for views)."""
        g = self.graph
        for _, _, d in g.edges(data=True):
            d["weight"] = d["s"] * math.exp(-self.decay * (week - d["t"]))
        return g

    def number_of_relationships(self) -> int:
        """How many relationships exist (pruned ones excluded)."""
        return sum(len(row) for row in self.ties.values()) // 2
