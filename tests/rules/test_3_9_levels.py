"""SPEC 3.9 Levels of 定性 and 测评: the scheme's 定性等级 and 测评票值, and the defaults they replace.

The lowest level vetoes, lights by level; the default vote values of 考核办评分's 好 / 较好 / 一般 / 差
columns (SPEC 2.1); templates offer exactly the scheme's words."""
import datetime as dt
import json

import pytest
from helpers import PARAMS as P
from helpers import evaluate_book as _evaluate
from helpers import level_scheme as _level_scheme
from helpers import scheme_sheets, totals, write_book

from tzreport import build
from tzreport.model import ST_OK, Indicator
from tzreport.rules.indicator import score_indicator

LEVELS = {"优": 1.0, "良": 0.85, "中": 0.7, "差": 0.4}


@pytest.mark.parametrize("levels, word, score, light, veto", [
    (LEVELS, "优", 10.0, "绿", "否"),       # 1 × 10, the highest level
    (LEVELS, "良", 8.5, "黄", "否"),        # 0.85 × 10
    (LEVELS, "中", 7.0, "黄", "否"),        # 0.7 × 10
    (LEVELS, "差", 4.0, "红", "是"),        # 0.4 × 10, the lowest level vetoes
    (None, "基本完成", 6.0, "黄", "否"),    # default levels: 0.6 × 10
    (None, "未完成", 0.0, "红", "是"),      # default lowest
])
def test_qualitative_levels(levels, word, score, light, veto):
    ind = Indicator("D01", "镇街", "目标任务", "环保", "环保", "", 10.0, method="定性", veto="是")
    r = score_indicator(ind, None, word, ST_OK, 1.0, P, levels=levels)
    assert (r.score, r.light, r.veto) == (pytest.approx(score), light, veto)


def test_custom_levels_and_vote_values_end_to_end(tmp_path):
    result, scheme = _evaluate(_level_scheme(tmp_path))
    assert list(scheme.qualitative_levels) == ["优", "良", "中", "差"]
    town, other = (next(u for u in result.units if u.name == n) for n in ("城关镇", "龙泉镇"))
    # 城关镇: D01 良 0.85 × 80 = 68; M01 86/100 × 20 = 17.2 (差 = 40); total 85.2.
    assert town.total == pytest.approx(85.2)
    # 龙泉镇: D01 差 0.4 × 80 = 32 and, 差 being the lowest level, a 一票否决; M01 100 → 20.
    assert other.total == pytest.approx(52.0)
    assert other.veto == "是" and other.grade == "一般"


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


def test_office_qualitative_value_is_one_of_the_levels(tmp_path):
    path = _level_scheme(tmp_path, extra={
        "指标": [("指标编码", "考核类别", "大类", "二级指标", "分值", "计分方法", "数据来源"),
               ("Q01", "镇街", "目标任务", "领导评价", 100, "定性", "考核办")],
        "考核办评分": [("单位", "指标编码", "得分"), ("城关镇", "Q01", "良"), ("龙泉镇", "Q01", "完成")],
        "完成情况": [("单位", "指标编码", "本期累计完成")]})
    result, _ = _evaluate(path)
    town, other = (next(u for u in result.units if u.name == n) for n in ("城关镇", "龙泉镇"))
    assert town.total == pytest.approx(85.0)                   # 良 0.85 × 100
    assert other.indicators[0].status == "未填报" and other.total == 0.0
    errors = [(i.sheet, i.cell) for i in result.issues if i.severity == "error"]
    assert ("考核办评分", "C3") in errors                        # "完成" is not among 优/良/中/差


def test_template_offers_the_schemes_own_words(tmp_path):
    import openpyxl

    from tzreport.pipeline import make_templates
    paths, _ = make_templates(_level_scheme(tmp_path), tmp_path / "out", dt.date(2026, 12, 31))
    ws = openpyxl.load_workbook(paths[0])["指标完成情况"]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"优,良,中,差"' in lists
    assert "定性指标从下拉列表中选择“优、良、中、差”" in ws["A3"].value
