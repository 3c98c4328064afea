"""Numbers as a clerk reads them: scores, figures with their decimals, differences (SPEC 4.1)."""
from __future__ import annotations

import functools
import math

from tzreport.rules.rounding import clear_of_half, round2


def score_text(x) -> str:
    """A published score: half-up to 2 decimals (SPEC 3.3)."""
    return f"{round2(x):.2f}"


def score_change(now, before) -> float:
    """A change of a score as a reader works it out: the published ``now`` less the published
    ``before`` (101.42 − 98.95 = 2.47, though the full figures differ by 2.4649…). Every output
    that prints a change of 综合得分 prints this one."""
    return round(round2(now) - round2(before), 2)


def distinct_digits(a: float, b: float, digits: int, most: int = 6) -> int:
    """The decimals (at least ``digits``) at which ``a`` and ``b`` print apart when they differ:
    an actual 0.462 beside a target 0.46 is not "0.46" and "0.46" under a yellow light."""
    if abs(a - b) < 1e-9:
        return digits
    for d in range(digits, most + 1):
        if number_text(a, d) != number_text(b, d):
            return d
    return most


def figures_apart(a: float, b: float, digits: int = 2) -> tuple:
    """(a as printed, b as printed, a − b as printed figures subtract): a reader takes the
    difference of the two figures on the page, so that is the difference shown, and it is zero
    only when ``a`` and ``b`` are equal (the light is decided on the exact figures)."""
    from decimal import Decimal
    d = distinct_digits(a, b, digits)
    a_text, b_text = number_text(a, d), number_text(b, d)
    return a_text, b_text, Decimal(a_text) - Decimal(b_text)


def difference_text(gap) -> str:
    """The size of a ``figures_apart`` difference as a sentence prints it: 0.20 → "0.2"."""
    text = format(abs(gap), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.lru_cache(maxsize=4096, typed=True)
def number_text(x, digits: int = 2, keep_zeros: bool = False) -> str:
    """A figure for a sentence: half-up, no trailing zeros (unless ``keep_zeros``: 75.0).
    Remembered (a pure function of its arguments, ``typed`` so 1 and 1.0 are apart): a 通知 prints
    some 700 figures, half of them — 分值, targets, the months left — the same in every unit's."""
    from decimal import ROUND_HALF_UP, Decimal
    if x is None:
        return ""
    if not math.isfinite(float(x)):
        return "—"
    # round(…, 9) first: 0.6125 − 0.75 is −0.13749999999999996, which a clerk calls −13.75 points.
    y = round(float(x), 9)
    scaled = y * _SCALES[digits] if digits < len(_SCALES) else math.inf
    if clear_of_half(scaled):       # %-formatting gives the half-up figure: no Decimal needed
        text = "%.*f" % (digits, y)
        zero = scaled > -0.5 and scaled < 0.5
    else:
        q = Decimal(repr(y)).quantize(_places(digits), ROUND_HALF_UP, _wide_context())
        text, zero = format(q, "f"), q == 0
    if "." in text and not keep_zeros:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("-") if zero else text


_SCALES = [10.0 ** d for d in range(10)]


@functools.lru_cache(maxsize=None)
def _places(digits: int):
    from decimal import Decimal
    return Decimal(1).scaleb(-digits)


@functools.lru_cache(maxsize=None)
def _wide_context():
    """The default decimal context with room for 1e300 typed in a cell (301 digits before the
    point), made once: a localcontext per figure was a third of number_text's time."""
    from decimal import Context
    return Context(prec=400)


def veto_text(veto: str) -> str:
    return {"是": "一票否决", "否优": "一票否优"}.get(veto, "否")


def history_text(history: dict) -> str:
    return "；".join(f"{year}年 {grade or '—'}" for year, grade in sorted(history.items()))
