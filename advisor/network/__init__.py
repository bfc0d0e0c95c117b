"""The networks: the in-network normalization registry, the user's Keras MLP, and the
packed twin (K independent MLPs in one model) the search trains.

In: a `NetSpec`. Out: compiled Keras models and reusable packed trainers.
"""
