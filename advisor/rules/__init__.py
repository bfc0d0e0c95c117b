"""The rule engine: declarative rules (TOML) over profile fields.

In: a `DatasetProfile` and rule files. Out: ranked, explained `Proposals` per feature,
for the network and for the target; `AutoScaler`, the rules as a scikit-learn transformer.
"""
