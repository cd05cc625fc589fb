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
DISCRETIONARY = (PROSPECTING, PIPELINE, CROSS_SELL, RELATIONSHIP)  # what the time-allocation rule shares out

# Limits on how many hours one piece of work absorbs in a week (all assumptions, see docs/ODD.md)
MAX_DEAL_HOURS_PER_WEEK = 4.0  # one deal absorbs at most half a day a week
MAX_PROJECT_HOURS_PER_WEEK = 4.0  # as for deals
MAX_CROSS_SELL_PROJECTS = 3  # concurrent cross-sell projects per person
RELATIONSHIP_CLIENTS_PER_WEEK = 2  # clients one visits beyond service in a week
RELATIONSHIP_HOURS_PER_CLIENT = 3.0  # hours per such visit
