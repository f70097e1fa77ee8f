"""The one cache type of build/.cache: entries by key, checked before they are used, kept by one rule.

Every cache a build keeps is a :class:`Cache`, one folder of ``build/.cache`` (``reportpub
clean`` removes the whole of it, ``build --force`` all but the derived fonts). An entry's key is its file name up to
the first dot; its companions (``KEY.json``, ``KEY.reader.pdf``, ``KEY.otf.sha256``) go with it.

* ``get`` / ``put``: entries the code reads itself, checked by the digest in their first line
  (:func:`reportpub.atomic.read_cache_entry`);
* ``get_file`` / ``put_file``: files handed to another library by path (derived fonts, PDF
  parts), sealed with a ``.sha256`` beside them (:func:`reportpub.atomic.seal`);
* ``prune``: the retention rule, :func:`keep_recent` — the entries this build or the one before
  used stay, so that undoing an edit is free (its PDF parts, its derived fonts are still
  there); anything older goes, so that no cache grows without bound as a book is written.

A cache of fixed slots — a cover per mode and size, the coverage of the text faces, the digests
of the font files — keys its entries by slot and checks what an entry was made from inside
it; it is replaced in place, so it stays bounded without pruning.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from reportpub.atomic import (
    TEMPORARY_GLOB,
    is_sealed,
    read_cache_entry,
    seal,
    temporary_beside,
    write_atomically,
    write_cache_entry,
)

CACHE_DIR = ".cache"  # in build/: every Cache lies below it
DERIVED_FONTS_DIR = "fonts"  # in build/.cache: the derived fonts, which build --force keeps
# The derived fonts' names begin with their kind; each is named by the digest of all it is made
# from and sealed, so build --force keeps them (deriving them again costs seconds per face).
VERTICAL_FONT_PREFIX = "vertical"  # typography/vertical_font.py: the vertical PDF's faces
PUNCTUATION_FONT_PREFIX = "punctuation"  # typography/punctuation_font.py: the horizontal PDF's marks
DERIVED_FONT_PREFIXES = (VERTICAL_FONT_PREFIX, PUNCTUATION_FONT_PREFIX)
LAST_BUILD_FILE = ".last-build.json"  # in each pruned folder: the keys its last build used


def cache_root(build_dir: Path) -> Path:
    """build/.cache, where every cache lies."""
    return build_dir / CACHE_DIR


def entry_key(path: Path) -> str:
    """An entry's key: its file name up to the first dot."""
    return path.name.split(".", 1)[0]


def last_build_record(directory: Path, pattern: str = "*") -> Path:
    """Where :func:`keep_recent` records the keys of ``pattern`` a build used: one record per
    pattern, so that caches sharing a folder (the vertical and the punctuation fonts, pruned
    by different modes) never take each other's keys for their build before."""
    if pattern == "*":
        return directory / LAST_BUILD_FILE
    return directory / LAST_BUILD_FILE.replace(".json", "-" + re.sub(r"[^A-Za-z0-9]+", "", pattern) + ".json")


def keep_recent(directory: Path, used: set[str], pattern: str = "*") -> None:
    """Remove the files of ``directory`` matching ``pattern`` (hidden files aside) whose key
    neither ``used`` nor the previous call's ``used`` names, then record ``used``."""
    record = last_build_record(directory, pattern)
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


class Cache:
    """One folder of build/.cache. Each entry asked for or made marks its key used, and
    :meth:`prune` keeps what this build and the one before used. ``pattern`` limits pruning to
    the entries of this cache where a folder holds other files too; ``reuse=False``
    (``build --force``) makes ``get`` and ``get_file`` find nothing."""

    def __init__(self, directory: Path, pattern: str = "*", reuse: bool = True):
        self.directory = directory
        self.pattern = pattern
        self.reuse = reuse
        self.used: set[str] = set()

    def path(self, key: str, suffix: str) -> Path:
        """Where the entry ``key`` keeps its file ``KEY.SUFFIX``; the key counts as used."""
        self.used.add(key)
        return self.directory / f"{key}.{suffix}"

    def mark_used(self, keys) -> None:
        """Count entries as used that were reached by name, not through this object."""
        self.used.update(keys)

    def get(self, key: str, suffix: str = "entry") -> bytes | None:
        """A checked entry's content, or None when it is missing or damaged (then it is removed)."""
        path = self.path(key, suffix)
        return read_cache_entry(path) if self.reuse else None

    def put(self, key: str, data: bytes | str, suffix: str = "entry") -> None:
        write_cache_entry(self.path(key, suffix), data)

    def get_file(self, key: str, suffix: str) -> Path | None:
        """A sealed file that is as it was made, or None (a damaged or unsealed one is removed)."""
        path = self.path(key, suffix)
        return path if self.reuse and path.exists() and is_sealed(path) else None

    def put_file(self, key: str, suffix: str, write: Callable[[Path], None], sealed: bool = True) -> Path:
        """Make the file ``KEY.SUFFIX`` with ``write(path)`` under a temporary name, rename it into
        place (a crash or a parallel build never leaves half a file) and seal it, unless
        ``sealed`` is false because an entry of its own records its digest."""
        path = self.path(key, suffix)
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = temporary_beside(path)
        try:
            write(temporary)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
        if sealed:
            seal(path)
        return path

    def prune(self) -> None:
        """Forget entries neither this build nor the one before used, and the temporaries a
        killed build left."""
        keep_recent(self.directory, self.used, self.pattern)
        for temporary in self.directory.glob(TEMPORARY_GLOB):
            temporary.unlink(missing_ok=True)
