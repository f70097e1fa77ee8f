"""Progress as an author sees it: on a terminal one rich bar per job (the PDF counting its parts),
in a pipe nothing but what was written."""

import os
import pty
import re
import subprocess
import sys

from tests.conftest import book_toml, run_cli

BOOK = book_toml(formats=["pdf", "epub", "html"], modes=["horizontal"])

CHAPTERS = {f"{n:02d}.md": f"# 第{n}章\n\n本文です。\n" for n in range(1, 4)}


def test_a_terminal_gets_one_bar_per_job(make_project):
    root = make_project(CHAPTERS, book=BOOK)
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"COLUMNS": "80", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "reportpub", "build", str(root), "--jobs", "2"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the terminal closed: the build is over
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=600) == 0
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    for job in ("manuscript", "horizontal PDF", "horizontal EPUB", "web edition"):
        assert job in text, text
    # The PDF counts its parts (the front matter, each chapter, the joining) as it lays them out.
    counts = re.findall(r"horizontal PDF\s+\S*\s+(\d)/(\d)\s+\S+\s+(laying out chapter \d|joining the parts|done)", text)
    assert counts and counts[-1][0] == counts[-1][1] and int(counts[-1][1]) >= 5, counts
    assert "━" in text
    lines = [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "wrote build/t-horizontal.pdf" in text


def test_a_pipe_gets_no_progress(make_project):
    root = make_project(CHAPTERS, book=BOOK)
    result = run_cli("build", str(root), "--jobs", "2")
    assert result.returncode == 0
    assert result.stderr.splitlines() == ["wrote build/t-horizontal.pdf", "wrote build/t-horizontal.epub",
                                          "wrote build/t.html"], result.stderr
