"""SPEC 3.2 One indicator: the score, bonus and light of every 计分方法, blank and not applicable.

完成率, 控制, 排名, 比最优, 功效系数, 分档, 定性 and 测评, table-driven: every expected number was computed
by hand from the spec's formulas; the arithmetic is in the comment beside each row."""
import pytest
from helpers import PARAMS as P

from tzreport.model import ST_BLANK, ST_NOT_APPLICABLE, ST_OK, Indicator, Params, Target
from tzreport.rules.indicator import score_indicator
from tzreport.words.explain import explain_text


def ind(method="完成率", weight=10.0, **kw):
    return Indicator(code="X01", category="镇街", major="目标任务", level1="经济", level2="指标",
                     measure=kw.pop("measure", "万元"), weight=weight, method=method, **kw)


def score(indicator, actual, target=None, stretch=None, disallowed=None, p=1.0, peers=(), bands=(),
          params=P):
    t = Target(target, stretch, disallowed) if target is not None else None
    return score_indicator(indicator, t, actual, ST_OK, p, params, sorted(peers), bands)


# (indicator kwargs, actual, target, stretch, p, score, bonus, light, completion_rate, target')
COMPLETION_CASES = [
    # 总量 正向 序时: T'=1000×0.75=750, δ=(600−750)/750=−0.2 → 10×0.8=8; d=(0.6−0.75)×100=−15 → 红
    (dict(prorate=True), 600, 1000, None, 0.75, 8.0, 0.0, "红", 0.6, 750),
    # 总量 正向 序时 on schedule: A=800 ≥ 750 → 10; d=(0.8−0.75)×100=+5 → 绿
    (dict(prorate=True), 800, 1000, None, 0.75, 10.0, 0.0, "绿", 0.8, 750),
    # 总量 正向 不序时: δ=−0.05 → 9.5; d=(0.95−1)×100=−5 → 黄
    (dict(), 950, 1000, None, 0.75, 9.5, 0.0, "黄", 0.95, 1000),
    # exactly on the yellow band edge: d=−10 → 黄
    (dict(), 900, 1000, None, 1.0, 9.0, 0.0, "黄", 0.9, 1000),
    # 超额加分 0.1 per 1%: δ=0.15 → bonus 1.5
    (dict(excess_bonus=0.1, bonus_cap=2), 1150, 1000, None, 1.0, 10.0, 1.5, "绿", 1.15, 1000),
    # … capped: δ=0.3 → 3 → 加分上限 2
    (dict(excess_bonus=0.1, bonus_cap=2), 1300, 1000, None, 1.0, 10.0, 2.0, "绿", 1.3, 1000),
    # 力争目标 with 加分上限 3: (1100−1000)/(1200−1000)=0.5 → 1.5
    (dict(bonus_cap=3), 1100, 1000, 1200, 1.0, 10.0, 1.5, "绿", 1.1, 1000),
    # … beyond the stretch target: min(1, 1.5) → 3
    (dict(bonus_cap=3), 1300, 1000, 1200, 1.0, 10.0, 3.0, "绿", 1.3, 1000),
    # 力争目标 prorated: T'=500, S'=600, A=550 → 3×0.5=1.5
    (dict(bonus_cap=3, prorate=True), 550, 1000, 1200, 0.5, 10.0, 1.5, "绿", 0.55, 500),
    # 力争目标 without 加分上限 and no 超额加分: no bonus
    (dict(), 1300, 1000, 1200, 1.0, 10.0, 0.0, "绿", 1.3, 1000),
    # 总量 逆向 (能耗): δ=(0.5−0.55)/0.5=−0.1 → 10−0.1×10=9; d=−(1.1−1)×100=−10 → 黄
    # (no 完成率 for 逆向, SPEC 4.1: 0.55/0.5 = 110% would read as over-fulfilment)
    (dict(direction="逆向"), 0.55, 0.5, None, 1.0, 9.0, 0.0, "黄", None, 0.5),
    # 总量 逆向 better than target: δ=+0.1 → 10; d=+10 → 绿
    (dict(direction="逆向"), 0.45, 0.5, None, 1.0, 10.0, 0.0, "绿", None, 0.5),
    # 总量 逆向 序时 (cumulative, less is better): T'=75, A=90 → δ=(75−90)/75=−0.2 → 8;
    # d=−(0.9−0.75)×100=−15 → 红
    (dict(direction="逆向", prorate=True), 90, 100, None, 0.75, 8.0, 0.0, "红", None, 75),
    # 扣分率 0.5 per 1%: δ=−0.1 → 10−0.5×10=5
    (dict(deduction_rate=0.5), 900, 1000, None, 1.0, 5.0, 0.0, "黄", 0.9, 1000),
    # 得分下限 60%: 1+δ=0.55 < 0.6 → 0
    (dict(floor=0.6), 550, 1000, None, 1.0, 0.0, 0.0, "红", 0.55, 1000),
    # … above the floor: 0.65 → 6.5
    (dict(floor=0.6), 650, 1000, None, 1.0, 6.5, 0.0, "红", 0.65, 1000),
    # 增速 正向: δ=6.1−7=−0.9 points, default rate w/10=1 → 9.1; d=−0.9 ≥ −1 → 黄
    (dict(value_type="增速"), 6.1, 7.0, None, 0.75, 9.1, 0.0, "黄", None, 7.0),
    # 增速 正向 far behind: δ=−1.5 → 8.5; 红
    (dict(value_type="增速"), 5.5, 7.0, None, 1.0, 8.5, 0.0, "红", None, 7.0),
    # 增速 逆向 (e.g. 居民消费价格涨幅 ≤ 3): δ=3−3.5=−0.5 → 9.5; 黄
    (dict(value_type="增速", direction="逆向"), 3.5, 3.0, None, 1.0, 9.5, 0.0, "黄", None, 3.0),
    # 增速 超额加分 1 per point, cap 2: δ=1.5 → 1.5
    (dict(value_type="增速", excess_bonus=1, bonus_cap=2), 8.5, 7.0, None, 1.0, 10.0, 1.5, "绿", None, 7.0),
    # … capped: δ=3 → 2
    (dict(value_type="增速", excess_bonus=1, bonus_cap=2), 10.0, 7.0, None, 1.0, 10.0, 2.0, "绿", None, 7.0),
    # 增速 with 力争目标 and cap 3: (7.5−7)/(8−7)=0.5 → 1.5
    (dict(value_type="增速", bonus_cap=3), 7.5, 7.0, 8.0, 1.0, 10.0, 1.5, "绿", None, 7.0),
    # 增速 扣分率 2 per point: δ=−2 → 6
    (dict(value_type="增速", deduction_rate=2), 5.0, 7.0, None, 1.0, 6.0, 0.0, "红", None, 7.0),
    # 增速 negative growth: δ=−12 → max(0, 10−12)=0
    (dict(value_type="增速"), -5.0, 7.0, None, 1.0, 0.0, 0.0, "红", None, 7.0),
]


