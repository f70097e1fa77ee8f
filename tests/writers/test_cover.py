"""The cover set in type follows book.toml's [fonts]: a chosen system family draws its title and
names; a project font (styles/), which Pillow cannot be given, leaves the theme's faces."""

import io

from PIL import Image

from reportpub.config import BookConfig, FontsConfig
from reportpub.writers.cover import make_cover

# 骨 and 直 are drawn differently in the Japanese and the Simplified Chinese Noto faces.
BOOK = BookConfig(title="骨直の報告", slug="t", subtitle="直す骨", authors=("著者",))


def pixels(config: BookConfig, mode: str) -> bytes:
    return Image.open(io.BytesIO(make_cover(config, width=700, height=1000, mode=mode))).tobytes()


def test_a_chosen_system_family_draws_the_cover():
    chinese = BookConfig(**{**BOOK.__dict__, "fonts": FontsConfig(serif="Noto Serif CJK SC", sans="Noto Sans CJK SC")})
    for mode in ("horizontal", "vertical"):
        assert pixels(chinese, mode) != pixels(BOOK, mode), mode


def test_a_project_font_leaves_the_theme_faces_on_the_cover():
    project_font = BookConfig(**{**BOOK.__dict__, "fonts": FontsConfig(serif="Only In Styles Serif")})
    for mode in ("horizontal", "vertical"):
        assert pixels(project_font, mode) == pixels(BOOK, mode), mode
