"""Loading bibliographies: CSL-JSON, CSL-YAML, BibTeX; errors name file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportpub.citing.bibliography import (
    Bibliography,
    load_bibliography,
)
from reportpub.citing.bibtex import split_names
from reportpub.diagnostics import ReportpubError


def load(tmp_path: Path, name: str, text: str | bytes) -> Bibliography:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_bibliography([(path, f"manuscript/{name}")])


def error_of(tmp_path: Path, name: str, text: str | bytes) -> str:
    with pytest.raises(ReportpubError) as info:
        load(tmp_path, name, text)
    assert len(info.value.diagnostics) == 1
    return str(info.value)


# ------------------------------------------------------------------ CSL-JSON

CSL_JSON = """[
  {
    "id": "tanaka2020",
    "type": "book",
    "author": [{"family": "田中", "given": "花子"}],
    "title": "日本の報告書",
    "issued": {"date-parts": [[2020, 4, 1]]},
    "reading": "たなか はなこ"
  },
  {"id": "smith", "type": "article-journal", "author": [{"family": "Smith", "given": "John"}],
   "title": "Notes", "volume": 12, "issued": {"raw": "2019-03"}, "custom": {"x": 1}},
  {"id": "who", "type": "report", "author": [{"literal": "World Health Organization"}],
   "title": "World Report", "issued": {"date-parts": [["2021"]]}, "accessed": "2024-02-01"}
]
"""


def test_csl_json_entries_in_file_order_with_lines(tmp_path):
    bib = load(tmp_path, "refs.json", CSL_JSON)
    assert bib.keys() == ["tanaka2020", "smith", "who"]
    assert [str(e.location) for e in bib] == [
        "manuscript/refs.json:2",
        "manuscript/refs.json:10",
        "manuscript/refs.json:12",
    ]
    assert "tanaka2020" in bib and "nobody" not in bib
    assert len(bib) == 3


def test_csl_json_normalised_values(tmp_path):
    bib = load(tmp_path, "refs.json", CSL_JSON)
    tanaka = bib["tanaka2020"]
    assert tanaka.reading == "たなか はなこ"
    assert "reading" not in tanaka.data  # kept out of the CSL data
    smith = bib["smith"].data
    assert smith["volume"] == "12"
    assert smith["issued"] == {"date-parts": [[2019, 3]]}
    assert "custom" not in smith  # structured extras are dropped
    who = bib["who"].data
    assert who["author"] == [{"literal": "World Health Organization"}]
    assert who["issued"] == {"date-parts": [[2021]]}
    assert who["accessed"] == {"date-parts": [[2024, 2, 1]]}


def test_csl_json_with_bom_and_default_type(tmp_path):
    bib = load(tmp_path, "refs.json", "\ufeff" + json.dumps([{"id": 42, "title": "x"}]))
    assert bib.keys() == ["42"]
    assert bib["42"].type == "document"


def test_malformed_json_names_line(tmp_path):
    text = '[\n  {"id": "a", "title": "x"},\n  {"id": "b" "title": "y"}\n]\n'
    assert error_of(tmp_path, "refs.json", text).startswith("manuscript/refs.json:3: invalid JSON")


def test_json_must_be_an_array(tmp_path):
    assert "array" in error_of(tmp_path, "refs.json", '{"id": "a"}')


def test_json_missing_id_names_line_of_entry(tmp_path):
    text = '[\n  {"id": "a", "title": "x"},\n  {\n    "title": "no id"\n  }\n]'
    assert error_of(tmp_path, "refs.json", text) == "manuscript/refs.json:3: bibliography entry has no 'id'"


def test_json_duplicate_id_names_second_entry(tmp_path):
    text = '[\n  {"id": "a", "title": "x"},\n  {"id": "a", "title": "again"}\n]'
    message = error_of(tmp_path, "refs.json", text)
    assert message.startswith("manuscript/refs.json:3: duplicate bibliography key 'a'")
    assert "refs.json:2" in message


@pytest.mark.parametrize(
    "item, expected",
    [
        ({"id": "a", "type": "bogus"}, "unknown CSL type 'bogus'"),
        ({"id": "a", "title": ["x"]}, "field 'title' must be text"),
        ({"id": "a", "author": [{"given": None}]}, "has no 'family', 'given' or 'literal'"),
        ({"id": "a", "author": 5}, "must be a list of names"),
        ({"id": "a", "issued": {"date-parts": [[2020, 13]]}}, "month 13"),
        ({"id": "a", "issued": {"date-parts": [["twenty"]]}}, "must hold numbers"),
        ({"id": "a", "issued": [2020]}, "not a date"),
    ],
)
def test_json_bad_values_name_entry_and_line(tmp_path, item, expected):
    text = "[\n" + json.dumps(item) + "\n]"
    message = error_of(tmp_path, "refs.json", text)
    assert message.startswith("manuscript/refs.json:2: entry 'a': ")
    assert expected in message


# ------------------------------------------------------------------ CSL-YAML

CSL_YAML = """references:
- id: tanaka2020
  type: book
  author:
    - family: 田中
      given: 花子
  title: 日本の報告書
  issued: 2020-04-01
  reading: たなか はなこ
