"""Make-style builds: nothing changed → nothing rebuilt; each kind of edit rebuilds exactly its outputs."""

import json
import os

import pytest

from reportpub.build import build
from reportpub.build.state import STATE_NAME
from reportpub.project import Project

from tests.conftest import book_toml

BOOK = book_toml(formats=["pdf", "html"], modes=["horizontal"])


@pytest.fixture
def small(make_project):
    return make_project({"01.md": "# 第一章\n\n本文です。\n", "02.md": "# 第二章\n\n本文です[^a]。\n\n[^a]: 注。\n"},
                        book=BOOK, files={"styles/custom.css": "p { color: #111; }\n"})


def run(root, **options):
    messages = []
    result = build(Project.open(root), report=messages.append, jobs=1, **options)
    return result, messages


def test_second_build_does_nothing_and_says_so(small):
    first, _ = run(small)
    assert sorted(first.written) == ["t-horizontal.pdf", "t.html"]
    before = {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()}
    second, messages = run(small)
    assert second.written == [] and sorted(second.skipped) == ["t-horizontal.pdf", "t.html"]
    assert "nothing to do: every edition is up to date" in messages
    assert {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()} == before


def test_touching_without_change_rebuilds_nothing(small):
    run(small)
    chapter = small / "manuscript" / "01.md"
    os.utime(chapter, (1, 1))
    assert run(small)[0].written == []


def test_editing_a_chapter_rebuilds_every_edition_and_explains(small):
    run(small)
    (small / "manuscript" / "02.md").write_text("# 第二章\n\n書き換えた本文[^a]。\n\n[^a]: 注。\n", encoding="utf-8")
    result, messages = run(small, explain=True)
    assert sorted(result.written) == ["t-horizontal.pdf", "t.html"]
    assert "build/t.html: rebuilt because manuscript/02.md changed" in messages


def test_a_template_override_rebuilds_only_its_format(small):
    run(small)
    (small / "templates").mkdir()
    (small / "templates" / "web.html").write_text("<html><body>{{ book.title }}</body></html>", encoding="utf-8")
    result, _ = run(small)
    assert result.written == ["t.html"]
    assert (small / "build" / "t.html").read_text(encoding="utf-8") == "<html><body>試験の本</body></html>"


def test_style_and_book_toml_edits_rebuild_everything(small):
    run(small)
    (small / "styles" / "custom.css").write_text("p { color: #222; }\n", encoding="utf-8")
    assert sorted(run(small)[0].written) == ["t-horizontal.pdf", "t.html"]
    (small / "manuscript" / "book.toml").write_text(BOOK.replace("試験の本", "新しい題"), encoding="utf-8")
    assert sorted(run(small)[0].written) == ["t-horizontal.pdf", "t.html"]


def test_force_rebuilds_all(small):
    run(small)
    assert sorted(run(small, force=True)[0].written) == ["t-horizontal.pdf", "t.html"]


def test_a_replaced_output_is_rebuilt(small):
    run(small)
    (small / "build" / "t.html").write_text("broken", encoding="utf-8")
    assert run(small)[0].written == ["t.html"]


def test_failed_build_changes_nothing_and_records_nothing(small):
    run(small)
    before = {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()}
    (small / "manuscript" / "02.md").write_text("# 第二章\n\n壊れた参照[^missing]。\n", encoding="utf-8")
    with pytest.raises(Exception):
        run(small)
    assert {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()} == before


