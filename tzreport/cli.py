"""Command line: thin wrappers over the library. Exit codes: 0 clean, 1 built with problems, 2 nothing built."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import click

from tzreport import __version__, clicn
from tzreport.model import ERROR, INFO, WARNING, cn_date
from tzreport.pipeline import build as run_build
from tzreport.pipeline import check as run_check
from tzreport.pipeline import default_output_dir, exit_code, make_templates
from tzreport.read import BuildError
from tzreport.render.docx.documents import NOTICE_FOLDER, builtin_templates
from tzreport.render.xlsx.review import FILE_NAME as REVIEW_FILE
from tzreport.rules.rounding import round2
from tzreport.words.width import display_width


class NothingBuilt(click.ClickException):
    """SPEC 5: exit code 2 when nothing could be built."""
    exit_code = 2

    def format_message(self) -> str:
        return f"无法生成：{self.message}"


class NothingSent(NothingBuilt):
    """tzreport mail: exit code 2 when nothing could be tried."""

    def format_message(self) -> str:
        return f"无法发送：{self.message}"


def _pad(text, width: int, right: bool = False) -> str:
    text = str(text)
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def ranking_lines(result) -> list:
    """The per-category ranking a clerk reads in the terminal."""
    lines = []
    for category in result.categories:
        units = [u for u in result.units if u.category == category]
        lines.append(f"【{category}】{len(units)}个单位，满分{result.full_scores[category]:g}")
        name_w = max([display_width(u.name) for u in units] + [4])
        lines.append("  " + _pad("排名", 5) + _pad("单位", name_w + 2) + _pad("综合得分", 10, True)
                     + "  " + _pad("等次", 6) + "说明")
        for u in units:
            notes = []
            if not u.submitted:
                notes.append("未报送")
            if u.veto != "否":
                notes.append("一票否决" if u.veto == "是" else "一票否优")
            if u.reds and u.submitted:      # SPEC 4.1: a unit that sent nothing has no lights to count
                notes.append(f"红灯{u.reds}项")
            lines.append("  " + _pad(u.rank, 5) + _pad(u.name, name_w + 2)
                         + _pad(f"{round2(u.total):.2f}", 10, True) + "  " + _pad(u.grade, 6)
                         + "，".join(notes))
        lines.append("")
    return lines


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD，收到“{value}”") from exc


def input_options(command):
    """INPUTS, -o, --as-of and -j: the same for every command that reads a build's inputs."""
    for option in reversed((
            click.argument("inputs", nargs=-1, required=True, metavar="输入...",
                           type=clicn.PathType(exists=True)),
            click.option("-o", "--out", "out_dir", type=clicn.PathType(file_okay=False),
                         help="输出目录（默认：第一个输入旁、以它命名的“…-结果”文件夹）"),
            click.option("--as-of", callback=_parse_date, metavar="日期",
                         help="统计截止日期 YYYY-MM-DD，覆盖参数表"),
            click.option("-j", "--jobs", type=clicn.IntType(), default=None,
                         help="并行进程数（默认：CPU核数）"))):
        command = option(command)
    return command


@click.group(cls=clicn.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, message="%(prog)s 版本 %(version)s",
                      help=clicn.VERSION_TEXT)
def main():
    """tzreport：年度目标责任考核——读取报表、计分、定等次、出通报。"""


@main.command()
@input_options
@click.option("-q", "--quiet", is_flag=True, help="不显示排名，只显示问题统计")
@click.option("--pdf", is_flag=True, help="再用 LibreOffice 把各 Word 文档转成 PDF")
@click.option("--doc-templates", type=clicn.PathType(exists=True, file_okay=False),
              help="自己修改过的 Word 模板所在文件夹（缺的模板用内置的，见 tzreport word-templates）")
@click.option("--date", "written", callback=_parse_date, metavar="日期",
              help="通报、通知的成文日期 YYYY-MM-DD，覆盖参数表“成文日期”（都没有时按统计截止日期落款）")
