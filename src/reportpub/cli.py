"""Command line: argv → a build request; author errors → ``path:line: message`` and exit 1.

Exit status: 0 success, 1 an error in the manuscript or a build step, 2 a usage
error. Anything that is not a ReportpubError is a bug: a short message is printed
and the traceback is saved to build/reportpub-crash.log (a new private temporary file when
the project has no build/ folder of its own) instead of flooding the author. A reader that
goes away (``reportpub build --explain | head -1``) does not stop the build: what is left to
say is dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from reportpub import __version__
from reportpub.diagnostics import CRASH_LOG, ReportpubError
from reportpub.editions import FORMATS, MODES


JOBS_HELP = ("parallel jobs (default: the cores this process may use, fewer when the build has less "
             "to run at once, as after an edit to one chapter of one mode; build/workers.py)")


def job_count(text: str) -> int:
    """--jobs N: a whole number of at least 1 (0 or -2 meant the default or no workers, unsaid)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reportpub", description="Japanese reports from Markdown to PDF and EPUB.")
    parser.add_argument("--version", action="version", version=f"reportpub {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the editions into build/")
    build.add_argument("project", nargs="?", default=".", type=Path)
    build.add_argument("--only", choices=FORMATS)
    build.add_argument("--mode", choices=MODES)
    build.add_argument("--force", action="store_true", help="rebuild every output")
    build.add_argument("--explain", action="store_true", help="say why each output is rebuilt or skipped")
    build.add_argument("--jobs", type=job_count, default=None, metavar="N", help=JOBS_HELP)
    build.add_argument("--watch", action="store_true", help="rebuild when a source changes")
    build.add_argument("--strict", action="store_true",
                       help="treat warnings (a remote resource that failed or was redirected, an unused note) as errors")

    check = commands.add_parser("check", help="lint the manuscript and verify build/ against manifest.json")
    check.add_argument("project", nargs="?", default=".", type=Path)
    check.add_argument("--strict", action="store_true",
                       help="exit 1 when build/ is out of date with the sources or mixed from different settings")

    preview = commands.add_parser("preview", help="serve the book on loopback, rebuild on save, reload the page")
    preview.add_argument("project", nargs="?", default=".", type=Path)
    preview.add_argument("--port", type=int, default=8000, metavar="N",
                         help="port to serve on (default 8000; 0 picks a free one)")
    preview.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    preview.add_argument("--only", choices=FORMATS, help="besides the web edition, build only this format")
    preview.add_argument("--mode", choices=MODES)
    preview.add_argument("--jobs", type=job_count, default=None, metavar="N", help=JOBS_HELP)

    release = commands.add_parser("release", help="build, then store the editions in editions/<version>/")
    release.add_argument("project", nargs="?", default=".", type=Path)
    release.add_argument("--no-build", action="store_true",
                         help="do not build: refuse, with the reasons, when build/ is not what the sources make")
    release.add_argument("--jobs", type=job_count, default=None, metavar="N", help="parallel jobs of the build")

    verify = commands.add_parser("verify", help="prove a released edition is what its attached sources build")
    verify.add_argument("file", type=Path, help="a reader PDF, an EPUB or print PDF beside its manifest.json, "
                        "or a release folder")

    init = commands.add_parser("init", help="scaffold a new project")
    init.add_argument("directory", type=Path)

    clean = commands.add_parser("clean", help="remove what reportpub made in build/")
    clean.add_argument("project", nargs="?", default=".", type=Path)
    return parser


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except BrokenPipeError:
        # The reader closed the pipe: the rest goes nowhere, and Python's own flush at exit
        # must not fail on the closed pipe either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stderr.fileno())
        os.close(devnull)


def _save_crash_log(arguments: argparse.Namespace) -> Path | None:
    """Write the traceback where only this user can have put a file: the project's own build/
    (never through a symbolic link), else a new private temporary file. None if neither works."""
    text = traceback.format_exc().encode("utf-8")
    project = getattr(arguments, "project", None)
    build = Path(project) / "build" if project is not None else None
    if build is not None and build.is_dir() and not build.is_symlink():
        try:
            descriptor = os.open(build / CRASH_LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(text)
            return build / CRASH_LOG
        except OSError:
            pass
    try:
        descriptor, name = tempfile.mkstemp(prefix="reportpub-crash-", suffix=".log")
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text)
        return Path(name)
    except OSError:
        return None


def run(arguments: argparse.Namespace) -> int:
    from reportpub import commands

    return getattr(commands, f"command_{arguments.command}")(arguments, _say)


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` (the program's arguments when None) and return its exit status;
    run as the program (``argv`` None), end the process with it at once (:func:`_exit_at_once`)."""
    status = _main(argv)
    if argv is None:
        _exit_at_once(status)
    return status


def _exit_at_once(status: int) -> None:
    """End the program without the interpreter's shutdown, which frees every object one by one:
    after a build of a long book, its chapters and both modes' layouts, a quarter of a second
    of CPU spent on nothing. There is nothing else left to do: every file is written and closed
    (atomic.py), the workers and threads are gone (build/__init__.py waits for them), and what
    the streams still hold is flushed here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a closed stream: nothing to say
            pass
    os._exit(status)


def _main(argv: list[str] | None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        return run(arguments)
    except ReportpubError as error:
        for diagnostic in error.diagnostics:
            _say(str(diagnostic))
        return 1
    except KeyboardInterrupt:
        _say("interrupted; build/ is as it was")
        return 130
    except Exception as exc:  # a bug in reportpub, not the author's mistake
        log = _save_crash_log(arguments)
        where = f" (details in {log})" if log else ""
        _say(f"reportpub: internal error: {type(exc).__name__}: {exc}{where}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
