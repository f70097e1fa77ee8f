"""The command line as an author meets it: exit codes, one-line errors, no tracebacks, safe outputs."""

import hashlib
import os
import re
import stat

import pytest

from tests.conftest import book_toml, run_cli

BOOK = book_toml(version="1.0", formats=["pdf", "html"], modes=["horizontal"])


def assert_clean_failure(result, *expected_lines):
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    for expected in expected_lines:
        assert expected in lines, result.stderr


def snapshot(directory):
    """Every file in ``directory`` by its digest, but the build lock (which names the last build's pid)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())
            if p.is_file() and p.name != ".reportpub.lock"}


@pytest.fixture
def project(make_project):
    return make_project({"01.md": "# 第一章\n\n本文です[^a]。\n\n[^a]: 注。\n"}, book=BOOK)


def test_usage_error_exits_2(project):
    assert run_cli("build", str(project), "--only", "docx").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_build_then_noop(project):
    first = run_cli("build", str(project))
    assert first.returncode == 0, first.stderr
    assert (project / "build" / "t-horizontal.pdf").is_file() and (project / "build" / "t.html").is_file()
    assert (project / "build" / "index.html").is_file() and (project / "build" / "manifest.json").is_file()
    second = run_cli("build", str(project))
    assert second.returncode == 0 and "nothing to do" in second.stderr


def test_bad_book_toml(project):
    (project / "manuscript" / "book.toml").write_text("colour = 1\n" + BOOK, encoding="utf-8")
    assert_clean_failure(run_cli("build", str(project)), "manuscript/book.toml:1: unknown key 'colour' "
                         "(known keys: accessibility_summary, allow_remote, appendix, authors, bibliography, chapters, colophon, "
                         "cover, csl, date, "
                         "editions, fonts, identifier, language, numbering, pdf, publisher, rights, slug, subtitle, title, toc, "
                         "version)")


def test_malformed_toml(project):
    (project / "manuscript" / "book.toml").write_text('title = "x\n', encoding="utf-8")
    result = run_cli("build", str(project))
    assert result.returncode == 1 and result.stderr.startswith("manuscript/book.toml:1: malformed TOML")


def test_errors_are_collected_and_sorted(project):
    (project / "manuscript" / "02.md").write_text("# 二\n\n[行き先なし](#nowhere)\n\n![](images/none.png \"図\")\n", encoding="utf-8")
    (project / "manuscript" / "01.md").write_text("# 一\n\n未定義[^x]\n", encoding="utf-8")
    result = run_cli("build", str(project))
    assert_clean_failure(result,
                         "manuscript/01.md:3: footnote [^x] is not defined",
                         "manuscript/02.md:3: link to '#nowhere' leads nowhere (no heading or block has that id)",
                         "manuscript/02.md:5: image 'images/none.png' not found")
    lines = [line for line in result.stderr.strip().splitlines() if ": warning: " not in line]  # warnings come first
    assert lines == sorted(lines, key=lambda l: (l.split(":")[0], int(l.split(":")[1])))


def test_failed_build_leaves_build_dir_byte_identical(project):
    assert run_cli("build", str(project)).returncode == 0
    before = snapshot(project / "build")
    (project / "manuscript" / "01.md").write_text("# 第一章\n\n変更した本文[^missing]。\n", encoding="utf-8")
    assert_clean_failure(run_cli("build", str(project)), "manuscript/01.md:3: footnote [^missing] is not defined")
    assert snapshot(project / "build") == before


def test_template_error_names_the_override(project):
    (project / "templates").mkdir()
    (project / "templates" / "colophon.html").write_text("<p>\n{{ book.title }\n</p>\n", encoding="utf-8")
    result = run_cli("build", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("templates/colophon.html:2: template error: unexpected '}'"), result.stderr


def test_css_error_names_the_stylesheet(project):
    (project / "styles").mkdir()
    (project / "styles" / "mine.css").write_text("p { colr: red; }\n\nh1 { font-size: ; }\n", encoding="utf-8")
    assert_clean_failure(run_cli("build", str(project)),
                         "styles/mine.css:1: CSS: Ignored `colr: red`, unknown property",
                         "styles/mine.css:3: CSS: Ignored `font-size: `, no value")


def test_stylesheet_and_template_that_are_not_utf8_name_their_line(project):
    assert run_cli("build", str(project)).returncode == 0
    before = snapshot(project / "build")
    (project / "styles").mkdir()
    (project / "styles" / "mine.css").write_bytes("p { color: red; }\n/* 見出し */\n".encode("shift_jis"))
    (project / "templates").mkdir()
    (project / "templates" / "colophon.html").write_bytes(b"<p>\n\n\x8c\xa9</p>\n")
    assert_clean_failure(run_cli("build", str(project)),
                         "styles/mine.css:2: not UTF-8 text (byte 0x8c)",
                         "templates/colophon.html:3: not UTF-8 text (byte 0x8c)")
    assert snapshot(project / "build") == before


def test_not_a_project(tmp_path):
    result = run_cli("build", str(tmp_path))
    assert_clean_failure(result, "manuscript/book.toml: no book.toml: is this a reportpub project? "
                                 "(reportpub init DIR makes one)")


def test_clean_removes_only_what_reportpub_made(project):
    assert run_cli("build", str(project)).returncode == 0
    mine = project / "build" / "notes.txt"
    mine.write_text("the author's own file", encoding="utf-8")
    assert run_cli("clean", str(project)).returncode == 0
    assert [p.name for p in (project / "build").iterdir()] == ["notes.txt"]


def test_release_copies_and_never_overwrites(project):
    assert run_cli("build", str(project)).returncode == 0
    result = run_cli("release", str(project))
    assert result.returncode == 0, result.stderr
    released = project / "editions" / "1.0"
    assert snapshot(released) == {k: v for k, v in snapshot(project / "build").items()
                                  if k in {"t-horizontal.pdf", "t.html", "index.html", "manifest.json"}}
    assert not os.stat(released / "t.html").st_mode & stat.S_IWUSR
    again = run_cli("release", str(project))
    assert_clean_failure(again, "editions/1.0: version 1.0 is already released and is never overwritten; "
                                "raise 'version' in manuscript/book.toml for a new edition")


def test_check_finds_a_changed_edition(project):
    assert run_cli("build", str(project)).returncode == 0
    assert run_cli("check", str(project)).returncode == 0
    (project / "build" / "t.html").write_text("tampered", encoding="utf-8")
    assert_clean_failure(run_cli("check", str(project)),
                         "build/t.html: does not match manifest.json (SHA-256 differs): the file changed after the build")


def test_init_makes_a_project_that_builds(tmp_path):
    target = tmp_path / "new-report"
    assert run_cli("init", str(target)).returncode == 0
    result = run_cli("build", str(target), "--only", "html")
    assert result.returncode == 0, result.stderr
    html = (target / "build" / "new-report.html").read_text(encoding="utf-8")
    assert "報告書の題名" in html and "<ruby>調" in html
    assert_clean_failure(run_cli("init", str(target)),
                         f"{target}: directory exists and is not empty; choose a new one")


def test_init_in_a_japanese_folder_name_makes_a_project_that_checks_clean(tmp_path):
    target = tmp_path / "報告書"
    assert run_cli("init", str(target)).returncode == 0
    result = run_cli("check", str(target))
    assert result.returncode == 0, result.stderr
    assert 'slug = "book"' in (target / "manuscript" / "book.toml").read_text(encoding="utf-8")


def test_citation_errors_name_each_line_and_a_broken_bibliography_once(make_project):
    refs = '[{"id": "known", "type": "book", "title": "本", "issued": {"date-parts": [[2020]]}}]'
    root = make_project({"01.md": "# 一\n\n文[@nokey]。\n\n再び[@nokey]。\n\n既知[@known]。\n"},
                        book=BOOK.replace('slug = "t"', 'slug = "t"\nbibliography = "refs.json"'),
                        files={"manuscript/refs.json": refs})
    assert_clean_failure(run_cli("build", str(root)),
                         "manuscript/01.md:3: unknown citation key 'nokey'",
                         "manuscript/01.md:5: unknown citation key 'nokey'")
    (root / "manuscript" / "refs.json").write_text('[{"id": ', encoding="utf-8")
    result = run_cli("build", str(root))
    assert_clean_failure(result)
    assert result.stderr.strip().splitlines() == ["manuscript/refs.json:1: invalid JSON: Expecting value"]


def test_commands_find_the_project_from_a_folder_inside_it(project):
    (project / "manuscript" / "images").mkdir()
    result = run_cli("build", cwd=project / "manuscript" / "images")
    assert result.returncode == 0, result.stderr
    assert (project / "build" / "t.html").is_file() and not (project / "manuscript" / "images" / "build").exists()
    assert run_cli("check", cwd=project / "manuscript").returncode == 0


def test_watch_says_when_each_build_finished(project):
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "reportpub", "build", "--watch", "--only", "html", str(project)],
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("watching"):
                break
        assert any(re.fullmatch(r"built in \d+\.\d s at \d\d:\d\d:\d\d\n", line) for line in lines), lines
        time.sleep(0.5)
        (project / "manuscript" / "01.md").write_text("# 第一章\n\n閉じない{孫|まご\n", encoding="utf-8")
        for line in process.stderr:
            lines.append(line)
            if line.startswith("build failed"):
                break
        assert "manuscript/01.md:3: ruby '{孫|まご' is not closed: end it with '}' on the same line\n" in lines
        assert re.fullmatch(r"build failed at \d\d:\d\d:\d\d; fix and save to try again\n", lines[-1])
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()
