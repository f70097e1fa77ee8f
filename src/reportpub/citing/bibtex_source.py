"""What bibtexparser leaves to us in BibTeX source: where it goes wrong, and macro values.

bibtexparser 2 splits a file into blocks and keeps a block it cannot parse as a failed
block with its first line. An author needs more than that line, so this module says, as
``path:line: message``:

* where a failed block breaks: at the field whose ``{`` or ``"`` never closes (or closes
  only with a later field's brace), or, for an entry whose closing ``}`` is missing, at
  the last line of the entry's text, where the ``}`` belongs;
* text between entries that was meant as one (``@book x, …`` without a brace, fields
  after a ``}`` too many), which bibtexparser keeps as a comment and would drop unsaid.

It also resolves field values written with ``@string`` macros and ``#`` concatenation.
bibtexparser's own resolver leaves an undefined macro as its name and does not join
``#``; here an undefined macro is an error at the line of the field that names it.
"""

from __future__ import annotations

import re

from bibtexparser.model import Entry, ImplicitComment, ParsingFailedBlock

from reportpub.diagnostics import ReportpubError

__all__ = ["check_blocks", "line_of", "resolved_entries", "wholly_braced"]


class BadValue(Exception):
    """A field value that is not BibTeX; ``offset`` is where in the value it goes wrong."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


def line_of(start_line: int | None) -> int:
    """A block's line as an author counts it (bibtexparser counts from 0)."""
    return (start_line or 0) + 1


def check_blocks(blocks, display: str) -> None:
    """Raise the first fault of the file's blocks as a ``path:line`` error."""
    for block in blocks:
        if isinstance(block, ParsingFailedBlock) and type(block).__name__ != "DuplicateBlockKeyBlock":
            raise _syntax_error(block, display)
        if isinstance(block, ImplicitComment):
            _check_comment(block, display)


def _check_comment(block: ImplicitComment, display: str) -> None:
    # "@book x, ..." (no brace) is kept as text between entries: an entry was meant
    m = _ENTRY_WITHOUT_BRACE.search(block.comment)
    if m:
        line = line_of(block.start_line) + block.raw[: block.raw.find(m.group(0))].count("\n")
        raise ReportpubError.at(display, f"invalid BibTeX entry: expected '{{' after '@{m.group(1)}'", line)
    # ... and so is what follows a '}' too many ("title = {A}}, year = 2020}"): the rest
    # of the entry would be dropped without a word
    m = _FIELDS_AFTER_ENTRY.match(block.raw)
    if m:
        line = line_of(block.start_line) + m.group(0).count("\n")
        raise ReportpubError.at(display, f"invalid BibTeX entry: field '{m.group(1)}' comes after the entry "
                                "was closed (a '}' too many before it?)", line)


def _syntax_error(block: ParsingFailedBlock, display: str) -> ReportpubError:
    """The failed block as ``path:line``, at the line where it breaks when that can be told."""
    raw = block.raw or ""
    header = re.match(r"@\s*([A-Za-z]+)\s*([{(])?\s*([^\s,{}()]*)", raw)
    kind = header.group(1) if header else ""
    key = header.group(3) if header else ""
    line = line_of(block.start_line)
    reason = getattr(block.error, "abort_reason", str(block.error)).strip().rstrip(".")
    if header and not header.group(2):
        return ReportpubError.at(display, f"invalid BibTeX entry: expected '{{' after '@{kind}'", line)
    what = f"entry '{key}'" if key else "entry"
    unclosed = _unclosed_value(raw)
    if unclosed is not None:
        field, offset = unclosed
        return ReportpubError.at(display, f"invalid BibTeX entry: {what}: the value of field '{field}' "
                                 "is not closed (a '}' or '\"' is missing)", line + raw[:offset].count("\n"))
    if "end of file" in reason or "Unexpected block start" in reason or "found `@" in reason:
        # the entry's own '}' is missing (the file ends, or the next entry begins, while
        # bibtexparser still looks for it): it belongs after the entry's last text
        before = "the end of the file" if "end of file" in reason else "the next entry"
        return ReportpubError.at(display, f"invalid BibTeX entry: {what} is not closed: a '}}' is missing "
                                 f"after this line, before {before}", line + raw.rstrip().count("\n"))
    return ReportpubError.at(display, f"invalid BibTeX entry: {what}: {reason}", line)


_FIELDS_AFTER_ENTRY = re.compile(r"\s*,\s*([A-Za-z][\w-]*)\s*=")
_ENTRY_WITHOUT_BRACE = re.compile(r"(?m)^\s*@\s*([A-Za-z]+)\b(?!\s*[{(])")
_SWALLOWED_FIELD = re.compile(r"[,}]\s*\n\s*[A-Za-z][\w\-:.+/]*\s*=")
_FIELD_START = re.compile(r"([A-Za-z][\w\-:.+/]*)\s*=\s*")


