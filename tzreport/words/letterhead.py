"""What every document says in its letterhead, 版记 and dates (SPEC 4.2), from 参数: one definition
for the 进展通报, the 考核结果通报 and each 通知; and the problems of those 参数, said once per build."""
from __future__ import annotations

import datetime as dt

from tzreport.model import INFO, WARNING, Issue, cn_date
from tzreport.rules.planning import days_remaining
from tzreport.words.facts import period_text
from tzreport.words.numbers import number_text


def written_date(params) -> dt.date:
    """成文日期 (SPEC 4.2): 参数 成文日期 or ``--date`` (build puts it in ``params``), else the
    统计截止日期 — which build then names in an INFO line."""
    return params.written_date or params.as_of


def common_context(result) -> dict:
    params = result.params
    issuer = params.issuer or "考核办"
    schedule = number_text(result.schedule_fraction * 100, 1, keep_zeros=True)
    written = written_date(params)
    cc = params.cc.strip()
    if cc and not cc.endswith(("。", ".")):       # 7.4.2: the last 抄送机关 ends with a 句号
        cc += "。"
    return {"issuer": issuer, "issuer_mark": f"{issuer}文件", "doc_number": params.doc_number,
            # each document its own 字号 (SPEC 4.2); blank = no 字号 under the red line
            "results_doc_number": params.results_doc_number, "notice_doc_number": params.notice_doc_number,
            "addressee": params.addressee or "各单位", "date": cn_date(written),
            # 版记 (7.4): blank 印发机关 = the 发文机关, blank 印发日期 = the 成文日期
            "cc": cc, "printer": params.printer or issuer, "print_date": cn_date(params.print_date or written),
            "as_of": cn_date(params.as_of), "year": params.year, "name": params.name,
            "period": period_text(params.as_of), "schedule": f"{schedule}%",
            "days_left": days_remaining(params.as_of, result.schedule_fraction)}


def gongwen_issues(params, file: str = "") -> list:
    """Problems of the 公文 elements in 参数 (SPEC 4.2), said once per build."""
    issues = []
    for value, item, fallback in ((params.issuer, "发文机关", "版头按“考核办文件”、落款按“考核办”编排"),
                                  (params.doc_number, "发文字号", "进展通报红线上方没有发文字号"),
                                  (params.addressee, "主送", "通报主送按“各单位”编排")):
        if not str(value or "").strip():
            issues.append(Issue(WARNING, file, "参数", "", f"参数表未填写“{item}”，{fallback}；请在参数表填写“{item}”"))
    if params.written_date is None:
        issues.append(Issue(INFO, file, "参数", "", f"成文日期未填写，按统计截止日期{cn_date(params.as_of)}落款；"
                            "可在参数表填写“成文日期”或用 --date 指定"))
    elif params.as_of and params.written_date < params.as_of:
        issues.append(Issue(WARNING, file, "参数", "", f"成文日期{cn_date(params.written_date)}早于统计截止日期"
                            f"{cn_date(params.as_of)}，请核对参数表“成文日期”或 --date"))
    return issues
