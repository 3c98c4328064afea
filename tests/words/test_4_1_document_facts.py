"""SPEC 4.1 What the documents may say: one hand-made case per rule.

The exact sentences of the 进展通报, 考核结果通报 and 通知, and the absence of the false ones.

The case: five 镇 of one category at 30 September (p = 0.75) and at 31 December (p = 1):

  indicator                         城关镇   龙泉镇   青山镇    白马镇   金鸡乡
  I01 一般公共预算收入 完成率 序时 万元   800    (blank)  未报送    700     500     targets 1000 (T' = 750)
  I02 信访 控制 序时 批次                5      10      未报送    13      8.5     lines 12 (L' = 9)
  I03 开工率 分档 %                     95      95      未报送    82      85      bands 90→1, 80→0.8, 0→0.5
  I04 能耗 完成率 逆向 吨/万元           0.45    0.5     未报送    0.52    0.6     targets 0.5
  I05 环境保护 定性 (一票否决 是)         完成    完成    未报送    完成    未完成
  扣分与否决: 白马镇 "安全生产事故" 1 分, 一票否优.

Hand-computed facts (p = 0.75):
* I01 lights: d = A/T − 0.75: 城关 +5 绿, 白马 −5 黄, 金鸡 −25 红; 龙泉 blank: 红 but 未填报.
  Σ over those that reported: 2000 / 3000 = 66.7%, 8.3 points below 75%.
* I02 L' = 12 × 0.75 = 9: 城关 5 ≤ 8.1 绿; 金鸡 8.5 ≤ 9 黄; 龙泉 10 > 9 but ≤ 12: 超过序时控制数;
  白马 13 > 12: 突破年度控制线.
* I03 分档 ranks on score: 城关 95, 龙泉 95 → 1.0, rank 1; 金鸡 85 and 白马 82 → 0.8, both 3rd:
  并列末位 (2 of 4 reporters, not more than half).
* I04 逆向: δ = (T − A)/T; 金鸡 (0.5 − 0.6)/0.5 = −20% last (rank 4); no 完成率 anywhere.
* I05: 金鸡 未完成 → 一票否决 (是).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tzreport.model import Deduction, GradeRule, Indicator, Params, Scheme, Submission, Target, Unit, Value
from tzreport.rules.evaluate import evaluate
from tzreport.words.facts import categories, grade_order
from tzreport.words.notice_doc import notice_context
from tzreport.words.progress_doc import progress_context
from tzreport.words.results_doc import results_context

UNITS = [("Z01", "城关镇"), ("Z02", "龙泉镇"), ("Z03", "青山镇"), ("Z04", "白马镇"), ("Z05", "金鸡乡")]


VALUES = {  # 青山镇 sent nothing
    "Z01": {"I01": 800.0, "I02": 5.0, "I03": 95.0, "I04": 0.45, "I05": "完成"},
    "Z02": {"I01": None, "I02": 10.0, "I03": 95.0, "I04": 0.5, "I05": "完成"},
    "Z04": {"I01": 700.0, "I02": 13.0, "I03": 82.0, "I04": 0.52, "I05": "完成"},
    "Z05": {"I01": 500.0, "I02": 8.5, "I03": 85.0, "I04": 0.6, "I05": "未完成"},
}


def _scheme(as_of: dt.date) -> Scheme:
    inds = [
        Indicator("I01", "镇街", "目标任务", "财政收入", "一般公共预算收入", "万元", 40, prorate=True,
                  lead="县财政局", support="县税务局"),
        Indicator("I02", "镇街", "目标任务", "平安建设", "信访", "批次", 20, method="控制", prorate=True,
                  lead="县信访局"),
        Indicator("I03", "镇街", "目标任务", "项目建设", "开工率", "%", 20, method="分档"),
        Indicator("I04", "镇街", "目标任务", "节能减排", "能耗", "吨/万元", 10, direction="逆向"),
        Indicator("I05", "镇街", "目标任务", "生态环境", "环境保护", "", 10, method="定性", veto="是"),
    ]
    for n, ind in enumerate(inds):
        ind.order = n
    targets = {}
    for code, _ in UNITS:
        targets[(code, "I01")] = Target(1000.0)
        targets[(code, "I02")] = Target(12.0)
        targets[(code, "I04")] = Target(0.5)
    params = Params(name="测试县2026年度目标责任考核", year=2026, as_of=as_of, issuer="测试县考核办",
                    method_doc="《测试县目标责任考核办法》（测办发〔2026〕3号）")
    return Scheme(params, [Unit(code, name, "镇街") for code, name in UNITS], inds, targets,
                  bands={("镇街", "I03"): [(0.0, 0.5), (80.0, 0.8), (90.0, 1.0)]},
                  grades=[GradeRule("好", 90), GradeRule("较好", 80), GradeRule("一般", 60), GradeRule("差")],
                  deductions=[Deduction("Z04", "安全生产事故", 1.0, veto="否优")])


def _build(as_of: dt.date):
    scheme = _scheme(as_of)
    subs = [Submission(code, f"报表/{code}.xlsx", "指标完成情况",
                       values={k: Value(v) for k, v in values.items() if v is not None}, as_of=as_of)
            for code, values in VALUES.items()]
    result = evaluate(scheme, subs, [])
    cats = {c.name: c for c in categories(result)}
    order = grade_order(result, scheme)
    progress = progress_context(result, scheme, None)
    notices = {u.name: notice_context(result, cats[u.category], u, order) for u in result.units}
    results = results_context(result, scheme) if as_of.month == 12 else None
    return result, progress, notices, results


def _text(ctx) -> str:
    """Every sentence of a context, one per line (sections flattened)."""
    lines = [ctx["title"]]
    for value in ctx.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    lines.append(item)
                elif isinstance(item, dict) and "paragraphs" in item:
                    lines += item["paragraphs"]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def september():
    return _build(dt.date(2026, 9, 30))


@pytest.fixture(scope="module")
def december():
    return _build(dt.date(2026, 12, 31))


# (document, expected sentence(s), sentences that must not be there)
SEPTEMBER = [
    # a unit missing entirely: said once as 未报送, never counted as red, 突破, 末位 or 未赶上
    ("progress", ["镇（街道）共5个单位参加考核，考核指标5项。青山镇1个单位未报送报表，各项指标按0分计，"
                  "不参与亮灯和排名统计。",
                  "青山镇未报送报表，请抓紧报送。"],
     ["青山镇已突破", "青山镇亮红灯", "青山镇有"]),
    ("青山镇", ["你单位未报送报表，各项指标按0分计。"], ["参与亮灯的指标", "位居末位"]),
    # a blank value: red, said as 未填报, not a red light of performance. 二 counts, 三 (存在问题)
    # names the units once.
    ("progress", ["1.一般公共预算收入：合计完成2000万元，完成年度目标的66.7%，低于序时进度8.3个百分点；"
                  "3个单位中，绿灯1个，黄灯1个，红灯1个；1个单位未填报。",
                  "1.一般公共预算收入（牵头单位：县财政局；配合单位：县税务局）：金鸡乡1个单位亮红灯，"
                  "白马镇1个单位亮黄灯，龙泉镇未填报。"],
     ["红灯2个", "黄灯1个（白马镇）"]),
    ("龙泉镇", ["未填报的指标：一般公共预算收入，按0分计。"], ["亮红灯的指标：一般公共预算收入"]),
    # a prorated control line between L' = 9 and L = 12 (龙泉镇 10), and one over L (白马镇 13)
    ("progress", ["2.信访：1个单位已突破年度控制线，1个单位超过序时控制数、未突破年度控制线，1个单位接近控制线。",
                  "2.信访（牵头单位：县信访局）：白马镇已突破年度控制线，龙泉镇超过序时控制数，但未突破年度控制线，"
                  "金鸡乡接近控制线。"],
     ["龙泉镇已突破", "低于控制线", "个单位亮红灯，龙泉镇"]),
    ("龙泉镇", ["信访：实际10批次，超过序时控制数9批次（年度控制线12批次）。"], ["低于控制线", "突破年度控制线"]),
    ("白马镇", ["信访：实际13批次，突破年度控制线12批次（序时控制数9批次）。"], ["低于控制线"]),
    # 分档 tie at the bottom: 并列末位 with the rank printed beside it
    ("白马镇", ["有2项指标在镇（街道）中位居末位：信访（第4位）、开工率（第3位，2个单位并列末位）。"], []),
    ("金鸡乡", ["有4项指标在镇（街道）中位居末位：一般公共预算收入（第3位）、开工率（第3位，2个单位并列末位）、"
                "能耗（第4位）、环境保护（第4位）。"], []),
    ("城关镇", [], ["位居末位"]),
    # vetoes of both kinds, with the reason
    ("progress", ["按当前完成情况，白马镇因安全生产事故被一票否优，年度考核不得评为第一等次。",
                  "按当前完成情况，金鸡乡因“环境保护”指标被一票否决，年度考核将定为最低等次。"], []),
    ("金鸡乡", ["你单位因“环境保护”指标被一票否决，年度考核将定为最低等次。"], []),
    # the 办法 is cited
    ("progress", ["根据《测试县目标责任考核办法》（测办发〔2026〕3号），考核办对截至2026年9月30日各单位目标任务"
                  "完成情况进行了统计，序时进度为75.0%。现将有关情况通报如下。"], []),
]


@pytest.mark.parametrize("doc, present, absent", SEPTEMBER)
def test_september_sentences(september, doc, present, absent):
    _, progress, notices, _ = september
    text = _text(progress if doc == "progress" else notices[doc])
    for sentence in present:
        assert sentence in text, sentence
    for false in absent:
        assert false not in text, false


def test_reverse_indicator_shows_no_completion_rate(september):
    result, _, notices, _ = september
    # 金鸡乡 能耗 0.6 against 0.5: the difference in words, no "120.0%"
    row = next(r for r in notices["金鸡乡"]["indicator_tables"][0]["rows"] if r["name"] == "能耗")
    assert (row["target"], row["actual"], row["progress"], row["rank"]) == ("0.5", "0.6", "超过目标值0.1", 4)
    assert all(r.indicators[3].completion_rate is None for r in result.units)
    # forward 总量 keeps its 完成率 of the annual target: 白马镇 700 / 1000
    row = next(r for r in notices["白马镇"]["indicator_tables"][0]["rows"] if r["name"] == "一般公共预算收入")
    assert row["progress"] == "70.0%" and row["measure"] == "万元"
    row = next(r for r in notices["龙泉镇"]["indicator_tables"][0]["rows"] if r["name"] == "信访")
    assert (row["target"], row["progress"]) == ("12", "超序时控制数")


def test_lights_of_a_unit_that_left_a_value_blank(september):
    _, _, notices, _ = september
    # 龙泉镇: I01 blank (红, 未填报), I02 red (over L'), I04 0.5 = target → d = 0 绿, I05 绿: 4 lit
    overview = "\n".join(notices["龙泉镇"]["overview"])
    assert "参与亮灯的指标4项，达到序时进度（绿灯）2项、占比50.0%，滞后序时进度（红灯）2项、占比50.0%，" \
           "其中未填报1项。" in overview


@pytest.mark.parametrize("doc", ["progress", "城关镇", "龙泉镇", "青山镇", "白马镇", "金鸡乡", "results"])
def test_year_end_says_nothing_of_schedules(december, doc):
    _, progress, notices, results = december
    ctx = {"progress": progress, "results": results}.get(doc) or notices[doc]
    text = _text(ctx)
    assert "序时" not in text and "倒排" not in text and "距年度目标还差" not in text
    assert not ctx.get("plans")
    if "heads" in ctx:
        assert "倒排计划" not in ctx["heads"].values() and not ctx["heads"]["plans"]


def test_year_end_progress_is_a_report_of_the_year(december):
    _, progress, _, _ = december
    text = _text(progress)
    assert progress["title"] == "关于测试县2026年度目标责任考核全年目标任务完成情况的通报"
    assert progress["heads"]["indicators"] == "二、年度目标完成情况"
    # I01 at p = 1: 2000 / 3000 of the annual target, the yardstick is the year
    assert "1.一般公共预算收入：合计完成2000万元，完成年度目标的66.7%；" in text
    assert "金鸡乡因“环境保护”指标被一票否决，考核等次为“差”。" in text
    # 龙泉镇 10 ≤ L = 12 at the year end: not over any line
    assert "龙泉镇超过" not in text


def test_year_end_results_bulletin(december):
    result, _, _, results = december
    text = _text(results)
    assert "金鸡乡因“环境保护”指标被一票否决，考核等次为“差”。" in text
    assert "白马镇因安全生产事故被一票否优，考核等次为“" in text
    assert "青山镇1个单位未报送年度完成情况，由单位填报的指标均按0分计。" in text
    # the scheme's first grade is 好, never a hard-coded 优秀
    assert "优秀" not in text
    first = [u.name for u in result.units if u.grade == "好"]
    assert results["praise"] == ([f"对评为“好”等次的{'、'.join(first)}{len(first)}个单位予以通报表扬。"]
                                 if first else ["本年度没有单位评为“好”等次。"])
    row = next(r for t in results["tables"] for r in t["rows"] if r["name"] == "青山镇")
    assert row["note"] == "未报送"


def test_consequences_are_grouped():
    from types import SimpleNamespace as U

    from tzreport.words.results_doc import consequence_lines
    units = [U(name="白马镇", grade="一般", consequences=["诫勉谈话"]),
             U(name="柳河镇", grade="一般", consequences=["诫勉谈话"]),
             U(name="金鸡乡", grade="差", consequences=["组织调整", "诫勉谈话"]),
             U(name="城关镇", grade="好", consequences=[])]
    assert consequence_lines(units) == ["白马镇（一般）、柳河镇（一般）：诫勉谈话。",
                                        "金鸡乡（差）：组织调整；诫勉谈话。"]


def test_year_end_names_every_unit_that_sent_nothing(tmp_path):
    from helpers import write_all

    from tzreport.pipeline import build, exit_code
    folder = write_all(tmp_path / "in", skip=("青山镇",))
    result = build([folder], tmp_path / "out", as_of=dt.date(2026, 12, 31))
    warnings = [i.message for i in result.issues if i.severity == "warning" or i.severity == "提示"]
    assert any(m.startswith("青山镇未报送2026年度完成情况") and "考核结果通报中列为未报送" in m
               for m in [i.message for i in result.issues]), warnings
    assert exit_code(result) == 1
    from docx import Document
    doc = Document(tmp_path / "out" / "考核结果通报.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "青山镇1个单位未报送年度完成情况，由单位填报的指标均按0分计。" in text


def test_last_place_counts_are_the_units_at_the_last_place(september):
    # counted once per build for every unit's 通知; the same as going over the units
    result = september[0]
    for cat in categories(result):
        assert cat.last_counts == [sum(1 for u in cat.units if cat.is_last(u, k))
                                   for k in range(len(cat.indicators))]
        assert any(n > 1 for n in cat.last_counts)      # the 分档 tie of the sentences above
