"""Blank submissions (`tzreport template`): one workbook per unit, laid out exactly as build reads it.

The same layout, filled with a unit's rows of a consolidated 完成情况 sheet, is the base of that
unit's annotated workbook (annotate.py), so every unit gets back a workbook of the same shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tzreport.fileio import atomic_path, unique_names
from tzreport.model import APPRAISAL, GROWTH, QUALITATIVE, QUALITATIVE_RATIO, cn_date
from tzreport.read.submissions import CLAIM_SHEET, SUBMISSION_SHEET, applies
from tzreport.render.common import HEADER_FILL, PAGE_FOOTER, new_xlsxwriter

HEADER = ("指标编码", "一级指标", "二级指标", "计量单位", "确保目标", "力争目标", "本期累计完成", "上年同期",
          "完成说明")
WIDTHS = (10, 14, 30, 10, 12, 12, 14, 12, 36)
INPUT_COLUMNS = (6, 7, 8)          # 本期累计完成, 上年同期, 完成说明: the only unlocked cells
HEADER_ROW = 4                     # 1-based: title, 填报单位/统计截止, 填表说明, header
CLAIM_ROWS = 20
INSTRUCTIONS = ("填表说明：1. 只填写浅黄色单元格（本期累计完成、上年同期、完成说明），指标和目标由考核办下达，不能修改；"
                "2. 直接填写数字，不带单位；百分比指标填百分数的数值（如增长6.5%填6.5）；"
                "3. 定性指标从下拉列表中选择“完成、基本完成、未完成”；4. 灰色行由考核办评定，无需填写；"
                "5. 有表彰奖励的，在“加分申报”表逐项填写事项、级别和文件依据；"
                "6. 确保目标为空的指标（按排名、比最优、分档等方法计分）在同类单位之间比较计分，没有统一目标，"
                "照实填写本期累计完成即可。")
SIGNATURE_NOTE = "7. 表格下方填写填报人和联系电话，打印后由单位负责人签字并加盖公章。"
SIGNATURE_ROWS = 4     # a blank row, 填报人/联系电话, 单位负责人（签字）/盖章, the date


def instructions(levels=tuple(QUALITATIVE_RATIO)) -> str:
    """填表说明 naming the scheme's own 定性 words (SPEC 3.9)."""
    return INSTRUCTIONS.replace("完成、基本完成、未完成", "、".join(levels))


@dataclass
class Blank:
    """What one unit's submission workbook is made from (small: it travels to worker processes)."""
    title: str                # 考核名称
    unit: object              # Unit
    rows: list                # [(Indicator, Target or None)], scheme order, those that apply
    honor_levels: tuple = ()  # 加分标准 级别, for the 加分申报 dropdown
    levels: tuple = tuple(QUALITATIVE_RATIO)   # 定性等级 words, best first (SPEC 3.9)


def blank_for(scheme, unit) -> Blank:
    rows = [(ind, scheme.targets.get((unit.code, ind.code)))
            for ind in scheme.indicators_of(unit.category) if applies(scheme, unit, ind)]
    return Blank(scheme.params.name, unit, rows, tuple(scheme.honor_levels),
                 tuple(scheme.qualitative_levels))


def _validation(ind, levels=tuple(QUALITATIVE_RATIO)) -> dict:
    if ind.method == QUALITATIVE:
        words = "或".join(f"“{w}”" for w in levels)   # the scheme's 定性等级 (SPEC 3.9)
        if len(levels) > 2:
            words = "".join(f"“{w}”" for w in levels[:-1]) + f"或“{levels[-1]}”"
        return {"validate": "list", "source": list(levels),
                "error_title": "请从列表选择", "error_message": f"定性指标只能填{words}"}
    if ind.method == APPRAISAL:
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                "error_title": "请填写0–100的分数", "error_message": "测评得分应在0到100之间"}
    hint = "百分比指标填百分数的数值，如6.5" if ind.measure == "%" or ind.value_type == GROWTH else "不带单位"
    return {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
            "error_title": "请填写数字", "error_message": f"请填写数字（{hint}）",
            "input_title": ind.code, "input_message": f"计量单位：{ind.measure or '无'}"}


