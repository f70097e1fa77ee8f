"""Parsed chapters kept between builds, so that an edit parses only the chapter it touched."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from reportpub.cache import Cache, cache_root
from reportpub.digests import package_digest
from reportpub.project import Project


class ChapterCache:
    """Parsed chapters kept in build/.cache/chapters between builds, so that an edit parses
    only the chapter it touched. An entry is the pickled (draft, diagnostics) of one chapter,
    named by a digest of the chapter's bytes, its path and reportpub itself: parsing reads
    nothing else. (Pickles are loaded from the project's own build directory only.)"""

    def __init__(self, project: Project):
        self.entries = Cache(cache_root(project.build_dir) / "chapters")
        self.project = project
        self.package = package_digest()

    def _key(self, path: Path) -> str | None:
        try:
            content = path.read_bytes()
        except OSError:
            return None  # the reader reports it
        return hashlib.sha256(f"{self.package}\n{self.project.relative(path)}\n".encode() + content).hexdigest()[:32]

    def get(self, path: Path):
        """(draft, diagnostics) of the chapter as last read, or None."""
        key = self._key(path)
        stored = self.entries.get(key, "pickle") if key is not None else None  # None when damaged
        try:
            return pickle.loads(stored) if stored is not None else None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, path: Path, result) -> None:
        key = self._key(path)
        if key is None or result[0] is None:
            return  # a chapter that could not be read is read again next time
        self.entries.put(key, pickle.dumps(result), "pickle")

    def prune(self) -> None:
        """Forget chapters as they were before the last edit but one."""
        self.entries.prune()
