"""Export parity: does the exported model give what the pipeline and the model give in memory?

For each dataset (the ten development datasets and a seeded 20,000-row generated table
with Cauchy, log-normal, bimodal and zero-inflated columns), the advice (default budget,
seed 0; and with ``exportable_only=True``) and an MLP from ``advice.build_model(seed=0)``
are exported two ways, and their outputs on the table's rows (plus copies with missing,
infinite and out-of-range values) compared with ``model(advice.transform(rows))``:

* ``.keras``: ``advice.to_keras(model)`` saved, reloaded with
  ``keras.saving.load_model(path, custom_objects=advisor.export.layers.custom_objects())``;
* SavedModel: ``advice.export_serving(path, model)``, loaded with ``tf.saved_model.load``
  in a fresh process where ``import advisor`` fails (regression: predictions in target
  units, compared with ``advice.decode_predictions``).

The figure is max |a - b| / (1 + |b|) over every row and output; the target is 1e-5.

With ``--encodings``, each advice is also exported with each numeric encoding forced
(issue 33): the piecewise-linear bins the rules set (in the preprocessing layer) and the
periodic embedding (the model's first layer), whatever the search chose. Under
``KERAS_BACKEND=jax`` only the ``.keras`` export runs (a SavedModel needs TensorFlow).

    python benchmarks/export_parity.py                  # all, default budget
    python benchmarks/export_parity.py --datasets penguins,wine --max-trials 1
    python benchmarks/export_parity.py --encodings --max-trials 1
    KERAS_BACKEND=jax JAX_ENABLE_X64=1 python benchmarks/export_parity.py --encodings
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATASETS = ROOT.parent / "shared" / "datasets"
TARGET = 1e-5

SERVE = """
import json, sys
sys.modules["advisor"] = None  # the advisor cannot be imported here
import numpy as np
import tensorflow as tf
served = tf.saved_model.load(sys.argv[1])
arrays = np.load(sys.argv[2], allow_pickle=False)
inputs = {k: tf.constant(arrays[k].astype(str) if arrays[k].dtype.kind == "U" else arrays[k])
          for k in arrays.files}
np.save(sys.argv[3], np.asarray(served.serve(inputs), dtype=np.float64))
"""


def generated_table(rows: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Heavy tails, skew, two modes and excess zeros, with a regression target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "cauchy": rng.standard_cauchy(rows),
            "lognormal": rng.lognormal(3.0, 1.2, rows),
            "bimodal": np.where(
                rng.random(rows) < 0.4, rng.normal(-3, 1, rows), rng.normal(4, 1.5, rows)
            ),
            "zero_inflated": np.where(rng.random(rows) < 0.6, 0.0, rng.poisson(4.0, rows) + 1.0),
        }
    )
    frame["y"] = (
        np.log1p(frame["lognormal"]) + 0.3 * frame["bimodal"] - 0.2 * frame["zero_inflated"]
        + 0.1 * np.tanh(frame["cauchy"]) + rng.normal(0, 0.3, rows)
    )  # fmt: skip
    return frame


def datasets(names: Sequence[str] | None) -> list[tuple[str, pd.DataFrame, str]]:
    meta = json.loads((DATASETS / "targets.json").read_text())
    out = []
    for name, entry in meta.items():
        if names and name not in names:
            continue
        out.append((name, pd.read_csv(DATASETS / entry["file"]), entry["target"]))
    if not names or "generated" in names:
        out.append(("generated", generated_table(), "y"))
    return out


def stressed(features: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The rows, then a copy with missing, infinite and 10x out-of-range numbers."""
    rng = np.random.default_rng(seed)
    copy = features.copy()
    numeric = [c for c in copy.columns if pd.api.types.is_numeric_dtype(copy[c])]
    for column in numeric:
        values = copy[column].astype(float).to_numpy()
        pick = rng.random(len(values))
        values = np.where(pick < 0.05, np.nan, values)
        values = np.where((pick >= 0.05) & (pick < 0.07), np.inf, values)
        values = np.where((pick >= 0.07) & (pick < 0.10), values * 10.0, values)
        copy[column] = values
    return pd.concat([features, copy], ignore_index=True)


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    got = np.asarray(got, dtype=np.float64).reshape(want.shape)
    return float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))


