"""What one chapter may not exceed, checked in its source before Python-Markdown reads it.

Markdown, the XHTML tree walks and WeasyPrint's layout all recurse into nested blocks and
inline elements, so an absurdly deep manuscript (a thousand list levels, ten thousand
``<span>`` inside each other) would end in Python's recursion limit, after minutes of work;
well before that, each level of quote or list takes width from the text until none is left.
WeasyPrint's line breaking lays out the rest of a paragraph again for every line it sets, so
its cost grows with the square of a paragraph's length, in both writing modes (a 100,000-
character paragraph takes about half a minute per PDF; a 5 MB one-line chapter would take
hours). Python-Markdown's footnotes extension numbers each reference by searching the list
of those before it, so a chapter's footnotes cost the square of their number (10,000 take
about a minute to read; 50,000 would take half an hour). All three are refused with the line
where the limit is passed; nothing a book needs comes near any of them.
"""

from __future__ import annotations

import re

from reportpub.diagnostics import DiagnosticCollector, line_of_offset

# Blockquotes, list levels or raw HTML elements inside each other. Deeper than this, quotes
# leave their text no width on an A5 page (twelve levels set nothing, and WeasyPrint says
# nothing), long before recursion is a danger.
MAX_NESTING = 10
# In the parsed tree a list level is two elements (<ul><li>), and a chapter has a few wrappers.
MAX_TREE_DEPTH = 2 * MAX_NESTING + 8
MAX_PARAGRAPH_CHARACTERS = 100_000
MAX_FOOTNOTES_PER_CHAPTER = 10_000

_QUOTE_MARKERS = re.compile(r"^[ \t]*((?:>[ \t]*)+)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]", re.MULTILINE)
_RAW_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*)?(/?)>")
_VOID_ELEMENTS = frozenset({"area", "br", "col", "hr", "img", "wbr"})
# A blank line ends a paragraph; so does a line that starts a list item, a footnote, a table row
# or a quote (a list of 10,000 items is 10,000 short blocks, not one long paragraph).
_BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|\[\^|\||>))")
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)


def check_limits(source: str, text: str, problems: DiagnosticCollector) -> bool:
    """Report where ``text`` (fenced code already blanked) passes a limit; False if it does,
    and the chapter must not be parsed."""
    before = len(problems.errors)
    # One message per chapter: ten thousand nested tags, or footnote definitions, are a long block too.
    for check in (_check_nesting, _check_footnote_count, _check_paragraph_lengths):
        check(source, text, problems)
        if len(problems.errors) > before:
            return False
    return True


def too_deep(source: str, line: int | None, problems: DiagnosticCollector) -> None:
    """The one message for nesting past the limit, wherever it is found."""
    problems.error(source, f"nested more than {MAX_NESTING} levels deep (blockquotes, lists or raw HTML "
                   "inside each other); flatten the structure", line)


def tree_too_deep(root) -> bool:
    """Whether an element tree nests deeper than the writers' recursion allows (a mix of
    quotes, lists and raw HTML that the source scans counted apart); walked without recursion."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def _check_nesting(source: str, text: str, problems: DiagnosticCollector) -> None:
    for match in _QUOTE_MARKERS.finditer(text):
        if match.group(1).count(">") > MAX_NESTING:
            return too_deep(source, line_of_offset(text, match.start()), problems)
    for match in _LIST_ITEM.finditer(text):
        if len(match.group(1).expandtabs(4)) // 4 > MAX_NESTING:  # Python-Markdown nests by four spaces
            return too_deep(source, line_of_offset(text, match.start()), problems)
    depth = 0
    for match in _RAW_TAG.finditer(text):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if self_closing or name in _VOID_ELEMENTS:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > MAX_NESTING:
            return too_deep(source, line_of_offset(text, match.start()), problems)


def _check_footnote_count(source: str, text: str, problems: DiagnosticCollector) -> None:
    for count, match in enumerate(_FOOTNOTE_DEFINITION.finditer(text), 1):
        if count > MAX_FOOTNOTES_PER_CHAPTER:
            total = count + sum(1 for _ in _FOOTNOTE_DEFINITION.finditer(text, match.end()))
            problems.error(source, f"{total:,} footnotes in one chapter: at most {MAX_FOOTNOTES_PER_CHAPTER:,} "
                           "(reading them takes the square of their number); split the chapter",
                           line_of_offset(text, match.start()))
            return


def _check_paragraph_lengths(source: str, text: str, problems: DiagnosticCollector) -> None:
    start = 0
    for separator in [*_BLOCK_SEPARATOR.finditer(text), None]:
        end = separator.start() if separator else len(text)
        block = text[start:end]
        if len(block) > MAX_PARAGRAPH_CHARACTERS:
            characters = len(block) - block.count(" ") - block.count("\n")  # blanked code does not count
            if characters > MAX_PARAGRAPH_CHARACTERS:
                problems.error(source, f"a paragraph of {characters:,} characters: reportpub lays out paragraphs "
                               f"of at most {MAX_PARAGRAPH_CHARACTERS:,} (the time to set one grows with the "
                               "square of its length); break it with a blank line", line_of_offset(text, start))
        start = separator.end() if separator else end
