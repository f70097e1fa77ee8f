"""The build benchmark: reportpub's times and memory as ratios to the engine floor, in one run.

    .venv/bin/python benchmarks/run.py [--repeat N] [--keep DIR]

Generates the benchmark manuscript (benchmarks/generate.py) in a temporary directory, then
measures, each command in its own subprocess:

* the engine floor: WeasyPrint alone renders the same text once, horizontally, from plain
  Python-Markdown HTML with minimal CSS (see ../shared/design/performance.md);
* a full build of every default edition: cold (no font cache) once, and warm (the derived
  vertical fonts in build/.cache/fonts kept, everything else removed) as the main figure;
* a no-op build, a rebuild after a one-paragraph edit in chapter 20;
* each edition alone, and both EPUBs together.

Every command runs under a small launcher that reports the wall time and
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak RSS of the largest single process in
the command's process tree. Prints a Markdown table with every figure as a ratio to the
floor, the targets of issue 6 with PASS/FAIL, and the machine; writes the same text to
benchmarks/latest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SLUG = "bench"
CODE_NOTE = ["the installed reportpub (--live)"]
EDIT_CHAPTER = "20-chapter.md"

# Runs one command, prints its wall time and the peak RSS of its largest descendant as JSON.
LAUNCHER = r"""
import json, os, resource, subprocess, sys, time
spec = json.loads(sys.argv[1])
env = dict(os.environ, **spec["env"])
with open(spec["stdout"], "wb") as out, open(spec["stderr"], "wb") as err:
    start = time.perf_counter()
    rc = subprocess.call(spec["argv"], cwd=spec["cwd"], env=env, stdout=out, stderr=err)
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "maxrss_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""

FLOOR_CSS = """@page { size: A5; margin: 20mm }
body { font-family: "Noto Serif CJK JP"; font-size: 9.5pt; line-height: 1.75 }"""


# --------------------------------------------------------------------------------------------
# The engine floor, run in its own process: python run.py --floor FLOOR.md OUT.pdf BASE_DIR

def floor_render(markdown_path: Path, target: Path, base: Path) -> None:
    start = time.perf_counter()
    import markdown
    from weasyprint import HTML

    imported = time.perf_counter()
    body = markdown.markdown(markdown_path.read_text(encoding="utf-8"), extensions=["footnotes", "tables"])
    page = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>{FLOOR_CSS}</style>'
            f"</head><body>{body}</body></html>")
    converted = time.perf_counter()
    document = HTML(string=page, base_url=str(base) + "/").render()
    laid_out = time.perf_counter()
    document.write_pdf(target)
    written = time.perf_counter()
    print(json.dumps({"import": imported - start, "markdown": converted - imported,
                      "layout": laid_out - converted, "write": written - laid_out,
                      "pages": len(document.pages)}))


# --------------------------------------------------------------------------------------------
# Measuring

@dataclass
class Run:
    ok: bool
    wall: float
    rss_mb: float
    cpu: float
    stdout: str
    stderr: str


@dataclass
class Job:
    name: str
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    @property
    def failed(self) -> bool:
        return not self.runs or any(not r.ok for r in self.runs)

    def median(self, attribute: str) -> float | None:
        values = [getattr(r, attribute) for r in self.good]
        return statistics.median(values) if values else None

    def peak_rss(self) -> float | None:
        values = [r.rss_mb for r in self.good]
        return max(values) if values else None


def measure(argv: list[str], cwd: Path, logs: Path, label: str, env: dict[str, str] | None = None) -> Run:
    logs.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")
    out, err = logs / f"{stem}.out", logs / f"{stem}.err"
    spec = {"argv": argv, "cwd": str(cwd), "stdout": str(out), "stderr": str(err), "env": env or {}}
    launcher = subprocess.run([sys.executable, "-c", LAUNCHER, json.dumps(spec)],
                              capture_output=True, text=True, check=True)
    result = json.loads(launcher.stdout.strip().splitlines()[-1])
    stdout = out.read_text(encoding="utf-8", errors="replace")
    stderr = err.read_text(encoding="utf-8", errors="replace")
    return Run(result["rc"] == 0, result["wall"], result["maxrss_kb"] / 1024, result["cpu"], stdout, stderr)


