"""Running the command line: click's own usage errors (an unknown option or command, a missing
argument, a value that is not a number…) told in Chinese with the command's --help hint, exit 2.

The app runs with `standalone_mode=False`, so click raises instead of printing English; each
exception is read by its class and public attributes (and a bad value by the pydantic error typer
chains to it), never by its English message. A command's own exit code (`typer.Exit`) is returned
unchanged, as is `--help`'s 0.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import typer
from typer._click import exceptions as click  # typer carries its own copy of click: what it raises
from typer.core import TyperGroup
from typer.main import get_command

from qtx_report.cli.options import BadValue

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def run(app: typer.Typer, args: Sequence[str] | None = None) -> int:
    """Run the app on `args` (the process's arguments when None); the exit code."""
    argv = list(sys.argv[1:] if args is None else args)
    try:
        result = app(args=argv, standalone_mode=False)
    except click.ClickException as err:
        sys.stderr.write(explain(err, get_command(app), argv))
        return USAGE_EXIT
    except typer.Abort:
        sys.stderr.write("已中断。\n")
        return INTERRUPTED_EXIT
    return result if isinstance(result, int) else 0


def explain(err: click.ClickException, root: Any, argv: Sequence[str]) -> str:
    """The error in Chinese, then where to read the command's usage. `root` is the app's click
    group, `argv` what was typed: an option used wrongly comes without the command it was given to."""
    ctx = getattr(err, "ctx", None)
    command = ctx.command if ctx is not None else root.commands.get(_named(root, argv), root)
    # The program as the README names it, however it was started (python -m shows its own path),
    # then the commands down to the one at fault (qtx-report admin issue-code).
    names = _command_names(ctx) if ctx is not None else ([] if command is root else [command.name])
    where = " ".join(["qtx-report", *names])
    return f"错误：{_what(err, command, root, argv)}\n查看用法：{where} --help\n"


def _command_names(ctx: Any) -> list[str]:
    names = []
    while ctx.parent is not None:
        names.append(ctx.command.name)
        ctx = ctx.parent
    return names[::-1]


def _named(root: Any, argv: Sequence[str]) -> str:
    """The command typed (the first word that is one), or ''."""
    return next((word for word in argv if word in root.commands), "")


def _what(err: click.ClickException, command: Any, root: Any, argv: Sequence[str]) -> str:
    if isinstance(err, click.NoArgsIsHelpError):  # typer has already printed the help
        if getattr(err.ctx, "parent", None) is not None:  # a group of commands under the root (admin, db)
            return f"请给出 {command.name} 之后要运行的命令（见上）。"
        return "请给出要运行的命令（见上），如：qtx-report check 报告.xlsx"
    if isinstance(err, click.NoSuchOption):
        return f"没有选项 {err.option_name}{_did_you_mean(err.possibilities)}。"
    if isinstance(err, click.MissingParameter):
        return _missing(err)
    if isinstance(err, click.BadParameter):
        return _bad_value(err)
    if isinstance(err, click.BadOptionUsage):
        return _option_usage(err, command)
    if isinstance(err, click.BadArgumentUsage):
        return "参数的个数不对。"
    if isinstance(err, click.UsageError):
        return _no_command(root, argv) if isinstance(command, TyperGroup) else _extra_arguments(command)
    if isinstance(err, click.FileError):
        return f"无法打开文件“{err.ui_filename}”。"
    return "命令行有误。"


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    return f"（是否要用 {'、'.join(sorted(possibilities))}？）" if possibilities else ""


def _no_command(root: Any, argv: Sequence[str]) -> str:
    # click names neither an unknown command nor its absence other than in English words: the
    # first word typed is the command (the group's only option is --help).
    typed = next((word for word in argv if not word.startswith("-")), None)
    commands = list(root.commands)
    if typed is None:
        return f"请给出要运行的命令：{'、'.join(commands)}。"
    close = difflib.get_close_matches(typed, commands, n=2)
    return f"没有命令“{typed}”{_did_you_mean(close)}。可用的命令：{'、'.join(commands)}。"


def _extra_arguments(command: Any) -> str:
    # On a command, click raises a bare UsageError only for arguments left over.
    wanted = [p.help or p.name for p in command.params if p.param_type_name == "argument"]
    if not wanted:
        return f"多给了参数：{command.name} 不需要参数。"
    return f"多给了参数：{command.name} 只需要 {len(wanted)} 个参数（{'；'.join(wanted)}）。路径中有空格时请用引号括起来。"


def _param_name(param: Any) -> str:
    """An option by its longest name (--output over -o), an argument by its name."""
    if param is None:
        return ""
    return max(param.opts, key=len) if param.param_type_name == "option" else param.name


def _named_param(param: Any) -> str:
    kind = "参数" if param is not None and param.param_type_name == "argument" else "选项"
    return f"{kind} {_param_name(param)}"


def _missing(err: click.MissingParameter) -> str:
    about = getattr(err.param, "help", None)
    return f"缺少{_named_param(err.param)}{f'：{about}' if about else ''}。"


def _bad_value(err: click.BadParameter) -> str:
    named = _named_param(err.param)
    if isinstance(err, BadValue):
        return f"{named}：{err.message}"
    cause = err.__cause__  # typer converts values with pydantic and chains its error
    errors = (cause.errors() if hasattr(cause, "errors") else None) or [{}]
    kind, given = str(errors[0].get("type", "")), errors[0].get("input")
    shown = f"“{str(given)[:40]}”" if given is not None else ""
    choices = _choices(err.param)
    if choices:
        return f"{named} 的值{shown}不可用，只能取 {'、'.join(choices)} 之一。"
    descriptor = getattr(err.param, "type_descriptor", None)
    if descriptor is not None and descriptor.is_path:
        return f"{named} 给出的路径不可用：应为{_path_kind(descriptor.parameter_info)}。"
    if kind.startswith("int_"):
        return f"{named} 的值{shown}不是整数。"
    if kind.startswith("float_"):
        return f"{named} 的值{shown}不是数字。"
    return f"{named} 的值{shown}不可用。"


def _path_kind(info: Any) -> str:
    what = "文件或文件夹" if info.file_okay and info.dir_okay else ("文件" if info.file_okay else "文件夹")
    return f"{'已存在的' if info.exists else ''}{what}{'，且可以读取' if info.readable else ''}"


def _choices(param: Any) -> list[str]:
    found = getattr(getattr(param, "type_descriptor", None), "choices", None) or ()
    return [str(c.value if isinstance(c, Enum) else c) for c in found]


def _option_usage(err: click.BadOptionUsage, command: Any) -> str:
    option = next((p for p in getattr(command, "params", ()) if p.param_type_name == "option"
                   and err.option_name in (*p.opts, *p.secondary_opts)), None)
    if option is not None and option.is_flag:
        return f"选项 {err.option_name} 是开关，不接受取值（直接写 {err.option_name}）。"
    return f"选项 {err.option_name} 后面需要给出一个值。"
