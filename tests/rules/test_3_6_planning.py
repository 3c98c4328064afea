"""SPEC 3.6 Responsibility and planning: 倒排计划 and 争先进位, with hand-computed figures.

倒排计划: what remains, the days and months left, the pace per 天 / 周 / 旬 / 月; 争先进位: what it takes
to reach the next rank or grade."""
import datetime as dt

import pytest
from helpers import unit_result as unit

from tzreport.model import GradeRule, Indicator, IndicatorResult
from tzreport.rules.grades import assign_grades
from tzreport.rules.planning import advancement, days_left, months_left, plan
from tzreport.rules.ranking import assign_ranks


def indicator(**kw):
    return Indicator("I01", "镇街", "目标任务", "财政", "一般公共预算收入", "万元", 60, **kw)


def test_days_left():
    assert days_left(dt.date(2026, 9, 30)) == 92      # October 31 + November 30 + December 31
    assert days_left(dt.date(2026, 12, 31)) == 0


def test_pace_needed_for_a_total_short_of_its_annual_target():
    r = IndicatorResult("I01", "x", "目标任务", "完成率", 60, actual=600.0, target=1000.0)
    plan(r, indicator(), dt.date(2026, 9, 30), 0.75)
    assert r.remaining == 400
    assert r.per_day == pytest.approx(400 / 92)        # 4.35 万元 a day
    assert r.per_week == pytest.approx(400 / 92 * 7)   # 30.43
    assert r.per_dekad == pytest.approx(400 / 92 * 10)  # 43.48 a 旬
    # SPEC 3.6 月: the 3 calendar months left (October, November, December): 400 ÷ 3 = 133.33, the
    # figure the 通知 says ("后3个月需月均") and the 批注 and 汇总 show — not 400 ÷ (92 ÷ 30.42) = 132.25
    assert r.per_month == pytest.approx(400 / 3)


@pytest.mark.parametrize("day, months", [
    (dt.date(2026, 9, 30), 3),              # October, November, December
    (dt.date(2026, 9, 20), 3 + 10 / 30),    # and 10 of September's 30 days
    (dt.date(2026, 2, 28), 10),             # a month end in February
    (dt.date(2028, 2, 28), 10 + 1 / 29),    # … not in a leap year: 1 of 29 days left
    (dt.date(2026, 12, 31), 0),
])
def test_months_left(day, months):
    assert months_left(day) == pytest.approx(months)


def test_growth_short_of_target_has_points_to_make_up_but_no_daily_pace():
    r = IndicatorResult("I01", "x", "目标任务", "完成率", 8, actual=6.1, target=7.0)
    plan(r, indicator(value_type="增速"), dt.date(2026, 9, 30), 0.75)
    assert r.remaining == pytest.approx(0.9) and r.per_day is None


@pytest.mark.parametrize("kw, actual", [(dict(), 1000.0), (dict(), 1200.0), (dict(direction="逆向"), 900.0),
                                        (dict(method="控制"), 5.0)])
def test_no_plan_when_nothing_is_short(kw, actual):
    r = IndicatorResult("I01", "x", "目标任务", kw.get("method", "完成率"), 60, actual=actual, target=1000.0)
    plan(r, indicator(**kw), dt.date(2026, 9, 30), 0.75)
    assert r.remaining is None and r.per_day is None


def test_year_end_leaves_no_days(tmp_path):
    r = IndicatorResult("I01", "x", "目标任务", "完成率", 60, actual=600.0, target=1000.0)
    plan(r, indicator(), dt.date(2026, 12, 31), 1.0)
    assert r.remaining == 400 and r.per_day is None


def test_advancement_names_points_to_next_rank_and_grade():
    units = [unit("A", 95.5), unit("B", 91.2), unit("C", 88.0)]
    rules = [GradeRule("优秀", 90, quota=1), GradeRule("良好", 80), GradeRule("一般")]
    assign_ranks(units)
    assign_grades(units, rules)
    advancement(units, rules)
    b = units[1].advance
    assert b["next_rank"]["unit"] == "单位A" and b["next_rank"]["points_needed"] == pytest.approx(4.3)
    # 优秀 is quota-limited and held by A at 95.5: B needs to reach 95.5
    assert b["next_grade"] == {"grade": "优秀", "total_needed": 95.5,
                               "points_needed": pytest.approx(4.3)}
    assert "next_rank" not in units[0].advance