def build(inputs, out_dir, as_of, jobs, quiet, pdf, doc_templates, written):
    """读取考核方案和各单位报表，计分、排名、评定等次，写出 汇总.xlsx、各单位批注表、
    进展通报、考核结果通报（统计截止日为12月31日时）、各单位通知和 results.json。

    输入：一个汇总工作簿（方案各表加“完成情况”表），或方案工作簿加报表文件/文件夹。

    \b
    示例：
      tzreport build sample_workbooks/input.xlsx
      tzreport build sample_workbooks/市考 -o 输出 --as-of 2026-12-31 --pdf
    """
    out = Path(out_dir or default_output_dir(inputs))
    bars = []

    def progress(stage, total):
        if quiet:
            return None
        total = total if total is not None else _count_files(inputs)
        if total < 100:
            return None
        bar = click.progressbar(length=total, label=stage, file=sys.stderr)
        bar.__enter__()
        bars.append(bar)
        return bar.update

    try:
        result = run_build(list(inputs), out, as_of, progress=progress, jobs=jobs,
                           templates=doc_templates, date=written, pdf=pdf)
    except BuildError as exc:
        raise NothingBuilt(str(exc)) from None
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    params = result.params
    click.echo(f"{params.name}（统计截止{cn_date(params.as_of)}，"
               f"序时进度{result.schedule_fraction * 100:.1f}%）")
    if not quiet:
        click.echo("\n".join(ranking_lines(result)))
    _report_issues(result.issues, "results.json 的 issues 或 汇总.xlsx 的“数据问题”")
    docs = [p.name for p in result.documents if p.parent == out]
    notices = sum(1 for p in result.documents if p.parent != out)
    click.echo(f"已写出：{out}{os.sep}（results.json、汇总.xlsx、批注{os.sep} {len(result.units)}个单位、"
               f"{'、'.join(docs) + '、' if docs else ''}{NOTICE_FOLDER}{os.sep} {notices}个单位）")
    code = exit_code(result)
    if "problem" in result.pdf:
        click.echo(f"PDF：{result.pdf['problem']}", err=True)
        code = max(code, 1)
    elif result.pdf:
        click.echo(f"已转换 PDF：{result.pdf['converted']}份")
        if result.pdf["moved"]:      # GB/T 9704 7.4: the 版记 on the back of the last sheet
            click.echo(f"说明：{len(result.pdf['moved'])}份文档页数为单数，已在版记前分页，使版记位于偶数页")
    sys.exit(code)


def _report_issues(issues, where: str) -> None:
    errors = [i for i in issues if i.severity == ERROR]
    warnings = [i for i in issues if i.severity == WARNING]
    for info in (i for i in issues if i.severity == INFO):
        click.echo(f"说明：{info.message}")
    if errors or warnings:
        click.echo(f"数据问题：错误{len(errors)}个，提示{len(warnings)}个（详见{where}）")
        for issue in (errors + warnings)[:20]:
            click.echo(f"  [{'错误' if issue.severity == ERROR else '提示'}] {issue.text()}")
        if len(errors) + len(warnings) > 20:
            click.echo(f"  ……另有{len(errors) + len(warnings) - 20}个")
    else:
        click.echo("数据问题：无")


@main.command()
@input_options
def check(inputs, out_dir, as_of, jobs):
    """只审核，不出结果：写出 审核结果.xlsx 和标出问题单元格的报表副本（退回/）。

    \b
    示例：
      tzreport check sample_workbooks/市考 -o 审核
    """
    out = Path(out_dir or default_output_dir(inputs))
    try:
        result = run_check(list(inputs), out, as_of, jobs=jobs)
    except BuildError as exc:
        raise NothingBuilt(str(exc)) from None
    submitted = len(result.submissions)
    click.echo(f"{result.params.name}：方案共{len(result.units)}个单位，已报送{submitted}个")
    _report_issues(result.issues, "审核结果.xlsx")
    click.echo(f"已写出：{out / REVIEW_FILE}")
    sys.exit(exit_code(result))


