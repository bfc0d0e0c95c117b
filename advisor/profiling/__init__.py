"""Profiling: every column's distribution statistics and tests, as plain numbers and flags.

In: a `Table`, an Arrow table or a file (streamed when larger than memory).
Out: a `DatasetProfile` of `FeatureProfile`s (see docs/profiler.md).
"""
