"""The commands behind the command line: build, check, preview, release, init, clean."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import Callable

from reportpub.build import build, planned_outputs, read_book
from reportpub.build.manifest import MANIFEST_NAME, verify_build
from reportpub.build.state import STATE_NAME
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project

Say = Callable[[str], None]


def command_build(arguments: argparse.Namespace, say: Say) -> int:
    project = Project.open(arguments.project)
    if arguments.watch:
        from reportpub.build.watch import watch

        return watch(project, arguments, say)
    with progress_display() as progress:
        result = build(project, only=arguments.only, mode=arguments.mode, force=arguments.force,
                       jobs=arguments.jobs, report=say, explain=arguments.explain, progress=progress)
    for name in result.written:
        say(f"wrote build/{name}")
    return 0


@contextlib.contextmanager
def progress_display():
    """A live status line on a terminal (rich); nothing in a pipe or on CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda message: None
        return
    from rich.console import Console

    with Console(stderr=True).status("reading the manuscript") as status:
        yield lambda message: status.update(message)


def command_preview(arguments: argparse.Namespace, say: Say) -> int:
    """Serve build/ on loopback, rebuild on save, reload the open page."""
    from reportpub.build.preview import preview

    return preview(Project.open(arguments.project), arguments, say)


def command_check(arguments: argparse.Namespace, say: Say) -> int:
    """Lint the manuscript (errors and warnings) and verify build/ against manifest.json."""
    project = Project.open(arguments.project)
    warnings: list[str] = []
    read_book(project, warn=warnings.append)
    from reportpub.citing.formatter import uncited_warnings

    warnings += uncited_warnings(project)
    for warning in warnings:
        say(warning)
    problems = verify_build(project.build_dir, "build/" + MANIFEST_NAME) if (project.build_dir / MANIFEST_NAME).is_file() else []
    if problems:
        raise ReportpubError(problems)
    say(f"check: manuscript has no errors ({len(warnings)} warning(s))"
        + ("; build/ matches manifest.json" if (project.build_dir / MANIFEST_NAME).is_file() else ""))
    return 0


def command_clean(arguments: argparse.Namespace, say: Say) -> int:
    """Remove only what reportpub made: the planned editions, the catalogue, the state and the caches."""
    project = Project.open(arguments.project)
    names = {o.name for o in planned_outputs(project)} | {"index.html", MANIFEST_NAME, STATE_NAME}
    removed = 0
    for name in sorted(names):
        path = project.build_dir / name
        if path.is_file():
            path.unlink()
            removed += 1
    for leftover in project.build_dir.glob(".*.tmp-*") if project.build_dir.is_dir() else ():
        leftover.unlink()
    shutil.rmtree(project.build_dir / ".cache", ignore_errors=True)  # derived fonts, covers, digests
    say(f"removed {removed} file(s) from build/")
    return 0


def command_release(arguments: argparse.Namespace, say: Say) -> int:
    """Copy the built editions and manifest to editions/<version>/; never overwrite a release."""
    project = Project.open(arguments.project)
    build_dir = project.build_dir
    problems = verify_build(build_dir, "build/" + MANIFEST_NAME)
    if problems:
        raise ReportpubError(problems)
    version = project.config.version
    target = project.root / "editions" / version
    if target.exists():
        raise ReportpubError.at(f"editions/{version}", f"version {version} is already released and is never overwritten; "
                                "raise 'version' in manuscript/book.toml for a new edition")
    import json

    manifest = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    staging = target.with_name(f".{version}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for record in manifest["outputs"]:
        shutil.copy2(build_dir / record["file"], staging / record["file"])
    shutil.copy2(build_dir / MANIFEST_NAME, staging / MANIFEST_NAME)
    staging.rename(target)
    for path in sorted(target.iterdir()):
        path.chmod(0o444)  # a released edition is read-only
    say(f"released {len(manifest['outputs'])} edition file(s) to editions/{version}/")
    return 0


def command_init(arguments: argparse.Namespace, say: Say) -> int:
    """A new project that builds as it is."""
    from reportpub.scaffold import create_project

    directory: Path = arguments.directory
    create_project(directory)
    say(f"created {directory}/: edit manuscript/*.md, then run: reportpub build {directory}")
    return 0
