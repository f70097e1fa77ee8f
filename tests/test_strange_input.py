"""Large and strange manuscripts: each builds or stops with a clear message, never hangs or crashes."""

import pytest

from reportpub.build import read_book
from reportpub.manuscript.limits import MAX_NESTING
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.writers.web import write_web

CASES = {
    "one 50,000-character line": "# 長い行\n\n" + "あいうえお、かきくけこ。" * 4200 + "\n",
    "deeply nested lists": "# 入れ子\n\n" + "".join("    " * i + "- 項目\n" for i in range(MAX_NESTING)),
    "a table with 1,000 rows": "# 表\n\nTable: 大きな表\n\n| a | b |\n|---|---|\n" + "".join(f"| {i} | 値{i} |\n" for i in range(1000)),
    "an empty chapter": "",
    "only headings": "# 一\n\n## 二\n\n### 三\n\n#### 四\n",
    "unbalanced Markdown": "# 崩れ\n\n*星 と **太字 と [リンク](# と `コード\n",
}


def test_unbalanced_reportpub_syntax_is_an_error_with_its_line(make_project):
    from reportpub.diagnostics import ReportpubError

    root = make_project({"01.md": "# 崩れ\n\n{漢字|かんじ と ^12 と 《《強調 と *星 と [リンク](#\n"})
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/01.md:3: emphasis dots '《《' are not closed: end them with '》》' in the same paragraph",
        "manuscript/01.md:3: ruby '{漢字|かんじ と ^1…' is not closed: end it with '}' on the same line"]


def test_unclosed_raw_html_is_an_error_with_its_line(make_project):
    from reportpub.diagnostics import ReportpubError

    root = make_project({"01.md": "# 崩れ\n\n本文\n\n<div>\n\n続き\n"})
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/01.md:5: <div> is not closed or not well-formed (raw HTML must be well-formed XHTML)"]


def test_an_autolink_is_not_named_as_the_unclosed_tag(make_project):
    """<https://…> (an autolink, here in a note) was read as a tag named https, and named as the
    one not closed whatever the fault was."""
    from reportpub.diagnostics import ReportpubError

    root = make_project({"01.md": "# 崩れ\n\n本文[^a]。\n\n[^a]: <https://example.com/a>。\n\n<span>閉じない\n"})
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/01.md:7: <span> is not closed or not well-formed (raw HTML must be well-formed XHTML)"]


def test_backticks_in_a_raw_tag_are_the_tags_text(make_project):
    """Python-Markdown made a code span inside the attribute's value (title="a <code>b</code> c")
    and the chapter stopped as ill-formed, with no line; a tag comes before code, as CommonMark has it."""
    root = make_project({"01.md": '# 章\n\n本文<span title="a `b` c">語</span>と`コード`と<!-- `x` -->。\n'})
    html = read_book(Project.open(root)).chapters[0].body
    assert '<span title="a `b` c">語</span>と<code>コード</code>と' in html


ILL_FORMED = {
    "an attribute not quoted": ('<span title=`b`>語</span>', "invalid token"),
    "a quote not closed": ('<span title="a `b` c>語</span>', "mismatched tag"),
    "an attribute twice": ('<span class="a" class="b">語</span>', "duplicate attribute"),
    "an HTML entity": ("&nbsp;", "undefined entity (XHTML knows only &amp; &lt; &gt; &quot; &apos;: write the character itself)"),
}


@pytest.mark.parametrize("name", sorted(ILL_FORMED))
def test_ill_formed_raw_html_is_an_error_with_its_line(name, make_project):
    """When no tag is left open, the message had no line: it names the block's first line and the cause."""
    from reportpub.diagnostics import ReportpubError

    html, cause = ILL_FORMED[name]
    root = make_project({"01.md": f"# 章\n\n段落。\n\n```\n\n<b>\n```\n\n本文{html}です。\n続き。\n"})
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    assert [str(d) for d in info.value.diagnostics] == [
        f"manuscript/01.md:10: raw HTML is not well-formed: {cause} (raw HTML must be well-formed XHTML)"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_strange_chapter_reads_and_writes(name, make_project, tmp_path):
    root = make_project({"01.md": CASES[name]})
    project = Project.open(root)
    book = read_book(project)
    target = tmp_path / "out.html"
    write_web(book, project, Templates(project), target)
    assert target.stat().st_size > 0


def test_ten_thousand_footnotes(make_project):
    text = "# 注\n\n" + "".join(f"文[^{i}]。" for i in range(10000)) + "\n\n" + "".join(f"[^{i}]: 注{i}\n" for i in range(10000))
    book = read_book(Project.open(make_project({"01.md": text})))
    notes = book.chapters[0].notes
    assert len(notes) == 10000 and notes[-1].number == 10000 and notes[-1].html == "<p>注9999</p>"