def with_encoding(advice: Any, kind: str, frame: pd.DataFrame) -> Any:
    """The advice with its numeric encoding replaced by ``kind`` (refitted on ``frame``'s
    features for the bins; the network resized)."""
    import dataclasses

    from advisor.rules.autoscaler import AutoScaler

    bins = advice.proposals_obj.ple_bins if kind == "ple" else ()
    pipeline = AutoScaler(plan=advice.plan, seed=advice.seed, bins=bins).fit(frame)
    n_inputs = len(pipeline.get_feature_names_out())
    embedded = len(advice.plan.numeric) if kind == "periodic" else 0
    net = dataclasses.replace(
        advice.net, n_inputs=n_inputs, encoding=kind if kind == "periodic" else "none",
        embedded=embedded,
    )  # fmt: skip
    return dataclasses.replace(advice, encoding=kind, pipeline=pipeline, net=net)


def parity(advice: Any, features: pd.DataFrame, folder: Path) -> tuple[float, float]:
    """(.keras error, SavedModel error) of one advice on these feature rows (the second
    NaN on a backend other than TensorFlow)."""
    import keras

    from advisor.export.layers import custom_objects

    model = advice.build_model(seed=0)
    outputs = np.asarray(model(advice.transform(features)), dtype=np.float64)
    inputs = advice.keras_inputs(features)
    full = advice.to_keras(model)
    full.save(folder / "model.keras")
    loaded = keras.saving.load_model(folder / "model.keras", custom_objects=custom_objects())
    keras_error = relative_error(np.asarray(loaded(inputs)), outputs)
    if keras.backend.backend() != "tensorflow":
        return keras_error, float("nan")
    advice.export_serving(folder / "served", model)
    arrays = {k: np.asarray(v) for k, v in inputs.items()}
    arrays = {k: (v.astype(str) if v.dtype.kind in "OSU" else v) for k, v in arrays.items()}
    np.savez(folder / "inputs.npz", **arrays)
    done = subprocess.run(
        [sys.executable, "-c", SERVE, str(folder / "served"), str(folder / "inputs.npz"),
         str(folder / "out.npy")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    served = np.load(folder / "out.npy")
    want = outputs if advice.classes is not None else advice.decode_predictions(outputs)
    return keras_error, relative_error(served, np.asarray(want, dtype=np.float64))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", help="comma-separated names (default: all, and generated)")
    parser.add_argument(
        "--max-trials", type=int, default=None, help="cap the search (default: none)"
    )
    parser.add_argument(
        "--encodings", action="store_true", help="also export each numeric encoding, forced"
    )
    args = parser.parse_args(argv)
    from advisor import advise
    from advisor.export.model import ExportError

    names = args.datasets.split(",") if args.datasets else None
    print("| dataset | rows | advice | in-network | encoding | .keras | SavedModel | seconds |")
    print("|---|---:|---|---|---|---:|---:|---:|")
    worst = 0.0
    for name, frame, target in datasets(names):
        features = stressed(frame.drop(columns=target))
        for exportable in (False, True):
            started = time.perf_counter()
            advice = advise(frame, target=target, seed=0, max_trials=args.max_trials,
                            exportable_only=exportable)  # fmt: skip
            label = "--exportable" if exportable else "default"
            variants = [advice]
            if args.encodings:
                plain = frame.drop(columns=target)
                variants += [with_encoding(advice, kind, plain) for kind in ("ple", "periodic")
                             if kind != advice.encoding]  # fmt: skip
            for variant in variants:
                with tempfile.TemporaryDirectory() as tmp:
                    try:
                        keras_error, served_error = parity(variant, features, Path(tmp))
                    except ExportError as exc:
                        print(f"| {name} | {len(features)} | {label} | {advice.in_network} "
                              f"| {variant.encoding} | not exportable: {exc} | | |")  # fmt: skip
                        continue
                worst = max(worst, keras_error, np.nan_to_num(served_error))
                seconds = time.perf_counter() - started
                print(
                    f"| {name} | {len(features)} | {label} | {advice.in_network} "
                    f"| {variant.encoding} | {keras_error:.1e} | {served_error:.1e} "
                    f"| {seconds:.0f} |",
                    flush=True,
                )
    print(f"\nworst {worst:.1e} (target {TARGET:.0e}): {'met' if worst <= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
