"""The relationship network: who at the supplier knows whom at the client.

Nodes are people (Mesa agents' ``unique_id``): staff and client-side people.
An edge is a working relationship with a strength in [0, 1] that grows with
hours spent together, ``s' = 1 - (1 - s) exp(-g h)``, and decays without
contact with a fixed half-life. Decay is applied lazily: an edge stores its
strength and the week it was last touched, and the current strength is
computed when someone asks. So a relationship nobody uses costs nothing per
week, which keeps thousands of client-side people passive.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx


class RelationshipNetwork:
    """A networkx graph of people with lazily decaying relationship strengths.

    Args:
        half_life_weeks: weeks for an untouched relationship to halve.
        gain_per_hour: ``g`` in the growth rule above.

    """

    def __init__(self, half_life_weeks: float, gain_per_hour: float) -> None:
        self.graph = nx.Graph()
        self.decay = math.log(2.0) / half_life_weeks
        self.gain = gain_per_hour
        self._adj = self.graph._adj  # read-only fast path to the adjacency dicts

    def add_people(self, ids: Iterable[int], **attrs: object) -> None:
        """Add people as nodes (attributes like role are for views and analysis)."""
        self.graph.add_nodes_from(ids, **attrs)

    def strength(self, a: int, b: int, week: float) -> float:
        """Current strength between ``a`` and ``b`` (0 if they never met)."""
        d = self._adj[a].get(b)
        if d is None:
            return 0.0
        return d["s"] * math.exp(-self.decay * (week - d["t"]))

    def invest(self, staff: int, person: int, hours: float, week: float, skill: float = 1.0) -> None:
        """Spend ``hours`` with a person: the relationship grows."""
        if hours <= 0.0:
            return
        row = self._adj[staff]
        d = row.get(person)
        if d is None:
            d = {"s": 0.0, "t": week}
            row[person] = d
            self._adj[person][staff] = d  # networkx shares one data dict between both directions
            s = 0.0
        else:
            t = d["t"]
            s = d["s"] if t == week else d["s"] * math.exp(-self.decay * (week - t))
        d["s"] = 1.0 - (1.0 - s) * math.exp(-self.gain * hours * skill)
        d["t"] = week

    def set_strength(self, staff: int, person: int, strength: float, week: float) -> None:
        """Start a relationship at a given strength (used by handovers)."""
        if strength <= 0.0:
            return
        current = self.strength(staff, person, week)
        self.graph.add_edge(staff, person, s=max(current, min(1.0, strength)), t=week)

    def best_strength(self, person: int, week: float) -> float:
        """The strongest relationship anyone at the supplier has with ``person``."""
        best = 0.0
        decay = self.decay
        for d in self._adj[person].values():
            t = d["t"]
            s = d["s"] if t == week else d["s"] * math.exp(-decay * (week - t))
            if s > best:
                best = s
        return best

    def prune(self, week: float, staff: Iterable[int], below: float = 0.01) -> int:
        """Drop relationships of ``staff`` that have decayed to nothing; returns how many.

        Every relationship has a staff end, so walking the staff rows finds them
        all without touching the thousands of client-side nodes.
        """
        decay = self.decay
        dead = [(a, b) for a in staff for b, d in self._adj[a].items() if d["s"] * math.exp(-decay * (week - d["t"])) < below]
        self.graph.remove_edges_from(dead)
        return len(dead)

    def snapshot(self, week: float) -> nx.Graph:
        """A copy whose edges carry the current strength as ``weight`` (for views)."""
        g = self.graph.copy()
        for _, _, d in g.edges(data=True):
            d["weight"] = d["s"] * math.exp(-self.decay * (week - d["t"]))
        return g
