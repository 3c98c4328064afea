"""Chinese sentences from the numbers, in the register of a real 通报 (SPEC 4, issue 4).

Pure functions of plain values (names, counts, rates), so each can be tested on hand-made cases.
Conventions: Arabic numerals with their measure word once ("9项", never "9项项"); 、 between names,
， between clauses, 。 at the end of a sentence; percentages and points rounded half up.
"""
from __future__ import annotations

from .common import number_text

ITEM = "项"


def join_names(names) -> str:
    """"财政收入、引进内资" — names in the order given, without repeats."""
    seen = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return "、".join(seen)


def share(part: int, whole: int, digits: int = 1) -> str:
    """"80.0%" — a share of a count, half up, keeping its decimal (as 通报 print shares)."""
    if not whole:
        return "0%"
    from decimal import ROUND_HALF_UP, Decimal
    q = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return f"{q}%"


def count_share(label: str, part: int, whole: int) -> str:
    """"达到序时进度44项、占比80.0%"."""
    return f"{label}{part}{ITEM}、占比{share(part, whole)}"


def schedule_sentence(scope: str, noun: str, on: list, behind: list) -> str:
    """Which indicators caught up with the schedule and which did not, as seed 000 says it:
    "全县11项市考经济指标中，除财政收入、引进内资2项指标赶上序时进度外，生产总值、……等9项未赶上进度。"

    ``scope`` e.g. "全县", ``noun`` e.g. "市考经济指标"; ``on`` / ``behind``: indicator names."""
    total = len(on) + len(behind)
    if total == 0:
        return ""
    if total == 1:
        name = (on or behind)[0]
        return f"{scope}1{ITEM}{noun}（{name}）{'达到' if on else '未达到'}序时进度。"
    if not behind:
        return f"{scope}{total}{ITEM}{noun}全部达到序时进度。"
    if not on:
        return f"{scope}{total}{ITEM}{noun}均未达到序时进度。"
    return (f"{scope}{total}{ITEM}{noun}中，除{join_names(on)}{len(on)}{ITEM}指标赶上序时进度外，"
            f"{join_names(behind)}{'等' if len(behind) > 1 else ''}{len(behind)}{ITEM}未赶上进度。")


def _points(x) -> str:
    return number_text(abs(x), 1)


def total_progress(completion: float, schedule: float) -> str:
    """"完成年度目标的53.3%，低于序时进度21.7个百分点" (both as shares of 1)."""
    done = number_text(completion * 100, 1)
    gap = float(number_text((completion - schedule) * 100, 1))
    if gap == 0:
        return f"完成年度目标的{done}%，与序时进度持平"
    return f"完成年度目标的{done}%，{'高于' if gap > 0 else '低于'}序时进度{_points(gap)}个百分点"


def growth_progress(actual: float, target: float) -> str:
    """"增长6.1%，低于目标0.9个百分点" (rates in %)."""
    rate = f"增长{number_text(actual, 1)}%" if actual >= 0 else f"下降{number_text(-actual, 1)}%"
    gap = float(number_text(actual - target, 1))
    if gap == 0:
        return f"{rate}，与目标持平"
    return f"{rate}，{'高于' if gap > 0 else '低于'}目标{_points(gap)}个百分点"


def indicator_line(name: str, phrase: str) -> str:
    """"地区生产总值：增长6.1%，低于目标0.9个百分点。"."""
    return f"{name}：{phrase}。"


def control_sentence(warning: list, crossed: list) -> str:
    """Control lines: 黄 = close to the line, 红 = crossed (seed 000's sentence for the first)."""
    parts = []
    if crossed:
        parts.append(f"{join_names(crossed)}指标已突破控制线")
    if warning:
        also = "，" if crossed else ""
        parts.append(f"{also}{join_names(warning)}指标虽未突破控制线，但形势不容乐观")
    return "".join(parts) + "。" if parts else ""


def top_sentence(ranked: list, k: int = 3, what: str = "总分") -> str:
    """"总分居前3位的分别是A、B、C。" ``ranked``: (name, rank) in rank order; ties share a rank."""
    top = [(name, rank) for name, rank in ranked if rank <= k]
    if not top:
        return ""
    if len(top) == 1:
        return f"{what}居第1位的是{top[0][0]}。"
    names = join_names(name for name, _ in top)
    text = f"{what}居前{min(k, len(top))}位的分别是{names}" if len(top) <= k else \
        f"{what}居前{k}位的有{names}{len(top)}个单位"
    ties = {}
    for name, rank in top:
        ties.setdefault(rank, []).append(name)
    tied = [f"{join_names(names)}并列第{rank}位" for rank, names in ties.items() if len(names) > 1]
    return text + (f"（{'；'.join(tied)}）" if tied else "") + "。"


def last_place_sentence(name: str, count: int) -> str:
    """"龙泉镇有7项指标位居末位。" — nothing when none."""
    return f"{name}有{count}{ITEM}指标位居末位。" if count > 0 else ""


def pace_sentence(name: str, remaining: float, measure: str, days: int, per_day: float = None,
                  per_month: float = None) -> str:
    """倒排计划: "固定资产投资距年度目标还差12420万元，剩余92天需日均完成135万元、月均完成4106.25万元。"."""
    text = f"{name}距年度目标还差{number_text(remaining)}{measure}"
    if days <= 0 or per_day is None:
        return text + "。"
    text += f"，剩余{days}天需日均完成{number_text(per_day)}{measure}"
    if per_month is not None:
        text += f"、月均完成{number_text(per_month)}{measure}"
    return text + "。"


def grade_sentence(grade: str, names: list) -> str:
    """"评为“优秀”等次的单位（3个）：城关镇、龙泉镇、青山镇。"."""
    if not names:
        return f"没有单位评为“{grade}”等次。"
    return f"评为“{grade}”等次的单位（{len(names)}个）：{join_names(names)}。"
