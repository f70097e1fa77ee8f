"""How long a cache keeps what it made: the entries this build or the one before used.

Keeping the build before's entries makes undoing an edit free (its PDF parts, its derived
fonts are still there); anything older goes, so that no cache in build/.cache grows
without bound as a book is written. An entry's key is its file name up to the first dot,
so an entry's companions (``KEY.json``, ``KEY.reader.pdf``, ``KEY.otf.sha256``) go with it.
"""

from __future__ import annotations

import json
from pathlib import Path

from reportpub.atomic import write_atomically

LAST_BUILD_FILE = ".last-build.json"  # in each pruned directory: the keys its last build used


def entry_key(path: Path) -> str:
    return path.name.split(".", 1)[0]


def keep_recent(directory: Path, used: set[str], pattern: str = "*") -> None:
    """Remove the files of ``directory`` matching ``pattern`` (hidden files aside) whose key
    neither ``used`` nor the previous call's ``used`` names, then record ``used``."""
    record = directory / LAST_BUILD_FILE
    try:
        before = set(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        before = set()
    keep = used | before
    if directory.is_dir():
        for path in directory.glob(pattern):
            if not path.name.startswith(".") and path.is_file() and entry_key(path) not in keep:
                path.unlink(missing_ok=True)
    write_atomically(record, json.dumps(sorted(used)))
