"""Fast scalar randomness drawn in blocks from one ``numpy.random.Generator``.

Scalar calls on a Generator cost microseconds each; renderers make hundreds
of small decisions per part. :class:`Dice` draws uniform numbers in blocks
and hands them out one at a time, so a decision costs a list index. The
sequence is a pure function of the generator's state: same seed, same dice.

Example
-------
>>> import numpy as np
>>> a, b = Dice(np.random.default_rng(7)), Dice(np.random.default_rng(7))
>>> [a.below(10) for _ in range(5)] == [b.below(10) for _ in range(5)]
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 256


class Dice:
    """Uniform draws from ``rng`` in blocks of 256; also exposes ``rng`` for vector draws."""

    __slots__ = ("_buffer", "_index", "rng", "temperature")

    def __init__(self, rng: np.random.Generator, temperature: float = 1.0) -> None:
        self.rng = rng
        self.temperature = temperature
        self._buffer: list[float] = []
        self._index = 0

    def random(self) -> float:
        """A uniform float in [0, 1)."""
        if self._index >= len(self._buffer):
            self._buffer = self.rng.random(_BLOCK).tolist()
            self._index = 0
        value = self._buffer[self._index]
        self._index += 1
        return value

    def chance(self, p: float) -> bool:
        """``True`` with probability ``p``."""
        return self.random() < p

    def below(self, n: int) -> int:
        """A uniform integer in ``0..n-1``."""
        return min(n - 1, int(self.random() * n))

    def between(self, low: float, high: float) -> float:
        """A uniform float in ``[low, high)``."""
        return low + (high - low) * self.random()

    def pick(self, items: Sequence[T]) -> T:
        """A uniformly chosen item."""
        return items[self.below(len(items))]

    def weighted(self, weights: Sequence[float]) -> int:
        """An index drawn with probability proportional to ``weights``.

        The request temperature flattens (> 1) or sharpens (< 1) the weights.
        """
        if self.temperature != 1.0:
            inv = 1.0 / self.temperature
            weights = [w**inv if w > 0 else 0.0 for w in weights]
        total = math.fsum(weights)
        if total <= 0:
            return self.below(len(weights))
        target = self.random() * total
        acc = 0.0
        for i, w in enumerate(weights):
            acc += w
            if target < acc:
                return i
        return len(weights) - 1

    def pick_weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """An item drawn with probability proportional to ``weights``."""
        return items[self.weighted(weights)]

    def jitter(self, amount: float) -> float:
        """A uniform offset in ``[-amount, amount)``."""
        return (2.0 * self.random() - 1.0) * amount
