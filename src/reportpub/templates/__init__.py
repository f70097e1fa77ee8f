"""Jinja2 templates: the built-in ones, overridable file by file from the project's templates/.

An author who puts ``templates/colophon.html`` in the project replaces the built-in
colophon in every edition. Errors in an override are reported with its file and line.
"""

from __future__ import annotations

import datetime as dt

import jinja2

from reportpub import __version__
from reportpub.diagnostics import ReportpubError
from reportpub.model import Book
from reportpub.project import Project


def japanese_date(day: dt.date | None) -> str:
    """2024-12-20 → 2024年12月20日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


class Templates:
    """The template environment of one project."""

    def __init__(self, project: Project):
        self.project = project
        loaders: list[jinja2.BaseLoader] = []
        if project.templates_dir.is_dir():
            project.template_files()  # refuses overrides that link outside the project
            loaders.append(jinja2.FileSystemLoader(str(project.templates_dir), followlinks=False))
        loaders.append(jinja2.PackageLoader("reportpub", "templates"))
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def render(self, name: str, book: Book, **context) -> str:
        """Render a template with the book's common context; author errors become ReportpubError."""
        base = {
            "book": book.config,
            "references": book.references,
            "references_href": "",
            "version": __version__,
            "date_ja": japanese_date(book.config.date),
            "timestamp": book.config.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        base.update(context)
        try:
            return self.environment.get_template(name).render(**base)
        except jinja2.TemplateSyntaxError as exc:
            raise ReportpubError.at(self._display(exc.filename, exc.name), f"template error: {exc.message}", exc.lineno)
        except jinja2.TemplateError as exc:
            filename, line = self._error_location(exc)
            raise ReportpubError.at(filename or f"templates/{name}", f"template error: {exc}", line)

    def _display(self, filename: str | None, name: str | None) -> str:
        if filename and filename.startswith(str(self.project.root)):
            return self.project.relative(__import__("pathlib").Path(filename))
        return f"templates/{name}" if name else "templates"

    def _error_location(self, exc: Exception) -> tuple[str | None, int | None]:
        """The innermost template frame of a rendering error."""
        tb = exc.__traceback__
        found = (None, None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xhtml", ".css")):
                found = (self._display(filename, None), tb.tb_lineno)
            tb = tb.tb_next
        return found
