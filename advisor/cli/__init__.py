"""The `advise` command: a thin shell over the Python API (parse, call, print).

`advise DATA.csv ...` runs the default command; subcommands sit beside it in a click
group (`advisor.cli.app`). Nothing heavy is imported at module level, so `advise --help`
never loads TensorFlow, numpy or scikit-learn.
"""

from __future__ import annotations

from advisor.cli.app import main

__all__ = ["main"]
