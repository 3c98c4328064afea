"""SPEC 4's prose (words/prose.py) on hand-made cases: every sentence written out as a clerk would type it."""
import pytest

from tzreport.words import prose


@pytest.mark.parametrize("on, behind, expected", [
    # all on schedule
    (["生产总值", "财政收入", "固定资产投资"], [], "全县3项市考经济指标全部达到序时进度。"),
    # none
    ([], ["生产总值", "财政收入"], "全县生产总值、财政收入2项市考经济指标均未达到序时进度。"),
    # exactly one indicator in all, either way
    (["财政收入"], [], "全县1项市考经济指标（财政收入）达到序时进度。"),
    ([], ["财政收入"], "全县1项市考经济指标（财政收入）未达到序时进度。"),
    # exactly one behind: no 等
    (["财政收入", "引进内资"], ["外资"],
     "全县3项市考经济指标中，除财政收入、引进内资2项指标赶上序时进度外，外资1项未赶上进度。"),
    # seed 000's own sentence (with its 9项项 put right)
    (["财政收入", "引进内资"], ["生产总值", "固定资产投资", "规模以上工业增加值", "社会消费品零售总额",
                          "服务业增加值", "农业增加值", "外资", "市级重点项目", "民生工程"],
     "全县11项市考经济指标中，除财政收入、引进内资2项指标赶上序时进度外，生产总值、固定资产投资、"
     "规模以上工业增加值、社会消费品零售总额、服务业增加值、农业增加值、外资、市级重点项目、民生工程等9项未赶上进度。"),
    ([], [], ""),
])
def test_schedule_sentence(on, behind, expected):
    text = prose.schedule_sentence("全县", "市考经济指标", on, behind)
    assert text == expected
    assert "项项" not in text and "None" not in text


@pytest.mark.parametrize("on, behind, exceptions, expected", [
    # 市考 at the year end: 一般公共预算收入 totals 91.4% of the target but 凤台区 reached 101.2%,
    # and 2 units reached their 城镇新增就业: the totals missed, not every unit (no "均未完成")
    ([], ["一般公共预算收入", "城镇新增就业"], {"一般公共预算收入": 1, "城镇新增就业": 2},
     "从指标看，一般公共预算收入、城镇新增就业2项县（市、区）考核指标合计未完成年度目标，"
     "其中一般公共预算收入、城镇新增就业分别有1个、2个单位完成年度目标。"),
    ([], ["一般公共预算收入", "城镇新增就业"], {"一般公共预算收入": 1, "城镇新增就业": 0},
     "从指标看，一般公共预算收入、城镇新增就业2项县（市、区）考核指标合计未完成年度目标，"
     "其中一般公共预算收入有1个单位完成年度目标。"),
    # no unit reached either: 均 is true
    ([], ["一般公共预算收入", "城镇新增就业"], {"一般公共预算收入": 0},
     "从指标看，一般公共预算收入、城镇新增就业2项县（市、区）考核指标均未完成年度目标。"),
    ([], ["一般公共预算收入"], {"一般公共预算收入": 1},
     "从指标看，1项县（市、区）考核指标（一般公共预算收入）合计未完成年度目标，其中有1个单位完成年度目标。"),
    # the mirror: totals all reached while 3 units fell short of one: no "全部"
    (["固定资产投资", "一般公共预算收入"], [], {"固定资产投资": 3},
     "从指标看，2项县（市、区）考核指标合计完成年度目标，其中固定资产投资有3个单位未完成年度目标。"),
    (["固定资产投资", "一般公共预算收入"], [], {},
     "从指标看，2项县（市、区）考核指标全部完成年度目标。"),
])
def test_schedule_sentence_says_all_only_when_every_unit_did(on, behind, exceptions, expected):
    text = prose.schedule_sentence("从指标看，", "县（市、区）考核指标", on, behind, True, exceptions)
    assert text == expected
    if any(exceptions.get(name) for name in behind):
        assert "均未" not in text


