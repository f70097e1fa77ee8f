"""The code points a font covers, read from its cmap table, are the ones fontTools maps."""

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reportpub.typography.coverage import _mapped_code_points
from reportpub.typography.fonts import TEXT_FAMILIES, find_face

# Its format-4 map sends some code points to .notdef, which cover nothing.
NOTDEF_MAPPING = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-ExtraLight.ttf")


def _faces():
    faces = [(face.path, face.index) for face in map(find_face, TEXT_FAMILIES)]
    return faces + ([(NOTDEF_MAPPING, 0)] if NOTDEF_MAPPING.is_file() else [])


@pytest.mark.parametrize("path,index", _faces(), ids=lambda value: getattr(value, "name", str(value)))
def test_code_points_are_those_fonttools_maps(path, index):
    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        expected = set(font.getBestCmap())
    assert _mapped_code_points(path, index) == expected
