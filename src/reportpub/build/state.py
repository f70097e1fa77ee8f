"""Out-of-date decisions: which outputs must be rebuilt, and why, decided by content.

Each output has a fingerprint: a SHA-256 over everything it depends on (book.toml,
every chapter — numbering runs through the whole book —, the bibliography and its
style, figures, the stylesheets and templates of its format, the fonts, reportpub's
own version and package data). The fingerprints of the last successful build are
kept in build/.reportpub-state.json, written only after every output is in place.
File contents are hashed; (size, mtime) only spares re-hashing big files such as fonts.
Nothing here imports WeasyPrint, so a build with nothing to do stays fast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from reportpub import __version__
from reportpub.atomic import write_atomically
from reportpub.digests import file_digest, fonts_digest, package_digest
from reportpub.project import Project

STATE_NAME = ".reportpub-state.json"
TEMPLATE_PARTIALS = ("titlepage.html", "toc.html", "references.html", "colophon.html")
FORMAT_TEMPLATES = {
    "pdf": ("pdf.html", *TEMPLATE_PARTIALS),
    "print": ("pdf.html", *TEMPLATE_PARTIALS),
    "epub": ("epub-page.xhtml", *TEMPLATE_PARTIALS),
    "html": ("web.html", *TEMPLATE_PARTIALS),
    "index": ("index.html",),
}


@dataclass
class Fingerprinter:
    """Hashes of a project's inputs, each computed once per build."""

    project: Project

    def __post_init__(self):
        self._cache: dict[Path, str] = {}
        self._manuscript_parts: dict[str, str] | None = None

    def digest(self, path: Path) -> str:
        if path not in self._cache:
            if self.project.inside(path) is None:
                self._cache[path] = "outside the project"  # never read; the build refuses it
            else:
                self._cache[path] = file_digest(path) if path.is_file() else "missing"
        return self._cache[path]

    def manuscript_parts(self) -> dict[str, str]:
        """Inputs every output depends on (Project.input_files): book.toml, chapters, bibliography,
        styles, images."""
        if self._manuscript_parts is None:  # listed once: every output's fingerprint holds them
            project = self.project
            self._manuscript_parts = {project.relative(p): self.digest(p) for p in project.input_files()}
        return dict(self._manuscript_parts)

    def template_parts(self, format_name: str) -> dict[str, str]:
        parts = {}
        for name in FORMAT_TEMPLATES[format_name]:
            override = self.project.templates_dir / name
            parts[f"template:{name}"] = self.digest(override) if override.is_file() else "built-in"
        return parts

    def pdf_inputs_digest(self, chapters: set[str]) -> str:
        """One digest of everything a PDF layout's pages depend on but the chapters named
        (project-relative): reportpub, the fonts, book.toml, images, styles, the PDF templates.
        The PDF writer keys its laid-out chapters on it."""
        inputs = {name: digest for name, digest in self.manuscript_parts().items() if name not in chapters}
        inputs.update(self.template_parts("pdf"))
        text = json.dumps([package_digest(), fonts_digest(self.project.config.fonts), inputs], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def fingerprint(self, format_name: str, mode: str, extra: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
        """(fingerprint, the parts it was made of) for one output."""
        parts = {"reportpub": __version__, "package": package_digest(), "fonts": fonts_digest(self.project.config.fonts),
                 "output": f"{format_name}/{mode}"}
        parts.update(self.manuscript_parts())
        parts.update(self.template_parts(format_name))
        if format_name == "epub" and "pdf" in self.project.config.editions.formats:
            parts.update(self.template_parts("pdf"))  # its page-list is the reader PDF's pages
        parts.update(extra or {})
        text = json.dumps(parts, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest(), parts


def load_state(build_dir: Path) -> dict:
    try:
        return json.loads((build_dir / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(build_dir: Path, state: dict) -> None:
    """Record what was built, atomically: an interrupted build is never recorded as done."""
    write_atomically(build_dir / STATE_NAME, json.dumps(state, sort_keys=True, indent=1))


def explain_change(old: dict | None, new_parts: dict[str, str], target_exists: bool) -> str | None:
    """Why an output must be rebuilt (None when it is up to date)."""
    if not target_exists:
        return "not built yet"
    if old is None:
        return "no record of a previous build"
    old_parts = old.get("parts", {})
    if old.get("fingerprint") and old_parts == new_parts:
        return None
    changed = sorted(k for k in set(old_parts) | set(new_parts) if old_parts.get(k) != new_parts.get(k))
    labels = {"package": "reportpub itself changed", "reportpub": "reportpub's version changed", "fonts": "the fonts changed"}
    reasons = []
    for key in changed:
        if key in labels:
            reasons.append(labels[key])
        elif key not in old_parts:
            reasons.append(f"{key} is new")
        elif key not in new_parts:
            reasons.append(f"{key} was removed")
        else:
            reasons.append(f"{key} changed")
    return ", ".join(reasons) or "changed"