- id: smith
  type: webpage
  author: Smith, John
  title: A Page
  URL: https://example.com/
  accessed:
    date-parts: [[2024, 2, 1]]
"""


def test_csl_yaml_mapping_with_references(tmp_path):
    bib = load(tmp_path, "refs.yaml", CSL_YAML)
    assert bib.keys() == ["tanaka2020", "smith"]
    assert [e.location.line for e in bib] == [2, 10]
    assert bib["tanaka2020"].data["issued"] == {"date-parts": [[2020, 4, 1]]}
    assert bib["tanaka2020"].reading == "たなか はなこ"
    assert bib["smith"].data["author"] == [{"family": "Smith", "given": "John"}]


def test_csl_yaml_plain_list(tmp_path):
    bib = load(tmp_path, "refs.yml", "- id: a\n  title: A\n- id: b\n  title: B\n  author: 山田 太郎\n")
    assert bib.keys() == ["a", "b"]
    assert bib["b"].location.line == 3
    assert bib["b"].data["author"] == [{"family": "山田", "given": "太郎"}]


def test_malformed_yaml_names_line(tmp_path):
    text = "- id: a\n  title: fine\n- id: b\n  title: \"unclosed\n  note: x\n"
    message = error_of(tmp_path, "refs.yaml", text)
    assert message.startswith("manuscript/refs.yaml:")
    assert "invalid YAML" in message
    line = int(message.split(":")[1])
    assert 4 <= line <= 6


def test_yaml_bad_indentation_names_line(tmp_path):
    text = "- id: a\n  title: fine\n - id: b\n"
    message = error_of(tmp_path, "refs.yaml", text)
    assert message.startswith("manuscript/refs.yaml:3: invalid YAML")


def test_yaml_missing_id_names_line(tmp_path):
    text = "references:\n- id: a\n  title: x\n- title: no id\n  type: book\n"
    assert error_of(tmp_path, "refs.yaml", text) == "manuscript/refs.yaml:4: bibliography entry has no 'id'"


def test_yaml_must_be_a_list(tmp_path):
    assert "must be a list" in error_of(tmp_path, "refs.yaml", "title: x\n")


def test_empty_yaml_is_an_empty_bibliography(tmp_path):
    assert len(load(tmp_path, "refs.yaml", "")) == 0


# -------------------------------------------------------------------- BibTeX

BIBTEX = r"""% Exported from a reference manager; contact: me@example.com
@string{iwanami = "岩波書店"}

@book{tanaka2020,
  author    = {田中 花子},
  title     = {日本の報告書},
  publisher = iwanami,
  address   = {東京},
  year      = 2020,
  yomi      = {たなか はなこ},
}

