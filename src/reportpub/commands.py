"""The commands behind the command line: build, check, preview, release, verify, init, clean."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Callable

from reportpub.build import build, planned_outputs, read_book
from reportpub.build.manifest import MANIFEST_NAME, verify_build
from reportpub.build.state import STATE_NAME
from reportpub.cache import cache_root
from reportpub.diagnostics import CRASH_LOG, Diagnostic, ReportpubError, SourceLocation, machine_faults_reported
from reportpub.project import Project

Say = Callable[[str], None]


def command_build(arguments: argparse.Namespace, say: Say) -> int:
    project = Project.open(arguments.project)
    if arguments.watch:
        from reportpub.build.watch import watch

        return watch(project, arguments, say)
    from reportpub.build.progress import progress_bars

    with progress_bars() as progress:
        result = build(project, only=arguments.only, mode=arguments.mode, force=arguments.force,
                       jobs=arguments.jobs, report=say, explain=arguments.explain, progress=progress,
                       strict=arguments.strict)
    for name in result.written:
        say(f"wrote build/{name}")
    return 0


def command_preview(arguments: argparse.Namespace, say: Say) -> int:
    """Serve build/ on loopback, rebuild on save, reload the open page."""
    from reportpub.build.preview import preview

    return preview(Project.open(arguments.project), arguments, say)


def command_check(arguments: argparse.Namespace, say: Say) -> int:
    """Lint the manuscript (errors and warnings), verify build/ against manifest.json, and say
    which files of build/ are out of date and why; ``--strict`` makes an out-of-date or mixed
    build/ an error."""
    from reportpub.build import out_of_date

    project = Project.open(arguments.project)
    warnings: list[str] = []
    book = read_book(project, warn=warnings.append)
    from reportpub.citing.formatter import uncited_warnings

    warnings += uncited_warnings(project, book.cited_keys)
    for warning in warnings:
        say(warning)
    built = (project.build_dir / MANIFEST_NAME).is_file()
    problems = verify_build(project.build_dir, "build/" + MANIFEST_NAME) if built else []
    severity = "error" if arguments.strict else "warning"
    reported = {diagnostic.location.path for diagnostic in problems}
    stale = [Diagnostic(SourceLocation(f"build/{name}"), f"out of date: {reason}", severity)
             for name, reason in out_of_date(project).items()
             if f"build/{name}" not in reported] if built or arguments.strict else []
    if arguments.strict and (problems or stale):
        raise ReportpubError(problems + stale)
    for diagnostic in stale:
        say(str(diagnostic))
    if problems:
        raise ReportpubError(problems)
    epubs = _check_epubs(project, say) if built else ""
    say(f"check: manuscript has no errors ({len(warnings)} warning(s))"
        + ("" if not built else "; build/ matches manifest.json" + (
            f" but {len(stale)} file(s) are out of date: run 'reportpub build'" if stale
            else " and is up to date with the sources")) + epubs)
    return 0


def _check_epubs(project: Project, say: Say) -> str:
    """EPUBCheck on every EPUB build/ holds: its errors end the check, its warnings are shown;
    what to add to the summary line."""
    from reportpub.build.epubcheck import check_epub, unavailable

    epubs = sorted(project.build_dir.glob("*.epub"))
    if not epubs:
        return ""
    why_not = unavailable()
    if why_not:
        say(f"warning: {why_not}; the EPUBs were not validated")
        return ""
    found = [d for path in epubs for d in check_epub(path, f"build/{path.name}")]
    for diagnostic in found:
        if diagnostic.severity == "warning":
            say(str(diagnostic))
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise ReportpubError(errors)
    return f"; EPUBCheck passes {len(epubs)} EPUB(s)" + (f" with {len(found)} warning(s)" if found else "")


def command_clean(arguments: argparse.Namespace, say: Say) -> int:
    """Remove only what reportpub made: the planned editions, the catalogue, the state and the caches."""
    from reportpub.build.lock import LOCK_NAME, exclusive_build

    project = Project.open(arguments.project)
    names = {o.name for o in planned_outputs(project)} | {"index.html", MANIFEST_NAME, STATE_NAME, CRASH_LOG}
    removed = 0
    if not project.build_dir.exists() and not project.build_dir.is_symlink():
        say("removed 0 file(s) from build/")
        return 0
    with machine_faults_reported(project.root):
        build_dir = project.output_dir("build")  # a link out of the project is refused, never followed
        with exclusive_build(build_dir):  # which also removes what killed builds left
            for name in sorted(names):
                path = build_dir / name
                if path.is_file() or path.is_symlink():
                    path.unlink()
                    removed += 1
            shutil.rmtree(cache_root(build_dir), ignore_errors=True)  # derived fonts, covers, digests
            (build_dir / LOCK_NAME).unlink()
    say(f"removed {removed} file(s) from build/")
    return 0


def command_release(arguments: argparse.Namespace, say: Say) -> int:
    """Build, then store every edition, the download page and the manifest of that build in
    editions/<version>/, read-only; never overwrite a release."""
    from reportpub.build.release import refuse_existing, release

    project = Project.open(arguments.project)
    _refuse_version_as_folder_name(project, project.config.version)
    refuse_existing(project)
    if not arguments.no_build:
        from reportpub.build.progress import progress_bars

        with progress_bars() as progress:
            result = build(project, jobs=arguments.jobs, report=say, progress=progress)
        for name in result.written:
            say(f"wrote build/{name}")
    with machine_faults_reported(project.root, "editions/"):
        released = release(project)
    say(f"released {len(released)} file(s) to editions/{project.config.version}/: "
        f"{len(released) - 2} edition(s), index.html and {MANIFEST_NAME}")
    return 0


def _refuse_version_as_folder_name(project: Project, version: str) -> None:
    """editions/<version>/ must be one folder inside editions/: no separator, no '.' or '..'."""
    if not version.strip() or version.startswith(".") or any(c in version for c in '/\\\0'):
        from reportpub.config import line_of_key

        line = line_of_key((project.manuscript / "book.toml").read_text(encoding="utf-8"), "version")
        raise ReportpubError.at(project.config.path, f"version {version!r} cannot name a folder in editions/ "
                                "(no '/', '\\', and not starting with '.'); write it as, say, \"1.0\"", line)


def command_verify(arguments: argparse.Namespace, say: Say) -> int:
    """Rebuild a released file (or release folder) from the sources it carries and compare bytes:
    exit 0 only when identical."""
    from reportpub.verify import verify

    verdict = verify(arguments.file)
    for line in verdict.lines:
        say(line)
    say(verdict.summary)
    return 0 if verdict.identical else 1


def command_init(arguments: argparse.Namespace, say: Say) -> int:
    """A new project that builds as it is."""
    from reportpub.scaffold import create_project

    directory: Path = arguments.directory
    create_project(directory)
    say(f"created {directory}/: edit manuscript/*.md, then run: reportpub build {directory}")
    return 0
