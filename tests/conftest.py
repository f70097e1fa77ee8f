"""Shared fixtures: small projects built from dicts, and the repository's own sample report."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent

DEFAULT_BOOK = """title = "試験の本"
authors = ["著者 太郎"]
date = 2024-12-20
version = "1.0"
slug = "test"
"""


@pytest.fixture
def make_project(tmp_path):
    """make_project({"01.md": "# 章\\n\\n本文"}, book=..., files={...}) → project directory."""

    def make(chapters: dict[str, str], book: str = DEFAULT_BOOK, files: dict[str, bytes | str] | None = None,
             name: str = "project") -> Path:
        root = tmp_path / name
        (root / "manuscript").mkdir(parents=True)
        (root / "manuscript" / "book.toml").write_text(book, encoding="utf-8")
        for file_name, text in chapters.items():
            (root / "manuscript" / file_name).write_text(text, encoding="utf-8")
        for file_name, content in (files or {}).items():
            path = root / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


def run_cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process, as an author would."""
    return subprocess.run([sys.executable, "-m", "reportpub", *arguments], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """A copy of the repository's sample report (manuscript/ and styles/ if any)."""
    root = tmp_path_factory.mktemp("sample") / "report"
    root.mkdir()
    shutil.copytree(REPOSITORY / "manuscript", root / "manuscript")
    if (REPOSITORY / "styles").is_dir():
        shutil.copytree(REPOSITORY / "styles", root / "styles")
    return root


@pytest.fixture(scope="session")
def sample_build(sample_project) -> Path:
    """The sample report built once with every default edition; returns its build/ directory."""
    result = run_cli("build", str(sample_project))
    assert result.returncode == 0, result.stderr
    return sample_project / "build"
