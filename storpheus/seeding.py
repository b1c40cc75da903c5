"""Seeds derived by hashing, never by call order.

A composition has one base seed; every section, role and candidate gets its
own seed from :func:`derive_seed`, a SHA-256 of the base seed and the labels
that name the stage. Parallel workers therefore draw the same numbers in any
order, in any process.

Example
-------
>>> derive_seed(42, "verse", "bass", 3) == derive_seed(42, "verse", "bass", 3)
True
>>> rng = rng_for(42, "drums")
>>> int(rng.integers(0, 100)) == int(rng_for(42, "drums").integers(0, 100))
True
"""

from __future__ import annotations

import hashlib

import numpy as np

SEED_BITS = 63
"""Derived seeds are non-negative 63-bit integers (they fit DuckDB BIGINT)."""


def derive_seed(base: int, *labels: str | int) -> int:
    """A seed for the stage named by ``labels``, derived from ``base`` by hashing."""
    text = "\x1f".join([str(int(base)), *(str(label) for label in labels)])
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << SEED_BITS) - 1)


def seed_from_text(text: str) -> int:
    """A base seed from text (e.g. a normalised prompt)."""
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << SEED_BITS) - 1)


def rng_for(base: int, *labels: str | int) -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` (PCG64) for the stage named by ``labels``."""
    return np.random.default_rng(derive_seed(base, *labels))
