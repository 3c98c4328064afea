"""SPEC 3.6 倒排计划 and SPEC 2.1 考核办评分 votes, with hand-computed figures."""
import datetime as dt
import json

import pytest
from helpers import scheme_sheets, totals, write_book

from tzreport import build
from tzreport.model import Indicator, IndicatorResult
from tzreport.rules.planning import days_left, months_left, plan


def indicator(**kw):
    return Indicator("I01", "镇街", "目标任务", "财政", "一般公共预算收入", "万元", 60, **kw)


def test_days_left():
    assert days_left(dt.date(2026, 9, 30)) == 92      # October 31 + November 30 + December 31
    assert days_left(dt.date(2026, 12, 31)) == 0


def test_pace_needed_for_a_total_short_of_its_annual_target():
    r = IndicatorResult("I01", "x", "目标任务", "完成率", 60, actual=600.0, target=1000.0)
    plan(r, indicator(), dt.date(2026, 9, 30))
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
    plan(r, indicator(value_type="增速"), dt.date(2026, 9, 30))
    assert r.remaining == pytest.approx(0.9) and r.per_day is None


@pytest.mark.parametrize("kw, actual", [(dict(), 1000.0), (dict(), 1200.0), (dict(direction="逆向"), 900.0),
                                        (dict(method="控制"), 5.0)])
def test_no_plan_when_nothing_is_short(kw, actual):
    r = IndicatorResult("I01", "x", "目标任务", kw.get("method", "完成率"), 60, actual=actual, target=1000.0)
    plan(r, indicator(**kw), dt.date(2026, 9, 30))
    assert r.remaining is None and r.per_day is None


def test_year_end_leaves_no_days(tmp_path):
    r = IndicatorResult("I01", "x", "目标任务", "完成率", 60, actual=600.0, target=1000.0)
    plan(r, indicator(), dt.date(2026, 12, 31))
    assert r.remaining == 400 and r.per_day is None


def test_office_votes_lead_and_support_units_and_unit_codes(tmp_path):
    folder = tmp_path / "in"
    sheets = scheme_sheets()
    sheets["指标"] = [sheets["指标"][0] + ("牵头单位", "配合单位", "数据来源"),
                    *[row + ("县财政局", "县税务局", "") for row in sheets["指标"][1:]],
                    ("I03", "镇街", "社会评价", "社会评价", "民主测评", "分", 20, "测评", "", "", "", "", "", "考核办")]
    sheets["参数"] = sheets["参数"][:-1] + [("满分", 120)]
    # (100·30 + 80·10 + 60·5 + 0·5) / 50 = 82 → 20 × 0.82 = 16.4
    sheets["考核办评分"] = [("单位", "指标编码", "好", "较好", "一般", "差"), ("Z01", "I03", 30, 10, 5, 5),
                       ("龙泉镇", "I03", 50, 0, 0, 0), ("青山镇", "I03", 0, 0, 10, 0)]
    write_book(folder / "考核方案.xlsx", sheets)
    from helpers import write_submission
    write_submission(folder, "城关镇", file_name="报表1.xlsx")
    import openpyxl
    wb = openpyxl.load_workbook(folder / "报表" / "报表1.xlsx")
    wb["指标完成情况"]["A2"] = "填报单位：Z01"                # by 单位编码
    wb.save(folder / "报表" / "报表1.xlsx")
    write_submission(folder, "龙泉镇")
    write_submission(folder, "青山镇")
    result = build([folder], tmp_path / "out")
    assert result.issues == []
    got = totals(result)
    assert got["城关镇"] == pytest.approx(100 + 16.4)
    assert got["龙泉镇"] == pytest.approx(88 + 20)
    assert got["青山镇"] == pytest.approx(84 + 12)   # all 一般: 60 → 12
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    i01 = data["units"][0]["indicators"][0]
    assert (i01["lead"], i01["support"]) == ("县财政局", "县税务局")