@article{smith2019,
  author  = {Smith, John and M{\"u}ller, J\"{o}rg and {World Health Organization} and Ludwig van Beethoven},
  title   = {On {DNA} Reports -- a Study},
  journal = {Journal of Style},
  volume  = {12}, number = {3}, pages = {45--67},
  year    = {2019}, month = mar,
  doi     = {https://doi.org/10.1000/xyz},
  note    = "Special issue",
}

@incollection{chap, author = {Doe, Jane}, title = {A Chapter}, booktitle = {The Book},
  editor = {Roe, Richard}, publisher = {Pub}, address = {London}, year = {2001}, pages = {1--10}}
@techreport{rep, author = {{国立国会図書館}}, title = {報告}, institution = {国立国会図書館},
  year = {2010}, number = {5}}
@report{rep2, title = {Another report}, institution = {Agency}, date = {2011-05}}
@online{web, title = {Web page}, url = {https://example.com/a_b?x=1&y=2}, urldate = {2024-02-01},
  organization = {Example Org}, date = {2023-12-01}}
@misc{miscurl, title = {Misc with url}, howpublished = {\url{https://example.org}}}
@misc{misc, title = {Just misc}}
@article{news, title = {記事}, journaltitle = {朝日新聞}, entrysubtype = {newspaper},
  date = {2024-01-05}, url = {https://www.asahi.com/x}, urldate = {2024-01-06}, langid = {japanese}}
@comment{ignored @stuff}
"""


def test_bibtex_entries_types_and_lines(tmp_path):
    bib = load(tmp_path, "refs.bib", BIBTEX)
    assert bib.keys() == ["tanaka2020", "smith2019", "chap", "rep", "rep2", "web", "miscurl", "misc", "news"]
    types = {e.key: e.type for e in bib}
    assert types == {
        "tanaka2020": "book",
        "smith2019": "article-journal",
        "chap": "chapter",
        "rep": "report",
        "rep2": "report",
        "web": "webpage",
        "miscurl": "webpage",
        "misc": "document",
        "news": "article-newspaper",
    }
    assert bib["tanaka2020"].location.line == 4
    assert bib["smith2019"].location.line == 13
    assert bib["chap"].location.line == 23


def test_bibtex_fields_map_to_csl(tmp_path):
    bib = load(tmp_path, "refs.bib", BIBTEX)
    tanaka = bib["tanaka2020"]
    assert tanaka.data["author"] == [{"family": "田中", "given": "花子"}]
    assert tanaka.data["publisher"] == "岩波書店"
    assert tanaka.data["publisher-place"] == "東京"
    assert tanaka.data["issued"] == {"date-parts": [[2020]]}
    assert tanaka.reading == "たなか はなこ"
    smith = bib["smith2019"].data
    assert smith["author"] == [
        {"family": "Smith", "given": "John"},
        {"family": "Müller", "given": "Jörg"},
        {"literal": "World Health Organization"},
        {"non-dropping-particle": "van", "family": "Beethoven", "given": "Ludwig"},
    ]
    assert smith["title"] == "On DNA Reports – a Study"
    assert smith["container-title"] == "Journal of Style"
    assert (smith["volume"], smith["issue"], smith["page"]) == ("12", "3", "45-67")
    assert smith["issued"] == {"date-parts": [[2019, 3]]}
    assert smith["DOI"] == "10.1000/xyz"
    assert smith["note"] == "Special issue"
    chap = bib["chap"].data
    assert chap["container-title"] == "The Book"
    assert chap["editor"] == [{"family": "Roe", "given": "Richard"}]
    assert chap["publisher-place"] == "London"
    rep = bib["rep"].data
    assert rep["author"] == [{"literal": "国立国会図書館"}]
    assert rep["publisher"] == "国立国会図書館"
    assert rep["number"] == "5"
    assert bib["rep2"].data["issued"] == {"date-parts": [[2011, 5]]}
    web = bib["web"].data
    assert web["URL"] == "https://example.com/a_b?x=1&y=2"
    assert web["accessed"] == {"date-parts": [[2024, 2, 1]]}
    assert web["issued"] == {"date-parts": [[2023, 12, 1]]}
    assert web["publisher"] == "Example Org"
    assert bib["miscurl"].data["URL"] == "https://example.org"
    news = bib["news"].data
    assert news["container-title"] == "朝日新聞"
    assert news["language"] == "ja"


@pytest.mark.parametrize(
    "names, expected",
    [
        ("Smith, John", [{"family": "Smith", "given": "John"}]),
        ("John Smith", [{"family": "Smith", "given": "John"}]),
        ("{Organisation for Economic Co-operation and Development}",
         [{"literal": "Organisation for Economic Co-operation and Development"}]),
        ("田中 花子 and 山田太郎", [{"family": "田中", "given": "花子"}, {"literal": "山田太郎"}]),
        ("田中, 花子", [{"family": "田中", "given": "花子"}]),
        ("van der Berg, Anna and others", [{"non-dropping-particle": "van der", "family": "Berg", "given": "Anna"}]),
        ("King, Jr, Martin Luther", [{"family": "King", "given": "Martin Luther", "suffix": "Jr"}]),
        ("{Unbalanced and Doe, Jane", [{"family": "Unbalanced and Doe, Jane"}]),  # no traceback: a name as BibTeX reads it
    ],
)
def test_bibtex_names(names, expected):
    assert split_names(names) == expected


def test_latex_is_decoded(tmp_path):
    text = "@book{x, title = {Caf\\'e \\& {B}ar --- {\\\"U}ber \\c{c}a va \\emph{Italic} and \\textbf{bold}}}\n"
    assert load(tmp_path, "refs.bib", text)["x"].data["title"] == "Café & Bar — Über ça va Italic and bold"


def test_malformed_bibtex_names_line_of_broken_entry(tmp_path):
    text = "@book{good, title = {Fine}, year = 2020}\n\n@book{bad,\n  title = {Broken}\n  year = 2021\n}\n"
    message = error_of(tmp_path, "refs.bib", text)
    # the comma is missing at the end of line 4: that is where the entry breaks
    assert message.startswith("manuscript/refs.bib:4: invalid BibTeX entry 'bad': field 'title'")
    assert "expected ','" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\n\n@book{x, title={a}\n@book{y, title={b}}\n", "entry 'x' is not closed: a '}' is missing"),
        ("\n\n@book{, title={a}}\n", "no citation key"),
        ("\n\n@book{x, title=undefinedmacro}\n", "undefined @string macro"),
        ("\n\n@book{x, title={unclosed}\n", "not closed"),
        ("\n\n@book{x, title = \"open quote}\n", "value"),
        ("\n\n@book x, title={a}}\n", "expected '{'"),
    ],
)
def test_bibtex_syntax_errors(tmp_path, text, expected):
    message = error_of(tmp_path, "refs.bib", text)
    assert message.startswith("manuscript/refs.bib:3: invalid BibTeX entry")
    assert expected in message


def test_bibtex_duplicate_key_names_line(tmp_path):
    text = "@book{a, title={x}}\n@book{b, title={y}}\n@misc{a, title={z}}\n"
    assert error_of(tmp_path, "refs.bib", text).startswith("manuscript/refs.bib:3: duplicate bibliography key 'a'")


# ------------------------------------------------------------ files & keys


def test_several_files_merge_and_duplicates_across_files(tmp_path):
    (tmp_path / "a.json").write_text('[{"id": "x", "title": "A"}]', encoding="utf-8")
    (tmp_path / "b.bib").write_text("@book{y, title={B}}\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("- id: x\n  title: again\n", encoding="utf-8")
    files = [(tmp_path / "a.json", "manuscript/a.json"), (tmp_path / "b.bib", "manuscript/b.bib")]
    bib = load_bibliography(files)
    assert bib.keys() == ["x", "y"]
    assert bib.files == ["manuscript/a.json", "manuscript/b.bib"]
    with pytest.raises(ReportpubError) as info:
        load_bibliography(files + [(tmp_path / "c.yaml", "manuscript/c.yaml")])
    assert str(info.value) == (
        "manuscript/c.yaml:1: duplicate bibliography key 'x' (first defined at manuscript/a.json:1)"
    )


def test_missing_file_unknown_suffix_and_bad_encoding(tmp_path):
    with pytest.raises(ReportpubError, match="manuscript/none.json: bibliography file not found"):
        load_bibliography([(tmp_path / "none.json", "manuscript/none.json")])
    assert "unknown bibliography format" in error_of(tmp_path, "refs.txt", "x")
    assert error_of(tmp_path, "refs.json", b'[\n{"id": "a",\n "title": "\xff"}]') == (
        "manuscript/refs.json:3: not UTF-8 text (byte 0xff)"
    )


def test_unknown_key_error_and_uncited_warnings(tmp_path):
    bib = load(tmp_path, "refs.json", CSL_JSON)
    bib.check_keys(["smith", "who"], "manuscript/01.md", 3)
    with pytest.raises(ReportpubError) as info:
        bib.check_keys(["smith", "tanaka202", "zzz"], "manuscript/01.md", 7)
    assert [str(d) for d in info.value.diagnostics] == [
        "manuscript/01.md:7: unknown citation key 'tanaka202' (did you mean 'tanaka2020'?)",
        "manuscript/01.md:7: unknown citation key 'zzz'",
    ]
    warnings = bib.uncited_warnings(["smith"])
    assert [str(w) for w in warnings] == [
        "manuscript/refs.json:2: warning: bibliography entry 'tanaka2020' is never cited",
        "manuscript/refs.json:12: warning: bibliography entry 'who' is never cited",
    ]


def test_bibtex_errors_name_the_line_where_the_entry_breaks(tmp_path):
    # a value whose closing brace is missing: the line of that field, not of the entry's "@"
    text = "@book{good, title = {Fine}}\n\n@article{bad,\n  title = {Fine},\n  journal = {Unclosed,\n  year = 2020,\n}\n\n@book{next, title = {Next}}\n"
    message = error_of(tmp_path, "refs.bib", text)
    assert message.startswith("manuscript/refs.bib:5: invalid BibTeX entry: entry 'bad': the value of field 'journal' is not closed")
    # an undefined @string: the line of the field that names it, inside its entry
    text = "@string{tp = {Transport Policy}}\n@article{a,\n  title = {x},\n  journal = tp # { } # jtp,\n}\n"
    assert error_of(tmp_path, "refs.bib", text) == (
        "manuscript/refs.bib:4: invalid BibTeX entry 'a': field 'journal': undefined @string macro 'jtp'")
    # macros and # concatenation resolve
    text = "@string{tp = {Transport}}\n@article{a, title = {x}, journal = tp # { Policy}, month = jan, year = 2012}\n"
    data = load(tmp_path, "refs.bib", text)["a"].data
    assert data["container-title"] == "Transport Policy" and data["issued"] == {"date-parts": [[2012, 1]]}


def test_bibtex_through_bibtexparser_keeps_the_entry_lines(tmp_path):
    import bibtexparser

    text = "% comment\n\n@book{a, title = {A}}\n\n\n@book{b,\n  title = {B}}\n"
    library = bibtexparser.parse_string(text)
    assert [block.start_line + 1 for block in library.entries] == [3, 6]
    assert [e.location.line for e in load(tmp_path, "refs.bib", text)] == [3, 6]


# ------------------------------------------------------- slips that would lose data


@pytest.mark.parametrize("issued", ['"-5"', '{"date-parts": [[-4]]}', '{"date-parts": [[0]]}', "-5", '"2020/-5"'])
def test_a_year_csl_would_print_as_bc_is_an_error(tmp_path, issued):
    """CSL reads 0 and negative years as BC: "-5" would print "5 BC" in every note that cites it."""
    text = '[\n  {"id": "k", "type": "book", "title": "T",\n   "issued": ' + issued + '}\n]\n'
    message = error_of(tmp_path, "refs.json", text)
    assert message.startswith("manuscript/refs.json:2: entry 'k': year ")
    assert "is not a year from 1 to 9999; write a date before the common era as a literal" in message


def test_bibtex_brace_too_many_does_not_drop_the_rest_of_the_entry(tmp_path):
    text = "@book{good, title = {Fine}, year = 2020}\n\n@book{k,\n  title = {Title}},\n  author = {Smith, J},\n  year = 2020\n}\n"
    assert error_of(tmp_path, "refs.bib", text) == (
        "manuscript/refs.bib:5: invalid BibTeX entry: field 'author' comes after the entry was closed "
        "(a '}' too many before it?)")


def test_bibtex_comment_between_entries_is_still_a_comment(tmp_path):
    text = "@book{a, title={x}}\n\nA note: key = value, in plain text.\n\n@book{b, title={y}}\n"
    assert sorted(load(tmp_path, "refs.bib", text).keys()) == ["a", "b"]


@pytest.mark.parametrize("bib, expected", [
    # a value whose '}' is missing: at the field, not at the entry's "@"
    ("@article{a,\n  title = {x},\n  journal = {J,\n  year = {2020},\n}\n\n@book{b, title={y}}\n",
     "manuscript/references.bib:3: invalid BibTeX entry: entry 'a': the value of field 'journal' is not closed "
     "(a '}' or '\"' is missing)"),
    # an undefined @string: at the field that names it, inside its entry
    ("@string{tp = {Transport Policy}}\n\n@article{a,\n  title = {x},\n  journal = jtp,\n  year = 2012,\n}\n",
     "manuscript/references.bib:5: invalid BibTeX entry 'a': field 'journal': undefined @string macro 'jtp'"),
    # a broken entry (a comma missing between two fields): at the field before the gap
    ("@book{b, title={y}}\n\n@article{a,\n  title = {x}\n  year = 2012,\n}\n",
     "manuscript/references.bib:4: invalid BibTeX entry 'a': field 'title': expected ',' or '}' after the value, "
     "found 'y'"),
    # the entry's own '}' missing before the next entry, and before the end of the file: where it belongs
    ("@article{a,\n  title = {x},\n  year = 2012\n\n@book{b, title={y}}\n",
     "manuscript/references.bib:3: invalid BibTeX entry: entry 'a' is not closed: a '}' is missing after this "
     "line, before the next entry"),
    ("@book{b, title={y}}\n@article{a,\n  title = {x},\n  year = 2012\n\n",
     "manuscript/references.bib:4: invalid BibTeX entry: entry 'a' is not closed: a '}' is missing after this "
     "line, before the end of the file"),
], ids=["unclosed-value", "undefined-string", "missing-comma", "unclosed-entry", "unclosed-at-end"])
def test_a_bibtex_fault_is_one_line_on_the_command_line(make_project, bib, expected):
    """`check` and `build` say the same line (the build fails before it writes anything)."""
    from tests.conftest import run_cli

    root = make_project({"01.md": "# 章\n\n本文[@a]。\n"}, book='title = "t"\nbibliography = "references.bib"\n',
                        files={"manuscript/references.bib": bib})
    for command in (["check"], ["build", "--jobs", "1"]):
        result = run_cli(*command, str(root))
        assert result.returncode == 1, command
        assert result.stderr.strip().splitlines() == [expected], command
        assert "Traceback" not in result.stdout + result.stderr
    assert not any((root / "build").glob("*.pdf"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('@book{}(),="#\\ \n%abc田中-and')), max_size=80))
def test_any_bibtex_text_is_entries_or_a_path_line_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("bib") / "refs.bib"
    path.write_text(text, encoding="utf-8")
    try:
        load_bibliography([(path, "manuscript/refs.bib")])
    except ReportpubError as error:
        for diagnostic in error.diagnostics:
            # the line is one of the file's: an entry whose '}' is missing is reported at its last line
            line = re.match(r"manuscript/refs\.bib:(\d+): ", str(diagnostic))
            assert line and 1 <= int(line.group(1)) <= text.count("\n") + 1, str(diagnostic)


def test_a_csl_json_bibliography_is_read_without_the_bibtex_and_yaml_parsers(make_project):
    """Reading a book whose bibliography is CSL-JSON imports neither bibtexparser nor PyYAML
    (a tenth of a second of every build before)."""
    import subprocess
    import sys

    from tests.conftest import book_toml

    refs = '[{"id": "a", "type": "book", "title": "本", "author": [{"literal": "山田 花子"}], "issued": {"date-parts": [[2020]]}}]'
    root = make_project({"01.md": "# 一\n\n文[@a]。\n"}, book=book_toml(bibliography="refs.json"),
                        files={"manuscript/refs.json": refs})
    code = ("import sys; from pathlib import Path; from reportpub.build import read_book; "
            "from reportpub.project import Project; book = read_book(Project.open(Path(sys.argv[1]))); "
            "print(len(book.references), *(m for m in ('bibtexparser', 'yaml') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1"]
