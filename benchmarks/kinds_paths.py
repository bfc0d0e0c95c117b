"""Each column's kind on every path, for the generated tricky columns: the table issue 31
started from, printed for any checkout.

The loader of `advise` (the reference), `advise profile --in-memory`, `--streaming` and
`--dask local:2`, on `tests/tricky_columns.py`'s file and its partitioned twin. Run it
with another checkout's advisor first on the path to see that checkout's kinds:

    python benchmarks/kinds_paths.py
    PYTHONPATH=../before python benchmarks/kinds_paths.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tricky_columns import write_tricky

HEADER = (
    "| column | `advise` loader | profile --in-memory | --streaming | --dask local:2 |\n"
    "|---|---|---|---|---|"
)


def _imports():  # type: ignore[no-untyped-def]
    """The functions, wherever the checkout on the path keeps them (before issue 31: in
    `advisor.io` and `advisor.profiling.distributed`)."""
    try:
        from advisor.cluster.connect import connect
        from advisor.cluster.profile import profile_dask
        from advisor.table.load import load_table
    except ImportError:
        from advisor.io.cluster import connect  # type: ignore[no-redef]
        from advisor.io.load import load_table  # type: ignore[no-redef]
        from advisor.profiling.distributed import profile_dask  # type: ignore[no-redef]
    from advisor.profiling.profile import profile_path

    return connect, profile_dask, load_table, profile_path


def main() -> None:
    import advisor

    connect, profile_dask, load_table, profile_path = _imports()
    print(f"advisor from {Path(advisor.__file__).parent}")
    with tempfile.TemporaryDirectory() as work:
        files = write_tricky(Path(work))
        client, close = connect("local:2")
        try:
            for name, path in files.items():
                table = load_table(path)
                aside = dict(table.excluded_kinds)
                loader = {
                    c: "numeric" if c in table.numeric else "categorical"
                    if c in table.categorical else aside.get(c, "?")
                    for c in table.features.columns
                }  # fmt: skip
                paths = [
                    {f.name: f.kind for f in profile_path(path, streaming=False).features},
                    {f.name: f.kind for f in profile_path(path, streaming=True).features},
                    {f.name: f.kind for f in profile_dask(path, client).features},
                ]
                print(f"\n{name}\n")
                print(HEADER)
                for column, kind in loader.items():
                    print(f"| {column} | {kind} | " + " | ".join(p[column] for p in paths) + " |")
        finally:
            close()


if __name__ == "__main__":
    main()
