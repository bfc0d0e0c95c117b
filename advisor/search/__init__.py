"""The search stage: validates the rules' plan against challengers by cross-validated
short training runs.

In: the features, the target, the task and the candidates (input plan x in-network
normalization; the first is the rules' plan, the default) from `advisor.search.space`, a
budget (`advisor.search.budgets`) and a split. Out: a `advisor.search.results.SearchResult`
(every candidate's fold scores, the comparisons with the default and the decision), made by
`advisor.search.run.run_search`.
"""
