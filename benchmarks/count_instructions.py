"""How the model's work grows with its size, in CPU instructions rather than seconds.

Run from the repository root (needs valgrind; about 25 minutes on 2 cores)::

    python benchmarks/count_instructions.py            # reference, middle and large
    python benchmarks/count_instructions.py --quick    # without the large scenario

Wall and CPU times (``bench_core.py``) mix two things: how much work the model
does and how long the processor waits for memory, which grows once the
model's data no longer fit in the caches and depends on what else the
machine runs. Instructions executed, counted by valgrind's cachegrind, are
the first alone and are the same on every run: if they grow in proportion to
the size, the model's algorithms scale linearly, and whatever the timings add
beyond that is the memory hierarchy. Each scenario is counted in a fresh
interpreter that builds and runs the model (seed 1) and exits without
tearing it down; the interpreter's start and imports, counted once the same
way, are subtracted. Results go to ``benchmarks/results/instructions.json``.

A count repeats to about a thousand instructions only with three things
fixed, which every counted interpreter gets here: the string hash seed
(``PYTHONHASHSEED=0``: sets and dicts of strings iterate in another order
under another seed, up to 150 M instructions apart), OpenBLAS's threads
(one: idle threads spinning in wait were counted, up to 180 M apart) and
address-space randomisation (off, with ``setarch -R`` where it exists).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "instructions.json"
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_core import LARGE, MIDDLE, REFERENCE, environment  # noqa: E402  (the same pinned sizes)

SEED = 1


def count_worker(spec: dict[str, Any]) -> None:
    """Import the model, optionally build and run it, and exit at once (no teardown to count)."""
    sys.path.insert(0, str(ROOT))
    from orgmodel.model.model import SalesOrgModel

    if spec["params"] is not None:
        model = SalesOrgModel(rng=SEED, **spec["params"])
        model.run_until(model.cfg.weeks)
    sys.stdout.flush()
    os._exit(0)


def _repeatable_env() -> dict[str, str]:
    """This environment with the hash seed and the numeric libraries' threads fixed (see the module doc)."""
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**os.environ, "PYTHONHASHSEED": "0", **threads}


def instructions(valgrind: str, params: dict[str, Any] | None) -> int:
    """Instructions valgrind counts for one fresh interpreter doing ``count_worker``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cachegrind.out"
        spec = json.dumps({"params": params})
        cmd = [valgrind, "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}"]
        setarch = shutil.which("setarch")
        fixed = [setarch, platform.machine(), "-R"] if setarch else []  # no address-space randomisation
        proc = subprocess.run(
            [*fixed, *cmd, sys.executable, str(Path(__file__).resolve()), "--count", spec],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=_repeatable_env(),
            check=False,
        )
        if proc.returncode != 0 or not out.exists():
            sys.stderr.write(proc.stderr[-2000:])
            raise SystemExit(f"valgrind run failed: {spec}")
        for line in out.read_text().splitlines():
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit("no summary line in valgrind's output")


def main(argv: list[str] | None = None) -> int:
    """Count, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the large scenario (its count takes about 20 minutes)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    ap.add_argument("--count", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.count:
        count_worker(json.loads(args.count))
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("error: valgrind is not installed (it counts the instructions)", file=sys.stderr)
        return 2

    plan = [("reference", REFERENCE), ("middle", MIDDLE)] + ([] if args.quick else [("large", LARGE)])
    print(f"counting instructions with {valgrind} (seed {SEED}) ...", flush=True)
    base = instructions(valgrind, None)
    counts: dict[str, Any] = {}
    for name, params in plan:
        print(f"  {name} ...", flush=True)
        counts[name] = {"params": params, "instructions": instructions(valgrind, params) - base}
    ref = counts["reference"]
    print()
    print(f"{'scenario':10s} {'size x':>7s} {'instructions':>16s} {'instr. x':>9s} {'instr. x / size x':>18s}")
    for name, c in counts.items():
        size_x = c["params"]["market_size"] / ref["params"]["market_size"]
        c["size_x"] = size_x
        c["instructions_x"] = c["instructions"] / ref["instructions"]
        c["instructions_x_over_size_x"] = c["instructions_x"] / size_x
        ratio = c["instructions_x_over_size_x"]
        print(f"{name:10s} {size_x:7.1f} {c['instructions']:16,d} {c['instructions_x']:9.2f} {ratio:18.2f}")
    print("(instructions for construction and the 10-year run, the interpreter's start and imports subtracted)")
    result = {
        "environment": environment(),
        "seed": SEED,
        "imports_instructions": base,
        "scenarios": counts,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
