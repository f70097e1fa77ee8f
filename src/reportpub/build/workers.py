"""The worker processes of a build, which never outlive it, and how many a build starts.

Workers are forked, so they hold the ends of the pool's pipes that would otherwise tell them
their parent is gone: after a ``kill -9`` of the build they would wait for work forever
(holding a few hundred MB each). Each worker therefore asks the kernel to kill it when its
parent dies (Linux's ``PR_SET_PDEATHSIG``); where that call is missing, a thread in the
worker watches the parent's pid instead.

Without ``--jobs``, a build starts no more workers than the cores it may run on and no more
than it has work to run at once (:func:`default_workers`): a worker costs a fork and its
share of the parent's memory, and one with nothing to do makes a build slower, not faster.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset``
    narrows; os.cpu_count() counts the machine's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers(pdf_jobs: int, other_jobs: int, lone_chapter_edits: int) -> int:
    """Workers for a build given no ``--jobs``. A PDF job keeps every core busy (its parts are
    laid out side by side, writers/pdf/parts.py), except one whose only change is one chapter
    (``lone_chapter_edits`` of the ``pdf_jobs``): it lays that chapter out, and the parts after
    it only one by one as their starts become known, so it is one task, as every other job is.
    One task in all is built without workers."""
    cores = usable_cores()
    if pdf_jobs > lone_chapter_edits:
        return cores
    return min(cores, lone_chapter_edits + other_jobs)


def worker_pool(workers: int, progress_queue=None) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes that die with this one. Create and use it from
    the main thread: the kernel's parent-death signal follows the thread that forked. Steps
    the workers report (build/progress.py) go into ``progress_queue``, when given."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(), progress_queue))


def _start_worker(parent: int, progress_queue) -> None:
    from reportpub.build.progress import inherit_queue

    die_with_parent(parent)
    inherit_queue(progress_queue)


def die_with_parent(parent: int) -> None:
    """Run first in a worker: end this process when ``parent`` ends."""
    if not _ask_kernel():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _ask_kernel() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
