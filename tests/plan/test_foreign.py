"""The other libraries' private names `advisor.plan.foreign` reads are still there and
still mean what the advisor takes them for: these tests fail when a new scikit-learn or
skrub moves or changes them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import PowerTransformer, StandardScaler

from advisor.plan.foreign import TEXT_ENCODER_CLASSES, power_standardizer, text_encoder_classes


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
def test_a_power_transformer_standardizes_with_the_scaler_it_keeps(method):
    x = np.random.default_rng(0).lognormal(size=(300, 2))
    fitted = PowerTransformer(method=method, standardize=True).fit(x)
    inner = power_standardizer(fitted)
    assert isinstance(inner, StandardScaler)
    mapped = PowerTransformer(method=method, standardize=False).fit(x).transform(x)
    np.testing.assert_allclose(fitted.lambdas_, PowerTransformer(method=method).fit(x).lambdas_)
    np.testing.assert_allclose(fitted.transform(x), (mapped - inner.mean_) / inner.scale_)


def test_a_fitted_string_encoder_is_made_of_the_allowed_text_encoder_classes():
    pytest.importorskip("skrub")
    classes = text_encoder_classes()
    assert tuple(classes) == TEXT_ENCODER_CLASSES
    text = pd.Series([f"town {i % 17} {'north' if i % 3 else 'south'}" for i in range(120)])
    encoder = classes["StringEncoder"](n_components=3, random_state=0).fit(text)
    parts = {type(v).__name__ for v in vars(encoder).values() if hasattr(v, "get_params")}
    parts |= {type(v).__name__ for v in vars(encoder.vectorizer_).values() if hasattr(v, "fit")}
    assert parts <= set(TEXT_ENCODER_CLASSES) and "ToStr" in parts
    assert isinstance(encoder.to_str, classes["ToStr"])


def test_no_other_module_imports_another_librarys_private_modules():
    """``from skrub._to_str import ...`` and the like: in advisor/plan/foreign.py only."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "advisor"
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] != "advisor" and any(p.startswith("_") for p in parts[1:]):
                    found.append(f"{path.relative_to(package.parent).as_posix()}: {name}")
    assert found == ["advisor/plan/foreign.py: skrub._to_str"], found
