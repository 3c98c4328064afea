"""Small real workbooks for tests, written with openpyxl (which, like many programs, leaves formulas
uncalculated — exactly what a test of that case needs).

The reference scheme ``write_scheme`` has three 镇 at 30 September (p = 0.75), two indicators:
I01 一般公共预算收入 (完成率, 总量, 序时, 60 分, 万元) and I02 环境保护 (定性, 40 分). Hand-computed:

* 城关镇  I01 target 1000 → T'=750,  A=750  → 60;   I02 完成     → 40;  total 100
* 龙泉镇  I01 target 2000 → T'=1500, A=1200 → 48;   I02 完成     → 40;  total 88
* 青山镇  I01 target 1500 → T'=1125, A=1125 → 60;   I02 基本完成 → 24;  total 84
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from hypothesis import strategies as st

from tzreport.model import ST_OK, BonusClaim, IndicatorResult, Params, Unit, UnitResult
from tzreport.read import load_inputs
from tzreport.rules.evaluate import evaluate

UNITS = [("Z01", "城关镇", "镇街", "城市发展区", "城关"), ("Z02", "龙泉镇", "镇街", "工业发展区", ""),
         ("Z03", "青山镇", "镇街", "生态发展区", "")]
INDICATORS = [
    ("I01", "镇街", "目标任务", "财政收入", "一般公共预算收入", "万元", 60, "完成率", "", "", "是"),
    ("I02", "镇街", "目标任务", "资源环境", "环境保护", "", 40, "定性", "", "", ""),
]
TARGETS = [("城关镇", "I01", 1000), ("龙泉镇", "I01", 2000), ("青山镇", "I01", 1500)]
VALUES = {"城关镇": {"I01": 750, "I02": "完成"}, "龙泉镇": {"I01": 1200, "I02": "完成"},
          "青山镇": {"I01": 1125, "I02": "基本完成"}}
TOTALS = {"城关镇": 100.0, "龙泉镇": 88.0, "青山镇": 84.0}
GRADES = [("优秀", 90, None, None, None, None), ("良好", 80, None, None, None, None),
          ("一般", 60, None, None, None, None), ("较差", None, None, None, None, None)]


def write_book(path: Path, sheets: dict) -> Path:
    """sheets: name -> list of rows (lists); None leaves a cell empty."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def scheme_sheets(**replace) -> dict:
    sheets = {
        "参数": [("项目", "值"), ("考核名称", "测试县2026年度考核"), ("考核年度", 2026),
               ("统计截止日期", dt.date(2026, 9, 30)),
               # SPEC 4.2: a scheme that documents can be issued from (blank ones warn)
               ("发文机关", "测试县考核办"), ("发文字号", "测考办〔2026〕1号"), ("主送", "各单位"),
               ("成文日期", dt.date(2026, 10, 10)), ("满分", 100)],
        "单位": [("单位编码", "单位名称", "考核类别", "分组", "别名")] + UNITS,
        "指标": [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法", "方向",
                "数值类型", "序时")] + INDICATORS,
        "目标": [("单位", "指标编码", "确保目标")] + TARGETS,
        "等次": [("等次", "最低分", "比例", "名额", "分组名额", "取整")] + GRADES,
    }
    sheets.update(replace)
    return {k: v for k, v in sheets.items() if v is not None}


def write_scheme(folder: Path, name: str = "考核方案.xlsx", **replace) -> Path:
    return write_book(Path(folder) / name, scheme_sheets(**replace))


def submission_rows(unit: str, values: dict, as_of="2026年9月30日", targets=None) -> list:
    """Template layout: title, 填报单位/统计截止 line, header on row 3, data from row 4 (G = 本期累计完成)."""
    rows = [["2026年度目标责任考核指标完成情况表"],
            [f"填报单位：{unit}", None, None, None, None, None, f"统计截止：{as_of}"],
            ["指标编码", "一级指标", "二级指标", "计量单位", "确保目标", "力争目标", "本期累计完成", "上年同期",
             "完成说明"]]
    names = {i[0]: (i[3], i[4], i[5]) for i in INDICATORS}
    for code, actual in values.items():
        l1, l2, measure = names.get(code, ("", "", ""))
        rows.append([code, l1, l2, measure, (targets or {}).get(code), None, actual, None, None])
    return rows


def write_submission(folder: Path, unit: str, values: dict = None, file_name: str = None,
                     extra_sheets: dict = None, **kw) -> Path:
    values = VALUES[unit] if values is None else values
    sheets = {"指标完成情况": submission_rows(unit, values, **kw)}
    sheets.update(extra_sheets or {})
    return write_book(Path(folder) / "报表" / (file_name or f"{unit}.xlsx"), sheets)


