"""The one adapter to other libraries' private names: nowhere else reads them.

Two are needed: the `StandardScaler` that scikit-learn's `PowerTransformer` fits after its
map when ``standardize=True`` (``_scaler``: the Keras export reproduces it), and skrub's
``_to_str.ToStr``, a part of a fitted `StringEncoder` (an advice file holding one must be
able to rebuild it). ``tests/plan/test_foreign.py`` pins both: it fails when a new
version of either library moves or changes them.
"""

from __future__ import annotations

from typing import Any

#: skrub's StringEncoder and the parts it keeps when fitted (`text_encoder_classes`).
TEXT_ENCODER_CLASSES = ("StringEncoder", "ToStr", "TfidfVectorizer", "TfidfTransformer",
                        "TruncatedSVD")  # fmt: skip


def power_standardizer(transformer: Any) -> Any:
    """The fitted `StandardScaler` a fitted ``PowerTransformer(standardize=True)`` applies
    after its power map (scikit-learn keeps it in the private ``_scaler``)."""
    return transformer._scaler


def text_encoder_classes() -> dict[str, type]:
    """`TEXT_ENCODER_CLASSES` by name, imported on call (``import advisor`` stays free of
    skrub)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
    from skrub import StringEncoder
    from skrub._to_str import ToStr

    classes = (StringEncoder, ToStr, TfidfVectorizer, TfidfTransformer, TruncatedSVD)
    return {cls.__name__: cls for cls in classes}
