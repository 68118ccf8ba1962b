"""An ordered, bounded map over a process pool: what lets the build use every core.

:func:`ordered_map` runs ``func`` on each task in worker processes and yields the
results in task order, so a build is the same whatever the number of workers. At most
``window`` tasks are in flight: results wait in the parent only that long, which keeps
memory bounded when the parent (writing the database) falls behind. With one worker,
or one task, everything runs in this process: no fork, same results.

Workers are prepared once by ``initializer(*initargs)`` (load the taxonomy, build the
citation index): objects that cannot be pickled are made inside each worker, never
sent. An exception in a task is raised here, in task order, and stops the pool.

>>> list(ordered_map(abs, [-2, 3, -4], workers=1))
[2, 3, 4]
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

__all__ = ["default_workers", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

_MAX_WORKERS = 2  # the build machine's cores; more only adds memory


def default_workers() -> int:
    """Worker processes for a build: the cores this process may use, at most two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(_MAX_WORKERS, cores))


def _context() -> Any:
    # fork: workers inherit the initializer's arguments without pickling them, and
    # start in milliseconds. Elsewhere the platform default (spawn) works too.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


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
    pool = _context().Pool(processes=min(workers, len(items)), initializer=initializer, initargs=initargs)
    try:
        pending: deque[AsyncResult[R]] = deque()
        queue = iter(items)
        for item in queue:
            pending.append(pool.apply_async(func, (item,)))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().get()
            for item in queue:
                pending.append(pool.apply_async(func, (item,)))
                break
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()
