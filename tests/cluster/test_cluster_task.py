"""The task a cluster run infers from the profile's statistics is the one a single process
infers from the target's values (no cluster needed to check it)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_the_cluster_infers_the_task_as_one_process_does():
    from advisor.cluster.profile import infer_cluster_task
    from advisor.profiling.profile import profile_table
    from advisor.table.load import infer_task, load_table

    rng = np.random.default_rng(1)
    for y in (
        rng.choice([0.5, 2.5], 300),  # two values, not integers: regression
        rng.choice([0, 1], 300),  # two classes
        rng.integers(0, 5, 300),  # few integer classes
        rng.normal(0, 1, 300),
    ):
        frame = pd.DataFrame({"x": rng.normal(0, 1, 300), "y": y})
        profile = profile_table(load_table(frame))
        assert infer_cluster_task(profile, "y") == infer_task(frame["y"]), y[:4]
