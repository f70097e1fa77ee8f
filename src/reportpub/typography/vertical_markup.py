"""Vertical-edition markup: automatic tate-chu-yoko, upright digits and vertical quotes in chapter XHTML.

In vertical Japanese text (JLREQ §3.2.3 and the Denden/VFM convention the
manuscript syntax follows):

- a run of **two** half-width digits (``12月``) and the pairs ``!!`` ``!?`` ``?!``
  ``??`` are set *tate-chu-yoko*: horizontally, inside one em of the column;
  they become ``<span class="tcy">12</span>``;
- a **single** digit (the ``1`` of ``1万``) and runs of **three or more** digits
  (``2024年``, the ``1000`` of ``1万1000人``) are set upright, one digit per em: they
  are converted to full-width digits (U+FF10–FF19) and wrapped in
  ``<span class="upright">２０２４</span>``.
  The single digit could equally be a one-character tcy cell (upright, one em: the
  same picture), but JLREQ names the full-width numeral for it, the full-width form
  needs no turned box in the PDF, and it keeps one rule for "one digit per em";
- digits that belong to a larger token — touching another digit, an ASCII letter,
  ``.`` or ``,`` (``3.14``, ``1,000``, ``ISO9001``), or joined to other digits by a dash,
  colon or slash (``105–113``, ``2024-12-20``, ``12:30``, ``1/2``), or inside a URL or
  identifier written as plain text (``https://…/20241015/``, ``doi:…``, ``urn:…``) — are left
  alone and turn sideways with the Latin text, the whole number one way, as do Latin words
  themselves (``R`` in UAX #50).

- double quotes “…” become the vertical quotes 〝…〟 (JLREQ's ノノカギ, the form vertical
  Japanese text uses): “ and ” are Latin punctuation, set sideways and small in a column;
  the pairing itself is the reader's (manuscript/quotes.py).

Only text nodes change. The input is an XHTML fragment (a chapter body from
Python-Markdown); it is tokenized rather than parsed into a tree so that everything
that is not a changed text node — tags, attribute values, comments, namespace
prefixes such as ``epub:type``, entity spelling — comes out byte for byte as it went
in. Text is left untouched inside ``<rt>``/``<rp>`` (ruby readings), ``<code>``,
``<pre>``, ``<kbd>``, ``<samp>``, ``<script>``, ``<style>``, ``<svg>``, ``<math>``,
``<table>`` (tables are set as upright horizontal islands in the vertical PDF, see
docs/vertical-pdf.md, so their digits must stay horizontal), and inside elements that already
carry one of the classes ``tcy``, ``upright``, ``sideways`` (author's ``^12^`` arrives
as ``<span class="tcy">`` or ``<span class="tcy tcy-3">``). That last rule makes the
function idempotent.

Whether a digit run touches "another digit or letter" is judged across inline
element boundaries (``<em>1</em>0`` is the token ``10``) but not across block
boundaries (``…12</p><p>3…`` are separate).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

TCY_CLASS = "tcy"
UPRIGHT_CLASS = "upright"

# Elements whose text is never vertical prose (or is not ours to touch).
DEFAULT_SKIP_ELEMENTS = frozenset(
    {"rt", "rp", "code", "pre", "kbd", "samp", "script", "style", "svg", "math", "table", "textarea"}
)
# Classes that mark text as already set (explicit tcy, earlier runs of this function).
# URLs and identifiers (class names given by the reader and the templates) are Latin runs.
SKIP_CLASSES = frozenset({"tcy", "upright", "sideways", "rt", "url", "identifier"})
# HTML's void elements, which never close: written bare (<br>) in HTML, self-closed in XHTML.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                           "track", "wbr"})
# Front and back matter (title page, contents, references, colophon): their tables (the
# colophon's) are set vertically with the text, not as horizontal islands.
MATTER_SKIP_ELEMENTS = DEFAULT_SKIP_ELEMENTS - {"table"}

# Elements that do not interrupt a line of text: a digit run's neighbours are looked
# for through them. Anything else (p, li, br, img, …) is a boundary.
INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i",
        "ins", "kbd", "mark", "q", "rb", "rp", "rt", "ruby", "s", "samp", "small", "span",
        "strong", "sub", "sup", "time", "u", "var",
    }
)

# A digit run is part of a larger token when it touches one of these.
_TOKEN_NEIGHBOURS = frozenset("0123456789.,ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_TCY_PUNCTUATION = frozenset({"!!", "!?", "?!", "??"})
# Between two digit runs these make one number of them (a range, a date, a time, a fraction).
_NUMBER_JOINERS = frozenset("-\u2010\u2011\u2012\u2013\u2014~\u301c\uff5e:/")
_DIGITS = frozenset("0123456789")

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
# “…” → 〝…〟: U+301F (low double prime) closes, as JLREQ and the CJK fonts' vertical forms have it.
_VERTICAL_QUOTES = str.maketrans("\u201c\u201d", "\u301d\u301f")

# XML markup tokens. A tag's attribute values may legally contain ">" in XML, so
# quoted strings are matched as units.
_MARKUP = re.compile(
    r"""
    (?P<comment><!--.*?-->)
  | (?P<cdata><!\[CDATA\[.*?\]\]>)
  | (?P<pi><\?.*?\?>)
  | (?P<doctype><!DOCTYPE[^>]*>)
  | (?P<tag></?[A-Za-z_][^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>)
  | (?P<text>[^<]+)
    """,
    re.VERBOSE | re.DOTALL,
)
_TAG_NAME = re.compile(r"</?\s*([^\s/>]+)")
_CLASS_ATTRIBUTE = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RUNS = re.compile(r"[0-9]+|[!?]+")
# A URL or identifier written as plain text (not a link showing its URL, which has class url):
# a scheme, www., doi: or urn: and the ASCII characters after it. Its digits turn sideways with it
# (``https://example.com/archive/20241015/`` kept one Latin run, not an upright ２０２４１０１５).
_IDENTIFIER = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\b(?:doi|urn):)[!-~]+", re.IGNORECASE)


class _Token:
    __slots__ = ("kind", "raw", "name", "closing", "self_closing", "classes", "text", "protected")

    def __init__(self, kind: str, raw: str):
        self.kind = kind  # "text", "tag" or "other"
        self.raw = raw
        self.name = ""
        self.closing = self.self_closing = False
        self.classes: frozenset[str] = frozenset()
        self.text = ""  # decoded character data, for text tokens
        self.protected = False


def add_vertical_markup(xhtml: str, *, skip_elements: Iterable[str] = DEFAULT_SKIP_ELEMENTS) -> str:
    """Return the fragment with tate-chu-yoko and upright-digit spans and vertical quotes in its text.

    Raises ValueError when the fragment's tags do not nest (it must be well-formed).
    """
    tokens = _tokenize(xhtml)
    _mark_protected(tokens, frozenset(skip_elements))
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "text" or token.protected:
            out.append(token.raw)
            continue
        before = _neighbour_character(tokens, index, -1)
        after = _neighbour_character(tokens, index, +1)
        out.append(_mark_text(token.text, before, after) or token.raw)
    return "".join(out)


def _tokenize(xhtml: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(xhtml):
        match = _MARKUP.match(xhtml, position)
        if not match:
            raise ValueError(f"not well-formed XHTML near offset {position}: {xhtml[position:position + 40]!r}")
        kind = match.lastgroup
        token = _Token("text" if kind == "text" else "tag" if kind == "tag" else "other", match.group())
        if kind == "tag":
            raw = token.raw
            token.name = _TAG_NAME.match(raw).group(1).lower()
            token.closing = raw.startswith("</")
            token.self_closing = raw.endswith("/>") or token.name in VOID_ELEMENTS
            classes = _CLASS_ATTRIBUTE.search(raw)
            if classes:
                token.classes = frozenset(html.unescape(classes.group(1) or classes.group(2) or "").split())
        elif kind == "text":
            token.text = html.unescape(token.raw)
        tokens.append(token)
        position = match.end()
    return tokens


def _mark_protected(tokens: list[_Token], skip_elements: frozenset[str]) -> None:
    """Flag every token that lies inside an element whose text must not change."""
    stack: list[tuple[str, bool]] = []  # (element name, protected)
    for token in tokens:
        inside = stack[-1][1] if stack else False
        if token.kind != "tag":
            token.protected = inside or token.kind == "other"
            continue
        if token.closing:
            if not stack or stack[-1][0] != token.name:
                raise ValueError(f"not well-formed XHTML: unexpected {token.raw!r}")
            stack.pop()
            continue
        token.protected = inside or token.name in skip_elements or bool(token.classes & SKIP_CLASSES)
        if not token.self_closing:
            stack.append((token.name, token.protected))
    if stack:
        raise ValueError(f"not well-formed XHTML: <{stack[-1][0]}> is never closed")


def _neighbour_character(tokens: list[_Token], index: int, step: int) -> str:
    """The character just before (step -1) or after (+1) a text token, seen through
    inline tags; "" at a block boundary or the fragment's edge."""
    index += step
    while 0 <= index < len(tokens):
        token = tokens[index]
        if token.kind == "text":
            if token.text:
                return token.text[-1] if step < 0 else token.text[0]
        elif token.kind == "tag":
            if token.name not in INLINE_ELEMENTS:
                return ""
        # comments and processing instructions are transparent
        index += step
    return ""


def _mark_text(text: str, before: str, after: str) -> str | None:
    """The escaped markup for one text node, or None when nothing changes."""
    pieces: list[str] = []
    last = 0
    quoted = text.translate(_VERTICAL_QUOTES)
    changed = quoted != text
    text = quoted
    identifiers = [match.span() for match in _IDENTIFIER.finditer(text)] if ":" in text or "www." in text else []
    for run in _RUNS.finditer(text):
        start, end = run.span()
        if any(first <= start < last for first, last in identifiers):
            continue  # inside a URL or identifier: sideways with it
        previous = text[start - 1] if start > 0 else before
        following = text[end] if end < len(text) else after
        if (previous in _NUMBER_JOINERS and start >= 2 and text[start - 2] in _DIGITS) or \
                (following in _NUMBER_JOINERS and end + 1 < len(text) and text[end + 1] in _DIGITS):
            continue  # one number with the digits across its dash: sideways, as they are
        markup = _markup_for_run(run.group(), previous, following)
        if markup is None:
            continue
        pieces.append(_escape(text[last:start]))
        pieces.append(markup)
        last = end
        changed = True
    if not changed:
        return None
    pieces.append(_escape(text[last:]))
    return "".join(pieces)


def _markup_for_run(run: str, previous: str, following: str) -> str | None:
    if run[0] in "!?":
        # "Why?!" belongs to its Latin word and turns sideways with it.
        if run in _TCY_PUNCTUATION and previous not in _ASCII_LETTERS and following not in _ASCII_LETTERS:
            return f'<span class="{TCY_CLASS}">{run}</span>'
        return None
    if previous in _TOKEN_NEIGHBOURS or following in _TOKEN_NEIGHBOURS:
        return None
    if len(run) == 2:
        return f'<span class="{TCY_CLASS}">{run}</span>'
    return f'<span class="{UPRIGHT_CLASS}">{run.translate(_FULL_WIDTH_DIGITS)}</span>'


def _escape(text: str) -> str:
    # ">" too, so that a "]]>" in the text can never appear in the output.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
