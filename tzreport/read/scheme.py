"""The scheme (考核方案): every rule of the assessment, read from the sheets of one workbook."""
from __future__ import annotations

import math

from tzreport.model import (APPRAISAL, BANDS, BONUS_HONOR, BONUS_INDICATOR, COMPLETION, CONTROL, EFFICACY,
                            FORWARD, GROWTH, INFO, METHODS, QUALITATIVE, QUALITATIVE_RATIO, REVERSE, TOTAL,
                            VETO_LOWEST, VETO_NONE, VETO_NOT_FIRST, VOTE_VALUES, AdvanceRule,
                            ConsequenceRule, Deduction, GradeRule, Indicator, Params, PeriodRule, Scheme,
                            Target, Unit)
from tzreport.read.table import Reporter, read_table
from tzreport.read.values import (code_of, is_blank, normalise_text, parse_choice, parse_date, parse_int,
                                  parse_number, parse_qualitative, parse_ratio, parse_yes_no, split_aliases,
                                  text_of)
from tzreport.read.workbook import Workbook
from tzreport.rules.indicator import appraisal_score

SCHEME_SHEETS = ("参数", "单位", "指标")   # a workbook holding these is a scheme
VOTE_COLUMNS = tuple(VOTE_VALUES)                 # default 票别 (SPEC 3.9 测评票值 replaces them)
VOTE_WEIGHTS = VOTE_VALUES
VETO_CHOICES = (VETO_NONE, VETO_LOWEST, VETO_NOT_FIRST)


def is_scheme(sheet_names) -> bool:
    """A workbook with the sheets 参数, 单位 and 指标 is a scheme (a consolidated input is one too)."""
    return sheet_names is not None and all(name in sheet_names for name in SCHEME_SHEETS)


def name_key(name) -> str:
    """Unit names compare without spaces and full-width forms."""
    return normalise_text(name).replace(" ", "") if name is not None else ""


class UnitIndex:
    """Finds a unit by 单位名称, 别名 or 单位编码."""

    def __init__(self, units):
        self.by_key, self.exact = {}, {}
        for unit in units:
            for key in (unit.code, unit.name, *unit.aliases):
                self.by_key.setdefault(name_key(key), unit)
                self.exact.setdefault(key, unit)

    def find(self, text):
        found = self.exact.get(text) if isinstance(text, str) else None
        return found or self.by_key.get(name_key(text))


def _num(row, name, report, sheet, **kw):
    value, error = parse_number(row.get(name), **kw)
    if error:
        report.error(sheet, row.ref(name), error)
    return value


def read_params(book: Workbook, report: Reporter) -> Params:
    params = Params()
    sheet = book.sheet("参数")
    rows = read_table(sheet, ("项目", "值"), (), report) or []
    seen = {}
    for row in rows:
        key = code_of(row.get("项目")).replace(" ", "")
        raw, ref = row.get("值"), row.ref("值")
        if is_blank(raw) and (row.index, row.columns["值"]) in sheet.formula_cells:
            report.error("参数", ref, f"{key}：公式没有计算结果（文件未经Excel重新计算保存），"
                         "请在Excel或WPS中打开、保存后再运行；按未填写处理")
        seen[key] = (raw, ref)

    def num(key, percent_ok=False):
        raw, ref = seen.get(key, (None, ""))
        value, error = parse_number(raw, percent_ok=percent_ok)
        if error:
            report.error("参数", ref, f"{key}：{error}")
        return value

    if "考核名称" in seen:
        params.name = text_of(seen["考核名称"][0]) or params.name
    year = num("考核年度")
    if year is not None:
        params.year = int(year)
    if "统计截止日期" in seen:
        as_of, error = parse_date(seen["统计截止日期"][0])
        if error:
            report.error("参数", seen["统计截止日期"][1], f"统计截止日期：{error}")
        params.as_of = as_of
    params.issuer = text_of(seen.get("发文机关", ("",))[0])
    params.doc_number = text_of(seen.get("发文字号", ("",))[0])
    params.addressee = text_of(seen.get("主送", ("",))[0])
    for key, attr in (("结果通报字号", "results_doc_number"), ("通知字号", "notice_doc_number"),
                      ("印发机关", "printer"), ("抄送", "cc"), ("考核办法", "method_doc")):
        setattr(params, attr, text_of(seen.get(key, ("",))[0]))
    for key, attr in (("成文日期", "written_date"), ("印发日期", "print_date")):
        if key in seen:
            day, error = parse_date(seen[key][0])
            if error:
                report.error("参数", seen[key][1], f"{key}：{error}")
            setattr(params, attr, day)
    params.total_bonus_cap = num("加分总上限")
    params.honor_bonus_cap = num("表彰加分上限")
    params.full_score = num("满分")
    for key, attr in (("黄灯区间", "yellow_band"), ("增速黄灯区间", "growth_yellow_band")):
        value = num(key, percent_ok=True)
        if value is not None:
            setattr(params, attr, value)
    if "序时算法" in seen:
        method, error = parse_choice(seen["序时算法"][0], ("按月", "按日"), "按月")
        if error:
            report.error("参数", seen["序时算法"][1], f"序时算法：{error}")
        params.schedule_method = method
    if not params.year and params.as_of:
        params.year = params.as_of.year
    if params.as_of and params.year and params.as_of.year != params.year:
        report.error("参数", seen.get("统计截止日期", ("", ""))[1],
                     f"统计截止日期 {params.as_of} 不在考核年度 {params.year} 内")
    return params


