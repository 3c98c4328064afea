"""SPEC 3 invariants (hypothesis): bounds of scores, order independence, 3.7's bounds, 3.3 exact.

Scores within 分值 and bonuses within their caps (3.2); totals and grades independent of the order of
rows, units, sheets and files (3.3–3.5); a weighted base within Σ 权重 (3.7); and 3.3's totals to
the last bit where the sheets of 3.7–3.10 are absent."""
import dataclasses
import math
import random

import pytest
from helpers import HONOR, TOTALS, UNIT, claims, finite, scheme_sheets, submission_rows, write_book
from helpers import PARAMS as P
from helpers import indicator_row as result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tzreport import build
from tzreport.model import ST_NO_DATA, ST_NOT_APPLICABLE, ST_OK, Indicator, Params, Target
from tzreport.read import load_inputs
from tzreport.rules.evaluate import evaluate
from tzreport.rules.indicator import score_indicator
from tzreport.rules.unit import score_unit

positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


maybe_small = st.none() | st.floats(min_value=0, max_value=5, allow_nan=False)


@st.composite
def indicators(draw):
    method = draw(st.sampled_from(["完成率", "控制", "排名", "比最优", "功效系数", "分档", "测评"]))
    return Indicator(
        code="X", category="镇街", major="目标任务", level1="", level2="x", measure="万元",
        weight=draw(st.floats(min_value=0, max_value=100, allow_nan=False)), method=method,
        direction=draw(st.sampled_from(["正向", "逆向"])),
        value_type=draw(st.sampled_from(["总量", "增速"])) if method == "完成率" else "总量",
        prorate=draw(st.booleans()), deduction_rate=draw(maybe_small),
        excess_bonus=draw(maybe_small), bonus_cap=draw(maybe_small),
        floor=draw(st.none() | st.floats(min_value=0, max_value=1)),
        last_factor=draw(st.floats(min_value=0, max_value=1)),
        rank_step=draw(st.none() | st.floats(min_value=0, max_value=1)))


@given(ind=indicators(), actual=finite, target=positive, stretch=st.none() | positive,
       p=st.floats(min_value=1 / 12, max_value=1), peers=st.lists(finite, max_size=20),
       bands=st.lists(st.tuples(finite, st.floats(min_value=0, max_value=1)), max_size=5))
def test_score_within_weight_and_bonus_within_cap(ind, actual, target, stretch, p, peers, bands):
    disallowed = target * 0.6
    if ind.value_type == "增速" and stretch is not None and stretch <= target:
        stretch = None
    if ind.method == "测评":
        actual = min(100.0, max(0.0, actual))
    peers = sorted(peers + [actual])
    r = score_indicator(ind, Target(target, stretch, disallowed), actual, ST_OK, p, Params(), peers,
                        sorted(bands))
    assert 0.0 <= r.score <= ind.weight
    assert r.bonus >= 0.0 and math.isfinite(r.bonus)
    if ind.bonus_cap is not None:
        assert r.bonus <= ind.bonus_cap + 1e-9
    if ind.method in ("完成率", "控制", "功效系数"):
        assert r.light in ("绿", "黄", "红")


