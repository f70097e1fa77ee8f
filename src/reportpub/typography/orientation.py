"""UAX #50 Vertical_Orientation: how each character stands in vertical text.

The values come from the Unicode Character Database file ``VerticalOrientation.txt``
shipped as package data (copied unchanged from Debian's ``unicode-data``), never
from hand-written ranges, so that updating Unicode is a file copy:

- ``U``  upright, as in the code charts (kanji, kana, full-width forms);
- ``R``  rotated 90° clockwise, i.e. set sideways (Latin, ASCII digits);
- ``Tu`` typographically transformed (a vertical alternate glyph), else upright
  (、。 and small kana);
- ``Tr`` typographically transformed, else rotated (「」（）ー…).

The vertical PDF uses this to decide which glyphs of the derived font are turned
back upright; the markup step uses it indirectly (full-width digits are ``U``).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from importlib import resources

DATA_FILE = "VerticalOrientation.txt"

ORIENTATIONS = ("U", "R", "Tu", "Tr")
UPRIGHT_ORIENTATIONS = frozenset({"U", "Tu", "Tr"})

# "# @missing: 0000..10FFFF; R" — the value of every code point the file does not list.
_MISSING_LINE = re.compile(r"#\s*@missing:\s*([0-9A-Fa-f]+)\.\.([0-9A-Fa-f]+)\s*;\s*(\w+)")


@dataclass(frozen=True)
class OrientationTable:
    """The parsed data file: sorted, non-overlapping ranges and the default value."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    values: tuple[str, ...]
    default: str
    version: str  # first line of the file, e.g. "VerticalOrientation-15.0.0.txt"

    def lookup(self, code_point: int) -> str:
        index = bisect.bisect_right(self.starts, code_point) - 1
        if index >= 0 and code_point <= self.ends[index]:
            return self.values[index]
        return self.default


def parse_orientation_data(text: str) -> OrientationTable:
    """Parse the UCD file format: ``XXXX[..YYYY] ; value # comment`` lines."""
    ranges: list[tuple[int, int, str]] = []
    default = "R"  # what UAX #50 says for unlisted code points, if the file does not
    version = text.split("\n", 1)[0].lstrip("# ").strip()
    for line in text.splitlines():
        missing = _MISSING_LINE.match(line)
        if missing:
            default = missing.group(3)
            continue
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        code_points, value = (part.strip() for part in data.split(";"))
        if value not in ORIENTATIONS:
            raise ValueError(f"{DATA_FILE}: unknown Vertical_Orientation value {value!r} in {line!r}")
        first, _, last = code_points.partition("..")
        ranges.append((int(first, 16), int(last or first, 16), value))
    ranges.sort()
    for (_, previous_end, _), (start, _, _) in zip(ranges, ranges[1:]):
        if start <= previous_end:
            raise ValueError(f"{DATA_FILE}: overlapping ranges at U+{start:04X}")
    return OrientationTable(
        starts=tuple(r[0] for r in ranges),
        ends=tuple(r[1] for r in ranges),
        values=tuple(r[2] for r in ranges),
        default=default,
        version=version,
    )


@functools.cache
def orientation_table() -> OrientationTable:
    """The shipped table, read and parsed on first use (about 2,400 ranges)."""
    text = resources.files(__package__).joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return parse_orientation_data(text)


def data_version() -> str:
    """Which UCD file the answers come from (goes into caches built from them)."""
    return orientation_table().version


def vertical_orientation(ch: str) -> str:
    """The Vertical_Orientation of one character: ``'U'``, ``'R'``, ``'Tu'`` or ``'Tr'``."""
    if not isinstance(ch, str) or len(ch) != 1:
        raise ValueError(f"expected exactly one character, got {ch!r}")
    return orientation_table().lookup(ord(ch))


def is_upright_in_vertical(ch: str) -> bool:
    """True when the character stands upright in vertical text (U, Tu or Tr).

    For ``Tr`` this is true only when a vertical alternate glyph exists; without
    one the character falls back to being rotated. That depends on the font, so
    the font code checks it (see ``vertical_font``); this answer is the font-free one.
    """
    return vertical_orientation(ch) in UPRIGHT_ORIENTATIONS
