"""The bundled ``sist02`` style against SIST 02:2007's own examples.

Expected texts are the examples as the standard's publisher prints them, each test
naming where it comes from:

* [JST2011] Japan Science and Technology Agency (JST), 参考文献の役割と書き方:
  科学技術情報流通技術基準 (SIST) の活用, 2011 (SIST_booklet2011.pdf, JST's guide to
  SIST 02:2007), with its page; the examples as reproduced in copyright-jp's pages on
  SIST 02 (copyright.ne.jp/writing.html, /writing/100.html) and cocoiro.me's summary
  of the guide (career/article/85145/2).
* [SFC] the SIST 02 examples of a book and of a chapter in a book (井手文雄, 界面制御と
  複合材料の設計) as quoted in Keio University SFC's guide to SIST 02
  (web.sfc.keio.ac.jp/~ryoko/ergonomics/ref-list.html), which prints them without the
  space after "." and ","; the standard's spacing (". " and ", ") is restored here.
* [SIST02 4.x] no example of that type (newspaper article, report, thesis, conference
  paper) could be read: the stored copies of SIST02-2007.pdf and of JST's guide hold
  their first pages only, and the guides above skip these types (SIST 02's examples
  cover thirteen kinds of material, a newspaper not among them: copyright.ne.jp/handbook/
  sist02_2007/main.html). The expected text follows the standard's general order and
  punctuation (著者名. 標題. …) with the elements its section 4.x names for the type,
  filled with data of our own: it is not the standard's example.

Titles of parts of a whole (a web page, a chapter, a paper) are in “ ” (U+201C, U+201D)
because the standard's examples print them so ([JST2011] p. 15, [SFC]); the issue that
asked for this style wrote them with straight quotes.

Where the standard leaves a choice, the style's choices are listed in
``src/reportpub/citing/styles/README``.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from reportpub.citing.bibliography import load_bibliography
from reportpub.citing.syntax import parse_citation
from reportpub.citing.formatter import CitationFormatter, NoteSequence
from tests.conftest import REPOSITORY

EXAMPLES = [
    # [JST2011] p. 9, 雑誌中の論文 (例1) 和文誌
    ({"id": "matsubara", "type": "article-journal",
      "author": [{"family": "松原", "given": "茂樹"}, {"family": "加藤", "given": "芳秀"},
                 {"family": "江川", "given": "誠二"}],
      "title": "英文作成支援ツールとしての用例文検索システムESCORT", "container-title": "情報管理",
      "issued": {"date-parts": [[2008]]}, "volume": "51", "issue": "4", "page": "251-259"},
     "松原茂樹, 加藤芳秀, 江川誠二. 英文作成支援ツールとしての用例文検索システムESCORT. 情報管理. "
     "2008, vol. 51, no. 4, p. 251-259."),
    # [JST2011] p. 9, 雑誌中の論文 (例3) 欧文
    ({"id": "foster", "type": "article-journal", "author": [{"family": "Foster", "given": "Jonathan"}],
      "title": "Collaborative information seeking and retrieval",
      "container-title": "Annual Review of Information Science and Technology",
      "issued": {"date-parts": [[2006]]}, "volume": "40", "page": "329-356"},
     "Foster, Jonathan. Collaborative information seeking and retrieval. Annual Review of Information "
     "Science and Technology. 2006, vol. 40, p. 329-356."),
    # [JST2011] p. 13, 図書 (和書): series and ISBN
    ({"id": "sakamura", "type": "book", "author": [{"family": "坂村", "given": "健"}],
      "title": "グローバルスタンダードと国家戦略", "publisher": "NTT出版", "issued": {"date-parts": [[2005]]},
      "number-of-pages": "272", "collection-title": "日本の<現代>", "collection-number": "第9巻",
      "ISBN": "4-7571-4100-9"},
     "坂村健. グローバルスタンダードと国家戦略. NTT出版, 2005, 272p., (日本の<現代>, 第9巻), ISBN4-7571-4100-9."),
    # [JST2011] p. 13, 図書 (洋書): two authors joined with "; ", edition
    ({"id": "frenkel", "type": "book",
      "author": [{"family": "Frenkel", "given": "D."}, {"family": "Smit", "given": "B."}],
      "title": "Understanding Molecular Simulation: From Algorithms to Applications", "edition": "2nd ed.",
      "publisher": "Academic Press", "issued": {"date-parts": [[2002]]}, "number-of-pages": "664"},
     "Frenkel, D.; Smit, B. Understanding Molecular Simulation: From Algorithms to Applications. 2nd ed., "
     "Academic Press, 2002, 664 p."),
    # [SFC] 1冊の図書: place of publication
    ({"id": "ide", "type": "book", "author": [{"family": "井手", "given": "文雄"}],
      "title": "界面制御と複合材料の設計", "publisher": "シグマ出版", "publisher-place": "東京",
      "issued": {"date-parts": [[1995]]}, "number-of-pages": "250"},
     "井手文雄. 界面制御と複合材料の設計. 東京, シグマ出版, 1995, 250p."),
    # [SFC] 図書の一部: the chapter's heading in double quotes, its pages
    ({"id": "ide-chapter", "type": "chapter", "author": [{"family": "井手", "given": "文雄"}],
      "title": "3 界面制御の技術", "container-title": "界面制御と複合材料の設計", "publisher": "シグマ出版",
      "publisher-place": "東京", "issued": {"date-parts": [[1995]]}, "page": "12-43"},
     "井手文雄. “3 界面制御の技術”. 界面制御と複合材料の設計. 東京, シグマ出版, 1995, p. 12-43."),
    # [JST2011] p. 15, ウェブサイト中の記事 (例1) 和文: site name, ISO dates
    ({"id": "mext", "type": "webpage", "author": [{"literal": "中央教育審議会"}],
      "title": "教育振興基本計画について-「教育立国」の実現に向けて-(答申)", "container-title": "文部科学省",
      "issued": {"date-parts": [[2008, 4, 18]]},
      "URL": "http://www.mext.go.jp/b_menu/shingi/chukyo/chukyo0/toushin/08042205.htm",
      "accessed": {"date-parts": [[2008, 8, 13]]}},
     "中央教育審議会. “教育振興基本計画について-「教育立国」の実現に向けて-(答申)”. 文部科学省. 2008-04-18. "
     "http://www.mext.go.jp/b_menu/shingi/chukyo/chukyo0/toushin/08042205.htm, (参照 2008-08-13)."),
    # [JST2011] p. 15, ウェブサイト中の記事 (例2) 欧文: no date of the page
    ({"id": "iso", "type": "webpage", "author": [{"literal": "International Organization for Standardization"}],
      "title": "How ISO develops standards", "container-title": "International Organization for Standardization",
      "URL": "http://www.iso.org/iso/about/how_iso_develops_standards.htm",
      "accessed": {"date-parts": [[2008, 8, 25]]}},
     "International Organization for Standardization. “How ISO develops standards”. International Organization "
     "for Standardization. http://www.iso.org/iso/about/how_iso_develops_standards.htm, (accessed 2008-08-25)."),
    # [SIST02 4.x] 新聞記事: 著者名. 記事名. 新聞名. 出版年月日, 版, ページ.
    ({"id": "news", "type": "article-newspaper", "author": [{"family": "佐藤", "given": "花子"}],
      "title": "路線バスの減便続く", "container-title": "日本経済新聞", "issued": {"date-parts": [[2024, 3, 5]]},
      "edition": "朝刊", "page": "12"},
     "佐藤花子. 路線バスの減便続く. 日本経済新聞. 2024-03-05, 朝刊, p. 12."),
    # [SIST02 4.x] レポート: 著者名. 標題. 出版地, 出版者, 出版年, レポート番号, 総ページ数.
    ({"id": "report", "type": "report", "author": [{"literal": "国土交通政策研究所"}],
      "title": "地方部における公共交通の維持方策に関する調査研究", "publisher": "国土交通政策研究所",
      "publisher-place": "東京", "issued": {"date-parts": [[2021]]}, "number": "国土交通政策研究第160号",
      "number-of-pages": "98"},
     "国土交通政策研究所. 地方部における公共交通の維持方策に関する調査研究. 東京, 国土交通政策研究所, 2021, "
     "国土交通政策研究第160号, 98p."),
    # [SIST02 4.3.7, 4.3.8] 学位論文: 著者名. 論文名. 大学名, 学位授与年, 学位請求論文の種類.
    ({"id": "thesis", "type": "thesis", "author": [{"family": "山本", "given": "健"}],
      "title": "中山間地域における高齢者の移動と生活", "publisher": "東北大学", "issued": {"date-parts": [[2020]]},
      "genre": "博士論文"},
     "山本健. 中山間地域における高齢者の移動と生活. 東北大学, 2020, 博士論文."),
    # [SIST02 4.2.4] 会議資料中の論文 (和文)
    ({"id": "conf-ja", "type": "paper-conference", "author": [{"family": "山田", "given": "太郎"}],
      "title": "デマンド交通の運行実績", "container-title": "土木計画学研究・講演集", "event-place": "東京",
      "event-date": {"date-parts": [[2019, 11, 30]]}, "publisher": "土木学会", "issued": {"date-parts": [[2019]]},
      "page": "55-62"},
     "山田太郎. “デマンド交通の運行実績”. 土木計画学研究・講演集. 東京, 2019-11-30. 土木学会, 2019, p. 55-62."),
    # [SIST02 4.2.4] 会議資料中の論文 (欧文): 著者名. “論文名”. 会議録名. 開催地, 開催年月日. 出版者, 出版年, ページ.
    ({"id": "conf", "type": "paper-conference",
      "author": [{"family": "Smith", "given": "Anna"}, {"family": "Jones", "given": "Bo"}],
      "title": "Demand-responsive transport in rural areas", "container-title": "Proceedings of the 12th "
      "Conference on Rural Mobility", "event-place": "Leeds", "event-date": {"date-parts": [[2019, 9, 4]]},
      "publisher": "Rural Transport Society", "issued": {"date-parts": [[2019]]}, "page": "55-62"},
     "Smith, Anna; Jones, Bo. “Demand-responsive transport in rural areas”. Proceedings of the 12th Conference "
     "on Rural Mobility. Leeds, 2019-09-04. Rural Transport Society, 2019, p. 55-62."),
]


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    path = tmp_path_factory.mktemp("sist02") / "references.json"
    path.write_text(json.dumps([item for item, _ in EXAMPLES], ensure_ascii=False), encoding="utf-8")
    return load_bibliography([(path, "manuscript/references.json")])


@pytest.mark.parametrize("item, expected", EXAMPLES, ids=[item["id"] for item, _ in EXAMPLES])
def test_sist02_prints_the_standards_examples(examples, item, expected):
    assert plain(CitationFormatter(examples, "sist02").reference(item["id"])) == expected


ISSUE_BIBTEX = r"""
@article{kato2022,
  author = {加藤 誠},
  title = {郊外団地における高齢者の移動とバス路線},
  journal = {交通学研究},
  year = {2022}, volume = {65}, number = {2}, pages = {33--48},
}
@book{tanaka2019,
  author = {田中 一郎},
  title = {移動の貧困：高齢社会の交通と福祉},
  publisher = {東洋書房}, address = {東京}, year = {2019}, pagetotal = {256},
}
@online{mlit2023,
  author = {{国土交通省}},
  title = {地域公共交通計画等の作成と運用の手引き},
  organization = {国土交通省},
  year = {2023},
  url = {https://www.mlit.go.jp/sogoseisaku/transport/sosei_transport_tk_000058.html},
  urldate = {2025-01-15},
}
@article{lucas2012,
  author = {Lucas, Karen},
  title = {Transport and social exclusion: Where are we now?},
  journal = {Transport Policy}, year = {2012}, volume = {20}, pages = {105--113},
  doi = {10.1016/j.tranpol.2012.01.013},
}
@book{kanda2018,
  author = {神田 一 and 森 二郎},
  title = {地域交通の再設計},
  publisher = {交通新書}, year = {2018}, pagetotal = {210},
}
"""


@pytest.fixture
def issue_bib(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ISSUE_BIBTEX, encoding="utf-8")
    return load_bibliography([(path, "manuscript/references.bib")])


def test_the_issues_four_entries_print_as_sist02(issue_bib):
    f = CitationFormatter(issue_bib, "sist02")
    assert plain(f.reference("kato2022")) == (
        "加藤誠. 郊外団地における高齢者の移動とバス路線. 交通学研究. 2022, vol. 65, no. 2, p. 33-48.")
    assert plain(f.reference("tanaka2019")) == "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, 256p."
    # the site name is kept (from BibLaTeX's organization); the title of a web page in “ ”,
    # as the standard's examples print it ([JST2011] p. 15), where the issue's table had "…"
    assert plain(f.reference("mlit2023")) == (
        "国土交通省. “地域公共交通計画等の作成と運用の手引き”. 国土交通省. 2023. "
        "https://www.mlit.go.jp/sogoseisaku/transport/sosei_transport_tk_000058.html, (参照 2025-01-15).")
    # the DOI is kept, as a link
    lucas = f.reference("lucas2012")
    assert plain(lucas) == (
        "Lucas, Karen. Transport and social exclusion: Where are we now? Transport Policy. 2012, vol. 20, "
        "p. 105-113. https://doi.org/10.1016/j.tranpol.2012.01.013.")
    assert '<a class="url" href="https://doi.org/10.1016/j.tranpol.2012.01.013">' in lucas


def test_in_a_note_the_cited_page_replaces_the_total_page_count(issue_bib):
    f = CitationFormatter(issue_bib, "sist02")
    note = plain(f.note(parse_citation("@tanaka2019, p. 45"), number=1))
    assert note == "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, p. 45."
    assert "256p" not in note
    # the references list still gives the total
    assert plain(f.bibliography()[0][1]).endswith("2019, 256p.")
    # the cited page comes before a DOI, not after it
    assert plain(f.note(parse_citation("@lucas2012, p. 107"), number=2)) == (
        "Lucas, Karen. Transport and social exclusion: Where are we now? Transport Policy. 2012, vol. 20, "
        "p. 105-113, p. 107. https://doi.org/10.1016/j.tranpol.2012.01.013.")


def test_later_notes_name_the_note_with_the_full_form(issue_bib):
    f = CitationFormatter(issue_bib, "sist02")
    texts = [plain(f.note(parse_citation(c), number=n)) for n, c in enumerate(
        ["@kato2022", "@tanaka2019, p. 45", "@tanaka2019, pp. 46-47", "@kato2022, p. 40", "@lucas2012", "@lucas2012",
         "@kato2022", "@lucas2012, p. 108"], start=3)]
    assert texts[1:] == [
        "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, p. 45.",
        "同上, p. 46-47.",
        "加藤誠, 前掲注3, p. 40.",
        texts[4],
        "Ibid.",
        "加藤誠, 前掲注3.",
        "Lucas, op. cit., note 7, p. 108.",
    ]
    assert texts[4].startswith("Lucas, Karen. Transport and social exclusion")


def test_co_authors_are_joined_the_same_way_in_full_and_short_forms(issue_bib, examples):
    f = CitationFormatter(issue_bib, "sist02")
    full = plain(f.note(parse_citation("@kanda2018"), number=1))
    f.note(parse_citation("@tanaka2019"), number=2)
    short = plain(f.note(parse_citation("@kanda2018, p. 9"), number=3))
    assert full.startswith("神田一, 森二郎. ") and short == "神田一, 森二郎, 前掲注1, p. 9."
    g = CitationFormatter(examples, "sist02")
    full = plain(g.note(parse_citation("@frenkel"), number=1))
    g.note(parse_citation("@foster"), number=2)
    assert full.startswith("Frenkel, D.; Smit, B. ")
    assert plain(g.note(parse_citation("@frenkel, p. 5"), number=3)) == "Frenkel; Smit, op. cit., note 1, p. 5."


def test_a_chapter_of_its_own_starts_afresh(issue_bib):
    """An edition with a note list per chapter (the EPUB): no 同上 into the chapter before,
    and a work first cited in the new chapter is given in full there."""
    f = CitationFormatter(issue_bib, "sist02")
    book, chapters = NoteSequence(), NoteSequence()
    cites = [(1, "@kato2022"), (1, "@tanaka2019, p. 12"), (2, "@tanaka2019, p. 12"), (2, "@kato2022")]
    seen = []
    chapter = None
    for number, (in_chapter, cite) in enumerate(cites, start=1):
        if in_chapter != chapter:
            chapters.new_chapter()
            chapter = in_chapter
        seen.append((plain(f.note(parse_citation(cite), number=number, sequence=book)),
                     plain(f.note(parse_citation(cite), number=number, sequence=chapters))))
    assert seen[2] == ("同上, p. 12.", "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, p. 12.")
    assert seen[3][0] == "加藤誠, 前掲注1."
    assert seen[3][1].startswith("加藤誠. 郊外団地における")
    assert f.cited_keys == ["kato2022", "tanaka2019"]


def test_the_old_form_is_the_japanese_humanities_style(issue_bib):
    f = CitationFormatter(issue_bib, "japanese-humanities")
    assert plain(f.reference("kato2022")) == (
        "加藤誠「郊外団地における高齢者の移動とバス路線」『交通学研究』. 2022年, 65(2), p. 33–48.")
    assert plain(f.reference("tanaka2019")) == "田中一郎『移動の貧困：高齢社会の交通と福祉』. 東京, 東洋書房, 2019年, 256p."
    f.note(parse_citation("@tanaka2019"), number=1)
    f.note(parse_citation("@kato2022"), number=2)
    assert plain(f.note(parse_citation("@tanaka2019, p. 9"), number=3)) == "田中一郎『移動の貧困：高齢社会の交通と福祉』前掲注1, p. 9."


def test_the_bundled_styles_readme_documents_each_style():
    readme = (REPOSITORY / "src" / "reportpub" / "citing" / "styles" / "README").read_text(
        encoding="utf-8")
    for name in ("sist02", "japanese-humanities", "chicago-note"):
        assert f'csl = "{name}"' in readme
