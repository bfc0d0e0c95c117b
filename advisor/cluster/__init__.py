"""The Dask path (the ``[dask]`` extra): data spread over files and machines.

In: a path (a file, directory or glob) and a cluster address. Out: the profile of every
row, merged from per-partition summaries on the workers, and a seeded sample of rows for
the search and the fit; `advise` and `advise check` use the same flow.
"""
