"""Turning cell contents into values, or into a Chinese reason why not.

Every parser returns ``(value, error)``: ``error`` is ``None`` on success and a short Chinese phrase
otherwise (the caller adds file, sheet and cell). A blank cell gives ``(None, None)``.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

from tzreport.model import QUALITATIVE_RATIO

# Placeholders clerks type for "nothing here".
_BLANKS = {"", "-", "—", "－", "/", "／", "——", "--", "无", "暂无", "空"}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_MINUS = str.maketrans({"−": "-", "–": "-", "﹣": "-"})


def normalise_text(value) -> str:
    """Full-width to half-width, unified minus signs, no surrounding or inner line breaks."""
    text = str(value)
    if not text.isascii():  # NFKC is the identity on ASCII
        text = unicodedata.normalize("NFKC", text).translate(_MINUS)
    return text.replace("\r", "").replace("\n", "").replace("\t", " ").strip()


# Pure functions of one cell, called for every row of every file with the same few hundred codes
# and headers: cached (typed, so that 1, 1.0 and True stay apart).
@functools.lru_cache(maxsize=1 << 14, typed=True)
def header_key(value) -> str:
    """A header cell as a comparable key: no spaces, no full-width forms, no trailing colon/unit."""
    text = normalise_text(value).replace(" ", "")
    text = re.sub(r"[(（][^)）]*[)）]$", "", text)  # 本期累计完成(万元) -> 本期累计完成
    return text.rstrip(":：*")


def is_blank(value) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or (len(text) <= 2 and normalise_text(text).replace(" ", "") in _BLANKS)
    return False


def parse_number(value, measure: str = "", percent_ok: bool = False):
    """A number from a cell.

    Accepts numbers, "1,200", full-width digits, "1200万元" when 万元 is the indicator's own unit,
    and "85%" where the indicator is measured in percent. Rejects anything ambiguous ("约1200",
    "1200亿元" for a 万元 indicator, "1.200,5").
    """
    if type(value) is float and math.isfinite(value):    # most cells: a number, as Excel stored it
        return value, None
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, f'"{value}" 不是数字'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f'"{value}" 不是有效数字'
        return float(value), None
    if isinstance(value, (dt.date, dt.datetime)):
        return None, f'"{value}" 是日期，不是数字'
    raw = str(value)
    text = normalise_text(raw).replace(" ", "")
    measure_n = normalise_text(measure).replace(" ", "")
    if measure_n and measure_n != "%" and text.endswith(measure_n) and len(text) > len(measure_n):
        text = text[: -len(measure_n)]
    if text.endswith("%"):
        if not percent_ok:
            return None, f'"{raw}" 是百分数，但本指标计量单位为{measure or "数值"}'
        text = text[:-1]
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if _NUMBER.fullmatch(text):
        return float(text), None
    return None, f'"{raw}" 不是数字'


def parse_date(value):
    if is_blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial date (calamine gives floats for dates whose format it does not know).
        if 20000 < value < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value)), None
        return None, f'"{value}" 不是日期'
    text = normalise_text(value).replace(" ", "")
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None
        except ValueError:
            pass
    return None, f'"{value}" 不是日期（应为 2026-09-30 或 2026年9月30日）'


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "×", "x"}


def parse_yes_no(value, default: bool = False):
    if is_blank(value):
        return default, None
    text = normalise_text(value).lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = "1" if value else "0"
    if text in _YES:
        return True, None
    if text in _NO:
        return False, None
    return default, f'"{value}" 应为 是 或 否'


def parse_choice(value, choices, default=None):
    """One of a fixed set of words (e.g. 正向/逆向); blank gives the default."""
    if is_blank(value):
        return default, None
    text = normalise_text(value).replace(" ", "")
    if text in choices:
        return text, None
    return default, f'"{value}" 应为 {"、".join(choices)} 之一'


def parse_qualitative(value, levels: dict = None):
    """A 定性 word among the scheme's 定性等级 (SPEC 3.9; default 完成/基本完成/未完成)."""
    return parse_choice(value, tuple(levels or QUALITATIVE_RATIO))


def parse_ratio(value):
    """A share: "20%", 0.2 or 20 all mean one fifth."""
    number, error = parse_number(value, percent_ok=True)
    if number is None:
        return None, error
    text = normalise_text(value) if isinstance(value, str) else ""
    if text.endswith("%") or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        return None, f'"{value}" 不是有效比例'
    return number, None


def parse_int(value):
    number, error = parse_number(value)
    if number is None:
        return None, error
    if number != int(number) or number < 0:
        return None, f'"{value}" 应为非负整数'
    return int(number), None


def text_of(value) -> str:
    """A cell as display text, as typed (numbers without a spurious .0, no line breaks)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).replace("\r", "").replace("\n", "").strip()


@functools.lru_cache(maxsize=1 << 14, typed=True)
def code_of(value) -> str:
    """A code or key cell (指标编码, 单位编码, 参数 项目): full-width forms folded, no spaces."""
    return normalise_text(text_of(value)).replace(" ", "")


def split_aliases(value) -> tuple:
    text = normalise_text(value) if value is not None else ""
    return tuple(a.strip() for a in re.split(r"[、;；,，]", text) if a.strip())
