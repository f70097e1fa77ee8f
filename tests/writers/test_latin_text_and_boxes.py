"""Latin text as an English reader expects it (italic emphasis, curly quotes) and the question box
as the author wrote it, read from the editions."""

import re
import subprocess
import zipfile

from tests.conftest import book_toml, run_cli

BOOK = book_toml(formats=["pdf", "html"], modes=["horizontal"])

CHAPTER = """# 章

The word *emphasis* is "quoted", and it's *強調* in Japanese. Code keeps `"straight"` quotes.

!!! question "問いの題"
    問いの本文です。
"""


def test_latin_emphasis_quotes_and_question_box(make_project):
    root = make_project({"01.md": CHAPTER}, book=BOOK)
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    pdf = root / "build" / "t-horizontal.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "is \u201cquoted\u201d, and it\u2019s" in text
    assert '"straight"' in text
    # The question box: 問 before its title, and its body as written, with no 答 (answer) before it.
    assert "問問いの題問いの本文です。" in re.sub(r"\s+", "", text) and "答" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Liberation-Serif-Italic" in fonts  # *emphasis* on Latin text is set in a real italic
    web = (root / "build" / "t.html").read_text(encoding="utf-8")
    assert "<em>emphasis</em>" in web and '<em class="em-sesame">強調</em>' in web
    assert 'em { font-style: italic; font-family: "Liberation Serif", serif; }' in web


QUOTES_BOOK = BOOK.replace('formats = ["pdf", "html"]', 'formats = ["pdf", "epub"]').replace(
    'modes = ["horizontal"]', 'modes = ["horizontal", "vertical"]')


def test_japanese_quotes_open_and_close_and_turn_vertical(make_project):
    root = make_project({"01.md": '# 章\n\n彼は"東京"という言葉を使い、"Tokyo"とも書いた。\n'}, book=QUOTES_BOOK)
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr

    def pdf_text(mode):
        pdf = root / "build" / f"t-{mode}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        return re.sub(r"\s+", "", text)

    assert "彼は\u201c東京\u201dという言葉を使い、\u201cTokyo\u201dとも書いた。" in pdf_text("horizontal")
    assert "彼は\u301d東京\u301fという言葉を使い、\u301dTokyo\u301fとも書いた。" in pdf_text("vertical")
    for mode, quotes in (("horizontal", "\u201c東京\u201d"), ("vertical", "\u301d東京\u301f")):
        with zipfile.ZipFile(root / "build" / f"t-{mode}.epub") as epub:
            chapters = "".join(epub.read(name).decode() for name in epub.namelist() if "chapter" in name
                               and name.endswith(".xhtml"))
        assert quotes in chapters, mode
