"""Chinese sentences from the numbers, in the register of a real 通报 (SPEC 4, issue 4).

Pure functions of plain values (names, counts, rates), so each can be tested on hand-made cases.
Conventions: Arabic numerals with their measure word once ("9项", never "9项项"); 、 between names,
， between clauses, 。 at the end of a sentence; percentages and points rounded half up.
"""
from __future__ import annotations

import itertools

from tzreport.words.numbers import difference_text, figures_apart, number_text
from tzreport.words.width import display_width

ITEM = "项"


def join_names(names, limit: int = None) -> str:
    """"财政收入、引进内资" — names in the order given, without repeats; past ``limit`` names the
    first ``limit`` and "等"."""
    seen = list(dict.fromkeys(name for name in names if name))    # a dict: 2,000 names stay linear
    if limit is not None and len(seen) > limit:
        return "、".join(seen[:limit]) + "等"
    return "、".join(seen)


def share(part: int, whole: int, digits: int = 1) -> str:
    """"80.0%" — a share of a count, half up, keeping its decimal (as 通报 print shares)."""
    if not whole:
        return "0%"
    return f"{number_text(part * 100 / whole, digits, keep_zeros=True)}%"


def count_share(label: str, part: int, whole: int) -> str:
    """"达到序时进度44项、占比80.0%"."""
    return f"{label}{part}{ITEM}、占比{share(part, whole)}"


def schedule_sentence(scope: str, noun: str, on: list, behind: list, final: bool = False,
                      exceptions: dict = None) -> str:
    """Which indicators caught up with the schedule and which did not, as seed 000 says it:
    "全县11项市考经济指标中，除财政收入、引进内资2项指标赶上序时进度外，生产总值、……等9项未赶上进度。"
    At the year end (``final``) the yardstick is the annual target: "完成年度目标" (SPEC 4.1).

    ``scope`` e.g. "全县", ``noun`` e.g. "市考经济指标"; ``on`` / ``behind``: indicator names, as
    the units' totals stand. ``exceptions``: {name: units that went the other way} — units that
    reached their own target on an indicator whose total is behind, or fell short on one whose
    total is on. "均未完成" / "全部完成" are said only where no unit went the other way; otherwise
    the sentence speaks of the total (合计) and names the exception: "一般公共预算收入、城镇新增就业
    2项县（市、区）考核指标合计未完成年度目标，其中一般公共预算收入有1个单位完成年度目标。"."""
    total = len(on) + len(behind)
    reach, miss, missed = (("完成年度目标", "未完成年度目标", "未完成年度目标") if final else
                           ("达到序时进度", "未达到序时进度", "未赶上进度"))
    if total == 0:
        return ""
    others = [(name, (exceptions or {}).get(name, 0)) for name in (on or behind)]
    others = [(name, n) for name, n in others if n]
    other = ""
    if others:
        words = miss if on else reach
        if total == 1:
            other = f"，其中有{others[0][1]}个单位{words}"
        elif len(others) == 1:
            other = f"，其中{others[0][0]}有{others[0][1]}个单位{words}"
        else:
            other = (f"，其中{join_names(name for name, _ in others)}分别有"
                     f"{'、'.join(f'{n}个' for _, n in others)}单位{words}")
    summed = "合计" if others else ""
    if total == 1:
        name = (on or behind)[0]
        return f"{scope}1{ITEM}{noun}（{name}）{summed}{reach if on else miss}{other}。"
    if not behind:
        return f"{scope}{total}{ITEM}{noun}{summed or '全部'}{reach}{other}。"
    if not on:
        names = join_names(behind) if total <= 5 else ""
        return f"{scope}{names}{total}{ITEM}{noun}{summed or '均'}{miss}{other}。"
    caught = "完成年度目标" if final else "赶上序时进度"
    return (f"{scope}{total}{ITEM}{noun}中，除{join_names(on)}{len(on)}{ITEM}指标{caught}外，"
            f"{join_names(behind)}{'等' if len(behind) > 1 else ''}{len(behind)}{ITEM}{missed}。")


