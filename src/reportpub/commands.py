"""The commands behind the command line: build, check, preview, release, init, clean."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Callable

from reportpub.build import build, planned_outputs, read_book
from reportpub.build.manifest import MANIFEST_NAME, verify_build
from reportpub.build.state import STATE_NAME
from reportpub.diagnostics import CRASH_LOG, ReportpubError, machine_faults_reported
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
    """Lint the manuscript (errors and warnings) and verify build/ against manifest.json."""
    project = Project.open(arguments.project)
    warnings: list[str] = []
    book = read_book(project, warn=warnings.append)
    from reportpub.citing.formatter import uncited_warnings

    warnings += uncited_warnings(project, book.cited_keys)
    for warning in warnings:
        say(warning)
    built = (project.build_dir / MANIFEST_NAME).is_file()
    problems = verify_build(project.build_dir, "build/" + MANIFEST_NAME) if built else []
    if problems:
        raise ReportpubError(problems)
    epubs = _check_epubs(project, say) if built else ""
    say(f"check: manuscript has no errors ({len(warnings)} warning(s))"
        + ("; build/ matches manifest.json" if built else "") + epubs)
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
            shutil.rmtree(build_dir / ".cache", ignore_errors=True)  # derived fonts, covers, digests
            (build_dir / LOCK_NAME).unlink()
    say(f"removed {removed} file(s) from build/")
    return 0


def command_release(arguments: argparse.Namespace, say: Say) -> int:
    """Copy the built editions and manifest to editions/<version>/; never overwrite a release."""
    project = Project.open(arguments.project)
    build_dir = project.output_dir("build")  # never read through a link out of the project
    problems = verify_build(build_dir, "build/" + MANIFEST_NAME)
    if problems:
        raise ReportpubError(problems)
    version = project.config.version
    _refuse_version_as_folder_name(project, version)
    with machine_faults_reported(project.root, "editions/"):
        return _release(project, version, say)


def _refuse_version_as_folder_name(project: Project, version: str) -> None:
    """editions/<version>/ must be one folder inside editions/: no separator, no '.' or '..'."""
    if not version.strip() or version.startswith(".") or any(c in version for c in '/\\\0'):
        from reportpub.config import line_of_key

        line = line_of_key((project.manuscript / "book.toml").read_text(encoding="utf-8"), "version")
        raise ReportpubError.at(project.config.path, f"version {version!r} cannot name a folder in editions/ "
                                "(no '/', '\\', and not starting with '.'); write it as, say, \"1.0\"", line)


def _release(project: Project, version: str, say: Say) -> int:
    build_dir = project.build_dir
    target = project.output_dir("editions") / version
    if target.exists():
        raise ReportpubError.at(f"editions/{version}", f"version {version} is already released and is never overwritten; "
                                "raise 'version' in manuscript/book.toml for a new edition")
    import json

    manifest = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    staging = target.with_name(f".{version}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for record in manifest["outputs"]:
            shutil.copy2(build_dir / record["file"], staging / record["file"])
        shutil.copy2(build_dir / MANIFEST_NAME, staging / MANIFEST_NAME)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # a copy that failed half-way leaves nothing
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
