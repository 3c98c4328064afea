"""What the documents may say about a unit (SPEC 4.1), decided once for every 通报 and 通知.

Every sentence of ``progress_doc``, ``results_doc`` and ``notice_doc`` takes its facts from here,
so each rule of 4.1 lives in one place:

- a unit's performance (lights, 赶上进度, 突破, 末位) comes only from values it reported
  (``reported``); 未报送 and 未填报 are counted apart (``Category.unreported``);
- a control line with 序时 is shown as 序时控制数 L' and 年度控制线 L (``control_fact``);
- 末位 is the last rank among the units that reported, 并列 when tied (``Category.last_ranks``);
- the year end (p = 1) changes the words about schedules (``Period``);
- amounts read as a 通报 prints them (``amount``), shares with one decimal (``prose.share``).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field

from tzreport.model import (COMPLETION, CONTROL, FORWARD, GREEN, RED, REVERSE, ST_BLANK, ST_NOT_SUBMITTED,
                            ST_OK, TOTAL, VETO_LOWEST, VETO_NONE, YELLOW)
from tzreport.rules.indicator import counted_light
from tzreport.words.numbers import number_text

CN_NUMERALS = "〇一二三四五六七八九"
VETO_WORDS = {VETO_LOWEST: "一票否决", "否优": "一票否优"}

# Category names as a database keeps them -> as a 通报 prints them (real 通报: "县（市、区）",
# "镇（街道）"); any other name is printed as the clerk wrote it.
CATEGORY_WORDS = {"镇街": "镇（街道）", "乡镇": "乡镇（街道）", "县区": "县（区）", "县市区": "县（市、区）",
                  "部门": "县直部门"}


def category_words(name: str) -> str:
    return CATEGORY_WORDS.get(name, name)


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (for （一）-style headings)."""
    if n < 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")


def period_text(day: dt.date) -> str:
    """"1—9月" at a month end, "1月1日至9月20日" otherwise."""
    month_end = (day + dt.timedelta(days=1)).day == 1
    if month_end:
        return f"1—{day.month}月" if day.month > 1 else "1月"
    return f"1月1日至{day.month}月{day.day}日"


def notice_title(unit: str, as_of: dt.date, year: int, final: bool) -> str:
    """The title of a unit's 通知 (also the default subject of its mail); ``final``: the year end
    (rules.schedule.is_year_end)."""
    if final:
        return f"关于{unit}{year}年度目标责任考核结果的通知"
    return f"关于{unit}{year}年{period_text(as_of)}目标任务完成情况的通知"


# -- what a unit reported ---------------------------------------------------------------------------

def reported(r) -> bool:
    """The unit reported a value for an indicator that applies to it: the only ground for a
    statement about its performance (SPEC 4.1)."""
    return r.applies and r.status == ST_OK


def unreported(r) -> str:
    """"未填报" / "未报送" for an applicable indicator without a value, else ""."""
    if r.applies and r.status in (ST_BLANK, ST_NOT_SUBMITTED):
        return r.status
    return ""


def grade_notes(ur) -> list:
    """What is said beside a unit's 等次: 未报送 (said once, from whether it submitted), then the
    reason its grade is not its score's alone (名额, 一票否优)."""
    return (["未报送"] if not ur.submitted else []) + ([ur.grade_note] if ur.grade_note else [])


def lit(r) -> bool:
    """A light that says something about performance: reported and lit."""
    return reported(r) and r.light in (GREEN, YELLOW, RED)


def unit_lights(ur) -> tuple:
    """(green, yellow, red, blank): counts over the unit's indicators; a blank value lights red
    (SPEC 3.2) and is counted in ``red`` and again in ``blank`` so a sentence can say "其中未填报".
    A unit that sent nothing (未报送) has no lights to count: it is said as such instead."""
    counts = {GREEN: 0, YELLOW: 0, RED: 0, "": 0}
    blank = 0
    for r in ur.indicators:          # one pass: the 进展通报 asks this of every unit, several times
        light = counted_light(r)
        if light in counts:
            counts[light] += 1
            blank += light == RED and r.status == ST_BLANK
    return counts[GREEN], counts[YELLOW], counts[RED], blank


# -- amounts ----------------------------------------------------------------------------------------

