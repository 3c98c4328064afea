"""What the outputs say about the periods (SPEC 3.11): rank changes since the previous period,
lights turned 红→绿 and back, red-light counts then and now, each unit's own trend.

Only with two periods or more (``UnitResult.periods``); with one period every function here says
nothing, so the outputs stay exactly as they were.
"""
from __future__ import annotations

from tzreport.model import GREEN, RED
from tzreport.words.numbers import number_text, score_change, score_text
from tzreport.words.rule_forms import digits_that_hold, printed

UP, DOWN, SAME, NEW = "前进", "后退", "持平", "新参加"


def has_periods(result) -> bool:
    return len(result.periods) > 1


def move(ur):
    """-> (kind, places) of a unit since the previous period: 前进 / 后退 N 位, 持平, 新参加 (no
    ranked submission then); None when it has no current submission or no earlier period."""
    if len(ur.periods) < 2 or not ur.submitted:
        return None
    before, now = ur.periods[-2], ur.periods[-1]
    if not before.get("submitted", True) or before["rank"] is None:
        return NEW, 0
    delta = before["rank"] - now["rank"]
    return (UP, delta) if delta > 0 else (DOWN, -delta) if delta < 0 else (SAME, 0)


def total_change(ur):
    """The change of 综合得分 since the previous period as every output prints it (通知, 批注,
    汇总): the published total less the published total of the previous period (score_change),
    so a reader who subtracts the two printed scores finds it; None where ``move`` says nothing
    or the unit is 新参加."""
    m = move(ur)
    if m is None or m[0] == NEW:
        return None
    return score_change(ur.periods[-1]["total"], ur.periods[-2]["total"])


def rank_words(ur) -> str:
    """"名次前进2位（由第7名升至第5名）", "名次持平（均为第12名）": both ranks given, so that it cannot
    be read against the 进位 line, which compares with last year's final rank (SPEC 3.10); "" where
    ``move`` says nothing, "本期首次参加排名" for 新参加."""
    m = move(ur)
    if m is None:
        return ""
    kind, n = m
    if kind == NEW:
        return "本期首次参加排名"
    before, now = ur.periods[-2]["rank"], ur.periods[-1]["rank"]
    if kind == UP:
        return f"名次前进{n}位（由第{before}名升至第{now}名）"
    if kind == DOWN:
        return f"名次后退{n}位（由第{before}名降至第{now}名）"
    return f"名次持平（均为第{now}名）"


def total_words(ur) -> str:
    """"综合得分增加4.18分" / "综合得分持平" from ``total_change``; "" where there is none."""
    diff = total_change(ur)
    if diff is None:
        return ""
    return "综合得分持平" if diff == 0 else f"综合得分{'增加' if diff > 0 else '减少'}{score_text(abs(diff))}分"


def previous_words(ur) -> str:
    """"与上期（前三季度）相比，": the period compared with, named."""
    return f"与上期（{ur.periods[-2]['period']}）相比，"


def change_words(ur, subject: str = "") -> str:
    """"与上期（前三季度）相比，你单位名次前进2位（由第7名升至第5名），综合得分增加4.18分";
    "你单位本期首次参加排名"; "" without a previous period."""
    rank = rank_words(ur)
    if not rank or move(ur)[0] == NEW:
        return f"{subject}{rank}" if rank else ""
    return f"{previous_words(ur)}{subject}{rank}，{total_words(ur)}"


def rank_change_sentence(units: list, previous: str = "") -> str:
    """"与上期相比，白马镇前进3位，龙泉镇后退2位，城关镇名次持平，青山镇为新参加排名的单位。"
    Up first (most places first), then down (most first), then 持平 and 新参加; within each kind
    the current rank order."""
    moves = [(ur, m) for ur in units for m in [move(ur)] if m is not None]
    if not moves:
        return ""
    order = {UP: 0, DOWN: 1, SAME: 2, NEW: 3}
    moves.sort(key=lambda x: (order[x[1][0]], -x[1][1], x[0].rank or 0, x[0].code))
    parts = [f"{ur.name}{kind}{n}位" for ur, (kind, n) in moves if kind in (UP, DOWN)]
    same = [ur.name for ur, (kind, _) in moves if kind == SAME]
    new = [ur.name for ur, (kind, _) in moves if kind == NEW]
    if same:
        parts.append(f"{'、'.join(same)}名次持平")
    if new:
        parts.append(f"{'、'.join(new)}为本期新参加排名的单位")
    then = f"上期（{previous}）" if previous else "上期"
    if len(same) == len(moves):
        return f"与{then}相比，各单位名次均无变化。"
    return f"与{then}相比，" + "，".join(parts) + "。"


