"""What 考核结果通报.docx says at the year end (SPEC 3.4–3.5, 4.1): the 办法 it follows, a 总体评价,
the grades, 通报表扬 of the scheme's first grade, 一票否决 / 否优 with the reason, 未报送 units,
存在问题 (as the 进展通报 states them), 结果运用 grouped by what befalls the units, and the 要求."""
from __future__ import annotations

from tzreport.words import prose
from tzreport.words.facts import (VETO_WORDS, categories, cn_numeral, grade_order, low_grades,
                                  method_citation, unit_lights, veto_sentence)
from tzreport.words.numbers import score_text


def results_context(result, scheme) -> dict:
    from tzreport.words.letterhead import common_context
    ctx = common_context(result)
    cats = categories(result)
    many = len(cats) > 1
    order = grade_order(result, scheme)
    codes = {i.code for i in result.indicators}
    ctx["title"] = f"关于{result.params.name}结果的通报"
    ctx["low_grades"] = "、".join(low_grades(order)) or "靠后"
    ctx["intro"] = [f"{method_citation(result.params)}，考核办对各单位{ctx['year']}年度目标任务完成情况"
                    "进行了考核。经数据审核、综合评分、等次评定，现将考核结果通报如下。"]
    grades = []
    for n, cat in enumerate(cats, 1):
        heading = f"（{cn_numeral(n)}）{cat.words}（{len(cat.units)}个单位）" if many else ""
        used = [g for g in order if any(u.grade == g for u in cat.units)]
        grades.append({"heading": heading, "chart": "", "paragraphs": [
            prose.grade_sentence(g, [u.name for u in cat.units if u.grade == g]) for g in used]})
    ctx["grades"] = grades
    ctx["summary"] = _summary(result, order)
    best = order[0] if order else ""
    top = [u.name for u in result.units if best and u.grade == best]
    ctx["praise"] = [f"对评为“{best}”等次的{prose.join_names(top)}{len(top)}个单位予以通报表扬。" if top
                     else (f"本年度没有单位评为“{best}”等次。" if best else "本年度没有单位受到通报表扬。")]
    vetoes = [s + "。" for u in result.units for s in [veto_sentence(u, codes)] if s]
    ctx["vetoes"] = vetoes or ["本年度没有单位被一票否决或一票否优。"]
    missing = [u.name for u in result.units if not u.submitted]
    ctx["missing"] = [f"{prose.join_names(missing)}{len(missing)}个单位未报送年度完成情况，由单位填报的"
                      "指标均按0分计。"] if missing else []
    from tzreport.words.progress_doc import _problems
    ctx["problems"] = [{"heading": f"（{cn_numeral(n)}）{cat.words}" if many else "", "chart": "",
                        "paragraphs": _problems(cat, True)} for n, cat in enumerate(cats, 1)]
    ctx["consequences"] = consequence_lines(result.units) or ["本年度没有需要运用考核结果的情形。"]
    ctx["tables"] = [{"caption": cat.words if many else "", "rows": [
        {"rank": u.rank, "name": u.name, "total": score_text(u.total), "grade": u.grade,
         "note": "；".join(x for x in (VETO_WORDS.get(u.veto, ""), "" if u.submitted else "未报送") if x)}
        for u in cat.units]} for cat in cats]
    return ctx


def _summary(result, order: list) -> list:
    """总体评价: how many units, how the grades fell, how many lights were green."""
    units = result.units
    if not units:
        return []
    counts = [(g, sum(1 for u in units if u.grade == g)) for g in order]
    spread = "、".join(f"“{g}”{n}个" for g, n in counts if n)
    green = total = 0
    for u in units:
        g, y, r, _ = unit_lights(u)
        green, total = green + g, total + g + y + r
    text = f"全部{len(units)}个参加考核单位中，评为{spread}"
    if total:
        text += f"；按单位逐项统计，完成年度目标（绿灯）的指标占{prose.share(green, total)}"
    return [text + "。"]


def consequence_lines(units) -> list:
    """结果运用 grouped: units that share the same measures are named together, in grade order
    ("白马镇、柳河镇（一般）：…" rather than one sentence per unit)."""
    groups = {}
    for u in units:
        if u.consequences:
            groups.setdefault(tuple(u.consequences), []).append(u)
    lines = []
    for measures, members in groups.items():
        names = "、".join(f"{u.name}（{u.grade}）" for u in members)
        lines.append(f"{names}：{'；'.join(measures)}。")
    return lines