@pytest.mark.parametrize("part, whole, expected", [
    (44, 55, "达到序时进度44项、占比80.0%"),
    (1, 3, "达到序时进度1项、占比33.3%"),
    (2, 3, "达到序时进度2项、占比66.7%"),      # 66.666… half up
    (1, 8, "达到序时进度1项、占比12.5%"),
    (0, 0, "达到序时进度0项、占比0%"),
])
def test_count_and_share(part, whole, expected):
    assert prose.count_share("达到序时进度", part, whole) == expected


@pytest.mark.parametrize("completion, schedule, expected", [
    (0.533, 0.75, "完成年度目标的53.3%，低于序时进度21.7个百分点"),
    (0.80, 0.75, "完成年度目标的80%，高于序时进度5个百分点"),
    (0.75, 0.75, "完成年度目标的75%，与序时进度持平"),
    # −0.004 points: not 持平 beside a yellow light; printed with the decimals that show it
    (0.74996, 0.75, "完成年度目标的74.996%，低于序时进度0.004个百分点"),
    # half up 61.25 → 61.3; the gap is what a reader subtracts from the printed shares: 75 − 61.3
    (0.6125, 0.75, "完成年度目标的61.3%，低于序时进度13.7个百分点"),
])
def test_total_progress(completion, schedule, expected):
    assert prose.total_progress(completion, schedule) == expected


@pytest.mark.parametrize("actual, target, expected", [
    (6.1, 7.0, "增长6.1%，低于目标0.9个百分点"),
    # the rate as the 通知's table prints it (8.25), the gap the difference of the printed figures
    (8.25, 7.0, "增长8.25%，高于目标1.25个百分点"),
    (7.0, 7.0, "增长7.0%，与目标持平"),     # one decimal, as beside 6.1%
    (-2.4, 5.0, "下降2.4%，低于目标7.4个百分点"),
    # 6.96 against 7 lights yellow (δ = −0.04 point): never "与目标持平" (which 1 decimal gave)
    (6.96, 7.0, "增长6.96%，低于目标0.04个百分点"),
    (6.99999999999, 7.0, "增长7.0%，与目标持平"),    # float noise is no difference
])
def test_growth_progress(actual, target, expected):
    assert prose.growth_progress(actual, target) == expected
    assert prose.indicator_line("地区生产总值", prose.growth_progress(6.1, 7.0)) == \
        "地区生产总值：增长6.1%，低于目标0.9个百分点。"


@pytest.mark.parametrize("warning, crossed, expected", [
    (["维稳信访", "安全生产"], [], "维稳信访、安全生产指标虽未突破控制线，但形势不容乐观。"),
    ([], ["安全生产"], "安全生产指标已突破年度控制线。"),
    (["维稳信访"], ["安全生产"], "安全生产指标已突破年度控制线，维稳信访指标虽未突破控制线，但形势不容乐观。"),
    ([], [], ""),
])
def test_control_sentence(warning, crossed, expected):
    assert prose.control_sentence(warning, crossed) == expected


def test_control_sentence_over_the_prorated_line_only():
    # SPEC 4.1: above L' but not L is "超过序时控制数", never "突破" (and never "低于控制线")
    text = prose.control_sentence([], [], ["越级上访"])
    assert text == "越级上访指标超过序时控制数，但未突破年度控制线。"
    assert "已突破" not in text


@pytest.mark.parametrize("ranked, expected", [
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 3), ("金鸡乡", 4)], "总分居前3位的分别是城关镇、龙泉镇、青山镇。"),
    ([("城关镇", 1)], "总分居第1位的是城关镇。"),
    ([("城关镇", 1), ("龙泉镇", 2)], "总分居前2位的分别是城关镇、龙泉镇。"),
    # a tie for 2nd: still three units, and the tie is said
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 2), ("金鸡乡", 4)],
     "总分居前3位的分别是城关镇、龙泉镇、青山镇（龙泉镇、青山镇并列第2位）。"),
    # a tie for 3rd takes four units into the top 3
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 3), ("金鸡乡", 3), ("柳河镇", 5)],
     "总分居前3位的有城关镇、龙泉镇、青山镇、金鸡乡4个单位（青山镇、金鸡乡并列第3位）。"),
    ([], ""),
])
def test_top_sentence_with_ties(ranked, expected):
    assert prose.top_sentence(ranked) == expected


