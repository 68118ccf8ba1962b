"""An ordered, bounded map over a process pool: what lets the build use every core.

:func:`ordered_map` runs ``func`` on each task in worker processes and yields the
results in task order, so a build is the same whatever the number of workers. At most
``window`` tasks are in flight: results wait in the parent only that long, which keeps
memory bounded when the parent (writing the database) falls behind. With one worker,
or one task, everything runs in this process: no fork, same results.

Workers are prepared once by ``initializer(*initargs)`` (load the taxonomy, build the
citation index): objects that cannot be pickled are made inside each worker, never
sent. An exception in a task is raised here, in task order, and stops the pool. A worker
that dies (killed, out of memory, a crash in C code) raises :class:`kb.errors.BuildError`
at once: ``concurrent.futures`` notices the lost process, where ``multiprocessing.Pool``
would wait for its result for ever. A build killed outright takes its workers with it: each
worker asks the kernel for SIGKILL when its parent dies (Linux ``PR_SET_PDEATHSIG``).

>>> list(ordered_map(abs, [-2, 3, -4], workers=1))
[2, 3, 4]
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from kb.errors import BuildError

__all__ = ["default_workers", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

_MAX_WORKERS = 2  # the build machine's cores; more only adds memory


def default_workers(limit: int = _MAX_WORKERS) -> int:
    """Worker processes: the cores this process may use, at most ``limit`` (a build's default: two)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(limit, cores))


def _context() -> Any:
    # fork: workers inherit the initializer's arguments without pickling them, and
    # start in milliseconds. Elsewhere the platform default (spawn) works too.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this worker when the build process dies (Linux; a no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _start_worker(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    _die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def ordered_map(
    func: Callable[[T], R],
    tasks: Iterable[T],
    *,
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    window: int = 64,
) -> Generator[R, None, None]:
    """``map(func, tasks)`` over ``workers`` processes, in order, ``window`` in flight."""
    items = list(tasks)
    if workers <= 1 or len(items) <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield func(item)
        return
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(items)),
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )
    try:
        pending: deque[Future[R]] = deque()
        queue = iter(items)
        for item in queue:
            pending.append(pool.submit(func, item))
            if len(pending) >= window:
                break
        while pending:
            try:
                result = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise BuildError(f"a build worker process died ({exc}); nothing was swapped in") from exc
            for item in queue:
                pending.append(pool.submit(func, item))
                break
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
