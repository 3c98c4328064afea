"""Units' submissions (报表): one workbook per unit, or the long 完成情况 sheet of a consolidated input."""
from __future__ import annotations

import re

from tzreport.model import (APPRAISAL, GROWTH, INFO, QUALITATIVE, TARGETED_METHODS, BonusClaim, Submission,
                            Value, cn_date)
from tzreport.read.scheme import UnitIndex
from tzreport.read.table import Reporter, read_table
from tzreport.read.values import (code_of, is_blank, normalise_text, parse_date, parse_number,
                                  parse_qualitative, text_of)
from tzreport.read.workbook import SheetError, Workbook, cell_ref, find_header

SUBMISSION_SHEET = "指标完成情况"
REQUIRED = ("指标编码", "本期累计完成")
OPTIONAL = ("一级指标", "二级指标", "计量单位", "确保目标", "力争目标", "上年同期", "完成说明")
CLAIM_SHEET = "加分申报"


def find_submission_sheet(book: Workbook):
    """The sheet holding a submission table, preferring the template's own name, then the smaller
    sheets (a 100,000-row data sheet beside the table is read only if nothing else is the table).

    A sheet too large to read is passed over (it is reported only when it is the template's own)."""
    order = {name: i for i, name in enumerate(book.sheet_names)}
    names = sorted(book.sheet_names, key=lambda n: (n != SUBMISSION_SHEET, book.sheet_size(n), order[n]))
    for name in names:
        try:
            sheet = book.sheet(name)
        except SheetError:
            if name == SUBMISSION_SHEET:
                raise
            continue
        header, _ = find_header(sheet, REQUIRED)
        if header is not None:
            return sheet
    return None


def _label_value(sheet, above: int, label: str):
    """The value of a "填报单位：城关镇" line above the header, in one cell or the next one."""
    for r in range(above):
        line = sheet.rows[r]
        for c, cell in enumerate(line):
            if not isinstance(cell, str):
                continue
            text = normalise_text(cell).replace(" ", "")
            if not text.startswith(label):
                continue
            rest = re.sub(r"^[^:：]*[:：]", "", text) if re.search(r"[:：]", text) else ""
            if rest:
                return rest, cell_ref(r, c)
            for c2 in range(c + 1, len(line)):
                if not is_blank(line[c2]):
                    return line[c2], cell_ref(r, c2)
    return None, ""


def applies(scheme, unit, ind) -> bool:
    """Whether ``ind`` applies to ``unit``: targeted methods need a 确保目标 (SPEC 3.2)."""
    return ind.method not in TARGETED_METHODS or (unit.code, ind.code) in scheme.targets


def read_value(row, ind, report: Reporter, sheet, expected: bool = True, levels: dict = None) -> Value:
    """The 本期累计完成 (and 上年同期, 完成说明) of one row for indicator ``ind``.

    ``expected``: whether the indicator applies to the unit, so that a blank is worth a warning;
    ``levels``: the scheme's 定性等级 (SPEC 3.9), the words a 定性 value may take."""
    raw = row.get("本期累计完成")
    ref = row.ref("本期累计完成")
    where = (report.file, sheet.name, ref)
    value = Value(note=text_of(row.get("完成说明")) if row.has("完成说明") else "", where=where)
    percent_ok = False
    if ind.method == QUALITATIVE:
        value.actual, error = parse_qualitative(raw, levels)
    else:
        percent_ok = ind.measure == "%" or ind.value_type == GROWTH or ind.method == APPRAISAL
        value.actual, error = parse_number(raw, ind.measure, percent_ok)
    if not error and percent_ok:
        value.actual = _percent_cell(value.actual, row, "本期累计完成", ind, report, sheet)
    if error:
        report.error(sheet.name, ref, f"{ind.code} {ind.name}：{error}，按未填报处理")
    elif value.actual is None and (row.index, row.columns["本期累计完成"]) in sheet.formula_cells:
        report.error(sheet.name, ref, f"{ind.code} {ind.name}：公式没有计算结果（文件未经Excel重新计算保存），"
                     "请在Excel或WPS中打开、保存后重新报送；按未填报处理")
    elif value.actual is None and expected:
        report.warning(sheet.name, ref, f"{ind.code} {ind.name}：未填报本期累计完成")
    if row.has("上年同期") and not is_blank(row.get("上年同期")):
        percent_ok = ind.measure == "%" or ind.value_type == GROWTH
        value.previous, error = parse_number(row.get("上年同期"), ind.measure, percent_ok)
        if not error and percent_ok:
            value.previous = _percent_cell(value.previous, row, "上年同期", ind, report, sheet)
        if error:
            report.warning(sheet.name, row.ref("上年同期"), f"{ind.code}：上年同期{error}")
    if ind.method == APPRAISAL and isinstance(value.actual, float) and not 0 <= value.actual <= 100:
        report.error(sheet.name, ref, f"{ind.code} {ind.name}：测评分{text_of(value.actual)}不在0–100之间，"
                     "按未填报处理")
        value.actual = None
    return value


