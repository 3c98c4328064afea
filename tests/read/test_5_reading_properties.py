"""SPEC 5 Bad input (hypothesis): no cell value makes a parser raise or the reader crash.

The other units are still scored and every problem has a message."""
import datetime as dt
import math

import openpyxl
from helpers import TOTALS, finite, submission_rows, write_all, write_book
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tzreport import build
from tzreport.read.values import parse_date, parse_number, parse_ratio, parse_yes_no

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
