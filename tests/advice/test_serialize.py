"""`advisor.advice.serialize`: the allowlist an advice file is rebuilt from is the
catalog's classes and their containers, and nothing else loads."""

from __future__ import annotations

import pytest

from advisor.advice import serialize
from advisor.plan.catalog import serialized_classes


def test_the_serializer_allows_the_catalogs_classes_and_their_containers():
    from advisor.plan.pipeline import PlanTransformer
    from advisor.plan.target import TargetTransformer
    from advisor.rules.autoscaler import AutoScaler

    containers = {PlanTransformer, AutoScaler, TargetTransformer}
    assert set(serialize.ALLOWED.values()) == set(serialized_classes()) | containers
    assert all(serialize.ALLOWED[cls.__name__] is cls for cls in serialize.ALLOWED.values())


def test_loading_refuses_classes_outside_the_allowlist():
    from advisor.errors import AdviceFileError

    evil = {"__estimator__": "Popen", "params": {"args": ["true"]}, "state": {}}
    with pytest.raises(AdviceFileError, match="'Popen' is not allowed"):
        serialize.load(evil)


def test_skrubs_text_encoder_classes_are_allowed_by_name_and_imported_on_demand():
    pytest.importorskip("skrub")
    from skrub import StringEncoder

    assert "StringEncoder" not in serialize.ALLOWED
    assert serialize.allowed_class("StringEncoder") is StringEncoder
    assert serialize.allowed_class("ToStr").__name__ == "ToStr"
    assert serialize.allowed_class("Popen") is None