def write_all(folder: Path, skip=()) -> Path:
    """The reference scheme plus a clean submission per unit; returns the folder."""
    folder = Path(folder)
    write_scheme(folder)
    for unit in VALUES:
        if unit not in skip:
            write_submission(folder, unit)
    return folder


def totals(result) -> dict:
    return {u.name: round(u.total, 6) for u in result.units}


def issue_texts(result) -> list:
    return [i.text() for i in result.issues]


def write_ods(path: Path, sheet: str, rows: list) -> Path:
    """A real OpenDocument spreadsheet, written by hand (the format is a zip of XML)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                   for row in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


# -- shared by tests in more than one module -------------------------------------------------------

# SPEC 3 rules, one unit at a time (tests/rules)
PARAMS = Params()          # every setting at its default
UNIT = Unit("Z01", "城关镇", "镇街")


def indicator_row(code, weight, score, major, status=ST_OK, bonus=0.0, bonus_class="指标加分"):
    """An indicator's result as score_unit takes it (SPEC 3.3, 3.7, 3.8, 3.10)."""
    return IndicatorResult(code, code, major, "测评", weight, status=status, score=score, bonus=bonus,
                           bonus_class=bonus_class)


def claims(*levels):
    return [BonusClaim(f"事项{n}", level) for n, level in enumerate(levels)]


HONOR = {"国家级": 2.0, "省级": 1.0, "市级": 0.5}


def unit_result(code, total, group="", base=None, reds=0, veto="否", submitted=True):
    """A scored unit as ranking, grading and planning take it (SPEC 3.3–3.6)."""
    ur = UnitResult(code, f"单位{code}", "镇街", group, submitted)
    ur.total, ur.base, ur.reds, ur.veto = total, total if base is None else base, reds, veto
    return ur


def grades_of(units):
    return {u.code: u.grade for u in units}


def evaluate_book(path):
    """Read and score one input, no output files: (result, scheme)."""
    issues = []
    scheme, subs = load_inputs([path], issues)
    return evaluate(scheme, subs, issues), scheme


def level_scheme(folder, extra=None, values=None):
    """A consolidated input.xlsx with the scheme's own 定性等级 and 测评票值 (SPEC 3.9)."""
    sheets = {
        "参数": [("项目", "值"), ("考核名称", "测试"), ("考核年度", 2026), ("统计截止日期", dt.date(2026, 12, 31))],
        "单位": [("单位编码", "单位名称", "考核类别"), ("Z01", "城关镇", "镇街"), ("Z02", "龙泉镇", "镇街")],
        "指标": [("指标编码", "考核类别", "大类", "二级指标", "分值", "计分方法", "数据来源", "一票否决"),
               ("D01", "镇街", "目标任务", "环境保护", 80, "定性", "单位", "是"),
               ("M01", "镇街", "社会评价", "民主测评", 20, "测评", "考核办", "否")],
        "等次": [("等次", "最低分"), ("好", 90), ("一般", None)],
        "定性等级": [("等级", "得分比例"), ("优", 1), ("良", "85%"), ("中", 0.7), ("差", 0.4)],
        # 城关镇: 6 好, 2 较好, 1 一般, 1 差 → (6×100 + 2×80 + 1×60 + 1×40)/10 = 86 (default 差 0: 82).
        "测评票值": [("票别", "分值"), ("好", 100), ("较好", 80), ("一般", 60), ("差", 40)],
        "考核办评分": [("单位", "指标编码", "好", "较好", "一般", "差"), ("城关镇", "M01", 6, 2, 1, 1),
                  ("龙泉镇", "M01", 10, 0, 0, 0)],
        "完成情况": [("单位", "指标编码", "本期累计完成")] + (values or [("城关镇", "D01", "良"),
                                                            ("龙泉镇", "D01", "差")]),
    }
    sheets.update(extra or {})
    return write_book(folder / "input.xlsx", sheets)


# SPEC 3.11 periods: the 考核期 sheet, and a 参数 sheet dated as_of
def periods_sheet(rows, points="1:0.5；2:0.3；3:0.2"):
    return [("期别", "截止日期", "权重", "名次加分")] + [(n, d, w, points) for n, d, w in rows]


def period_params(as_of):
    # a scheme documents can be issued from (SPEC 4.2: blank 发文机关/发文字号/主送 warn)
    return [("项目", "值"), ("考核名称", "测试"), ("考核年度", 2026), ("统计截止日期", as_of),
            ("发文机关", "测试县考核办"), ("发文字号", "测考办〔2026〕1号"), ("主送", "各单位"), ("满分", 100)]


# a Word document as a reader reads it (python-docx)
def texts(doc) -> list:
    return [p.text for p in doc.paragraphs]


def all_text(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(texts(doc) + cells)


# hypothesis: a finite float of the size tables hold
finite = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False)
