"""Command line: thin wrappers over the library. Exit codes: 0 clean, 1 built with problems, 2 nothing built."""
from __future__ import annotations

import datetime as dt
import sys
import unicodedata

import click

from .build import build as run_build
from .build import default_output_dir, exit_code
from .model import ERROR, INFO, WARNING
from .read import BuildError
from .read.values import cn_date
from .scoring import round2


class NothingBuilt(click.ClickException):
    """SPEC 5: exit code 2 when nothing could be built."""
    exit_code = 2

    def format_message(self) -> str:
        return f"无法生成：{self.message}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width: int, right: bool = False) -> str:
    text = str(text)
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def ranking_lines(result) -> list:
    """The per-category ranking a clerk reads in the terminal."""
    lines = []
    for category in result.categories:
        units = [u for u in result.units if u.category == category]
        lines.append(f"【{category}】{len(units)}个单位，满分{result.full_scores[category]:g}")
        name_w = max([_width(u.name) for u in units] + [4])
        lines.append("  " + _pad("排名", 5) + _pad("单位", name_w + 2) + _pad("综合得分", 10, True)
                     + "  " + _pad("等次", 6) + "说明")
        for u in units:
            notes = []
            if not u.submitted:
                notes.append("未报送")
            if u.veto != "否":
                notes.append("一票否决" if u.veto == "是" else "一票否优")
            if u.reds:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tzreport")
def main():
    """tzreport：年度目标责任考核——读取报表、计分、定等次、出通报。"""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False),
              help="输出目录（默认：第一个输入旁的 tzreport-out/）")
@click.option("--as-of", callback=_parse_date, help="统计截止日期 YYYY-MM-DD，覆盖参数表")
@click.option("-j", "--jobs", type=int, default=None, help="读取报表的进程数（默认：CPU核数）")
@click.option("-q", "--quiet", is_flag=True, help="不显示排名，只显示问题统计")
def build(inputs, out_dir, as_of, jobs, quiet):
    """读取考核方案和各单位报表，计分、排名、评定等次，写出 results.json。

    INPUTS：一个汇总工作簿（方案各表加“完成情况”表），或方案工作簿加报表文件/文件夹。

    \b
    示例：
      tzreport build sample_workbooks/input.xlsx
      tzreport build sample_workbooks/市考 -o 输出 --as-of 2026-12-31
    """
    out = out_dir or default_output_dir(inputs)
    bar = None
    try:
        count = _count_files(inputs)
        if count >= 100 and not quiet:
            bar = click.progressbar(length=count, label="读取报表", file=sys.stderr)
            bar.__enter__()
        result = run_build(list(inputs), out, as_of, progress=bar.update if bar else None,
                           jobs=jobs)
    except BuildError as exc:
        raise NothingBuilt(str(exc)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    params = result.params
    click.echo(f"{params.name}（统计截止{cn_date(params.as_of)}，"
               f"序时进度{result.schedule_fraction * 100:.1f}%）")
    if not quiet:
        click.echo("\n".join(ranking_lines(result)))
    errors = [i for i in result.issues if i.severity == ERROR]
    warnings = [i for i in result.issues if i.severity == WARNING]
    infos = [i for i in result.issues if i.severity == INFO]
    for info in infos:
        click.echo(f"说明：{info.message}")
    if errors or warnings:
        click.echo(f"数据问题：错误{len(errors)}个，提示{len(warnings)}个（详见 results.json 的 issues）")
        for issue in (errors + warnings)[:20]:
            click.echo(f"  [{'错误' if issue.severity == ERROR else '提示'}] {issue.text()}")
        if len(errors) + len(warnings) > 20:
            click.echo(f"  ……另有{len(errors) + len(warnings) - 20}个")
    else:
        click.echo("数据问题：无")
    click.echo(f"已写出：{out}/results.json")
    sys.exit(exit_code(result))


def _count_files(inputs) -> int:
    from pathlib import Path
    total = 0
    for raw in inputs:
        path = Path(raw)
        total += sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 1
    return total


if __name__ == "__main__":  # pragma: no cover
    main()
