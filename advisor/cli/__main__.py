"""`python -m advisor.cli ...` runs `advise ...`."""

from advisor.cli.app import main

main()
