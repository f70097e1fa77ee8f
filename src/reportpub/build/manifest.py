"""manifest.json: every output and input with its SHA-256, the tool chain's versions and fonts.

An archivist proves an edition with it years later; ``reportpub check`` verifies
build/ against it. It holds no time and no absolute project path, so the same
sources give the same manifest from any directory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.metadata
import json
import platform
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportpub import __version__
from reportpub.atomic import read_cache_entry, write_cache_entry
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.digests import file_digest as sha256_of
from reportpub.editions import Edition
from reportpub.typography.fonts import installed_text_font_files

MANIFEST_NAME = "manifest.json"
PYTHON_PACKAGES = ("weasyprint", "pydyf", "ebooklib", "markdown", "jinja2", "fonttools", "citeproc-py", "pillow", "pikepdf", "uharfbuzz")




@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Versions of reportpub and what shapes its output, native libraries included."""
    versions = {"reportpub": __version__, "python": platform.python_version()}
    for name in PYTHON_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    # Asked of the libraries directly: importing WeasyPrint for this would cost an EPUB-only
    # build half a second.
    versions["pango"] = _library_version("pango-1.0", "libpango-1.0.so.0", "pango_version_string")
    versions["harfbuzz"] = _library_version("harfbuzz", "libharfbuzz.so.0", "hb_version_string")
    return versions


def _library_version(name: str, fallback: str, function: str) -> str:
    try:
        library = ctypes.CDLL(ctypes.util.find_library(name) or fallback)
        getter = getattr(library, function)
        getter.restype = ctypes.c_char_p
        return getter().decode()
    except (OSError, AttributeError):
        return "unknown"


def fonts_used(cache_dir: Path) -> list[dict]:
    """The font files used, with their SHA-256. Font files are large: their digests are kept in
    ``cache_dir`` and trusted while the file's size and modification time stay the same."""
    cache_path = cache_dir / "font-digests.json"
    try:
        cache = json.loads(read_cache_entry(cache_path) or b"{}")  # {} when missing or damaged
    except ValueError:
        cache = {}
    records, changed = [], False
    for path in installed_text_font_files():
        stat = path.stat()
        known = cache.get(str(path))
        if not known or known[:2] != [stat.st_size, stat.st_mtime_ns]:
            known = [stat.st_size, stat.st_mtime_ns, sha256_of(path)]
            cache[str(path)], changed = known, True
        records.append({"file": str(path), "sha256": known[2]})
    if changed:
        write_cache_entry(cache_path, json.dumps(cache, sort_keys=True))
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


def make_manifest(config, outputs: list[OutputRecord], inputs: dict[str, str], fonts: list[dict]) -> str:
    """The manifest's JSON text (sorted keys, fixed order of lists)."""
    document = {
        "edition": {"title": config.title, "version": config.version, "identifier": config.identifier,
                    "date": config.date.isoformat() if config.date else None, "slug": config.slug},
        "outputs": [o.as_dict() for o in sorted(outputs, key=lambda o: o.edition.name)],
        "inputs": [{"file": name, "sha256": digest} for name, digest in sorted(inputs.items())],
        "tools": tool_versions(),
        "fonts": fonts,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def verify_build(build_dir: Path, relative_name: str) -> list[Diagnostic]:
    """Compare build/ with its manifest: a problem per missing or changed output."""
    path = build_dir / MANIFEST_NAME
    if not path.is_file():
        return [Diagnostic(SourceLocation(relative_name), "no manifest.json: build the editions first")]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        records = manifest["outputs"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ReportpubError.at(relative_name, f"manifest.json is not readable: {exc}")
    problems = []
    for record in records:
        output = build_dir / record["file"]
        where = SourceLocation(f"build/{record['file']}")
        if not output.is_file():
            problems.append(Diagnostic(where, "listed in manifest.json but missing"))
        elif output.stat().st_size != record["size"] or sha256_of(output) != record["sha256"]:
            problems.append(Diagnostic(where, "does not match manifest.json (SHA-256 differs): the file changed after the build"))
    return problems
