"""The activities a person's client-facing hours go to.

Kept as plain integer indices (not an Enum) because they index the weekly
hour tallies on the hot path.
"""

PROSPECTING = 0
PIPELINE = 1
IMPLEMENTATION = 2
SERVICING = 3
CROSS_SELL = 4
RELATIONSHIP = 5
HANDOVER = 6
IDLE = 7

ACTIVITIES: tuple[str, ...] = (
    "prospecting",
    "pipeline",
    "implementation",
    "servicing",
    "cross_sell",
    "relationship",
    "handover",
    "idle",
)
N_ACTIVITIES = len(ACTIVITIES)
HUNTING = (PROSPECTING, PIPELINE)
