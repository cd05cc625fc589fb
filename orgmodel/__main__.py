"""``python -m orgmodel``: the command line."""

from orgmodel.cli import main

main()