@pytest.mark.parametrize("kw, actual, target, stretch, p, exp_score, exp_bonus, light, rate, tp",
                         COMPLETION_CASES)
def test_completion(kw, actual, target, stretch, p, exp_score, exp_bonus, light, rate, tp):
    r = score(ind(**kw), float(actual), target, stretch, p=p)
    assert r.score == pytest.approx(exp_score)
    assert r.bonus == pytest.approx(exp_bonus)
    assert r.light == light
    assert r.target_prorated == pytest.approx(tp)
    if rate is None:
        assert r.completion_rate is None
    else:
        assert r.completion_rate == pytest.approx(rate)


def test_completion_explains_its_arithmetic():
    r = score(ind(prorate=True), 600.0, 1000, p=0.75)
    # 600 / 750 = 80% of the prorated target it scores on; 600 / 1000 = 60% of the annual target,
    # the 完成率 every table prints: the comment says which is which
    assert explain_text(r.explain) == "实际600，序时目标750（1000×75%），完成序时目标的80%（年度目标的60%） × 分值10 = 8"


def test_growth_yellow_band_is_a_setting():
    wide = Params(growth_yellow_band=2.0)
    assert score(ind(value_type="增速"), 5.5, 7.0, params=wide).light == "黄"   # −1.5 ≥ −2
    narrow = Params(yellow_band=5.0)
    assert score(ind(), 940.0, 1000, params=narrow).light == "红"              # −6 < −5


