"""The Keras export stage: a fitted plan as Keras layers, a model and a SavedModel.

In: a fitted `PlanTransformer` (and optionally a network and the target's transform).
Out: a Keras model from named raw columns to features or predictions (`model`), built of
the advisor's layers (`layers`) that compute the catalog's ops in Keras ops (`ops`), and
the dict of named inputs it takes (`inputs`). Importing this package imports nothing;
`layers`, `ops` and `model` import Keras (and TensorFlow).
"""