@main.command()
@click.argument("scheme", metavar="方案文件", type=clicn.PathType(exists=True, dir_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=clicn.PathType(file_okay=False),
              help="空白报表的输出目录")
@click.option("--as-of", callback=_parse_date, metavar="日期", help="统计截止日期 YYYY-MM-DD（默认：参数表）")
def template(scheme, out_dir, as_of):
    """按考核方案为每个单位生成空白报表（目标已预填，只有填报单元格可编辑）。

    \b
    示例：
      tzreport template sample_workbooks/市考/考核方案.xlsx -o 空白报表
    """
    try:
        paths, issues = make_templates(scheme, out_dir, as_of)
    except BuildError as exc:
        raise NothingBuilt(str(exc)) from None
    problems = [i for i in issues if i.severity in (ERROR, WARNING)]
    for issue in problems[:20]:
        click.echo(f"  [{'错误' if issue.severity == ERROR else '提示'}] {issue.text()}")
    click.echo(f"已生成{len(paths)}份空白报表：{out_dir}")
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("out_dir", metavar="输出目录", type=clicn.PathType(exists=True, file_okay=False))
@click.option("--host", metavar="地址", help="邮件服务器（SMTP）地址；--dry-run 时可不填")
@click.option("--port", type=clicn.IntType(), help="端口（默认：--ssl 465，--starttls 587，否则 25）")
@click.option("--sender", required=True, metavar="发件人", help="发件人，如 kaohe@example.gov.cn 或 \"考核办 <kaohe@example.gov.cn>\"")
@click.option("--user", metavar="用户名", help="登录用户名；密码取自环境变量 TZREPORT_SMTP_PASSWORD，没有则提示输入")
@click.option("--ssl", "security", flag_value="ssl", help="SSL 连接（通常端口 465）")
@click.option("--starttls", "security", flag_value="starttls", help="STARTTLS 加密（通常端口 587）")
@click.option("--dry-run", is_flag=True, help="不发送，只在 输出目录/邮件/ 下写出每个单位的 .eml 供查看")
@click.option("--only", multiple=True, metavar="单位", help="只发这些单位（名称或编码，可重复，或用顿号分隔）")
@click.option("--resend", is_flag=True, help="已发送过的单位也再发一次")
@click.option("--template", "template_file", type=clicn.PathType(exists=True, dir_okay=False),
              help="自己修改过的邮件模板（默认：内置的 单位邮件.txt，见 tzreport word-templates）")
def mail(out_dir, host, port, sender, user, security, dry_run, only, resend, template_file):
    """把每个单位的通知（.docx，有 PDF 时一并）和批注表发到它的邮箱（单位表“邮箱”列）。

    输出目录 是 tzreport build 的输出目录。每次尝试都记入 输出目录/发送记录.csv：再次运行只发还没发出的
    单位（中断后重新运行即从断处继续），不会重复发送，除非加 --resend。全部发出时退出码为 0。

    \b
    示例：
      tzreport mail sample_workbooks/input-结果 --sender kaohe@qingfeng.gov.cn --dry-run
      tzreport mail 输出 --host smtp.qingfeng.gov.cn --ssl --sender kaohe@qingfeng.gov.cn --user kaohe
    """
    from tzreport import mail as mailer
    if not dry_run and not host:
        raise click.UsageError("发送时须用 --host 指定邮件服务器（只想看看邮件内容请加 --dry-run）")
    out = Path(out_dir)
    try:
        plan = mailer.plan(out, sender, template_file, only)
    except mailer.MailProblem as exc:
        raise NothingSent(str(exc)) from None
    click.echo(f"{plan.name}（统计截止{cn_date(dt.date.fromisoformat(plan.as_of))}）："
               f"{plan.total}个单位，有邮箱且附件齐全的{len(plan.mails)}个")
    for name, why in plan.problems:
        click.echo(f"  [未发送] {name}：{why}")
    if plan.no_address:
        click.echo(f"无邮箱，未发送（{len(plan.no_address)}个）：{'、'.join(plan.no_address)}"
                   "（可在方案“单位”表“邮箱”列补上后重新 build）")
    if plan.stale_pdfs:
        click.echo(f"提示：{len(plan.stale_pdfs)}份 PDF 早于对应的 Word 通知（重新 build 后没有再加 --pdf？），"
                   f"未附上，只发 Word：{'、'.join(plan.stale_pdfs[:5])}{'等' if len(plan.stale_pdfs) > 5 else ''}")
    left_out = bool(plan.problems or plan.no_address)
    if dry_run:
        try:
            history = mailer.read_history(out / mailer.LOG_FILE, plan.name, plan.as_of)
        except mailer.MailProblem as exc:
            raise NothingSent(str(exc)) from None
        paths, skipped = mailer.write_eml(plan, out, history, resend)
        if skipped:
            click.echo(f"已发送过，跳过（{len(skipped)}个）：{'、'.join(skipped)}（要重发请加 --resend）")
        click.echo(f"试运行，未发送任何邮件：已写出 {len(paths)} 封 → {out / mailer.EML_FOLDER}{os.sep}")
        sys.exit(1 if left_out else 0)
    password = ""
    if user:
        password = os.environ.get("TZREPORT_SMTP_PASSWORD") or click.prompt(
            f"{user} 的邮箱密码", hide_input=True, err=True)
        if not security:
            click.echo("提示：未加密的连接上发送密码，建议加 --ssl 或 --starttls", err=True)
    server = mailer.Server(host, port or 0, security or "", user or "", password)
    bar = None
    if len(plan.mails) >= 20:
        bar = click.progressbar(length=len(plan.mails), label="发送邮件", file=sys.stderr)
        bar.__enter__()
    try:
        report = mailer.send(plan, server, out, resend, progress=bar.update if bar else None)
    except mailer.MailProblem as exc:
        raise NothingSent(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\n已中断。已发出的都记在 {out / mailer.LOG_FILE}，再次运行同一命令即从断处继续", err=True)
        sys.exit(1)
    finally:
        if bar:
            bar.__exit__(None, None, None)
    _mail_report(report, out / mailer.LOG_FILE)
    sys.exit(0 if report.complete and not left_out else 1)


def _mail_report(report, log) -> None:
    if report.interrupted:
        click.echo(f"上次运行在发送时中断（{'、'.join(report.interrupted)}），不能确认对方是否收到，"
                   "本次重新发送（Message-ID 与上次相同，多数邮件程序只显示一封）")
    click.echo(f"本次发出{len(report.sent)}个单位"
               + (f"；此前已发送{len(report.already)}个，未重发" if report.already else ""))
    for outcome in report.sent:
        if outcome.note:
            click.echo(f"  [提示] {outcome.name}：{outcome.note}")
    if report.changed:
        click.echo(f"  [提示] {'、'.join(report.changed)}的附件在发送后又变了（重新 build 过？）；"
                   "如需把新的发过去，用 --resend --only 单位名")
    for outcome in report.failed:
        click.echo(f"  [{outcome.state}] {outcome.name}：{outcome.note}")
    if report.not_tried:
        click.echo(f"连不上邮件服务器，以下{len(report.not_tried)}个单位未尝试：{'、'.join(report.not_tried[:20])}"
                   + ("等" if len(report.not_tried) > 20 else ""))
    if not report.complete:
        click.echo("未发出的单位，再次运行同一命令即可补发（已发出的不会重复发送）")
    click.echo(f"发送记录：{log}")


@main.command("word-templates")
@click.option("-o", "--out", "out_dir", required=True, type=clicn.PathType(file_okay=False),
              help="复制到哪个文件夹")
def word_templates(out_dir):
    """复制内置的模板（Word：进展通报、考核结果通报、单位通知；邮件：单位邮件.txt），供修改。

    改好后用 tzreport build … --doc-templates 该文件夹 生成文档，tzreport mail … --template
    该文件夹/单位邮件.txt 发邮件；标签的含义见其中的 README.md。

    \b
    示例：
      tzreport word-templates -o 我的模板
      tzreport build sample_workbooks/input.xlsx --doc-templates 我的模板
    """
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    source = builtin_templates()
    for path in sorted(source.iterdir()):
        if path.suffix in (".docx", ".md", ".txt"):
            shutil.copyfile(path, target / path.name)
            click.echo(target / path.name)


def _count_files(inputs) -> int:
    total = 0
    for raw in inputs:
        path = Path(raw)
        total += sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 1
    return total


if __name__ == "__main__":  # pragma: no cover
    main()