# 控制 (w=5): (kwargs, actual, line, p, score, bonus, light, veto)
CONTROL_CASES = [
    (dict(), 8, 10, 1.0, 5.0, 0.0, "绿", "否"),          # 8 ≤ 10×0.9
    (dict(), 9.5, 10, 1.0, 5.0, 0.0, "黄", "否"),        # 9 < 9.5 ≤ 10: 未突破控制线，但形势不容乐观
    (dict(), 10, 10, 1.0, 5.0, 0.0, "黄", "否"),         # on the line is not crossing it
    (dict(), 12, 10, 1.0, 0.0, 0.0, "红", "否"),         # crossed
    (dict(veto="是"), 12, 10, 1.0, 0.0, 0.0, "红", "是"),
    (dict(veto="否优"), 11, 10, 1.0, 0.0, 0.0, "红", "否优"),
    (dict(veto="是"), 9, 10, 1.0, 5.0, 0.0, "绿", "否"),  # not crossed: no veto
    # 扣分率 0.1 per 1% over: (12−10)/10=20% → 5−2=3
    (dict(deduction_rate=0.1), 12, 10, 1.0, 3.0, 0.0, "红", "否"),
    # 序时: L'=8×0.75=6; A=6 → full, 6 > 5.4 → 黄
    (dict(prorate=True), 6, 8, 0.75, 5.0, 0.0, "黄", "否"),
    (dict(prorate=True), 7, 8, 0.75, 0.0, 0.0, "红", "否"),
    # bonus 0.02 per 1% under the line: (10−5)/10=50% → 1.0
    (dict(excess_bonus=0.02, bonus_cap=2), 5, 10, 1.0, 5.0, 1.0, "绿", "否"),
    # … 100% under → 2, at the cap
    (dict(excess_bonus=0.02, bonus_cap=2), 0, 10, 1.0, 5.0, 2.0, "绿", "否"),
    (dict(excess_bonus=0.02, bonus_cap=1.5), 0, 10, 1.0, 5.0, 1.5, "绿", "否"),
    # a zero line (no deaths allowed): 0 keeps it, 1 crosses it
    (dict(), 0, 0, 1.0, 5.0, 0.0, "绿", "否"),
    (dict(deduction_rate=0.1), 1, 0, 1.0, 0.0, 0.0, "红", "否"),
]


@pytest.mark.parametrize("kw, actual, line, p, exp_score, exp_bonus, light, veto", CONTROL_CASES)
def test_control(kw, actual, line, p, exp_score, exp_bonus, light, veto):
    r = score(ind("控制", 5.0, **kw), float(actual), line, p=p)
    assert (r.score, r.light, r.veto) == (pytest.approx(exp_score), light, veto)
    assert r.bonus == pytest.approx(exp_bonus)


# 排名 (w=6) among peers 10, 20, 20, 30 (n=4): (kwargs, actual, score)
RANKING_CASES = [
    (dict(), 30, 6.0),                       # rank 1
    (dict(), 20, 6 * (1 - 1 * 0.4 / 3)),     # ties share rank 2 → 5.2
    (dict(), 10, 6 * (1 - 3 * 0.4 / 3)),     # rank 4 = last → w×末位系数 = 3.6
    (dict(direction="逆向"), 10, 6.0),        # ascending
    (dict(direction="逆向"), 30, 3.6),
    (dict(last_factor=0.5), 10, 3.0),        # 末位系数 0.5 → last gets half
    (dict(rank_step=0.1), 10, 6 * (1 - 0.3)),  # 名次递减: 4.2
    (dict(rank_step=0.5), 10, 0.0),          # never below 0
]


