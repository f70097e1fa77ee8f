"""Diagnostics: where in the sources a problem is, and the error type that carries problems.

Every mistake an author can make is reported as one line, ``path:line: message``
(``path: message`` when there is no line), with the path relative to the project.
Code that finds such a mistake raises :class:`ReportpubError` (or collects several
:class:`Diagnostic` objects and raises them together); anything else that escapes
is a bug in reportpub, not in the manuscript.
"""

from __future__ import annotations

import contextlib
import errno
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a source file: a project-relative path and an optional 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the sources: an error stops the build, a warning does not."""

    location: SourceLocation
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line or 0, self.message)


class ReportpubError(Exception):
    """One or more author-caused problems; printed without a traceback, exit status 1."""

    def __init__(self, diagnostics: "Diagnostic | list[Diagnostic]"):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self):
        # Errors raised in a worker process of a parallel build travel back pickled.
        return (type(self), (self.diagnostics,))

    @classmethod
    def at(cls, path: "str | Path", message: str, line: int | None = None) -> "ReportpubError":
        """Shorthand for an error with a single location."""
        return cls(Diagnostic(SourceLocation(str(path), line), message))


@dataclass
class DiagnosticCollector:
    """Collects every problem of a run so they can be reported together, sorted by place."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, path: "str | Path", message: str, line: int | None = None) -> None:
        self.diagnostics.append(Diagnostic(SourceLocation(str(path), line), message))

    def warning(self, path: "str | Path", message: str, line: int | None = None) -> None:
        self.diagnostics.append(Diagnostic(SourceLocation(str(path), line), message, "warning"))

    def extend(self, error: ReportpubError) -> None:
        self.diagnostics.extend(error.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Raise every collected error at once; warnings stay for the caller to print."""
        if self.errors:
            raise ReportpubError(self.errors)


def line_of_offset(text: str, offset: int) -> int:
    """The 1-based line number of a character offset in ``text``."""
    return text.count("\n", 0, offset) + 1


def decode_utf8(raw: bytes, path: "str | Path") -> str:
    """An author's file as text: bytes that are not UTF-8 raise ``path:line: not UTF-8 text``."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReportpubError.at(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line) from None


# Where the command line saves the traceback of an internal error (a bug, not the author's).
CRASH_LOG = "reportpub-crash.log"

# Faults of the machine rather than of the manuscript: the folder and the cause are the message.
MACHINE_FAULTS = {
    errno.EROFS: "cannot write: the file system is read-only",
    errno.ENOSPC: "cannot write: the disk is full",
    errno.EDQUOT: "cannot write: the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


@contextlib.contextmanager
def machine_faults_reported(root: Path, default_folder: str = "build/"):
    """Turn an OSError of the machine (read-only file system, full disk, no permission) into
    ``path: cannot write: cause`` (or ``path: permission denied``) naming the folder it happened in, relative to
    the project ``root`` (``default_folder`` when the error names no file, as a full disk's does)."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in MACHINE_FAULTS:
            raise
        folder = default_folder
        if exc.filename:
            path = Path(exc.filename)
            path = path if path.is_dir() else path.parent
            try:
                folder = path.relative_to(root).as_posix() + "/"
            except ValueError:
                folder = f"{path}/"
        raise ReportpubError.at(folder, f"{MACHINE_FAULTS[exc.errno]} ({exc.strerror}); "
                                "the files already there were kept") from None
