"""SPEC 4 documents' shared facts (words/facts.py): period names, numerals, who must rectify.

The period named in titles (1—9月), the Chinese numerals of headings, and who is asked to rectify
(graded 一般 or worse, or vetoed)."""
import pytest

from tzreport.words.facts import cn_numeral, needs_rectification, period_text


@pytest.mark.parametrize("day, text", [
    ("2026-09-30", "1—9月"), ("2026-01-31", "1月"), ("2026-09-20", "1月1日至9月20日"),
    ("2026-12-31", "1—12月")])
def test_period_text(day, text):
    import datetime as dt
    assert period_text(dt.date.fromisoformat(day)) == text


@pytest.mark.parametrize("n, text", [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三")])
def test_cn_numeral(n, text):
    assert cn_numeral(n) == text


@pytest.mark.parametrize("grade, veto, expected", [
    ("优秀", "否", False), ("良好", "否", False), ("一般", "否", True), ("较差", "否", True),
    ("良好", "是", True), ("良好", "否优", False)])
def test_rectification_for_ordinary_or_worse(grade, veto, expected):
    from types import SimpleNamespace
    unit = SimpleNamespace(grade=grade, veto=veto)
    assert needs_rectification(unit, ["优秀", "良好", "一般", "较差"]) == expected
