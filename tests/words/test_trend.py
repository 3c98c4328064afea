"""SPEC 3.11's trend as the outputs say it (words/trend.py): ranks, lights, totals between periods.

Rank changes (前进 / 后退 N 位, 持平), lights turned 红→绿 and back, the change of the printed totals,
and a two-quarter build read in the 进展通报, the 通知 and the 批注's 考核结果."""
from __future__ import annotations

from datetime import date as D

import pytest
from helpers import period_params as params
from helpers import periods_sheet, scheme_sheets, write_book, write_submission

from tzreport.model import IndicatorResult, UnitResult
from tzreport.words.trend import arrow, lights_sentences, rank_change_sentence, unit_trend_lines


def unit(code, name, ranks, totals=None, submitted=(True, True), lights=()):
    """A unit with two periods: ranks (then, now); lights [(indicator, light then, light now)]."""
    totals = totals or (80.0, 80.0)
    ur = UnitResult(code, name, "镇街", "", submitted[-1], rank=ranks[1], total=totals[1])
    for i, (ind, before, now) in enumerate(lights):
        r = IndicatorResult(f"I{i}", ind, "目标任务", "完成率", 10, light=now)
        r.previous_light = before
        ur.indicators.append(r)
    ur.reds = sum(1 for *_, now in lights if now == "红")
    ur.periods = [{"period": "8月", "rank": ranks[0], "total": totals[0], "grade": "良好",
                   "submitted": submitted[0], "reds": sum(1 for _, b, _ in lights if b == "红")},
                  {"period": "9月", "rank": ranks[1], "total": totals[1], "grade": "优秀",
                   "submitted": submitted[1], "reds": ur.reds}]
    return ur


@pytest.mark.parametrize("units, sentence", [
    # 白马 5th → 2nd: up 3; 龙泉 1st → 3rd: down 2 (up first, then down)
    ([unit("Z2", "龙泉镇", (1, 3)), unit("Z1", "白马镇", (5, 2))],
     "与上期（8月）相比，白马镇前进3位，龙泉镇后退2位。"),
    # two down, the larger first; a 持平
    ([unit("Z1", "城关镇", (2, 3)), unit("Z2", "青山镇", (1, 4)), unit("Z3", "白马镇", (1, 1))],
     "与上期（8月）相比，青山镇后退3位，城关镇后退1位，白马镇名次持平。"),
    # a unit that had not submitted last period is new in this ranking
    ([unit("Z1", "城关镇", (1, 1)), unit("Z4", "新城镇", (3, 2), submitted=(False, True))],
     "与上期（8月）相比，城关镇名次持平，新城镇为本期新参加排名的单位。"),
    # a unit that has not submitted now is not spoken of
    ([unit("Z1", "城关镇", (2, 1)), unit("Z5", "河口镇", (1, 3), submitted=(True, False))],
     "与上期（8月）相比，城关镇前进1位。"),
])
def test_rank_change_sentences(units, sentence):
    assert rank_change_sentence(units, "8月") == sentence


def test_light_turns_and_red_counts():
    a = unit("Z1", "城关镇", (1, 1), lights=[("财政收入", "红", "绿"), ("招商引资", "绿", "红"),
                                             ("环境保护", "红", "红")])
    b = unit("Z2", "龙泉镇", (2, 2), lights=[("财政收入", "黄", "红"), ("招商引资", "红", "绿")])
    # red then: 城关 2 + 龙泉 1 = 3; now: 城关 2 + 龙泉 1 = 3
    assert lights_sentences([a, b]) == [
        "红灯指标与上期持平，均为3个。",
        "由红灯转为绿灯的2项：城关镇“财政收入”、龙泉镇“招商引资”。",
        "转为红灯的2项：城关镇“招商引资”、龙泉镇“财政收入”。"]


def test_unit_trend_lines():
    ur = unit("Z1", "城关镇", (5, 2), totals=(80.0, 91.5), lights=[("财政收入", "红", "绿")])
    # 91.5 − 80 = 11.5 points more; 5th → 2nd
    assert unit_trend_lines(ur) == [
        "历次考核：8月80.00分、第5名（良好）；9月91.50分、第2名（优秀）。",
        "与上期（8月）相比，名次前进3位（由第5名升至第2名），综合得分增加11.50分。",
        "由红灯转为绿灯：“财政收入”。"]
    assert [arrow(d) for d in (3, -2, 0, None)] == ["↑3", "↓2", "—", "新"]


