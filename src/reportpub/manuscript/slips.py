"""Slips in the manuscript syntax that Python-Markdown would pass in silence.

An unclosed ruby brace, an unclosed ``《《``, a per-character ruby whose readings do
not match its base, an unpaired ``^``, a ``===`` that is not between blank lines:
Markdown prints each of them as it is written (or makes a heading of the line
above), and the author finds out in a printed book. They are found here, in the
raw source (Python-Markdown knows no line numbers), with code blanked out, and
reported as ``path:line`` errors (the text would print wrongly) or warnings (the
text is valid Markdown but probably not what was meant).
"""

from __future__ import annotations

import re

from reportpub.diagnostics import DiagnosticCollector, line_of_offset
from reportpub.manuscript.ruby import RUBY_PATTERN
from reportpub.manuscript.tcy import TCY_PATTERN

FENCED_CODE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
# A ruby opened with "{base|" whose line ends (or another brace opens) before its "}".
UNCLOSED_RUBY = re.compile(r"(?<!\\)\{[^{}|\n]+\|[^{}\n]*(?=\{|\n|\Z)")
PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\]")
LONG_TCY = re.compile(r"\^([^\s^\[\]]{4,})\^")
TCY_MAX = 3


def blank_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans replaced by spaces (same offsets
    and lines), so that a scan of the source never reports what the author wrote as code."""
    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = FENCED_CODE.sub(blank, text)
    return CODE_SPAN.sub(blank, text)


def find_slips(source: str, text: str, problems: DiagnosticCollector) -> None:
    """Report every syntax slip of one chapter's Markdown ``text`` (``source`` is its path)."""
    scanned = blank_code(text)
    _ruby(source, text, scanned, problems)
    _emphasis_dots(source, text, scanned, problems)
    _carets(source, text, scanned, problems)
    _page_breaks(source, text, scanned, problems)


def _ruby(source: str, text: str, scanned: str, problems: DiagnosticCollector) -> None:
    for match in UNCLOSED_RUBY.finditer(scanned):
        problems.error(source, f"ruby '{_shortened(match.group(0))}' is not closed: end it with '}}' on the same line",
                       line_of_offset(text, match.start()))
    for match in re.finditer(r"(?<!\\)" + RUBY_PATTERN, scanned):
        base, readings = match.group(1), match.group(2).split("|")[1:]
        line = line_of_offset(text, match.start())
        if not base.strip() or not any(r.strip() for r in readings):
            problems.error(source, f"ruby '{match.group(0)}' has no {'base' if not base.strip() else 'reading'}", line)
        elif len(readings) > 1 and len(readings) != len(base):
            problems.error(source, f"per-character ruby '{match.group(0)}' has {len(readings)} readings for "
                           f"{len(base)} base characters: give one reading per character, or one for the whole word "
                           f"({{{base}|{''.join(readings)}}})", line)


def _emphasis_dots(source: str, text: str, scanned: str, problems: DiagnosticCollector) -> None:
    # Python-Markdown matches inline syntax within one paragraph: the "》》" must come before it ends.
    for match in re.finditer("《《", scanned):
        end = PARAGRAPH_END.search(scanned, match.end())
        if "》》" not in scanned[match.end():end.start() if end else len(scanned)]:
            problems.error(source, "emphasis dots '《《' are not closed: end them with '》》' in the same paragraph",
                           line_of_offset(text, match.start()))


def _carets(source: str, text: str, scanned: str, problems: DiagnosticCollector) -> None:
    # Footnote marks hold carets of their own; blank them as well (same offsets).
    scanned = FOOTNOTE_MARK.sub(lambda m: " " * len(m.group(0)), scanned)
    for match in LONG_TCY.finditer(scanned):
        problems.error(source, f"tate-chu-yoko '{match.group(0)}' holds {len(match.group(1))} characters; "
                       f"at most {TCY_MAX} fit across a vertical line", line_of_offset(text, match.start()))
    scanned = LONG_TCY.sub(lambda m: " " * len(m.group(0)), scanned)
    scanned = re.sub(TCY_PATTERN, lambda m: " " * len(m.group(0)), scanned)
    for match in re.finditer(r"\^", scanned):
        problems.warning(source, "unpaired '^' is printed as it is (tate-chu-yoko is written ^12^, "
                         "up to three characters, on one line)", line_of_offset(text, match.start()))


def _page_breaks(source: str, text: str, scanned: str, problems: DiagnosticCollector) -> None:
    lines = scanned.split("\n")
    for number, line in enumerate(lines, 1):
        if line.strip() != "===":
            continue
        before = lines[number - 2].strip() if number > 1 else ""
        after = lines[number].strip() if number < len(lines) else ""
        if before:
            problems.warning(source, "'===' right under a line makes that line a heading; for a page break "
                             "put a blank line before '===' (for a heading, write '# ' before it)", number)
        elif after:
            problems.error(source, "'===' followed by text on the next line is printed as it is; "
                           "a page break is '===' between blank lines", number)


def _shortened(snippet: str, limit: int = 12) -> str:
    snippet = snippet.rstrip()
    return snippet if len(snippet) <= limit else snippet[:limit] + "…"