def read_units(book: Workbook, report: Reporter) -> list:
    rows = read_table(book.sheet("单位"), ("单位编码", "单位名称", "考核类别"),
                      ("分组", "邮箱", "联系人", "别名"), report) or []
    units, codes, names = [], {}, {}
    taken = {}      # name_key of every code, name and 别名 of the units read so far -> unit
    for row in rows:
        code, name = code_of(row.get("单位编码")), text_of(row.get("单位名称"))
        category = text_of(row.get("考核类别"))
        if not code or not name or not category:
            report.error("单位", row.ref("单位编码" if not code else "单位名称" if not name
                                         else "考核类别"), "单位编码、单位名称、考核类别不能为空，该行未读取")
            continue
        if code in codes:
            report.error("单位", row.ref("单位编码"),
                         f"单位编码“{code}”重复（第{codes[code]}行已有），该行未读取")
            continue
        if name_key(name) in names:
            report.error("单位", row.ref("单位名称"),
                         f"单位名称“{name}”重复（第{names[name_key(name)]}行已有），该行未读取")
            continue
        codes[code] = names[name_key(name)] = row.excel_row
        _check_aliases(row, name, taken, report)
        unit = Unit(code=code, name=name, category=category, group=text_of(row.get("分组")),
                    email=text_of(row.get("邮箱")), contact=text_of(row.get("联系人")),
                    aliases=split_aliases(row.get("别名")))
        for key in (unit.code, unit.name, *unit.aliases):
            taken.setdefault(name_key(key), unit)
        units.append(unit)
    return units


def _check_aliases(row, name, taken: dict, report) -> None:
    """An 别名 (or name) that is another unit's name, code or 别名 would send one unit's file to the
    other (which then shows as 未报送): reported, and the first unit keeps it. ``taken``: name_key
    of every code, name and 别名 of the units before this row -> that unit."""
    for alias in (name, *split_aliases(row.get("别名"))):
        other = taken.get(name_key(alias))
        if other is not None and alias != name:
            report.error("单位", row.ref("别名"), f"别名“{alias}”已是{other.name}（{other.code}）的名称、"
                         f"编码或别名，两个单位不能共用；按{other.name}认定")
        elif other is not None:
            report.error("单位", row.ref("单位名称"), f"单位名称“{alias}”已是{other.name}（{other.code}）的"
                         "别名或编码，两个单位不能共用；按先列出的单位认定")


INDICATOR_OPTIONAL = ("大类", "一级指标", "二级指标", "计量单位", "计分方法", "方向", "数值类型", "序时",
                      "扣分率", "超额加分", "加分上限", "得分下限", "末位系数", "名次递减", "一票否决",
                      "数据来源", "牵头单位", "配合单位", "扣分上限", "加分类别")


def read_indicators(book: Workbook, report: Reporter, categories: set, bonus_caps: dict = None) -> list:
    rows = read_table(book.sheet("指标"), ("指标编码", "考核类别", "分值"), INDICATOR_OPTIONAL,
                      report) or []
    indicators, seen = [], {}
    for order, row in enumerate(rows):
        code, category = code_of(row.get("指标编码")), text_of(row.get("考核类别"))
        if not code or not category:
            report.error("指标", row.ref("指标编码" if not code else "考核类别"),
                         "指标编码和考核类别不能为空，该行未读取")
            continue
        if (category, code) in seen:
            report.error("指标", row.ref("指标编码"),
                         f"指标编码“{code}”在考核类别“{category}”中重复（第{seen[(category, code)]}行已有），"
                         "该行未读取")
            continue
        if category not in categories:
            report.warning("指标", row.ref("考核类别"), f"考核类别“{category}”没有任何单位")
        weight = _num(row, "分值", report, "指标")
        if weight is None or weight < 0:
            if weight is not None:
                report.error("指标", row.ref("分值"), "分值不能为负数")
            elif is_blank(row.get("分值")):
                report.error("指标", row.ref("分值"), f"指标“{code}”没有分值，该行未读取")
            continue

        def choice(name, choices, default):
            value, error = parse_choice(row.get(name), choices, default)
            if error:
                report.error("指标", row.ref(name), f"{name}：{error}，按“{default}”处理")
            return value

        method = choice("计分方法", METHODS, COMPLETION)
        prorate, error = parse_yes_no(row.get("序时"))
        if error:
            report.error("指标", row.ref("序时"), f"序时：{error}")
        floor = None
        if not is_blank(row.get("得分下限")):
            floor, error = parse_ratio(row.get("得分下限"))
            if error:
                report.error("指标", row.ref("得分下限"), f"得分下限：{error}")
        ind = Indicator(
            code=code, category=category, major=text_of(row.get("大类")) or "其他",
            level1=text_of(row.get("一级指标")), level2=text_of(row.get("二级指标")),
            measure=text_of(row.get("计量单位")), weight=weight, method=method,
            direction=choice("方向", (FORWARD, REVERSE), FORWARD),
            value_type=choice("数值类型", (TOTAL, GROWTH), TOTAL), prorate=prorate,
            deduction_rate=_num(row, "扣分率", report, "指标"),
            excess_bonus=_num(row, "超额加分", report, "指标"),
            bonus_cap=_num(row, "加分上限", report, "指标"), floor=floor,
            rank_step=_num(row, "名次递减", report, "指标"),
            veto=choice("一票否决", VETO_CHOICES, VETO_NONE),
            source=choice("数据来源", ("单位", "考核办"), "单位"),
            lead=text_of(row.get("牵头单位")), support=text_of(row.get("配合单位")), order=order,
            bonus_class=text_of(row.get("加分类别")) or BONUS_INDICATOR)
        cap = _num(row, "扣分上限", report, "指标")    # SPEC 3.8
        if cap is not None and cap < 0:
            report.error("指标", row.ref("扣分上限"), f"指标“{code}”扣分上限不能为负数，按不设上限处理")
            cap = None
        elif cap is not None and method not in (COMPLETION, CONTROL, EFFICACY):
            report.warning("指标", row.ref("扣分上限"),
                           f"指标“{code}”按{method}计分，扣分上限只用于完成率、控制和功效系数，已忽略")
            cap = None
        ind.deduction_cap = cap
        if text_of(row.get("加分类别")):
            _uncapped(report, bonus_caps, "指标", row.ref("加分类别"), f"指标“{code}”", ind.bonus_class)
        last = _num(row, "末位系数", report, "指标")
        if last is not None:
            ind.last_factor = last
        if not ind.level1 and not ind.level2:
            report.warning("指标", row.ref("指标编码"), f"指标“{code}”没有指标名称")
        if ind.prorate and ind.value_type == GROWTH:
            report.warning("指标", row.ref("序时"), f"指标“{code}”是增速，序时进度不适用，已忽略“序时=是”")
            ind.prorate = False
        seen[(category, code)] = row.excel_row
        indicators.append(ind)
    return indicators


