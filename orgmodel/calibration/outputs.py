"""What a calibration writes: the calibrated scenario (commented key by key) and calibration.json.

``OUT/scenario.toml`` is an ordinary scenario file (``orgmodel run`` takes it);
above each key a ``# calibration:`` line says whether the value was estimated
from the data (and by which rule, with its interval), fitted by simulation
(with its interval and whether the data pins it down), or left at its default
(and, where the data could have shown it, why it did not).
``OUT/calibration.json`` holds the same for every key and every target.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from orgmodel.calibration.fit import DELTA, HISTORY
from orgmodel.calibration.run import CalibrationResult
from orgmodel.calibration.targets import TARGETS, window_years
from orgmodel.scenario.files import dump_scenario_toml
from orgmodel.scenario.schema import WEEKS_PER_YEAR, Scenario


def _num(x: float) -> str:
    return f"{x:.4g}"


def key_sources(result: CalibrationResult) -> dict[str, dict[str, Any]]:
    """Every scenario key (and the history years): value, interval, source and how it was set."""
    fitted = {p.key: p for p in result.parameters}
    values = result.scenario.model_dump()
    out: dict[str, dict[str, Any]] = {}
    for key in Scenario.model_fields:
        if key == "interventions":
            continue
        entry: dict[str, Any] = {"value": values[key], "interval": None}
        if key in result.estimates:
            e = result.estimates[key]
            entry.update(source="estimated", rule=e.rule, interval=list(e.interval) if e.interval else None)
        elif key in fitted:
            p = fitted[key]
            entry.update(
                source="fitted",
                interval=[p.low, p.high],
                range=list(p.range),
                identified=p.identified,
                interval_share_of_range=round(p.width_share, 3),
                what=p.what,
            )
        elif key in result.defaults:
            entry.update(source="default", rule="not fitted in this calibration (left at the base scenario's value)")
        elif key in result.not_estimated:
            entry.update(source="default", rule=f"the data cannot show it: {result.not_estimated[key]}")
        elif key in ("years", "calibrated_from", "name", "description"):
            entry.update(source="calibration", rule="set by the calibration")
        else:
            entry.update(source="default", rule="not calibrated (literature default or assumption, docs/parameters.md)")
        out[key] = entry
    if HISTORY in fitted:
        p = fitted[HISTORY]
        out[HISTORY] = {
            "value": result.history_years,
            "interval": [p.low, p.high],
            "source": "fitted",
            "identified": p.identified,
            "what": p.what + " (not a scenario key: the run starts this many years before the export)",
        }
    return out


def _comment(entry: dict[str, Any]) -> str:
    source = entry["source"]
    interval = entry.get("interval")
    span = f", 95% interval {_num(interval[0])} to {_num(interval[1])}" if interval else ""
    if source == "estimated":
        return f"# calibration: estimated from the data ({entry['rule']}){span}"
    if source == "fitted":
        pinned = "identified" if entry["identified"] else "NOT identified by the data (interval covers most of the range)"
        return (
            f"# calibration: fitted by simulation, interval {_num(interval[0])} to {_num(interval[1])} "
            f"of range {_num(entry['range'][0])} to {_num(entry['range'][1])}: {pinned}"
        )
    if source == "calibration":
        return "# calibration: set by the calibration"
    return f"# calibration: default ({entry['rule']})"


def scenario_toml(result: CalibrationResult) -> str:
    """The calibrated scenario as a TOML file, each key with its ``# calibration:`` line."""
    text = dump_scenario_toml(result.scenario)
    sources = key_sources(result)
    lines = []
    for line in text.splitlines():
        m = re.match(r"^#? ?([a-z_0-9]+) = ", line)
        if m and m.group(1) in sources:
            lines.append(_comment(sources[m.group(1)]))
        lines.append(line)
    end_week = result.history_years * WEEKS_PER_YEAR + round(window_years(result.window) * WEEKS_PER_YEAR)
    header = [
        f"# Calibrated to: {result.scenario.calibrated_from}",
        f"# The run starts {result.history_years} years before the export's first day (history_years, fitted);",
        f"# the export ends in week {end_week}. To change the organisation from then on (e.g. to hunter_farmer),",
        f"# add [[interventions]] with week = {end_week + 1} and raise years (docs/policies/interventions.md).",
        "# Details: calibration.json and report.html beside this file.",
    ]
    return "\n".join(header + lines) + "\n"


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):
        return _clean(x.item())
    return x


def calibration_json(result: CalibrationResult) -> str:
    """calibration.json: every key (value, interval, source), every target (observed vs simulated), the holdout."""
    targets = {}
    for name, what in TARGETS.items():
        obs = result.observed.get(name, float("nan"))
        sim = result.simulated.get(name, float("nan"))
        scale = result.scales.get(name)
        used = scale is not None
        targets[name] = {
            "what": what,
            "observed": obs,
            "simulated": sim,
            "simulated_sd": result.simulated_sd.get(name, float("nan")),
            "used": used,
            "z": (sim - obs) / scale if used and math.isfinite(sim) else None,
        }
    data = {
        "calibrated_from": result.scenario.calibrated_from,
        "source": result.source,
        "window": [str(result.window[0].date()), str(result.window[1].date())],
        "fit_window": [str(result.fit_window[0].date()), str(result.fit_window[1].date())],
        "history_years": result.history_years,
        "loss": result.best_loss,
        "loss_limit": result.loss_limit,
        "loss_rule": (
            f"sum of squared z over the targets used; intervals: trials and slices with loss up to loss_limit "
            f"(the best plus {DELTA} plus two sd of the seed noise of a loss difference, times the loss per target where above 1)"
        ),
        "trials": len(result.trials),
        "trials_near_best": len(result.near),
        "simulations": result.simulations,
        "seeds": list(result.seeds),
        "parameters": key_sources(result),
        "targets": targets,
        "holdout": result.holdout,
        "not_estimated": result.not_estimated,
    }
    return json.dumps(_clean(data), indent=2)