def write_template(target, blank: Blank, as_of, when, values=None, claims=(),
                   signature: bool = False) -> dict:
    """Write one unit's submission workbook to ``target`` (a path or a binary file object).

    ``values`` ({code: Value}) and ``claims`` fill it (used for units of a consolidated input);
    ``signature`` adds the 填报人 / 联系电话 / 单位负责人（签字）/ 盖章 lines of a blank form below
    the table. Returns {indicator code: 1-based Excel row}.
    """
    unit = blank.unit
    book = new_xlsxwriter(target, when)
    ws = book.add_worksheet(SUBMISSION_SHEET)
    f_title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                               "font_name": "宋体"})
    f_label = book.add_format({"font_size": 11, "valign": "vcenter"})
    f_note = book.add_format({"text_wrap": True, "valign": "top", "font_size": 10,
                              "font_color": "#595959"})
    f_head = book.add_format({"bold": True, "bg_color": f"#{HEADER_FILL}", "border": 1, "text_wrap": True,
                              "align": "center", "valign": "vcenter"})
    f_fixed = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    f_input = book.add_format({"border": 1, "valign": "vcenter", "bg_color": "#FFF2CC", "locked": False})
    f_input_text = book.add_format({"border": 1, "valign": "vcenter", "bg_color": "#FFF2CC",
                                    "locked": False, "text_wrap": True})
    f_office = book.add_format({"border": 1, "valign": "vcenter", "bg_color": "#E7E6E6",
                                "font_color": "#595959"})
    last = len(HEADER) - 1
    ws.merge_range(0, 0, 0, last, f"{blank.title}指标完成情况表", f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 3, f"填报单位：{unit.name}", f_label)
    ws.merge_range(1, 6, 1, last, f"统计截止：{cn_date(as_of)}" if as_of else "统计截止：", f_label)
    text = instructions(blank.levels)
    text = text[:-1] + "；" + SIGNATURE_NOTE if signature else text
    ws.merge_range(2, 0, 2, last, text, f_note)
    ws.set_row(2, 64)
    ws.write_row(HEADER_ROW - 1, 0, HEADER, f_head)
    ws.set_row(HEADER_ROW - 1, 30)
    row_of = {}
    values = values or {}
    for n, (ind, goal) in enumerate(blank.rows):
        r = HEADER_ROW + n
        row_of[ind.code] = r + 1
        fixed = f_office if ind.from_office else f_fixed
        ws.write_string(r, 0, ind.code, fixed)
        ws.write_string(r, 1, ind.level1, fixed)
        ws.write_string(r, 2, ind.level2, fixed)
        ws.write_string(r, 3, ind.measure, fixed)
        for c, number in ((4, goal.target if goal else None), (5, goal.stretch if goal else None)):
            if number is None:
                ws.write_blank(r, c, None, fixed)
            else:
                ws.write_number(r, c, number, fixed)
        if ind.from_office:
            ws.write_blank(r, 6, None, f_office)
            ws.write_blank(r, 7, None, f_office)
            ws.write_string(r, 8, "由考核办评定", f_office)
            continue
        value = values.get(ind.code)
        _write_input(ws, r, 6, value.actual if value else None, f_input)
        _write_input(ws, r, 7, value.previous if value else None, f_input)
        _write_input(ws, r, 8, value.note if value else None, f_input_text)
        ws.data_validation(r, 6, r, 6, _validation(ind, blank.levels))
        if ind.method != QUALITATIVE:
            ws.data_validation(r, 7, r, 7, {"validate": "decimal", "criteria": "between",
                                            "minimum": -1e15, "maximum": 1e15,
                                            "error_title": "请填写数字", "error_message": "上年同期请填写数字"})
    if signature:
        _signature_lines(book, ws, HEADER_ROW + len(blank.rows) + 1)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ws.freeze_panes(HEADER_ROW, 0)
    _page_setup(ws, HEADER_ROW)
    ws.protect("", {"format_columns": True, "format_rows": True})
    if blank.honor_levels:
        _claims_sheet(book, blank.honor_levels, claims, f_head, f_input, f_input_text)
    book.close()
    return row_of


def _signature_lines(book, ws, first: int) -> None:
    """填报人 and 联系电话 (typed in, unlocked), 单位负责人（签字）and 盖章 (by hand on the printout),
    from 0-based row ``first``. Column A (指标编码) stays blank and nothing is merged, so the reader
    passes over these rows as it passes over any row without an indicator code."""
    f_label = book.add_format({"align": "right", "valign": "vcenter"})
    f_line = book.add_format({"bottom": 1, "valign": "vcenter"})
    f_typed = book.add_format({"bottom": 1, "valign": "vcenter", "bg_color": "#FFF2CC", "locked": False})
    r = first
    ws.write_string(r, 2, "填报人：", f_label)
    ws.write_blank(r, 3, None, f_typed)
    ws.write_blank(r, 4, None, f_typed)
    ws.write_string(r, 5, "联系电话：", f_label)
    ws.write_blank(r, 6, None, f_typed)
    ws.write_string(r + 1, 2, "单位负责人（签字）：", f_label)
    ws.write_blank(r + 1, 3, None, f_line)
    ws.write_blank(r + 1, 4, None, f_line)
    ws.write_string(r + 1, 6, "（单位盖章）", book.add_format({"valign": "vcenter"}))
    ws.write_string(r + 2, 6, "年　　月　　日", book.add_format({"valign": "vcenter"}))
    for row in (r, r + 1, r + 2):
        ws.set_row(row, 30)


def _write_input(ws, r, c, value, fmt):
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _claims_sheet(book, honor_levels, claims, f_head, f_input, f_input_text):
    ws = book.add_worksheet(CLAIM_SHEET)
    ws.write_row(0, 0, ("事项", "级别", "文件依据"), f_head)
    levels = list(honor_levels)
    rows = max(CLAIM_ROWS, len(claims) + 5)
    for r in range(1, rows + 1):
        claim = claims[r - 1] if r - 1 < len(claims) else None
        _write_input(ws, r, 0, claim.item if claim else None, f_input_text)
        _write_input(ws, r, 1, claim.level if claim else None, f_input)
        _write_input(ws, r, 2, claim.basis if claim else None, f_input_text)
    ws.data_validation(1, 1, rows, 1, {"validate": "list", "source": levels,
                                        "error_title": "请从列表选择",
                                        "error_message": "级别应为：" + "、".join(levels)})
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 36)
    ws.freeze_panes(1, 0)
    _page_setup(ws, 1)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _page_setup(ws, header_rows: int):
    ws.set_paper(9)
    if header_rows > 1:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_rows - 1)
    ws.set_footer(f"&C{PAGE_FOOTER}")


def write_templates(scheme, out_dir, as_of, when) -> list:
    """One blank submission per unit into ``out_dir`` -> the paths written."""
    out = Path(out_dir)
    names = unique_names(scheme.units, lambda u: u.name, lambda u: u.code)
    written = []
    for unit in scheme.units:
        path = out / f"{names[unit.code]}.xlsx"
        with atomic_path(path) as tmp:
            write_template(str(tmp), blank_for(scheme, unit), as_of, when, signature=True)
        written.append(path)
    return written