def report_failure(job: Job, run: Run) -> None:
    say(f"  FAILED: {job.name}; its stderr:")
    tail = run.stderr.strip().splitlines()[-40:]
    for line in tail:
        say("    " + line)
    crash = re.search(r"details in (\S+?)\)", run.stderr)
    if crash and Path(crash.group(1)).is_file():
        say(f"  {crash.group(1)}:")
        for line in Path(crash.group(1)).read_text(encoding="utf-8", errors="replace").splitlines()[-30:]:
            say("    " + line)
    job.notes.append("failed: " + (tail[-1] if tail else "exit status non-zero, no stderr"))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def outputs(build: Path) -> dict[str, int]:
    """Every file reportpub wrote in build/ (not its caches or state) with its mtime."""
    if not build.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in build.iterdir() if p.is_file() and not p.name.startswith(".")}


def clear_build(build: Path, keep_fonts: bool) -> None:
    """Remove build/; with keep_fonts, everything but build/.cache/fonts (the derived vertical fonts)."""
    if not build.exists():
        return
    if not keep_fonts:
        shutil.rmtree(build)
        return
    for path in build.iterdir():
        if path.name == ".cache":
            for inner in path.iterdir():
                if inner.name != "fonts":
                    shutil.rmtree(inner) if inner.is_dir() else inner.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def page_count(path: Path) -> int | None:
    if not path.is_file():
        return None
    try:
        from pypdf import PdfReader

        return len(PdfReader(str(path)).pages)
    except Exception:  # noqa: BLE001 - fall back to poppler
        try:
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
            return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        except Exception:  # noqa: BLE001
            return None


# --------------------------------------------------------------------------------------------
# The machine

def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- cores (nproc): {cores}",
        f"- CPU: {cpu}",
        f"- RAM: {ram}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, WeasyPrint {v('weasyprint')}, "
        f"Python-Markdown {v('markdown')}, reportpub {v('reportpub')}",
    ]


# --------------------------------------------------------------------------------------------
# The benchmark

TARGETS = [
    # (label, job name, limit, what is compared)
    ("full build of every default edition", "full build, all editions (warm)", 1.5, "wall"),
    ("both EPUBs together", "both EPUBs (--only epub)", 0.15, "wall"),
    ("no-op build", "no-op build", 0.03, "wall"),
    ("one-paragraph edit in one chapter, all editions rebuilt", "one-paragraph edit, rebuild", 0.35, "wall"),
    ("peak memory of any one process", None, 2.0, "rss"),
]


