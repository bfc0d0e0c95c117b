"""Input bytes: files become Arrow tables or DataFrames, with one-line errors.

In: a CSV (plain or gzip), Parquet or Excel path, or a directory or glob of partitions.
Out: an Arrow table, batches of one, or a DataFrame (pandas last), with the dialect
sniffed and missing-value markers read as missing; also atomic file output and the seeded
row keys every sample is drawn by.
"""
