"""UAX #50 lookups agree with the shipped Unicode data file."""

from __future__ import annotations

from importlib import resources

import pytest

from reportpub.typography.orientation import (
    data_version,
    is_upright_in_vertical,
    parse_orientation_data,
    vertical_orientation,
)


def _data_file_values() -> dict[int, str]:
    """An independent, naive reading of the data file: code point → value."""
    text = resources.files("reportpub.typography").joinpath("data", "VerticalOrientation.txt").read_text("utf-8")
    values = {}
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if data:
            code_points, value = (part.strip() for part in data.split(";"))
            first, _, last = code_points.partition("..")
            for code_point in range(int(first, 16), int(last or first, 16) + 1):
                values[code_point] = value
    return values


@pytest.mark.parametrize(
    ("character", "expected"),
    [
        ("漢", "U"), ("あ", "U"), ("ア", "U"), ("１", "U"), ("Ａ", "U"), ("\u3000", "U"),
        ("A", "R"), ("z", "R"), ("1", "R"), ("(", "R"), (" ", "R"), ("-", "R"), ("é", "R"),
        ("、", "Tu"), ("。", "Tu"), ("ぁ", "Tu"), ("ッ", "Tu"), ("！", "Tu"),
        ("ー", "Tr"), ("「", "Tr"), ("」", "Tr"), ("（", "Tr"), ("〜", "Tr"), ("：", "Tr"),
        # …, ‥ and ― are R: a CJK font centres them on the em box, so turned with the
        # page they still sit in the middle of the column.
        ("…", "R"), ("‥", "R"), ("―", "R"),
    ],
)
def test_known_characters(character, expected):
    assert vertical_orientation(character) == expected
    assert _data_file_values().get(ord(character)) == expected
    assert is_upright_in_vertical(character) is (expected != "R")


def test_every_listed_bmp_code_point_matches_the_data_file():
    listed = _data_file_values()
    mismatches = [
        f"U+{code_point:04X}"
        for code_point in range(0x10000)
        if code_point in listed and vertical_orientation(chr(code_point)) != listed[code_point]
    ]
    assert mismatches == []


def test_code_points_the_file_does_not_list_take_its_missing_value():
    listed = _data_file_values()
    assert 0x0378 not in listed  # an unassigned Greek code point
    assert vertical_orientation("\u0378") == "R"
    assert vertical_orientation("\U00020000") == "U"  # CJK Extension B, listed as a range
    assert vertical_orientation("\ue000") == "U"  # private use defaults to upright


def test_the_version_comes_from_the_file():
    assert data_version().startswith("VerticalOrientation-")


def test_parser_rejects_unknown_values():
    with pytest.raises(ValueError, match="unknown"):
        parse_orientation_data("0041 ; X\n")


@pytest.mark.parametrize("bad", ["", "ab", 65, None])
def test_one_character_is_required(bad):
    with pytest.raises(ValueError):
        vertical_orientation(bad)
