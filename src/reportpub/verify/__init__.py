"""reportpub verify: prove a released edition is what its own sources build, byte for byte.

A reader PDF carries its sources (PDF/A-3 associated files, relationship Source) and a record of
how it was built (toolchain.BUILD_RECORD: slug, edition, tool versions); a release folder carries
manifest.json, which names every edition, the digest of every source and the tool and font
versions. verify takes those sources, builds them in a temporary folder on this machine, and
compares bytes. When they differ it says which edition, where in it (``compare``), and which
recorded version this machine does not have — the likely cause, as the build is reproducible.
Nothing of the project the file came from is read, so a release made months before, in another
directory or on another machine with the same versions, verifies the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from reportpub.diagnostics import ReportpubError
from reportpub.toolchain import BUILD_RECORD, tool_versions

VERIFIED = "verified: identical to a build of its attached sources"
EDITION_KINDS = {"pdf": "reader PDF", "print": "print PDF", "epub": "EPUB", "html": "web edition"}


@dataclass
class Verdict:
    """What verify found: ``identical`` only when every compared file is, byte for byte."""

    subject: str
    identical: bool = True
    lines: list[str] = field(default_factory=list)

    def differs(self, where: str, message: str) -> None:
        self.identical = False
        self.lines.append(f"{where}: {message}")

    @property
    def summary(self) -> str:
        if self.identical:
            return VERIFIED
        return f"not verified: {self.subject} is not identical to a build of its attached sources"


@dataclass(frozen=True)
class Edition:
    """One released file, as its build record or the manifest describes it."""

    file: str
    format: str
    mode: str

    @property
    def label(self) -> str:
        kind = EDITION_KINDS.get(self.format, self.format)
        return f"{self.file} ({kind}, {self.mode})" if self.mode else f"{self.file} ({kind})"


def verify(path: Path) -> Verdict:
    """Verify a released reader PDF, an EPUB or print PDF beside its manifest, or a release folder."""
    from reportpub.build.manifest import MANIFEST_NAME

    if path.is_dir():
        return _verify_release(path)
    if not path.is_file():
        raise ReportpubError.at(str(path), "no such file or release folder")
    manifest = _read_manifest(path.parent / MANIFEST_NAME)
    if manifest is not None and path.name in _outputs(manifest):
        record = _outputs(manifest)[path.name]
        edition = Edition(path.name, record["format"], record["mode"])
        sources = _release_sources(path.parent, manifest)
        slug, tools = manifest["edition"]["slug"], manifest.get("tools", {})
    elif path.suffix.lower() == ".pdf":
        sources, record = sources_of_pdf(path)
        if record is None:
            raise ReportpubError.at(str(path), f"carries no {BUILD_RECORD}: not a reader PDF made by this reportpub "
                                    f"(verify it in its release folder, beside its {MANIFEST_NAME})")
        edition = Edition(path.name, record["format"], record["mode"])
        slug, tools = record["slug"], record.get("tools", {})
    else:
        raise ReportpubError.at(str(path), f"no {MANIFEST_NAME} beside it lists this file: verify an EPUB or a print "
                                "PDF in its release folder, or a reader PDF, which carries its sources")
    verdict = Verdict(path.name)
    with _rebuilt(sources, slug, edition.format, edition.mode) as made:
        _compare(verdict, edition, path.read_bytes(), made(edition))
    if not verdict.identical:
        _version_differences(verdict, edition.label, tools)
    return verdict


def _verify_release(folder: Path) -> Verdict:
    """Every file of a release folder against one build of the sources its reader PDF carries."""
    from reportpub.build.manifest import DOWNLOAD_PAGE, MANIFEST_NAME

    manifest = _read_manifest(folder / MANIFEST_NAME)
    if manifest is None:
        raise ReportpubError.at(str(folder), f"holds no readable {MANIFEST_NAME}: not a release folder")
    sources = _release_sources(folder, manifest)
    verdict = Verdict(str(folder))
    with _rebuilt(sources, manifest["edition"]["slug"], None, None) as made:
        for name, record in sorted(_outputs(manifest).items()):
            edition = Edition(name, record["format"], record["mode"])
            if not (folder / name).is_file():
                verdict.differs(edition.label, f"listed in {MANIFEST_NAME} but missing from the release")
            else:
                _compare(verdict, edition, (folder / name).read_bytes(), made(edition))
        for name, kind in ((DOWNLOAD_PAGE, "download page"), (MANIFEST_NAME, "manifest")):
            edition = Edition(name, kind, "")
            if not (folder / name).is_file():
                verdict.differs(edition.label, "missing from the release")
            else:
                _compare(verdict, edition, (folder / name).read_bytes(), made(edition))
    if not verdict.identical:
        _version_differences(verdict, MANIFEST_NAME, manifest.get("tools", {}), manifest.get("fonts", []))
    return verdict


def _compare(verdict: Verdict, edition: Edition, released: bytes, rebuilt: bytes) -> None:
    from reportpub.verify.compare import differences

    for message in differences(edition.file, released, rebuilt):
        verdict.differs(edition.label, message)


def _version_differences(verdict: Verdict, where: str, recorded: dict, fonts: list | None = None) -> None:
    """The recorded tool and font versions this machine does not have."""
    now = tool_versions()
    for name in sorted(set(recorded) | set(now)):
        if recorded.get(name) != now.get(name):
            verdict.differs(where, f"{name}: built with {recorded.get(name, 'none')}, "
                            f"this machine has {now.get(name, 'none')}")
    if fonts:
        from reportpub.build.manifest import fonts_used

        with tempfile.TemporaryDirectory(prefix="reportpub-verify-") as cache:
            here = {family: font for font in fonts_used(Path(cache)) for family in font.get("families", [])}
        for font in fonts:
            for family in font.get("families", [font["file"]]):
                mine = here.get(family)
                if mine is None:
                    verdict.differs(where, f"font {family}: built with {font['file']}, which this machine does not have")
                elif mine["sha256"] != font["sha256"]:
                    verdict.differs(where, f"font {family}: built with {font.get('version', 'a file')} ({font['file']}), "
                                    f"this machine has {mine['version']} ({mine['file']})")


# --- the sources -------------------------------------------------------------------------------


def sources_of_pdf(path: Path) -> tuple[dict[str, bytes], dict | None]:
    """The sources a reader PDF carries, by project-relative name, and its build record."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            attached = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    except (pikepdf.PdfError, OSError) as exc:
        raise ReportpubError.at(str(path), f"not a readable PDF: {exc}")
    record = attached.pop(BUILD_RECORD, None)
    if record is not None:
        try:
            record = json.loads(record)
            if not all(isinstance(record.get(key), str) for key in ("slug", "format", "mode")):
                raise ValueError("no slug, format or mode")
        except ValueError as exc:
            raise ReportpubError.at(str(path), f"its attached {BUILD_RECORD} is not readable: {exc}")
        _check_source_name(path, record["slug"])
    if "manuscript/book.toml" not in attached:
        raise ReportpubError.at(str(path), "carries no manuscript/book.toml: its sources are not attached")
    for name in attached:
        _check_source_name(path, name)
    return attached, record


