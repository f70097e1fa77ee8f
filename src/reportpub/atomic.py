"""Files written whole or not at all: beside the target under a temporary name, then renamed.

Every cache entry and the build state go through ``write_atomically``, so an interrupted or
failed build never leaves a half-written file that a later build would take for whole.
"""

from __future__ import annotations

import os
from pathlib import Path


def temporary_beside(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place (this process's own name)."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    try:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
