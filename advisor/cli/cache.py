"""`advise cache` and `advise cache clear`: where the search keeps its trials, and emptying
it (reruns of the same search reuse them; `advise --no-cache` neither reads nor keeps)."""

from __future__ import annotations

import click


def _search_dir() -> object:
    from advisor.search.cache import cache_dir

    return cache_dir() / "search"


def _size(path: object) -> tuple[int, int]:
    from pathlib import Path

    root = Path(str(path))
    if not root.is_dir():
        return 0, 0
    searches = sum(1 for p in root.iterdir() if p.is_dir())
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return searches, total


@click.group("cache", invoke_without_command=True)
@click.pass_context
def cache(ctx: click.Context) -> None:
    """Show where the search's trials are kept (ADVISOR_CACHE_DIR moves it)."""
    if ctx.invoked_subcommand is None:
        where = _search_dir()
        searches, total = _size(where)
        click.echo(f"{where}: {searches} searches, {total / 1e6:.1f} MB")


@cache.command("clear")
def clear() -> None:
    """Delete every kept search (the next run of each trains afresh)."""
    import shutil
    from pathlib import Path

    where = Path(str(_search_dir()))
    searches, total = _size(where)
    if where.is_dir():
        shutil.rmtree(where)
    click.echo(f"removed {searches} searches ({total / 1e6:.1f} MB) from {where}")
