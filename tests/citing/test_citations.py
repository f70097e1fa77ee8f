"""Citation syntax, finding citations in Markdown, and formatting notes and references."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportpub.citing.bibliography import load_bibliography
from reportpub.citing.formatter import CitationFormatter, is_japanese_entry, style_path
from reportpub.citing.syntax import (
    Citation,
    CitationItem,
    affix_html,
    parse_citation,
)
from reportpub.diagnostics import ReportpubError, SourceLocation
from tests.conftest import REPOSITORY, book_toml

SAMPLE_REFERENCES = REPOSITORY / "manuscript" / "references.json"


# ===================================================================== syntax


def one(text: str) -> CitationItem:
    citation = parse_citation(text)
    assert len(citation.items) == 1
    return citation.items[0]


def test_plain_key():
    assert parse_citation("@tanaka2020") == Citation((CitationItem("tanaka2020"),))
    assert parse_citation("@tanaka2020").keys == ["tanaka2020"]


@pytest.mark.parametrize(
    "text, label, locator",
    [
        ("@key, p. 45", "page", "45"),
        ("@key, p.45", "page", "45"),
        ("@key, pp. 3-5", "page", "3-5"),
        ("@key, pp. 3–5", "page", "3-5"),
        ("@key, page 7", "page", "7"),
        ("@key, 45", "page", "45"),
        ("@key, chap. 2", "chapter", "2"),
        ("@key, ch. 2", "chapter", "2"),
        ("@key, sec. 3", "section", "3"),
        ("@key, § 3", "section", "3"),
        ("@key, vol. 2", "volume", "2"),
        ("@key, no. 4", "issue", "4"),
        ("@key, fig. 1", "figure", "1"),
        ("@key, para. 4", "paragraph", "4"),
        ("@key, l. 7", "line", "7"),
        ("@key, n. 2", "note", "2"),
        ("@key, p. iv", "page", "iv"),
        ("@key, 45頁", "page", "45"),
        ("@key, 45ページ", "page", "45"),
        ("@key, ４５頁", "page", "45"),
        ("@key, 45〜47頁", "page", "45-47"),
        ("@key, 第2章", "chapter", "2"),
        ("@key, 第三章", "chapter", "三"),
        ("@key, 第3節", "section", "3"),
        ("@key, 第2巻", "volume", "2"),
        ("@key, 第3号", "issue", "3"),
        ("@key, 図3", "figure", "3"),
        ("@key, 表2", "table", "2"),
        ("@key, 12行", "line", "12"),
        ("@smith04, pp. 33-35, 38-39", "page", "33-35, 38-39"),
    ],
)
def test_locators(text, label, locator):
    item = one(text)
    assert (item.key, item.locator_label, item.locator, item.suffix) == (item.key, label, locator, "")


def test_suppress_author_prefix_and_suffix():
    item = one("-@key, p. 3")
    assert item.suppress_author and item.locator == "3" and item.prefix == ""
    item = one("see @doe99, pp. 33-35 and passim")
    assert (item.prefix, item.key, item.locator, item.suffix) == ("see", "doe99", "33-35", "and passim")
    item = one("詳しくは@key, 第3章を参照")
    assert (item.prefix, item.locator_label, item.locator, item.suffix) == ("詳しくは", "chapter", "3", "を参照")
    item = one("@key, 強調は引用者")
    assert item.locator is None and item.suffix == ", 強調は引用者"
    item = one("@key and others")
    assert item.locator is None and item.suffix == "and others"


def test_code_spans_and_escapes_are_text_not_syntax():
    """A ';' or '@' in a code span or escaped split the group or started a key."""
    citation = parse_citation("see `a;b` @k, p. 3 `x;@y` \\; \\@z; @m")
    assert citation.keys == ["k", "m"]
    assert (citation.items[0].prefix, citation.items[0].locator, citation.items[0].suffix) == (
        "see `a;b`", "3", "`x;@y` \\; \\@z")


def test_affix_html_sets_code_as_code_and_escapes_as_marks():
    assert affix_html("`<b>` と `` a`b `` と \\` と \\\\ と g\\h と 1 < 2") == (
        "<code>&lt;b&gt;</code> と <code>a`b</code> と ` と \\ と g\\h と 1 &lt; 2")
    assert affix_html("`閉じない") == "`閉じない"


def test_multiple_keys():
    citation = parse_citation("see @a, p. 1; -@b;@c, 第2章")
    assert citation.keys == ["a", "b", "c"]
    assert [i.suppress_author for i in citation.items] == [False, True, False]
    assert citation.items[0].prefix == "see"
    assert citation.items[2].locator_label == "chapter"


def test_key_forms():
    assert one("@doe99.").key == "doe99" and one("@doe99.").suffix == "."
    assert one("@Smith:2020/a-b").key == "Smith:2020/a-b"
    assert one("@{田中2020}, 45").key == "田中2020"
    assert one("@_x").key == "_x"
    # a key stops at Japanese text; Japanese keys go in braces
    assert one("@tanaka2020を参照").key == "tanaka2020"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty citation"),
        ("   ", "empty citation"),
        ("@", "'@' without a citation key"),
        ("@ key", "'@' without a citation key"),
        ("@a;", "empty part between ';'"),
        ("@a;;@b", "empty part between ';'"),
        ("@a @b", "need a ';' between them"),
        ("mail me@example.com", "no citation key"),
        ("@a; just text", "no citation key"),
    ],
)
def test_bad_citations(text, message):
    with pytest.raises(ReportpubError) as info:
        parse_citation(text, path="manuscript/01.md", line=12)
    assert str(info.value).startswith("manuscript/01.md:12: ")
    assert message in str(info.value)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_parse_citation_returns_or_raises_reportpub_error(text):
    try:
        result = parse_citation(text)
    except ReportpubError:
        return
    assert isinstance(result, Citation) and result.items


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("@-;, p.45頁第章{}abc ")), max_size=30))
def test_parse_citation_on_citation_like_text(text):
    try:
        result = parse_citation(text)
    except ReportpubError:
        return
    assert all(item.key for item in result.items)


# ================================================================= formatting

REFERENCES = [
    {
        "id": "tanaka2020", "type": "book", "author": [{"family": "田中", "given": "花子"}],
        "title": "日本の報告書", "publisher": "岩波書店", "publisher-place": "東京",
        "issued": {"date-parts": [[2020, 4, 1]]}, "reading": "たなか はなこ",
    },
    {
        "id": "asahi", "type": "article-newspaper", "title": "地震の「全容」 & 課題",
        "container-title": "朝日新聞デジタル", "issued": {"date-parts": [[2024, 1, 5]]},
        "URL": "https://www.asahi.com/articles/ABC?x=1&y=2", "accessed": {"date-parts": [[2024, 2, 1]]},
        "language": "ja",
    },
    {
        "id": "mhlw", "type": "webpage", "author": [{"literal": "厚生労働省"}], "title": "人口動態統計",
        "container-title": "厚生労働省ウェブサイト", "issued": {"date-parts": [[2023, 6, 2]]},
        "URL": "https://www.mhlw.go.jp/toukei/", "accessed": {"date-parts": [[2024, 2, 1]]},
        "reading": "こうせいろうどうしょう",
    },
    {
        "id": "yamada", "type": "article-journal",
        "author": [{"family": "山田", "given": "太郎"}, {"family": "佐藤", "given": "次郎"}],
        "title": "報告書とは何か?", "container-title": "情報管理", "volume": "50", "issue": "4",
        "page": "250-256", "issued": {"date-parts": [[2007]]},
    },
    {
        "id": "suzuki", "type": "chapter", "author": [{"family": "鈴木", "given": "一郎"}],
        "title": "章の題", "container-title": "論文集", "editor": [{"family": "高橋", "given": "三郎"}],
        "publisher": "有斐閣", "issued": {"date-parts": [[2015]]}, "page": "10-20",
    },
    {
        "id": "smith", "type": "book", "author": [{"family": "Smith", "given": "John"}],
        "title": "The Art of Reports: A Guide", "publisher": "Chicago UP", "publisher-place": "Chicago",
        "issued": {"date-parts": [[2019]]},
    },
    {
        "id": "jones", "type": "article-journal",
        "author": [{"family": "Jones", "given": "Mary Ann"}, {"family": "Lee", "given": "K."}],
        "title": "Why Notes?", "container-title": "Journal of Style", "volume": "12", "issue": "3",
        "page": "45-67", "issued": {"date-parts": [[2018]]}, "DOI": "10.1000/xyz123",
    },
    {
        "id": "who", "type": "report", "author": [{"literal": "World Health Organization"}],
        "title": "World Report <2021>", "publisher": "WHO", "issued": {"date-parts": [[2021]]},
        "URL": "https://who.int/report",
    },
]


@pytest.fixture
def bib(tmp_path):
    path = tmp_path / "references.json"
    path.write_text(json.dumps(REFERENCES, ensure_ascii=False, indent=1), encoding="utf-8")
    return load_bibliography([(path, "manuscript/references.json")])


def notes(formatter: CitationFormatter, *citations: str) -> list[str]:
    return [formatter.note(parse_citation(c)) for c in citations]


def text_of(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def test_bundled_styles_ship_with_licence():
    for name in ("sist02", "chicago-note"):
        path = style_path(name)
        assert path.is_file()
        assert "creativecommons.org/licenses/by-sa/3.0" in path.read_text(encoding="utf-8")
    readme = style_path("sist02").parent / "README"
    assert "CC BY-SA 3.0" in readme.read_text(encoding="utf-8") or "Attribution-ShareAlike 3.0" in readme.read_text(
        encoding="utf-8"
    )


def test_japanese_detection(bib):
    assert is_japanese_entry(bib["tanaka2020"]) and is_japanese_entry(bib["asahi"])
    assert is_japanese_entry(bib["mhlw"])  # no language field: by its characters
    assert not is_japanese_entry(bib["smith"])


# ----------------------------------------------- the 「」『』 form (japanese-humanities)


def test_humanities_entries(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    assert f.reference("tanaka2020") == "田中花子『日本の報告書』. 東京, 岩波書店, 2020年."
    assert f.reference("yamada") == "山田太郎, 佐藤次郎「報告書とは何か?」『情報管理』. 2007年, 50(4), p. 250–256."
    assert f.reference("suzuki") == "鈴木一郎「章の題」『論文集』. 高橋三郎編. 有斐閣, 2015年, p. 10–20."
    assert f.reference("mhlw") == (
        '厚生労働省「人口動態統計」. 厚生労働省ウェブサイト. 2023年6月2日. '
        '<a class="url" href="https://www.mhlw.go.jp/toukei/">https://www.mhlw.go.jp/toukei/</a>, (参照 2024年2月1日).'
    )
    # Western names and organisations as the style says; HTML escaped
    assert f.reference("smith") == "Smith, John. The Art of Reports: A Guide. Chicago, Chicago UP, 2019."
    assert f.reference("jones") == "Jones, Mary Ann, Lee, K. Why Notes? Journal of Style. 2018, 12(3), p. 45–67."
    assert f.reference("who") == (
        'World Health Organization. World Report &lt;2021&gt;. WHO, 2021. '
        '<a class="url" href="https://who.int/report">https://who.int/report</a>.'
    )


def test_humanities_newspaper_web_article_first_and_subsequent(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    first, again, ibid, later = notes(f, "@asahi, p. 2", "@tanaka2020", "@tanaka2020, 第2章", "@asahi")
    assert first == (  # the cited page before the URL and the access date
        "「地震の『全容』 &amp; 課題」『朝日新聞デジタル』. 2024年1月5日, p. 2. "
        '<a class="url" href="https://www.asahi.com/articles/ABC?x=1&amp;y=2">https://www.asahi.com/articles/ABC?x=1&amp;y=2</a>, '
        "(参照 2024年2月1日)."
    )
    assert again == "田中花子『日本の報告書』. 東京, 岩波書店, 2020年."
    assert ibid == "同上, 第2章."
    assert later == "「地震の『全容』 &amp; 課題」前掲."


def test_humanities_first_subsequent_and_ibid(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    assert notes(f, "@tanaka2020, p. 45", "@tanaka2020, p. 46", "@tanaka2020", "@yamada", "@tanaka2020, 45-47頁") == [
        "田中花子『日本の報告書』. 東京, 岩波書店, 2020年, p. 45.",
        "同上, p. 46.",
        "同上.",
        "山田太郎, 佐藤次郎「報告書とは何か?」『情報管理』. 2007年, 50(4), p. 250–256.",
        "田中花子『日本の報告書』前掲, p. 45–47.",
    ]
    assert f.cited_keys == ["tanaka2020", "yamada"]


def test_ibid_needs_the_immediately_previous_single_key(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    notes(f, "@tanaka2020", "@yamada; @tanaka2020")
    # the note before cited two works: no 同上
    assert notes(f, "@tanaka2020") == ["田中花子『日本の報告書』前掲."]
    assert notes(f, "@tanaka2020") == ["同上."]
    f.interrupt()  # an author's own note came between
    assert notes(f, "@tanaka2020") == ["田中花子『日本の報告書』前掲."]


def test_short_forms_for_organisation_and_several_authors(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    notes(f, "@mhlw", "@yamada", "@smith", "@jones", "@who", "@tanaka2020")
    assert notes(f, "@mhlw, p. 3", "@yamada", "@smith, 12", "@jones", "@who") == [
        "厚生労働省「人口動態統計」前掲, p. 3.",
        "山田太郎, 佐藤次郎「報告書とは何か?」前掲.",  # co-authors joined as in the full form
        "Smith, The Art of Reports, p. 12.",
        "Jones and Lee, “Why Notes?”",
        "World Health Organization, World Report &lt;2021&gt;.",
    ]


def test_suppress_author(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    assert notes(f, "-@tanaka2020, p. 3", "-@tanaka2020, p. 4", "@yamada", "-@tanaka2020") == [
        "『日本の報告書』. 東京, 岩波書店, 2020年, p. 3.",
        "同上, p. 4.",
        "山田太郎, 佐藤次郎「報告書とは何か?」『情報管理』. 2007年, 50(4), p. 250–256.",
        "『日本の報告書』前掲.",
    ]


def test_several_works_prefix_and_suffix_in_one_note(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    note = f.note(parse_citation("詳しくは@tanaka2020, 第3章を参照; see also @smith, pp. 3-5 and passim"))
    assert note == (
        "詳しくは田中花子『日本の報告書』. 東京, 岩波書店, 2020年, 第3章を参照; "
        "see also Smith, John. The Art of Reports: A Guide. Chicago, Chicago UP, 2019, pp. 3–5 and passim."
    )


def test_no_doubled_punctuation(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    for key in [e.key for e in bib]:
        for text in (text_of(f.reference(key)), text_of(f.note(parse_citation("@" + key + ", p. 1")))):
            for doubled in ("?.", "。.", ",,", "..", ". .", ", ,", ".,", "?,"):
                assert doubled not in text, (key, text)


def test_unknown_key_names_place(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    with pytest.raises(ReportpubError) as info:
        f.note(parse_citation("@tanaka2020; @nobody"), SourceLocation("manuscript/01.md", 9))
    assert str(info.value) == "manuscript/01.md:9: unknown citation key 'nobody'"
    assert f.cited_keys == []  # nothing counted as cited


def test_references_list_sorted_japanese_by_reading_then_western(bib):
    f = CitationFormatter(bib, "japanese-humanities")
    notes(f, "@who", "@smith", "@jones", "@yamada", "@asahi", "@tanaka2020", "@mhlw", "@suzuki")
    assert [key for key, _ in f.bibliography()] == [
        "mhlw", "tanaka2020", "asahi", "yamada", "suzuki", "jones", "smith", "who"]
    listed = [text_of(x) for _, x in f.bibliography()]
    starts = [
        "厚生労働省「人口",  # reading こうせい…
        "田中花子『日本",  # reading たなか…
        "「地震の『全容』",  # no reading: by code point, 地 U+5730
        "山田太郎, 佐藤",  # 山 U+5C71
        "鈴木一郎「章",  # 鈴 U+9234
        "Jones, Mary",
        "Smith, John",
        "World Health",
    ]
    assert len(listed) == len(starts)
    for text, start in zip(listed, starts):
        assert text.startswith(start), (text, start)
    assert listed[0].endswith("(参照 2024年2月1日).")
    # only cited works; the same order whatever the order of citation
    g = CitationFormatter(bib, "japanese-humanities")
    notes(g, "@suzuki", "@mhlw", "@tanaka2020", "@asahi", "@yamada", "@jones", "@smith", "@who")
    assert g.bibliography() == f.bibliography()
    h = CitationFormatter(bib, "japanese-humanities")
    notes(h, "@smith")
    assert len(h.bibliography()) == 1
    assert len(h.bibliography(keys=[e.key for e in bib])) == len(REFERENCES)


def test_output_is_deterministic(bib):
    runs = []
    for _ in range(2):
        f = CitationFormatter(bib, "japanese-humanities")
        runs.append((notes(f, "@asahi", "@smith, 4", "@asahi", "@asahi"), f.bibliography()))
    assert runs[0] == runs[1]


# --------------------------------------------------------------- Chicago


def test_chicago_notes(bib):
    f = CitationFormatter(bib, "chicago-note")
    assert notes(f, "@smith, 45", "@smith, 46", "@jones, 50", "@smith, 47", "-@jones", "@jones; @smith") == [
        "John Smith, <i>The Art of Reports: A Guide</i> (Chicago UP, 2019), 45.",
        "Ibid., 46.",
        'Mary Ann Jones and K. Lee, “Why Notes?” <i>Journal of Style</i> 12, no. 3 (2018): 50, '
        '<a class="url" href="https://doi.org/10.1000/xyz123">https://doi.org/10.1000/xyz123</a>.',
        "Smith, <i>The Art of Reports</i>, 47.",
        "“Why Notes?”",
        "Jones and Lee, “Why Notes?”; Smith, <i>The Art of Reports</i>.",
    ]
    assert f.reference("smith") == "Smith, John. <i>The Art of Reports: A Guide</i>. Chicago UP, 2019."
    assert f.reference("who").startswith("World Health Organization. <i>World Report &lt;2021&gt;</i>.")


def test_chicago_japanese_entries_keep_japanese_conventions(bib):
    f = CitationFormatter(bib, "chicago-note")
    first, ibid, other, short = notes(f, "@tanaka2020, p. 45", "@tanaka2020, p. 46", "@yamada", "@tanaka2020, 第2章")
    assert first == "田中花子『日本の報告書』(岩波書店, 2020年), 45."
    assert ibid == "同上, p. 46."
    assert other.startswith("山田太郎, 佐藤次郎「報告書とは何か?」『情報管理』")
    assert short == "田中花子『日本の報告書』前掲, 第2章."


# ------------------------------------------------------------ other styles


def test_style_given_as_a_path(bib, tmp_path):
    path = tmp_path / "my-style.csl"
    shutil.copy(style_path("sist02"), path)
    f = CitationFormatter(bib, path)
    assert f.reference("tanaka2020") == CitationFormatter(bib, "japanese-humanities").reference("tanaka2020")
    g = CitationFormatter(bib, str(path))
    assert not g.note_class


def test_bad_styles_are_author_errors(bib, tmp_path):
    with pytest.raises(ReportpubError, match=r"^manuscript/book.toml: unknown citation style 'apa7'"):
        CitationFormatter(bib, "apa7")
    with pytest.raises(ReportpubError, match="citation style file not found"):
        CitationFormatter(bib, tmp_path / "missing.csl")
    broken = tmp_path / "broken.csl"
    broken.write_text('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n<info>\n</style>\n')
    with pytest.raises(ReportpubError) as info:
        CitationFormatter(bib, broken)
    assert re.match(rf"^{re.escape(str(broken))}:4: invalid CSL style", str(info.value))
    html_file = tmp_path / "page.csl"
    html_file.write_text("<html></html>")
    with pytest.raises(ReportpubError, match="not a CSL style"):
        CitationFormatter(bib, html_file)


# --------------------------------------------------------- the sample data


@pytest.mark.skipif(not SAMPLE_REFERENCES.exists(), reason="the sample has no references.json yet")
def test_sample_references_format_with_outlet_date_and_url():
    bib = load_bibliography([(SAMPLE_REFERENCES, "manuscript/references.json")])
    assert len(bib) > 0
    f = CitationFormatter(bib, "japanese-humanities")
    for entry in bib:
        data = entry.data
        note = f.note(parse_citation("@{" + entry.key + "}"))
        assert note == f.reference(entry.key)
        if data.get("container-title"):
            assert data["container-title"] in note
        issued = data.get("issued", {}).get("date-parts")
        if issued and len(issued[0]) == 3:
            y, m, d = issued[0]
            assert f"{y}年{m}月{d}日" in note
        if data.get("URL"):
            href = data["URL"].replace("&", "&amp;")
            assert f'<a class="url" href="{href}">' in note
        accessed = data.get("accessed", {}).get("date-parts")
        if accessed and len(accessed[0]) == 3:
            y, m, d = accessed[0]
            assert f"(参照 {y}年{m}月{d}日)" in note
    assert len(f.bibliography()) == len(bib)


# ------------------------------------------------------------- robustness

from reportpub.citing.bibliography import CSL_TYPES  # noqa: E402


def _write(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_csl_type_formats_in_both_styles(tmp_path):
    items = []
    for n, csl_type in enumerate(sorted(CSL_TYPES)):
        for lang in ("ja", "en"):
            items.append({
                "id": f"{csl_type}-{lang}", "type": csl_type, "language": lang,
                "title": "題名" if lang == "ja" else "A Title", "container-title": "誌名" if lang == "ja" else "Box",
                "author": [{"family": "田中", "given": "花子"}] if lang == "ja" else [{"family": "Smith", "given": "J."}],
                "editor": [{"family": "Roe", "given": "R."}], "translator": [{"literal": "翻訳者"}],
                "issued": {"date-parts": [[2020, 1, 2], [2020, 3, 4]]} if n % 2 else {"date-parts": [[2020, 1, 2]]},
                "accessed": {"date-parts": [[2024, 2, 1]]}, "URL": "https://e.example/a?b=1&c=2", "DOI": "10.1/x",
                "page": "1-2", "volume": "3", "issue": "4", "publisher": "Pub", "publisher-place": "Place",
                "edition": "2", "number": "7", "genre": "Genre", "event": "Ev", "number-of-pages": "300",
                "collection-title": "Series", "section": "朝刊", "medium": "Online",
            })
    bib = load_bibliography([(_write(tmp_path, items), "refs.json")])
    for style in ("sist02", "chicago-note"):
        f = CitationFormatter(bib, style)
        for entry in bib:
            for form in ("@{%s}, p. 3", "-@{%s}, 第2章", "@{%s}"):
                note = f.note(parse_citation(form % entry.key))
                assert note and "\ue000" not in note and "None" not in note
        listed = f.bibliography()
        assert all(x and "&c=" not in x for _, x in listed)


def test_date_ranges_and_literal_dates(tmp_path):
    items = [
        {"id": "ja", "type": "paper-conference", "title": "発表", "language": "ja",
         "issued": {"date-parts": [[2020, 1, 2], [2020, 3, 4]]}},
        {"id": "en", "type": "webpage", "title": "Page", "issued": {"date-parts": [[2019], [2021]]}},
        {"id": "lit", "type": "book", "title": "本", "issued": {"literal": "2020年頃"}},
    ]
    f = CitationFormatter(load_bibliography([(_write(tmp_path, items), "refs.json")]), "sist02")
    assert "2020年1月2日–3月4日" in f.reference("ja")
    assert "2019–2021" in f.reference("en")
    assert "2020年頃" in f.reference("lit")


def test_rich_text_kept_and_stray_markup_escaped(tmp_path):
    items = [{"id": "a", "type": "article-journal", "author": [{"family": "Darwin", "given": "C."}],
              "title": 'On <i>Homo sapiens</i> and <span class="nocase">DNA</span> <b>unclosed',
              "container-title": "Nature", "issued": {"date-parts": [[2000]]}}]
    f = CitationFormatter(load_bibliography([(_write(tmp_path, items), "refs.json")]), "sist02")
    assert f.reference("a") == "Darwin, C. On <i>Homo sapiens</i> and DNA &lt;b&gt;unclosed. Nature. 2000."


def test_a_work_that_shows_nothing_is_an_author_error(tmp_path):
    bib = load_bibliography([(_write(tmp_path, [{"id": "empty", "type": "document"}]), "manuscript/refs.json")])
    with pytest.raises(ReportpubError, match=r"^manuscript/refs.json:1: entry 'empty' shows nothing"):
        CitationFormatter(bib, "japanese-humanities").note(parse_citation("@empty"))


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(title=_TEXT, family=_TEXT, given_name=_TEXT, container=_TEXT, url=_TEXT)
def test_formatter_escapes_arbitrary_text(tmp_path_factory, title, family, given_name, container, url):
    tmp = tmp_path_factory.mktemp("fuzz")
    item = {"id": "x", "type": "article-newspaper", "title": title, "container-title": container,
            "author": [{"family": family, "given": given_name}], "URL": url, "issued": {"date-parts": [[2024, 1, 5]]}}
    try:
        bib = load_bibliography([(_write(tmp, [item]), "refs.json")])
    except ReportpubError:
        return
    for style in ("sist02", "chicago-note"):
        f = CitationFormatter(bib, style)
        listed = [html for _, html in f.bibliography()]
        for note in (f.note(parse_citation("@x, p. 1")), f.note(parse_citation("@x")), *listed):
            # only our own tags survive; everything else is escaped
            tags = re.findall(r"<[^>]*>", note)
            assert all(re.fullmatch(r'</?(i|b|sup|sub|a|span)( (href|class|style)="[^"<>]*")*>', t) for t in tags), tags
            assert "\ue000" not in note and "\ue004" not in note


# ------------------------------------------------------- the project's view

from reportpub.citing.formatter import (  # noqa: E402
    format_citation_element,
    load_formatter,
    uncited_warnings,
)
from reportpub.build import read_book  # noqa: E402
from reportpub.project import Project  # noqa: E402

PROJECT_BOOK = book_toml(authors=["著者 太郎"], version="1.0", slug="test", bibliography="references.json")


def _project(make_project, book: str = PROJECT_BOOK, files: dict | None = None, name: str = "project") -> Project:
    chapters = {"01.md": "# 章\n\n本文[@tanaka2020, p. 3]。`[@mhlw]` はコード。\n\n注[^1]。\n\n[^1]: 注の中[@smith]。\n"}
    refs = {"manuscript/references.json": json.dumps(REFERENCES, ensure_ascii=False, indent=1)}
    return Project.open(make_project(chapters, book=book, files={**refs, **(files or {})}, name=name))


def test_load_formatter_and_citation_elements(make_project):
    project = _project(make_project)
    formatter = load_formatter(project)
    span = format_citation_element(formatter, "@tanaka2020, p. 3", "manuscript/01.md", 3)
    assert span.tag == "span" and span.get("class") == "citation"
    assert "".join(span.itertext()) == "田中花子. 日本の報告書. 東京, 岩波書店, 2020, p. 3."
    span = format_citation_element(formatter, "@asahi", "manuscript/01.md", 4)
    assert span.find("a").get("href") == "https://www.asahi.com/articles/ABC?x=1&y=2"
    assert [key for key, _ in formatter.bibliography()] == ["tanaka2020", "asahi"]
    with pytest.raises(ReportpubError) as info:
        format_citation_element(formatter, "@tanaka2020; @nobody", "manuscript/01.md", 7)
    assert str(info.value) == "manuscript/01.md:7: unknown citation key 'nobody'"
    with pytest.raises(ReportpubError, match=r"^manuscript/01.md:8: '@' without a citation key"):
        format_citation_element(formatter, "@", "manuscript/01.md", 8)
    with pytest.raises(ReportpubError, match=r"^manuscript/01.md:9: citation '\[@a\]' but book.toml names no bibliography"):
        format_citation_element(None, "@a", "manuscript/01.md", 9)


def test_load_formatter_with_a_style_file_and_errors(make_project):
    style = style_path("chicago-note").read_text(encoding="utf-8")
    project = _project(make_project, PROJECT_BOOK + 'csl = "styles/mine.csl"\n', {"manuscript/styles/mine.csl": style})
    assert load_formatter(project).note_class
    project = _project(make_project, PROJECT_BOOK + 'csl = "nope.csl"\n', name="p2")
    with pytest.raises(ReportpubError, match=r"^manuscript/book.toml: citation style file not found: manuscript/nope.csl"):
        load_formatter(project)
    project = _project(make_project, PROJECT_BOOK.replace("references.json", "missing.json"), name="p3")
    with pytest.raises(ReportpubError, match=r"^manuscript/missing.json: bibliography file not found"):
        load_formatter(project)


def test_a_code_span_in_a_citation_is_code_in_its_note(make_project):
    """The locator's code span was flattened to text (and '<' in it escaped twice); a ';' in
    one split the group, and the error had no line, its text not being the source's."""
    chapters = {"01.md": "# 章\n\n本文[@smith, p. 3 `x_y`]。\n\n次[see `a;b` @tanaka2020, `<b>` と \\` と \\\\]。\n"}
    refs = {"manuscript/references.json": json.dumps(REFERENCES, ensure_ascii=False)}
    notes = [note.html for note in read_book(Project.open(make_project(chapters, book=PROJECT_BOOK, files=refs))).chapters[0].notes]
    assert "p. 3 <code>x_y</code>" in notes[0]
    assert "<code>a;b</code>" in notes[1] and "<code>&lt;b&gt;</code> と ` と \\" in notes[1]
    chapters = {"01.md": "# 章\n\n本文。\n\n次[@smith; `x` @]。\n"}
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(make_project(chapters, book=PROJECT_BOOK, files=refs, name="p2")))
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/01.md:5: '@' without a citation key in '[@smith; `x` @]'"]


