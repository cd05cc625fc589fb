"""orgmodel: agent-based models of B2B sales organisations."""

__version__ = "0.1.0"

from orgmodel.model import SalesOrgModel
from orgmodel.scenario import Scenario
from orgmodel.simulate import SimulationResult, simulate

__all__ = ["SalesOrgModel", "Scenario", "SimulationResult", "__version__", "simulate"]
