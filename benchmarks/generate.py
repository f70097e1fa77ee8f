"""Generate the benchmark manuscript: a long Japanese report made from the sample's text.

``generate(directory)`` writes a complete reportpub project into ``directory``:

    manuscript/book.toml          slug "bench", A5, every default edition
    manuscript/references.json    20 CSL-JSON newspaper articles
    manuscript/NN-chapter.md      40 chapters, about 5,500 characters each
    manuscript/images/figNN.png   one small chart per chapter (Pillow)

Each chapter has a ``#`` title, several ``##`` sections, paragraphs of sentences drawn from
``benchmarks/corpus.txt`` (the sentences of this repository's sample manuscript), ruby on
every paragraph, five footnotes, a citation every few paragraphs (``[@key]`` and
``[@key, p. 12]``), one pipe table with a ``Table:`` caption and one figure (with alternative
text) on its own line.
The output depends only on the arguments: the same seed gives the same bytes.

``concatenated_markdown(project)`` joins the chapters into one Markdown document for the
engine floor (footnote ids made unique per chapter, so plain Python-Markdown keeps all of
them); ``--only-markdown`` writes just that file and the images.

    python benchmarks/generate.py DIR [--chapters 40] [--characters 220000] [--seed 0]
    python benchmarks/generate.py DIR --only-markdown      # DIR/floor.md and DIR/images/
    python benchmarks/generate.py --rebuild-corpus          # corpus.txt from manuscript/*.md
"""

from __future__ import annotations

import argparse
import json
import random
import re
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.txt"

# Ruby: words of the corpus with their readings. A tuple of readings is per-character ruby
# ({条約|じょう|やく}); a string is group ruby ({金正恩|キム・ジョンウン}).
RUBY = {
    "北朝鮮": "きたちょうせん",
    "金正恩": "キム・ジョンウン",
    "平壌": "ピョンヤン",
    "国際情勢": "こくさいじょうせい",
    "軍事協力": "ぐんじきょうりょく",
    "大統領": "だいとうりょう",
    "死傷者": "ししょうしゃ",
    "暴風軍団": ("ぼう", "ふう", "ぐん", "だん"),
    "特殊部隊": "とくしゅぶたい",
    "首脳会談": "しゅのうかいだん",
    "砲兵陣地": "ほうへいじんち",
    "彷彿": ("ほう", "ふつ"),
    "条約": ("じょう", "やく"),
    "韓国": ("かん", "こく"),
    "派遣": ("は", "けん"),
    "戦況": ("せん", "きょう"),
    "懸念": ("け", "ねん"),
    "兵力": ("へい", "りょく"),
    "参戦": ("さん", "せん"),
    "投入": ("とう", "にゅう"),
    "戦闘": ("せん", "とう"),
    "損失": ("そん", "しつ"),
    "訓練": ("くん", "れん"),
    "侵攻": ("しん", "こう"),
}

OUTLETS = [
    ("reuters", "ロイター"),
    ("bbc", "BBCニュース ジャパン"),
    ("mainichi", "毎日新聞"),
    ("joongang", "中央日報"),
    ("yahoo", "Yahoo!ニュース"),
    ("asahi", "朝日新聞"),
    ("yomiuri", "読売新聞"),
    ("nikkei", "日本経済新聞"),
    ("nhk", "NHKニュース"),
    ("kyodo", "共同通信"),
]

SUBJECTS = [
    "北朝鮮とロシアの包括的戦略的パートナーシップ条約の発効",
    "クルスク州に展開する北朝鮮兵",
    "北朝鮮によるロシアへの兵士派遣に関する大統領の発言",
    "北朝鮮特殊部隊「暴風軍団」のロシア派遣疑惑",
    "マフノフカでの戦闘による北朝鮮軍の損失",
    "ロシア軍の兵力不足と動員",
    "ウクライナ東部の戦況",
    "韓国の兵器支援方針の見直し",
    "北朝鮮からロシアへの砲弾供与",
    "朝ロ軍事協力に対する韓国の懸念",
]