def test_uncited_warnings(make_project):
    project = _project(make_project)
    warnings = uncited_warnings(project, read_book(project).cited_keys)
    # tanaka2020 and smith are cited (smith inside a note); mhlw only inside code
    assert "manuscript/references.json:2: warning: bibliography entry 'tanaka2020' is never cited" not in warnings
    assert not any("'smith'" in w for w in warnings)
    assert any(w.endswith("warning: bibliography entry 'mhlw' is never cited") for w in warnings)
    assert len(warnings) == len(REFERENCES) - 2


def test_non_japanese_report_renders_every_entry_in_its_locale(bib):
    f = CitationFormatter(bib, "chicago-note", locale="de")
    assert f.note(parse_citation("@smith, 4")).startswith("John Smith, <i>The Art of Reports: A Guide</i>")
    assert "田中花子" in f.note(parse_citation("@tanaka2020"))
    g = CitationFormatter(bib, "japanese-humanities", locale="xx-unknown")
    assert g.reference("smith") == "Smith, John. The Art of Reports: A Guide. Chicago, Chicago UP, 2019."


# ------------------------------------------- one reader of citation syntax

AGREEMENT_BIB = json.dumps([{"id": key, "type": "book", "title": f"Book {key}"} for key in
                            "a b c d e code code2 fenced tilde inurl handle esc attr comment".split()])

