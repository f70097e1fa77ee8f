"""How far a build has got, for an author watching a terminal: one line per job.

The build says what each job is doing as :class:`Step` values: reading the manuscript,
each writing mode's PDF as it lays out its parts (front matter, chapters, back matter)
and joins them, each EPUB and the web edition as they are written. Jobs that run in
worker processes send their steps back through a queue the pool's workers inherit
(:func:`send_from_worker`); a thread of the build hands them on. On a terminal,
:func:`progress_bars` draws them with rich, one bar per job; in a pipe or on CI nothing
is drawn at all.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass(frozen=True)
class Step:
    """Where one job is: ``done`` of ``total`` units of work (parts of a PDF, …), doing ``what``."""

    job: str  # "vertical PDF", "horizontal EPUB", "web edition", "manuscript"
    done: int
    total: int
    what: str


Progress = Callable[[Step], None]


def quiet(step: Step) -> None:
    """The progress of a build no one watches."""


# --- workers: steps go back to the build through a queue inherited when the pool forks -----

_queue_of_worker = None


def inherit_queue(queue) -> None:
    """Run in a worker as it starts: the queue its steps go back through."""
    global _queue_of_worker
    _queue_of_worker = queue


def send_from_worker(step: Step) -> None:
    """Send a step from a worker process to the build (nothing when no one listens)."""
    if _queue_of_worker is not None:
        _queue_of_worker.put(step)


@contextlib.contextmanager
def relay(queue, progress: Progress) -> Iterator[None]:
    """Hand the steps the workers put in ``queue`` on to ``progress`` while the block runs."""
    def forward() -> None:
        while (step := queue.get()) is not None:
            progress(step)

    thread = threading.Thread(target=forward, name="reportpub-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        queue.put(None)
        thread.join(timeout=5)


# --- the terminal -----------------------------------------------------------------------------


def shows_progress() -> bool:
    """Whether progress is drawn: on a terminal, not on CI, not in a pipe."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def progress_bars() -> Iterator[Progress]:
    """One rich progress bar per job on a terminal; ``quiet`` elsewhere."""
    if not shows_progress():
        yield quiet
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

    bars = RichProgress(TextColumn("{task.description:<16}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("{task.fields[what]}"),
                        console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}
    lock = threading.Lock()

    def show(step: Step) -> None:
        with lock:
            if step.job not in tasks:
                tasks[step.job] = bars.add_task(step.job, total=step.total, what=step.what)
            bars.update(tasks[step.job], completed=step.done, total=step.total, what=step.what)

    with bars:
        yield show
