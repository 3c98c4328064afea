"""click in Chinese: the usage line, help sections, metavars and every error a clerk can meet.

click writes its own words in English ("Usage:", "Options:", "Error: Missing argument …",
"Path … does not exist.", "Show this message and exit."). The classes here give each of them a
Chinese form: a help formatter with 用法/选项/命令, path and number types that check their values
with Chinese messages, and a ``main`` that shows click's exceptions itself instead of letting
click print them.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import click

HELP_TEXT = "显示本帮助并退出"
VERSION_TEXT = "显示版本号并退出"


class Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class Context(click.Context):
    formatter_class = Formatter


class PathType(click.ParamType):
    """A file or folder path; ``exists`` checks it is there, with a Chinese message."""

    def __init__(self, exists: bool = False, file_okay: bool = True, dir_okay: bool = True):
        self.exists, self.file_okay, self.dir_okay = exists, file_okay, dir_okay
        self.name = "文件" if not dir_okay else "文件夹" if not file_okay else "文件或文件夹"

    def convert(self, value, param, ctx):
        path = Path(value)
        if self.exists and not path.exists():
            self.fail(f"找不到{self.name}“{value}”（请检查名称和所在位置）", param, ctx)
        if not self.dir_okay and path.is_dir():
            self.fail(f"“{value}”是文件夹，这里要的是文件", param, ctx)
        if not self.file_okay and path.is_file():
            self.fail(f"“{value}”是文件，这里要的是文件夹", param, ctx)
        return str(value)


class IntType(click.ParamType):
    name = "整数"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是整数", param, ctx)


# click's own fragments of an option's help line ("[default: 25; required]").
_EXTRA = (("required", "必填"), ("default: ", "默认："), ("env var: ", "环境变量："))


def _cn_record(record):
    term, text = record
    if text.endswith("]") and "[" in text:
        head, _, extra = text.rpartition("[")
        for english, chinese in _EXTRA:
            extra = extra.replace(english, chinese)
        text = f"{head}[{extra}"
    return term, text


class Command(click.Command):
    context_class = Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx, formatter) -> None:
        records = [_cn_record(r) for p in self.get_params(ctx)
                   if not isinstance(p, click.Argument) and (r := p.get_help_record(ctx))]
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)
        self.format_commands_cn(ctx, formatter)

    def format_arguments(self, ctx, formatter) -> None:
        records = [p.get_help_record(ctx) for p in self.get_params(ctx)
                   if isinstance(p, click.Argument) and getattr(p, "help", None) is not None]
        if records:
            with formatter.section("参数"):
                formatter.write_dl(records)

    def format_commands_cn(self, ctx, formatter) -> None:
        """Commands of a group (nothing for a plain command)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help(), err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            show_usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            message = exc.format_message()
            click.echo(message if type(exc).format_message is not click.ClickException.format_message
                       else f"错误：{message}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中断", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class Group(Command, click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx, formatter) -> None:
        """click calls this after format_options; the commands are written there."""

    def format_commands_cn(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)


def _hint(exc) -> str:
    """The parameter an error is about, as the clerk typed or sees it."""
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint:
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    if param is None:
        return ""
    if isinstance(param, click.Argument):
        return param.metavar or param.name.upper()
    return " / ".join(param.opts)


def usage_message(exc: click.UsageError) -> str:
    """click's usage errors in Chinese, from their structured fields (their texts are English)."""
    message = exc.message or ""
    if isinstance(exc, click.MissingParameter):
        kind = "参数" if isinstance(exc.param, click.Argument) else "选项"
        return f"缺少{kind}“{_hint(exc).strip(chr(39))}”"
    if isinstance(exc, click.BadParameter):
        # Our types' messages name the value already ("找不到文件“x.xlsx”"); an option is named too.
        if isinstance(exc.param, click.Argument) or not _hint(exc):
            return message
        return f"{_hint(exc)}：{message}"
    if isinstance(exc, click.NoSuchOption):
        maybe = f"（是不是 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项“{exc.option_name}”{maybe}"
    if getattr(click.exceptions, "NoSuchCommand", None) and isinstance(exc, click.exceptions.NoSuchCommand):
        maybe = f"（是不是 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有命令“{exc.command_name}”{maybe}"
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in message:
            return f"选项“{exc.option_name}”后面不带值"
        return f"选项“{exc.option_name}”后面缺少值"
    found = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if found:
        return f"多余的参数：{found.group(1)}"
    found = re.match(r"No such command '(.*)'", message)
    if found:
        return f"没有命令“{found.group(1)}”"
    if message.startswith("Missing command"):
        return "缺少命令"
    return message


def show_usage_error(exc: click.UsageError) -> None:
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"查看帮助：{ctx.command_path} {max(ctx.command.get_help_option_names(ctx), key=len)}")
        lines.append("")
    lines.append(f"错误：{usage_message(exc)}")
    click.echo("\n".join(lines), err=True)