def _unclosed_value(raw: str) -> tuple[str, int] | None:
    """(field, offset) of a braced or quoted value in a block's text that never closes, or
    that runs on over the next fields ("{Unclosed,\n  year = 2020,\n}")."""
    opening = raw.find("{") if "{" in raw else raw.find("(")
    pos = opening + 1
    while True:
        m = _FIELD_START.search(raw, pos)
        if m is None:
            return None
        start = m.end()
        if start >= len(raw):
            return None
        if raw[start] == "{":
            depth, i = 0, start
            while i < len(raw):
                ch = raw[i]
                if ch == "\\":
                    i += 2
                    continue
                depth += ch == "{"
                depth -= ch == "}"
                if depth == 0:
                    break
                i += 1
            if depth or _SWALLOWED_FIELD.search(raw, start, i):
                return m.group(1), m.start()  # never closed, or closed only by a later field's brace
            pos = i + 1
        elif raw[start] == '"':
            end = raw.find('"', start + 1)
            if end < 0:
                return m.group(1), m.start()
            pos = end + 1
        else:
            pos = start + 1


# BibTeX predefines the month macros: "month = mar" is month 3
_MONTH_MACROS = {m: str(i + 1) for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def resolved_entries(library, display: str) -> list[tuple[Entry, dict[str, str]]]:
    """Each entry in file order (a duplicate key too: bibliography.py reports it at its
    line) with its fields' values resolved to LaTeX text, keyed by lower-case field name;
    a field given twice keeps its first value."""
    macros = dict(_MONTH_MACROS)
    for string in library.strings:
        try:
            macros[string.key.lower()] = resolve_value(string.value, macros)
        except BadValue as exc:
            raise ReportpubError.at(display, f"invalid BibTeX @string '{string.key}': {exc}",
                                    line_of(string.start_line)) from None
    result = []
    for entry in _entries_in_order(library):
        if not entry.key.strip():
            raise ReportpubError.at(display, "invalid BibTeX entry: entry has no citation key", line_of(entry.start_line))
        values: dict[str, str] = {}
        for field in entry.fields:
            if field.key.lower() in values:
                continue
            try:
                values[field.key.lower()] = resolve_value(field.value, macros)
            except BadValue as exc:
                line = line_of(field.start_line) + field.value[: exc.offset].count("\n")
                raise ReportpubError.at(display, f"invalid BibTeX entry '{entry.key}': field '{field.key}': {exc}",
                                        line) from None
        result.append((entry, values))
    return result


def _entries_in_order(library) -> list[Entry]:
    entries = []
    for block in library.blocks:
        if isinstance(block, Entry):
            entries.append(block)
        elif type(block).__name__ == "DuplicateBlockKeyBlock":
            entries.append(block.ignore_error_block)
    return entries


_WORD = re.compile(r"[^\s#{}\"]+")


def resolve_value(value: str, macros: dict[str, str]) -> str:
    """A raw BibTeX value (``{…}``, ``"…"``, a number, a macro, joined by ``#``) as its LaTeX text."""
    parts, i, n = [], 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            raise BadValue("missing value", i)
        if value[i] in '{"':
            end = _closing(value, i)
            parts.append(value[i + 1 : end])
            i = end + 1
        else:
            m = _WORD.match(value, i)
            word = m.group()
            if word.isdigit():
                parts.append(word)
            elif word.lower() in macros:
                parts.append(macros[word.lower()])
            else:
                raise BadValue(f"undefined @string macro '{word}'", i)
            i = m.end()
        end_of_part = i
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return "".join(parts)
        if value[i] != "#":
            raise BadValue(f"expected ',' or '}}' after the value, found '{value[i]}'", end_of_part)
        i += 1


def _closing(value: str, i: int) -> int:
    """Index of the brace or quote that closes the one at ``i``."""
    quote = value[i] == '"'
    depth, k = 0, i + (1 if quote else 0)
    while k < len(value):
        ch = value[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise BadValue("unbalanced '}' in value", k)
            if depth == 0 and not quote:
                return k
        elif ch == '"' and quote and depth == 0:
            return k
        k += 1
    raise BadValue("value is not closed", i)


def wholly_braced(text: str) -> bool:
    """``{World Health Organization}``: one brace group from the first character to the last."""
    if not text.startswith("{"):
        return False
    try:
        return _closing(text, 0) == len(text) - 1
    except BadValue:  # unbalanced: not a group
        return False
