"""Input: files and in-memory data become a validated `Table`.

In: a CSV (plain or gzip) or Parquet path, a DataFrame, an array or an ``(X, y)`` pair.
Out: a `Table` (features, target, task, column roles) or one-line `InputError`s; also
atomic file output and seeded row samples.
"""
