"""Files written whole or not at all, and cache entries that are checked before they are used.

Every cache entry and the build state go through ``write_atomically``: beside the target under
a temporary name, then renamed, so an interrupted or failed build never leaves a half-written
file that a later build would take for whole. That does not cover a file damaged afterwards
(a full disk, a crash of the machine, a hand that edited it), so a cache entry also carries
the SHA-256 of its content and is used only when the digest still matches:

* ``write_cache_entry`` / ``read_cache_entry``: entries the code reads itself, with the digest
  in a first line of their own (``reportpub-cache sha256=…``);
* ``seal`` / ``is_sealed``: files handed to another library by path (derived fonts, PDF
  parts), with the digest in a ``.sha256`` file beside them, written after the file.

A damaged entry is removed and reads as missing, so it is made again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reportpub.digests import file_digest

CACHE_HEADER = b"reportpub-cache sha256="
SEAL_SUFFIX = ".sha256"


TEMPORARY_GLOB = ".*.tmp-*"  # every temporary of temporary_beside, whoever made it


def temporary_beside(path: Path, token: int | None = None) -> Path:
    """Where ``path`` is written before it is renamed into place: ``.NAME.tmp-TOKEN``, the token
    being this process's id unless given (a build gives its workers its own, so that it can
    find every temporary they made)."""
    return path.with_name(f".{path.name}.tmp-{os.getpid() if token is None else token}")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    try:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_cache_entry(path: Path, data: bytes | str) -> None:
    """Write a cache entry whole, with the digest ``read_cache_entry`` checks."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    write_atomically(path, CACHE_HEADER + hashlib.sha256(content).hexdigest().encode("ascii") + b"\n" + content)


def read_cache_entry(path: Path) -> bytes | None:
    """The content of a cache entry, or None when it is missing or damaged (then it is removed)."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    header, newline, content = stored.partition(b"\n")
    if newline and header.startswith(CACHE_HEADER) and \
            header[len(CACHE_HEADER):] == hashlib.sha256(content).hexdigest().encode("ascii"):
        return content
    path.unlink(missing_ok=True)
    return None


def seal(path: Path) -> None:
    """Record the digest of a finished cache file beside it (``path.sha256``)."""
    write_atomically(_seal_of(path), file_digest(path))


def is_sealed(path: Path) -> bool:
    """Whether ``path`` exists and is as it was sealed; a damaged or unsealed file is removed."""
    try:
        whole = _seal_of(path).read_text(encoding="ascii") == file_digest(path)
    except (OSError, UnicodeDecodeError):
        whole = False
    if not whole:
        path.unlink(missing_ok=True)
        _seal_of(path).unlink(missing_ok=True)
    return whole


def _seal_of(path: Path) -> Path:
    return path.with_name(path.name + SEAL_SUFFIX)
