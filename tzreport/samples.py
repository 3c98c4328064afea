"""Sample and synthetic workbooks.

``python -m tzreport.samples sample_workbooks`` rewrites the bundled samples:

* ``input.xlsx`` — 青峰县 assessing its 12 镇（街道） in three 分组 and 8 县直部门 at 30 September
  (目标任务 80 + 社会评价 20, one 优秀 per 分组 plus 5% overall, as seed 000 describes), in one
  consolidated workbook;
* ``市考/`` — 云州市 assessing its 14 县市区 at the year end with 好/较好/一般/差 (seed 004): a scheme
  ``考核方案.xlsx`` plus one submission per unit under ``报表/``, as units send them.

``python -m tzreport.samples --synthetic DIR --units 2000 --indicators 150`` writes a scheme and
N submissions of the same shape, for the benchmark. Everything is seeded: same arguments, same bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import xlsxwriter

FIXED_TIME = dt.datetime(2026, 1, 1, 8, 0, 0)
SUBMISSION_HEADER = ("指标编码", "一级指标", "二级指标", "计量单位", "确保目标", "力争目标", "本期累计完成",
                     "上年同期", "完成说明")
INDICATOR_HEADER = ("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法",
                    "方向", "数值类型", "序时", "扣分率", "超额加分", "加分上限", "得分下限", "末位系数",
                    "名次递减", "一票否决", "数据来源", "牵头单位", "配合单位", "扣分上限")


def _book(path: Path, constant_memory: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "constant_memory": constant_memory})
    wb.set_properties({"created": FIXED_TIME, "author": "tzreport"})
    return wb


def _sheet(wb, name: str, header, rows, widths=None):
    ws = wb.add_worksheet(name)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    ws.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            ws.write(r, c, value)
    for c, _ in enumerate(header):
        ws.set_column(c, c, (widths or {}).get(c, 12))
    ws.freeze_panes(1, 0)
    return ws


def _ind(code, category, major, level1, level2, measure, weight, method="完成率", direction="",
         value_type="", prorate="", rate=None, excess=None, cap=None, floor=None, last=None,
         step=None, veto="", source="", lead="", support="", deduction_cap=None):
    return (code, category, major, level1, level2, measure, weight, method, direction, value_type,
            prorate, rate, excess, cap, floor, last, step, veto, source, lead, support, deduction_cap)


def _r(x, digits=1):
    return round(x, digits)


# ---------------------------------------------------------------------------------------------
# 青峰县: consolidated workbook, 30 September 2026
# ---------------------------------------------------------------------------------------------
COUNTY_TOWNS = [
    # code, name, group, strength, aliases
    ("Z01", "城关镇", "城市发展区", 1.06, "城关"),
    ("Z02", "东关街道", "城市发展区", 0.99, "东关街道办事处"),
    ("Z03", "西关街道", "城市发展区", 0.95, ""),
    ("Z04", "新华街道", "城市发展区", 1.01, ""),
    ("Z05", "龙泉镇", "工业发展区", 1.08, ""),
    ("Z06", "石桥镇", "工业发展区", 0.97, ""),
    ("Z07", "白马镇", "工业发展区", 1.03, ""),
    ("Z08", "柳河镇", "工业发展区", 0.90, ""),
    ("Z09", "青山镇", "生态发展区", 1.02, ""),
    ("Z10", "凤凰镇", "生态发展区", 0.98, ""),
    ("Z11", "桃源镇", "生态发展区", 0.93, ""),
    ("Z12", "金鸡乡", "生态发展区", 0.88, ""),
]
COUNTY_DEPTS = [
    ("B01", "县发展和改革局", 1.04), ("B02", "县财政局", 1.00), ("B03", "县工业和信息化局", 0.96),
    ("B04", "县商务局", 0.93), ("B05", "县住房和城乡建设局", 0.98), ("B06", "县农业农村局", 1.02),
    ("B07", "县生态环境局", 0.95), ("B08", "县自然资源局", 0.90),
]
TOWN, DEPT = "镇街", "部门"
TOWN_INDICATORS = [
    _ind("ZB01", TOWN, "目标任务", "经济发展", "地区生产总值增速", "%", 8, value_type="增速", cap=2,
         lead="县发展和改革局", support="县统计局"),
    _ind("ZB02", TOWN, "目标任务", "经济发展", "固定资产投资", "万元", 10, prorate="是", excess=0.1, cap=2,
         floor=0.5, lead="县发展和改革局", support="县住房和城乡建设局"),
    _ind("ZB03", TOWN, "目标任务", "经济发展", "规模以上工业增加值增速", "%", 6, value_type="增速", rate=1,
         lead="县工业和信息化局", support="县统计局"),
    _ind("ZB04", TOWN, "目标任务", "经济发展", "社会消费品零售总额", "万元", 6, prorate="是",
         lead="县商务局", support="县市场监督管理局"),
    _ind("ZB05", TOWN, "目标任务", "财政收入", "一般公共预算收入", "万元", 8, prorate="是", excess=0.2, cap=3,
         lead="县财政局", support="县税务局"),
    _ind("ZB06", TOWN, "目标任务", "招商引资", "引进内资到位资金", "万元", 6, prorate="是",
         lead="县商务局", support="县投资促进中心"),
    _ind("ZB07", TOWN, "目标任务", "招商引资", "实际利用外资", "万美元", 4, method="排名",
         lead="县商务局"),
    _ind("ZB08", TOWN, "目标任务", "人民生活", "农村居民人均可支配收入增速", "%", 6, method="功效系数",
         value_type="增速", lead="县农业农村局", support="县统计局"),
    _ind("ZB09", TOWN, "目标任务", "资源环境", "万元地区生产总值能耗", "吨标准煤/万元", 4, direction="逆向",
         lead="县发展和改革局", support="县工业和信息化局"),
    _ind("ZB10", TOWN, "目标任务", "资源环境", "环境保护目标责任", "", 4, method="定性", veto="是",
         lead="县生态环境局"),
    _ind("ZB11", TOWN, "目标任务", "社会安全", "生产安全事故死亡人数", "人", 4, method="控制", veto="否优",
         lead="县应急管理局"),
    _ind("ZB12", TOWN, "目标任务", "社会安全", "越级上访批次", "批次", 4, method="控制", prorate="是",
         rate=0.05, excess=0.02, cap=2, lead="县信访局", support="县公安局"),
    _ind("ZB13", TOWN, "目标任务", "重点项目", "市县重点项目开工率", "%", 6, method="分档",
         lead="县发展和改革局"),
    _ind("ZB14", TOWN, "目标任务", "重点工作", "乡村振兴重点任务", "", 4, method="定性",
         lead="县农业农村局"),
    # 社会评价 is scored on its own 100-point scale and weighted 20 by the 大类 sheet (SPEC 3.7).
    _ind("ZB15", TOWN, "社会评价", "社会评价", "群众满意度调查", "分", 60, method="测评", source="考核办",
         lead="县统计局"),
    _ind("ZB16", TOWN, "社会评价", "社会评价", "民主测评", "分", 40, method="测评", source="考核办"),
]
DEPT_INDICATORS = [
    _ind("BM01", DEPT, "目标任务", "重点工作", "年度重点工作任务", "", 20, method="定性"),
    _ind("BM02", DEPT, "目标任务", "重点工作", "争取上级资金", "万元", 20, method="比最优"),
    _ind("BM03", DEPT, "目标任务", "重点工作", "专项工作任务完成数", "件", 20, prorate="是"),
    _ind("BM04", DEPT, "目标任务", "党的建设", "党风廉政建设", "", 10, method="定性", veto="是"),
    _ind("BM05", DEPT, "目标任务", "服务效能", "政务服务好评率", "%", 10, method="排名", step=0.05),
    _ind("BM06", DEPT, "社会评价", "社会评价", "领导班子民主测评", "分", 10, method="测评", source="考核办"),
    _ind("BM07", DEPT, "社会评价", "社会评价", "服务对象满意度", "分", 10, method="测评", source="考核办"),
]


def _county_targets(rng):
    """Targets per town, scaled by the town's size, and the actuals at 30 September (p = 0.75)."""
    targets, values, office = [], [], []
    p = 0.75
    for i, (code, name, group, s, _) in enumerate(COUNTY_TOWNS):
        size = [3.2, 1.6, 1.4, 1.5, 2.8, 1.9, 2.2, 1.3, 1.1, 1.0, 0.9, 0.7][i]
        noise = lambda a=0.04: 1 + rng.uniform(-a, a)  # noqa: E731
        gdp_t = _r(rng.choice([6.5, 7.0, 7.0, 7.5]))
        rows = {
            "ZB01": (gdp_t, gdp_t + 1.0, _r(gdp_t + (s - 1) * 12 + rng.uniform(-0.4, 0.4)), 6.6),
            "ZB02": (round(52000 * size, -2), round(60000 * size, -2),
                     round(52000 * size * p * s * noise(), -1), round(47000 * size * p, -1)),
            "ZB03": (8.0, None, _r(8.0 + (s - 1) * 25 + rng.uniform(-0.8, 0.8)), 7.4),
            "ZB04": (round(31000 * size, -2), None, round(31000 * size * p * (0.94 + (s - 1) * 0.6)
                                                         * noise(0.02), -1), round(28800 * size * p, -1)),
            "ZB05": (round(6800 * size, -1), round(7500 * size, -1),
                     round(6800 * size * p * s * noise(0.03), 1), round(6200 * size * p, 1)),
            "ZB06": (round(12000 * size, -2), None, round(12000 * size * p * s * noise(0.12), -1), None),
            "ZB07": (None, None, round(35 * size * s * noise(0.3), 1), round(30 * size, 1)),
            "ZB08": (7.5, None, _r(7.5 + (s - 1) * 10 + rng.uniform(-0.3, 0.3)), 7.2),
            "ZB09": (0.46, None, round(0.46 * (2 - s) * noise(0.02), 3), 0.48),
            "ZB10": (None, None, "未完成" if name == "金鸡乡" else "完成", None),
            "ZB11": (1, None, 2 if name == "柳河镇" else (1 if name in ("石桥镇", "龙泉镇") else 0), 1),
            "ZB12": (max(2, round(6 * size)), None, max(0, round(6 * size * p * (2.1 - s) * noise(0.2))),
                     None),
            "ZB13": (None, None, min(100, round(88 + (s - 1) * 80 + rng.uniform(-4, 4))), None),
            "ZB14": (None, None, "基本完成" if s < 0.95 else "完成", None),
        }
        notes = {}
        if s < 0.95:
            notes["ZB02"] = "两个续建项目因用地报批滞后，投资进度偏慢"
            notes["ZB04"] = "限额以上商贸企业入库数量不足"
        if name == "柳河镇":
            notes["ZB11"] = "8月发生一起道路交通事故、一起建筑施工事故"
        for ind, (t, st, a, prev) in rows.items():
            if t is not None:
                unaccept = {"ZB08": 4.0}.get(ind)
                targets.append((name, ind, t, st, unaccept))
            values.append((name, ind, a, prev, notes.get(ind, "")))
        good = int(60 + s * 40 + rng.uniform(-6, 6))
        office.append((name, "ZB16", None, good, int(75 - good * 0.6 + rng.uniform(0, 6)),
                       int(rng.uniform(2, 8)), int(rng.uniform(0, 3))))
    for code, name, s in COUNTY_DEPTS:
        values.append((name, "BM01", "完成" if s >= 0.95 else "基本完成", None, ""))
        values.append((name, "BM02", round(42000 * s * s * (1 + rng.uniform(-0.25, 0.25)), -1), None, ""))
        n = rng.choice([24, 30, 36, 40])
        targets.append((name, "BM03", n, None, None))
        values.append((name, "BM03", max(0, round(n * p * s * (1 + rng.uniform(-0.08, 0.08)))), None, ""))
        values.append((name, "BM04", "未完成" if name == "县自然资源局" else "完成", None,
                       "班子成员1人受党纪处分" if name == "县自然资源局" else ""))
        values.append((name, "BM05", round(min(99.9, 92 + (s - 1) * 40 + rng.uniform(-1.5, 1.5)), 1),
                       None, ""))
        good = int(48 + s * 30 + rng.uniform(-5, 5))
        office.append((name, "BM06", None, good, int(60 - good * 0.5 + rng.uniform(0, 5)),
                       int(rng.uniform(2, 6)), int(rng.uniform(0, 2))))
    return targets, values, office


