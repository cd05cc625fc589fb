"""The agent-based model: agents, the relationship network, the week."""

from orgmodel.model.model import SalesOrgModel

__all__ = ["SalesOrgModel"]
