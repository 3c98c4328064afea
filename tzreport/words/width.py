"""The printed width of a text (CJK characters count two)."""
from __future__ import annotations

import unicodedata


class _Widths(dict):
    """character -> 2 for a wide one (CJK, full-width), else 1; looked up once per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_WIDTHS = _Widths()


def display_width(text) -> int:
    """Width in Latin characters: CJK and full-width characters count two."""
    text = str(text)
    if text.isascii():          # no wide character there (the 批注 sheets measure every text)
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))