def test_last_place_pace_and_grades():
    assert prose.last_place_sentence([("龙泉镇", 7)]) == "龙泉镇有7项指标位居末位。"
    assert prose.last_place_sentence([("龙泉镇", 1), ("青山镇", 0)]) == "龙泉镇有1项指标位居末位。"
    assert prose.last_place_sentence([("金鸡乡", 9), ("柳河镇", 7)]) == "金鸡乡有9项指标位居末位，柳河镇有7项。"
    assert prose.last_place_sentence([("金鸡乡", 9), ("柳河镇", 7), ("桃源镇", 3)]) == \
        "金鸡乡有9项指标位居末位，柳河镇、桃源镇分别有7项、3项。"
    assert prose.last_place_sentence([("龙泉镇", 0)]) == ""
    assert prose.last_place_sentence([]) == ""
    # 倒排计划 of 金鸡乡 ZB02 at 30 September: 36400 − 23980 = 12420 万元 = 1.242亿元 → "1.24亿元"
    # over the 3 calendar months left (planning.months_left), 12420 ÷ 3 = 4140 a month, written
    # "4140万元" (whole 万元)
    assert prose.pace_sentence("固定资产投资", 12420, "万元", 3, 12420 / 3) == \
        "固定资产投资距年度目标还差1.24亿元，后3个月需月均完成4140万元。"
    # a count: 73 件 over 3 months = 24.33 a month → 25 whole 件; 2 件 → under one a month: no pace
    assert prose.pace_sentence("专项工作", 73, "件", 3, 73 / 3) == \
        "专项工作距年度目标还差73件，后3个月需月均完成25件。"
    assert prose.pace_sentence("专项工作", 2, "件", 3, 2 / 3) == "专项工作距年度目标还差2件。"
    # 20 September: 3 months and 10 of September's 30 days left = 3.33 months
    assert prose.pace_sentence("固定资产投资", 12420, "万元", 3 + 10 / 30, 12420 / (3 + 10 / 30)) == \
        "固定资产投资距年度目标还差1.24亿元，剩余3.3个月需月均完成3726万元。"
    # 7779.5 万元 is written whole, as a 通报 does: 7780万元
    assert prose.pace_sentence("一般公共预算收入", 7779.5, "万元", 0) == "一般公共预算收入距年度目标还差7780万元。"
    assert prose.grade_sentence("优秀", ["城关镇", "东关街道"]) == "评为“优秀”等次的单位（2个）：城关镇、东关街道。"
    assert prose.grade_sentence("较差", []) == "没有单位评为“较差”等次。"
    assert prose.join_names(["财政收入", "", "财政收入", "外资"]) == "财政收入、外资"


@pytest.mark.parametrize("green, yellow, red, expected", [
    # 120 + 20 + 10 = 150: 80.0%, 13.3% (13.33…), 6.7% (6.66…)
    (120, 20, 10, "达到序时进度（绿灯）120项、占比80.0%，接近序时进度（黄灯）20项、占比13.3%，"
                  "滞后序时进度（红灯）10项、占比6.7%"),
    (12, 0, 0, "12项全部达到序时进度（绿灯）"),
    (0, 3, 1, "接近序时进度（黄灯）3项、占比75.0%，滞后序时进度（红灯）1项、占比25.0%"),
    (0, 0, 1, "滞后序时进度（红灯）1项、占比100.0%"),
    (0, 0, 0, ""),
])
def test_lights_phrase(green, yellow, red, expected):
    assert prose.lights_phrase(green, yellow, red) == expected


