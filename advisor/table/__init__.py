"""The table: loaded data becomes a validated `Table` (features, target, task, kinds).

In: a DataFrame read by `advisor.io`, an array or an ``(X, y)`` pair, and a target.
Out: a `Table` whose columns have their kinds (`advisor.table.kinds`, the one classifier
every path calls), or one-line `InputError`s; also seeded, stratified row samples.
"""
