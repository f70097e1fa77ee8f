"""Which characters are Japanese: one definition for every stage that asks.

``JAPANESE_LETTERS`` is a regular-expression character class body (without the brackets):
hiragana and katakana (with ー), CJK ideographs (extension A, the unified block and the
compatibility block), the iteration and closing marks 々 and 〆, and half-width katakana.
``JAPANESE_TEXT`` adds the CJK symbols and punctuation block (、。「」…) and the full-width
forms (ＡＢＣ１２３！). Emphasis dots, the name rules of the bibliography readers and
the citation syntax all decide "Japanese or not" with these.
"""

from __future__ import annotations

import re

JAPANESE_LETTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\uff66-\uff9f"
JAPANESE_TEXT = JAPANESE_LETTERS + "\u3000-\u303f\uff00-\uffef"
JAPANESE_LETTER = re.compile(f"[{JAPANESE_LETTERS}]")