def fold_line(ur, subject: str = "", place: bool = True) -> str:
    """How a folded base was made (SPEC 3.11): each period's base × 权重, and (``place``) the
    名次加分."""
    if not ur.fold:
        return ""
    periods = ur.fold["periods"]
    weight = sum(p["weight"] for p in periods)
    # the periods' bases at 2 decimals, or more where 2 would not give the printed result
    digits = digits_that_hold(lambda d: sum(printed(p["base"], d) * printed(p["weight"], 6) for p in periods)
                              / printed(weight, 6), score_text(ur.base))
    parts = "、".join(f"{p['period']}{number_text(p['base'], digits, keep_zeros=True)}分×{p['weight']:g}"
                      for p in periods)
    won = place_text(ur) if place else ""
    return (f"{subject}基础得分按考核期折算：（{parts}）÷{weight:g}＝{score_text(ur.base)}分"
            + (f"；{won}" if won else "") + "。")


def place_text(ur) -> str:
    """"名次加分1.8分（按各期当期综合得分排名：一季度第2名0.3分、…）" of a folded unit (SPEC 3.11);
    "" without any. Each period's place is its own rank_j, on that period's own 综合得分 — for the
    current period not the final rank, which is on the folded score (临川县 of the 市考 sample:
    全年当期第3名, 第5名 after the fold), so the words say which."""
    periods = ur.fold.get("periods", []) if ur.fold else []
    place = sum(p["points"] for p in periods)
    if not place:
        return ""
    won = "、".join(f"{p['period']}第{p['rank']}名{p['points']:g}分" for p in periods if p["points"])
    return f"名次加分{place:g}分（按各期当期综合得分排名：{won}）"


def light_turns(ur) -> tuple:
    """-> (indicators turned 红→绿, indicators turned to 红 from 绿 or 黄) of one unit."""
    to_green = [r for r in ur.indicators if r.previous_light == RED and r.light == GREEN]
    to_red = [r for r in ur.indicators if r.previous_light not in (None, RED) and r.light == RED]
    return to_green, to_red


def lights_sentences(units: list) -> list:
    """Red-light counts then and now, and who turned 红→绿 and back, for one category."""
    with_before = [ur for ur in units if len(ur.periods) > 1]
    if not with_before:
        return []
    then = sum(ur.periods[-2]["reds"] for ur in with_before if ur.periods[-2].get("submitted", True))
    now = sum(ur.reds for ur in with_before)
    out = [f"红灯指标与上期持平，均为{now}个。" if now == then else
           f"红灯指标由上期{then}个{'减少' if now < then else '增加'}为本期{now}个。"]
    greens = [(ur, r) for ur in with_before for r in light_turns(ur)[0]]
    reds = [(ur, r) for ur in with_before for r in light_turns(ur)[1]]
    if greens:
        out.append(f"由红灯转为绿灯的{len(greens)}项：{_items(greens)}。")
    if reds:
        out.append(f"转为红灯的{len(reds)}项：{_items(reds)}。")
    return out


def _items(pairs, most: int = 8) -> str:
    shown = "、".join(f"{ur.name}“{r.name}”" for ur, r in pairs[:most])
    return shown + (f"等{len(pairs)}项" if len(pairs) > most else "")


def unit_trend_lines(ur, subject: str = "", fold: bool = True) -> list:
    """The unit's own trend for its 通知 and 考核结果 sheet: each period's total, rank and grade,
    the fold of the base (only its 名次加分 when ``fold`` is False: the caller says the fold
    where it speaks of the base), the change since the previous one, its indicators whose light
    changed."""
    if len(ur.periods) < 2:
        return []
    steps = []
    for p in ur.periods:
        if not p.get("submitted", True):
            steps.append(f"{p['period']}未报送")
            continue
        grade = f"（{p['grade']}）" if p.get("grade") else ""
        steps.append(f"{p['period']}{score_text(p['total'])}分、第{p['rank']}名{grade}")
    lines = [f"{subject}历次考核：" + "；".join(steps) + "。"]
    if ur.fold and fold:
        lines.append(fold_line(ur, subject))
    elif won := place_text(ur):
        lines.append(f"{subject}{won}。")
    change = change_words(ur, subject)
    if change:
        lines.append(change + "。")
    to_green, to_red = light_turns(ur)
    if to_green:
        lines.append("由红灯转为绿灯：" + "、".join(f"“{r.name}”" for r in to_green) + "。")
    if to_red:
        lines.append("转为红灯：" + "、".join(f"“{r.name}”" for r in to_red) + "。")
    return lines


def arrow(delta) -> str:
    """Rank change as a printed page keeps it: ↑3 / ↓2 / — (持平) / 新."""
    if delta is None:
        return "新"
    return f"↑{delta}" if delta > 0 else f"↓{-delta}" if delta < 0 else "—"
