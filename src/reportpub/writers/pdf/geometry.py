"""Page geometry of the PDF editions: trim size and margins fitted to a whole-character grid.

Horizontal pages are described as they are shown. Vertical pages are laid out on a frame
of swapped dimensions that each page shows turned (see typography/vertical_font.py and
theme/pdf-vertical.css), so their margins are given in frame terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportpub.config import BookConfig

PT_PER_MM = 72 / 25.4
BODY_FONT_PT = 9.5  # the body text size: the grid is counted in it, and PageGeometry.css gives it to the theme
BODY_FONT_CSS = f"html {{ font-size: {BODY_FONT_PT}pt; }}\n"  # also given to the vertical islands' measurement
MIN_SIDE_MARGIN_MM = 15
MAX_CHARACTERS_PER_LINE = 42
MARKS_ROOM_MM = 10  # room outside the bleed for crop and registration marks (トンボ)


@dataclass(frozen=True)
class PageGeometry:
    """The trim size and margins (mm) of a mode's pages, fitted to a whole-character grid."""

    width: float
    height: float
    top: float
    bottom: float
    inner: float
    outer: float

    def css(self) -> str:
        """The page size and margins, and the body font size the grid is counted in."""
        return (
            BODY_FONT_CSS
            + f"@page {{ size: {self.width:.3f}mm {self.height:.3f}mm; "
            f"margin: {self.top:.3f}mm {self.outer:.3f}mm {self.bottom:.3f}mm {self.inner:.3f}mm; }}\n"
            f"@page :left {{ margin-left: {self.outer:.3f}mm; margin-right: {self.inner:.3f}mm; }}\n"
            f"@page :right {{ margin-left: {self.inner:.3f}mm; margin-right: {self.outer:.3f}mm; }}\n"
        )


@dataclass(frozen=True)
class VerticalGeometry:
    """A vertical page (mm, as shown) and the turned frame WeasyPrint lays it out on.

    The frame is the page turned 90° counter-clockwise: frame width = page height,
    frame left = page top (天), frame right = page bottom (地), frame top = page right,
    frame bottom = page left. A vertical book binds on the right, so an odd page has
    its inner margin (のど) on its right side = the frame's top."""

    width: float
    height: float
    head: float  # 天
    foot: float  # 地
    inner: float  # のど
    outer: float  # 小口

    @property
    def column_length(self) -> float:
        """The frame's content width: the length of a column on the page."""
        return self.height - self.head - self.foot

    @property
    def island_width(self) -> float:
        """Frame height available to content: the page's text width, for upright islands."""
        return self.width - self.inner - self.outer

    def css(self) -> str:
        """The page size and margins, and the body font size the grid is counted in."""
        return (
            BODY_FONT_CSS
            + f"@page {{ size: {self.height:.3f}mm {self.width:.3f}mm; "
            f"margin: {self.inner:.3f}mm {self.foot:.3f}mm {self.outer:.3f}mm {self.head:.3f}mm; }}\n"
            f"@page :left {{ margin-top: {self.outer:.3f}mm; margin-bottom: {self.inner:.3f}mm; }}\n"
            f"@page :right {{ margin-top: {self.inner:.3f}mm; margin-bottom: {self.outer:.3f}mm; }}\n"
        )


MAX_CHARACTERS_PER_COLUMN = 45


def vertical_geometry(config: BookConfig) -> VerticalGeometry:
    """Column length a whole number of characters (at most 45), 天 a little narrower than 地
    (which holds the nombre); the sides split for のど and 小口 with room for side notes."""
    width, height = config.pdf.width_mm, config.pdf.height_mm
    char_mm = BODY_FONT_PT / PT_PER_MM
    characters = min(MAX_CHARACTERS_PER_COLUMN, math.floor((height - 2 * MIN_SIDE_MARGIN_MM - 10) / char_mm))
    spare = height - characters * char_mm
    side = max(MIN_SIDE_MARGIN_MM, width * 0.11)
    return VerticalGeometry(width=width, height=height, head=spare * 0.45, foot=spare * 0.55,
                            inner=side * 1.1, outer=side * 0.9)


def horizontal_geometry(config: BookConfig) -> PageGeometry:
    """Line length a whole number of characters (at most 42, JLREQ's comfortable range),
    the rest split between the margins, the inner one a little wider for the binding."""
    width, height = config.pdf.width_mm, config.pdf.height_mm
    char_mm = BODY_FONT_PT / PT_PER_MM
    characters = min(MAX_CHARACTERS_PER_LINE, math.floor((width - 2 * MIN_SIDE_MARGIN_MM) / char_mm))
    spare = width - characters * char_mm
    return PageGeometry(width=width, height=height, top=height * 0.095, bottom=height * 0.105,
                        inner=spare * 0.53, outer=spare * 0.47)


