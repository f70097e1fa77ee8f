"""A release: every edition, the download page and the manifest of one current build, stored
read-only in ``editions/<version>/`` — whole or not at all, and never overwritten.

What is released is what the sources make now: the release builds first (or, asked not to,
refuses with the reasons build/ is out of date), then checks build/ against the sources and
against its manifest once more, copies the files into a temporary folder beside the target,
checks each copy's SHA-256 against the manifest, and only then renames the folder into place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from reportpub.build import out_of_date
from reportpub.build.lock import exclusive_build
from reportpub.build.manifest import DOWNLOAD_PAGE, MANIFEST_NAME, read_manifest, sha256_of, verify_build
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.project import Project


def release_folder(project: Project) -> Path:
    return project.root / "editions" / project.config.version


def refuse_existing(project: Project) -> None:
    """A version is released once: a second release of it is refused, the first kept as it is."""
    version = project.config.version
    if release_folder(project).exists():
        raise ReportpubError.at(f"editions/{version}", f"version {version} is already released and is never overwritten; "
                                "raise 'version' in manuscript/book.toml for a new edition")


def release_problems(project: Project) -> list[Diagnostic]:
    """Why build/ cannot be released as it is: an edition out of date or missing, a manifest or
    download page not of this build, a file changed after it (empty when it can)."""
    problems = [Diagnostic(SourceLocation(f"build/{name}"), f"out of date: {reason}")
                for name, reason in out_of_date(project).items()]
    if not problems:
        problems = verify_build(project.build_dir, f"build/{MANIFEST_NAME}")
    return problems


def release(project: Project) -> list[str]:
    """Copy the current build to editions/<version>/; returns the names of the files released.
    It holds the build lock: no build replaces a file of build/ while it is checked and copied."""
    with exclusive_build(project.output_dir("build")):
        refuse_existing(project)
        problems = release_problems(project)
        if problems:
            raise ReportpubError(problems + [Diagnostic(SourceLocation("build/"), "nothing was released: "
                                                        "run 'reportpub build', or release without --no-build")])
        return _copy_whole(project, project.output_dir("editions") / project.config.version)


def _copy_whole(project: Project, target: Path) -> list[str]:
    """The files of the build's manifest, copied beside ``target``, checked, then renamed into place."""
    build_dir = project.build_dir
    manifest = read_manifest(build_dir / MANIFEST_NAME, f"build/{MANIFEST_NAME}")
    expected = {record["file"]: record["sha256"] for record in manifest["outputs"]}
    expected[DOWNLOAD_PAGE] = manifest["download_page"]["sha256"]
    expected[MANIFEST_NAME] = sha256_of(build_dir / MANIFEST_NAME)
    staging = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name, digest in sorted(expected.items()):
            shutil.copy2(build_dir / name, staging / name)
            if sha256_of(staging / name) != digest:  # changed on the disk since it was checked
                raise ReportpubError.at(f"build/{name}", "changed while it was released; nothing was released")
            (staging / name).chmod(0o444)  # a released edition is read-only
        refuse_existing(project)  # another release may have finished meanwhile
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(expected)