def total_progress(completion: float, schedule: float) -> str:
    """"完成年度目标的53.3%，低于序时进度21.7个百分点" (both as shares of 1): the gap is the
    difference of the two printed shares (61.3% against 75.0% is 13.7 points), and 持平 only when
    they are equal — 74.996% is "低于序时进度0.004个百分点", never 持平 beside a yellow light."""
    done, _, gap = figures_apart(completion * 100, schedule * 100, 1)
    if gap == 0:
        return f"完成年度目标的{done}%，与序时进度持平"
    return f"完成年度目标的{done}%，{'高于' if gap > 0 else '低于'}序时进度{difference_text(gap)}个百分点"


def growth_progress(actual: float, target: float) -> str:
    """"增长6.1%，低于目标0.9个百分点" (rates in %): the rate as the 通知's table prints it (one
    decimal at least), the gap the difference of the printed rate and target, 持平 only when they
    are equal (6.96 against 7 is "低于目标0.04个百分点", as the light says)."""
    shown, _, gap = figures_apart(actual, target)
    size = shown.lstrip("-") + ("" if "." in shown else ".0")
    rate = f"增长{size}%" if actual >= 0 else f"下降{size}%"
    if gap == 0:
        return f"{rate}，与目标持平"
    return f"{rate}，{'高于' if gap > 0 else '低于'}目标{difference_text(gap)}个百分点"


def indicator_line(name: str, phrase: str) -> str:
    """"地区生产总值：增长6.1%，低于目标0.9个百分点。"."""
    return f"{name}：{phrase}。"


def control_sentence(warning: list, crossed: list, over_prorated: list = ()) -> str:
    """Control lines (seed 000's sentence for the first): 黄 = close to the line; ``over_prorated``
    = over the 序时控制数 but within the annual line; ``crossed`` = over the annual line."""
    parts = []
    if crossed:
        parts.append(f"{join_names(crossed)}指标已突破年度控制线")
    if over_prorated:
        parts.append(f"{join_names(over_prorated)}指标超过序时控制数，但未突破年度控制线")
    if warning:
        parts.append(f"{join_names(warning)}指标虽未突破控制线，但形势不容乐观")
    return "，".join(parts) + "。" if parts else ""


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


def last_place_sentence(counts: list) -> str:
    """"金鸡乡有9项指标位居末位，柳河镇、桃源镇分别有7项、3项。" ``counts``: (name, count), most
    first; nothing when none."""
    counts = [(name, n) for name, n in counts if n > 0]
    if not counts:
        return ""
    (name, n), rest = counts[0], counts[1:]
    text = f"{name}有{n}{ITEM}指标位居末位"
    if len(rest) == 1:
        text += f"，{rest[0][0]}有{rest[0][1]}{ITEM}"
    elif rest:
        text += f"，{join_names(x for x, _ in rest)}分别有{'、'.join(f'{k}{ITEM}' for _, k in rest)}"
    return text + "。"


def pace_sentence(name: str, remaining: float, measure: str, months: float,
                  per_month: float = None) -> str:
    """倒排计划 as a 通报 writes it: "固定资产投资距年度目标还差1.24亿元，后3个月需月均完成4140万元。"
    — amounts in 亿元 past 1亿, a monthly pace only where a pace means something (SPEC 4.1: no
    "日均完成0.12件"). ``months``: planning.months_left; ``per_month``: planning's 月均."""
    from tzreport.words.facts import amount, pace
    text = f"{name}距年度目标还差{amount(remaining, measure)}"
    phrase = pace(per_month, measure, months)
    return text + (f"，{phrase}" if phrase else "") + "。"


def grade_sentence(grade: str, names: list) -> str:
    """"评为“优秀”等次的单位（3个）：城关镇、龙泉镇、青山镇。"."""
    if not names:
        return f"没有单位评为“{grade}”等次。"
    return f"评为“{grade}”等次的单位（{len(names)}个）：{join_names(names)}。"


LIGHT_LABELS = ("达到序时进度（绿灯）", "接近序时进度（黄灯）", "滞后序时进度（红灯）")
FINAL_LIGHT_LABELS = ("完成年度目标（绿灯）", "接近年度目标（黄灯）", "未完成年度目标（红灯）")