def _numeric(a):
    """A reported value as a number when it is one ("1,234.5", full-width digits, "85.3%")."""
    if isinstance(a, (int, float)) or a is None:
        return a
    text = str(a).translate(str.maketrans("０１２３４５６７８９．", "0123456789.")).replace(",", "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return a            # a 定性 word


def _earlier(indicators, code, a, prev, ratio, rng):
    """(actual, 上年同期) of the same unit at an earlier 统计截止 (SPEC 3.11), from its later values:
    cumulative 序时 amounts scale with the share of the year, growth rates and shares move a
    little, control counts are no higher, words stay. ``ratio`` = earlier p / later p."""
    method, value_type, prorate = next((i[7], i[9], i[10]) for i in indicators if i[0] == code)
    a = _numeric(a)
    if not isinstance(a, (int, float)):
        return a, prev
    digits = 0 if isinstance(a, int) else 3 if abs(a) < 10 and value_type != "增速" else 1
    if prorate == "是":
        later = a * ratio * (1 + rng.uniform(-0.08, 0.08))
        value = max(0, round(later)) if isinstance(a, int) else round(later, digits)
        return value, (round(prev * ratio, 1) if isinstance(prev, (int, float)) else prev)
    if value_type == "增速":
        return round(a + rng.uniform(-0.6, 0.6), 1), prev
    if method == "控制":
        return max(0, a - rng.choice([0, 0, 1])), prev
    value = a * (1 + rng.uniform(-0.04, 0.04))
    value = round(value) if isinstance(a, int) else round(value, digits)
    return (min(100, value) if method in ("分档", "测评") else value), prev


def write_county(path: Path, periods: bool = True) -> None:
    """``periods``: 完成情况 also carries August's rows (统计截止 2026-08-31), so the 进展通报 compares
    with the previous month (SPEC 3.11); False writes September alone."""
    rng = random.Random(2026_09_30)
    wb = _book(path)
    _sheet(wb, "参数", ("项目", "值"), [
        ("考核名称", "青峰县2026年度镇（街道）和县直部门目标责任考核"),
        ("考核年度", 2026), ("统计截止日期", "2026-09-30"),
        ("发文机关", "中共青峰县委目标责任考核办公室"), ("发文字号", "青考办〔2026〕5号"),
        ("主送", "各镇人民政府、街道办事处，县直各部门"), ("满分", 100),
        ("通知字号", "青考办〔2026〕6号"), ("成文日期", "2026-10-12"),
        ("抄送", "县委办公室，县人大常委会办公室，县政府办公室，县政协办公室"),
        ("印发机关", "中共青峰县委目标责任考核办公室"), ("印发日期", "2026-10-12"),
        ("考核办法", "《青峰县镇（街道）和县直部门年度目标责任考核办法》（青办发〔2026〕3号）"),
        ("加分总上限", 5), ("表彰加分上限", 3), ("黄灯区间", 10), ("增速黄灯区间", 1), ("序时算法", "按月"),
    ], {0: 14, 1: 46})
    units = [(c, n, TOWN, g, f"{c.lower()}@qingfeng.gov.cn", "", a) for c, n, g, _, a in COUNTY_TOWNS]
    units += [(c, n, DEPT, "", f"{c.lower()}@qingfeng.gov.cn", "", "") for c, n, _ in COUNTY_DEPTS]
    contacts = "王建国 李秀英 张伟 刘洋 陈静 杨帆 赵磊 黄敏 周强 吴芳 徐丽 孙涛 胡军 朱红 高峰 林琳 何勇 郭霞 马超 罗平".split()
    units = [u[:5] + (contacts[i],) + u[6:] for i, u in enumerate(units)]
    _sheet(wb, "单位", ("单位编码", "单位名称", "考核类别", "分组", "邮箱", "联系人", "别名"), units,
           {1: 18, 4: 24})
    _sheet(wb, "指标", INDICATOR_HEADER, TOWN_INDICATORS + DEPT_INDICATORS, {3: 12, 4: 26, 19: 18, 20: 18})
    # "目标任务占80%，社会评价占20%" for 镇街; 部门 keep their 分值 as they are (no rows).
    _sheet(wb, "大类", ("考核类别", "大类", "权重"), [(TOWN, "目标任务", 80), (TOWN, "社会评价", 20)])
    targets, values, office = _county_targets(rng)
    _sheet(wb, "目标", ("单位", "指标编码", "确保目标", "力争目标", "不允许值"), targets)
    _sheet(wb, "分档标准", ("指标编码", "下限", "得分比例"), [
        ("ZB13", 100, 1), ("ZB13", 90, 0.8), ("ZB13", 80, 0.6), ("ZB13", 60, 0.3)])
    _sheet(wb, "等次", ("等次", "最低分", "比例", "名额", "分组名额", "取整"), [
        ("优秀", 90, "5%", None, 1, "向上"), ("良好", 80, "40%", None, None, "四舍五入"),
        ("一般", 60, None, None, None, None), ("较差", None, None, None, None, None)])
    _sheet(wb, "结果运用", ("触发", "等次", "连续年数", "措施"), COUNTY_CONSEQUENCES, {3: 60})
    history = []
    for name, grades in {"城关镇": ("优秀", "优秀"), "东关街道": ("良好", "优秀"), "西关街道": ("良好", "良好"),
                         "新华街道": ("良好", "良好"), "龙泉镇": ("优秀", "良好"), "石桥镇": ("良好", "良好"),
                         "白马镇": ("良好", "良好"), "柳河镇": ("一般", "一般"), "青山镇": ("良好", "优秀"),
                         "凤凰镇": ("良好", "良好"), "桃源镇": ("一般", "良好"), "金鸡乡": ("良好", "一般"),
                         "县发展和改革局": ("优秀", "优秀"), "县财政局": ("良好", "良好"),
                         "县工业和信息化局": ("良好", "良好"), "县商务局": ("一般", "良好"),
                         "县住房和城乡建设局": ("良好", "良好"), "县农业农村局": ("良好", "优秀"),
                         "县生态环境局": ("良好", "一般"), "县自然资源局": ("良好", "良好")}.items():
        history += [(name, 2024, grades[0]), (name, 2025, grades[1])]
    _sheet(wb, "历年等次", ("单位", "年度", "等次"), history, {0: 18})
    _sheet(wb, "加分标准", ("级别", "分值"), [("国家级", 2), ("省级", 1), ("市级", 0.5)])
    _sheet(wb, "考核办评分", ("单位", "指标编码", "得分", "好", "较好", "一般", "差"), office, {0: 18})
    _sheet(wb, "扣分与否决", ("单位", "事项", "扣分", "一票否决"), [
        ("白马镇", "中央生态环境保护督察反馈问题整改不到位", 1, "否优"),
        ("石桥镇", "统计数据报送不及时，被市统计局通报", 0.5, "否"),
        ("县商务局", "重点工作推进不力，被县委督查室通报", 1, "否"),
    ], {1: 44})
    if periods:
        # The previous month beside September, from the same towns and departments (own generator,
        # so September's figures stay as they were)
        earlier = random.Random(2026_08_31)
        indicators = TOWN_INDICATORS + DEPT_INDICATORS
        august = [(name, code) + _earlier(indicators, code, a, prev, 8 / 9, earlier) + ("", "2026-08-31")
                  for name, code, a, prev, _ in values]
        _sheet(wb, "完成情况", ("单位", "指标编码", "本期累计完成", "上年同期", "完成说明", "统计截止"),
               [row + ("2026-09-30",) for row in values] + august, {0: 18, 4: 40, 5: 12})
    else:
        _sheet(wb, "完成情况", ("单位", "指标编码", "本期累计完成", "上年同期", "完成说明"), values,
               {0: 18, 4: 40})
    _sheet(wb, "加分申报", ("单位", "事项", "级别", "文件依据"), [
        ("城关镇", "全国文明村镇", "国家级", "文明委〔2026〕3号"),
        ("城关镇", "全国文明村镇", "省级", "省文明委〔2025〕12号"),
        ("青山镇", "省级生态文明建设示范镇", "省级", "省生态环境厅〔2026〕21号"),
        ("龙泉镇", "全省营商环境优化先进集体", "省级", "省政府办公厅〔2026〕7号"),
        ("龙泉镇", "全市招商引资先进单位", "市级", "市委〔2026〕15号"),
        ("县发展和改革局", "全省重点项目建设先进单位", "省级", "省发展改革委〔2026〕9号"),
    ], {1: 30, 3: 26})
    wb.close()


COUNTY_CONSEQUENCES = [
    ("等次", "优秀", 1, "予以通报表彰，并给予适当物质奖励"),
    ("等次", "优秀", 3, "领导班子正职同等条件下优先提拔使用"),
    ("等次", "一般", 1, "班子成员和中层干部原则上一年内不得提拔，对班子成员进行诫勉谈话"),
    ("等次", "一般", 1, "领导班子向县委、县政府写出书面报告，分析原因，限期整改"),
    ("等次", "一般", 2, "对领导班子进行组织调整"),
    ("等次", "较差", 1, "班子成员和中层干部两年内不得提拔，对主要负责人免去现职或转任同级非领导职务"),
    ("等次", "较差", 1, "领导班子向县委、县政府写出书面报告，分析原因，限期整改"),
    ("末位", "", 1, "对单位主要负责人进行诫勉谈话，促其限期改进"),
    ("否决", "", 1, "取消当年评优评先资格，由县纪委监委依规依纪追责问责"),
]


# ---------------------------------------------------------------------------------------------
# 云州市: scheme + one submission per 县市区, 31 December 2026
# ---------------------------------------------------------------------------------------------
CITY_UNITS = [
    ("C01", "凤台区", 1.05, True), ("C02", "龙山区", 1.02, True), ("C03", "清源县", 0.97, False),
    ("C04", "安泽县", 1.00, False), ("C05", "永宁县", 0.93, False), ("C06", "长乐县", 1.07, False),
    ("C07", "丰泽县", 0.99, False), ("C08", "怀远县", 0.95, False), ("C09", "临川县", 1.03, False),
    ("C10", "青阳县", 0.91, False), ("C11", "石城县", 0.98, False), ("C12", "宁远县", 1.01, False),
    ("C13", "和平县", 0.96, False), ("C14", "静乐县", 0.88, False),
]
CITY = "县市区"
CITY_INDICATORS = [
    _ind("A01", CITY, "经济发展", "地区生产总值", "地区生产总值增速", "%", 10, value_type="增速", cap=3,
         lead="市发展和改革委员会", support="市统计局"),
    _ind("A02", CITY, "经济发展", "财政收入", "一般公共预算收入", "万元", 10, excess=0.1, cap=3, prorate="是",
         lead="市财政局", support="市税务局"),
    _ind("A03", CITY, "经济发展", "投资", "固定资产投资增速", "%", 8, value_type="增速",
         lead="市发展和改革委员会", support="市住房和城乡建设局"),
    _ind("A04", CITY, "经济发展", "工业", "规模以上工业增加值增速", "%", 6, method="排名", step=0.03,
         lead="市工业和信息化局"),
    _ind("A05", CITY, "经济发展", "开放", "外贸进出口总额", "万美元", 4, method="比最优", lead="市商务局"),
    _ind("A06", CITY, "人民生活", "收入", "城镇居民人均可支配收入增速", "%", 6, value_type="增速",
         excess=1, cap=2, lead="市人力资源和社会保障局", support="市统计局"),
    _ind("A07", CITY, "人民生活", "收入", "农村居民人均可支配收入", "元", 6, method="功效系数", prorate="是",
         lead="市农业农村局", support="市统计局"),
    _ind("A08", CITY, "社会发展", "就业", "城镇新增就业", "人", 6, prorate="是", lead="市人力资源和社会保障局",
         deduction_cap=3),
    _ind("A09", CITY, "社会发展", "民生", "民生实事", "", 6, method="定性", lead="市政府办公室"),
    _ind("A10", CITY, "资源环境", "节能", "单位地区生产总值能耗", "吨标准煤/万元", 6, direction="逆向",
         floor=0.8, lead="市发展和改革委员会"),
    _ind("A11", CITY, "资源环境", "环境", "空气质量优良天数比例", "%", 6, method="分档", lead="市生态环境局"),
    _ind("A12", CITY, "社会安全", "安全生产", "生产安全事故死亡人数", "人", 6, method="控制", veto="否优",
         lead="市应急管理局"),
    _ind("A13", CITY, "社会安全", "信访", "进京赴省越级上访批次", "批次", 4, method="控制", rate=0.04, prorate="是",
         excess=0.02, cap=2, lead="市信访局", support="市公安局"),
    _ind("A14", CITY, "社会安全", "社会稳定", "社会稳定", "", 4, method="定性", veto="是", lead="市委政法委"),
    _ind("A15", CITY, "班子和队伍建设", "民主测评", "领导班子民主测评", "分", 8, method="测评", source="考核办"),
    _ind("A16", CITY, "班子和队伍建设", "社会评价", "社会评价", "分", 4, method="测评", source="考核办"),
]
CITY_CONSEQUENCES = [
    ("等次", "好", 1, "对领导班子进行表彰，并给予适当物质奖励"),
    ("等次", "好", 3, "领导班子正职和优秀领导干部同等情况下优先提拔使用"),
    ("等次", "一般", 1, "领导班子向市委、市政府写出书面报告，分析原因，提出限期整改意见"),
    ("等次", "差", 1, "领导班子向市委、市政府写出书面报告，分析原因，提出限期整改意见"),
    ("等次", "差", 1, "对单位主要负责人进行诫勉谈话，促其限期改进"),
    ("等次", "差", 2, "对领导班子主要负责人和负有责任的班子成员进行组织调整"),
    ("末位", "", 1, "对单位主要负责人进行诫勉谈话，促其限期改进"),
    ("否决", "", 1, "取消当年评优资格，追究相关责任人责任"),
]


def _city_rows(rng):
    targets, subs, office = [], {}, []
    for i, (code, name, s, urban) in enumerate(CITY_UNITS):
        size = [2.6, 2.2, 1.3, 1.1, 0.9, 1.6, 1.0, 0.9, 1.4, 0.8, 1.0, 1.2, 0.9, 0.6][i]
        noise = lambda a=0.03: 1 + rng.uniform(-a, a)  # noqa: E731
        gdp_t = rng.choice([6.5, 7.0, 7.5])
        rural = None if urban else round(16500 * (0.9 + size * 0.1))
        rows = {
            "A01": (gdp_t, gdp_t + 1, _r(gdp_t + (s - 1) * 14 + rng.uniform(-0.3, 0.3)), 6.3),
            "A02": (round(98000 * size, -2), None, round(98000 * size * (0.92 + (s - 1) * 1.3) * noise(), 1),
                    round(90000 * size, 1)),
            "A03": (9.0, None, _r(9.0 + (s - 1) * 30 + rng.uniform(-1.5, 1.5)), 8.2),
            "A04": (None, None, _r(8.0 + (s - 1) * 20 + rng.uniform(-1, 1)), 7.1),
            "A05": (None, None, round(12000 * size * s * s * noise(0.25), 1), round(11000 * size, 1)),
            "A06": (7.0, None, _r(7.0 + (s - 1) * 8 + rng.uniform(-0.2, 0.3)), 6.8),
            "A07": (rural, None, round(rural * (0.97 + (s - 1) * 0.5) * noise(0.01)) if rural else None,
                    round(rural / 1.075) if rural else None),
            "A08": (round(4200 * size, -1), None, round(4200 * size * (0.97 + (s - 1) * 0.9) * noise()), None),
            "A09": (None, None, "完成" if s >= 0.95 else "基本完成", None),
            "A10": (0.52, None, round(0.52 * (1.02 - (s - 1) * 0.6) * noise(0.015), 3), 0.54),
            "A11": (None, None, round(min(96.0, 82 + (s - 1) * 60 + rng.uniform(-3, 3)), 1), None),
            "A12": (3, None, 4 if name == "永宁县" else rng.choice([0, 1, 1, 2]), 2),
            "A13": (round(10 * size), None, max(0, round(10 * size * (1.8 - s) * noise(0.2))), None),
            "A14": (None, None, "未完成" if name == "静乐县" else "完成", None),
        }
        if name == "凤台区":
            rows["A02"] = (rows["A02"][0], None, f"{rows['A02'][2]:,.1f}", rows["A02"][3])  # "1,234.5"
        if name == "安泽县":
            full = str.maketrans("0123456789.", "０１２３４５６７８９．")
            rows["A08"] = (rows["A08"][0], None, str(rows["A08"][2]).translate(full), None)
        if name == "临川县":
            rows["A11"] = (None, None, f"{rows['A11'][2]}%", None)
        for ind, (t, st, a, prev) in rows.items():
            if t is not None:
                targets.append((name, ind, t, st, round(t * 0.9) if ind == "A07" else None))
        subs[name] = rows
        good = int(55 + s * 35 + rng.uniform(-4, 4))
        office.append((name, "A15", None, good, int(70 - good * 0.55 + rng.uniform(0, 5)),
                       int(rng.uniform(1, 6)), int(rng.uniform(0, 2))))
        office.append((name, "A16", round(min(98.0, 84 + (s - 1) * 50 + rng.uniform(-2, 2)), 1),
                       None, None, None, None))
    return targets, subs, office


CITY_PERIODS = [("一季度", dt.date(2026, 3, 31), 15), ("上半年", dt.date(2026, 6, 30), 25),
                ("前三季度", dt.date(2026, 9, 30), 25), ("全年", dt.date(2026, 12, 31), 35)]
PLACE_POINTS = "1:0.5；2:0.3；3:0.2"


def write_city(folder: Path, periods: bool = True) -> None:
    """``periods``: a year of four quarters (SPEC 3.11, Anhui 2023's 15/25/25/35 and 名次加分), each
    quarter's submissions under 报表/一季度/ … ; False writes the year end alone."""
    rng = random.Random(2026_12_31)
    targets, subs, office = _city_rows(rng)
    wb = _book(folder / "考核方案.xlsx")
    _sheet(wb, "参数", ("项目", "值"), [
        ("考核名称", "云州市2026年度县市区目标责任考核"), ("考核年度", 2026), ("统计截止日期", "2026-12-31"),
        ("发文机关", "云州市年度目标责任考核领导组办公室"), ("发文字号", "云考办〔2027〕1号"),
        ("主送", "各县（市、区）党委、人民政府"), ("满分", 100), ("加分总上限", 5),
        ("结果通报字号", "云考办〔2027〕2号"), ("通知字号", "云考办〔2027〕3号"), ("成文日期", "2027-01-20"),
        ("抄送", "市委办公室，市人大常委会办公室，市政府办公室，市政协办公室，市纪委监委"),
        ("印发机关", "云州市年度目标责任考核领导组办公室"), ("印发日期", "2027-01-20"),
        ("考核办法", "《云州市县市区年度目标责任考核办法》（云办发〔2026〕8号）"),
    ], {0: 14, 1: 40})
    units = [(c, n, CITY, "", f"kaohe.{c.lower()}@yunzhou.gov.cn", "", "") for c, n, _, _ in CITY_UNITS]
    _sheet(wb, "单位", ("单位编码", "单位名称", "考核类别", "分组", "邮箱", "联系人", "别名"), units, {4: 28})
    _sheet(wb, "指标", INDICATOR_HEADER, CITY_INDICATORS, {3: 12, 4: 26, 19: 22, 20: 18})
    _sheet(wb, "目标", ("单位", "指标编码", "确保目标", "力争目标", "不允许值"), targets)
    _sheet(wb, "分档标准", ("指标编码", "下限", "得分比例"), [
        ("A11", 90, 1), ("A11", 85, 0.8), ("A11", 80, 0.6), ("A11", 75, 0.4)])
    _sheet(wb, "等次", ("等次", "最低分", "比例", "名额", "分组名额", "取整"), [
        ("好", 90, "20%", None, None, "四舍五入"), ("较好", 80, "40%", None, None, "向下"),
        ("一般", 60, None, None, None, None), ("差", None, None, None, None, None)])
    _sheet(wb, "结果运用", ("触发", "等次", "连续年数", "措施"), CITY_CONSEQUENCES, {3: 60})
    hist = {"凤台区": ("好", "好"), "龙山区": ("较好", "好"), "清源县": ("一般", "较好"), "安泽县": ("较好", "较好"),
            "永宁县": ("一般", "一般"), "长乐县": ("好", "好"), "丰泽县": ("较好", "一般"), "怀远县": ("一般", "较好"),
            "临川县": ("较好", "好"), "青阳县": ("差", "一般"), "石城县": ("较好", "较好"), "宁远县": ("较好", "较好"),
            "和平县": ("一般", "较好"), "静乐县": ("一般", "差")}
    # Last year's 综合排名 (SPEC 3.10); 和平县's was not recorded, so it gets no 进位 points.
    ranks = {"长乐县": 1, "凤台区": 2, "临川县": 3, "龙山区": 4, "安泽县": 5, "宁远县": 6, "清源县": 7,
             "石城县": 8, "怀远县": 9, "丰泽县": 10, "永宁县": 11, "青阳县": 12, "静乐县": 13}
    _sheet(wb, "历年等次", ("单位", "年度", "等次", "名次"),
           [(n, y, g[k], ranks.get(n) if y == 2025 else None)
            for n, g in hist.items() for k, y in enumerate((2024, 2025))])
    _sheet(wb, "进位奖励", ("考核类别", "每进一位", "每退一位", "进位上限", "退位上限", "保位名次", "保位加分"),
           [(CITY, 0.3, 0.2, None, 1, 3, 0.5)])
    _sheet(wb, "加分类别", ("类别", "上限"), [("指标加分", 3), ("表彰加分", 2), ("进位加分", 1)])
    _sheet(wb, "加分标准", ("级别", "分值", "类别"),
           [("国家级", 2, "表彰加分"), ("省级", 1, "表彰加分"), ("市级", 0.5, "表彰加分")])
    _sheet(wb, "考核办评分", ("单位", "指标编码", "得分", "好", "较好", "一般", "差"), office)
    _sheet(wb, "扣分与否决", ("单位", "事项", "扣分", "一票否决"), [
        ("怀远县", "耕地保护督察发现违法占地问题", 1.5, "否"),
        ("永宁县", "发生较大生产安全事故（1起3人死亡）", 2, "否"),
    ], {1: 40})
    if periods:
        _sheet(wb, "考核期", ("期别", "截止日期", "权重", "名次加分"),
               [(n, d.isoformat(), w, PLACE_POINTS) for n, d, w in CITY_PERIODS], {3: 22})
    wb.close()
    claims = {"长乐县": [("国家农业现代化示范区", "国家级", "农业农村部〔2026〕45号")],
              "凤台区": [("全省优化营商环境先进县（市、区）", "省级", "省政府〔2026〕18号"),
                      ("全省优化营商环境先进县（市、区）", "市级", "市政府〔2026〕3号")],
              "临川县": [("全国文明城市（县级）提名城市", "国家级", "中央文明委〔2026〕2号"),
                      ("全省乡村振兴示范县", "省级", "省委农办〔2026〕11号")]}
    names = {c: (l1, l2, m) for c, _, _, l1, l2, m, *_ in CITY_INDICATORS}
    for code, name, _, _ in CITY_UNITS:
        rows = []
        for ind, (t, st, a, prev) in subs[name].items():
            l1, l2, measure = names[ind]
            note = "受主导企业检修停产影响" if name in ("青阳县", "静乐县") and ind in ("A03", "A04") else ""
            rows.append((ind, l1, l2, measure, t, st, a, prev, note))
        for ind in ("A15", "A16"):
            l1, l2, measure = names[ind]
            rows.append((ind, l1, l2, measure, None, None, None, None, "由市考核办评定"))
        # Two units, like many real ones, keep a working column with formulas and a comment.
        extras = name in ("临川县", "凤台区")
        write_submission(folder / "报表" / f"{name}.xlsx", name, dt.date(2026, 12, 31), rows,
                         claims.get(name, []), working_column=extras,
                         comments={"A02": "含临川经济开发区数据"} if name == "临川县" else None)
        if periods:
            _city_quarters(folder, name, rows)


def _city_quarters(folder: Path, name: str, rows: list) -> None:
    """The unit's submissions of the first three quarters, from its year-end figures (same
    strengths): 报表/一季度/<单位>.xlsx …; 表彰 claims are the year end's only (counted once)."""
    earlier = random.Random(f"{name}-quarters")    # str seeds are stable across runs (not hash())
    later_rows, later_month = rows, 12
    for period, day, _ in reversed(CITY_PERIODS[:-1]):
        ratio = day.month / later_month
        quarter = []
        for ind, l1, l2, measure, t, st, a, prev, note in later_rows:
            a, prev = _earlier(CITY_INDICATORS, ind, a, prev, ratio, earlier) if a is not None else (a, prev)
            quarter.append((ind, l1, l2, measure, t, st, a, prev, note if a is None else ""))
        write_submission(folder / "报表" / period / f"{name}.xlsx", name, day, quarter)
        later_rows, later_month = quarter, day.month


def write_submission(path: Path, unit: str, as_of: dt.date, rows, claims=(), constant_memory=False,
                     working_column=False, comments=None):
    """A unit's submission laid out like the template: title, 填报单位/统计截止, header, rows.

    ``working_column`` adds the unit's own column J 比上年增减 (formulas =G−H with cached values);
    ``comments`` ({indicator code: text}) puts the unit's own comments on 本期累计完成 cells."""
    wb = _book(path, constant_memory)
    ws = wb.add_worksheet("指标完成情况")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                          "align": "center", "valign": "vcenter"})
    cell = wb.add_format({"border": 1})
    ws.merge_range(0, 0, 0, len(SUBMISSION_HEADER) - 1, f"{as_of.year}年度目标责任考核指标完成情况表", title)
    ws.write(1, 0, f"填报单位：{unit}")
    ws.write(1, 6, f"统计截止：{as_of.year}年{as_of.month}月{as_of.day}日")
    ws.write_row(2, 0, SUBMISSION_HEADER, head)
    for r, row in enumerate(rows, 3):
        for c, value in enumerate(row):
            if value is None or value == "":
                ws.write_blank(r, c, None, cell)
            else:
                ws.write(r, c, value, cell)
        actual, previous = row[6], row[7]
        if working_column and isinstance(actual, (int, float)) and isinstance(previous, (int, float)):
            ws.write_formula(r, 9, f"=G{r + 1}-H{r + 1}", cell, round(actual - previous, 4))
        if comments and row[0] in comments:
            ws.write_comment(r, 6, comments[row[0]], {"author": unit})
    if working_column:
        ws.write(2, 9, "比上年增减", head)
    for c, width in enumerate((10, 12, 26, 12, 12, 12, 14, 12, 30, 12)):
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 0)
    if claims:
        _sheet(wb, "加分申报", ("事项", "级别", "文件依据"), claims, {0: 34, 2: 26})
    wb.close()


