"""Retries with backoff and a circuit breaker, both driven by an injectable clock.

:class:`RetryPolicy` says which failures are worth another try (timeouts,
connection errors, HTTP 5xx, "queue is full" and "no GPU available"
answers: :func:`transient_reason`), how many tries and how much time in
total, and the delay before each retry (exponential backoff, capped).

:class:`CircuitBreaker` protects a remote service from a client that keeps
calling while it is down: after ``failure_threshold`` consecutive failures
it *opens* and refuses calls at once for ``cooldown`` seconds; then it lets
exactly one *half-open* probe through, which closes it on success or opens
it again on failure.

Both take the time from a :data:`Clock` and wait through a :data:`Sleeper`
(``time.monotonic`` and ``time.sleep`` by default), so tests drive them with
a :class:`ManualClock` and never sleep through a real cooldown.

Example
-------
>>> clock = ManualClock()
>>> breaker = CircuitBreaker(failure_threshold=2, cooldown=30.0, clock=clock)
>>> breaker.record_failure("boom"); breaker.record_failure("boom"); breaker.state
'open'
>>> breaker.allow()
False
>>> clock.advance(30.0); breaker.allow(), breaker.state
(True, 'half_open')
>>> breaker.record_success(); breaker.state
'closed'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from storpheus.jsontypes import JSONObject

Clock = Callable[[], float]
"""Seconds on a monotonic clock."""

Sleeper = Callable[[float], None]
"""Waits the given number of seconds."""

BreakerState = Literal["closed", "open", "half_open"]

TRANSIENT_MARKERS: Final = (
    ("queue is full", "queue is full"),
    ("no gpu", "no GPU available"),
    ("gpu quota", "no GPU available"),
    ("timed out", "timeout"),
    ("timeout", "timeout"),
    ("connection", "connection error"),
    ("server error", "server error (5xx)"),
    ("bad gateway", "server error (5xx)"),
    ("service unavailable", "server error (5xx)"),
    ("too many requests", "rate limited"),
    ("could not fetch config", "space not ready"),
    ("could not fetch api info", "space not ready"),
)
"""Lower-case fragments of a failure message that mark it as worth retrying."""


class ManualClock:
    """A clock that moves only when told to (its :meth:`sleep` advances it).

    >>> clock = ManualClock(10.0)
    >>> clock.sleep(2.5); clock()
    12.5
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The current time in seconds."""
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        """Record the wait and advance the clock by it (returns at once)."""
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)


def transient_reason(exc: BaseException) -> str | None:
    """Why ``exc`` is worth retrying (``"timeout"``, ``"queue is full"``...), or ``None``.

    Timeouts and connection errors are recognised by type (Python's
    ``TimeoutError`` and ``ConnectionError``, and httpx's transport errors
    when httpx is installed), HTTP answers by status (5xx and 429), and
    application errors by their message (:data:`TRANSIENT_MARKERS`).
    """
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionError):
        return "connection error"
    status = _http_status(exc)
    if status is not None:
        if status >= 500:
            return f"server error ({status})"
        if status == 429:
            return "rate limited"
        return None
    name = type(exc).__name__
    if name in ("ConnectError", "ReadError", "WriteError", "RemoteProtocolError", "NetworkError"):
        return "connection error"
    if name.endswith("Timeout") or name == "TimeoutException":
        return "timeout"
    if name == "QueueError":
        return "queue is full"
    text = str(exc).lower()
    for marker, reason in TRANSIENT_MARKERS:
        if marker in text:
            return reason
    return None


def _http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure.

    Parameters
    ----------
    max_attempts:
        Calls at most, counting the first.
    base_delay, multiplier, max_delay:
        The wait before retry ``k`` (1-based) is
        ``min(max_delay, base_delay * multiplier ** (k - 1))``.
    max_total:
        Give up once this many seconds have passed since the first call
        (a retry whose wait would cross it is not made).
    """

    max_attempts: int = 4
    base_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 30.0
    max_total: float = 300.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or self.max_attempts < 1:
            raise ValueError(f"max_attempts={self.max_attempts} must be an integer >= 1")
        for name in ("base_delay", "max_delay", "max_total"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}={getattr(self, name)} must be >= 0")
        if self.multiplier < 1.0:
            raise ValueError(f"multiplier={self.multiplier} must be >= 1")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 = the second call)."""
        return min(self.max_delay, self.base_delay * self.multiplier ** max(0, retry - 1))


@dataclass(frozen=True)
class BreakerSnapshot:
    """The breaker's state at one moment (recorded in results and telemetry)."""

    state: BreakerState
    consecutive_failures: int
    opened_count: int
    last_failure: str | None

    def to_dict(self) -> JSONObject:
        """JSON-ready dict."""
        return {
            "state": self.state,
            "consecutive_failures": self.consecutive_failures,
            "opened_count": self.opened_count,
            "last_failure": self.last_failure,
        }


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures; one probe after ``cooldown``.

    Thread-safe: agents of one run share their backend's breaker. While
    half-open, only the first caller gets the probe; the others are refused
    until it reports back.
    """

    def __init__(
        self, failure_threshold: int = 5, cooldown: float = 60.0, *, clock: Clock = time.monotonic
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold={failure_threshold} must be >= 1")
        if cooldown < 0:
            raise ValueError(f"cooldown={cooldown} must be >= 0")
        self.failure_threshold = failure_threshold
        self.cooldown = float(cooldown)
        self.clock = clock
        self._lock = threading.Lock()
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._opened_count = 0
        self._probe_out = False
        self._last_failure: str | None = None
        self.transitions: list[tuple[float, BreakerState]] = []

    @property
    def state(self) -> BreakerState:
        """``"closed"``, ``"open"`` or ``"half_open"``.

        An open breaker past its cooldown reads ``"open"`` until a caller asks :meth:`allow`.
        """
        with self._lock:
            return self._state

    def snapshot(self) -> BreakerSnapshot:
        """The current state, failure count and last failure."""
        with self._lock:
            return BreakerSnapshot(
                self._state, self._failures, self._opened_count, self._last_failure
            )

    def retry_after(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when not open)."""
        with self._lock:
            if self._state != "open":
                return 0.0
            return max(0.0, self._opened_at + self.cooldown - self.clock())

    def allow(self) -> bool:
        """Whether a call may go ahead now (the half-open probe counts as allowed)."""
        with self._lock:
            if self._state == "closed":
                return True
            if self._state == "open":
                if self.clock() - self._opened_at < self.cooldown:
                    return False
                self._move("half_open")
                self._probe_out = True
                return True
            if self._probe_out:  # half-open, the probe is still out
                return False
            self._probe_out = True
            return True

    def record_success(self) -> None:
        """A call succeeded: close the breaker and forget the failures."""
        with self._lock:
            self._failures = 0
            self._probe_out = False
            if self._state != "closed":
                self._move("closed")

    def record_failure(self, cause: str) -> None:
        """A call failed: count it, and open the breaker at the threshold or after a probe."""
        with self._lock:
            self._failures += 1
            self._last_failure = cause
            self._probe_out = False
            if self._state == "half_open" or (
                self._state == "closed" and self._failures >= self.failure_threshold
            ):
                self._opened_at = self.clock()
                self._opened_count += 1
                self._move("open")

    def _move(self, state: BreakerState) -> None:
        self._state = state
        self.transitions.append((self.clock(), state))


__all__ = [
    "BreakerSnapshot",
    "BreakerState",
    "CircuitBreaker",
    "Clock",
    "ManualClock",
    "RetryPolicy",
    "Sleeper",
    "transient_reason",
]
