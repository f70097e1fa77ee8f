"""manifest.json: every output and input with its SHA-256, the tool chain's versions and fonts.

An archivist proves an edition with it years later; ``reportpub check`` verifies
build/ against it. It holds no time and no absolute project path, so the same
sources give the same manifest from any directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reportpub.cache import Cache
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.digests import file_digest as sha256_of
from reportpub.editions import Edition
from reportpub.toolchain import font_version, tool_versions
from reportpub.typography.fonts import TEXT_FACES, find_face

MANIFEST_NAME = "manifest.json"
DOWNLOAD_PAGE = "index.html"


def fonts_used(cache_dir: Path) -> list[dict]:
    """The font files used: path, the faces fontconfig takes it for, the version its name table
    states, SHA-256. Font files are large: digest and version are kept in ``cache_dir`` and
    trusted while the file's size and modification time stay the same."""
    digests = Cache(cache_dir)  # one slot: font-digests.json
    try:
        cache = json.loads(digests.get("font-digests", "json") or b"{}")  # {} when missing or damaged
    except ValueError:
        cache = {}
    faces: dict[Path, list[str]] = {}
    for face in TEXT_FACES:
        try:
            faces.setdefault(find_face(face.pattern).path, []).append(face.pattern)
        except ReportpubError:
            continue  # reported where the face is needed
    records, changed = [], False
    for path in sorted(faces):
        stat = path.stat()
        known = cache.get(str(path))
        if not known or len(known) < 4 or known[:2] != [stat.st_size, stat.st_mtime_ns]:
            known = [stat.st_size, stat.st_mtime_ns, sha256_of(path), font_version(path)]
            cache[str(path)], changed = known, True
        records.append({"file": str(path), "families": faces[path], "version": known[3], "sha256": known[2]})
    if changed:
        digests.put("font-digests", json.dumps(cache, sort_keys=True), "json")
    return records


@dataclass(frozen=True)
class OutputRecord:
    """An edition file as the manifest lists it."""

    edition: Edition
    size: int
    sha256: str

    def as_dict(self) -> dict:
        edition = self.edition
        record = {"file": edition.name, "format": edition.format, "mode": edition.mode, "size": self.size,
                  "sha256": self.sha256}
        variant = edition.pdf_variant
        if variant:
            record["conformance"] = variant.conformance
        return record


def make_manifest(config, outputs: list[OutputRecord], download_page: dict, inputs: dict[str, str],
                  fonts: list[dict]) -> str:
    """The manifest's JSON text (sorted keys, fixed order of lists). ``download_page`` is the
    file, size and SHA-256 of the index.html written with it."""
    document = {
        "download_page": download_page,
        "edition": {"title": config.title, "version": config.version, "identifier": config.identifier,
                    "date": config.date.isoformat() if config.date else None, "slug": config.slug},
        "outputs": [o.as_dict() for o in sorted(outputs, key=lambda o: o.edition.name)],
        "inputs": [{"file": name, "sha256": digest} for name, digest in sorted(inputs.items())],
        "tools": tool_versions(),
        "fonts": fonts,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path, relative_name: str) -> dict:
    """A manifest.json as written by make_manifest, or an error at ``relative_name``."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not all(isinstance(r["file"], str) for r in manifest["outputs"]):
            raise TypeError("no list of outputs")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportpubError.at(relative_name, f"manifest.json is not readable: {exc}")
    return manifest


def verify_build(build_dir: Path, relative_name: str) -> list[Diagnostic]:
    """Compare build/ with its manifest: a problem per missing or changed output."""
    path = build_dir / MANIFEST_NAME
    if not path.is_file():
        return [Diagnostic(SourceLocation(relative_name), "no manifest.json: build the editions first")]
    manifest = read_manifest(path, relative_name)
    problems = []
    for record in manifest["outputs"] + ([manifest["download_page"]] if "download_page" in manifest else []):
        output = build_dir / record["file"]
        where = SourceLocation(f"build/{record['file']}")
        if not output.is_file():
            problems.append(Diagnostic(where, "listed in manifest.json but missing"))
        elif output.stat().st_size != record["size"] or sha256_of(output) != record["sha256"]:
            problems.append(Diagnostic(where, "does not match manifest.json (SHA-256 differs): the file changed after the build"))
    return problems