def _percent_cell(number, row, column: str, ind, report, sheet):
    """A number in a cell Excel shows as a percentage (7.6% is stored as 0.076): for an indicator
    measured in % (or a 增速) the clerk means 7.6, so ×100, and say so."""
    if not isinstance(number, float) or not isinstance(row.get(column), float):
        return number
    if (row.index, row.columns[column]) not in sheet.percent_cells:
        return number
    shown = round(number * 100, 10)   # 0.076 × 100 is 7.6000000000000005
    report.warning(sheet.name, row.ref(column), f"{ind.code} {ind.name}：单元格设为百分比格式，"
                   f"存的是{text_of(number)}、显示为{text_of(round(shown, 6))}%，按{text_of(round(shown, 6))}"
                   f"（{ind.measure or '%'}）读取")
    return shown


def _check_target(row, ind, scheme, unit, report, sheet):
    """Targets typed into a submission that differ from the scheme: the scheme wins (SPEC 5)."""
    target = scheme.targets.get((unit.code, ind.code))
    if target is None:         # nothing to differ from
        return
    for col, attr in (("确保目标", "target"), ("力争目标", "stretch")):
        official = getattr(target, attr)
        if official is None or not row.has(col) or is_blank(row.get(col)):
            continue
        typed, error = parse_number(row.get(col), ind.measure,
                                    ind.measure == "%" or ind.value_type == GROWTH)
        if error:
            continue
        if (row.index, row.columns[col]) in sheet.percent_cells and isinstance(typed, float) and \
                (ind.measure == "%" or ind.value_type == GROWTH):
            typed = round(typed * 100, 10)      # shown as 7.5%: the clerk typed 7.5
        if abs(typed - official) > 1e-9 * max(1.0, abs(official)):
            report.warning(sheet.name, row.ref(col), f"{ind.code} {ind.name}：报表{col}{text_of(typed)}与方案"
                           f"{text_of(official)}不一致，以方案为准")


def _accept_row(code, ind, unit, seen, row, report, sheet):
    """Whether a row's indicator code may be read for ``unit``; reports why not."""
    if ind is None:
        report.error(sheet.name, row.ref("指标编码"),
                     f"未知指标编码“{code}”（{unit.name}属于{unit.category}类），该行未读取")
        return False
    if code in seen:
        report.error(sheet.name, row.ref("指标编码"),
                     f"指标编码“{code}”重复（第{seen[code]}行已有），该行未读取")
        return False
    if ind.from_office:
        if not is_blank(row.get("本期累计完成")):
            report.warning(sheet.name, row.ref("本期累计完成"),
                           f"{ind.code} {ind.name}由考核办评分，单位填报的数值不予采用")
        return False
    return True


