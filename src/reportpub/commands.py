"""The commands behind the command line: build, check, release, init, clean."""

from __future__ import annotations

import argparse
from typing import Callable

from reportpub.build import build, planned_outputs
from reportpub.project import Project

Say = Callable[[str], None]


def command_build(arguments: argparse.Namespace, say: Say) -> int:
    project = Project.open(arguments.project)
    result = build(project, only=arguments.only, mode=arguments.mode, report=say)
    for path in result.written:
        say(f"wrote {project.relative(path)}")
    return 0


def command_check(arguments: argparse.Namespace, say: Say) -> int:
    from reportpub.build import read_book

    project = Project.open(arguments.project)
    read_book(project, warn=say)
    say("manuscript: no errors")
    return 0


def command_clean(arguments: argparse.Namespace, say: Say) -> int:
    project = Project.open(arguments.project)
    names = {output.name for output in planned_outputs(project)} | {"index.html", "manifest.json"}
    removed = 0
    for name in sorted(names):
        path = project.build_dir / name
        if path.is_file():
            path.unlink()
            removed += 1
    say(f"removed {removed} file(s) from build/")
    return 0


def command_release(arguments: argparse.Namespace, say: Say) -> int:
    raise NotImplementedError("release")


def command_init(arguments: argparse.Namespace, say: Say) -> int:
    raise NotImplementedError("init")