@pytest.mark.parametrize("ranks, totals, sentence, change", [
    # 市考 凤台区: 前三季度 98.9549 (printed 98.95), 全年 101.4151 (printed 101.42): the full figures
    # differ by 2.4602, but a reader subtracts the printed ones: 101.42 − 98.95 = 2.47
    ((1, 1), (98.9549, 101.4151), "与上期（8月）相比，你单位名次持平（均为第1名），综合得分增加2.47分。", 2.47),
    # 临川县: 前三季度 7th → 全年 5th, 88.80 → 92.98: +4.18; the ranks named, so it is not read
    # against "较上年后退2位" (last year's final rank, SPEC 3.10)
    ((7, 5), (88.8, 92.98), "与上期（8月）相比，你单位名次前进2位（由第7名升至第5名），综合得分增加4.18分。", 4.18),
    # 后退, and a fall that the full figures put at 0.0049 but the printed ones at 0.01
    ((5, 6), (92.655, 92.6501), "与上期（8月）相比，你单位名次后退1位（由第5名降至第6名），综合得分减少0.01分。", -0.01),
    # equal printed totals: 持平, though the full figures differ by 0.004
    ((3, 3), (90.001, 90.004), "与上期（8月）相比，你单位名次持平（均为第3名），综合得分持平。", 0.0),
])
def test_trend_change_is_the_difference_of_the_printed_totals(ranks, totals, sentence, change):
    from tzreport.words.trend import total_change
    ur = unit("Z1", "城关镇", ranks, totals=totals)
    assert unit_trend_lines(ur, "你单位")[1] == sentence
    assert total_change(ur) == change
    # the same rule in every output: score_change of the published scores
    from tzreport.words.numbers import score_change, score_text
    assert total_change(ur) == round(float(score_text(totals[1])) - float(score_text(totals[0])), 2) \
        == score_change(totals[1], totals[0])


# the two quarters of the template round trip in rules/test_3_11_periods.py ("as above")
def test_round_trip_outputs_say_the_trend(tmp_path):
    """The same two quarters as above, as a clerk reads them in 进展通报, 通知 and 考核结果."""
    import openpyxl
    from docx import Document
    from helpers import all_text

    from tzreport.pipeline import build
    folder = tmp_path / "in"
    rules = [("一季度", D(2026, 3, 31), 40), ("上半年", D(2026, 6, 30), 60)]
    write_book(folder / "考核方案.xlsx", scheme_sheets(参数=params(D(2026, 6, 30)),
                                                  考核期=periods_sheet(rules, points="1:1；2:0.5")))
    for unit, (a1, w1), (a2, w2) in (("城关镇", (250, "完成"), (400, "完成")),
                                     ("龙泉镇", (400, "完成"), (1000, "完成")),
                                     ("青山镇", (375, "基本完成"), (750, "完成"))):
        write_submission(folder / "一季度", unit, {"I01": a1, "I02": w1}, as_of="2026年3月31日")
        write_submission(folder, unit, {"I01": a2, "I02": w2}, as_of="2026年6月30日")
    build([folder], tmp_path / "out")
    # ranks 一季度 城关 1, 龙泉 2, 青山 3 → 上半年 (folded) 龙泉 1, 青山 2, 城关 3
    bulletin = all_text(Document(tmp_path / "out" / "进展通报.docx"))
    assert "与上期（一季度）相比，龙泉镇前进1位，青山镇前进1位，城关镇后退2位。" in bulletin
    assert "本次基础得分按考核期折算：一季度权重40、上半年权重60。" in bulletin
    notice = all_text(Document(tmp_path / "out" / "通知" / "龙泉镇.docx"))
    # 龙泉 一季度 88 (良好, 2nd); 上半年 96.7 (优秀, 1st); 96.7 − 88 = 8.7
    assert "你单位历次考核：一季度88.00分、第2名（良好）；上半年96.70分、第1名（优秀）。" in notice
    # the 名次加分 with the bonuses; the fold where the 通知 speaks of the base, after the current
    # period's own: (88×40 + 100×60)/100 = 95.2
    assert "你单位名次加分1.5分（按各期当期综合得分排名：一季度第2名0.5分、上半年第1名1分）。" in notice
    assert "上半年各项得分合计100.00分，即上半年基础得分；基础得分按考核期折算：（一季度88.00分×40、" \
           "上半年100.00分×60）÷100＝95.20分。" in notice
    assert "与上期（一季度）相比，你单位名次前进1位（由第2名升至第1名），综合得分增加8.70分。" in notice
    ws = openpyxl.load_workbook(tmp_path / "out" / "批注" / "龙泉镇.xlsx")["考核结果"]
    pairs = {r[0]: r[1:3] for r in ws.iter_rows(max_col=3, values_only=True) if r[0]}
    assert pairs["历次考核：一季度"] == (88.0, "第2名，良好")
    assert pairs["历次考核：上半年"] == (96.7, "第1名，优秀")
    assert pairs["名次变化"] == ("↑1", "与上期（一季度）相比，名次前进1位（由第2名升至第1名）")
    assert pairs["综合得分变化"] == (8.7, "与上期（一季度）相比，综合得分增加8.70分")
    assert pairs["考核期折算"] == (95.2, "基础得分按考核期折算：（一季度88.00分×40、上半年100.00分×60）÷100＝95.20分；"
                                    "名次加分1.5分（按各期当期综合得分排名：一季度第2名0.5分、上半年第1名1分）。")
