"""The `advise` group: `advise DATA.csv ...` runs the default command (`run`), and the
subcommands sit beside it."""

from __future__ import annotations

import click

from advisor.cli.cache import cache
from advisor.cli.check import check
from advisor.cli.run import run
from advisor.cli.show import profile, report, rules

DEFAULT_COMMAND = run.name


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to the default
    command: `advise data.csv` means `advise run data.csv`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [str(DEFAULT_COMMAND), *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("advise", "DATA.csv [OPTIONS]\n       advise COMMAND [ARGS]...")


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=False,
)
@click.version_option(package_name="normalization-advisor", prog_name="advise")
def main() -> None:
    """Advise, with evidence, how to scale each feature of a tabular dataset and which
    normalization to put inside the network.

    \b
    advise data.csv                      profile and propose (no validation)
    advise data.csv --target price       ... and validate by cross-validated search
    advise data.csv -t label --json advice.json
    """


for command in (run, report, check, profile, rules, cache):
    main.add_command(command)