def test_interrupted_build_is_not_recorded(small, monkeypatch):
    run(small)
    state_before = (small / "build" / STATE_NAME).read_text()
    (small / "manuscript" / "01.md").write_text("# 第一章\n\n変更。\n", encoding="utf-8")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("reportpub.writers.web.write_web", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(small)
    assert (small / "build" / STATE_NAME).read_text() == state_before
    assert not [p for p in (small / "build").iterdir() if ".tmp-" in p.name]
    monkeypatch.undo()
    assert sorted(run(small)[0].written) == ["t-horizontal.pdf", "t.html"]


def test_manifest_lists_outputs_with_hashes(small):
    run(small)
    manifest = json.loads((small / "build" / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    for record in manifest["outputs"]:
        data = (small / "build" / record["file"]).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest() and record["size"] == len(data)
    assert {i["file"] for i in manifest["inputs"]} >= {"manuscript/book.toml", "manuscript/01.md", "styles/custom.css"}
    assert {"weasyprint", "ebooklib", "markdown", "jinja2", "pango", "harfbuzz"} <= set(manifest["tools"])


def test_a_failing_parallel_job_leaves_no_temporary_files(small, monkeypatch):
    run(small)
    before = {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()}
    (small / "manuscript" / "01.md").write_text("# 第一章\n\n変更。\n", encoding="utf-8")

    def fail(*args, **kwargs):
        raise RuntimeError("writer failed")

    monkeypatch.setattr("reportpub.writers.web.write_web", fail)  # forked workers inherit the patch
    with pytest.raises(RuntimeError):
        build(Project.open(small), report=lambda message: None, jobs=2)
    after = {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()}
    assert after == before


def test_an_edit_parses_only_the_chapter_it_touched(small, monkeypatch):
    import reportpub.manuscript.reader

    run(small)
    parsed = []
    original = reportpub.manuscript.reader.read_chapter

    def counting(project, path, *args):
        parsed.append(path.name)
        return original(project, path, *args)

    monkeypatch.setattr(reportpub.manuscript.reader, "read_chapter", counting)
    (small / "manuscript" / "02.md").write_text("# 第二章\n\n書き直した本文です[^a]。\n\n[^a]: 注。\n", encoding="utf-8")
    run(small)
    assert parsed == ["02.md"]
    assert "書き直した" in (small / "build" / "t.html").read_text(encoding="utf-8")
    parsed.clear()
    run(small, force=True)  # --force trusts no cache
    assert sorted(parsed) == ["01.md", "02.md"]


def test_force_lays_every_pdf_part_out_again(small, monkeypatch):
    from reportpub.writers.pdf import layout as pdf_layout

    run(small)
    renders = []
    original = pdf_layout.PdfLayout.render
    monkeypatch.setattr(pdf_layout.PdfLayout, "render", lambda self, *a, **k: renders.append(1) or original(self, *a, **k))
    (small / "manuscript" / "01.md").write_text("# 第一章\n\n変更。\n", encoding="utf-8")
    run(small)
    assert len(renders) == 1  # the edited chapter only: its page count and the contents are unchanged
    renders.clear()
    run(small, force=True)
    assert len(renders) == 4  # contents measured, two chapters, contents numbered


def test_an_edit_to_a_chapter_in_a_subfolder_rebuilds(make_project):
    book = BOOK.replace('slug = "t"', 'slug = "t"\nchapters = ["parts/01.md"]').replace('["pdf", "html"]', '["html"]')
    root = make_project({}, book=book, files={"manuscript/parts/01.md": "# 第一章\n\n本文です。\n"})
    run(root)
    (root / "manuscript" / "parts" / "01.md").write_text("# 第一章\n\n本文が変わりました。\n", encoding="utf-8")
    result, messages = run(root, explain=True)
    assert result.written == ["t.html"], messages
    assert "build/t.html: rebuilt because manuscript/parts/01.md changed" in messages
    assert "本文が変わりました" in (root / "build" / "t.html").read_text(encoding="utf-8")


def test_a_parallel_edit_reads_the_book_beside_the_imports_and_reports_the_authors_problems(small, monkeypatch):
    """With workers, the book is read in a process of its own while the build imports the
    writers: the edit's text reaches the editions, and an error or warning of the edited chapter
    is reported as a serial build reports it (path:line: message), nothing in build/ replaced."""
    import reportpub.build
    from reportpub.diagnostics import ReportpubError

    build(Project.open(small), report=lambda message: None, jobs=2)
    readers = small.parent / "readers"  # the process that reads the book writes its id here
    original = reportpub.build.read_book

    def reading(*args, **kwargs):
        with readers.open("a") as stream:
            stream.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(reportpub.build, "read_book", reading)
    chapter = small / "manuscript" / "01.md"
    chapter.write_text("# 第一章\n\n並行して読んだ本文です。\n", encoding="utf-8")
    messages = []
    build(Project.open(small), report=messages.append, jobs=2)
    assert readers.read_text().split() and str(os.getpid()) not in readers.read_text().split()
    assert "並行して読んだ" in (small / "build" / "t.html").read_text(encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()}

    chapter.write_text("# 第一章\n\n本文です。\n\n![図](images/none.png)\n\n[^unused]: 使わない注。\n", encoding="utf-8")
    messages.clear()
    with pytest.raises(ReportpubError) as raised:
        build(Project.open(small), report=messages.append, jobs=2)
    assert "manuscript/01.md:5: image 'images/none.png' not found" in str(raised.value).splitlines()
    assert "manuscript/01.md:7: warning: footnote [^unused] is defined but never referenced" in messages
    assert {p.name: p.read_bytes() for p in (small / "build").iterdir() if p.is_file()} == before