def _check_source_name(where: Path, name: str) -> None:
    """An attached name is written into the temporary project: only plain relative paths."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or any(part in ("..", ".") for part in path.parts):
        raise ReportpubError.at(str(where), f"an attached source is named '{name}', which is not a path inside a project")


def _release_sources(folder: Path, manifest: dict) -> dict[str, bytes]:
    """The sources manifest.json names, from a reader PDF of the release (which carries them),
    checked against the manifest's digests."""
    readers = [folder / name for name, record in sorted(_outputs(manifest).items())
               if record["format"] == "pdf" and (folder / name).is_file()]
    if not readers:
        raise ReportpubError.at(str(folder), "holds no reader PDF, which carries the sources: "
                                "without them there is nothing to rebuild")
    sources, _ = sources_of_pdf(readers[0])
    named = {entry["file"]: entry["sha256"] for entry in manifest.get("inputs", [])}
    attached = {name: hashlib.sha256(data).hexdigest() for name, data in sources.items()}
    if named != attached:
        changed = sorted(n for n in set(named) | set(attached) if named.get(n) != attached.get(n))
        raise ReportpubError.at(str(readers[0]), "its attached sources are not the ones manifest.json names: "
                                + ", ".join(changed))
    _check_source_name(folder, manifest["edition"]["slug"])
    return sources


def _read_manifest(path: Path) -> dict | None:
    from reportpub.build.manifest import read_manifest

    if not path.is_file():
        return None
    return read_manifest(path, str(path))


def _outputs(manifest: dict) -> dict[str, dict]:
    return {record["file"]: record for record in manifest["outputs"]}


# --- the rebuild -------------------------------------------------------------------------------


@contextlib.contextmanager
def _rebuilt(sources: dict[str, bytes], slug: str, only: str | None, mode: str | None
             ) -> Iterator[Callable[[Edition], bytes]]:
    """A build of ``sources`` in a temporary project folder named ``slug`` (a book.toml without a
    slug takes it from the folder's name), trusting no cache; yields what it made, by edition."""
    from reportpub.build import build, planned_outputs
    from reportpub.project import Project

    with tempfile.TemporaryDirectory(prefix="reportpub-verify-") as temporary:
        root = Path(temporary) / slug
        for name, data in sources.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        # The dates of the editions come from book.toml, as they did when they were released.
        saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
        try:
            project = Project.open(root)
            build(project, only=only, mode=mode, force=True, jobs=1 if only else None, report=lambda message: None)
        finally:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            if saved is not None:
                os.environ["SOURCE_DATE_EPOCH"] = saved
        names = {(o.format, o.mode): o.name for o in planned_outputs(project)}

        def made(edition: Edition) -> bytes:
            name = names.get((edition.format, edition.mode), edition.file)
            path = project.build_dir / name
            if not path.is_file():
                raise ReportpubError.at(edition.file, "its sources build no such edition: they configure other editions")
            return path.read_bytes()

        yield made
