"""Plans: which scaler each column gets, as data and as a fitted transformer.

In: scaler keys per column (from the rules or the search). Out: an `InputPlan` or
`Candidate`, the scaler catalog's transformers, the fitted `PlanTransformer`, and the
target's codec or transform.
"""
