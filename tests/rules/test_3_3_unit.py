"""SPEC 3.3 One unit: Base, bonus B, deductions D, 综合得分 = Base + B − D, ranks, the quota order.

Base rescaled to the category's 满分; 表彰加分 each 事项 once at its highest 级别; ranks on the total
rounded to 2 decimals (并列); the order for quotas breaks ties by Base, then fewer 红, then 单位编码."""
from pathlib import Path

import pytest
from helpers import PARAMS as P
from helpers import UNIT, grades_of
from helpers import unit_result as unit

from tzreport.model import (ST_NO_DATA, ST_NOT_APPLICABLE, ST_OK, BonusClaim, Deduction, GradeRule, IndicatorResult,
                            Params)
from tzreport.rules.grades import assign_grades
from tzreport.rules.ranking import assign_ranks
from tzreport.rules.unit import score_unit


def result(code, weight, score_, bonus=0.0, status=ST_OK, light=None, veto="否", major="目标任务"):
    return IndicatorResult(code, code, major, "完成率", weight, status=status, score=score_, bonus=bonus,
                           light=light, veto=veto)


def test_unit_rescales_to_the_full_score_when_an_indicator_does_not_apply():
    rows = [result("A", 60, 48.0), result("B", 40, 0.0, status=ST_NOT_APPLICABLE)]
    ur = score_unit(UNIT, rows, 100, P, [], {}, [], True)
    assert ur.base == pytest.approx(80.0)          # 48 × 100/60
    assert ur.subtotals == {"目标任务": pytest.approx(80.0)}


def test_unit_mid_year_office_indicator_left_out_stays_on_the_scheme_scale():
    rows = [result("A", 80, 72.0), result("S", 20, 0.0, status=ST_NO_DATA, major="社会评价")]
    ur = score_unit(UNIT, rows, 100, P, [], {}, [], True)
    assert ur.base == pytest.approx(90.0)          # 72 × 100/80
    assert ur.subtotals["社会评价"] == 0.0


def test_unit_bonus_caps_and_honours_each_item_once_at_its_highest_level():
    params = Params(total_bonus_cap=4.0, honor_bonus_cap=2.5)
    rows = [result("A", 100, 90.0, bonus=1.5)]
    claims = [BonusClaim("全国文明村镇", "国家级"), BonusClaim("全国文明村镇", "省级"),
              BonusClaim("省级卫生乡镇", "省级"), BonusClaim("省级 卫生乡镇", "市级")]
    levels = {"国家级": 2.0, "省级": 1.0, "市级": 0.5}
    ur = score_unit(UNIT, rows, 100, params, claims, levels, [], True)
    assert ur.honor_bonus == pytest.approx(2.5)    # 2 + 1 = 3 → 表彰加分上限 2.5
    assert [i[:2] for i in ur.honor_items] == [("全国文明村镇", "国家级"), ("省级卫生乡镇", "省级")]
    assert ur.bonus == pytest.approx(4.0)          # 1.5 + 2.5 = 4 → 加分总上限 4 (exactly)
    ur = score_unit(UNIT, [result("A", 100, 90.0, bonus=3.0)], 100, params, claims, levels, [], True)
    assert ur.bonus == pytest.approx(4.0)          # 3 + 2.5 = 5.5 → 4


def test_unit_total_is_base_plus_bonus_minus_deductions_and_vetoes_combine():
    rows = [result("A", 50, 45.0, bonus=1.0, light="红"), result("B", 50, 40.0, veto="否优")]
    deductions = [Deduction("Z01", "统计数据报送不及时", 0.5), Deduction("Z01", "较大环境事件", 1.0, "是")]
    ur = score_unit(UNIT, rows, 100, P, [], {}, deductions, True)
    assert ur.total == pytest.approx(85.0 + 1.0 - 1.5)
    assert ur.veto == "是"                            # 是 outranks 否优
    assert ur.reds == 1
    assert [v for v, _ in ur.veto_reasons] == ["否优", "是"]


def test_ranks_share_equal_rounded_totals():
    units = [unit("A", 90.004), unit("B", 90.0), unit("C", 85.0), unit("D", 95.0)]
    assign_ranks(units)
    assert {u.code: u.rank for u in units} == {"D": 1, "A": 2, "B": 2, "C": 4}


def test_quota_order_breaks_ties_by_base_then_reds_then_code():
    # All four tie at 90.00; B has the higher base, C and D tie on base but C has fewer reds,
    # E and F tie on everything and go by code.
    units = [unit("F", 90, base=88, reds=1), unit("E", 90, base=88, reds=1),
             unit("D", 90, base=89, reds=2), unit("C", 90, base=89, reds=1), unit("B", 90, base=90)]
    rules = [GradeRule("优秀", 60, quota=3), GradeRule("良好")]
    assign_ranks(units)
    assign_grades(units, rules)
    assert {u.rank for u in units} == {1}
    assert grades_of(units) == {"B": "优秀", "C": "优秀", "D": "优秀", "E": "良好", "F": "良好"}


def test_an_honour_declared_twice_counts_once_and_the_other_line_is_said(tmp_path):
    """SPEC 3.3: 市考's 凤台区 declares “全省优化营商环境先进县（市、区）” at 省级 (A2) and 市级 (A3): it
    counts once, at 省级 (1 point; 表彰加分 1), and the 市级 line is said where the clerk reads."""
    from tzreport.pipeline import build
    result = build([Path(__file__).resolve().parents[2] / "sample_workbooks" / "市考"], tmp_path)
    feng = next(u for u in result.units if u.name == "凤台区")
    assert [(item, level) for item, level, _ in feng.honor_items] == [("全省优化营商环境先进县（市、区）", "省级")]
    said = [i for i in result.issues if i.sheet == "加分申报" and i.unit == feng.code]
    assert [(i.severity, i.cell, i.message) for i in said] == [
        ("info", "A3", "凤台区加分申报“全省优化营商环境先进县（市、区）”另有省级申报（A2），同一事项按最高级别计一次，本行市级不计")]