def read_targets(book: Workbook, report: Reporter, units: UnitIndex, indicators: dict) -> dict:
    if "目标" not in book.sheet_names:
        return {}
    sheet = book.sheet("目标")
    rows = read_table(sheet, ("单位", "指标编码", "确保目标"), ("力争目标", "不允许值"), report) or []
    targets, seen = {}, {}
    columns = rows[0].columns if rows else {}
    target_columns = [(name, columns.get(name)) for name in ("确保目标", "力争目标", "不允许值")]
    for row in rows:
        unit = units.find(row.get("单位"))
        code = code_of(row.get("指标编码"))
        if unit is None:
            report.error("目标", row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
            continue
        ind = indicators.get((unit.category, code))
        if ind is None:
            report.error("目标", row.ref("指标编码"),
                         f"指标编码“{code}”不是考核类别“{unit.category}”的指标，该行未读取")
            continue
        key = (unit.code, code)
        if key in seen:
            report.error("目标", row.ref("指标编码"),
                         f"{unit.name}的指标“{code}”目标重复（第{seen[key]}行已有），该行未读取")
            continue
        percent_ok = ind.measure == "%" or ind.value_type == GROWTH
        numbers, line = [], row.line
        for col, c in target_columns:
            # A province's 目标 sheet has 300,000 rows: the plain cases (a number as Excel stored it,
            # an empty cell) are taken here, giving what _target_num gives them; the rest go there.
            raw = line[c] if c is not None and c < len(line) else ""
            if raw == "" and type(raw) is str:
                numbers.append(None)
            elif type(raw) is float and math.isfinite(raw) and \
                    not (percent_ok and (row.index, c) in sheet.percent_cells):
                numbers.append(raw)
            else:
                numbers.append(_target_num(row, col, report, ind, unit, sheet,
                                           {"measure": ind.measure, "percent_ok": percent_ok}))
        target = Target(*numbers)
        if target.target is None:
            if is_blank(row.get("确保目标")) and \
                    (row.index, row.columns["确保目标"]) in sheet.formula_cells:
                report.error("目标", row.ref("确保目标"), f"{unit.name}的指标“{code}”确保目标是公式，"
                             "但没有计算结果（文件未经Excel重新计算保存），该指标按不适用处理")
            continue  # no committed target: the indicator does not apply to this unit ("-")
        if target.target < 0 and ind.value_type == TOTAL:
            report.warning("目标", row.ref("确保目标"), f"{unit.name}的指标“{code}”确保目标为负数"
                           f"（{text_of(target.target)}），仍按此计算，请核对")
        if ind.value_type == TOTAL and target.target == 0 and ind.method in (COMPLETION, EFFICACY):
            report.error("目标", row.ref("确保目标"), f"{unit.name}的指标“{code}”确保目标为0，无法计算完成率")
            continue
        if ind.method == EFFICACY and target.disallowed is None:
            report.error("目标", row.ref("不允许值"),
                         f"{unit.name}的指标“{code}”按功效系数计分，但没有不允许值")
            continue
        if ind.method == EFFICACY and target.disallowed == target.target:
            report.error("目标", row.ref("不允许值"), f"{unit.name}的指标“{code}”不允许值与确保目标相同")
            continue
        if target.stretch is not None:
            better = target.stretch < target.target if (
                ind.direction == REVERSE or ind.method == CONTROL) else target.stretch > target.target
            if not better and target.stretch != target.target:
                report.warning("目标", row.ref("力争目标"),
                               f"{unit.name}的指标“{code}”力争目标不优于确保目标，已忽略力争目标")
                target.stretch = None
        seen[key] = row.excel_row
        targets[key] = target
    return targets


def _target_num(row, col, report, ind, unit, sheet, kw):
    """A target; a cell Excel shows as a percentage (7.5% stored as 0.075) read as 7.5 for an
    indicator measured in % or a 增速, and said."""
    value = _num(row, col, report, "目标", **kw)
    if value is None or not kw["percent_ok"] or not row.has(col) or \
            not isinstance(row.get(col), float) or (row.index, row.columns[col]) not in sheet.percent_cells:
        return value
    shown = round(value * 100, 10)
    report.warning("目标", row.ref(col), f"{unit.name}的指标“{ind.code}”{col}单元格设为百分比格式，"
                   f"存的是{text_of(value)}、显示为{text_of(shown)}%，按{text_of(shown)}读取")
    return shown


def read_bands(book: Workbook, report: Reporter, indicators: dict) -> dict:
    bands = {}
    if "分档标准" in book.sheet_names:
        rows = read_table(book.sheet("分档标准"), ("指标编码", "下限", "得分比例"), ("考核类别",),
                          report) or []
        # Whether the sheet writes shares as fractions (0.8): then a plain 1.2 is a share above
        # one, an error, not 1.2%.
        fractions = any(isinstance(r.get("得分比例"), (int, float)) and 0 < r.get("得分比例") < 1
                        for r in rows)
        for row in rows:
            code, category = code_of(row.get("指标编码")), text_of(row.get("考核类别"))
            keys = [k for k in indicators if k[1] == code and (not category or k[0] == category)]
            if not keys:
                report.error("分档标准", row.ref("指标编码"), f"未知指标编码“{code}”")
                continue
            lower = _num(row, "下限", report, "分档标准", percent_ok=True)
            ratio, error = _band_ratio(row.get("得分比例"), fractions)
            if error:
                report.error("分档标准", row.ref("得分比例"), f"{code}：{error}，该档未读取")
            if lower is None or ratio is None:
                continue
            twin = next((where for key in keys for low, _, where in bands.get(key, ())
                         if math.isclose(low, lower, abs_tol=1e-9)), None)
            if twin:
                report.error("分档标准", row.ref("下限"), f"指标“{code}”下限{text_of(lower)}重复"
                             f"（{twin}已有），该档未读取")
                continue
            for key in keys:
                bands.setdefault(key, []).append((lower, ratio, row.ref("下限")))
    for key, ind in indicators.items():
        if ind.method == BANDS and not bands.get(key):
            report.error("指标", "", f"指标“{ind.code}”按分档计分，但分档标准表中没有它的档次，得分计为0")
        if key in bands:
            bands[key] = sorted((low, ratio) for low, ratio, _ in bands[key])
    return bands


def _band_ratio(value, fractions: bool):
    """得分比例: as parse_ratio, but never above one (1.2 is not read as 1.2% where the sheet writes
    0.8 for 80%)."""
    if fractions and isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1:
        return None, f"得分比例{text_of(value)}大于1（本表其他档按小数填写，如0.8表示80%）"
    ratio, error = parse_ratio(value)
    if ratio is not None and ratio > 1:
        return None, f"得分比例{text_of(value)}大于100%"
    return ratio, error


def read_grades(book: Workbook, report: Reporter) -> list:
    if "等次" not in book.sheet_names:
        report.error("", "", "方案缺少“等次”工作表，按 优秀/良好/一般/较差 默认分数线评定")
        return default_grades()
    rows = read_table(book.sheet("等次"), ("等次",), ("最低分", "比例", "名额", "分组名额", "取整"),
                      report) or []
    grades = []
    for row in rows:
        name = text_of(row.get("等次"))
        if not name:
            continue
        rule = GradeRule(name, min_score=_num(row, "最低分", report, "等次"))
        if not is_blank(row.get("比例")):
            rule.ratio, error = parse_ratio(row.get("比例"))
            if error:
                report.error("等次", row.ref("比例"), error)
        for col, attr in (("名额", "quota"), ("分组名额", "group_quota")):
            value, error = parse_int(row.get(col))
            if error:
                report.error("等次", row.ref(col), error)
            setattr(rule, attr, value)
        rounding, error = parse_choice(row.get("取整"), ("四舍五入", "向下", "向上"), "四舍五入")
        if error:
            report.error("等次", row.ref("取整"), error)
        rule.rounding = rounding
        grades.append(rule)
    if not grades:
        report.error("等次", "A1", "等次表为空，按 优秀/良好/一般/较差 默认分数线评定")
        return default_grades()
    return grades


def default_grades():
    return [GradeRule("优秀", 90), GradeRule("良好", 80), GradeRule("一般", 60), GradeRule("较差")]


def read_consequences(book: Workbook, report: Reporter, grade_names: set) -> list:
    if "结果运用" not in book.sheet_names:
        return []
    rows = read_table(book.sheet("结果运用"), ("触发", "措施"), ("等次", "连续年数"), report) or []
    rules = []
    for row in rows:
        trigger, error = parse_choice(row.get("触发"), ("等次", "末位", "否决"))
        if error:
            report.error("结果运用", row.ref("触发"), error)
            continue
        grade = text_of(row.get("等次"))
        if trigger == "等次" and grade not in grade_names:
            report.error("结果运用", row.ref("等次"), f"等次“{grade}”不在等次表中")
            continue
        years, error = parse_int(row.get("连续年数"))
        if error or years == 0:
            report.error("结果运用", row.ref("连续年数"), error or "连续年数至少为1")
        rules.append(ConsequenceRule(trigger, grade, years or 1, text_of(row.get("措施"))))
    return rules


def read_history(book: Workbook, report: Reporter, units: UnitIndex, grade_names: set) -> dict:
    history = {}
    if "历年等次" not in book.sheet_names:
        return history
    rows = read_table(book.sheet("历年等次"), ("单位", "年度", "等次"), ("名次",), report) or []
    for row in rows:
        unit = units.find(row.get("单位"))
        year, error = parse_int(row.get("年度"))
        grade = text_of(row.get("等次"))
        if not grade and row.has("名次") and not is_blank(row.get("名次")):
            continue   # a row giving only last year's 名次 (SPEC 3.10): read by read_ranks
        if unit is None:
            report.warning("历年等次", row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
        elif error or year is None:
            report.error("历年等次", row.ref("年度"), error or "年度为空")
        elif grade not in grade_names:
            report.warning("历年等次", row.ref("等次"), f"等次“{grade}”不在本年等次表中，仍按原样记录")
            history.setdefault(unit.code, {})[year] = grade
        else:
            history.setdefault(unit.code, {})[year] = grade
    return history


def read_honor_levels(book: Workbook, report: Reporter, classes: dict = None,
                      bonus_caps: dict = None) -> dict:
    """加分标准: 级别 -> 分值; with a 类别 column, ``classes`` gets 级别 -> 加分类别 (SPEC 3.8)."""
    levels = {}
    if "加分标准" in book.sheet_names:
        for row in read_table(book.sheet("加分标准"), ("级别", "分值"), ("类别",), report) or []:
            points = _num(row, "分值", report, "加分标准")
            if points is not None:
                levels[text_of(row.get("级别"))] = points
                if classes is not None and text_of(row.get("类别")):
                    classes[text_of(row.get("级别"))] = text_of(row.get("类别"))
                    _uncapped(report, bonus_caps, "加分标准", row.ref("类别"),
                              f"加分标准“{text_of(row.get('级别'))}”", text_of(row.get("类别")))
    return levels


# -- the rule forms of SPEC 3.7–3.10 (optional sheets; absent = the rules above, unchanged) ---------
def read_major_weights(book: Workbook, report: Reporter, indicators: list, categories: set) -> dict:
    """大类 (SPEC 3.7): 考核类别, 大类, 权重 -> {category: {大类: 权重}}."""
    weights = {}
    if "大类" not in book.sheet_names:
        return weights
    majors = {}
    for ind in indicators:
        majors.setdefault(ind.category, set()).add(ind.major)
    seen = {}
    for row in read_table(book.sheet("大类"), ("考核类别", "大类", "权重"), (), report) or []:
        category, major = text_of(row.get("考核类别")), text_of(row.get("大类"))
        if not category or not major:
            report.error("大类", row.ref("考核类别" if not category else "大类"), "考核类别和大类不能为空，该行未读取")
            continue
        if (category, major) in seen:
            report.error("大类", row.ref("大类"),
                         f"{category}的大类“{major}”重复（第{seen[(category, major)]}行已有），该行未读取")
            continue
        weight, error = parse_number(row.get("权重"), percent_ok=True)
        if error or weight is None or weight < 0:
            report.error("大类", row.ref("权重"), f"{category}“{major}”的权重{error or '应为非负数'}，该行未读取，"
                         "该大类按其指标分值合计计算")
            continue
        if category not in categories:
            report.warning("大类", row.ref("考核类别"), f"考核类别“{category}”没有任何单位，该行不起作用")
        elif major not in majors.get(category, ()):
            report.warning("大类", row.ref("大类"), f"考核类别“{category}”没有大类为“{major}”的指标，该行不起作用")
            continue
        seen[(category, major)] = row.excel_row
        weights.setdefault(category, {})[major] = weight
    return weights


def read_bonus_caps(book: Workbook, report: Reporter) -> dict:
    """加分类别 (SPEC 3.8): 类别 -> 上限 (None = uncapped)."""
    caps = {}
    if "加分类别" not in book.sheet_names:
        return caps
    for row in read_table(book.sheet("加分类别"), ("类别",), ("上限",), report) or []:
        name = text_of(row.get("类别"))
        if not name:
            continue
        if name in caps:
            report.error("加分类别", row.ref("类别"), f"加分类别“{name}”重复，该行未读取")
            continue
        cap = _num(row, "上限", report, "加分类别")
        if cap is not None and cap < 0:
            report.error("加分类别", row.ref("上限"), f"加分类别“{name}”的上限不能为负数，按不封顶处理")
            cap = None
        caps[name] = cap
    return caps


def _uncapped(report: Reporter, caps, sheet: str, cell: str, who: str, name: str) -> None:
    """A 类别 without a row in 加分类别 (when that sheet has rows): uncapped, said as info (SPEC 3.8)."""
    if caps and name not in caps and name != BONUS_HONOR:
        report.add(INFO, sheet, cell, f"{who}的加分类别“{name}”在加分类别表中没有对应行，该类加分不封顶")


def read_levels(book: Workbook, report: Reporter) -> dict:
    """定性等级 (SPEC 3.9): 等级 -> 得分比例, best first; absent or empty = 完成/基本完成/未完成."""
    if "定性等级" not in book.sheet_names:
        return dict(QUALITATIVE_RATIO)
    levels = {}
    for row in read_table(book.sheet("定性等级"), ("等级", "得分比例"), (), report) or []:
        word = normalise_text(row.get("等级")).replace(" ", "") if not is_blank(row.get("等级")) else ""
        if not word:
            continue
        if word in levels:
            report.error("定性等级", row.ref("等级"), f"定性等级“{word}”重复，该行未读取")
            continue
        ratio, error = parse_ratio(row.get("得分比例"))
        if error or ratio is None or not 0 <= ratio <= 1:
            report.error("定性等级", row.ref("得分比例"),
                         f"“{word}”的得分比例{error or '应在0–100%之间'}，该行未读取")
            continue
        levels[word] = ratio
    if not levels:
        report.error("定性等级", "A1", "定性等级表没有可用的等级，按 完成/基本完成/未完成 计分")
        return dict(QUALITATIVE_RATIO)
    return dict(sorted(levels.items(), key=lambda kv: -kv[1]))


def read_vote_values(book: Workbook, report: Reporter) -> dict:
    """测评票值 (SPEC 3.9): 票别 -> 分值; absent or empty = 好 100 / 较好 80 / 一般 60 / 差 0."""
    if "测评票值" not in book.sheet_names:
        return dict(VOTE_VALUES)
    values = {}
    for row in read_table(book.sheet("测评票值"), ("票别", "分值"), (), report) or []:
        name = text_of(row.get("票别")).replace(" ", "")
        if not name:
            continue
        if name in values:
            report.error("测评票值", row.ref("票别"), f"票别“{name}”重复，该行未读取")
            continue
        value = _num(row, "分值", report, "测评票值")
        if value is None:
            continue
        if not 0 <= value <= 100:
            report.error("测评票值", row.ref("分值"), f"票别“{name}”的分值{text_of(value)}不在0–100之间，该行未读取")
            continue
        values[name] = value
    if not values:
        report.error("测评票值", "A1", "测评票值表没有可用的票别，按 好100/较好80/一般60/差0 计算")
        return dict(VOTE_VALUES)
    return values


def read_ranks(book: Workbook, report: Reporter, units: UnitIndex) -> dict:
    """历年等次 名次 (SPEC 3.10): unit code -> {year: 名次}."""
    ranks = {}
    if "历年等次" not in book.sheet_names:
        return ranks
    sheet = book.sheet("历年等次")
    rows = read_table(sheet, ("单位", "年度"), ("名次",), report) or []
    for row in rows:
        if not row.has("名次") or is_blank(row.get("名次")):
            continue
        unit = units.find(row.get("单位"))
        year, _ = parse_int(row.get("年度"))
        rank, error = parse_int(row.get("名次"))
        if error or rank == 0:
            report.error("历年等次", row.ref("名次"), f"名次{error or '应从1起'}，该行名次未读取")
            continue
        if unit is None and not text_of(row.get("等次")):    # read_history skipped this row
            report.warning("历年等次", row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
        if unit is None or year is None:
            continue   # else reported by read_history
        ranks.setdefault(unit.code, {})[year] = rank
    return ranks


ADVANCE_COLUMNS = ("每进一位", "每退一位", "进位上限", "退位上限", "保位名次", "保位加分")


def read_advance_rules(book: Workbook, report: Reporter, categories: set) -> dict:
    """进位奖励 (SPEC 3.10): one row per 考核类别."""
    rules = {}
    if "进位奖励" not in book.sheet_names:
        return rules
    for row in read_table(book.sheet("进位奖励"), ("考核类别",), ADVANCE_COLUMNS, report) or []:
        category = text_of(row.get("考核类别"))
        if not category:
            continue
        if category in rules:
            report.error("进位奖励", row.ref("考核类别"), f"考核类别“{category}”重复，该行未读取")
            continue
        if category not in categories:
            report.warning("进位奖励", row.ref("考核类别"), f"考核类别“{category}”没有任何单位，该行不起作用")
            continue
        rule = AdvanceRule()
        for col, attr in zip(ADVANCE_COLUMNS, ("per_up", "per_down", "up_cap", "down_cap", "hold_rank",
                                               "hold_points")):
            if col == "保位名次":
                value, error = parse_int(row.get(col))
                if error:
                    report.error("进位奖励", row.ref(col), f"保位名次{error}，按不设保位处理")
            else:
                value = _num(row, col, report, "进位奖励")
                if value is not None and value < 0:
                    report.error("进位奖励", row.ref(col), f"{col}应为正数（表示分数），已按绝对值处理")
                    value = -value
            setattr(rule, attr, value)
        rules[category] = rule
    return rules


def _row_date(row, report: Reporter, sheet: str, as_of, dated: dict):
    """SPEC 3.11: the 统计截止 of a 考核办评分 / 扣分与否决 row -> (the dict of its period in ``dated``,
    or None for the current period, ok). Blank or the scheme's date = the current period."""
    if dated is None or not row.has("统计截止"):
        return None, True
    day, error = parse_date(row.get("统计截止"))
    if error:
        report.error(sheet, row.ref("统计截止"), f"统计截止：{error}，该行未读取")
        return None, False
    if day is None or day == as_of:
        return None, True
    return day, True


def read_office_values(book: Workbook, report: Reporter, units: UnitIndex, indicators: dict,
                       votes: dict = None, levels: dict = None, as_of=None, dated: dict = None) -> dict:
    """考核办评分: a score per unit and indicator, or vote counts in the 票别 columns of 测评票值
    (default 好/较好/一般/差; SPEC 3.9). A 定性 indicator's 得分 is one of the 定性等级 words."""
    values = {}
    if "考核办评分" not in book.sheet_names:
        return values
    vote_values = votes or VOTE_VALUES
    vote_columns = tuple(vote_values)
    sheet = book.sheet("考核办评分")
    rows = read_table(sheet, ("单位", "指标编码"), ("得分", "统计截止") + vote_columns, report) or []
    all_values = values
    for row in rows:
        day, ok = _row_date(row, report, sheet.name, as_of, dated)
        if not ok:
            continue
        values = all_values if day is None else dated.setdefault(day, {})
        unit = units.find(row.get("单位"))
        code = code_of(row.get("指标编码"))
        if unit is None:
            report.error(sheet.name, row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
            continue
        ind = indicators.get((unit.category, code))
        if ind is None:
            report.error(sheet.name, row.ref("指标编码"),
                         f"指标编码“{code}”不是考核类别“{unit.category}”的指标，该行未读取")
            continue
        if not ind.from_office:
            report.warning(sheet.name, row.ref("指标编码"),
                           f"指标“{code}”的数据来源是单位，不是考核办；以单位报送为准，该行未读取")
            continue
        if (unit.code, code) in values:
            report.error(sheet.name, row.ref("指标编码"), f"{unit.name}的指标“{code}”评分重复，该行未读取")
            continue
        where = (report.file, sheet.name, row.ref("得分"))
        if row.has("得分") and not is_blank(row.get("得分")) and ind.method == QUALITATIVE:
            value, error = parse_qualitative(row.get("得分"), levels)
            if error:
                report.error(sheet.name, row.ref("得分"), f"{ind.code} {ind.name}：{error}，该行未读取")
                continue
            values[(unit.code, code)] = (value, where)
            continue
        if row.has("得分") and not is_blank(row.get("得分")):
            value = _num(row, "得分", report, sheet.name, percent_ok=True)
        elif any(row.has(v) and not is_blank(row.get(v)) for v in vote_columns):
            votes = {}
            for v in vote_columns:
                n, error = parse_number(row.get(v)) if row.has(v) else (None, None)
                if error or (n is not None and (n < 0 or n != int(n))):
                    report.error(sheet.name, row.ref(v), error or f"票数“{text_of(row.get(v))}”不是非负整数")
                    n = None
                votes[v] = n or 0
            value = appraisal_score(votes, vote_values)
            total = value is not None
            where = (report.file, sheet.name, row.ref(next(v for v in vote_columns if row.has(v))))
            if not total:
                report.error(sheet.name, where[2], f"{unit.name}的指标“{code}”票数合计为0，无法计算测评分，"
                             "按缺少评分处理")
        else:
            continue
        if value is None:
            continue
        if ind.method == APPRAISAL and not 0 <= value <= 100:
            report.error(sheet.name, where[2], f"测评分{text_of(value)}不在0–100之间，该行未读取")
            continue
        values[(unit.code, code)] = (value, where)
    for day in [d for d, found in (dated or {}).items() if not found]:
        del dated[day]
    return all_values


def read_deductions(book: Workbook, report: Reporter, units: UnitIndex, as_of=None,
                    dated: dict = None) -> list:
    items = all_items = []
    if "扣分与否决" not in book.sheet_names:
        return items
    rows = read_table(book.sheet("扣分与否决"), ("单位", "事项"), ("扣分", "一票否决", "统计截止", "依据", "说明"),
                      report) or []
    for row in rows:
        day, ok = _row_date(row, report, "扣分与否决", as_of, dated)
        if not ok:
            continue
        items = all_items if day is None else dated.setdefault(day, [])
        unit = units.find(row.get("单位"))
        if unit is None:
            report.error("扣分与否决", row.ref("单位"), f"未知单位“{text_of(row.get('单位'))}”，该行未读取")
            continue
        points = _num(row, "扣分", report, "扣分与否决") or 0.0
        if points < 0:
            report.error("扣分与否决", row.ref("扣分"), "扣分应为正数（表示扣去的分），已按绝对值处理")
            points = -points
        veto, error = parse_choice(row.get("一票否决"), VETO_CHOICES, VETO_NONE)
        if error:
            report.error("扣分与否决", row.ref("一票否决"), error)
        basis = "；".join(text_of(row.get(k)) for k in ("依据", "说明") if not is_blank(row.get(k)))
        items.append(Deduction(unit.code, text_of(row.get("事项")), points, veto,
                               (report.file, "扣分与否决", row.ref("事项")), basis))
    for day in [d for d, found in (dated or {}).items() if not found]:
        del dated[day]
    return all_items


def parse_place_points(value):
    """名次加分 "1:0.5；2:0.3；3:0.2" -> ({名次: points}, error or None) (SPEC 3.11)."""
    import re
    text = normalise_text(value) if not is_blank(value) else ""
    points = {}
    for part in filter(None, re.split(r"[；;，,、\s]+", text.replace("：", ":"))):
        m = re.fullmatch(r"第?(\d+)名?[:=](\d+(?:\.\d+)?)分?", part)
        if not m:
            return {}, f"名次加分“{text}”无法识别（应如“1:0.5；2:0.3；3:0.2”）"
        points[int(m.group(1))] = float(m.group(2))
    return points, None


def read_periods(book: Workbook, report: Reporter) -> list:
    """考核期 (SPEC 3.11): 期别, 截止日期, 权重, 名次加分; a bad row is reported with its cell."""
    rules = []
    if "考核期" not in book.sheet_names:
        return rules
    seen = {}
    for row in read_table(book.sheet("考核期"), ("期别", "截止日期"), ("权重", "名次加分"), report) or []:
        name = text_of(row.get("期别"))
        if not name:
            continue
        day, error = parse_date(row.get("截止日期"))
        if error or day is None:
            report.error("考核期", row.ref("截止日期"), f"考核期“{name}”的截止日期{error or '为空'}，该行未读取")
            continue
        if day in seen:
            report.error("考核期", row.ref("截止日期"), f"考核期“{name}”与“{seen[day]}”截止日期相同"
                         f"（{day.year}年{day.month}月{day.day}日），该行未读取")
            continue
        weight, error = parse_number(row.get("权重")) if row.has("权重") else (None, None)
        if error or (weight is not None and weight < 0):
            report.error("考核期", row.ref("权重"), f"考核期“{name}”的权重“{text_of(row.get('权重'))}”"
                         "不是非负数，按0计（只计名次加分）")
            weight = None
        points, error = parse_place_points(row.get("名次加分")) if row.has("名次加分") else ({}, None)
        if error:
            report.error("考核期", row.ref("名次加分"), f"考核期“{name}”的{error}，该期不计名次加分")
        seen[day] = name
        rules.append(PeriodRule(name, day, weight or 0.0, points,
                                (report.file, "考核期", row.ref("截止日期"))))
    return rules


def read_scheme(book: Workbook, file_label: str, issues: list) -> Scheme:
    report = Reporter(file_label, issues)
    params = read_params(book, report)
    units = read_units(book, report)
    index = UnitIndex(units)
    bonus_caps = read_bonus_caps(book, report)
    indicators = read_indicators(book, report, {u.category for u in units}, bonus_caps)
    by_key = {i.key: i for i in indicators}
    grades = read_grades(book, report)
    grade_names = {g.name for g in grades}
    categories = {u.category for u in units}
    honor_classes = {}
    levels = read_levels(book, report)
    votes = read_vote_values(book, report)
    dated_office, dated_deductions = {}, {}      # SPEC 3.11: rows of earlier periods
    scheme = Scheme(
        params=params, units=units, indicators=indicators,
        targets=read_targets(book, report, index, by_key),
        bands=read_bands(book, report, by_key), grades=grades,
        consequences=read_consequences(book, report, grade_names),
        history=read_history(book, report, index, grade_names),
        honor_levels=read_honor_levels(book, report, honor_classes, bonus_caps),
        office_values=read_office_values(book, report, index, by_key, votes, levels, params.as_of,
                                         dated_office),
        deductions=read_deductions(book, report, index, params.as_of, dated_deductions),
        file=file_label, periods=read_periods(book, report),
        dated_office_values=dated_office, dated_deductions=dated_deductions,
        major_weights=read_major_weights(book, report, indicators, categories),
        bonus_caps=bonus_caps, honor_classes=honor_classes,
        qualitative_levels=levels, vote_values=votes, ranks=read_ranks(book, report, index),
        advance_rules=read_advance_rules(book, report, categories))
    check_scheme(scheme, report)
    return scheme


def check_scheme(scheme: Scheme, report: Reporter) -> None:
    """Cross-sheet checks: weights that do not add up, quotas that cannot be met."""
    from tzreport.rules.unit import full_score
    category_of = {u.code: u.category for u in scheme.units}
    targeted = {(category_of[unit], code) for unit, code in scheme.targets}
    for category in sorted({u.category for u in scheme.units}, key=_first_seen(scheme)):
        inds = scheme.indicators_of(category)
        if not inds:
            report.error("指标", "", f"考核类别“{category}”没有任何指标")
            continue
        weights = scheme.major_weights.get(category)
        total = full_score(inds, weights)    # SPEC 3.7: Σ 大类权重 where the 大类 sheet has rows
        full = scheme.params.full_score
        if full is not None and not math.isclose(total, full, abs_tol=1e-6):
            report.error("指标", "", f"考核类别“{category}”的分值合计为{text_of(total)}，与参数表满分"
                         f"{text_of(full)}不符；按各指标分值合计{text_of(total)}分计算")
        elif full is None and total not in (100, 1000):
            report.warning("指标", "", f"考核类别“{category}”的分值合计为{text_of(total)}，不是100或1000，"
                           "请核对（如确为本方案满分，请在参数表填写“满分”）")
        for ind in inds:
            if ind.method in (COMPLETION, CONTROL, EFFICACY) and not ind.from_office and \
                    (category, ind.code) not in targeted:
                report.warning("目标", "", f"指标“{ind.code} {ind.name}”（{category}）没有任何单位的确保目标，"
                               "对所有单位不适用")
    check_quotas(scheme, report)


def _first_seen(scheme):
    order = {}
    for u in scheme.units:
        order.setdefault(u.category, len(order))
    return lambda c: order[c]


def check_quotas(scheme: Scheme, report: Reporter) -> None:
    from tzreport.rules.grades import slots_for_ratio
    for category in sorted({u.category for u in scheme.units}, key=_first_seen(scheme)):
        members = [u for u in scheme.units if u.category == category]
        n = len(members)
        groups = {u.group for u in members if u.group}
        for rule in scheme.grades[:-1]:
            if rule.ratio is not None and slots_for_ratio(rule.ratio, n, rule.rounding) == 0 and (
                    rule.group_quota is None or not groups):
                report.warning("等次", "", f"{category}：{rule.name}比例{text_of(rule.ratio * 100)}%×"
                               f"{n}个单位按“{rule.rounding}”取整为0个名额，将无人评为{rule.name}")
            if rule.group_quota and not any(u.group for u in scheme.units):
                report.warning("等次", "", f"{rule.name}设有分组名额，但单位表中没有任何单位填写分组，"
                               "分组名额不起作用")
            if rule.quota is not None and rule.group_quota and rule.group_quota * len(groups) > rule.quota:
                report.warning("等次", "", f"{category}：{rule.name}分组名额共{rule.group_quota * len(groups)}个"
                               f"（{len(groups)}个分组×{rule.group_quota}），超过总名额{rule.quota}个，"
                               "按分组排序靠前者优先、总名额封顶")
        ratios = sum(r.ratio or 0 for r in scheme.grades[:-1])
        if ratios > 1 + 1e-9:
            report.warning("等次", "", f"{category}：各等次比例合计{text_of(round(ratios * 100, 2))}%，超过100%")