def amount(x, measure: str) -> str:
    """A figure with its unit as a 通报 prints it: 769800万元 → "76.98亿元", 9167.98万元 → "9168万元",
    534.77万元 → "535万元" (whole 万元 from 100 up, so figures side by side keep one rounding);
    12件; 0.46吨/万元."""
    if not isinstance(x, (int, float)):
        return str(x or "—")
    if measure == "万元" and abs(x) >= 10000:
        return f"{number_text(x / 10000, 2)}亿元"
    if measure == "元" and abs(x) >= 1e8:
        return f"{number_text(x / 1e8, 2)}亿元"
    return f"{number_text(x, _digits(x, measure))}{measure}"


def _digits(x: float, measure: str) -> int:
    """Decimals of an amount in its own measure: whole 万元 from 100万元 up ("9168万元", not
    "9167.98万元"; "535万元", not "534.77万元"), else two."""
    return 0 if measure == "万元" and abs(x) >= 100 else 2


COUNT_MEASURES = ("件", "个", "项", "次", "批次", "人", "户", "家", "宗", "起", "处", "所")


def monthly_pace(per_month, measure: str):
    """月均需完成 as every output prints it (通知, 进展通报, 批注, 汇总 倒排计划): whole things a
    month for a count (24.13件 → 25: "需月均完成25件"), else rounded as ``amount`` rounds it in its
    own measure (8490万元; 954, not 953.93). None without a pace."""
    if per_month is None:
        return None
    if measure in COUNT_MEASURES:
        return float(math.ceil(per_month - 1e-9))
    return float(number_text(per_month, _digits(per_month, measure)))


def pace(per_month, measure: str, months: float) -> str:
    """倒排 pace where a pace means something: "后3个月需月均完成8490万元" (``per_month`` is
    planning's, what remains ÷ the calendar months left); a count (件, 批次 …) needs a whole thing
    a month or it is just "还需完成N件"."""
    if per_month is None or months <= 0:
        return ""
    if measure in COUNT_MEASURES and per_month < 1 - 1e-9:
        return ""
    whole = abs(months - round(months)) < 1e-9 and round(months) > 0
    span = f"后{round(months)}个月" if whole else f"剩余{number_text(months, 1)}个月"
    return f"{span}需月均完成{amount(monthly_pace(per_month, measure), measure)}"


def wrap_names(names: list, chars: float) -> str:
    """"柳河镇、金鸡乡" for a table cell ``chars`` characters wide: lines break between names, never
    inside one ("柳/河镇")."""
    from tzreport.words.width import display_width
    lines, line = [], ""
    for name in names:
        piece = f"{line}、{name}" if line else name
        if line and display_width(piece + "、") / 2 > chars:
            lines.append(line + "、")
            line = name
        else:
            line = piece
    return "\n".join(lines + ([line] if line else []))


# -- control lines ----------------------------------------------------------------------------------

@dataclass
class ControlFact:
    """A 控制 indicator as reported: L' = 序时控制数, L = 年度控制线 (equal without 序时)."""
    actual: float
    annual: float
    prorated: float
    state: str        # "within" / "over_prorated" / "over_annual"

    @property
    def prorates(self) -> bool:
        return abs(self.annual - self.prorated) > 1e-9


def control_fact(r, ind) -> ControlFact:
    """None unless the unit reported a number against a control line."""
    if ind.method != CONTROL or not reported(r) or not isinstance(r.actual, float) or r.target is None:
        return None
    annual = r.target
    prorated = r.target_prorated if r.target_prorated is not None else annual
    if round(r.actual - annual, 9) > 0:
        state = "over_annual"
    elif round(r.actual - prorated, 9) > 0:
        state = "over_prorated"
    else:
        state = "within"
    return ControlFact(r.actual, annual, prorated, state)


def control_words(fact: ControlFact, measure: str = "") -> str:
    """"实际12批次，超过序时控制数9.75批次（年度控制线13批次）" — never "低于控制线" for a unit
    over its 序时控制数 (SPEC 4.1)."""
    a, lp, la = (amount(x, measure) for x in (fact.actual, fact.prorated, fact.annual))
    if not fact.prorates:
        if fact.state == "over_annual":
            return f"实际{a}，突破年度控制线{la}"
        return f"实际{a}，未突破控制线{la}"
    if fact.state == "over_annual":
        return f"实际{a}，突破年度控制线{la}（序时控制数{lp}）"
    if fact.state == "over_prorated":
        return f"实际{a}，超过序时控制数{lp}（年度控制线{la}）"
    return f"实际{a}，未超过序时控制数{lp}（年度控制线{la}）"


