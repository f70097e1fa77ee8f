"""The tool chain a build runs on: the versions of reportpub and of everything that shapes its
output, and of a font file (typography/fonts.py finds the files).

The manifest records them for an archivist, the reader PDF carries them in its build record,
and ``reportpub verify`` compares them with the machine it runs on. Nothing here imports
WeasyPrint (an EPUB-only build must not pay for it) or knows about editions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.metadata
import platform
from functools import lru_cache
from pathlib import Path

from reportpub import __version__

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


def font_version(path: Path) -> str:
    """The version a font file states in its name table (of its first face, for a collection)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        return font["name"].getDebugName(5) or "no version"
    except Exception:  # a file fontconfig takes that fontTools cannot read still has a digest
        return "unreadable"


# The reader PDF's record of how it was built, attached beside its sources.
BUILD_RECORD = "reportpub-build.json"


def build_record(slug: str, format_name: str, mode: str) -> bytes:
    """What ``reportpub verify`` needs to rebuild a file from its attached sources alone: the
    project's slug (a book.toml without one takes it from the directory), which edition the file
    is, and the versions of the tools that made it."""
    import json

    record = {"slug": slug, "format": format_name, "mode": mode, "tools": tool_versions()}
    return (json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
