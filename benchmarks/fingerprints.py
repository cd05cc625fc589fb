"""Fingerprints of the model's runs: is a change to the core exact (the same runs, byte for byte)?

A speed-up that keeps every floating-point operation in its order must give the very same
runs; this script says whether it does, in about a minute. It runs every built-in scenario
and three non-default cases (two seeds each, at most six years) and the CRM event recorder,
and prints one hash per run of its weekly table, staff table and summary. Write the
fingerprints of the commit before a change, then check the changed tree against them::

    python benchmarks/fingerprints.py --write /tmp/before.txt     # on the old commit
    python benchmarks/fingerprints.py --check /tmp/before.txt     # after the change: exit 1 if any run differs

A change that is not meant to be exact (a columnar rewrite, another order of draws) is judged
by ``benchmarks/equivalence.py`` instead: the same distributions, not the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import re
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from orgmodel.model.model import SalesOrgModel  # noqa: E402
from orgmodel.scenario.builtin import load_builtin, names  # noqa: E402
from orgmodel.simulate import simulate  # noqa: E402

#: non-default cases on top of the built-ins: mechanisms the defaults leave off
EXTRA_CASES = {
    "hire_on_revenue": ("status_quo", {"management_response": "hire_on_revenue"}),
    "spoiled": ("status_quo", {"spoiledness": 0.9}),
    "specialisation_all": (
        "status_quo",
        {
            "skills_move": True,
            "scarce_hunting_talent": True,
            "large_deals_need_hunters": True,
            "large_client_care": True,
            "fragmented_weeks": True,
        },
    ),
}
SEEDS = (1, 2)


#: a numpy scalar's repr, np.float64(x) or np.int64(n): the value inside is its Python number's repr
_NUMPY_SCALAR = re.compile(r"np\.(?:float|int)64\(([^()]*)\)")


def _hash(obj: object) -> str:
    return hashlib.sha1(pickle.dumps(obj)).hexdigest()[:12]


def fingerprints(max_years: int = 6) -> dict[str, str]:
    """One hash per run (weekly table, staff table, summary) and one of the CRM event record."""
    cases = {name: (name, {}) for name in names()} | EXTRA_CASES
    out: dict[str, str] = {}
    for name, (builtin, changes) in cases.items():
        scenario = load_builtin(builtin).with_(**changes)
        if scenario.years > max_years:
            scenario = scenario.with_(years=max_years)
        for seed in SEEDS:
            run = simulate(scenario, seed=seed)
            parts = (
                _hash(run.timeseries.to_dict("list")),
                _hash(run.staff.to_dict("list")),
                _hash(json.dumps(run.summary, sort_keys=True, default=str)),
            )
            out[f"{name}/{seed}"] = " ".join(parts)
    model = SalesOrgModel(rng=3, scenario=load_builtin("status_quo").with_(years=2), record_events=True)
    model.run_until(model.cfg.weeks)
    model.recorder.finish()
    rec = model.recorder
    record = repr([rec.opportunities, rec.orders, rec.client_losses, rec.cases, rec.staff, rec.hours])
    # a numpy scalar and the Python number of the same value are one value (what the CRM files hold): numpy 2
    # writes the first as np.float64(x), so the record is compared with the type names taken out
    out["crm_recorder/3"] = _hash(_NUMPY_SCALAR.sub(r"\1", record))
    return out


def _refuse(message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(2)


def read_fingerprints(path: Path) -> dict[str, str]:
    """Fingerprints written by ``--write``; anything else ends the script with one line and exit code 2."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        _refuse(f"--check '{path}': cannot read it ({exc.__class__.__name__}); give a file written by --write")
    pairs = [line.split(" ", 1) for line in lines]
    bad = next((i for i, pair in enumerate(pairs, 1) if len(pair) != 2 or "/" not in pair[0]), None)
    if not pairs or bad is not None:
        where = f"line {bad}" if bad else "it is empty"
        _refuse(f"--check '{path}': not a fingerprints file ({where}); write one with --write on the old commit")
    return dict(pairs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, help="write the fingerprints to this file")
    group.add_argument("--check", type=Path, help="compare with fingerprints written before; exit 1 on a difference")
    ap.add_argument("--years", type=int, default=6, help="longest horizon simulated (default 6)")
    args = ap.parse_args()
    if not 1 <= args.years <= 10:
        _refuse(f"--years {args.years}: give a whole number of years from 1 to 10")
    before = read_fingerprints(args.check) if args.check is not None else {}  # refused before the runs
    if args.write is not None and (args.write.exists() or not args.write.parent.is_dir()):
        problem = "is in a folder that does not exist"
        if args.write.exists():
            problem = "exists; choose another name (fingerprints never replace a file)"
        _refuse(f"--write '{args.write}' {problem}")
    found = fingerprints(args.years)
    lines = [f"{key} {value}" for key, value in found.items()]
    if args.check is None:
        text = "\n".join(lines) + "\n"
        if args.write:
            try:
                with args.write.open("x", encoding="utf-8") as out:  # "x": not even a file made meanwhile is replaced
                    out.write(text)
            except OSError as exc:
                _refuse(f"--write '{args.write}': {exc.strerror or exc}")
            print(f"wrote {len(lines)} fingerprints to {args.write}")
        else:
            print(text, end="")
        return 0
    differ = sorted(k for k in before.keys() | found.keys() if before.get(k) != found.get(k))
    for key in differ:
        print(f"differs: {key}: before {before.get(key, '(none)')}, now {found.get(key, '(none)')}")
    print(f"{len(found) - len(differ)} of {len(found)} runs identical" if differ else f"all {len(found)} runs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
