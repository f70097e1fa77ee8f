"""Syntax slips that Markdown would print as written: each one a path:line error or warning,
from `check` (without building) and from `build` (which then writes nothing)."""

import pytest

from tests.conftest import book_toml, run_cli

BOOK = book_toml(formats=["html"], modes=["horizontal"])

ERRORS = [
    ("孫の名は{孫|まご。\n", "manuscript/01.md:3: ruby '{孫|まご。' is not closed: end it with '}' on the same line"),
    ("ここが《《大事なところ。\n\n次の段落》》。\n",
     "manuscript/01.md:3: emphasis dots '《《' are not closed: end them with '》》' in the same paragraph"),
    ("{東京|と|う|きょう}へ。\n",
     "manuscript/01.md:3: per-character ruby '{東京|と|う|きょう}' has 3 readings for 2 base characters: "
     "give one reading per character, or one for the whole word ({東京|とうきょう})"),
    ("{漢字|}。\n", "manuscript/01.md:3: ruby '{漢字|}' has no reading"),
    ("第^2024^回。\n",
     "manuscript/01.md:3: tate-chu-yoko '^2024^' holds 4 characters; at most 3 fit across a vertical line"),
    ("前の段落。\n\n===\n次の段落。\n",
     "manuscript/01.md:5: '===' followed by text on the next line is printed as it is; "
     "a page break is '===' between blank lines"),
]

WARNINGS = [
    ("x^2 の値。\n", "manuscript/01.md:3: warning: unpaired '^' is printed as it is (tate-chu-yoko is written ^12^, "
     "up to three characters, on one line)"),
    ("前の段落。\n===\n\n次。\n", "manuscript/01.md:4: warning: '===' right under a line makes that line a heading; "
     "for a page break put a blank line before '===' (for a heading, write '# ' before it)"),
]


def chapter(body: str) -> str:
    return "# 章\n\n" + body


@pytest.mark.parametrize("body, message", ERRORS, ids=[m.split(": ", 1)[1][:24] for _, m in ERRORS])
def test_check_and_build_report_the_slip(make_project, body, message):
    project = make_project({"01.md": chapter(body)}, book=BOOK)
    for command in ("check", "build"):
        result = run_cli(command, str(project))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert message in result.stderr.splitlines(), result.stderr
    assert not (project / "build" / "t.html").exists()


@pytest.mark.parametrize("body, message", WARNINGS, ids=["caret", "setext"])
def test_warnings_name_the_line_and_do_not_stop_the_build(make_project, body, message):
    project = make_project({"01.md": chapter(body)}, book=BOOK)
    result = run_cli("check", str(project))
    assert result.returncode == 0, result.stderr
    assert message in result.stderr.splitlines(), result.stderr
    assert "1 warning(s)" in result.stderr


def test_check_reports_every_slip_at_once_without_building(make_project):
    project = make_project({"01.md": chapter("".join(body + "\n" for body, _ in ERRORS))}, book=BOOK)
    result = run_cli("check", str(project))
    assert result.returncode == 1
    located = [line for line in result.stderr.splitlines() if line.startswith("manuscript/01.md:")]
    assert [line.split(": ", 1)[1] for line in located] == [m.split(": ", 1)[1] for _, m in ERRORS], result.stderr
    assert not (project / "build" / "t.html").exists()


def test_slips_in_code_are_not_reported(make_project):
    body = "`{孫|まご` と `x^2` は書き方の例。\n\n```\n{東京|と|う|きょう}\n《《\n===\n本文\n```\n"
    project = make_project({"01.md": chapter(body)}, book=BOOK)
    result = run_cli("check", str(project))
    assert result.returncode == 0, result.stderr
    assert "0 warning(s)" in result.stderr


def test_well_formed_syntax_is_not_a_slip(make_project):
    body = ("{漢字|かん|じ}と{平壌|ピョンヤン}、《《傍点》》、第^12^回[^a]。\n\n===\n\n次。\n\n"
            "見出し\n---\n\n[^a]: 注。\n")
    project = make_project({"01.md": chapter(body)}, book=BOOK)
    result = run_cli("check", str(project))
    assert result.returncode == 0 and "0 warning(s)" in result.stderr, result.stderr


def test_bare_word_in_book_toml_gets_a_quote_it_hint(make_project):
    project = make_project({"01.md": chapter("本文。\n")}, book=BOOK + "\n[pdf]\npaper = B6\n")
    result = run_cli("check", str(project))
    assert result.returncode == 1
    assert result.stderr.strip() == ('manuscript/book.toml:11: malformed TOML: Invalid value '
                                     '(text must be quoted: paper = "B6")')
