"""The resolved experiment file written to ``DIR/experiment.toml``.

It is an ordinary experiment file that reads back to an equal experiment,
with every scenario the runs use written out in full under
``[scenarios.NAME]`` (every key, including the defaults). So the folder alone
says exactly what ran and repeats it, even after built-in scenarios, files or
defaults change.
"""

from __future__ import annotations

import re
from typing import Any

from orgmodel import __version__
from orgmodel.experiments.spec import Experiment
from orgmodel.scenario.files import toml_value

#: the header's first line names the file the experiment was read from, if any
_HEADER = re.compile(r"^# orgmodel experiment .*, resolved by orgmodel \S+ from (?P<source>.+)\.$")
_TOP = ("name", "description", "question", "scenario", "years", "replications", "seed", "common_random_numbers", "keep")


def _key(key: str) -> str:
    """A TOML key, bare if it can be."""
    if key and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in key):
        return key
    return toml_value(key)


def _value(value: Any) -> str:
    """A TOML value: scalars, lists of scalars and flat inline tables."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    return toml_value(value)


def dump_experiment_toml(exp: Experiment) -> str:
    """The experiment as a self-contained TOML file (see the module docstring)."""
    data = exp.model_dump(exclude_none=True)
    source = f" from {exp.source}" if exp.source else ""
    lines = [
        f"# orgmodel experiment '{exp.name}', resolved by orgmodel {__version__}{source}.",
        "# Every scenario the runs use is written out in full under [scenarios.NAME], so this file",
        "# alone repeats the experiment: orgmodel experiment run <this file> --out <new folder>",
        "",
    ]
    lines += [f"{key} = {_value(data[key])}" for key in _TOP if key in data]
    if exp.outcomes:
        lines.append(f"outcomes = {_value(list(exp.outcomes))}")
    if exp.criterion:
        lines.append(f"criterion = {_value(exp.criterion)}")
    lines.append("")
    if exp.set:
        lines.append("[set]")
        lines += [f"{_key(k)} = {_value(v)}" for k, v in exp.set.items()]
        lines.append("")
    if exp.factors:
        lines.append("[factors]")
        for key, spec in data["factors"].items():
            if isinstance(spec, dict):
                spec = {k: v for k, v in spec.items() if v is not None}
            lines.append(f"{_key(key)} = {_value(spec)}")
        lines.append("")
    lines.append("[design]")
    lines += [f"{k} = {_value(v)}" for k, v in data["design"].items()]
    lines.append("")
    if exp.dask.scheduler is not None:
        lines += ["[dask]", f"scheduler = {_value(exp.dask.scheduler)}", ""]
    for ref, values in exp.scenarios.items():
        lines.append(f"[scenarios.{_key(ref)}]")
        lines += [f"{_key(k)} = {_value(v)}" for k, v in values.items() if k != "interventions" and v is not None]
        lines.append("")
        for item in values.get("interventions", []):
            lines.append(f"[[scenarios.{_key(ref)}.interventions]]")
            lines.append(f"week = {_value(item['week'])}")
            lines.append(f"note = {_value(item['note'])}")
            lines.append(f"[scenarios.{_key(ref)}.interventions.set]")
            lines += [f"{_key(k)} = {_value(v)}" for k, v in item["set"].items()]
            lines.append("")
    return "\n".join(lines)


def original_source(text: str) -> str | None:
    """The experiment file a resolved file came from, as its header names it (None if built in code)."""
    match = _HEADER.match(text.split("\n", 1)[0])
    return match.group("source") if match else None


__all__ = ["dump_experiment_toml", "original_source"]