# -- order independence -------------------------------------------------------------------------
def _outcome(result):
    return {u.code: (round(u.total, 9), u.rank, u.grade, tuple(u.consequences)) for u in result.units}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The bundled county sample, loaded once."""
    from pathlib import Path
    issues = []
    scheme, subs = load_inputs([Path(__file__).parents[2] / "sample_workbooks" / "input.xlsx"], issues)
    return scheme, subs, _outcome(evaluate(scheme, subs, list(issues)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_totals_and_grades_ignore_the_order_of_rows_and_units(county, seed):
    scheme, subs, expected = county
    rng = random.Random(seed)
    shuffled = dataclasses.replace(
        scheme, units=rng.sample(scheme.units, len(scheme.units)),
        indicators=rng.sample(scheme.indicators, len(scheme.indicators)),
        targets=dict(rng.sample(list(scheme.targets.items()), len(scheme.targets))),
        deductions=rng.sample(scheme.deductions, len(scheme.deductions)))
    subs = [dataclasses.replace(s, values=dict(rng.sample(list(s.values.items()), len(s.values))),
                                claims=rng.sample(s.claims, len(s.claims)))
            for s in rng.sample(subs, len(subs))]
    # as build scores it: August and September are two periods of the sample (SPEC 3.11)
    assert _outcome(evaluate(shuffled, subs, [])) == expected


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_totals_ignore_the_order_of_sheets_rows_and_files_on_disk(tmp_path_factory, seed):
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("order")
    sheets = scheme_sheets()
    items = list(sheets.items())
    rng.shuffle(items)
    shuffled = {}
    for name, rows in items:
        body = list(rows[1:])
        if name != "参数":
            rng.shuffle(body)
        shuffled[name] = [rows[0]] + body
    write_book(folder / f"{rng.randint(0, 999)}方案.xlsx", shuffled)
    for unit in TOTALS:
        rows = submission_rows(unit, dict(rng.sample(list({"I01": 0, "I02": 0}.items()), 2)))
        from helpers import VALUES
        rows = rows[:3] + [[r[0]] + r[1:6] + [VALUES[unit][r[0]]] + r[7:] for r in rows[3:]]
        write_book(folder / "报表" / f"{rng.randint(0, 99999):05d}_{unit}.xlsx",
                   {"Sheet0": [["备注"]], "指标完成情况": rows} if rng.random() < 0.5
                   else {"指标完成情况": rows})
    result = build([folder], folder / "out")
    assert {u.name: round(u.total, 9) for u in result.units} == TOTALS
    assert result.issues == []


# -- SPEC 3.7, and 3.3 without the sheets of 3.7–3.10 ----------------------------------------------
MAJORS = ("目标任务", "社会评价", "党的建设")


weights_st = st.floats(0, 100, allow_nan=False, allow_subnormal=False)   # 权重 as typed


@st.composite
def unit_rows(draw):
    rows = []
    for n in range(draw(st.integers(1, 12))):
        w = draw(st.floats(0.5, 50, allow_nan=False))
        status = draw(st.sampled_from((ST_OK, ST_OK, ST_OK, ST_NOT_APPLICABLE, ST_NO_DATA)))
        rows.append(result(f"I{n}", w, draw(st.floats(0, 1)) * w, draw(st.sampled_from(MAJORS)),
                           status=status, bonus=draw(st.sampled_from((0.0, 0.5, 1.25, 3.0)))))
    return rows


@settings(max_examples=300, deadline=None)
@given(rows=unit_rows(), weights=st.dictionaries(st.sampled_from(MAJORS), weights_st, min_size=1))
def test_weighted_base_stays_within_the_sum_of_weights(rows, weights):
    from tzreport.rules.unit import full_score
    inds = [Indicator(r.code, "镇街", r.major, r.code, "", "", r.weight) for r in rows]
    full = full_score(inds, weights)
    ur = score_unit(UNIT, rows, full, P, [], {}, [], True, major_weights=weights)
    assert -1e-9 <= ur.base <= full * (1 + 1e-9) + 1e-9
    for k, subtotal in ur.subtotals.items():
        assert -1e-9 <= subtotal <= ur.major_weights[k] * (1 + 1e-9) + 1e-9


def _spec_3_3(rows, full, params, claims_, levels, deductions):
    """SPEC 3.3 as it read before 3.7–3.10, literally: the totals every scheme without the new
    sheets must keep, to the last bit."""
    from tzreport.rules.unit import honor_bonus
    applicable = [r for r in rows if r.applies]
    weight = sum(r.weight for r in applicable)
    base = sum(r.score for r in applicable) * (full / weight if weight > 0 else 0.0)
    honor, _ = honor_bonus(claims_, levels, params.honor_bonus_cap)
    bonus = sum(r.bonus for r in applicable) + honor
    if params.total_bonus_cap is not None:
        bonus = min(bonus, params.total_bonus_cap)
    return base + bonus - sum(d.points for d in deductions)


@settings(max_examples=300, deadline=None)
@given(rows=unit_rows(), full=st.sampled_from((100.0, 1000.0, 87.5)),
       total_cap=st.none() | st.floats(0, 10), honor_cap=st.none() | st.floats(0, 5),
       levels=st.lists(st.sampled_from(tuple(HONOR)), max_size=4),
       cuts=st.lists(st.floats(0, 3), max_size=3))
def test_without_the_new_sheets_totals_are_exactly_spec_3_3(rows, full, total_cap, honor_cap, levels,
                                                            cuts):
    from tzreport.model import Deduction
    params = Params(total_bonus_cap=total_cap, honor_bonus_cap=honor_cap)
    claims_ = claims(*levels)
    deductions = [Deduction("Z01", f"扣{n}", p) for n, p in enumerate(cuts)]
    ur = score_unit(UNIT, rows, full, params, claims_, HONOR, deductions, True)
    assert ur.total == _spec_3_3(rows, full, params, claims_, HONOR, deductions)
    ur = score_unit(UNIT, rows, full, params, claims_, HONOR, deductions, True, major_weights={},
                    bonus_caps={}, honor_classes={})
    assert ur.total == _spec_3_3(rows, full, params, claims_, HONOR, deductions)
