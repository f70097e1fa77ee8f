"""``reportpub build --watch``: rebuild whenever a source file is saved (watchfiles).

Only what changed is rebuilt (the normal out-of-date decisions apply), and an error
is printed as usual without ending the watch, so an author can keep the PDF open.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

from reportpub.build import build
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project


def _is_source(change_path: str, project: Project) -> bool:
    path = Path(change_path)
    return project.build_dir not in path.parents and not path.name.startswith(".")


def watch(project: Project, arguments: argparse.Namespace, say: Callable[[str], None]) -> int:
    import watchfiles

    def once(current: Project) -> None:
        try:
            result = build(current, only=arguments.only, mode=arguments.mode, jobs=arguments.jobs, report=say)
            for name in result.written:
                say(f"wrote build/{name}")
        except ReportpubError as error:
            for diagnostic in error.diagnostics:
                say(str(diagnostic))

    once(project)
    say("watching manuscript/, styles/ and templates/ (Ctrl-C to stop)")
    roots = [p for p in (project.manuscript, project.styles_dir, project.templates_dir) if p.is_dir()]
    for changes in watchfiles.watch(*roots, watch_filter=lambda _change, path: _is_source(path, project)):
        try:
            current = Project.open(project.root)  # book.toml may have changed
        except ReportpubError as error:
            for diagnostic in error.diagnostics:
                say(str(diagnostic))
            continue
        once(current)
    return 0
