"""Validated inputs: the scenario schema, TOML files and built-in scenarios."""

from orgmodel.scenario.files import ScenarioError, dump_scenario_toml, load_scenario
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Scenario

__all__ = ["WEEKS_PER_YEAR", "Scenario", "ScenarioError", "dump_scenario_toml", "load_scenario"]
