"""book.toml validation: good files load, every mistake names the key, the file and the line."""

import datetime as dt

import pytest

from reportpub.config import load_config, safe_slug
from reportpub.diagnostics import ReportpubError


def write(tmp_path, text):
    (tmp_path / "manuscript").mkdir(exist_ok=True)
    (tmp_path / "manuscript" / "book.toml").write_text(text, encoding="utf-8")
    return tmp_path


def errors(tmp_path, text):
    with pytest.raises(ReportpubError) as info:
        load_config(write(tmp_path, text))
    return [str(d) for d in info.value.diagnostics]


def test_full_book_toml_loads(tmp_path):
    config = load_config(write(tmp_path, '''title = "題"
subtitle = "副題"
authors = ["著者 太郎", "著者 花子"]
publisher = "発行者"
date = 2024-12-20
version = "2.1"
identifier = "urn:uuid:1234"
rights = "CC BY 4.0"
slug = "report"
bibliography = ["a.json", "b.bib"]
csl = "chicago-note"
chapters = ["b.md", "a.md"]

[pdf]
paper = "B6"
bleed = "5mm"

[editions]
formats = ["pdf", "epub"]
modes = ["vertical"]
'''))
    assert config.title == "題" and config.authors == ("著者 太郎", "著者 花子")
    assert config.date == dt.date(2024, 12, 20)
    assert config.bibliography == ("a.json", "b.bib")
    assert config.chapters == ("b.md", "a.md")
    assert (config.pdf.width_mm, config.pdf.height_mm, config.pdf.bleed_mm) == (128, 182, 5)
    assert config.editions.formats == ("pdf", "epub") and config.editions.modes == ("vertical",)
    assert config.timestamp == dt.datetime(2024, 12, 20, tzinfo=dt.timezone.utc)


def test_defaults(tmp_path):
    config = load_config(write(tmp_path, 'title = "題"\n'))
    assert config.language == "ja" and config.csl == "sist02"
    assert config.slug == safe_slug(tmp_path.name) and config.slug == safe_slug(config.slug)  # safe form of the directory name
    assert config.identifier.startswith("urn:uuid:")
    assert config.editions.modes == ("vertical", "horizontal")
    assert (config.pdf.width_mm, config.pdf.height_mm) == (148, 210)
    # the generated identifier is stable: same title and slug, same identifier
    assert load_config(tmp_path).identifier == config.identifier


def test_explicit_paper_size(tmp_path):
    config = load_config(write(tmp_path, 'title = "題"\n[pdf]\npaper = "100mm 150mm"\n'))
    assert (config.pdf.width_mm, config.pdf.height_mm) == (100, 150)


def test_unknown_key_names_key_file_and_line(tmp_path):
    assert errors(tmp_path, 'title = "題"\n\ntitel = "typo"\n')[0].startswith(
        "manuscript/book.toml:3: unknown key 'titel'")


def test_unknown_key_in_table(tmp_path):
    message = errors(tmp_path, 'title = "題"\n[pdf]\npaper = "A5"\nbled = "3mm"\n')[0]
    assert message.startswith("manuscript/book.toml:4: unknown key [pdf] 'bled'")


def test_wrong_types_are_all_reported(tmp_path):
    messages = errors(tmp_path, 'title = 3\nauthors = "one"\ndate = "2024-12-20"\n')
    assert "manuscript/book.toml:1: 'title' must be a string" in messages
    assert "manuscript/book.toml:2: 'authors' must be a list of strings" in messages
    assert "manuscript/book.toml:3: 'date' must be a date such as 2024-12-20" in messages


def test_malformed_toml_has_line(tmp_path):
    (message,) = errors(tmp_path, 'title = "題"\nauthors = [\n"x",\nversion = 1\n')
    assert message.startswith("manuscript/book.toml:") and "malformed TOML" in message


def test_bad_paper_mode_and_format(tmp_path):
    messages = errors(tmp_path, 'title = "題"\n[pdf]\npaper = "A9"\n[editions]\nformats = ["pdf", "docx"]\nmodes = ["diagonal"]\n')
    assert any(m.startswith("manuscript/book.toml:3: [pdf] paper 'A9'") for m in messages)
    assert any(m.startswith("manuscript/book.toml:5: [editions] formats: unknown 'docx'") for m in messages)
    assert any(m.startswith("manuscript/book.toml:6: [editions] modes: unknown 'diagonal'") for m in messages)


def test_paths_must_stay_in_manuscript(tmp_path):
    messages = errors(tmp_path, 'title = "題"\nchapters = ["../../etc/passwd"]\n')
    assert messages == ["manuscript/book.toml:2: '../../etc/passwd' must be a path inside manuscript/"]


def test_missing_title(tmp_path):
    assert errors(tmp_path, 'version = "1"\n') == ["manuscript/book.toml: missing key 'title'"]
