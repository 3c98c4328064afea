"""SPEC 3.8, 3.10 and 3.11 as the 通知, 批注 and 汇总 of the 市考 sample say them (words/rule_forms.py).

Caps and what a bonus is made of, the 进位 line, deductions each explained, the current period then
the fold, printed folds and rescalings that hold with the printed operands."""
from __future__ import annotations

from pathlib import Path

import pytest


# -- what the outputs say (the 市考 sample: 加分类别 指标加分 3 / 表彰加分 2 / 进位加分 1, 加分总上限 5,
# 进位奖励 每进一位 0.3, 每退一位 0.2, 退位上限 1, 保位名次 3, 保位加分 0.5) ----------------------------
def test_city_outputs_show_caps_and_rank_changes(tmp_path):
    import openpyxl
    from docx import Document
    from helpers import all_text

    from tzreport import build
    samples = __import__("pathlib").Path(__file__).parent.parent.parent / "sample_workbooks"
    result = build([samples / "市考"], tmp_path)
    unit = {u.name: u for u in result.units}
    # 长乐县: 1st last year, 2nd before 进位 (on the folded year, SPEC 3.11) → 保位 +0.5; 指标加分 3.9
    # → 3 (上限 3); 表彰加分 国家级 2 (= 上限 2); 名次加分 (3.11, "1:0.5；2:0.3；3:0.2") 一季度 1st 0.5 +
    # 上半年 3rd 0.2 + 前三季度 2nd 0.3 + 全年 2nd 0.3 = 1.3; 3 + 2 + 0.5 + 1.3 = 6.8 → 加分总上限 5.
    c = unit["长乐县"]
    assert c.rank_change["kind"] == "保位" and c.bonus == pytest.approx(5.0)
    assert [(p["period"], p["rank"], p["points"]) for p in c.fold["periods"]] == [
        ("一季度", 1, 0.5), ("上半年", 3, 0.2), ("前三季度", 2, 0.3), ("全年", 2, 0.3)]
    assert c.bonus_before_total_cap == pytest.approx(6.8)
    rows = {r[0]: r[1:3] for r in openpyxl.load_workbook(tmp_path / "批注" / "长乐县.xlsx")["考核结果"]
            .iter_rows(max_col=3, values_only=True) if r[0]}
    assert rows["  其中：指标加分"] == (3, "应得3.9分，超过指标加分上限3分，按3分计")
    assert rows["进位"] == (0.5, "上年第1名、本年第2名，保持前3名，保位加0.5分")
    said = "各类加分合计6.8分（指标加分3分、表彰加分2分、进位加分0.5分、名次加分1.3分），超过加分总上限5分，按5分计"
    assert said in rows["加分"][1]
    notice = all_text(Document(tmp_path / "通知" / "长乐县.docx"))
    assert f"你单位指标加分应得3.9分，超过指标加分上限3分，按3分计；{said}。" in notice
    # 和平县 has no 名次 for 2025 in 历年等次.
    assert "你单位上年无名次，不计进位加分。" in all_text(Document(tmp_path / "通知" / "和平县.docx"))
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["综合排名"]
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "考核类别")
    assert header[header.index("表彰加分") + 1:header.index("综合得分")] == ("进位加分", "名次加分", "加分合计", "扣分",
                                                                      "进位")
    # A 退位 is a deduction: 怀远县 9th last year, 11th before 进位 → −0.2 × 2 = −0.4, in D with its
    # 扣分与否决 item 1.5 → 1.9.
    h = unit["怀远县"]
    assert h.rank_change["points"] == pytest.approx(-0.4) and h.deduction == pytest.approx(1.9)


def test_rank_change_line_says_the_ranks_in_plain_words():
    """SPEC 3.10: the 进位 line names last year's rank and this year's rank before the 进位 points,
    in words a unit reads ("不计进位加减分时"), not the office's shorthand ("计进位分前")."""
    from types import SimpleNamespace as NS

    from tzreport.words.rule_forms import rank_change_text
    ur = NS(rank_change={"kind": "进位", "text": "较上年前进2位，加0.6分", "last_rank": 5, "rank_before": 3})
    assert rank_change_text(ur) == "较上年前进2位，加0.6分（上年第5名，本年不计进位加减分时第3名）"


# -- the 市考 sample as a reader reads it: the current period, each period × 权重, the folded base --
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from tzreport.pipeline import build
    out = tmp_path_factory.mktemp("city")
    return out, build([Path(__file__).resolve().parents[2] / "sample_workbooks" / "市考"], out)


def _notice(out, unit) -> list:
    from docx import Document
    return [p.text for p in Document(out / "通知" / f"{unit}.docx").paragraphs]


def _result_pairs(out, unit) -> dict:
    """考核结果's label → (value, note), the first row of each label (一、总体情况)."""
    import openpyxl
    ws = openpyxl.load_workbook(out / "批注" / f"{unit}.xlsx")["考核结果"]
    pairs = {}
    for r in ws.iter_rows(max_col=3, values_only=True):
        if r[0]:
            pairs.setdefault(r[0], r[1:3])
    return pairs


