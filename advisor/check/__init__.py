"""`advise check`: does new data still fit a saved advice?

In: a new dataset (a path or a DataFrame) and a saved advice (an `Advice` or its JSON file).
Out: a `CheckResult` of findings (codes CHK001... with a severity each; see
`advisor.check.codes`), rendered by `advisor.check.render`; the CLI exits 0 when the data
fits, 1 when a finding reaches ``--fail-on``, 2 on bad input.
"""
