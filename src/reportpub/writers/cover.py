"""A typographic cover image, made with Pillow from book.toml when the manuscript supplies none.

The cover is set the way the edition reads: for the vertical edition the title stands
in columns inside a calm colour band on the right, the subtitle and authors in columns
to its left; for the horizontal edition the title is set in lines across a band. No
picture, only type. The bytes depend only on the configuration and the fonts (no time
is embedded), so rebuilds are byte-identical.
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from reportpub.cache import Cache, cache_root
from reportpub.config import BookConfig
from reportpub.diagnostics import ReportpubError
from reportpub.typography.font_choice import is_system_family, system_pattern
from reportpub.typography.fonts import find_face

# Faces of the theme's text fonts (typography/fonts.py), by their fontconfig names.
SERIF_BOLD = "Noto Serif CJK JP:bold"
SANS_BOLD = "Noto Sans CJK JP:bold"
SANS_REGULAR = "Noto Sans CJK JP"

PAPER = (246, 243, 236)  # warm off-white
INK = (34, 34, 38)
BAND = (35, 58, 88)  # deep indigo
BAND_INK = (250, 248, 242)
RULE = (176, 150, 96)  # muted gold hairline

# Noto CJK: the ideographic em box runs from 0.88 em above the baseline to 0.12 below.
EM_ASCENT = 0.88

# Characters that may not start a line or column (JLREQ 行頭禁則), and that may not end one.
NO_START = set("、。，．,.)）」』】〕〉》]｝}!！?？:：;；ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ・")
NO_END = set("(（「『【〔〈《[｛{")
# Glyphs that take a different form in vertical text, for when the vert feature is not available.
ROTATE_IN_VERTICAL = set("ー…‥（）「」『』【】〔〕〈〉《》［］｛｝〜～－—―:：;；=＝")
SHIFT_IN_VERTICAL = set("、。，．")


@lru_cache(maxsize=None)
def _font(pattern: str, size: int) -> ImageFont.FreeTypeFont:
    """The face fontconfig finds for ``pattern`` (the face of a collection it names)."""
    try:
        face = find_face(pattern)
    except ReportpubError:  # no Noto CJK on this machine: Pillow's own font still gives a cover
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _cover_faces(fonts) -> tuple[str, str, str]:
    """The faces of the title, the subtitle and the names (authors, publisher)."""
    return tuple(_face_pattern(pattern, fonts) for pattern in (SERIF_BOLD, SANS_BOLD, SANS_REGULAR))


@lru_cache(maxsize=None)
def _face_pattern(pattern: str, fonts) -> str:
    """The theme face ``pattern`` names, with book.toml's ``[fonts]`` family in its place when
    that family is a system font. A project font (declared in styles/) is the editions' CSS's
    to use; the cover, drawn by Pillow from system fonts, keeps the theme's face for that role."""
    choice = system_pattern(pattern, fonts)
    if choice is None or choice == pattern or not is_system_family(choice.partition(":")[0]):
        return pattern
    return choice


def _has_raqm() -> bool:
    return bool(features.check("raqm"))


# ---------------------------------------------------------------------------------------------
# Breaking a title into lines (or columns)


def _break_quality(text: str, position: int) -> float | None:
    """Penalty for breaking ``text`` before ``position``; None where a break is forbidden."""
    before, after = text[position - 1], text[position]
    if after in NO_START or before in NO_END:
        return None
    if _is_narrow(before) and _is_narrow(after) and not before.isspace() and not after.isspace():
        return None  # never inside a Latin word or number
    if before.isspace() or after.isspace():
        return 0.0
    kind_before, kind_after = _script(before), _script(after)
    if kind_before == "hiragana" and kind_after != "hiragana":
        return 1.0  # after a particle: 協力と｜ウクライナ
    if before in "、，," or kind_before != kind_after:
        return 2.0
    return 12.0


def _script(character: str) -> str:
    name = unicodedata.name(character, "")
    if name.startswith("HIRAGANA"):
        return "hiragana"
    if name.startswith("KATAKANA") or character == "ー":
        return "katakana"
    if name.startswith("CJK"):
        return "kanji"
    return "other"


