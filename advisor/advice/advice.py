"""The advice: what the advisor recommends, the evidence, and the fitted preprocessing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor.advice import serialize
from advisor.errors import AdviceFileError
from advisor.io.atomic import write_atomic
from advisor.io.jsontext import dumps
from advisor.network import norms
from advisor.network.nets import NetSpec
from advisor.network.nets import build_model as _build_model
from advisor.plan.plans import InputPlan
from advisor.plan.target import LabelCodec, TargetTransformer
from advisor.profiling.types import DatasetProfile
from advisor.rules.autoscaler import AutoScaler
from advisor.rules.model import Proposals
from advisor.search.results import SearchResult
from advisor.version import __version__
from advisor.vocab import Encoding, InNetwork, ReportFormat, Task

SCHEMA_NAME = "normalization-advice"
SCHEMA_VERSION = 6
#: Versions this advisor reads. Version 1 (advisor 0.1.0 before the reports) lacks the
#: per-feature ``distributions``, the fired rules' rationale and the search's ``sample``;
#: they read as empty (so `advise check` cannot test drift against a version-1 file).
#: Version 2 lacks the search's ``evidence`` (the rows and folds the decision rests on,
#: issue 30) and the ``eliminated`` candidate status; its searches read as one stage.
#: Version 3 lacks the search's ``split`` (how the folds were made, issue 32), its default
#: ``target_transform`` and each candidate's ``target``: they read as not recorded.
#: Version 5 lacks the features' ``target_r2`` and ``target_r2_clipped`` (issue 33): they
#: read as not computed.
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6)
#: The JSON Schema (draft 2020-12) of the advice file, shipped with the package.
SCHEMA_FILE = Path(__file__).with_name("advice.schema.json")


@dataclass(frozen=True)
class Advice:
    """The advisor's answer for one dataset.

    ``pipeline`` is a fitted scikit-learn transformer taking the feature columns as a
    DataFrame and returning a finite float matrix; ``in_network`` names the normalization
    to put inside the network; `build_model` makes a compiled Keras model with it.
    """

    plan: InputPlan
    in_network: InNetwork
    pipeline: AutoScaler
    task: Task | None
    target_name: str | None
    seed: int
    budget: str
    profile: dict[str, Any]
    proposals: dict[str, Any]
    search: dict[str, Any] | None = None
    classes: tuple[Any, ...] | None = None
    target_transformer: TargetTransformer | None = None
    net: NetSpec | None = None
    notes: tuple[str, ...] = ()
    source: str = ""
    #: Per numeric feature: histograms before/after its scaler and raw quantiles
    #: (`advisor.advice.distributions`), so reports and checks work from a saved file.
    distributions: dict[str, Any] = field(default_factory=dict)
    #: The numeric encoding (`advisor.plan.encodings`): "ple" is a step of ``pipeline``
    #: (its ``bins``), "periodic" the first layer `build_model` adds.
    encoding: Encoding = "none"
    # Live objects from the run that produced this advice (absent after `load`).
    profile_obj: DatasetProfile | None = field(default=None, compare=False, repr=False)
    proposals_obj: Proposals | None = field(default=None, compare=False, repr=False)
    search_obj: SearchResult | None = field(default=None, compare=False, repr=False)

    @property
    def in_network_label(self) -> str:
        return norms.label(self.in_network)

    @property
    def validated(self) -> bool:
        return self.search is not None

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        """Shorthand for ``self.pipeline.transform(features)``."""
        return self.pipeline.transform(features)

    def build_model(self, seed: int | None = None) -> Any:
        """A compiled Keras MLP with the advised in-network normalization (and periodic
        embeddings first, where that is the advised encoding), sized for the pipeline's
        output and the task (softmax over the classes, or one linear output for the
        transformed regression target: map predictions back with `decode_predictions`)."""
        if self.task is None or self.net is None:
            raise ValueError("build_model needs a target: run advise(..., target=COLUMN)")
        n_inputs = len(self.pipeline.get_feature_names_out())
        spec = NetSpec(
            task=self.task,
            n_inputs=n_inputs,
            n_outputs=len(self.classes) if self.classes is not None else 1,
            width=self.net.width,
            depth=self.net.depth,
            learning_rate=self.net.learning_rate,
            in_network=self.in_network,
            placement=self.net.placement,
            encoding=self.net.encoding,
            embedded=self.net.embedded,
        )
        return _build_model(spec, seed=self.seed if seed is None else seed)

    @property
    def encoded_columns(self) -> dict[str, int]:
        """The encoded numeric columns: their bins (``"ple"``), or 1 each (``"periodic"``)."""
        if self.encoding == "ple":
            return {c: int(n) for c, n in self.pipeline.bins}
        if self.encoding == "periodic":
            return {c: 1 for c in self.plan.numeric}
        return {}

    def encoding_layer(self, seed: int | None = None) -> Any:
        """The advised periodic embedding as a fresh Keras layer to put first in a model
        of your own (its inputs: the pipeline's output), or None when the encoding is not
        learned in the network (``"ple"`` is already in `transform`'s output)."""
        if self.encoding != "periodic":
            return None
        from advisor.network.embeddings import PeriodicEmbedding

        seed = self.seed if seed is None else seed
        return PeriodicEmbedding(len(self.plan.numeric), seed=seed, name="periodic_embedding")

    def to_text(self, verbose: bool = False) -> str:
        """The terminal report (what `advise` prints)."""
        from advisor.report.text import render_text

        return render_text(self.to_dict(), verbose=verbose)

    def render(self, fmt: ReportFormat) -> str:
        """The report in any registered format (`advisor.report.formats`)."""
        from advisor.report.formats import render_report

        return render_report(self.to_dict(), fmt)

    def to_markdown(self) -> str:
        """The Markdown report (pull-request comments, CI summaries)."""
        return self.render("markdown")

    def to_html(self) -> str:
        """The self-contained HTML report (a whole page; a notebook shows the advice's
        card by itself, `_repr_html_`)."""
        return self.render("html")

    def _repr_html_(self) -> str:
        """What Jupyter shows for the advice: a compact card (the decision, the plan per
        feature, the evidence) with the full report behind a disclosure."""
        from advisor.report.notebook import render_advice_card

        return render_advice_card(self.to_dict())

    def to_keras(self, model: Any = None) -> Any:
        """The fitted preprocessing as a Keras model reproducing ``pipeline.transform``
        (within 1e-6 x (1 + |value|)); with ``model`` (e.g. `build_model`'s), one model
        from raw features to predictions that can be saved and served as is.

        It takes a dict of named columns (`keras_inputs` makes it from a DataFrame).
        Raises `advisor.export.model.ExportError` naming the columns for a plan with date
        features or string-encoded text; see docs/recipes.md.
        """
        from advisor.export.model import to_keras

        return to_keras(self.pipeline.transformer_, model, encoding=self.encoding)

    def keras_inputs(self, features: pd.DataFrame) -> dict[str, Any]:
        """What `to_keras`'s model takes for these feature rows: one (rows, 1) array per
        input column, by name (float64 for numbers, NaN for missing; strings for text)."""
        from advisor.export.inputs import keras_inputs

        return keras_inputs(self.pipeline.transformer_, features)

    def export_serving(self, path: str | os.PathLike[str], model: Any) -> None:
        """Write a TensorFlow SavedModel of the preprocessing + ``model``: its ``serve``
        signature takes the named raw columns and returns probabilities, or predictions in
        the target's units. It loads with ``tf.saved_model.load`` alone (docs/recipes.md)."""
        from advisor.export.model import export_serving

        target = self.target_transformer if self.classes is None else None
        export_serving(self.pipeline.transformer_, model, path, target, self.encoding)

    def encode_target(self, y: Any) -> np.ndarray:
        """Targets as the model is trained on them: class codes, or the transformed value."""
        if self.classes is not None:
            return LabelCodec(list(self.classes)).encode(y)
        if self.target_transformer is not None:
            return self.target_transformer.transform(y)
        raise ValueError("this advice has no target")

    def decode_predictions(self, output: Any) -> np.ndarray:
        """Model outputs back to labels (from probabilities) or target units."""
        output = np.asarray(output)
        if self.classes is not None:
            return LabelCodec(list(self.classes)).decode(np.argmax(output, axis=-1))
        if self.target_transformer is not None:
            return self.target_transformer.inverse_transform(output)
        raise ValueError("this advice has no target")

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_NAME,
            "schema_version": SCHEMA_VERSION,
            "advisor_version": __version__,
            "source": self.source,
            "settings": {
                "target": self.target_name,
                "task": self.task,
                "seed": self.seed,
                "budget": self.budget,
            },
            "advice": {
                "plan": self.plan.to_dict(),
                "in_network": self.in_network,
                "validated": self.validated,
                "classes": list(self.classes) if self.classes is not None else None,
                "target_transform": (
                    self.target_transformer.method if self.target_transformer else None
                ),
                "net": self.net.to_dict() if self.net is not None else None,
                "encoding": {"kind": self.encoding, "columns": self.encoded_columns},
            },
            "notes": list(self.notes),
            "profile": self.profile,
            "proposals": self.proposals,
            "search": self.search,
            "distributions": self.distributions,
            "fitted": {
                "pipeline": serialize.dump(self.pipeline),
                "target_transformer": (
                    serialize.dump(self.target_transformer) if self.target_transformer else None
                ),
            },
        }

    def to_json(self) -> str:
        return dumps(self.to_dict())

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the advice as JSON, atomically (no half-written file on failure)."""
        return write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Advice:
        """Read an advice file written by `save`. No code from the file is ever run."""
        return cls.from_dict(cls.read_dict(path), str(path))

    @staticmethod
    def read_dict(path: str | os.PathLike[str]) -> Any:
        """The parsed JSON of an advice file, with one-line errors for unreadable files."""
        p = Path(path)
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AdviceFileError(f"{p}: advice file not found") from None
        except IsADirectoryError:
            raise AdviceFileError(f"{p}: is a directory, not an advice file") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AdviceFileError(f"{p}: not a JSON advice file ({exc})") from None

    @classmethod
    def from_dict(cls, data: Any, where: str = "<advice>") -> Advice:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_NAME:
            raise AdviceFileError(f"{where}: not a normalization-advice file")
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise AdviceFileError(
                f"{where}: advice schema version {version!r} is not supported "
                f"(this advisor reads versions {', '.join(map(str, READABLE_VERSIONS))})"
            )
        try:
            settings = data["settings"]
            advice = data["advice"]
            fitted = data["fitted"]
            pipeline = serialize.load(fitted["pipeline"])
            target_tt = (
                serialize.load(fitted["target_transformer"])
                if fitted.get("target_transformer")
                else None
            )
            net = NetSpec(**advice["net"]) if advice.get("net") else None
            classes = tuple(advice["classes"]) if advice.get("classes") is not None else None
            return cls(
                plan=InputPlan.from_dict(advice["plan"]),
                in_network=advice["in_network"],  # the schema's enum
                pipeline=pipeline,
                task=settings.get("task"),
                target_name=settings.get("target"),
                seed=int(settings.get("seed", 0)),
                budget=str(settings.get("budget", "fast")),
                profile=data.get("profile", {}),
                proposals=data.get("proposals", {}),
                search=data.get("search"),
                classes=classes,
                target_transformer=target_tt,
                net=net,
                notes=tuple(data.get("notes", ())),
                source=str(data.get("source", "")),
                distributions=data.get("distributions", {}),
                encoding=advice.get("encoding", {}).get("kind", "none"),
            )
        except AdviceFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise AdviceFileError(f"{where}: malformed advice file ({exc!r})") from None