@pytest.mark.parametrize("kw, actual, expected", RANKING_CASES)
def test_ranking(kw, actual, expected):
    r = score(ind("排名", 6.0, **kw), float(actual), peers=[10.0, 20.0, 20.0, 30.0])
    assert r.score == pytest.approx(expected)
    assert r.light is None


def test_ranking_single_reporter_gets_full_marks():
    assert score(ind("排名", 6.0), 3.0, peers=[3.0]).score == 6.0


@pytest.mark.parametrize("kw, actual, expected", [
    (dict(), 80, 4.0),                  # 5×80/100
    (dict(), 100, 5.0),
    (dict(direction="逆向"), 80, 3.125),  # 5×50/80
    (dict(direction="逆向"), 50, 5.0),
])
def test_best(kw, actual, expected):
    r = score(ind("比最优", 5.0, **kw), float(actual), peers=[50.0, 80.0, 100.0])
    assert r.score == pytest.approx(expected)


@pytest.mark.parametrize("kw, actual, p, expected, light", [
    (dict(), 80, 1.0, 8.0, "红"),        # 0.6+0.4×(80−60)/(100−60)=0.8; d=(0.8−1)×100=−20
    (dict(), 50, 1.0, 5.0, "红"),        # 0.6+0.4×(−10/40)=0.5
    (dict(), 120, 1.0, 10.0, "绿"),      # clamped to 1
    (dict(), 0, 1.0, 0.0, "红"),         # 0.6−0.6=0
    (dict(prorate=True), 40, 0.5, 8.0, "黄"),  # T'=50, U'=30: 0.6+0.4×0.5; d=(0.4−0.5)×100=−10
])
def test_efficacy(kw, actual, p, expected, light):
    r = score(ind("功效系数", **kw), float(actual), 100, disallowed=60, p=p)
    assert r.score == pytest.approx(expected)
    assert r.light == light


BANDS = [(60.0, 0.3), (80.0, 0.6), (90.0, 0.8), (100.0, 1.0)]


@pytest.mark.parametrize("actual, expected", [(95, 4.8), (100, 6.0), (80, 3.6), (59.9, 0.0), (60, 1.8)])
def test_bands(actual, expected):
    assert score(ind("分档", 6.0), float(actual), bands=BANDS).score == pytest.approx(expected)


@pytest.mark.parametrize("actual, veto_rule, expected, light, veto", [
    ("完成", "否", 4.0, "绿", "否"),
    ("基本完成", "否", 2.4, "黄", "否"),
    ("未完成", "否", 0.0, "红", "否"),
    ("未完成", "是", 0.0, "红", "是"),
    ("未完成", "否优", 0.0, "红", "否优"),
    ("基本完成", "是", 2.4, "黄", "否"),
])
def test_qualitative(actual, veto_rule, expected, light, veto):
    r = score(ind("定性", 4.0, veto=veto_rule), actual)
    assert (r.score, r.light, r.veto) == (pytest.approx(expected), light, veto)


def test_appraisal():
    assert score(ind("测评", 8.0), 85.0).score == pytest.approx(6.8)


def test_blank_value_scores_zero_and_lights_red():
    r = score_indicator(ind(), Target(1000), None, ST_BLANK, 0.75, P)
    assert (r.score, r.light, r.status) == (0.0, "红", "未填报")
    assert r.target_prorated == 1000  # not 序时
    r = score_indicator(ind("排名"), None, None, ST_BLANK, 0.75, P)
    assert (r.score, r.light) == (0.0, None)   # 排名 has no light


def test_not_applicable_has_no_score_and_no_light():
    r = score_indicator(ind(), None, None, ST_NOT_APPLICABLE, 0.75, P)
    assert (r.score, r.light, r.applies) == (0.0, None, False)