def lights_phrase(green: int, yellow: int, red: int, blank: int = 0, final: bool = False) -> str:
    """"达到序时进度（绿灯）120项、占比80.0%，…，滞后序时进度（红灯）10项、占比6.7%，其中未填报2项"
    (zeros left out). ``blank`` of the red are values the unit left blank (SPEC 4.1: said as such);
    at the year end (``final``) the words speak of the annual target."""
    total = green + yellow + red
    labels = FINAL_LIGHT_LABELS if final else LIGHT_LABELS
    if total == 0:
        return ""
    if green == total:
        return f"{total}{ITEM}全部{labels[0]}"
    text = "，".join(count_share(label, n, total) for label, n in zip(labels, (green, yellow, red)) if n)
    if blank and blank == red:
        text = text.replace(labels[2], "亮红灯（未填报）", 1)
    elif blank:
        text += f"，其中未填报{blank}{ITEM}"
    return text


def unit_lights_phrase(green: list, yellow: list, red: list, limit: int = 10, named: bool = True) -> str:
    """"12个单位中，绿灯9个，黄灯2个（凤凰镇、石桥镇），红灯1个（金鸡乡）" from unit names;
    ``named=False``: the counts only ("12个单位中，绿灯9个，黄灯2个，红灯1个")."""
    total = len(green) + len(yellow) + len(red)
    if total == 0:
        return ""
    if total == 1:
        name, light = next((names[0], light) for names, light in ((green, "绿"), (yellow, "黄"),
                                                                  (red, "红")) if names)
        return f"{name}亮{light}灯"
    if not yellow and not red:
        return f"{total}个单位全部亮绿灯"
    parts = [f"绿灯{len(green)}个"] if green else []
    for label, names in (("黄灯", yellow), ("红灯", red)):
        if names:
            parts.append(f"{label}{len(names)}个" + (f"（{join_names(names, limit)}）" if named else ""))
    return f"{total}个单位中，" + "，".join(parts)


def bottom_sentence(ranked: list, what: str = "综合得分") -> str:
    """"综合得分居末位的是金鸡乡。" — ties at the bottom "并列末位"; nothing for fewer than 4 units."""
    if len(ranked) < 4:
        return ""
    last = max(rank for _, rank in ranked)
    names = [name for name, rank in ranked if rank == last]
    if len(names) > 1:
        return f"{join_names(names)}{what}并列末位。"
    return f"{what}居末位的是{names[0]}。"


def lost_sentence(items: list, k: int = 3, basis: str = "") -> str:
    """"失分较多的指标是环境保护目标责任（失4.55分）、……。" ``items``: (name, points lost); ``basis``
    says which points they are ("按计入基础得分的分值计"), put before the list."""
    # the first k that lose a printed point: a generator, so a 150-indicator list is read only
    # as far as those k (the same k as filtering the whole list)
    lost = list(itertools.islice(((name, points) for name, points in items if float(number_text(points)) > 0), k))
    if not lost:
        return "各项指标均未失分。"
    what = "失分较多的指标是" if len(lost) > 1 else "失分的指标是"
    lead = f"{basis}，" if basis else ""
    return lead + what + "、".join(f"{name}（失{number_text(points)}分）" for name, points in lost) + "。"


TITLE_BREAKS = ("目标任务", "目标责任", "目标", "进展情况", "完成情况", "考核结果", "结果的", "的通知",
                "的通报", "至")


def title_lines(title: str, width: float = 19) -> list:
    """A 公文 title in lines of at most ``width`` 22-point characters, broken where the words allow
    (GB/T 9704: 回行时要做到词意完整) and as evenly as possible; digits count half."""
    def size(text):
        return display_width(text) / 2

    if size(title) <= width:
        return [title]
    best = None
    for word in TITLE_BREAKS:
        start = title.find(word, 1)
        while start > 0:
            head, tail = title[:start], title[start:]
            if size(head) <= width:
                rest = title_lines(tail, width)
                score = (len(rest), abs(size(head) - size(rest[0])))
                if best is None or score < best[0]:
                    best = (score, [head] + rest)
            start = title.find(word, start + 1)
    if best is not None:
        return best[1]
    cut = next(i for i in range(len(title), 0, -1) if size(title[:i]) <= width)
    return [title[:cut]] + title_lines(title[cut:], width)
