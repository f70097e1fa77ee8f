"""Double quotes in Japanese text: smarty closes every quote that follows a character; the
reader pairs them again by their order in the block."""

import pytest

from reportpub.manuscript import make_markdown
from reportpub.manuscript.quotes import pair_double_quotes
from reportpub.xhtml import parse_fragment, serialize


def read(text: str) -> str:
    body = parse_fragment(make_markdown().convert(text))
    pair_double_quotes(body)
    return serialize(body)


@pytest.mark.parametrize(("text", "expected"), [
    ('彼は"東京"という言葉を使い、"Tokyo"とも書いた。', "<p>彼は“東京”という言葉を使い、“Tokyo”とも書いた。</p>"),
    ('彼は"*東京*"と言った。', '<p>彼は“<em class="em-sesame">東京</em>”と言った。</p>'),
    ('He said "hi" and "bye".', "<p>He said “hi” and “bye”.</p>"),
])
def test_quotes_alternate_in_each_block(text, expected):
    assert read(text) == expected


def test_an_odd_quote_is_left_as_smarty_set_it():
    assert read('a 12" screen') == "<p>a 12” screen</p>"


def test_code_keeps_its_quotes_and_does_not_count():
    assert read('`"x"`は"東京"と') == '<p><code>"x"</code>は“東京”と</p>'


def test_each_list_item_is_a_block_of_its_own():
    html = read('- "一"と"二"\n- 三"四"')
    assert "<li>“一”と“二”</li>" in html and "<li>三“四”</li>" in html


@pytest.mark.parametrize(("text", "expected"), [
    ("12” と 15” の画面。", "<p>12” と 15” の画面。</p>"),  # re-pairing made it 12“ と 15”
    ("“引用”と\"また\"。", "<p>“引用”と“また”。</p>"),
    ("彼は\"東京”と言った。", "<p>彼は“東京”と言った。</p>"),  # the author's own ” counts as the closing one
    ('`"a"` と <span title="x">"b"</span>', '<p><code>"a"</code> と <span title="x">“b”</span></p>'),
])
def test_the_authors_own_curly_quotes_stay_as_typed(text, expected):
    """Re-pairing changed quotes the author typed curly, not only those smarty made."""
    html = read(text)
    assert html == expected and "\ufdd0" not in html and "\ufdd1" not in html
