"""``reportpub build --watch``: rebuild whenever a source file is saved (watchfiles).

Only what changed is rebuilt (the normal out-of-date decisions apply), and an error
is printed as usual without ending the watch, so an author can keep the PDF open.
``reportpub preview`` waits for saves the same way (:func:`watch_sources`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable, Iterator

from reportpub.build import build
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project


def _is_source(change_path: str, project: Project) -> bool:
    path = Path(change_path)
    return project.build_dir not in path.parents and not path.name.startswith(".")


def watch_sources(project: Project) -> Iterator[set]:
    """Each batch of saves to manuscript/, styles/ or templates/ (build/ and hidden files aside)."""
    import watchfiles

    yield from watchfiles.watch(*project.input_dirs(), watch_filter=lambda _change, path: _is_source(path, project))


def watch(project: Project, arguments: argparse.Namespace, say: Callable[[str], None]) -> int:
    def once() -> None:
        started = time.monotonic()
        try:
            current = Project.open(project.root)  # book.toml may have changed
            result = build(current, only=arguments.only, mode=arguments.mode, jobs=arguments.jobs, report=say,
                           strict=arguments.strict)
            for name in result.written:
                say(f"wrote build/{name}")
            if result.written:
                say(f"built in {time.monotonic() - started:.1f} s at {time.strftime('%H:%M:%S')}")
        except ReportpubError as error:
            for diagnostic in error.diagnostics:
                say(str(diagnostic))
            say(f"build failed at {time.strftime('%H:%M:%S')}; fix and save to try again")

    once()
    say("watching manuscript/, styles/ and templates/ (Ctrl-C to stop)")
    for _ in watch_sources(project):
        once()
    return 0
