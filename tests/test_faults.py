"""Faults of the machine and of the process, met as an author meets them: a message naming the
folder and the cause, exit 1, the good editions kept; never an internal error."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import book_toml, run_cli
from tests.test_cli import assert_clean_failure, snapshot

BOOK = book_toml(version="1.0", formats=["epub", "html"], modes=["horizontal"])


@pytest.fixture
def project(make_project):
    return make_project({"01.md": "# 第一章\n\n本文です[^a]。\n\n[^a]: 注。\n"}, book=BOOK)


def edit(project, text="# 第一章\n\n書き換えた本文です。\n"):
    (project / "manuscript" / "01.md").write_text(text, encoding="utf-8")


@pytest.fixture
def mount_tmpfs():
    """mount_tmpfs(folder, "size=64k" or "ro"): a small file system of its own on ``folder``,
    unmounted after the test. Skips where this user may not mount (it needs root)."""
    mounted = []

    def mount(folder: Path, options: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'mount failed'}); needs root")
        mounted.append(folder)

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_build_folder_is_named_with_its_cause(project, mount_tmpfs):
    assert run_cli("build", str(project)).returncode == 0
    before = snapshot(project / "build")
    saved = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    mount_tmpfs(project / "build", "size=16m")
    for name, content in saved.items():
        (project / "build" / name).write_bytes(content)
    subprocess.run(["mount", "-o", "remount,ro", str(project / "build")], check=True)
    edit(project)
    result = run_cli("build", str(project))
    assert_clean_failure(result)
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("build/: cannot write: the file system is read-only"), result.stderr
    assert snapshot(project / "build") == before


def test_a_full_disk_is_named_and_keeps_the_good_editions(project, mount_tmpfs):
    assert run_cli("build", str(project)).returncode == 0
    saved = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    # Room for the editions as they are, not for a second copy of them beside.
    size = sum(len(c) for c in saved.values()) + 64 * 1024
    mount_tmpfs(project / "build", f"size={size}")
    for name, content in saved.items():
        (project / "build" / name).write_bytes(content)
    before = snapshot(project / "build")
    edit(project, "# 第一章\n\n" + "\n\n".join(["長い本文です。" * 20] * 1000) + "\n")
    result = run_cli("build", str(project))
    assert_clean_failure(result)
    assert "internal error" not in result.stderr
    assert "cannot write: the disk is full" in result.stderr and result.stderr.startswith("build/"), result.stderr
    assert snapshot(project / "build") == before
    assert not [p for p in (project / "build").iterdir() if ".tmp-" in p.name]


def test_build_folder_as_a_link_out_of_the_project_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.html").write_text("someone else's file", encoding="utf-8")
    (outside / "manifest.json").write_text("{}", encoding="utf-8")
    (project / "build").symlink_to(outside)
    expected = "build: is a symbolic link; reportpub writes only into a folder of the project's own (remove it and build again)"
    assert_clean_failure(run_cli("build", str(project)), expected)
    assert_clean_failure(run_cli("clean", str(project)), expected)
    assert_clean_failure(run_cli("release", str(project)), expected)
    assert sorted(p.name for p in outside.iterdir()) == ["manifest.json", "t.html"]
    assert (outside / "t.html").read_text(encoding="utf-8") == "someone else's file"


def test_cache_folder_as_a_link_is_refused(project, tmp_path):
    (project / "build").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (project / "build" / ".cache").symlink_to(tmp_path / "elsewhere")
    assert_clean_failure(run_cli("build", str(project)), "build/.cache: is a symbolic link; reportpub writes only "
                         "into a folder of the project's own (remove it and build again)")
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("version", ["../escape", "a/b", "..", ".hidden"])
def test_release_refuses_a_version_that_is_not_one_folder_name(project, version):
    assert run_cli("build", str(project)).returncode == 0
    book = (project / "manuscript" / "book.toml").read_text(encoding="utf-8").replace('version = "1.0"', f'version = "{version}"')
    (project / "manuscript" / "book.toml").write_text(book, encoding="utf-8")
    assert run_cli("build", str(project)).returncode == 0
    result = run_cli("release", str(project))
    assert_clean_failure(result)
    assert result.stderr.startswith(f"manuscript/book.toml:4: version '{version}' cannot name a folder in editions/"), result.stderr
    assert not (project / "escape").exists() and not (project / "editions").exists()
    assert not list(project.parent.glob("*.tmp"))


def test_explain_into_a_pipe_that_closes_finishes_the_build(project):
    command = f"{sys.executable} -m reportpub build --explain {project} 2>&1 | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "build/t-horizontal.epub: rebuilt because not built yet\n"
    assert (project / "build" / "t.html").is_file() and (project / "build" / "manifest.json").is_file()


def test_crash_log_goes_into_the_projects_build_folder_and_never_through_a_link(project, tmp_path):
    """An internal error (here: a broken reportpub, simulated by a sitecustomize that breaks
    the EPUB writer) saves its traceback in build/, or in a new private file, never a fixed name."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import reportpub.writers.epub as e\n"
        "def broken(*a, **k):\n    raise RuntimeError('simulated bug')\n"
        "e.write_epub = broken\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=f"{hook}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    (project / "build").mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (project / "build" / "reportpub-crash.log").symlink_to(victim)

    def crash():
        return subprocess.run([sys.executable, "-m", "reportpub", "build", "--jobs", "1", str(project)],
                              capture_output=True, text=True, env=env, timeout=300)

    result = crash()
    assert result.returncode == 1 and "reportpub: internal error: RuntimeError: simulated bug" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep"
    log = Path(result.stderr.split("(details in ")[1].rstrip(")\n"))
    assert log.name.startswith("reportpub-crash-") and log.stat().st_mode & 0o077 == 0  # private
    assert "simulated bug" in log.read_text(encoding="utf-8")
    log.unlink()
    (project / "build" / "reportpub-crash.log").unlink()
    result = crash()
    assert f"(details in {project / 'build' / 'reportpub-crash.log'})" in result.stderr
    assert "simulated bug" in (project / "build" / "reportpub-crash.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_far_dates_build_valid_editions(make_project, date):
    from reportpub.config import load_config
    from tests.conftest import run_epubcheck

    root = make_project({"01.md": "# 章\n\n本文。\n"}, book=BOOK.replace("2024-12-20", date).replace(
        'formats = ["epub", "html"]', 'formats = ["pdf", "epub", "html"]'))
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    import pikepdf

    with pikepdf.open(root / "build" / "t-horizontal.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:" + date.replace("-", ""))
    assert load_config(root).timestamp.strftime("%Y-%m-%d") == date
    report = run_epubcheck(root / "build" / "t-horizontal.epub")
    assert report["errors"] == 0, report["messages"]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the workers")
def test_workers_die_with_a_killed_build(make_project):
    root = make_project({"01.md": "# 章\n\n" + "本文です。" * 2000 + "\n"}, book=BOOK.replace(
        'formats = ["epub", "html"]', 'formats = ["pdf", "epub", "html"]').replace('modes = ["horizontal"]',
                                                                              'modes = ["vertical", "horizontal"]'))
    build = subprocess.Popen([sys.executable, "-m", "reportpub", "build", "--jobs", "2", str(root)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(build.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the build never started its workers"
        time.sleep(1)  # the workers are at work
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)], "workers outlived the killed build"
    finally:
        if build.poll() is None:
            build.kill()
    # The next build clears what the killed one left and finishes.
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    assert not [p for p in (root / "build").rglob("*") if ".tmp" in p.name]


def test_a_second_build_of_the_same_project_says_who_is_running(project):
    from reportpub.build.lock import exclusive_build

    (project / "build").mkdir()
    with exclusive_build(project / "build"):
        result = run_cli("build", str(project))
    assert_clean_failure(result, f"build/: another build of this project is running (pid {os.getpid()}); "
                         "wait for it to finish")
    assert run_cli("build", str(project)).returncode == 0


def test_a_lock_file_that_is_a_link_is_refused_not_followed(project, tmp_path):
    (project / "build").mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (project / "build" / ".reportpub.lock").symlink_to(victim)
    assert_clean_failure(run_cli("build", str(project)), "build/.reportpub.lock: is a symbolic link; reportpub writes "
                         "only its own files in build/ (remove it and build again)")
    assert victim.read_text(encoding="utf-8") == "keep"


def test_leftover_temporaries_of_dead_builds_are_removed(project):
    build = project / "build"
    (build / ".cache" / "chapters").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = [build / f".t.html.tmp-{pid}", build / ".cache" / "chapters" / f".x.pickle.tmp-{pid}",
             build / ".cache" / ".vertical-abc.tmp"]
    for path in stale:
        path.write_bytes(b"half")
    living = build / f".t.html.tmp-{os.getpid()}"  # a process that still runs: not ours to remove
    living.write_bytes(b"busy")
    assert run_cli("build", str(project)).returncode == 0
    assert [p for p in stale if p.exists()] == []
    assert living.exists()


def test_a_source_changed_during_the_build_is_not_recorded(project, monkeypatch):
    """The build reads a chapter, then (while it writes) the chapter is removed: the build fails
    and leaves build/ as it was, rather than record editions that lack the chapter."""
    from reportpub.build import build
    from reportpub.diagnostics import ReportpubError
    from reportpub.project import Project
    import reportpub.writers.web as web

    (project / "manuscript" / "02.md").write_text("# 第二章\n\n消える章。\n", encoding="utf-8")
    build(Project.open(project), jobs=1, report=lambda m: None)
    before = snapshot(project / "build")
    edit(project)
    original = web.write_web

    def write_and_remove(*args, **kwargs):
        original(*args, **kwargs)
        (project / "manuscript" / "02.md").unlink()

    monkeypatch.setattr(web, "write_web", write_and_remove)
    with pytest.raises(ReportpubError) as info:
        build(Project.open(project), jobs=1, report=lambda m: None)
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/02.md: changed or removed while the build was running; nothing in build/ was replaced: build again"]
    assert snapshot(project / "build") == before


def test_a_template_that_includes_itself_is_an_error(project):
    (project / "templates").mkdir()
    (project / "templates" / "colophon.html").write_text('<p>奥付</p>\n{% include "colophon.html" %}\n', encoding="utf-8")
    assert_clean_failure(run_cli("build", "--only", "html", str(project)),
                         "templates/colophon.html: template error: the template includes itself, directly or "
                         "through another template")
