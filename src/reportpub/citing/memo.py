"""Formatted citations kept between builds, so that an edit does not run citeproc again.

citeproc-py is slow (a style compiled per locale, then a bibliography object per entry it
formats), and a book's notes are resolved whole on every build: without a memo, an edit of
one paragraph formats every citation of the book again. The memo keeps citeproc's output for
one call, named by a digest of everything that call reads: the entry as handed to citeproc
(its CSL-JSON after our preparation, so a changed bibliography entry is a new call), the
locale, the locator, note or bibliography form, and whether the author is left out. One
memo file holds the calls of one style: its file name is a digest of the style's XML, its
rules, the book's language, citeproc's version and reportpub's own code, so a changed style
or a new release starts an empty memo. It lies in build/.cache/citations (pruned like every
cache: this build's and the one before's memo stay).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from reportpub.cache import Cache

MEMO_DIR = "citations"  # in build/.cache


def call_key(*parts) -> str:
    """The name of one citeproc call in the memo: a digest of what it reads (JSON-able parts)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=repr).encode("utf-8")).hexdigest()[:32]


class CitationMemo:
    """citeproc's outputs by :func:`call_key`, for the style named by ``style_key``, read from
    and written to ``directory``. ``reuse=False`` (``build --force``) starts empty but still
    writes what it formats, for the builds after."""

    def __init__(self, directory: Path, style_key: str, reuse: bool = True):
        self.entries = Cache(directory)
        self.style_key = style_key
        self.formatted: dict[str, str] = {}
        stored = self.entries.get(style_key, "json") if reuse else None
        if stored is not None:
            try:
                loaded = json.loads(stored)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                self.formatted = {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)}
        self.entries.path(style_key, "json")  # used by this build, so pruning keeps it
        self.used: set[str] = set()  # the calls this reading of the book made
        self._added = False

    def get(self, key: str) -> str | None:
        found = self.formatted.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, text: str) -> None:
        self.used.add(key)
        if self.formatted.get(key) != text:
            self.formatted[key] = text
            self._added = True

    def save(self) -> None:
        """Write the memo with the calls this reading made, if it formatted anything new or left a
        kept call unused (a citation removed or changed: the memo keeps what the book cites, it does
        not grow with every version of it); forget the memos of other styles but the one the build
        before used."""
        if self._added or self.used != set(self.formatted):
            self.formatted = {key: self.formatted[key] for key in self.used}
            self.entries.put(self.style_key, json.dumps(self.formatted, ensure_ascii=False, sort_keys=True), "json")
            self._added = False
        self.entries.prune()
