"""Line composition markup for the PDF editions: the units a line may not be broken inside.

WeasyPrint breaks lines with Pango (UAX #14), which does not know JLREQ's units that are
never divided (3.1.8, 3.1.10): a number set in full-width digits (each digit is an ideograph
to UAX #14, so ２０２４ could break after any digit), a number range (UAX #14 breaks after
the dash of 105–113), numbers joined by a middle dot (a date such as ５・１ or 5・15, a
time 12：30: UAX #14 breaks after the dot, which left 「（1・」 ending a heading's line and
「2）」 beginning the next), and a note call with the character before it and the closing
punctuation after it (else a line can begin with ²。, or a call stand alone at a line
start). They are wrapped in ``<span class="nobr">`` (``white-space: nowrap`` in pdf.css);
numbers in half-width digits with their separators need nothing, UAX #14 keeps them whole.
Ruby groups get the same span where their boxes are made (writers/pdf/chapter_html.py).

The wrapping works on the chapter tree after the ruby and emphasis boxes are built, and
leaves ruby readings, tate-chu-yoko cells, code and preformatted text alone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from reportpub.typography.punctuation import MIDDLE_DOTS
from reportpub.typography.vertical_markup import TCY_CLASS, UPRIGHT_CLASS

NOBR_CLASS = "nobr"
# A later call of a note called more than once (writers/pdf/chapter_html.py): the note's number,
# linked to the note set at its first call; pdf.css gives it the look of the footnote call.
NOTE_CALL_AGAIN_CLASS = "note-call"

# JLREQ cl-02 (closing brackets), cl-06 (full stops) and cl-07 (commas): kept with a note call before them.
CLOSING = "」』）〕］｝〉》】〙〗〟、。，．"
# The dashes and waves of a range (105–113, ２〜３), escaped for a character class.
RANGE_DASHES = "–—\\-~〜～"
# A number with its decimal point, thousands separators and the middle dots (JLREQ cl-05) that
# join numbers (５・１, 12：30), and a range of such.
_NUMBER = f"[0-9０-９]+(?:[.,．，{MIDDLE_DOTS}][0-9０-９]+)*"
NUMBER_UNIT = re.compile(f"{_NUMBER}(?:[{RANGE_DASHES}]{_NUMBER})*")
# Elements whose text is not running Japanese text.
SKIP_TAGS = frozenset({"rt", "code", "pre", "kbd", "samp", "script", "style"})
# A link showing its URL may break anywhere and is set as it is: no number units inside it (a unit
# there also split the link into one more box than its Link structure element covers).
SKIP_CLASSES = frozenset({"rt", "tcy", "url"})
# Inline boxes short enough to keep with a note call (a ruby box, a tate-chu-yoko cell, a number).
SHORT_UNIT = 4


def compose_lines(root: etree.Element) -> None:
    """Wrap the units that a line may not be broken inside."""
    _keep_note_calls_whole(root)
    _keep_joined_digit_cells_whole(root)
    _wrap_text_matches(root, NUMBER_UNIT, NOBR_CLASS, keep=_breakable_number)


def _classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _skipped(element: etree.Element) -> bool:
    return element.tag in SKIP_TAGS or bool(_classes(element) & SKIP_CLASSES)


def _content(parent: etree.Element) -> list:
    """The inline content of ``parent``: its text pieces (str) and child elements, in order
    (each child's tail a text piece of its own)."""
    items: list = [parent.text] if parent.text else []
    for child in parent:
        items.append(child)
        if child.tail:
            items.append(child.tail)
    return items


def _set_content(parent: etree.Element, items: list) -> None:
    """Make ``items`` (text pieces and elements) the content of ``parent``."""
    for child in list(parent):
        parent.remove(child)
    parent.text = None
    last = None
    for item in items:
        if isinstance(item, str):
            if last is None:
                parent.text = (parent.text or "") + item
            else:
                last.tail = (last.tail or "") + item
        else:
            item.tail = None
            parent.append(item)
            last = item


def _wrap(items: list, class_name: str) -> etree.Element:
    span = etree.Element("span", {"class": class_name})
    _set_content(span, items)
    return span


def _is_note(item) -> bool:
    """A note call: the floating note of its first call, or a later call of the same note."""
    return not isinstance(item, str) and bool({"footnote", NOTE_CALL_AGAIN_CLASS} & _classes(item))


def _keep_note_calls_whole(root: etree.Element) -> None:
    """Wrap each note call (one or more calls in a row) with the character before it and the
    closing punctuation after it in one unbreakable span."""
    for parent in list(root.iter()):
        if _skipped(parent) or not any(_is_note(child) for child in parent):
            continue
        items = _content(parent)
        out: list = []
        index = 0
        while index < len(items):
            if not _is_note(items[index]):
                out.append(items[index])
                index += 1
                continue
            unit: list = []
            if out and isinstance(out[-1], str):  # the character before the call
                before = out.pop()
                if before[:-1]:
                    out.append(before[:-1])
                unit.append(before[-1])
            elif out and not isinstance(out[-1], str) and len("".join(out[-1].itertext())) <= SHORT_UNIT:
                unit.append(out.pop())
            while index < len(items) and _is_note(items[index]):
                unit.append(items[index])
                index += 1
            if index < len(items) and isinstance(items[index], str):  # closing punctuation after it
                after = items[index]
                count = len(after) - len(after.lstrip(CLOSING))
                if count:
                    unit.append(after[:count])
                    items[index] = after[count:]
            out.append(_wrap(unit, NOBR_CLASS))
        _set_content(parent, [item for item in out if not isinstance(item, str) or item])


def _is_digit_cell(item) -> bool:
    """A number the vertical markup set as a cell of its own (upright or tate-chu-yoko)."""
    return (not isinstance(item, str) and bool({UPRIGHT_CLASS, TCY_CLASS} & _classes(item))
            and (item.text or "").isdigit() and len(item) == 0)


def _keep_joined_digit_cells_whole(root: etree.Element) -> None:
    """In vertical text the numbers a middle dot joins are cells of their own (a ５・１ of one
    upright digit each, a １２・２５ of two tate-chu-yoko cells), so the text matches of
    NUMBER_UNIT never see them together: wrap each such run of cells and dots whole."""
    for parent in list(_text_parents(root, NOBR_CLASS)):
        items = _content(parent)
        if not any(_is_digit_cell(item) for item in items):
            continue
        out: list = []
        index = 0
        while index < len(items):
            end = index
            while (_is_digit_cell(items[end]) and end + 2 < len(items) and isinstance(items[end + 1], str)
                   and len(items[end + 1]) == 1 and items[end + 1] in MIDDLE_DOTS and _is_digit_cell(items[end + 2])):
                end += 2
            if end > index:
                out.append(_wrap(items[index:end + 1], NOBR_CLASS))
                index = end + 1
            else:
                out.append(items[index])
                index += 1
        _set_content(parent, out)


def _text_parents(root: etree.Element, made_here: str):
    """Every element whose own text and children's tails are running text, but the spans of
    class ``made_here`` (the ones being made: their text is done)."""
    skipped: set[int] = set()
    for element in root.iter():
        if id(element) in skipped or _skipped(element):
            skipped.update(id(descendant) for descendant in element.iter())
            continue
        if made_here not in _classes(element):
            yield element


def _breakable_number(unit: str) -> bool:
    """Whether UAX #14 could break inside a number unit: between full-width digits (each an
    ideograph to it), after a range dash or after a middle dot. Half-width digits with their
    decimal and thousands separators stay together without help."""
    return len(unit) > 1 and bool(re.search(f"[０-９{RANGE_DASHES}{MIDDLE_DOTS}]", unit))


def _wrap_text_matches(root: etree.Element, pattern: re.Pattern, class_name: str, keep) -> None:
    for parent in list(_text_parents(root, class_name)):
        items = _content(parent)
        if not any(isinstance(item, str) and pattern.search(item) for item in items):
            continue
        out: list = []
        for item in items:
            if not isinstance(item, str):
                out.append(item)
                continue
            last = 0
            for match in pattern.finditer(item):
                if not keep(match.group()):
                    continue
                out.append(item[last:match.start()])
                out.append(_wrap([match.group()], class_name))
                last = match.end()
            out.append(item[last:])
        _set_content(parent, [item for item in out if not isinstance(item, str) or item])
