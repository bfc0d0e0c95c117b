"""The advice stage: the `Advice` value, how it is built, saved and exported.

In: the table, profile, proposals and validation of one run. Out: an `Advice` with its
fitted pipeline, its JSON form (versioned schema, no pickle) and Keras model builder.
"""
