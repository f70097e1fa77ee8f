"""The worker processes of a build, which never outlive it.

Workers are forked, so they hold the ends of the pool's pipes that would otherwise tell them
their parent is gone: after a ``kill -9`` of the build they would wait for work forever
(holding a few hundred MB each). Each worker therefore asks the kernel to kill it when its
parent dies (Linux's ``PR_SET_PDEATHSIG``); where that call is missing, a thread in the
worker watches the parent's pid instead.
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