MARKDOWN = """# 見出し

本文[@a]。次に[-@b, p. 3]と[see @c; @d, 第2章]。

`[@code]` と ``x [@code2] x`` はコード。

```
[@fenced]
```

~~~python
[@tilde]
~~~

[リンク](https://example.com/[@inurl]) と [@handle](https://twitter.com/x)、
エスケープ \\[@esc]、<span title="[@attr]">タグ</span>、
<!-- [@comment] --> メール [mail@example.com] と [注記]。

本文[^1]。

[^1]: 脚注の中の引用[@e, 45頁]。
"""


@pytest.mark.parametrize("chapter, cited, error", [
    (MARKDOWN, ["a", "b", "c", "d", "e"], None),
    # the two cases: a citation over a line break of its paragraph, and one right before a footnote
    ("# 章\n\n文[@a,\np. 3]。\n", ["a"], None),
    ("# 章\n\n文[@a][^1]。\n\n[^1]: 注。\n", ["a"], None),
    ("# 章\n\n文[@a @b]。\n", [], "manuscript/01.md:3: citations '@a' and '@b' need a ';' between them in '[@a @b]'"),
    ("# 章\n\n文[@a;]。\n", [], "manuscript/01.md:3: empty part between ';' in citation '[@a;]'"),
    ("# 章\n\n文\n\n[@]。\n", [], "manuscript/01.md:5: '[@' is not a citation reportpub understands"),
])
def test_check_and_the_build_read_the_same_citations(make_project, chapter, cited, error):
    """`reportpub check` reads citations with the build's own parse: they agree on every case."""
    from tests.conftest import run_cli

    book = PROJECT_BOOK + "\n"
    root = make_project({"01.md": chapter}, book=book, files={"manuscript/references.json": AGREEMENT_BIB})
    check = run_cli("check", str(root))
    if error is None:
        assert list(read_book(Project.open(root)).cited_keys) == cited
        assert check.returncode == 0, check.stderr
        never_cited = sorted(re.findall(r"bibliography entry '([^']+)' is never cited", check.stdout + check.stderr))
        assert never_cited == sorted({item["id"] for item in json.loads(AGREEMENT_BIB)} - set(cited))
    else:
        with pytest.raises(ReportpubError) as info:
            read_book(Project.open(root))
        assert any(str(d).startswith(error) for d in info.value.diagnostics), str(info.value)
        assert check.returncode == 1
        assert error in check.stderr


def test_a_work_with_only_an_editor_is_entered_under_the_editor(tmp_path):
    """An edited book without author (its editor written as one string, or as a name) printed
    no editor at all: the styles' author macros had no substitute."""
    path = tmp_path / "references.json"
    path.write_text(json.dumps([
        {"id": "edited", "type": "book", "editor": "高橋 三郎", "title": "論文集", "publisher": "有斐閣",
         "issued": {"date-parts": [[2015]]}},
        {"id": "named", "type": "book", "editor": [{"family": "高橋", "given": "三郎"}], "title": "論文集",
         "publisher": "有斐閣", "issued": {"date-parts": [[2015]]}},
    ], ensure_ascii=False), encoding="utf-8")
    entries = load_bibliography([(path, "manuscript/references.json")])
    for key in ("edited", "named"):
        assert CitationFormatter(entries, "sist02").reference(key) == "高橋三郎, 編. 論文集. 有斐閣, 2015."
        assert CitationFormatter(entries, "japanese-humanities").reference(key) == "高橋三郎編『論文集』. 有斐閣, 2015年."
