"""Double quotes paired by their order in a block, where smarty cannot tell them apart.

smarty decides each straight quote by its neighbours: one after a space opens, one after
any other character closes. Japanese has no spaces between words, so in 彼は"東京"と言った
both quotes follow a character and both close (”東京”). Here each block's double quotes
are read in order (through its inline elements, but not into code, ruby readings or
nested blocks); when they are an even number and do not alternate open, close, open, …,
they are set so. An odd number (an inch mark, a quotation that runs on into the next
paragraph) is left as smarty set it, and so are quotes that already alternate, so Latin
text comes out as smarty makes it.

Only the quotes smarty made from straight ones change: a curly quote the author typed is
the author's character (12” と 15”, which re-pairing made 12“ と 15”). smarty writes its
double quotes as two Unicode noncharacters (:data:`SMARTY_SUBSTITUTIONS`), kept for a
program's internal use and so never the author's; the pairing counts the author's curly
quotes with them to know which is which, and every one of them becomes “ or ” here.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator

OPEN, CLOSE = "\u201c", "\u201d"
# What smarty writes for a straight double quote it opens or closes, until they are paired here.
SMARTY_OPEN, SMARTY_CLOSE = "\ufdd0", "\ufdd1"
SMARTY_SUBSTITUTIONS = {"left-double-quote": SMARTY_OPEN, "right-double-quote": SMARTY_CLOSE}
_AS_SMARTY_SET = str.maketrans({SMARTY_OPEN: OPEN, SMARTY_CLOSE: CLOSE})
_QUOTES = (OPEN, CLOSE, SMARTY_OPEN, SMARTY_CLOSE)

# Elements whose text is not prose: the quotes in them are the author's literal characters.
_LITERAL_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "rt", "rp", "script", "style", "math", "svg"})
# Elements that hold a run of text within a line; anything else starts a block of its own.
_INLINE_ELEMENTS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "data", "del", "dfn", "em", "i", "img", "ins",
    "mark", "q", "rb", "ruby", "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
})


def pair_double_quotes(body: etree.Element) -> None:
    """Re-pair the double quotes smarty made in every block under ``body`` (in place), and set
    the rest as smarty chose (in code, ruby readings, attributes)."""
    for block in body.iter():
        if block.tag in _INLINE_ELEMENTS or block.tag in _LITERAL_ELEMENTS:
            continue
        _pair_in(list(_text_slots(block)))
    for element in body.iter():
        for attribute in ("text", "tail"):
            text = getattr(element, attribute)
            if text and (SMARTY_OPEN in text or SMARTY_CLOSE in text):
                setattr(element, attribute, text.translate(_AS_SMARTY_SET))
        for name, value in element.items():
            if SMARTY_OPEN in value or SMARTY_CLOSE in value:
                element.set(name, value.translate(_AS_SMARTY_SET))


def _text_slots(element: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    """(element, "text" or "tail") for each piece of the element's own running text, in order:
    through inline children; a nested block is a block of its own and a literal element keeps
    its quotes, but the text after either still belongs here."""
    yield element, "text"
    for child in element:
        if child.tag in _INLINE_ELEMENTS:
            yield from _text_slots(child)
        yield child, "tail"


def _pair_in(slots: list[tuple[etree.Element, str]]) -> None:
    texts = [list(getattr(element, attribute) or "") for element, attribute in slots]
    found = [(slot, index) for slot, text in enumerate(texts) for index, ch in enumerate(text) if ch in _QUOTES]
    if not found or len(found) % 2:
        return
    wanted = [OPEN if position % 2 == 0 else CLOSE for position in range(len(found))]
    if [texts[slot][index].translate(_AS_SMARTY_SET) for slot, index in found] == wanted:
        return
    for (slot, index), quote in zip(found, wanted):
        if texts[slot][index] in (SMARTY_OPEN, SMARTY_CLOSE):  # the author's own quotes stay as typed
            texts[slot][index] = quote
    for (element, attribute), text in zip(slots, texts):
        if text:
            setattr(element, attribute, "".join(text))