def _is_narrow(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("Na", "H", "N")


def wrap(text: str, limit: float) -> list[str]:
    """Break ``text`` into the fewest lines of at most ``limit`` cells, at good places, balanced."""
    text = " ".join(text.split())
    if _cells(text) <= limit:
        return [text] if text else []
    n = len(text)

    def allowed(end: int) -> float | None:
        return 0.0 if end == n else _break_quality(text, end)

    def pieces_ending_at(end: int):
        for start in range(end - 1, -1, -1):
            piece = text[start:end].strip()
            if _cells(piece) > limit:
                break
            yield start, piece

    # Fewest lines: fewest[i] for text[:i], honouring the break rules.
    fewest: dict[int, int] = {0: 0}
    for end in range(1, n + 1):
        if allowed(end) is None:
            continue
        counts = [fewest[start] + 1 for start, piece in pieces_ending_at(end) if start in fewest and piece]
        if counts:
            fewest[end] = min(counts)
    if n not in fewest:  # nothing satisfies the rules: cut hard
        step = max(1, int(limit))
        return [text[i:i + step] for i in range(0, n, step)]
    lines_needed = fewest[n]
    target = _cells(text) / lines_needed
    # Among those, the breaking with the best break points and the most even lengths.
    best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for count in range(1, lines_needed + 1):
        for end in range(1, n + 1):
            penalty = allowed(end)
            if penalty is None or (end == n) != (count == lines_needed) and end == n:
                continue
            options = []
            for start, piece in pieces_ending_at(end):
                previous = best.get((count - 1, start))
                if previous is None or not piece:
                    continue
                balance = ((_cells(piece) - target) / max(target, 1.0)) ** 2 * 10
                options.append((previous[0] + penalty + balance, previous[1] + [end]))
            if options:
                best[(count, end)] = min(options, key=lambda option: option[0])
    breaks = best[(lines_needed, n)][1]
    lines, start = [], 0
    for end in breaks:
        lines.append(text[start:end].strip())
        start = end
    return lines


def _cells(text: str) -> float:
    """Length in em cells: a narrow character takes half a cell."""
    return sum(0.5 if _is_narrow(c) else 1.0 for c in text)


# ---------------------------------------------------------------------------------------------
# Drawing


def _draw_horizontal_line(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
                          centre_x: float, top: float, fill: tuple[int, int, int]) -> None:
    """One line centred on ``centre_x``, its em box starting at ``top``."""
    size = font.size
    width = draw.textlength(text, font=font)
    draw.text((centre_x - width / 2, top + EM_ASCENT * size), text, font=font, fill=fill, anchor="ls")


def _column_units(text: str) -> list[tuple[str, str]]:
    """Split a column's text into (kind, text): 'char' upright, 'tcy' two narrow, 'sideways' a Latin run."""
    units: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == " ":
            units.append(("space", c))
            i += 1
            continue
        if _is_narrow(c):
            j = i
            while j < len(text) and _is_narrow(text[j]) and text[j] != " ":
                j += 1
            run = text[i:j]
            units.append(("tcy" if len(run) <= 2 else "sideways", run))
            i = j
            continue
        units.append(("char", c))
        i += 1
    return units


def _column_length(text: str, font: ImageFont.FreeTypeFont) -> float:
    size = font.size
    total = 0.0
    for kind, run in _column_units(text):
        if kind == "space":
            total += size * 0.5
        elif kind == "sideways":
            total += font.getlength(run)
        else:
            total += size
    return total


def _draw_vertical_column(image: Image.Image, text: str, font: ImageFont.FreeTypeFont,
                          centre_x: float, top: float, fill: tuple[int, int, int]) -> float:
    """Set one column of vertical text from ``top`` down; returns where it ends."""
    draw = ImageDraw.Draw(image)
    size = font.size
    left = centre_x - size / 2
    y = top
    raqm = _has_raqm()
    for kind, run in _column_units(text):
        if kind == "space":
            y += size * 0.5
        elif kind == "tcy":
            width = draw.textlength(run, font=font)
            scale_font = font if width <= size else font.font_variant(size=max(8, int(size * size / width)))
            width = draw.textlength(run, font=scale_font)
            draw.text((centre_x - width / 2, y + EM_ASCENT * size), run, font=scale_font, fill=fill, anchor="ls")
            y += size
        elif kind == "sideways":
            length = font.getlength(run)
            patch = Image.new("L", (int(length) + 2, size), 0)
            ImageDraw.Draw(patch).text((0, EM_ASCENT * size), run, font=font, fill=255, anchor="ls")
            turned = patch.rotate(-90, expand=True)
            image.paste(Image.new("RGB", turned.size, fill), (int(left), int(y)), turned)
            y += length
        elif raqm:
            # The font's vertical alternates (、。 moved to the upper right, ー and brackets turned).
            draw.text((left, y + EM_ASCENT * size), run, font=font, fill=fill, anchor="ls", features=["vert"])
            y += size
        else:
            patch = Image.new("L", (size, size), 0)
            ImageDraw.Draw(patch).text((0, EM_ASCENT * size), run, font=font, fill=255, anchor="ls")
            if run in ROTATE_IN_VERTICAL:
                patch = patch.rotate(-90)
            elif run in SHIFT_IN_VERTICAL:
                patch = patch.transform(patch.size, Image.Transform.AFFINE, (1, 0, -0.6 * size, 0, 1, 0.6 * size))
            image.paste(Image.new("RGB", patch.size, fill), (int(left), int(y)), patch)
            y += size
    return y


def _fit(text: str, font_pattern: str, size: int, extent: float, max_lines: int, min_size: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to ``min_size``) at which ``text`` wraps into ``max_lines`` within ``extent``."""
    while True:
        limit = max(1, int(extent // size))
        lines = wrap(text, limit)
        if len(lines) <= max_lines or size <= min_size:
            return _font(font_pattern, size), lines
        size = int(size * 0.92)


def make_cover(config: BookConfig, width: int = 1400, height: int = 2000, mode: str = "horizontal") -> bytes:
    """The cover as PNG bytes: vertical columns for the vertical edition, lines otherwise."""
    image = Image.new("RGB", (width, height), PAPER)
    if mode == "vertical":
        _vertical_cover(image, config)
    else:
        _horizontal_cover(image, config)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def _horizontal_cover(image: Image.Image, config: BookConfig) -> None:
    title_face, subtitle_face, names_face = _cover_faces(config.fonts)
    width, height = image.size
    draw = ImageDraw.Draw(image)
    unit = width / 1400
    margin = 130 * unit
    band_top, band_bottom = height * 0.20, height * 0.56
    draw.rectangle((0, band_top, width, band_bottom), fill=BAND)
    draw.line((margin, band_bottom + 26 * unit, width - margin, band_bottom + 26 * unit), fill=RULE, width=max(1, int(3 * unit)))

    font, lines = _fit(config.title, title_face, int(124 * unit), width - 2 * margin, 3, int(60 * unit))
    leading = font.size * 1.45
    block = leading * (len(lines) - 1) + font.size
    top = (band_top + band_bottom) / 2 - block / 2
    for number, line in enumerate(lines):
        _draw_horizontal_line(draw, line, font, width / 2, top + number * leading, BAND_INK)

    y = band_bottom + 110 * unit
    if config.subtitle:
        sub_font, sub_lines = _fit(config.subtitle, subtitle_face, int(54 * unit), width - 2 * margin, 3, int(34 * unit))
        for line in sub_lines:
            _draw_horizontal_line(draw, line, sub_font, width / 2, y, INK)
            y += sub_font.size * 1.6
    if config.authors:
        author_font = _font(names_face, int(50 * unit))
        _draw_horizontal_line(draw, "　".join(config.authors), author_font, width / 2, height * 0.80, INK)
    if config.publisher and config.publisher not in config.authors:
        publisher_font = _font(names_face, int(36 * unit))
        _draw_horizontal_line(draw, config.publisher, publisher_font, width / 2, height * 0.91, INK)
    draw.rectangle((0, height - 28 * unit, width, height), fill=BAND)


def _vertical_cover(image: Image.Image, config: BookConfig) -> None:
    title_face, subtitle_face, names_face = _cover_faces(config.fonts)
    width, height = image.size
    draw = ImageDraw.Draw(image)
    unit = width / 1400
    top, bottom = 170 * unit, height - 170 * unit
    band_left, band_right = width * 0.56, width * 0.86
    draw.rectangle((band_left, 0, band_right, height), fill=BAND)
    draw.line((band_left - 26 * unit, top, band_left - 26 * unit, bottom), fill=RULE, width=max(1, int(3 * unit)))

    # Title: columns from right to left inside the band, centred in it.
    band_width = band_right - band_left
    font, columns = _fit(config.title, title_face, int(132 * unit), bottom - top, 3, int(60 * unit))
    while len(columns) * font.size * 1.5 > band_width and font.size > 40 * unit:
        font, columns = _fit(config.title, title_face, int(font.size * 0.92), bottom - top, 3, int(40 * unit))
    pitch = font.size * 1.45
    first_x = (band_left + band_right) / 2 + pitch * (len(columns) - 1) / 2
    for number, column in enumerate(columns):
        length = _column_length(column, font)
        _draw_vertical_column(image, column, font, first_x - number * pitch, top + (bottom - top - length) / 2 * 0.35,
                              BAND_INK)

    x = band_left - 110 * unit
    if config.subtitle:
        sub_font, sub_columns = _fit(config.subtitle, subtitle_face, int(58 * unit), (bottom - top) * 0.8, 3, int(34 * unit))
        for column in sub_columns:
            _draw_vertical_column(image, column, sub_font, x, top + 60 * unit, INK)
            x -= sub_font.size * 1.7
    if config.authors:
        author_font = _font(names_face, int(54 * unit))
        names = "　".join(config.authors)
        length = _column_length(names, author_font)
        _draw_vertical_column(image, names, author_font, 200 * unit, bottom - length, INK)
    if config.publisher and config.publisher not in config.authors:
        publisher_font = _font(names_face, int(38 * unit))
        _draw_horizontal_line(draw, config.publisher, publisher_font, (band_left + band_right) / 2,
                              height - 120 * unit, BAND_INK)


COVER_NAMES = ("cover.png", "cover.jpg", "cover.jpeg")


def cached_cover(config: BookConfig, width: int, height: int, mode: str, cache_dir: Path) -> bytes:
    """make_cover(), kept in ``cache_dir``: drawing a cover takes a noticeable part of a quick
    EPUB build. One entry per mode and size, holding the key it was drawn for (the
    configuration and this module's code), so the cache never holds more than its sizes."""
    import hashlib

    key = hashlib.sha256(repr((config, width, height, mode, Path(__file__).read_bytes())).encode()).hexdigest()[:32]
    covers, slot = Cache(cache_dir), f"cover-{mode}-{width}x{height}"
    stored = covers.get(slot)  # None when missing or damaged
    if stored is not None and stored.startswith(key.encode() + b"\n"):
        return stored[len(key) + 1:]
    content = make_cover(config, width, height, mode=mode)
    covers.put(slot, key.encode() + b"\n" + content)
    return content


def cover_image(config: BookConfig, project, mode: str, width: int = 1400, height: int = 2000) -> tuple[str, bytes, tuple[int, int]]:
    """(href, bytes, size) of the cover: the image book.toml's ``cover`` names, else
    manuscript/images/cover.png or .jpg if present, else one generated from book.toml."""
    from reportpub.safety.images import ImageProblem, check_image_file

    # book.toml's cover is checked with book.toml (config.py): it exists and is PNG or JPEG by name.
    names = [config.cover] if config.cover else [f"images/{name}" for name in COVER_NAMES]
    for name in names:
        candidate = project.manuscript / name
        path = project.inside(candidate) if candidate.is_file() else None
        if path is not None:
            try:
                _, size = check_image_file(path, allowed=("PNG", "JPEG"))
            except ImageProblem as problem:
                raise ReportpubError.at(project.relative(candidate), f"the cover {problem}") from None
            return name, path.read_bytes(), size
    return "images/cover.png", cached_cover(config, width, height, mode, cache_root(project.build_dir) / "covers"), (width, height)