def read_submission(book: Workbook, file_label: str, scheme, index: UnitIndex, issues: list,
                    stem: str):
    """One unit's submission workbook -> (Submission or None, unit or None)."""
    report = Reporter(file_label, issues)
    sheet = find_submission_sheet(book)
    if sheet is None:
        names = "、".join(f"“{n}”" for n in book.sheet_names[:5]) + ("等" if len(book.sheet_names) > 5 else "")
        report.error(SUBMISSION_SHEET, "A1", "找不到报表工作表（表头需含“指标编码”和“本期累计完成”；本文件的工作表为"
                     f"{names or '（无）'}），该文件未读取")
        return None
    header, _ = find_header(sheet, REQUIRED)
    unit_text, unit_ref = _label_value(sheet, header, "填报单位")
    unit = index.find(unit_text) if unit_text else None
    if unit is None:
        by_file = index.find(stem)
        if unit_text and by_file is None:
            report.error(sheet.name, unit_ref, f"填报单位“{text_of(unit_text)}”不是方案中的单位，该文件未读取")
            return None
        if unit_text and by_file is not None:
            report.unit = by_file.code        # the unit's own problem: listed on its sheet of 审核结果
            report.warning(sheet.name, unit_ref, f"填报单位“{text_of(unit_text)}”不是方案中的单位，"
                           f"按文件名认定为{by_file.name}")
        if by_file is None:
            report.error(sheet.name, "A1", f"无法确定填报单位（表头上方没有“填报单位”，文件名“{stem}”"
                         "也不是方案中的单位），该文件未读取")
            return None
        unit = by_file
    report.unit = unit.code
    submission = Submission(unit.code, file_label, sheet.name, header_row=header + 1)
    as_of_raw, as_of_ref = _label_value(sheet, header, "统计截止")
    if as_of_raw is not None:
        submission.as_of, error = parse_date(as_of_raw)
        if error:
            report.warning(sheet.name, as_of_ref, f"统计截止：{error}")
        else:
            submission.as_of_cell = as_of_ref
        if submission.as_of and scheme.params.as_of and submission.as_of < scheme.params.as_of \
                and all(rule.end != submission.as_of for rule in scheme.periods):
            # SPEC 3.11: an earlier period's data (a later date is reported when the periods are split)
            report.warning(sheet.name, as_of_ref, f"统计截止{cn_date(submission.as_of)}与方案的统计截止日期"
                           f"{cn_date(scheme.params.as_of)}不一致，作为{cn_date(submission.as_of)}一期的数据"
                           "计入（与本期比较或按考核期折算）")
    rows = read_table(sheet, REQUIRED, OPTIONAL, report) or []
    by_code = {i.code: i for i in scheme.indicators_of(unit.category)}
    seen = {}
    for row in rows:
        code = code_of(row.get("指标编码"))
        if not code:
            continue
        ind = by_code.get(code)
        if ind is not None and ind.from_office and code not in seen:
            # not read, but 批注 puts the 考核办's score on the unit's own row (SPEC 4.1)
            submission.row_of.setdefault(code, row.excel_row)
        if not _accept_row(code, ind, unit, seen, row, report, sheet):
            continue
        seen[code] = row.excel_row
        submission.row_of[code] = row.excel_row
        submission.values[code] = read_value(row, ind, report, sheet, applies(scheme, unit, ind),
                                             scheme.qualitative_levels)
        _check_target(row, ind, scheme, unit, report, sheet)
    _report_missing(submission, scheme, unit, report, sheet.name)
    if CLAIM_SHEET in book.sheet_names:
        try:
            submission.claims = read_claims(book.sheet(CLAIM_SHEET), scheme, report)
        except SheetError as exc:
            report.error(CLAIM_SHEET, "", f"{exc}，加分申报未计")
    return submission


def _report_missing(submission, scheme, unit, report, sheet_name):
    for ind in scheme.indicators_of(unit.category):
        if ind.from_office or ind.code in submission.values or not applies(scheme, unit, ind):
            continue
        report.warning(sheet_name, "", f"缺少指标“{ind.code} {ind.name}”的行，按未填报处理")


