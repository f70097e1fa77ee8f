"""The author's stylesheets and templates, checked while the book is read, before any writer runs.

Every stylesheet and template must be UTF-8 text (the writers read them later, in worker
processes, where a decoding error is no author's message), and every URL a stylesheet
names — ``@import``, ``url()``, ``image-set()`` — must pass the URL policy
(:mod:`reportpub.safety.url_policy`) and, when relative, resolve inside the project. This holds
for every edition: the EPUB and the web edition carry the stylesheets as they are, so a
``file:`` or remote URL must stop the build even when no PDF is made. With
``allow_remote = true`` the remote URLs that stylesheets and templates name are fetched
here, once per build (:mod:`reportpub.safety.remote`), and travel with the book to the writers.
"""

from __future__ import annotations

from reportpub.safety.css_urls import remote_urls, url_problems
from reportpub.diagnostics import DiagnosticCollector, ReportpubError, decode_utf8
from reportpub.safety.inputs import outside_problem
from reportpub.model import RemoteResource
from reportpub.project import Project
from reportpub.safety.remote import (
    RemoteReference,
    fetch_remote_references,
    template_references,
)

# The author's files every writer reads as text besides the manuscript: stylesheets and templates.
AUTHOR_TEXT_SUFFIXES = (".css", ".html", ".xhtml")


def check_author_files(project: Project, problems: DiagnosticCollector) -> tuple[RemoteResource, ...]:
    """Check the author's stylesheets and templates into ``problems``; the remote resources
    they name, fetched (none unless book.toml allows remote resources)."""
    try:
        styles, templates = project.style_files(), project.template_files()
    except ReportpubError as error:
        problems.extend(error)
        return ()
    allow_remote = project.config.allow_remote
    references: list[RemoteReference] = []
    for path in styles + templates:
        if path.suffix not in AUTHOR_TEXT_SUFFIXES:
            continue
        shown = project.relative(path)
        try:
            text = decode_utf8(project.input(path).read_bytes(), shown)
        except OSError as exc:
            problems.error(shown, f"cannot read: {exc.strerror}")
            continue
        except ReportpubError as error:
            problems.extend(error)
            continue
        if path in styles:
            for line, message in url_problems(text, path, lambda target: outside_problem(project.root, target),
                                              allow_remote):
                problems.error(shown, message, line)
            references += [RemoteReference(found.url, shown, found.line) for found in remote_urls(text)]
        else:
            references += template_references(text, shown)
    if not allow_remote or not references:
        return ()
    return fetch_remote_references(references, problems)