# ---------------------------------------------------------------------------------------------
# Synthetic data for the benchmark
# ---------------------------------------------------------------------------------------------
SYN_METHODS = ["完成率"] * 6 + ["控制", "排名", "比最优", "功效系数", "分档", "定性", "测评"]


def write_synthetic(folder: Path, units: int = 2000, indicators: int = 150, seed: int = 1,
                    periods: int = 1) -> Path:
    """A scheme for ``units`` 乡镇 × ``indicators`` indicators, plus one submission per unit; with
    ``periods`` > 1 also the months before September (报表/8月/ …) and a 考核期 sheet folding them
    (SPEC 3.11)."""
    rng = random.Random(seed)
    inds = []
    for k in range(indicators):
        method = SYN_METHODS[k % len(SYN_METHODS)]
        vt = "增速" if method == "完成率" and k % 4 == 1 else ""
        inds.append(_ind(f"S{k + 1:03d}", "乡镇", f"大类{k % 6 + 1}", f"一级指标{k // 10 + 1}",
                         f"二级指标{k + 1}", "%" if vt else "万元", 1.0, method=method, value_type=vt,
                         prorate="是" if method == "完成率" and not vt and k % 3 == 0 else "",
                         excess=0.05 if k % 5 == 0 else None, cap=1 if k % 5 == 0 else None))
    names = [f"第{i + 1:04d}镇" for i in range(units)]
    groups = ["生态发展区", "工业发展区", "城市发展区", "农业发展区"]
    wb = _book(folder / "考核方案.xlsx", constant_memory=True)
    _sheet(wb, "参数", ("项目", "值"), [("考核名称", f"合成数据{units}×{indicators}"), ("考核年度", 2026),
                                     ("统计截止日期", "2026-09-30"), ("满分", float(indicators))])
    _sheet(wb, "单位", ("单位编码", "单位名称", "考核类别", "分组", "邮箱"),
           [(f"U{i + 1:04d}", n, "乡镇", groups[i % 4], f"u{i + 1:04d}@example.com")
            for i, n in enumerate(names)])
    _sheet(wb, "指标", INDICATOR_HEADER, inds)
    target_rows, per_unit = [], {n: [] for n in names}
    for n in names:
        s = rng.uniform(0.8, 1.2)
        for ind in inds:
            code, method, vt = ind[0], ind[7], ind[9]
            t = None
            if method in ("完成率", "控制", "功效系数"):
                t = round(rng.uniform(5, 9), 1) if vt else round(rng.uniform(1000, 90000), -1)
                if method == "控制":
                    t = rng.randint(2, 20)
                target_rows.append((n, code, t, None, round(t * 0.6, 1) if method == "功效系数" else None))
            if method == "定性":
                a = rng.choice(["完成", "完成", "基本完成", "未完成"])
            elif method == "测评":
                a = round(rng.uniform(70, 99), 1)
            elif method == "分档":
                a = round(rng.uniform(50, 100), 1)
            elif method == "控制":
                a = rng.randint(0, int(t * 1.2))
            elif t is not None:
                a = round(t + (s - 1) * 10, 2) if vt else round(t * 0.75 * s * rng.uniform(0.9, 1.1), 1)
            else:
                a = round(rng.uniform(100, 5000), 1)
            per_unit[n].append((code, ind[3], ind[4], ind[5], t, None, a, None, ""))
    _sheet(wb, "目标", ("单位", "指标编码", "确保目标", "力争目标", "不允许值"), target_rows)
    _sheet(wb, "分档标准", ("指标编码", "下限", "得分比例"),
           [(ind[0], lo, r) for ind in inds if ind[7] == "分档"
            for lo, r in ((95, 1), (85, 0.8), (70, 0.5))])
    _sheet(wb, "等次", ("等次", "最低分", "比例", "名额", "分组名额", "取整"), [
        ("优秀", 0.85 * indicators, "10%", None, 5, "向下"), ("良好", 0.75 * indicators, "30%", None, None, ""),
        ("一般", 0.6 * indicators, None, None, None, ""), ("较差", None, None, None, None, "")])
    months = list(range(10 - periods, 10))          # e.g. 6, 7, 8, 9 for four periods
    if periods > 1:
        ends = [dt.date(2026, m + 1, 1) - dt.timedelta(days=1) for m in months]
        _sheet(wb, "考核期", ("期别", "截止日期", "权重", "名次加分"),
               [(f"{d.month}月", d.isoformat(), 10 * (k + 1), PLACE_POINTS) for k, d in enumerate(ends)])
    wb.close()
    for n in names:
        write_submission(folder / "报表" / f"{n}.xlsx", n, dt.date(2026, 9, 30), per_unit[n],
                         constant_memory=True)
    for m in months[:-1]:
        earlier = random.Random(seed * 100 + m)
        day = dt.date(2026, m + 1, 1) - dt.timedelta(days=1)
        for n in names:
            rows = [(code, l1, l2, measure, t, st) + _earlier(inds, code, a, prev, m / 9, earlier) + (note,)
                    for code, l1, l2, measure, t, st, a, prev, note in per_unit[n]]
            write_submission(folder / "报表" / f"{m}月" / f"{n}.xlsx", n, day, rows, constant_memory=True)
    return folder


def write_samples(folder: Path) -> None:
    folder = Path(folder)
    write_county(folder / "input.xlsx")
    write_city(folder / "市考")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="写出示例工作簿或合成数据")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--synthetic", action="store_true", help="写合成数据（用于性能测试）")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--periods", type=int, default=1, help="期数（考核期，SPEC 3.11）")
    args = parser.parse_args(argv)
    if args.synthetic:
        write_synthetic(args.folder, args.units, args.indicators, periods=args.periods)
    else:
        write_samples(args.folder)


if __name__ == "__main__":
    main()
