"""A publication project on disk: where things are, and which files belong to it.

Every path the build reads goes through :meth:`Project.inside`, which refuses paths
that leave the project directory (after resolving ``..`` and symbolic links).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportpub.cache import cache_root
from reportpub.config import CONFIG_PATH, BookConfig, line_of_key, load_config
from reportpub.diagnostics import ReportpubError
from reportpub.safety.inputs import inside, outside_problem, resolve_input, shown


@dataclass(frozen=True)
class Project:
    root: Path  # absolute, resolved
    config: BookConfig

    @classmethod
    def open(cls, directory: Path) -> "Project":
        """The project at ``directory`` or, when it holds no manuscript/book.toml, the nearest
        folder above it that does (so a command works from manuscript/ or any folder inside)."""
        start = directory.resolve()
        if not start.is_dir():
            raise ReportpubError.at(str(directory), "no such project directory")
        root = next((folder for folder in (start, *start.parents) if (folder / CONFIG_PATH).is_file()), start)
        return cls(root=root, config=load_config(root))

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def output_dir(self, name: str = "build") -> Path:
        """``build/`` (or ``editions/``), created if missing, where reportpub may write: a folder of the
        project's own, never a symbolic link (which would let a build write, and ``clean`` delete,
        outside the project). ``build/.cache`` is held to the same rule."""
        directory = self.root / name
        for folder in (directory, cache_root(directory)) if name == "build" else (directory,):
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                what = "a symbolic link" if folder.is_symlink() else "not a folder"
                raise ReportpubError.at(self.relative_unresolved(folder), f"is {what}; reportpub writes only into a "
                                        "folder of the project's own (remove it and build again)")
        directory.mkdir(exist_ok=True)
        return directory

    def relative_unresolved(self, path: Path) -> str:
        """A path inside the project as shown in messages, without following a link it may be."""
        return path.relative_to(self.root).as_posix()

    def relative(self, path: Path) -> str:
        """A path as shown in messages: relative to the project, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def inside(self, path: Path) -> Path | None:
        """The real path if it lies inside the project, else None (the rule of reportpub.safety.inputs)."""
        return inside(self.root, path)

    def input(self, path: Path) -> Path:
        """The real path of an input file inside the project; the author's error otherwise."""
        return resolve_input(self.root, path)

    def chapter_files(self) -> list[Path]:
        """Chapter files in book order: as book.toml lists them, else *.md by file name; then
        the appendix chapters book.toml lists."""
        config = self.config
        appendix = [self.manuscript / name for name in config.appendix]
        if config.chapters is None:
            files = sorted((p for p in self.manuscript.glob("*.md") if p not in appendix), key=lambda p: p.name)
            self.refuse_outside(files)
            listed = {"appendix": config.appendix}
        else:
            files = []
            listed = {"chapters": config.chapters, "appendix": config.appendix}
        text = (self.manuscript / "book.toml").read_text(encoding="utf-8")
        missing = []
        for key, names in listed.items():
            for name in names:
                path = self.manuscript / name
                if not path.is_file() or self.inside(path) is None:
                    missing.append(ReportpubError.at(config.path, f"{'chapter' if key == 'chapters' else 'appendix'} "
                                                     f"'{name}' is listed but missing", line_of_key(text, key)))
                if key == "chapters":
                    files.append(path)
        if missing:
            raise ReportpubError([error.diagnostics[0] for error in missing])
        return files + appendix

    def style_files(self) -> list[Path]:
        """The author's CSS, layered over the theme in file-name order."""
        files = sorted(self.styles_dir.glob("*.css")) if self.styles_dir.is_dir() else []
        self.refuse_outside(files)
        return files

    def style_resources(self) -> list[Path]:
        """The files the author's stylesheets name by a relative URL (fonts, images, imported
        sheets), and those of the sheets they import: what the CSS needs beside itself. A URL
        that leaves the project or names no file is left to the build, which reports it."""
        import urllib.parse

        from reportpub.safety.css_urls import css_urls
        from reportpub.safety.url_policy import normalized, remote, scheme_of

        found: dict[Path, None] = {}
        pending = list(self.style_files())
        read = set(pending)
        while pending:
            sheet = pending.pop(0)
            try:
                text = sheet.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # reported where the stylesheets are checked
            for named in css_urls(text):
                if scheme_of(named.url) is not None or remote(named.url):
                    continue
                relative = urllib.parse.unquote(urllib.parse.urlsplit(normalized(named.url)).path)
                path = (sheet.parent / relative) if relative else None
                if path is None or not path.is_file() or self.inside(path) is None:
                    continue
                found[path] = None
                if path.suffix == ".css" and path not in read:
                    read.add(path)
                    pending.append(path)
        return [path for path in found if path not in self.style_files()]

    def cover_file(self) -> Path | None:
        """The author's cover image, when book.toml names one (relative to manuscript/)."""
        return self.manuscript / self.config.cover if self.config.cover else None

    def csl_file(self) -> Path | None:
        """The project's own citation style, when book.toml names a .csl file (relative to manuscript/)."""
        csl = self.config.csl
        return self.manuscript / csl if csl.lower().endswith(".csl") else None

    def refuse_outside(self, paths: list[Path]) -> None:
        """An input that is a symbolic link to something outside the project is an error:
        the build reads nothing outside the project."""
        problems = [(p, outside_problem(self.root, p)) for p in paths]
        if any(problem for _, problem in problems):
            raise ReportpubError([ReportpubError.at(shown(self.root, p), problem).diagnostics[0]
                                  for p, problem in problems if problem])

    def bibliography_files(self) -> list[Path]:
        return [self.manuscript / name for name in self.config.bibliography]

    def template_files(self) -> list[Path]:
        """The author's template overrides; a file or folder among them that links outside
        the project is an error."""
        if not self.templates_dir.is_dir():
            return []
        self.refuse_outside([self.templates_dir])
        entries = sorted(self.templates_dir.rglob("*"))  # a linked folder is listed, not descended into
        self.refuse_outside(entries)
        return [p for p in entries if p.is_file()]

    def input_dirs(self) -> list[Path]:
        """The folders a build reads from: manuscript/, styles/ and templates/ (those that exist)."""
        return [p for p in (self.manuscript, self.styles_dir, self.templates_dir) if p.is_dir()]

    def input_files(self) -> list[Path]:
        """Every file a build of the project reads but the templates (``template_files`` lists
        those): book.toml, the manuscript's Markdown files and the chapters book.toml lists,
        the bibliography, a .csl style, the images and the cover, the author's styles and the
        files they name. The
        build's fingerprints are taken over this one list; a listed file may be missing."""
        config = self.config
        files = [self.manuscript / "book.toml", *sorted(self.manuscript.glob("*.md")),
                 *(self.manuscript / name for name in (config.chapters or [])),
                 *(self.manuscript / name for name in config.appendix),
                 *self.bibliography_files(), *self.style_files(), *self.style_resources()]
        images = self.manuscript / "images"
        if images.is_dir():
            files += sorted(p for p in images.rglob("*") if p.is_file())
        files += filter(None, [self.cover_file(), self.csl_file()])
        return list(dict.fromkeys(files))

    def source_files(self, chapter_sources: list[str], asset_paths: list[str]) -> list[Path]:
        """Every file an edition is made from: book.toml, chapters, bibliography and its style,
        figures and the cover, the author's styles with the files they use, and templates —
        what the archival PDF carries (enough to build every edition again) and the manifest lists."""
        paths = [self.manuscript / "book.toml", *(self.root / c for c in chapter_sources),
                 *self.bibliography_files(), *filter(None, [self.csl_file(), self.cover_file()]),
                 *(self.root / a for a in asset_paths),
                 *self.style_files(), *self.style_resources(), *self.template_files()]
        return [p for p in dict.fromkeys(paths) if p.is_file()]