TABLE_ITEMS = ["兵力（千人）", "砲弾供与（万発）", "死傷者（人）", "派遣部隊（個）", "訓練期間（週）", "報道件数（件）"]


# --------------------------------------------------------------------------------------------
# The corpus

def build_corpus(manuscript: Path) -> str:
    """Sentences, chapter titles and section titles of a manuscript, markup removed."""
    titles: list[str] = []
    sections: list[str] = []
    sentences: list[str] = []
    for path in sorted(manuscript.glob("*.md")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith(("!!!", "[^", "|", "Table:", "===")):
                continue
            line = re.sub(r"\s*\{#[^}]*\}\s*$", "", line)
            if line.startswith("# "):
                titles.append(line[2:].strip())
                continue
            if line.startswith("#"):
                sections.append(line.lstrip("#").strip())
                continue
            line = re.sub(r"^- ", "", line)
            line = re.sub(r"\[\^[^\]]+\]", "", line)  # footnote references
            line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # links
            line = re.sub(r"\{([^|{}]+)\|[^{}]*\}", r"\1", line)  # ruby
            line = line.replace("《《", "").replace("》》", "")
            for sentence in re.findall(r"[^。！？]+[。！？]+|[^。！？]+$", line):
                sentence = sentence.strip().lstrip("　").strip()
                if len(sentence) >= 12 and sentence.endswith("。"):
                    sentences.append(sentence)
    unique = lambda items: list(dict.fromkeys(items))  # noqa: E731
    lines = ["# " + t for t in unique(titles) if t not in ("はじめに", "おわりに")]
    lines += ["## " + s for s in unique(sections) if s != "年表"]
    lines += unique(sentences)
    return "\n".join(lines) + "\n"


def load_corpus() -> tuple[list[str], list[str], list[str]]:
    titles, sections, sentences = [], [], []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append(line[3:])
        elif line.startswith("# "):
            titles.append(line[2:])
        elif line.strip():
            sentences.append(line.strip())
    return titles, sections, sentences


# --------------------------------------------------------------------------------------------
# The project

def _ruby(word: str) -> str:
    reading = RUBY[word]
    return "{%s|%s}" % (word, reading if isinstance(reading, str) else "|".join(reading))


def _add_ruby(paragraph: str, rng: random.Random) -> str:
    present = [word for word in RUBY if word in paragraph]
    if not present:
        return paragraph
    word = rng.choice(present)
    return paragraph.replace(word, _ruby(word), 1)


def _mark(paragraph: str, marker: str, rng: random.Random) -> str:
    """Put a footnote or citation marker before the full stop of one of the sentences."""
    stops = [m.start() for m in re.finditer("。", paragraph)]
    if not stops:
        return paragraph + marker
    at = rng.choice(stops)
    return paragraph[:at] + marker + paragraph[at:]


def references(seed: int = 0) -> list[dict]:
    rng = random.Random(f"references-{seed}")
    entries, seen = [], set()
    while len(entries) < 20:
        n = len(entries)
        slug, outlet = OUTLETS[n % len(OUTLETS)]
        month, day = rng.randint(6, 11), rng.randint(1, 28)
        key = f"{slug}-2024{month:02d}{day:02d}"
        if key in seen:
            continue
        seen.add(key)
        subject = SUBJECTS[(n * 3 + rng.randrange(len(SUBJECTS))) % len(SUBJECTS)]
        entries.append({
            "id": key,
            "type": "article-newspaper",
            "title": f"{subject}を伝える記事",
            "container-title": outlet,
            "issued": {"date-parts": [[2024, month, day]]},
            "URL": f"https://www.example.com/{slug}/articles/2024{month:02d}{day:02d}-{rng.randrange(10**6):06d}",
            "accessed": {"date-parts": [[2024, 12, 20]]},
            "language": "ja",
        })
    return entries


def _chapter(number: int, corpus, keys: list[str], per_chapter: int, seed: int) -> str:
    titles, sections, sentences = corpus
    rng = random.Random(f"chapter-{seed}-{number}")
    title = f"第{number}報　{titles[(number - 1) % len(titles)]}"
    section_count = rng.randint(3, 5)
    section_titles = [f"{rng.choice(sections)}（{number}・{k + 1}）" for k in range(section_count)]
    table_rows = [(item, rng.randint(10, 999), rng.randint(10, 999)) for item in rng.sample(TABLE_ITEMS, 4)]
    caption_source = titles[(number - 1) % len(titles)].split("、")[0]

    position = rng.randrange(len(sentences))

    def next_paragraph() -> str:
        nonlocal position
        parts = []
        for _ in range(rng.randint(2, 4)):
            parts.append(sentences[position % len(sentences)])
            position += 1 + (rng.random() < 0.3)
        return _add_ruby("".join(parts), rng)

    def render(paragraphs: list[str]) -> str:
        marks = random.Random(f"marks-{seed}-{number}")
        count = len(paragraphs)
        body = list(paragraphs)
        # Citations every third paragraph, in both forms.
        for i in range(1, count, 3):
            key = marks.choice(keys)
            marker = f"[@{key}, p. {marks.randint(1, 40)}]" if marks.random() < 0.4 else f"[@{key}]"
            body[i] = _mark(body[i], marker, marks)
        # Five footnotes spread over the chapter.
        notes = []
        for k in range(5):
            i = min(count - 1, int((k + 0.5) * count / 5))
            body[i] = _mark(body[i], f"[^{k + 1}]", marks)
            notes.append(f"[^{k + 1}]: {sentences[marks.randrange(len(sentences))]}")
        # Sections, the table after the first third, the figure after the second.
        out = [f"# {title}", ""]
        per_section = max(1, count // section_count)
        table_at, figure_at = count // 3, (2 * count) // 3
        for i, paragraph in enumerate(body):
            if i % per_section == 0 and i // per_section < section_count:
                out += [f"## {section_titles[i // per_section]}", ""]
            out += [paragraph, ""]
            if i == table_at:
                out += [f"Table: {caption_source}に関する数値（第{number}報）", "",
                        "| 項目 | 2023年 | 2024年 | 増減 |", "| --- | ---: | ---: | ---: |"]
                out += [f"| {item} | {a} | {b} | {b - a:+d} |" for item, a, b in table_rows]
                out += [""]
            if i == figure_at:
                # The quoted title is the figure's alternative text (the chart _figure draws).
                alt = f"{caption_source}の推移を8本の縦棒で示した棒グラフ"
                out += [f'![{caption_source}の推移（第{number}報）](images/fig{number:02d}.png "{alt}")', ""]
        out += notes
        return "\n".join(out) + "\n"

    paragraphs = [next_paragraph() for _ in range(8)]
    while len(render(paragraphs)) < per_chapter:
        paragraphs.append(next_paragraph())
    return render(paragraphs)


def _figure(path: Path, number: int, seed: int) -> None:
    from PIL import Image, ImageDraw

    rng = random.Random(f"figure-{seed}-{number}")
    image = Image.new("RGB", (360, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(30, 210), (340, 210)], fill="black", width=2)
    draw.line([(30, 20), (30, 210)], fill="black", width=2)
    for i in range(8):
        height = rng.randint(20, 180)
        x = 45 + i * 36
        shade = 60 + 20 * (i % 4)
        draw.rectangle([x, 210 - height, x + 24, 209], fill=(shade, shade + 30, 160))
    image.save(path, format="PNG", optimize=False)


def _chapter_texts(chapters: int, target_characters: int, seed: int) -> list[str]:
    corpus = load_corpus()
    keys = [entry["id"] for entry in references(seed)]
    per_chapter = target_characters // chapters
    return [_chapter(n, corpus, keys, per_chapter, seed) for n in range(1, chapters + 1)]


def _write_images(images: Path, chapters: int, seed: int) -> None:
    images.mkdir(parents=True, exist_ok=True)
    for n in range(1, chapters + 1):
        _figure(images / f"fig{n:02d}.png", n, seed)


def generate(directory: Path, chapters: int = 40, target_characters: int = 220_000, seed: int = 0) -> Path:
    """Write a complete project into ``directory``; return the project directory."""
    directory = Path(directory)
    manuscript = directory / "manuscript"
    manuscript.mkdir(parents=True, exist_ok=True)
    names = []
    for n, text in enumerate(_chapter_texts(chapters, target_characters, seed), start=1):
        name = f"{n:02d}-chapter.md"
        (manuscript / name).write_text(text, encoding="utf-8")
        names.append(name)
    text = json.dumps(references(seed), ensure_ascii=False, indent=2)
    # {"date-parts": [[2024, 12, 4]]} on one line, as in the sample's references.json.
    text = re.sub(r"\{\s*\"date-parts\": \[\s*\[\s*([^\]]*?)\s*\]\s*\]\s*\}",
                  lambda m: '{"date-parts": [[%s]]}' % re.sub(r",\s+", ", ", m.group(1)), text)
    (manuscript / "references.json").write_text(text + "\n", encoding="utf-8")
    _write_images(manuscript / "images", chapters, seed)
    identifier = uuid.uuid5(uuid.NAMESPACE_URL, f"reportpub-benchmark-{seed}-{chapters}-{target_characters}")
    chapter_list = "".join(f'  "{name}",\n' for name in names)
    (manuscript / "book.toml").write_text(
        f'''title = "露朝軍事協力とウクライナ戦争（ベンチマーク版）"
subtitle = "長い報告書の組版速度を測るための原稿"
authors = ["報告書編集部"]
publisher = "報告書編集部"
language = "ja"
date = 2024-12-20
version = "1.0"
identifier = "urn:uuid:{identifier}"
rights = "© 2024 報告書編集部"
slug = "bench"
bibliography = "references.json"
csl = "sist02"
chapters = [
{chapter_list}]

[pdf]
paper = "A5"
bleed = "3mm"

[editions]
formats = ["pdf", "print", "epub", "html"]
modes = ["vertical", "horizontal"]
''', encoding="utf-8")
    return directory


def concatenated_markdown(texts: list[str]) -> str:
    """All chapters as one document, footnote ids prefixed with the chapter number."""
    out = []
    for n, text in enumerate(texts, start=1):
        out.append(re.sub(r"\[\^([^\]]+)\]", lambda m: f"[^c{n}-{m.group(1)}]", text))
    return "\n".join(out)


def project_markdown(project: Path) -> str:
    """The engine floor's input, read from a generated project (same text, same order)."""
    manuscript = Path(project) / "manuscript"
    texts = [p.read_text(encoding="utf-8") for p in sorted(manuscript.glob("[0-9][0-9]-chapter.md"))]
    return concatenated_markdown(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, nargs="?")
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--characters", type=int, default=220_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only-markdown", action="store_true",
                        help="write only DIR/floor.md (all chapters in one file) and DIR/images/")
    parser.add_argument("--rebuild-corpus", action="store_true",
                        help="rewrite benchmarks/corpus.txt from the repository's manuscript/*.md")
    args = parser.parse_args(argv)
    if args.rebuild_corpus:
        CORPUS.write_text(build_corpus(HERE.parent / "manuscript"), encoding="utf-8")
        print(f"wrote {CORPUS}")
        return 0
    if args.directory is None:
        parser.error("DIR is required")
    if args.only_markdown:
        args.directory.mkdir(parents=True, exist_ok=True)
        text = concatenated_markdown(_chapter_texts(args.chapters, args.characters, args.seed))
        (args.directory / "floor.md").write_text(text, encoding="utf-8")
        _write_images(args.directory / "images", args.chapters, args.seed)
        print(f"wrote {args.directory / 'floor.md'} ({len(text):,} characters)")
        return 0
    project = generate(args.directory, args.chapters, args.characters, args.seed)
    total = sum(len(p.read_text(encoding="utf-8")) for p in (project / "manuscript").glob("*.md"))
    print(f"wrote {project} ({args.chapters} chapters, {total:,} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