def _ranking(out) -> tuple:
    import openpyxl
    rows = list(openpyxl.load_workbook(out / "汇总.xlsx")["综合排名"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "考核类别")
    name = rows[head].index("单位")     # after 分组 where a unit has one
    return rows[head - 1][0], rows[head], {r[name]: dict(zip(rows[head], r)) for r in rows[head + 1:] if r[name]}


def _sentences(paragraphs: list) -> list:
    """Each paragraph's sentences, each with its "。" (a rounding note may follow in the same one)."""
    return [t + "。" for p in paragraphs for t in p.split("。") if t]


def test_city_place_bonus_says_which_rank_it_counts(city):
    """SPEC 3.11: 名次加分 goes by each period's own rank_j (on that period's 综合得分); 临川县 ranks
    3rd on the 全年 period's own score (0.2 by "1:0.5；2:0.3；3:0.2") and 5th after the fold, and
    the 通知 prints "第5名" beside it: the sentence says which rank the 0.2 counts."""
    out, result = city
    lin = next(u for u in result.units if u.name == "临川县")
    assert lin.rank == 5
    assert [(p["period"], p["rank"], p["points"]) for p in lin.fold["periods"] if p["points"]] == [("全年", 3, 0.2)]
    assert "你单位名次加分0.2分（按各期当期综合得分排名：全年第3名0.2分）。" in _sentences(_notice(out, "临川县"))


def test_city_notice_says_what_the_bonus_is_made_of(city):
    """SPEC 3.8: 临川县's 加分 4.49 = 指标加分 2.29 + 表彰加分 2 (3 claimed, 上限 2) + 名次加分 0.2; the
    通知 says so (the 表彰 cap in the sentence after it), with the indicators that earned a bonus."""
    out, result = city
    lin = next(u for u in result.units if u.name == "临川县")
    assert {c["name"]: round(c["granted"], 2) for c in lin.bonus_classes if c["granted"]} == {
        "指标加分": 2.29, "表彰加分": 2.0, "名次加分": 0.2}
    notice = _notice(out, "临川县")
    assert "你单位加分4.49分：指标加分2.29分（地区生产总值增速、城镇居民人均可支配收入增速、进京赴省越级上访批次）、" \
           "表彰加分2分、名次加分0.2分。" in notice
    assert "你单位表彰加分应得3分，超过表彰加分上限2分，按2分计。" in notice
    # a total cap note lists the classes itself: no second list (凤台区, capped at 5)
    assert not any(p.startswith("你单位加分") for p in _notice(out, "凤台区"))


def test_city_notice_says_the_current_period_then_the_fold(city):
    out, _ = city
    yong = _notice(out, "永宁县")
    # 永宁县: every indicator applies (Σ 分值 100, no rescaling); the 全年 period's scores add up to
    # 75.33; folded: (83.07×15 + 80.10×25 + 71.63×25 + 75.33×35)/100
    # = (1246.05 + 2002.50 + 1790.75 + 2636.55)/100 = 7675.85/100 = 76.7585 → 76.76
    assert "全年各项得分合计75.33分，即全年基础得分；基础得分按考核期折算：（一季度83.07分×15、上半年80.10分×25、" \
           "前三季度71.63分×25、全年75.33分×35）÷100＝76.76分。" in _sentences(yong)
    # 综合得分 76.76 − 扣分 2.40 = 74.36
    assert yong[yong.index("一、总体情况") + 1].startswith(
        "2026年度，你单位综合得分74.36分（基础得分76.76分，扣分2.40分）")
    feng = _notice(out, "凤台区")
    # 凤台区 has no 农村居民人均可支配收入 target (分值 6): 折算系数 100/94 = 1.0638;
    # 90.94 × 1.0638 = 96.742 → 96.74, the 全年 period's base; folded:
    # (95.55×15 + 97.01×25 + 95.89×25 + 96.74×35)/100 = (1433.25 + 2425.25 + 2397.25 + 3385.90)/100
    # = 9641.65/100 = 96.4165 → 96.42
    assert "全年各项得分合计90.94分，按县（市、区）满分100分折算（折算系数1.0638），全年基础得分96.74分；" \
           "基础得分按考核期折算：（一季度95.55分×15、上半年97.01分×25、前三季度95.89分×25、全年96.74分×35）" \
           "÷100＝96.42分。" in _sentences(feng)
    # 名次加分 (SPEC 3.11: each period's own rank_j) 1:0.5；2:0.3 — 一季度 2nd 0.3, then 1st three times 0.5: 0.3 + 1.5 = 1.8
    assert "你单位名次加分1.8分（按各期当期综合得分排名：一季度第2名0.3分、上半年第1名0.5分、前三季度第1名0.5分、全年第1名0.5分）。" in feng
    for text in (yong, feng):     # the old contradiction: the current period's sum called the 基础得分
        assert not any("，即基础得分" in p or "÷100＝" in p and p.startswith("你单位基础得分") for p in text)


def test_every_printed_fold_and_rescaling_holds_with_the_printed_operands(city):
    """All 14 notices: Σ printed base × 权重 ÷ Σ 权重 and 合计 × 折算系数 round to the printed result."""
    import re
    from decimal import ROUND_HALF_UP, Decimal
    out, _ = city

    def r2(x):
        return x.quantize(Decimal("0.01"), ROUND_HALF_UP)
    folds = scales = 0
    for path in sorted((out / "通知").glob("*.docx")):
        text = "\n".join(_notice(out, path.stem))
        for m in re.finditer(r"按考核期折算：（(.*?)）÷([\d.]+)＝([\d.]+)分", text):
            terms = re.findall(r"([\d.]+)分×([\d.]+)", m.group(1))
            assert r2(sum(Decimal(a) * Decimal(b) for a, b in terms) / Decimal(m.group(2))) == Decimal(m.group(3))
            folds += 1
        for m in re.finditer(r"合计([\d.]+)分，按.*?折算（折算系数([\d.]+)），全年基础得分([\d.]+)分", text):
            assert r2(Decimal(m.group(1)) * Decimal(m.group(2))) == Decimal(m.group(3)), path.stem
            scales += 1
    assert folds == 14 and scales == 2      # 凤台区 and 龙山区 lack a target: rescaled


def test_city_parts_add_up_to_what_they_are_labelled(city):
    out, result = city
    pairs = _result_pairs(out, "永宁县")
    parts = [v for k, (v, _) in pairs.items() if k.startswith("  其中：") and k[5:] in
             ("经济发展", "人民生活", "社会发展", "资源环境", "社会安全", "班子和队伍建设")]
    # 29.52 + 10.03 + 8.95 + 7.98 + 8.00 + 10.84 = 75.32, the 全年 base 75.33 within rounding
    assert pairs["全年基础得分"] == (75.33, "全年各大类得分合计，未按考核期折算")
    assert sum(parts) == pytest.approx(75.33, abs=0.015)
    assert pairs["考核期折算"][0] == 76.76
    keys = list(pairs)     # in order: the current period's base, its parts, then the fold
    assert keys.index("全年基础得分") < keys.index("  其中：经济发展") < keys.index("考核期折算") < keys.index("加分")
    note, header, rows = _ranking(out)
    assert "各大类得分和全年基础得分为本期（全年）得分，未按考核期折算；基础得分按考核期折算（一季度15、上半年25、" \
           "前三季度25、全年35）" in note
    majors = [h for h in header if h and h.endswith("（全年）")]
    assert len(majors) == 6
    for unit in ("凤台区", "永宁县"):
        row = rows[unit]
        assert sum(row[h] for h in majors) == pytest.approx(row["全年基础得分"], abs=0.015)
    # 凤台区: 39.47 + 6.38 + 12.69 + 11.49 + 14.89 + 11.82 = 96.74, folded 96.42
    assert (rows["凤台区"]["全年基础得分"], rows["凤台区"]["基础得分"]) == (96.74, 96.42)
    assert (rows["永宁县"]["全年基础得分"], rows["永宁县"]["基础得分"]) == (75.33, 76.76)


def test_city_deductions_are_each_explained(city):
    out, _ = city
    # 永宁县: 扣分与否决 2 (较大生产安全事故) + 退位 11th → 13th, 2 × 0.2 = 0.4: 2.40
    assert "你单位扣分2.40分：发生较大生产安全事故（1起3人死亡），扣2分；退位扣分（较上年后退2位），扣0.4分。" \
        in _notice(out, "永宁县")
    # 怀远县: 1.5 (耕地保护) + 退位 9th → 11th, 0.4: 1.90
    assert "你单位扣分1.90分：耕地保护督察发现违法占地问题，扣1.5分；退位扣分（较上年后退2位），扣0.4分。" \
        in _notice(out, "怀远县")
    assert not any(p.startswith("你单位扣分") for p in _notice(out, "凤台区"))       # nothing deducted
    # a 退位 alone is said by the 进位 line, not twice
    assert not any(p.startswith("你单位扣分") for p in _notice(out, "临川县"))
    assert _result_pairs(out, "永宁县")["扣分"] == (
        2.4, "发生较大生产安全事故（1起3人死亡），扣2分；退位扣分（较上年后退2位），扣0.4分")
    _, _, rows = _ranking(out)
    assert rows["永宁县"]["扣分"] == 2.4 and rows["怀远县"]["扣分"] == 1.9
    assert rows["永宁县"]["说明"].endswith("较上年后退2位，扣0.4分；发生较大生产安全事故（1起3人死亡），扣2分")
    assert rows["怀远县"]["说明"] == "较上年后退2位，扣0.4分；耕地保护督察发现违法占地问题，扣1.5分"