@pytest.mark.parametrize("green, yellow, red, expected", [
    (["城关镇", "龙泉镇"], ["凤凰镇"], ["金鸡乡"], "4个单位中，绿灯2个，黄灯1个（凤凰镇），红灯1个（金鸡乡）"),
    (["城关镇", "龙泉镇"], [], [], "2个单位全部亮绿灯"),
    ([], [], ["金鸡乡"], "金鸡乡亮红灯"),
    ([], ["凤凰镇", "石桥镇"], [], "2个单位中，黄灯2个（凤凰镇、石桥镇）"),
    ([], [], [], ""),
])
def test_unit_lights_phrase(green, yellow, red, expected):
    assert prose.unit_lights_phrase(green, yellow, red) == expected


def test_long_name_lists_stop_at_a_limit():
    names = [f"第{i}镇" for i in range(1, 13)]
    assert prose.join_names(names, 3) == "第1镇、第2镇、第3镇等"
    assert prose.join_names(names[:3], 3) == "第1镇、第2镇、第3镇"
    assert prose.unit_lights_phrase([], [], names, limit=2) == "12个单位中，红灯12个（第1镇、第2镇等）"


@pytest.mark.parametrize("ranked, expected", [
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 3), ("金鸡乡", 4)], "综合得分居末位的是金鸡乡。"),
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 3), ("金鸡乡", 3)], "青山镇、金鸡乡综合得分并列末位。"),
    ([("城关镇", 1), ("龙泉镇", 2), ("青山镇", 3)], ""),     # three units: the top 3 says it all
])
def test_bottom_sentence(ranked, expected):
    assert prose.bottom_sentence(ranked) == expected


@pytest.mark.parametrize("items, expected", [
    ([("环境保护目标责任", 4.545454), ("规模以上工业增加值增速", 3.181818), ("市县重点项目开工率", 2.727),
      ("实际利用外资", 1.8)],
     "失分较多的指标是环境保护目标责任（失4.55分）、规模以上工业增加值增速（失3.18分）、市县重点项目开工率（失2.73分）。"),
    ([("固定资产投资", 0.125)], "失分的指标是固定资产投资（失0.13分）。"),     # half up
    ([("固定资产投资", 0.001)], "各项指标均未失分。"),                     # rounds to nothing
    ([], "各项指标均未失分。"),
])
def test_lost_sentence(items, expected):
    assert prose.lost_sentence(items) == expected


@pytest.mark.parametrize("title, lines", [
    ("关于城关镇2026年度考核结果的通知", ["关于城关镇2026年度考核结果的通知"]),
    ("关于金鸡乡2026年1—9月目标任务完成情况的通知", ["关于金鸡乡2026年1—9月", "目标任务完成情况的通知"]),
    ("关于青峰县2026年度镇（街道）和县直部门目标责任考核结果的通报",
     ["关于青峰县2026年度镇（街道）和县直部门", "目标责任考核结果的通报"]),
    ("关于县住房和城乡建设局2026年1月1日至9月20日目标任务完成情况的通知",
     ["关于县住房和城乡建设局2026年1月1日", "至9月20日目标任务完成情况的通知"]),
])
def test_title_lines_break_between_words(title, lines):
    assert prose.title_lines(title) == lines
    assert "".join(lines) == title


def test_number_text_keeps_zeros_when_asked():
    from tzreport.words.numbers import number_text
    assert number_text(75, 1, keep_zeros=True) == "75.0"
    assert number_text(75, 1) == "75"
    assert number_text(-0.04, 1, keep_zeros=True) == "0.0"
    assert prose.share(1, 16) == "6.3%"          # 6.25 half up, not to even


def test_lost_sentence_says_which_points_it_counts():
    """SPEC 3.6 / 4.1: points as they count in the base are said to be so, before the list."""
    assert prose.lost_sentence([("民主测评", 1.16129), ("市县重点项目开工率", 1.2)], 5, "按计入基础得分的分值计") == \
        "按计入基础得分的分值计，失分较多的指标是民主测评（失1.16分）、市县重点项目开工率（失1.2分）。"
    assert prose.lost_sentence([], 5, "按计入基础得分的分值计") == "各项指标均未失分。"