def read_claims(sheet, scheme, report: Reporter, units: UnitIndex = None) -> list:
    """加分申报 rows: 事项, 级别, 文件依据 (and 单位 in a consolidated workbook)."""
    required = ("事项", "级别") + (("单位",) if units else ())
    rows = read_table(sheet, required, ("文件依据",), report) or []
    claims = []
    for row in rows:
        item, level = text_of(row.get("事项")), text_of(row.get("级别"))
        if not item:
            continue
        unit = units.find(row.get("单位")) if units else None
        if units:
            report.unit = unit.code if unit else ""
            if unit is None:
                report.error(sheet.name, row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该项未计")
                continue
        if level not in scheme.honor_levels:
            known = "、".join(scheme.honor_levels) or "（加分标准表为空）"
            report.error(sheet.name, row.ref("级别"), f"加分级别“{level}”不在加分标准中（应为{known}），该项未计")
            continue
        claim = BonusClaim(item, level, text_of(row.get("文件依据")),
                           (report.file, sheet.name, row.ref("事项")))
        claims.append((unit.code, claim) if units else claim)
    _said_once(claims, scheme, report, sheet.name, units is not None)
    return claims


def _said_once(claims: list, scheme, report: Reporter, sheet: str, consolidated: bool) -> None:
    """SPEC 3.3: a 事项 declared at several 级别 counts once, at the highest; each other line is said
    (a 市级 line beside the same 省级 one gives nothing, and the clerk is told why)."""
    from tzreport.rules.unit import claim_key
    groups = {}
    for entry in claims:
        code, claim = entry if consolidated else (report.unit, entry)
        groups.setdefault((code, claim_key(claim.item)), []).append(claim)
    names = {u.code: u.name for u in scheme.units}
    for (code, _), group in groups.items():
        if len(group) < 2:
            continue
        best = max(group, key=lambda c: scheme.honor_levels[c.level])     # the first of the highest
        report.unit = code
        for claim in group:
            if claim is not best:
                report.add(INFO, sheet, claim.where[2],
                           f"{names.get(code, '')}加分申报“{claim.item}”另有{best.level}申报（{best.where[2]}），"
                           f"同一事项按最高级别计一次，本行{claim.level}不计")


def read_consolidated(book: Workbook, file_label: str, scheme, index: UnitIndex, issues: list) -> list:
    """The long 完成情况 sheet (单位, 指标编码, 本期累计完成 …) -> one Submission per unit present."""
    report = Reporter(file_label, issues)
    sheet = book.sheet("完成情况")
    rows = read_table(sheet, ("单位",) + REQUIRED, OPTIONAL + ("统计截止",), report) or []
    by_key = {i.key: i for i in scheme.indicators}
    units = scheme.unit_by_code()
    submissions, seen = {}, {}
    for row in rows:
        unit = index.find(row.get("单位"))
        report.unit = unit.code if unit else ""
        if unit is None:
            report.error(sheet.name, row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
            continue
        code = code_of(row.get("指标编码"))
        if not code:
            continue
        # SPEC 3.11: a row's 统计截止 is its period (blank = the scheme's 统计截止日期)
        day, error = parse_date(row.get("统计截止")) if row.has("统计截止") else (None, None)
        if error:
            report.error(sheet.name, row.ref("统计截止"), f"统计截止：{error}，该行未读取")
            continue
        if day is not None and day == scheme.params.as_of:
            day = None
        key = (unit.code, day)
        if key not in submissions:
            submissions[key] = Submission(unit.code, file_label, sheet.name, as_of=day,
                                          as_of_cell=row.ref("统计截止") if day else "")
        sub = submissions[key]
        unit_seen = seen.setdefault(key, {})
        if not _accept_row(code, by_key.get((unit.category, code)), unit, unit_seen, row, report,
                           sheet):
            continue
        unit_seen[code] = row.excel_row
        sub.row_of[code] = row.excel_row
        ind = by_key[(unit.category, code)]
        sub.values[code] = read_value(row, ind, report, sheet, applies(scheme, unit, ind),
                                             scheme.qualitative_levels)
        _check_target(row, ind, scheme, unit, report, sheet)
    for (code, _), sub in submissions.items():
        report.unit = code
        _report_missing(sub, scheme, units[code], report, sheet.name)
    report.unit = ""
    if CLAIM_SHEET in book.sheet_names:
        for code, claim in read_claims(book.sheet(CLAIM_SHEET), scheme, report, index):
            # 表彰 items count once (SPEC 3.11): with the current period's rows, else the latest
            dates = sorted((d for c, d in submissions if c == code), key=lambda d: (d is None, d))
            sub = submissions.get((code, dates[-1])) if dates else None
            report.unit = code
            if sub is None:
                report.warning(CLAIM_SHEET, claim.where[2],
                               f"{units[code].name}没有完成情况数据（未报送），其加分申报“{claim.item}”未计")
                continue
            sub.claims.append(claim)
    return [submissions[k] for k in sorted(submissions, key=lambda k: (k[0], k[1] is not None, k[1]))]
