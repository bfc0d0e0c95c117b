"""The keras-tuner adapter: candidates as points of a keras-tuner space, trials as
cross-validated evaluations, results read back from the oracle.

In: the candidates (the first is the default), an ``evaluate(candidate)`` callable (the
packed runner), a progress callback and the budget's strategy, trial cap and deadline.
Out: `CVTuner`, whose `run_trial` evaluates one candidate on all folds and hands its fold
scores and validation curves to the oracle as metrics (so they travel to the chief in
distributed mode and to disk for resume), the two oracles, and `results_from_oracle`,
which turns the oracle's trials back into `CandidateResult`s.

Importing this module imports keras-tuner and so TensorFlow: `advisor.search.run` imports
it only when a search runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from advisor.backend import import_keras_tuner
from advisor.plan.plans import Candidate
from advisor.progress import Progress, trial_started
from advisor.search.results import CandidateFailed, CandidateResult

kt = import_keras_tuner()


class CVTuner(kt.Tuner):  # type: ignore[name-defined]
    """One trial is one candidate evaluated on all folds (the k-fold cross-validation that
    keras-tuner lacks for Keras models)."""

    def __init__(
        self,
        *,
        evaluate: Callable[[Candidate], CandidateResult],
        candidates: dict[str, Candidate],
        total: int,
        progress: Progress | None = None,
        **kwargs: Any,
    ) -> None:
        # Set before keras-tuner's constructor, which may reload a stored search.
        self.cv_evaluate = evaluate
        self.cv_candidates = candidates  # by point_key
        self.cv_total = total  # trials in the progress messages
        self.cv_progress = progress
        self.cv_started = 0
        self.cv_fatal: list[BaseException] = []
        super().__init__(**kwargs)

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
        point = point_key(trial.hyperparameters.values)
        if point not in self.cv_candidates:  # a point of the space that is not a candidate
            raise kt.errors.FailedTrialError(f"{point} is not a candidate")
        candidate = self.cv_candidates[point]
        self.cv_started += 1
        if self.cv_progress is not None:
            self.cv_progress(trial_started(self.cv_started, self.cv_total, candidate.key))
        try:
            result = self.cv_evaluate(candidate)
        except CandidateFailed as exc:
            raise kt.errors.FailedTrialError(str(exc)) from None
        except Exception as exc:
            # Not the candidate's fault but a bug or a broken environment: abort the
            # search instead of quietly marking the trial invalid.
            self.cv_fatal.append(exc)
            raise kt.errors.FatalError(repr(exc)) from exc
        return _result_metrics(result)

    def save_model(self, trial_id: Any, model: Any, step: int = 0) -> None:
        return None

    def search_candidates(self) -> None:
        """Run the trials; an error that aborted the search is raised as itself."""
        try:
            self.search(verbose=0)
        except kt.errors.FatalError:
            if self.cv_fatal:
                raise self.cv_fatal[0] from None
            raise


class ExhaustiveOracle(kt.Oracle):  # type: ignore[name-defined]
    """Grid search whose state is its trials, so it resumes after a restart
    (keras-tuner's GridSearchOracle keeps its order in a linked list that is not saved
    with its state: a reloaded search fails with a KeyError). It proposes the candidates in
    order and starts none after ``deadline`` (`time.monotonic`), except the default."""

    def __init__(self, points: list[dict[str, str]], deadline: float | None, **kwargs: Any) -> None:
        self.candidate_points = {point_key(p): p for p in points}
        self.deadline = deadline
        super().__init__(**kwargs)

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        if _timed_out(self.deadline) and self.trials:  # the default always runs
            return _finished(self)
        return _first_free(self) or _finished(self)


class DefaultFirstBayesianOracle(kt.oracles.BayesianOptimizationOracle):  # type: ignore[name-defined]
    """Bayesian optimization (Gaussian process) that evaluates the default candidate
    first -- every challenger is compared with it -- and maps points that are not
    candidates to the first untried candidate. It starts no trial after ``deadline``
    (`time.monotonic`), except the default."""

    def __init__(self, points: list[dict[str, str]], deadline: float | None, **kwargs: Any) -> None:
        self.candidate_points = {point_key(p): p for p in points}
        self.deadline = deadline
        super().__init__(**kwargs)

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        if _timed_out(self.deadline) and self.trials:  # the default always runs
            return _finished(self)
        valid = self.candidate_points
        default = next(iter(valid))
        if default not in _taken(self):
            return {
                "status": kt.engine.trial.TrialStatus.RUNNING,
                "values": dict(valid[default]),
            }
        proposal = super().populate_space(trial_id)
        values = proposal.get("values")
        if values is None:
            return proposal
        key = point_key(values)
        if key in valid and key not in _taken(self):
            return proposal
        return _first_free(self) or _finished(self)


def make_oracle(
    strategy: str,
    points: list[dict[str, str]],
    deadline: float | None,
    hyperparameters: Any,
    max_trials: int,
    seed: int,
) -> Any:
    """The oracle for a budget: every candidate in order (grid), or Bayesian optimization
    over the space that always starts with the default candidate. Both propose only
    candidates, resume from their saved trials, and start no trial after ``deadline``."""
    oracle_class = ExhaustiveOracle if strategy == "grid" else DefaultFirstBayesianOracle
    return oracle_class(
        points,
        deadline,
        objective=kt.Objective("score", direction="min"),
        max_trials=max_trials,
        hyperparameters=hyperparameters,
        seed=seed,
        max_consecutive_failed_trials=len(points) + 1,
    )


def _taken(oracle: Any) -> set[str]:
    return {point_key(t.hyperparameters.values) for t in oracle.trials.values()}


def _finished(oracle: Any) -> dict[str, Any]:
    status = kt.engine.trial.TrialStatus
    if oracle.ongoing_trials:
        return {"status": status.IDLE, "values": None}
    return {"status": status.STOPPED, "values": None}


def _first_free(oracle: Any) -> dict[str, Any] | None:
    used = _taken(oracle)
    for key, point in oracle.candidate_points.items():
        if key not in used:
            return {"status": kt.engine.trial.TrialStatus.RUNNING, "values": dict(point)}
    return None


def _timed_out(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def candidate_space(candidates: tuple[Candidate, ...]) -> tuple[Any, list[dict[str, str]]]:
    """keras-tuner hyperparameters spanning the candidates (string choices, first value =
    the default candidate's), and each candidate as a point of that space."""
    points = [_candidate_point(c) for c in candidates]
    if any(c.target is not None for c in candidates):  # else the space is as it was
        for c, point in zip(candidates, points, strict=True):
            point["target"] = c.target or "default"
    if any(c.encoding != "none" for c in candidates):
        for c, point in zip(candidates, points, strict=True):
            point["encoding"] = c.encoding
    hp = kt.HyperParameters()
    for name in points[0]:
        hp.Choice(name, list(dict.fromkeys(p[name] for p in points)))
    return hp, points


def _candidate_point(c: Candidate) -> dict[str, str]:
    return {
        "plan": c.plan.name,
        "in_network": c.in_network,
        "placement": c.placement,
        "learning_rate": "auto" if c.learning_rate is None else f"{c.learning_rate:g}",
    }


def point_key(values: Any) -> str:
    """A point of the space (hyperparameter values) as one string."""
    names = ("plan", "in_network", "placement", "learning_rate", "target", "encoding")
    optional = ("target", "encoding")
    return "|".join(f"{k}={values.get(k)}" for k in names if k not in optional or k in values)


def _result_metrics(result: CandidateResult) -> dict[str, float]:
    """Everything about a trial as keras-tuner metrics, so it travels through the oracle
    (to the chief in distributed mode, to disk for resume)."""
    metrics = {"score": result.mean, "seconds": result.seconds}
    for k in range(len(result.fold_scores)):
        metrics[f"fold{k}_score"] = result.fold_scores[k]
        metrics[f"fold{k}_metric"] = result.fold_metrics[k]
        metrics[f"fold{k}_best_epoch"] = float(result.best_epochs[k])
        for epoch, value in enumerate(result.curves[k]):
            metrics[f"fold{k}_curve_{epoch:04d}"] = value
    return metrics


def results_from_oracle(
    oracle: Any, candidates: dict[str, Candidate]
) -> dict[str, CandidateResult]:
    """The finished and failed trials as results, by candidate key (``candidates`` is by
    point_key; trials that are not candidates are left out)."""
    out: dict[str, CandidateResult] = {}
    for trial in oracle.trials.values():
        point = point_key(trial.hyperparameters.values)
        if point not in candidates:
            continue
        candidate = candidates[point]
        key = candidate.key
        status = str(trial.status)
        if status.endswith("COMPLETED"):
            metrics = trial.metrics

            def get(name: str, _m: Any = metrics) -> float:
                return float(_m.get_last_value(name))

            folds = 0
            while metrics.exists(f"fold{folds}_score"):
                folds += 1
            curves = []
            for k in range(folds):
                curve = []
                epoch = 0
                while metrics.exists(f"fold{k}_curve_{epoch:04d}"):
                    curve.append(get(f"fold{k}_curve_{epoch:04d}"))
                    epoch += 1
                curves.append(tuple(curve))
            out[key] = CandidateResult(
                key=key,
                plan=candidate.plan.name,
                in_network=candidate.in_network,
                status="ok",
                target=candidate.target,
                encoding=candidate.encoding,
                fold_scores=tuple(get(f"fold{k}_score") for k in range(folds)),
                fold_metrics=tuple(get(f"fold{k}_metric") for k in range(folds)),
                best_epochs=tuple(int(get(f"fold{k}_best_epoch")) for k in range(folds)),
                curves=tuple(curves),
                seconds=get("seconds") if metrics.exists("seconds") else 0.0,
            )
        elif status.endswith(("FAILED", "INVALID")):
            out[key] = CandidateResult(
                key, candidate.plan.name, candidate.in_network, "failed",
                message=_failure_reason(trial.message), target=candidate.target,
                encoding=candidate.encoding,
            )  # fmt: skip
    return out


def _failure_reason(message: str | None) -> str:
    """The reason from keras-tuner's stored traceback (its last line, without the type)."""
    if not message:
        return "failed"
    last = [line for line in message.strip().splitlines() if line.strip()][-1]
    return last.split("Error: ", 1)[-1].strip()


def is_worker() -> bool:
    """Whether this process is a keras-tuner worker (distributed mode, not the chief)."""
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "")
    return bool(os.environ.get("KERASTUNER_ORACLE_IP")) and "chief" not in tuner_id


def quiet_failed_trials() -> None:
    """keras-tuner prints a traceback for every failed trial while its DEBUG flag is on (the
    default); the failure's reason is kept in the result and shown in the report instead."""
    try:
        from keras_tuner.src import config as kt_config

        kt_config.DEBUG = False
    except ImportError:  # a keras-tuner layout without the flag: nothing to silence
        pass
