"""The one rule for reaching an input file: it lies inside the project, or it is not read.

Every file a build reads from the project — book.toml, chapters, bibliographies, a CSL
style, figures, stylesheets, templates, and what stylesheets name (fonts, images) — is
resolved by :func:`inside`: ``..`` and symbolic links, of the file and of every folder on
its way, are followed, and a real path outside the project directory is refused
(:func:`resolve_input` raises it as the author's error, naming the path as written).
Callers read the real path it returns, so a link swapped afterwards changes nothing;
messages, attachments and the manifest name files by their project-relative path.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportpub.diagnostics import ReportpubError

LINKS_OUT = "links to a {what} outside the project; the build reads only files inside it"
LIES_OUT = "lies outside the project; the build reads only files inside it"


def inside(root: Path, path: Path) -> Path | None:
    """The real path of ``path`` if it lies inside the project at ``root`` (a resolved path), else None."""
    resolved = path.resolve()
    return resolved if resolved == root or root in resolved.parents else None


def outside_problem(root: Path, path: Path) -> str | None:
    """Why ``path`` may not be read (a link out, or a path that leaves the project), or None."""
    if inside(root, path) is not None:
        return None
    written = Path(os.path.normpath(path.absolute()))
    if written == root or root in written.parents:
        return LINKS_OUT.format(what="folder" if path.is_dir() else "file")
    return LIES_OUT


def shown(root: Path, path: Path) -> str:
    """A path as messages show it: as written, relative to the project, with forward slashes."""
    written = Path(os.path.normpath(path.absolute()))
    try:
        return written.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def resolve_input(root: Path, path: Path) -> Path:
    """The real path of an input file inside the project; the author's error otherwise."""
    problem = outside_problem(root, path)
    if problem:
        raise ReportpubError.at(shown(root, path), problem)
    return path.resolve()
