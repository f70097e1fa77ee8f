"""Chapter and appendix labels from a pattern written the way the label looks: "第1章", "1",
"第一章", "一", "付録A". The pattern's number ("1", "一" or "A"; the last one written) stands
for the chapter's number, in the same form: 1 2 … 10, 一 二 … 十 十一, A B … Z AA."""

from __future__ import annotations

# In order of preference when a pattern holds more than one kind ("Appendix A": the A).
NUMBER_FORMS = ("1", "一", "A")
KANJI_DIGITS = "〇一二三四五六七八九"


def number_form(pattern: str) -> tuple[str, int] | None:
    """(form, offset of the number in the pattern), or None when the pattern holds no number."""
    for form in NUMBER_FORMS:
        at = pattern.rfind(form)
        if at >= 0:
            return form, at
    return None


def kanji_number(n: int) -> str:
    """12 → 十二, 20 → 二十, 105 → 百五 (as chapter numbers are written)."""
    if n <= 0:
        return KANJI_DIGITS[0]
    parts = []
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, value)
        if digit:
            parts.append(("" if digit == 1 else KANJI_DIGITS[digit]) + name)
    if n:
        parts.append(KANJI_DIGITS[n])
    return "".join(parts)


def latin_letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def label(pattern: str, n: int) -> str:
    """The label of the n-th (1-based) chapter; "" when the pattern is empty (numbering off)."""
    found = number_form(pattern)
    if not pattern or found is None:
        return ""
    form, at = found
    number = {"1": str, "一": kanji_number, "A": latin_letters}[form](n)
    return pattern[:at] + number + pattern[at + len(form):]
