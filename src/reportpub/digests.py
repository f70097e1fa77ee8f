"""Digests of files, of reportpub's own package and of the system fonts.

The ground floor of every out-of-date decision and of the manifest: a file's SHA-256,
reportpub's package (code, templates, theme, data) as one digest, and the installed
fonts' identity. Nothing here knows about editions or builds.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from reportpub.typography.fonts import installed_text_font_files

PACKAGE_DIR = Path(__file__).resolve().parent


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_package_digest: str | None = None


def package_digest() -> str:
    """reportpub's own code, templates, theme and data: a change in any rebuilds everything."""
    global _package_digest
    if _package_digest is None:
        digest = hashlib.sha256()
        for path in sorted(PACKAGE_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
                digest.update(file_digest(path).encode())
        _package_digest = digest.hexdigest()
    return _package_digest


@lru_cache(maxsize=None)
def fonts_digest(fonts=None) -> str:
    """The identity of the text fonts the editions are set in, wherever fontconfig finds them:
    the theme's, or with book.toml's ``[fonts]`` (config.FontsConfig) the system families it
    chose, so that a chosen family's file changing rebuilds what was set in it.
    Fonts are large: their identity is (path, size, mtime), not their bytes."""
    digest = hashlib.sha256()
    for path in installed_text_font_files(fonts):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
