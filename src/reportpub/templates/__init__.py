"""Jinja2 templates: the built-in ones, overridable file by file from the project's templates/.

An author who puts ``templates/colophon.html`` in the project replaces the built-in
colophon in every edition. Errors in an override are reported with its file and line.

A template is code, and a project's may come from anyone: it runs in Jinja2's immutable
sandbox (no attributes starting with ``_``, no ``str.format`` tricks, no changing the
context's lists and dicts), so ``{{ cycler.__init__.__globals__ … }}`` is an error,
not a way to Python. Every name, in a ``render`` or an ``{% include %}``, is looked up
in the project's ``templates/`` folder — whose file, and every folder on the way to it,
must really lie inside that folder — and then in the package's own templates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reportpub import __version__
from reportpub.diagnostics import ReportpubError, decode_utf8
from reportpub.model import Book
from reportpub.project import Project


def japanese_date(day: dt.date | None) -> str:
    """2024-12-20 → 2024年12月20日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


class ProjectTemplateLoader(jinja2.BaseLoader):
    """Names resolved inside the project's templates/ only: a file or folder on the way that
    is a symbolic link leading out of templates/ is refused (a name not found there falls
    through to the package's templates)."""

    def __init__(self, project: Project):
        self.project = project
        self.directory = project.templates_dir

    def get_source(self, environment, template):
        path = self.directory.joinpath(*split_template_path(template))  # refuses ".." in names
        if not path.exists():
            raise jinja2.TemplateNotFound(template)
        real, base = path.resolve(), self.directory.resolve()
        if base not in real.parents:
            raise ReportpubError.at(f"templates/{template}", "links to a file outside templates/; templates are "
                                    "read only from the project's templates/ folder")
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        source = decode_utf8(real.read_bytes(), f"templates/{template}")
        mtime = real.stat().st_mtime_ns
        return source, str(path), lambda: real.is_file() and real.stat().st_mtime_ns == mtime


class Templates:
    """The template environment of one project."""

    def __init__(self, project: Project):
        self.project = project
        loaders: list[jinja2.BaseLoader] = []
        if project.templates_dir.is_dir():
            project.template_files()  # refuses overrides and folders that link outside the project
            loaders.append(ProjectTemplateLoader(project))
        loaders.append(jinja2.PackageLoader("reportpub", "templates"))
        self.environment = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self.environment.filters["japanese_date"] = japanese_date

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
        except RecursionError as exc:  # {% include %} of itself, directly or through others
            filename, _ = self._error_location(exc)
            raise ReportpubError.at(filename or f"templates/{name}", "template error: the template includes "
                                    "itself, directly or through another template") from None

    def _display(self, filename: str | None, name: str | None) -> str:
        if filename and filename.startswith(str(self.project.root)):
            return self.project.relative(Path(filename))
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