# -- a category -------------------------------------------------------------------------------------

@dataclass
class Category:
    """One 考核类别 with what several documents say about it."""
    name: str
    units: list                       # [UnitResult], rank order
    indicators: list                  # [Indicator], aligned with each unit's .indicators
    full_score: float
    excluded: list = field(default_factory=list)   # names left out for lack of data

    @property
    def words(self) -> str:
        return category_words(self.name)

    @property
    def ranked(self) -> list:
        """(name, rank) of the units that reported: 未报送 is no 末位 (SPEC 4.1)."""
        return [(u.name, u.rank) for u in self.units if u.submitted]

    @property
    def missing(self) -> list:
        """Units that sent no submission (未报送)."""
        return [u.name for u in self.units if not u.submitted]

    @functools.cached_property
    def lights(self) -> list:
        """Per indicator, names of the units that reported, by light: (green, yellow, red)."""
        out = []
        for k, _ in enumerate(self.indicators):
            names = {GREEN: [], YELLOW: [], RED: []}
            for u in self.units:
                r = u.indicators[k]
                if lit(r):
                    names[r.light].append(u.name)
            out.append((names[GREEN], names[YELLOW], names[RED]))
        return out

    def unreported(self, k: int) -> tuple:
        """(未填报 names, 未报送 names) on indicator ``k``."""
        return self._unreported[k]

    @functools.cached_property
    def _unreported(self) -> list:
        out = []
        for k, _ in enumerate(self.indicators):
            blank, missing = [], []
            for u in self.units:
                status = unreported(u.indicators[k])
                if status == ST_BLANK:
                    blank.append(u.name)
                elif status == ST_NOT_SUBMITTED:
                    missing.append(u.name)
            out.append((blank, missing))
        return out

    def lit_columns(self) -> list:
        """(position, Indicator) of indicators that carry lights for at least one unit."""
        return [(k, ind) for k, ind in enumerate(self.indicators)
                if any(self.lights[k]) or self.unreported(k)[0]]

    def lights_of(self, k: int) -> tuple:
        return self.lights[k]

    def aggregate(self, k: int, ind):
        """Σ完成 / Σ目标 over the units that reported, for a forward 总量 indicator; else None."""
        if ind.method != COMPLETION or ind.value_type != TOTAL or ind.direction != FORWARD:
            return None
        rows = [u.indicators[k] for u in self.units if reported(u.indicators[k])]
        if not rows or not all(isinstance(r.actual, float) and r.target for r in rows):
            return None
        return sum(r.actual for r in rows), sum(r.target for r in rows)

    def on_schedule(self, k: int, ind, p: float) -> bool:
        """赶上序时进度 (完成年度目标 at p = 1) as a whole: the summed completion where totals add
        up, else every reporting unit green. Units that did not report are not 未赶上 (4.1)."""
        summed = self.aggregate(k, ind)
        if summed is not None:
            return summed[0] / summed[1] >= (p if ind.prorate else 1.0) - 1e-12
        green, yellow, red = self.lights_of(k)
        return not yellow and not red

    def control_counts(self, k: int, ind) -> tuple:
        """(over the annual line, over the 序时控制数 only, yellow) unit names on a 控制 indicator."""
        over, over_prorated = [], []
        for u in self.units:
            fact = control_fact(u.indicators[k], ind)
            if fact is not None and fact.state == "over_annual":
                over.append(u.name)
            elif fact is not None and fact.state == "over_prorated":
                over_prorated.append(u.name)
        return over, over_prorated, self.lights_of(k)[1]

    @functools.cached_property
    def _last_places(self) -> tuple:
        """(last_ranks, last_counts), from one pass over the units that reads each unit's results
        together (indicator by indicator over 2,000 units took a second: memory, not arithmetic)."""
        ranks = [[] for _ in self.indicators]      # per indicator, the ranks of the units that reported
        for u in self.units:
            for column, r in zip(ranks, u.indicators):
                if reported(r) and r.rank is not None:
                    column.append(r.rank)
        lasts, counts = [], []
        for column in ranks:
            last = max(column) if column else None
            tied = column.count(last) if column else 0
            if last is None or len(column) < 2 or min(column) == last or 2 * tied > len(column):
                lasts.append(None)
                counts.append(0)
            else:
                lasts.append(last)
                counts.append(tied)
        return lasts, counts

    @functools.cached_property
    def last_ranks(self) -> list:
        """Per indicator, the last rank among the units that reported (ties share it); None when
        there is no last place to speak of: fewer than two places, or more than half the units
        tied there (a 分档 step most units share is not a 末位)."""
        return self._last_places[0]

    def is_last(self, u, k: int) -> bool:
        r = u.indicators[k]
        return reported(r) and r.rank is not None and r.rank == self.last_ranks[k]

    @functools.cached_property
    def last_counts(self) -> list:
        """Per indicator, how many units share the last place (0 where there is none; the units
        is_last finds): counted once per build, so a unit's 通知 says "N个单位并列末位" without
        going over every unit."""
        return self._last_places[1]

    def tied_last(self, k: int) -> bool:
        return self.last_counts[k] > 1

    @functools.cached_property
    def rank_counts(self) -> dict:
        """rank -> how many units hold it (more than one: 并列)."""
        counts = {}
        for u in self.units:
            counts[u.rank] = counts.get(u.rank, 0) + 1
        return counts

    def last_places(self) -> dict:
        """unit name -> indicators on which it ranks last among the category (where ranked)."""
        found = []       # (first indicator it is last on, unit order, name, count)
        columns = range(len(self.indicators))
        for n, u in enumerate(self.units):       # unit by unit: each unit's results sit together
            lasts = [k for k in columns if self.is_last(u, k)]
            if lasts:
                found.append((lasts[0], n, u.name, len(lasts)))
        # in the order indicator by indicator, unit by unit gives (a tie in _most keeps it)
        counts = {}
        for _, _, name, count in sorted(found):
            counts[name] = counts.get(name, 0) + count
        return counts


