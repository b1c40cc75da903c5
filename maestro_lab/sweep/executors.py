"""Executors for sweeps, all through the ``concurrent.futures`` interface.

* A local process pool (the default): ``forkserver`` processes on Linux (a
  fork of a process holding DuckDB and threads is not safe; the fork server
  imports the runtime once, so workers start ready), ``spawn`` elsewhere.
* Dask distributed: ``Client(address).get_executor(pure=False)`` for a
  scheduler address, or the executor of a ``Client`` the caller passes.
  Tasks are not marked pure, so Dask never merges two samplings of the same
  cell into one result.
* Any :class:`concurrent.futures.Executor` the caller passes (used as it is,
  not shut down).

Dask is imported only when asked for; without it the error names the
``pip install`` to run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Final, Protocol, runtime_checkable

from maestro_lab.errors import MissingExtraError

PRELOAD: Final = ("maestro_lab.sweep.worker", "maestro_lab.runtime.session")
"""Modules the fork server imports before it forks the pool's workers."""


@runtime_checkable
class ClientLike(Protocol):
    """What the runner needs of a Dask ``Client``: an executor of its cluster."""

    def get_executor(self, **kwargs: bool) -> Executor:
        """A ``concurrent.futures`` executor submitting to the cluster."""
        ...


def default_workers() -> int:
    """Worker processes of the local pool when none are asked for: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def local_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A local process pool of ``workers`` processes (default: :func:`default_workers`)."""
    count = default_workers() if workers is None else workers
    if count < 1:
        raise ValueError(f"workers={count} must be at least 1")
    if sys.platform.startswith("linux"):
        context: multiprocessing.context.BaseContext = multiprocessing.get_context("forkserver")
        # workers fork from a server that imported the runtime once (a no-op once it runs)
        multiprocessing.set_forkserver_preload(list(PRELOAD))
    else:  # pragma: no cover - not Linux
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=count, mp_context=context)


def dask_client(address: str, *, timeout: float = 30.0) -> ClientLike:
    """A Dask ``Client`` connected to the scheduler at ``address``.

    Raises
    ------
    MissingExtraError
        ``dask[distributed]`` is not installed.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise MissingExtraError("dask[distributed]", "dask") from exc
    client: ClientLike = Client(address, timeout=timeout)  # type: ignore[no-untyped-call]
    return client


def describe(executor: Executor | ClientLike) -> str:
    """A short label of an executor for the ``sweeps`` table (``local-pool:2``, ``dask:<addr>``)."""
    if isinstance(executor, ProcessPoolExecutor):
        return f"local-pool:{getattr(executor, '_max_workers', '?')}"
    if isinstance(executor, ClientLike) and not isinstance(executor, Executor):
        scheduler = getattr(executor, "scheduler", None)
        address = getattr(scheduler, "address", None)
        return f"dask:{address}" if address else "dask"
    module = type(executor).__module__.split(".")[0]
    if module == "distributed":
        client = getattr(executor, "_client", None)
        address = getattr(getattr(client, "scheduler", None), "address", None)
        return f"dask:{address}" if address else "dask"
    return type(executor).__name__


@contextmanager
def open_executor(
    executor: Executor | ClientLike | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[Executor, str]]:
    """``(executor, label)`` for a sweep; closes what it opened, leaves the caller's alone.

    ``executor`` wins over ``scheduler``, which wins over the local pool.
    """
    if executor is not None:
        label = describe(executor)
        if isinstance(executor, Executor):
            yield executor, label
        else:
            yield executor.get_executor(pure=False), label
        return
    if scheduler is not None:
        client = dask_client(scheduler)
        try:
            yield client.get_executor(pure=False), describe(client)
        finally:
            close = getattr(client, "close", None)
            if callable(close):
                close()
        return
    pool = local_pool(workers)
    try:
        yield pool, describe(pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = [
    "ClientLike",
    "dask_client",
    "default_workers",
    "describe",
    "local_pool",
    "open_executor",
]
