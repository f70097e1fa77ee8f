"""The build: project → Book (read once) → every requested edition, written atomically.

Read everything, then write anything: the manuscript is parsed and resolved once and
shared by all writers. Each output is written to a temporary file beside its final
name and renamed into place only when every requested output succeeded, so a failed
or interrupted build never replaces a good edition.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportpub.diagnostics import DiagnosticCollector, ReportpubError
from reportpub.manuscript import make_markdown
from reportpub.model import Book
from reportpub.project import Project
from reportpub.reader import read_chapter
from reportpub.resolve import resolve_book


@dataclass(frozen=True)
class Output:
    """One file a build can make."""

    format: str  # pdf, print, epub, html
    mode: str  # vertical, horizontal
    name: str


def planned_outputs(project: Project, only: str | None = None, mode: str | None = None) -> list[Output]:
    """The outputs a build makes, in a fixed order, from book.toml and the command line."""
    config = project.config
    slug = config.slug
    formats = [f for f in config.editions.formats if only in (None, f)]
    modes = [m for m in config.editions.modes if mode in (None, m)]
    if only and only not in formats:
        formats = [only]
    if mode and mode not in modes:
        modes = [mode]
    outputs = []
    for m in modes:
        if "pdf" in formats:
            outputs.append(Output("pdf", m, f"{slug}-{m}.pdf"))
        if "print" in formats:
            outputs.append(Output("print", m, f"{slug}-{m}-print.pdf"))
        if "epub" in formats:
            outputs.append(Output("epub", m, f"{slug}-{m}.epub"))
    if "html" in formats and (mode in (None, "horizontal")):
        outputs.append(Output("html", "horizontal", f"{slug}.html"))
    return outputs


def read_book(project: Project, warn: Callable[[str], None] = lambda message: None) -> Book:
    """Read, parse and resolve the whole manuscript; every problem reported at once."""
    problems = DiagnosticCollector()
    try:
        files = project.chapter_files()
    except ReportpubError as error:
        problems.extend(error)
        files = []
    md = make_markdown()
    drafts = []
    for path in files:
        draft = read_chapter(project, path, md, problems)
        if draft is not None:
            drafts.append(draft)
    if not files and not problems.errors:
        problems.error(project.config.path, "the manuscript has no chapters (no *.md in manuscript/)")
    formatter = None
    if project.config.bibliography:
        from reportpub.citations import load_formatter

        try:
            formatter = load_formatter(project)
        except ReportpubError as error:
            problems.extend(error)
    try:
        return resolve_book(project, drafts, formatter, problems)
    finally:
        for diagnostic in problems.warnings:
            warn(str(diagnostic))


def replace_atomically(temporary: Path, target: Path) -> None:
    os.replace(temporary, target)


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def write_output(output: Output, book: Book, project: Project, target: Path, layouts: dict) -> None:
    """Write one output to ``target`` (a temporary path); PDF layouts are shared per mode."""
    from reportpub.templates import Templates

    templates = layouts.setdefault("templates", Templates(project))
    if output.format in ("pdf", "print"):
        from reportpub.writers import pdf

        key = ("layout", output.mode)
        if key not in layouts:
            layouts[key] = pdf.layout_book(book, project, output.mode, templates)
        pdf.write_pdf(layouts[key], target, book, project, print_edition=output.format == "print")
    elif output.format == "epub":
        from reportpub.writers.epub import write_epub

        write_epub(book, project, output.mode, templates, target)
    elif output.format == "html":
        from reportpub.writers.web import write_web

        write_web(book, project, templates, target)
    else:  # pragma: no cover - planned_outputs only makes known formats
        raise ValueError(output.format)


def build(project: Project, only: str | None = None, mode: str | None = None,
          report: Callable[[str], None] = print) -> BuildResult:
    """Build the requested editions into build/; nothing under a final name changes unless all succeed."""
    book = read_book(project, warn=report)
    outputs = planned_outputs(project, only, mode)
    project.build_dir.mkdir(exist_ok=True)
    temporaries: list[tuple[Path, Path]] = []
    layouts: dict = {}
    try:
        for output in outputs:
            target = project.build_dir / output.name
            temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            report(f"writing {project.relative(target)}")
            write_output(output, book, project, temporary, layouts)
            temporaries.append((temporary, target))
        result = BuildResult()
        for temporary, target in temporaries:
            replace_atomically(temporary, target)
            result.written.append(target)
        return result
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
        for leftover in project.build_dir.glob(f".*.tmp-{os.getpid()}"):
            leftover.unlink(missing_ok=True)
