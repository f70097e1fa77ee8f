"""Parsed chapters kept between builds, so that an edit parses only the chapter it touched."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from reportpub.atomic import read_cache_entry, write_cache_entry
from reportpub.digests import package_digest
from reportpub.project import Project


class ChapterCache:
    """Parsed chapters kept in build/.cache/chapters between builds, so that an edit parses
    only the chapter it touched. An entry is the pickled (draft, diagnostics) of one chapter,
    named by a digest of the chapter's bytes, its path and reportpub itself: parsing reads
    nothing else. (Pickles are loaded from the project's own build directory only.)"""

    def __init__(self, project: Project):
        self.directory = project.build_dir / ".cache" / "chapters"
        self.project = project
        self.package = package_digest()
        self.used: set[str] = set()

    def _entry(self, path: Path) -> Path | None:
        try:
            content = path.read_bytes()
        except OSError:
            return None  # the reader reports it
        digest = hashlib.sha256(f"{self.package}\n{self.project.relative(path)}\n".encode() + content).hexdigest()
        self.used.add(digest[:32])
        return self.directory / f"{digest[:32]}.pickle"

    def get(self, path: Path):
        """(draft, diagnostics) of the chapter as last read, or None."""
        entry = self._entry(path)
        stored = read_cache_entry(entry) if entry is not None else None  # None when damaged
        try:
            return pickle.loads(stored) if stored is not None else None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, path: Path, result) -> None:
        entry = self._entry(path)
        if entry is None or result[0] is None:
            return  # a chapter that could not be read is read again next time
        write_cache_entry(entry, pickle.dumps(result))

    def prune(self) -> None:
        """Forget chapters as they were before their last edit."""
        if self.directory.is_dir():
            for entry in self.directory.glob("*.pickle"):
                if entry.stem not in self.used:
                    entry.unlink(missing_ok=True)