def run_benchmark(project_root: Path, repeat: int, chapters: int = 40, target_characters: int = 220_000,
                  live: bool = False) -> str:
    from generate import generate, project_markdown

    say(f"generating the manuscript in {project_root}")
    generate(project_root, chapters=chapters, target_characters=target_characters)
    manuscript = project_root / "manuscript"
    characters = sum(len(p.read_text(encoding="utf-8")) for p in manuscript.glob("*.md"))
    chapters = len(list(manuscript.glob("*.md")))
    work = project_root / ".benchmark"
    work.mkdir(exist_ok=True)
    floor_md = work / "floor.md"
    floor_md.write_text(project_markdown(project_root), encoding="utf-8")
    floor_pdf = work / "floor.pdf"
    logs = work / "logs"
    build = project_root / "build"

    # The code under test: a snapshot of src/reportpub taken now, so that edits made to the
    # working tree while the benchmark runs neither mix versions in one table nor turn the
    # no-op build into a rebuild ("reportpub itself changed"). --live runs the installed code.
    source = HERE.parent / "src" / "reportpub"
    env: dict[str, str] = {}
    if live or not source.is_dir():
        executable = Path(sys.executable).parent / "reportpub"
        reportpub = [str(executable)] if executable.exists() else [sys.executable, "-m", "reportpub"]
    else:
        snapshot = work / "code"
        shutil.copytree(source, snapshot / "reportpub", ignore=shutil.ignore_patterns("__pycache__"))
        env["PYTHONPATH"] = str(snapshot)
        import compileall
        import hashlib

        compileall.compile_dir(str(snapshot), quiet=1)
        digest = hashlib.sha256()
        for path in sorted((snapshot / "reportpub").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(snapshot).as_posix().encode() + path.read_bytes())
        CODE_NOTE[0] = f"a snapshot of src/reportpub taken at the start (sha256 {digest.hexdigest()[:12]})"
        reportpub = [sys.executable, "-m", "reportpub"]

    def cmd(*options: str) -> list[str]:
        return [*reportpub, "build", str(project_root), *options]

    jobs: dict[str, Job] = {}

    def run(name: str, argv: list[str], times: int, prepare=None, check=None) -> Job:
        job = jobs.setdefault(name, Job(name))
        for i in range(times):
            if prepare:
                prepare(i)
            before = outputs(build)
            run_ = measure(argv, project_root, logs, f"{name}-{i + 1}", env)
            job.runs.append(run_)
            status = "ok" if run_.ok else "FAILED"
            say(f"  {name} [{i + 1}/{times}]: {run_.wall:.2f} s, {run_.rss_mb:.0f} MB, {status}")
            if not run_.ok:
                report_failure(job, run_)
            elif check:
                check(job, before, outputs(build))
        return job

    # 1. The engine floor.
    say("engine floor")
    floor = run("engine floor (WeasyPrint alone)",
                [sys.executable, str(Path(__file__).resolve()), "--floor", str(floor_md), str(floor_pdf), str(manuscript)],
                repeat)
    floor_phases = []
    for r in floor.good:
        try:
            floor_phases.append(json.loads(r.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            pass

    editions = {f"{SLUG}-{m}{s}" for m in ("vertical", "horizontal") for s in (".pdf", "-print.pdf", ".epub")}
    editions |= {f"{SLUG}.html", "index.html", "manifest.json"}

    def check_full(job: Job, before: dict, after: dict) -> None:
        missing = sorted(editions - set(after))
        if missing:
            job.notes.append("missing after the build: " + ", ".join(missing))

    def check_noop(job: Job, before: dict, after: dict) -> None:
        rewritten = sorted(n for n in after if before.get(n) != after[n])
        if rewritten:
            job.notes.append(f"not a no-op: rewrote {', '.join(rewritten)}")

    def check_edit(job: Job, before: dict, after: dict) -> None:
        kept = sorted(n for n in editions - {"index.html", "manifest.json"} if before.get(n) == after.get(n))
        if kept:
            job.notes.append(f"not rebuilt after the edit: {', '.join(kept)}")

    # 2. Full builds: cold once, then warm (the main figure).
    say("full build, cold")
    run("full build, all editions (cold: no font cache)", cmd("--force"), 1,
        prepare=lambda i: clear_build(build, keep_fonts=False), check=check_full)
    say("full build, warm")
    run("full build, all editions (warm)", cmd("--force"), repeat,
        prepare=lambda i: clear_build(build, keep_fonts=True), check=check_full)

    # 3. No-op build right after a full build.
    say("no-op build")
    run("no-op build", cmd(), repeat, check=check_noop)

    # 4. One-paragraph edit in chapter 20, then a plain build (every edition depends on it).
    chapter = manuscript / EDIT_CHAPTER
    if not chapter.is_file():  # a smaller manuscript (--chapters): the middle chapter
        names = sorted(manuscript.glob("[0-9][0-9]-chapter.md"))
        chapter = names[len(names) // 2]
    original = chapter.read_text(encoding="utf-8")

    def edit(i: int) -> None:
        lines = original.split("\n")
        body = [n for n, line in enumerate(lines) if line and not line.startswith(("#", "|", "Table:", "![", "[^"))]
        n = body[len(body) // 2]
        lines[n] = lines[n].replace("。", f"（第{i + 2}稿で改めた文）。", 1)
        chapter.write_text("\n".join(lines), encoding="utf-8")

    say("one-paragraph edit")
    run("one-paragraph edit, rebuild", cmd(), repeat, prepare=edit, check=check_edit)
    chapter.write_text(original, encoding="utf-8")  # the --force jobs below rebuild what they need

    # 5. Each edition alone, then both EPUBs together.
    alone = [
        ("reader PDF, vertical", ("--only", "pdf", "--mode", "vertical")),
        ("reader PDF, horizontal", ("--only", "pdf", "--mode", "horizontal")),
        ("print PDF, vertical", ("--only", "print", "--mode", "vertical")),
        ("print PDF, horizontal", ("--only", "print", "--mode", "horizontal")),
        ("EPUB, vertical", ("--only", "epub", "--mode", "vertical")),
        ("EPUB, horizontal", ("--only", "epub", "--mode", "horizontal")),
        ("web HTML", ("--only", "html")),
    ]
    for name, options in alone:
        say(name)
        run(f"{name} alone", cmd(*options, "--force"), repeat)
    say("both EPUBs")
    run("both EPUBs (--only epub)", cmd("--only", "epub", "--force"), repeat)

    return table(jobs, floor, floor_phases, floor_pdf, build, characters, chapters, repeat)


def table(jobs, floor: Job, floor_phases, floor_pdf: Path, build: Path, characters: int, chapters: int,
          repeat: int) -> str:
    floor_wall, floor_rss = floor.median("wall"), floor.median("rss_mb")

    def ratio(value, base):
        return f"{value / base:.2f}×" if value is not None and base else "–"

    def num(value, fmt):
        return format(value, fmt) if value is not None else "–"

    lines = [
        "# reportpub build benchmark",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')}: {chapters} chapters, {characters:,} characters "
        f"(footnotes, citations, ruby, a table and a figure per chapter), {repeat} run(s) per job "
        "(the cold build once). Wall time is the median; peak RSS is the largest single process.",
        "",
        "| job | wall (median, s) | ratio to floor | peak RSS (MB) | ratio to floor's RSS | CPU (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for job in jobs.values():
        wall, rss, cpu = job.median("wall"), job.peak_rss(), job.median("cpu")
        name = job.name + (" **FAILED**" if job.failed else "")
        lines.append(f"| {name} | {num(wall, '.2f')} | {ratio(wall, floor_wall)} | {num(rss, '.0f')} | "
                     f"{ratio(rss, floor_rss)} | {num(cpu, '.1f')} |")

    lines += ["", "## Targets (issue 6)", "", "| target | measured | limit | result |", "| --- | ---: | ---: | --- |"]
    for label, name, limit, kind in TARGETS:
        if kind == "rss":
            candidates = [j for j in jobs.values() if j is not floor]
            values = [j.peak_rss() for j in candidates if j.peak_rss() is not None]
            value = max(values) if values else None
            base = floor_rss
            failed = any(j.failed for j in candidates)
        else:
            job = jobs.get(name)
            value = job.median("wall") if job else None
            base = floor_wall
            failed = job is None or job.failed
        if value is None or not base:
            result, measured = "FAIL (not measured)", "–"
        else:
            measured = f"{value / base:.3f}×"
            result = "PASS" if value / base <= limit and not failed else "FAIL"
            if failed:
                result += " (a build failed)"
        lines.append(f"| {label} | {measured} | ≤ {limit}× | {result} |")

    pages_floor = page_count(floor_pdf)
    pages_h = page_count(build / f"{SLUG}-horizontal.pdf")
    pages_v = page_count(build / f"{SLUG}-vertical.pdf")
    lines += ["", "## Pages", "",
              f"- engine floor PDF (horizontal A5, minimal CSS): {pages_floor}",
              f"- reportpub horizontal reader PDF: {pages_h}",
              f"- reportpub vertical reader PDF: {pages_v}"]
    if floor_phases:
        phase = {k: statistics.median(p[k] for p in floor_phases) for k in ("import", "markdown", "layout", "write")}
        lines += ["", f"Engine floor phases (median, s): import {phase['import']:.2f}, Python-Markdown "
                  f"{phase['markdown']:.2f}, layout {phase['layout']:.2f}, write_pdf {phase['write']:.2f}."]
    notes = [(job.name, note) for job in jobs.values() for note in dict.fromkeys(job.notes)]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {name}: {note}" for name, note in notes]
    lines += ["", "## Machine", ""] + machine() + [f"- code measured: {CODE_NOTE[0]}"]
    return "\n".join(lines) + "\n"


README_START, README_END = "<!-- latest:start -->", "<!-- latest:end -->"


def update_readme(readme: Path, text: str) -> None:
    content = readme.read_text(encoding="utf-8")
    if README_START not in content or README_END not in content:
        say(f"{readme}: no {README_START} … {README_END} markers; not updated")
        return
    # The table's own title is the README's section heading already.
    body = text.split("\n", 2)[2].replace("\n## ", "\n### ")
    head, rest = content.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(f"{head}{README_START}\n{body}{README_END}{tail}", encoding="utf-8")
    say(f"updated {readme}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--floor"]:
        floor_render(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description="reportpub build benchmark (issue 6)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the median is reported (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate the project in DIR and keep it (DIR must not exist or be empty)")
    parser.add_argument("--chapters", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument("--characters", type=int, default=220_000, help=argparse.SUPPRESS)
    parser.add_argument("--live", action="store_true",
                        help="run the installed reportpub instead of a snapshot of src/reportpub taken at the start")
    parser.add_argument("--update-readme", action="store_true",
                        help="also put the table into benchmarks/README.md (between the 'latest' markers)")
    parser.add_argument("--output", type=Path, default=HERE / "latest.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            parser.error(f"{args.keep} is not empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        text = run_benchmark(args.keep.resolve(), args.repeat, args.chapters, args.characters, args.live)
    else:
        with tempfile.TemporaryDirectory(prefix="reportpub-bench-") as directory:
            text = run_benchmark(Path(directory), args.repeat, args.chapters, args.characters, args.live)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    say(f"wrote {args.output}")
    if args.update_readme:
        update_readme(HERE / "README.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
