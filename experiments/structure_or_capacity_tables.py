"""Print the README's "Structure or capacity?" tables from the experiment stores.

Run the four experiments (each writes ``out/<name>/``), then this script::

    orgmodel experiment run experiments/structure_or_capacity.toml
    orgmodel experiment run experiments/structure_or_capacity_mechanisms.toml
    orgmodel experiment run experiments/structure_or_capacity_conditions.toml
    orgmodel experiment run experiments/acquisition_share.toml
    python experiments/structure_or_capacity_tables.py [OUT]   # OUT: the folder holding the stores, default out

The tables come from :func:`orgmodel.analysis.structure_or_capacity.readme_tables`:
means over each cell's stored replications, money in millions.
"""

from __future__ import annotations

import sys
from pathlib import Path

from orgmodel.analysis.structure_or_capacity import readme_tables
from orgmodel.experiments import StoreError


def main(argv: list[str]) -> int:
    """Print the tables; a missing or unreadable store is one line on stderr and exit code 2."""
    if len(argv) > 1:
        sys.stderr.write("usage: python experiments/structure_or_capacity_tables.py [OUT]\n")
        return 2
    out = Path(argv[0]) if argv else Path("out")
    try:
        sys.stdout.write(readme_tables(out))
    except StoreError as exc:
        sys.stderr.write(f"{exc} (run the experiments first; see this script's docstring)\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
