"""Double quotes paired by their order in a block, where smarty cannot tell them apart.

smarty decides each straight quote by its neighbours: one after a space opens, one after
any other character closes. Japanese has no spaces between words, so in 彼は"東京"と言った
both quotes follow a character and both close (”東京”). Here each block's double quotes
are read in order (through its inline elements, but not into code, ruby readings or
nested blocks); when they are an even number and do not alternate open, close, open, …,
they are set so. An odd number (an inch mark, a quotation that runs on into the next
paragraph) is left as smarty set it, and so are quotes that already alternate, so Latin
text comes out as smarty makes it.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator

OPEN, CLOSE = "\u201c", "\u201d"

# Elements whose text is not prose: the quotes in them are the author's literal characters.
_LITERAL_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "rt", "rp", "script", "style", "math", "svg"})
# Elements that hold a run of text within a line; anything else starts a block of its own.
_INLINE_ELEMENTS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "data", "del", "dfn", "em", "i", "img", "ins",
    "mark", "q", "rb", "ruby", "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
})


def pair_double_quotes(body: etree.Element) -> None:
    """Re-pair the curly double quotes of every block under ``body`` (in place)."""
    for block in body.iter():
        if block.tag in _INLINE_ELEMENTS or block.tag in _LITERAL_ELEMENTS:
            continue
        _pair_in(list(_text_slots(block)))


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
    found = [(slot, index) for slot, text in enumerate(texts) for index, ch in enumerate(text) if ch in (OPEN, CLOSE)]
    if not found or len(found) % 2:
        return
    wanted = [OPEN if position % 2 == 0 else CLOSE for position in range(len(found))]
    if [texts[slot][index] for slot, index in found] == wanted:
        return
    for (slot, index), quote in zip(found, wanted):
        texts[slot][index] = quote
    for (element, attribute), text in zip(slots, texts):
        if text:
            setattr(element, attribute, "".join(text))
