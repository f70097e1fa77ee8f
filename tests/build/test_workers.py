"""How many workers a build starts when --jobs is not given, and --jobs itself; the collector
kept out of what a build without workers keeps to its end."""

import gc

import pytest

import reportpub.build as build_module
from reportpub.build import build
from reportpub.build.workers import default_workers, usable_cores
from reportpub.cli import main
from reportpub.project import Project
from tests.conftest import book_toml


def test_default_workers_never_exceed_the_work(monkeypatch):
    monkeypatch.setattr("reportpub.build.workers.usable_cores", lambda: 8)
    assert default_workers(pdf_jobs=2, other_jobs=1, lone_chapter_edits=0) == 8  # parts side by side
    assert default_workers(pdf_jobs=1, other_jobs=0, lone_chapter_edits=0) == 8  # one mode, laid out whole
    assert default_workers(pdf_jobs=1, other_jobs=0, lone_chapter_edits=1) == 1  # one chapter of one mode
    assert default_workers(pdf_jobs=2, other_jobs=1, lone_chapter_edits=2) == 3
    assert default_workers(pdf_jobs=0, other_jobs=2, lone_chapter_edits=0) == 2
    monkeypatch.setattr("reportpub.build.workers.usable_cores", lambda: 2)
    assert default_workers(pdf_jobs=2, other_jobs=1, lone_chapter_edits=2) == 2


def test_an_edit_to_one_chapter_of_one_mode_starts_no_workers(make_project, monkeypatch):
    """--mode vertical after an edit to one paragraph started a worker per core for one chapter's
    layout (on this machine's two cores it took more CPU and more time than none)."""
    pools = []
    real_pool = build_module.worker_pool

    def counted_pool(workers, *args, **kwargs):
        if args or kwargs:  # the build's pool, which relays its workers' steps (not the reader's of one)
            pools.append(workers)
        return real_pool(workers, *args, **kwargs)

    monkeypatch.setattr(build_module, "worker_pool", counted_pool)
    root = make_project({"01.md": "# 一\n\n本文です。\n", "02.md": "# 二\n\n本文です。\n"},
                        book=book_toml(formats=["pdf"], modes=["vertical", "horizontal"]))
    project = Project.open(root)
    cores = usable_cores()
    build(project, report=lambda message: None)
    assert pools == ([cores] if cores > 1 else []), "a first build keeps every core"
    (root / "manuscript" / "01.md").write_text("# 一\n\n本文を直しました。\n", encoding="utf-8")
    pools.clear()
    result = build(project, report=lambda message: None)  # both modes: each one chapter's layout
    assert "t-horizontal.pdf" in result.written and pools == ([2] if cores > 1 else [])
    (root / "manuscript" / "02.md").write_text("# 二\n\n本文も直しました。\n", encoding="utf-8")
    pools.clear()
    result = build(project, mode="vertical", report=lambda message: None)
    assert result.written == ["t-vertical.pdf"] and pools == []


def test_a_build_without_workers_keeps_the_collector_out_of_its_layouts_until_it_ends(make_project, monkeypatch):
    """The layout of each mode (stylesheets, HTML, fonts) is frozen out of the collector's passes
    while its parts are laid out, and given back when the build ends (a watch builds again)."""
    from reportpub.writers.pdf.parts import ModePdfs

    frozen = []
    real_write = ModePdfs.write

    def write(self, *args, **kwargs):
        frozen.append((self.mode, gc.get_freeze_count()))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(ModePdfs, "write", write)
    root = make_project({"01.md": "# 一\n\n本文です。\n"},
                        book=book_toml(formats=["pdf"], modes=["vertical", "horizontal"]))
    before = gc.get_freeze_count()
    build(Project.open(root), jobs=1, report=lambda message: None)
    assert [mode for mode, _ in frozen] == ["vertical", "horizontal"]
    assert all(count > before for _, count in frozen), "the layouts are out of the collector's passes"
    assert frozen[1][1] > frozen[0][1], "the second mode's layout is frozen too"
    assert gc.get_freeze_count() == before, "everything frozen is given back when the build ends"


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_jobs_must_be_at_least_one(value, capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--jobs", value, "."])
    assert info.value.code == 2
    assert f"argument --jobs: must be a whole number of at least 1, not '{value}'" in capsys.readouterr().err
