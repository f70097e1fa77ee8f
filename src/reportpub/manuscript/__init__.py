"""The manuscript dialect: Python-Markdown configured with reportpub's own extensions.

Pipeline (Python-Markdown's own order): the page-break block processor and the
built-in footnotes, tables, attribute lists and admonitions parse blocks; the
inline processors registered here leave backticks inside raw HTML tags alone and turn ``[@key]`` citations, ``{漢字|かんじ}`` ruby,
``^12^`` tate-chu-yoko and ``《《…》》`` emphasis dots into elements, and smarty
curls straight quotes ("…" → “…”, it's → it’s); the figures
tree processor turns lone images into figures and ``Table: caption`` paragraphs
into table captions. Numbering is not done here: resolve.py numbers the whole book.
"""

from __future__ import annotations

import markdown
from markdown.treeprocessors import InlineProcessor

from reportpub.manuscript.attribute_names import AttributeNamesExtension
from reportpub.manuscript.citations import CitationExtension
from reportpub.manuscript.emphasis import EmphasisDotsExtension
from reportpub.manuscript.figures import FiguresExtension
from reportpub.manuscript.pagebreak import PageBreakExtension
from reportpub.manuscript.quotes import SMARTY_SUBSTITUTIONS
from reportpub.manuscript.raw_tags import RawTagsExtension
from reportpub.manuscript.ruby import RubyExtension
from reportpub.manuscript.tcy import TateChuYokoExtension


def make_markdown() -> markdown.Markdown:
    """A Markdown converter for one chapter; call ``reset()`` between chapters."""
    converter = markdown.Markdown(
        output_format="xhtml",
        extensions=[
            "footnotes",
            "tables",
            "attr_list",
            AttributeNamesExtension(),
            "admonition",
            "fenced_code",
            "smarty",
            CitationExtension(),
            RubyExtension(),
            TateChuYokoExtension(),
            EmphasisDotsExtension(),
            PageBreakExtension(),
            RawTagsExtension(),
            FiguresExtension(),
        ],
        extension_configs={
            "footnotes": {"BACKLINK_TEXT": "", "SUPERSCRIPT_TEXT": "{}"},
            # Straight quotes become typographic ones, as characters (XHTML knows no &ldquo;);
            # dashes and "..." stay as written: Japanese sets ―― and …… its own way. Double quotes
            # are set by the reader once paired in their block (quotes.py).
            "smarty": {"smart_dashes": False, "smart_ellipses": False, "smart_angled_quotes": False,
                       "substitutions": {"left-single-quote": "\u2018", "right-single-quote": "\u2019",
                                         **SMARTY_SUBSTITUTIONS}},
        },
    )
    smarty = converter.treeprocessors["smarty"]
    quotes = _QuotesProcessor(converter)
    quotes.inlinePatterns = smarty.inlinePatterns
    converter.treeprocessors.register(quotes, "smarty", 6)  # in its place (smarty registers it at 6)
    return converter


class _QuotesProcessor(InlineProcessor):
    """smarty's second inline pass, passing over every text that holds no straight quote.
    As configured above, each of its patterns matches a ' or a " (smarty.educateQuotes), so
    such a text comes out as it went in; trying all fifteen patterns on each of a chapter's
    texts took two fifths of its Markdown conversion. (Overrides InlineProcessor's private
    __handleInline, through which run() and the patterns' nested texts all pass; were it
    renamed, this would go uncalled and every text be tried as before, only slower.)"""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        if "'" not in data and '"' not in data:
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)
