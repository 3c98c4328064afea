"""Property tests (hypothesis): bounds of scores and bonuses, order independence, robust reading."""
import dataclasses
import datetime as dt
import math
import random

import openpyxl
import pytest
from helpers import TOTALS, scheme_sheets, submission_rows, write_all, write_book
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tzreport import build
from tzreport.model import ST_OK, Indicator, Params, Target
from tzreport.read import load_inputs
from tzreport.read.values import parse_date, parse_number, parse_ratio, parse_yes_no
from tzreport.rules.evaluate import evaluate
from tzreport.rules.indicator import score_indicator

finite = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False)
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


cells = (st.none() | st.booleans() | st.integers(-10**12, 10**12) | finite
         | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
         | st.dates(min_value=dt.date(1900, 1, 1)) | st.datetimes(min_value=dt.datetime(1900, 1, 1)))


@given(cells, st.text(max_size=6), st.booleans())
def test_parsers_never_raise(value, measure, percent_ok):
    for result in (parse_number(value, measure, percent_ok), parse_date(value), parse_ratio(value),
                   parse_yes_no(value)):
        assert isinstance(result, tuple) and len(result) == 2
    number, error = parse_number(value, measure, percent_ok)
    assert (number is None) or (error is None and math.isfinite(number))


# -- order independence -------------------------------------------------------------------------
def _outcome(result):
    return {u.code: (round(u.total, 9), u.rank, u.grade, tuple(u.consequences)) for u in result.units}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The bundled county sample, loaded once."""
    from pathlib import Path
    issues = []
    scheme, subs = load_inputs([Path(__file__).parents[1] / "sample_workbooks" / "input.xlsx"], issues)
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


# -- robust reading -----------------------------------------------------------------------------
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
xlsx_cells = (st.none() | st.booleans() | st.integers(-10**9, 10**9) | finite | printable
              | st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 1, 1)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(xlsx_cells, min_size=9, max_size=9), code=xlsx_cells, unit_label=xlsx_cells)
def test_no_cell_value_makes_the_reader_crash(tmp_path_factory, values, code, unit_label):
    folder = write_all(tmp_path_factory.mktemp("cells"), skip=("青山镇",))
    rows = submission_rows("青山镇", {"I01": 1125, "I02": "基本完成"})
    rows[1][0] = unit_label if unit_label is not None else "填报单位：青山镇"
    rows.append(values)
    rows.append([code, None, None, None, None, None, values[6]])
    path = folder / "报表" / "青山镇.xlsx"
    try:
        write_book(path, {"指标完成情况": rows})
    except (ValueError, TypeError, openpyxl.utils.exceptions.IllegalCharacterError):
        assume(False)  # openpyxl cannot store this value at all
    result = build([folder], folder / "out")
    got = {u.name: u.total for u in result.units}
    assert got["城关镇"] == TOTALS["城关镇"] and got["龙泉镇"] == TOTALS["龙泉镇"]
    assert all(i.message for i in result.issues)


# -- published rounding: the fast paths agree with the rule as written (SPEC 3.3: half-up on the
#    figure as written, 2.675 → 2.68 though the float is 2.67499999…)
def _half_up(x: float, digits: int) -> str:
    from decimal import ROUND_HALF_UP, Context, Decimal
    return format(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP, Context(prec=400)), "f")


@pytest.mark.parametrize("x, published", [(2.675, 2.68), (1.005, 1.01), (-2.675, -2.68), (0.125, 0.13),
                                          (83.4567, 83.46), (99.995, 100.0), (-0.004, -0.0), (7.0, 7.0),
                                          (8744353223.005, 8744353223.01)])
def test_round2_is_half_up_on_the_written_figure(x, published):
    from tzreport.rules.rounding import round2
    assert round2(x) == published and type(round2(int(x))) is float


@pytest.mark.parametrize("x, digits, text", [(167760436.325, 2, "167760436.33"), (8710866.47475, 4, "8710866.4748"),
                                             (66747.6201375, 6, "66747.620138"), (2.675, 2, "2.68"),
                                             (-0.004, 2, "0"), (0.5, 0, "1"), (2.5, 0, "3")])
def test_number_text_is_half_up_on_the_written_figure(x, digits, text):
    """Ties as written, however large the figure (a float past 1e10 at its last digit is no longer
    the figure as written to within the fast path's margin)."""
    from tzreport.words.numbers import number_text
    assert number_text(x, digits) == text


# figures as tables hold them: money to the cent, rates to 4 places, scores, and any float
written = (st.integers(-10**9, 10**9).map(lambda n: n / 100) | st.integers(-10**7, 10**7).map(lambda n: n / 10**4)
           | st.integers(-10**6, 10**6).map(lambda n: n / 8) | finite
           # ties at every size up to 1e12 (…5 in the last place of 1 to 6 decimals)
           | st.builds(lambda n, d: (10 * n + 5) / 10 ** (d + 1), st.integers(-10**11, 10**11), st.integers(0, 6)))


@settings(max_examples=3000, deadline=None)
@given(written)
def test_round2_equals_decimal_half_up(x):
    from tzreport.rules.rounding import round2
    assert round2(x) == float(_half_up(x, 2))


@settings(max_examples=3000, deadline=None)
@given(written, st.integers(0, 4), st.booleans())
def test_number_text_equals_decimal_half_up(x, digits, keep_zeros):
    from tzreport.words.numbers import number_text
    y = round(x, 9)           # number_text's own first step (float noise such as 0.13749999999999996)
    text = _half_up(y, digits)
    if "." in text and not keep_zeros:
        text = text.rstrip("0").rstrip(".")
    if float(text) == 0:
        text = text.lstrip("-")
    assert number_text.__wrapped__(x, digits, keep_zeros) == text
