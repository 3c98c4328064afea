"""Plain data shared by every stage of the pipeline.

Reading produces a ``Scheme`` and ``Submission`` objects plus ``Issue`` records; scoring and grading
turn them into ``UnitResult`` objects. Nothing here knows about files, clocks or spreadsheets, and
every object pickles, so the pure stages can run in worker processes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional, Union

# Severities. "error" and "warning" are problems a clerk must look at (exit code 1); "info" is a
# statement about the build (e.g. an indicator left out because its data is not in yet).
ERROR, WARNING, INFO = "error", "warning", "info"

# 计分方法 (SPEC 3.2)
COMPLETION, CONTROL, RANKING, BEST, EFFICACY, BANDS, QUALITATIVE, APPRAISAL = (
    "完成率", "控制", "排名", "比最优", "功效系数", "分档", "定性", "测评")
METHODS = (COMPLETION, CONTROL, RANKING, BEST, EFFICACY, BANDS, QUALITATIVE, APPRAISAL)
# Methods that apply to a unit only where it has a 确保目标 (SPEC 3.2).
TARGETED_METHODS = (COMPLETION, CONTROL, EFFICACY)
LIGHT_METHODS = (COMPLETION, CONTROL, EFFICACY, QUALITATIVE)

FORWARD, REVERSE = "正向", "逆向"
TOTAL, GROWTH = "总量", "增速"
VETO_NONE, VETO_LOWEST, VETO_NOT_FIRST = "否", "是", "否优"
GREEN, YELLOW, RED = "绿", "黄", "红"
# (fill, font) of each light, the same in every workbook, document and chart
LIGHT_COLOURS = {GREEN: ("C6EFCE", "006100"), YELLOW: ("FFEB9C", "9C5700"), RED: ("FFC7CE", "9C0006")}
QUALITATIVE_RATIO = {"完成": 1.0, "基本完成": 0.6, "未完成": 0.0}
VOTE_VALUES = {"好": 100.0, "较好": 80.0, "一般": 60.0, "差": 0.0}   # 测评票值 default (SPEC 3.9)
# 加分类别 (SPEC 3.8): the classes bonuses fall into by default.
BONUS_INDICATOR, BONUS_HONOR, BONUS_ADVANCE, BONUS_PLACE = "指标加分", "表彰加分", "进位加分", "名次加分"

# Status of one indicator for one unit.
ST_OK = "正常"
ST_BLANK = "未填报"          # the unit submitted, but left this value blank
ST_NOT_SUBMITTED = "未报送"  # the unit sent no submission at all
ST_NOT_APPLICABLE = "不适用"  # no 确保目标 for a targeted method
ST_NO_DATA = "暂无数据"       # 考核办 indicator with no value for anyone yet: left out for everyone


@dataclass(frozen=True)
class Issue:
    severity: str
    file: str
    sheet: str
    cell: str
    message: str
    unit: str = ""      # code of the unit the problem belongs to, when known

    def text(self) -> str:
        where = self.file
        if self.sheet:
            where += f" {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {"severity": self.severity, "file": self.file, "sheet": self.sheet,
                "cell": self.cell, "message": self.message, "unit": self.unit}


@dataclass
class Params:
    name: str = "年度目标责任考核"
    year: int = 0
    as_of: Optional[dt.date] = None
    issuer: str = ""            # 发文机关
    doc_number: str = ""        # 发文字号
    addressee: str = ""         # 主送
    # SPEC 2.1 / 4.2: the 公文 elements of the documents (blank = not printed)
    results_doc_number: str = ""   # 结果通报字号 (考核结果通报)
    notice_doc_number: str = ""    # 通知字号 (通知/<单位>)
    written_date: Optional[dt.date] = None   # 成文日期 (--date overrides)
    printer: str = ""              # 印发机关 (版记)
    print_date: Optional[dt.date] = None     # 印发日期 (版记)
    cc: str = ""                   # 抄送 (版记)
    method_doc: str = ""           # 考核办法 as cited: 《…办法》（…〔2026〕3号）
    total_bonus_cap: Optional[float] = None   # 加分总上限
    honor_bonus_cap: Optional[float] = None   # 表彰加分上限
    yellow_band: float = 10.0                 # 黄灯区间 (percentage points)
    growth_yellow_band: float = 1.0           # 增速黄灯区间
    schedule_method: str = "按月"             # 序时算法: 按月 / 按日
    full_score: Optional[float] = None        # 满分: when set, each category's 分值 must add up to it


@dataclass
class Unit:
    code: str
    name: str
    category: str
    group: str = ""
    email: str = ""
    contact: str = ""
    aliases: tuple = ()


@dataclass
class Indicator:
    code: str
    category: str
    major: str                 # 大类
    level1: str                # 一级指标
    level2: str                # 二级指标
    measure: str               # 计量单位
    weight: float              # 分值
    method: str = COMPLETION
    direction: str = FORWARD
    value_type: str = TOTAL
    prorate: bool = False      # 序时
    deduction_rate: Optional[float] = None   # 扣分率
    excess_bonus: Optional[float] = None     # 超额加分
    bonus_cap: Optional[float] = None        # 加分上限
    floor: Optional[float] = None            # 得分下限 (as a completion ratio, e.g. 0.5)
    last_factor: float = 0.6                 # 末位系数
    rank_step: Optional[float] = None        # 名次递减
    veto: str = VETO_NONE
    deduction_cap: Optional[float] = None    # 扣分上限 (SPEC 3.8)
    bonus_class: str = BONUS_INDICATOR       # 加分类别 of its bonus (SPEC 3.8)
    source: str = "单位"                      # 数据来源: 单位 / 考核办
    lead: str = ""                           # 牵头单位
    support: str = ""                        # 配合单位
    order: int = 0                           # row order in the scheme, for stable output

    @property
    def name(self) -> str:
        return self.level2 or self.level1

    @property
    def key(self) -> tuple:
        return (self.category, self.code)

    @property
    def from_office(self) -> bool:
        return self.source == "考核办"


@dataclass(slots=True)
class Target:
    target: Optional[float] = None           # 确保目标
    stretch: Optional[float] = None          # 力争目标
    disallowed: Optional[float] = None       # 不允许值 (功效系数)


@dataclass
class GradeRule:
    name: str
    min_score: Optional[float] = None
    ratio: Optional[float] = None            # share of the category's units, 0..1
    quota: Optional[int] = None              # 名额: cap on the whole grade
    group_quota: Optional[int] = None        # 分组名额
    rounding: str = "四舍五入"                # 取整: 四舍五入 / 向下 / 向上


@dataclass
class ConsequenceRule:
    trigger: str          # 等次 / 末位 / 否决
    grade: str = ""
    years: int = 1
    measure: str = ""


@dataclass
class Deduction:
    unit: str             # unit code
    item: str
    points: float
    veto: str = VETO_NONE
    where: tuple = ("", "", "")   # file, sheet, cell
    basis: str = ""       # 依据 (or 说明) of the 扣分与否决 row, as written


@dataclass
class BonusClaim:
    item: str             # 事项
    level: str            # 级别
    basis: str = ""       # 文件依据
    where: tuple = ("", "", "")


@dataclass
class AdvanceRule:
    """进位奖励 of one 考核类别 (SPEC 3.10); None = not set."""
    per_up: Optional[float] = None           # 每进一位
    per_down: Optional[float] = None         # 每退一位
    up_cap: Optional[float] = None           # 进位上限
    down_cap: Optional[float] = None         # 退位上限
    hold_rank: Optional[int] = None          # 保位名次
    hold_points: Optional[float] = None      # 保位加分


@dataclass
class PeriodRule:
    """One row of 考核期 (SPEC 3.11)."""
    name: str                     # 期别
    end: dt.date                  # 截止日期
    weight: float = 0.0           # 权重 (0 = only 名次加分)
    place_points: dict = field(default_factory=dict)   # 名次 -> points, from "1:0.5；2:0.3"
    where: tuple = ("", "", "")   # file, sheet, cell of 截止日期


@dataclass
class Scheme:
    params: Params
    units: list                                   # [Unit]
    indicators: list                              # [Indicator], scheme order
    targets: dict = field(default_factory=dict)   # (unit_code, indicator_code) -> Target
    bands: dict = field(default_factory=dict)     # (category, code) -> [(lower, ratio)] sorted
    grades: list = field(default_factory=list)    # [GradeRule], best first
    consequences: list = field(default_factory=list)
    history: dict = field(default_factory=dict)   # unit_code -> {year: grade}
    honor_levels: dict = field(default_factory=dict)  # 级别 -> points
    office_values: dict = field(default_factory=dict)  # (unit_code, indicator_code) -> (value, where)
    deductions: list = field(default_factory=list)
    file: str = ""
    # The rule forms of SPEC 3.7–3.10; empty = the rules of 3.2–3.5, unchanged.
    major_weights: dict = field(default_factory=dict)   # category -> {大类: 权重} (3.7)
    bonus_caps: dict = field(default_factory=dict)      # 加分类别 -> 上限 or None (3.8)
    honor_classes: dict = field(default_factory=dict)   # 加分标准 级别 -> 类别 (3.8)
    qualitative_levels: dict = field(default_factory=lambda: dict(QUALITATIVE_RATIO))  # best first (3.9)
    vote_values: dict = field(default_factory=lambda: dict(VOTE_VALUES))  # 票别 -> 分值 (3.9)
    ranks: dict = field(default_factory=dict)           # unit_code -> {year: 名次} (3.10)
    advance_rules: dict = field(default_factory=dict)   # category -> AdvanceRule (3.10)
    # SPEC 3.11: 考核期 rows, and 考核办评分 / 扣分与否决 rows dated to an earlier 统计截止 (blank
    # 统计截止 = the current period: they stay in office_values / deductions above).
    periods: list = field(default_factory=list)          # [PeriodRule], sheet order
    dated_office_values: dict = field(default_factory=dict)  # date -> {(unit, code): (value, where)}
    dated_deductions: dict = field(default_factory=dict)     # date -> [Deduction]

    def indicators_of(self, category: str) -> list:
        return [i for i in self.indicators if i.category == category]

    def unit_by_code(self) -> dict:
        return {u.code: u for u in self.units}


@dataclass(slots=True)
class Value:
    """One reported value of one indicator, with where it came from."""
    actual: Optional[Union[float, str]] = None   # number, or a 定性 word
    previous: Optional[float] = None              # 上年同期
    note: str = ""                                # 完成说明
    where: tuple = ("", "", "")                   # file, sheet, cell of the actual


@dataclass
class Submission:
    unit_code: str
    file: str
    sheet: str
    values: dict = field(default_factory=dict)    # indicator code -> Value
    claims: list = field(default_factory=list)    # [BonusClaim]
    as_of: Optional[dt.date] = None
    header_row: int = 0                           # 1-based Excel row of the header
    row_of: dict = field(default_factory=dict)    # indicator code -> 1-based Excel row
    path: str = ""          # the unit's own workbook on disk; "" for rows of a consolidated sheet
    as_of_cell: str = ""    # where 统计截止 was read (SPEC 3.11: the submission's period)


@dataclass(slots=True)
class IndicatorResult:
    code: str
    name: str
    major: str
    method: str
    weight: float
    status: str = ST_OK
    actual: Optional[Union[float, str]] = None
    target: Optional[float] = None
    stretch: Optional[float] = None
    target_prorated: Optional[float] = None
    completion_rate: Optional[float] = None      # A/T for 总量 (share of the annual target)
    delta: Optional[float] = None                # shortfall/excess δ of SPEC 3.2
    schedule_gap: Optional[float] = None         # d of SPEC 3.2, percentage points
    light: Optional[str] = None
    score: float = 0.0
    bonus: float = 0.0
    veto: str = VETO_NONE                        # veto triggered by this indicator
    rank: Optional[int] = None                   # rank among the category (where comparable)
    # the arithmetic as terms, (form, numbers…): words.explain says them (rules write no sentence)
    explain: tuple = ()
    previous: Optional[float] = None             # 上年同期
    note: str = ""                               # 完成说明
    bonus_class: str = BONUS_INDICATOR           # 加分类别 of ``bonus`` (SPEC 3.8)
    # 倒排计划 (SPEC 3.6), for indicators short of the annual target
    remaining: Optional[float] = None
    per_day: Optional[float] = None
    per_week: Optional[float] = None
    per_dekad: Optional[float] = None
    per_month: Optional[float] = None
    # SPEC 3.11: the previous period's light and completion rate (None: one period, or no value then)
    previous_light: Optional[str] = None
    previous_completion: Optional[float] = None

    @property
    def applies(self) -> bool:
        return self.status not in (ST_NOT_APPLICABLE, ST_NO_DATA)

    @property
    def lost(self) -> float:
        return self.weight - self.score if self.applies else 0.0


@dataclass
class UnitResult:
    code: str
    name: str
    category: str
    group: str
    submitted: bool
    indicators: list = field(default_factory=list)   # [IndicatorResult]
    subtotals: dict = field(default_factory=dict)    # 大类 -> rescaled subtotal (3.7: 权重_k·R_k)
    raw_score: float = 0.0
    scale: float = 1.0                               # 满分 / Σ applicable w (3.7: Σ_K 权重 / Σ_K_u 权重)
    # SPEC 3.7, weighted categories only: 大类 -> 权重_k / Σ w_i applicable in k (an indicator's
    # points times this, times ``scale``, are its points in the base). Empty = unweighted.
    major_factors: dict = field(default_factory=dict)
    major_weights: dict = field(default_factory=dict)  # 大类 -> 权重_k of the weighted parts
    base: float = 0.0
    indicator_bonus: float = 0.0
    honor_bonus: float = 0.0
    bonus: float = 0.0
    deduction: float = 0.0
    deduction_items: list = field(default_factory=list)  # [(item, points)]
    deduction_bases: dict = field(default_factory=dict)  # item -> its 依据 / 说明, where the scheme gives one
    total: float = 0.0
    veto: str = VETO_NONE
    veto_reasons: list = field(default_factory=list)
    reds: int = 0
    rank: Optional[int] = None
    grade: str = ""
    grade_note: str = ""
    consequences: list = field(default_factory=list)
    history: dict = field(default_factory=dict)      # year -> grade, the last three years
    advance: dict = field(default_factory=dict)      # 争先进位 figures (SPEC 3.6)
    honor_items: list = field(default_factory=list)  # [(item, level, points)]
    # SPEC 3.8: per 加分类别 {"name", "raw", "cap", "granted"}, in a fixed order; then 加分总上限.
    bonus_classes: list = field(default_factory=list)
    bonus_before_total_cap: float = 0.0
    # SPEC 3.10: {"last_rank", "rank_before", "delta", "kind", "points", "text"}; empty = no rule.
    rank_change: dict = field(default_factory=dict)
    email: str = ""                                  # 单位 sheet 邮箱 (as written), for tzreport mail
    contact: str = ""                                # 联系人
    # SPEC 3.11, with two periods or more: [{period, as_of, total, rank, grade, base, reds}], oldest
    # first, the last is the current (folded) one; "fold": how the base was folded, when it was.
    periods: list = field(default_factory=list)
    fold: dict = field(default_factory=dict)

    def factor(self, major: str) -> float:
        """What one point of an indicator of ``major`` is worth in the base (SPEC 3.3 / 3.7)."""
        return self.major_factors.get(major, 1.0) * self.scale


@dataclass
class BuildResult:
    params: Params
    schedule_fraction: float
    units: list                       # [UnitResult], category then rank order
    indicators: list                  # [Indicator]
    excluded: list                    # [(category, code, name)] left out for lack of data
    issues: list                      # [Issue]
    categories: list                  # category names in scheme order
    full_scores: dict                 # category -> 满分
    submissions: dict = field(default_factory=dict)   # unit code -> Submission (for annotation)
    documents: list = field(default_factory=list)     # Word documents the build wrote (paths)
    # with pdf: {"converted": n, "moved": [documents given a page before the 版记]} or {"problem": …}
    pdf: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)         # unit code -> {"annotated"/"notice": Path}
    # SPEC 3.11: [{"period", "as_of", "weight", "folded"}] oldest first; empty = one period
    periods: list = field(default_factory=list)
    not_reached: list = field(default_factory=list)   # 考核期 names after the 统计截止日期


def cn_date(day: dt.date) -> str:
    """A date as official documents and every message write it: 2026年9月30日."""
    return f"{day.year}年{day.month}月{day.day}日"