def categories(result) -> list:
    out = []
    for name in result.categories:
        excluded = [ind_name for cat, _, ind_name in result.excluded if cat == name]
        out.append(Category(name, [u for u in result.units if u.category == name],
                            [i for i in result.indicators if i.category == name],
                            result.full_scores[name], excluded))
    return out


# -- grades and vetoes ------------------------------------------------------------------------------

def grade_order(result, scheme) -> list:
    order = [g.name for g in scheme.grades]
    return order + [g for g in dict.fromkeys(u.grade for u in result.units) if g and g not in order]


def low_grades(order: list) -> list:
    """一般 and the grades below it (the lowest grade when a scheme has no 一般)."""
    if len(order) < 2:
        return []
    threshold = order.index("一般") if "一般" in order else len(order) - 1
    return order[threshold:]


def needs_rectification(ur, order: list) -> bool:
    """整改 for 一般 or worse, and for a 一票否决."""
    return ur.veto == VETO_LOWEST or ur.grade in low_grades(order)


def veto_item(item: str, codes: set) -> str:
    """"ZB10 环境保护目标责任" → "“环境保护目标责任”指标"; a deduction item stays as it is."""
    code, _, name = item.partition(" ")
    return f"“{name}”指标" if code in codes and name else item


def veto_sentence(ur, codes: set, subject: str = None, final: bool = True) -> str:
    """"金鸡乡因“环境保护目标责任”指标被一票否决，考核等次为“差”" (at the year end) or
    "…被一票否决，年度考核将定为最低等次"; None without a veto."""
    if ur.veto == VETO_NONE:
        return None
    items = "、".join(veto_item(item, codes) for _, item in ur.veto_reasons) or "相关事项"
    word = VETO_WORDS.get(ur.veto, "一票否决")
    who = subject if subject is not None else ur.name
    if final:
        tail = f"考核等次为“{ur.grade}”"
    else:
        tail = "年度考核将定为最低等次" if ur.veto == VETO_LOWEST else "年度考核不得评为第一等次"
    return f"{who}因{items}被{word}，{tail}"


def method_citation(params) -> str:
    """"根据《青峰县目标责任考核办法》（青办发〔2026〕3号）" — "根据考核办法" when 参数 has none."""
    doc = (params.method_doc or "").strip()
    if not doc:
        return "根据考核办法"
    return f"根据{doc}" if doc.startswith("《") else f"根据《{doc}》"


def reverse(ind) -> bool:
    return ind.direction == REVERSE
