"""The `qtx-report` command line. Each command is a thin shell over a domain module.

Heavy libraries (openpyxl, docxtpl, matplotlib) are imported inside the commands that need
them, so `qtx-report check` starts fast.

No `from __future__ import annotations` here: typer reads every command's signature each time it
builds the command line, and string annotations would be evaluated anew (each `typer.Option(...)`
called again) for every command on every run, about 15 ms of each start.
"""

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from qtx_report.cli import options
from qtx_report.cli.errors import fail, friendly
from qtx_report.cli.usage import run

if TYPE_CHECKING:
    from qtx_report.model.loaded import Loaded

HELP_OPTION = "显示本帮助并退出。"


class _ChineseHelp:
    """The --help option described in Chinese, like every other option (click writes it in English)."""

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class Group(_ChineseHelp, typer.core.TyperGroup):
    pass


class Command(_ChineseHelp, typer.core.TyperCommand):
    pass


app = typer.Typer(
    name="qtx-report",
    cls=Group,
    help="政府信息公开工作年度报告：生成填报模板、校验、生成 Word 报告、全市汇总、台账统计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class EditionOpt(StrEnum):
    e2021 = "2021"
    e2019 = "2019"


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command(cls=Command)
@friendly
def template(
    out: Annotated[Path | None, typer.Argument(help="要生成的填报工作簿，如 自然资源局.xlsx")] = None,
    edition: Annotated[EditionOpt, typer.Option(help="格式版本：2021（现行，默认）或 2019（试行）")] = EditionOpt.e2021,
    agency: Annotated[str, typer.Option(help="单位名称，预先填入基本信息")] = "",
    year: Annotated[int | None, typer.Option(help=f"报告年度（{options.YEARS}）， 默认为上一年； 有 --previous 时为其下一年",
                                             callback=options.year)] = None,
    previous: Annotated[str | None, typer.Option(help="上年度报告 （文件或网址）： 预填上年结转， 批注上年现行有效件数， "
                                                 "列出上年所列问题； 单位名称默认与之相同")] = None,
    ledger: Annotated[Path | None, typer.Option(help="改为生成依申请公开登记台账工作簿，如 台账.xlsx")] = None,
    score_pack: Annotated[Path | None, typer.Option(help="改为写出考核细则示例 （供修改后用于 city --score），如 考核细则.toml")] = None,
    overwrite: Annotated[bool, typer.Option(help="允许覆盖已存在的文件")] = False,
) -> None:
    """生成填报工作簿（或 --ledger 生成登记台账，--score-pack 写出考核细则示例）。"""
    if score_pack is not None:
        from qtx_report.city.scoring import write_example_pack

        write_example_pack(score_pack, overwrite=overwrite)
        typer.echo(f"已写出考核细则示例：{score_pack}（示例，请按当年的考核细则修改项目、分值和上限后使用）")
        return
    if ledger is not None:
        from qtx_report.ledger.template import write_ledger_template

        write_ledger_template(ledger, edition=edition.value, overwrite=overwrite)
        typer.echo(f"已生成登记台账：{ledger}")
        return
    if out is None:
        fail("请给出要生成的工作簿文件名，例如：qtx-report template 自然资源局.xlsx")
    from qtx_report.write.workbook import write_template

    last = _last_year_report(previous, year)
    if last is not None:
        agency, year = agency or last.report.agency, year or options.parse_year(last.report.year + 1, "--previous")
    year = year or date.today().year - 1
    inputs = (Path(last.path),) if last is not None and Path(last.path).exists() else ()  # never written over
    write_template(out, edition=edition.value, agency=agency, year=year, overwrite=overwrite, previous=last,
                   inputs=inputs)
    typer.echo(f"已生成填报工作簿：{out}（{edition.value}版格式）"
               + (f"，已按上年度报告 {previous} 预填上年结转" if last is not None else ""))


def _last_year_report(previous: str | None, year: int | None) -> "Loaded | None":
    """Last year's report for `template --previous`: one report (a file or web address) of the year
    before `year`; anything else is refused before a workbook is written."""
    from dataclasses import replace

    from qtx_report.api import load_previous
    from qtx_report.model.findings import InputError
    from qtx_report.model.loaded import Loaded  # at run time; above only for the annotation

    if previous is not None and not previous.strip():
        raise InputError("--previous", "没有给出上年度报告：请写上年度报告的文件名或网址。")
    if previous is not None and Path(previous).is_dir():  # refused before its reports are read
        raise InputError(previous, "--previous 应为上年度的一份报告（文件或网址），不能是文件夹。")
    last = load_previous(previous)
    if not isinstance(last, Loaded):
        return None
    if year is not None and last.report.year != year - 1:
        raise InputError(str(previous), f"上年度报告应为 {year - 1} 年度，但这份是 {last.report.year} 年度的报告"
                         f"（{last.report.agency}）。请选择 {year - 1} 年度的报告，或改 --year。")
    # A web page is read from a throwaway copy: the workbook names the address, not the copy.
    return last if Path(str(previous)).exists() else replace(last, path=str(previous))


@app.command(cls=Command)
@friendly
def check(
    files: Annotated[list[str], typer.Argument(help=f"要校验的报告：文件（{options.REPORT_KINDS}）、文件夹或网址（http/https），可多个")],
    previous: Annotated[str | None, typer.Option(help="上年度报告 （文件、文件夹或网址）， 用于核对上年结转、 现行有效件数和雷同")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="输出格式：text、json 或 github")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option(help="有警告也返回 1")] = False,
    city_deadline: Annotated[str, typer.Option(help="报送期限（月-日），默认 01-15", callback=options.deadline)] = "01-15",
    law_deadline: Annotated[str, typer.Option(help="公布期限（月-日），默认 01-31", callback=options.deadline)] = "01-31",
    archive: Annotated[Path | None, typer.Option(help="保存从网址读取的 网页和附件的文件夹 （连同网址、时间和 sha256）， 以备查证")] = None,
) -> None:
    """校验报告。退出码：0 无错误；1 有错误（--strict 时警告也算）；2 文件无法读取或用法错误。"""
    from qtx_report.cli.report_output import run_check

    raise typer.Exit(run_check(files, previous=previous, output=format.value, strict=strict,
                               deadlines=(city_deadline, law_deadline), archive=archive))


@app.command(cls=Command)
@friendly
def schema() -> None:
    """打印报告 JSON 的 JSON Schema。"""
    import json

    from qtx_report.model.report import Report

    typer.echo(json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=2))


@app.command(cls=Command)
@friendly
def export(
    file: Annotated[Path, typer.Argument(help=f"报告文件（{options.REPORT_KINDS}）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 JSON 文件，或 .xlsx 填报工作簿")],
    overwrite: Annotated[bool, typer.Option(help="允许覆盖已存在的文件")] = False,
) -> None:
    """把报告导出为 JSON（所有命令都接受这种 JSON 作为输入），或导出为填报工作簿（-o 报告.xlsx）。

    导出为工作簿时，已发布的报告（PDF、网页、Word）可在 Excel/WPS 中改正后用 build 重新生成；报告中印出的
    合计按原样写入（印错的合计仍在，校验时会指出），空白仍为空白。

    读取时发现的问题（无法读作数字的单元格、已按数字读取的文字等）列在错误输出中。无法读取的单元格
    导出为空白（null），不会当作 0。

    退出码：0 已导出；1 已导出，但有单元格或基本信息无法读取（导出为空白，请改正后重新导出）；2 文件无法读取或用法错误。"""
    from qtx_report.cli.report_output import print_findings
    from qtx_report.model.findings import exit_code
    from qtx_report.read.load import load_report

    loaded = load_report(file)
    if output.suffix.lower() in (".xlsx", ".xlsm"):
        from qtx_report.write.workbook import write_template

        report = loaded.report
        write_template(output, edition=report.edition, agency=report.agency, year=report.year, report=report,
                       overwrite=overwrite, inputs=(file,))
    else:
        from qtx_report.write.files import write_bytes_atomic

        data = loaded.report.model_dump_json(indent=2).encode("utf-8")
        write_bytes_atomic(output, data, overwrite=overwrite, inputs=(file,))
    print_findings(loaded.findings, sys.stderr, edition_name=loaded.report.edition)
    errors = sum(f.severity == "error" for f in loaded.findings)
    typer.echo(f"已导出：{output}" + (f"（读取时有 {errors} 处错误，列在错误输出中；无法读取的单元格已导出为空白）"
                                       if errors else ""))
    raise typer.Exit(exit_code(loaded.findings))


@app.command(cls=Command)
@friendly
def rules(
    markdown: Annotated[bool, typer.Option(help="输出 Markdown（docs/rules.md 即由此生成）")] = False,
) -> None:
    """列出全部校验规则。"""
    from qtx_report.rules.catalogue import catalogue_markdown, catalogue_text

    typer.echo(catalogue_markdown() if markdown else catalogue_text(), nl=not markdown)


@app.command(cls=Command)
@friendly
def build(
    file: Annotated[Path, typer.Argument(help="报告：.xlsx、.json 或 .docx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出的 .docx，默认在输入文件旁")] = None,
    html: Annotated[bool, typer.Option("--html", help="同时生成门户网站用的 HTML")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时生成 PDF（需要安装 LibreOffice）")] = False,
    template_path: Annotated[Path | None, typer.Option("--template", help="自定义 Word 模板（.docx）")] = None,
    force: Annotated[bool, typer.Option(help="有错误也生成，每页标注“草稿（数据未通过校验）”")] = False,
    overwrite: Annotated[bool, typer.Option(help="允许覆盖已存在的输出文件")] = False,
) -> None:
    """校验后生成 Word 年度报告（可选 HTML、PDF）。"""
    from qtx_report.cli.build import build_command

    raise typer.Exit(build_command(file, output=output, html=html, pdf=pdf, template=template_path,
                                   force=force, overwrite=overwrite))


@app.command(cls=Command)
@friendly
def compare(
    this: Annotated[Path, typer.Argument(help=f"本年度报告（{options.REPORT_KINDS}）")],
    last: Annotated[Path, typer.Argument(help=f"上年度报告（{options.REPORT_KINDS}）")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出的网页（.html）， 默认在本年度报告旁： 对比_单位_年度.html")] = None,
    overwrite: Annotated[bool, typer.Option(help="允许覆盖已存在的文件")] = False,
    any_year: Annotated[bool, typer.Option(help="允许对比不是上一年度的报告")] = False,
) -> None:
    """把本年度报告与上年度报告并排对比，生成一个网页（可直接打印）。

    六个部分并排列出：与上年度重复的句子标出底色；表格每个单元格列出本年度、上年度、增减和增幅；
    上年结转、现行有效件数等与上年度不衔接之处在所在单元格标出并说明。

    退出码：0 已生成；2 文件无法读取、上年度报告不是上一年度的（可加 --any-year）或用法错误。"""
    from qtx_report.cli.compare import compare_command

    raise typer.Exit(compare_command(this, last, output=output, overwrite=overwrite, any_year=any_year))


@app.command(cls=Command)
@friendly
def intake(
    files: Annotated[list[Path], typer.Argument(help=f"各单位报送的文件（{options.REPORT_KINDS}）或文件夹，可多个")],
    into: Annotated[Path, typer.Option("--into", help="收件文件夹（如 报送材料/）： 每个单位一个子文件夹， 收件登记.xlsx 在其中")],
    roster: Annotated[Path | None, typer.Option(help="应报单位名单 （.xlsx 或 .csv）： 按名称和别名归到单位， 与 city 相同； 不给时 按报告中的单位名称")] = None,
    received: Annotated[str | None, typer.Option(help="收件时间， 如 \"2026-01-14 16:30\" 或 2026-01-14； 默认为现在")] = None,
) -> None:
    """收件：校验各单位报送的文件，按单位存入收件文件夹并登记。

    每份文件存为“单位/v1_原文件名”“v2_……”（重新报送不覆盖以前的版本；与已收版本相同的文件只登记、不重复存放），
    并在收件登记.xlsx中记下收件时间、sha256、原文件名、格式和校验结果。名单外单位的文件存入“名单外”，
    无法读取的文件也存放并登记为“无法读取”。之后用 city 汇总收件文件夹时，只汇总每个单位的最新版本，按收件时间判断是否逾期。

    退出码：0 全部收件且通过校验；1 有文件有错误、无法读取或不在名单中，或文件夹中有收件登记表没有记录的文件；
    2 收件登记表、名单或文件无法使用、用法错误（此时不存放、不登记任何文件）。"""
    from qtx_report.cli.intake import intake_command

    raise typer.Exit(intake_command(files, into=into, roster=roster, received=received))


@app.command(cls=Command)
@friendly
def city(
    directory: Annotated[Path, typer.Argument(help="存放各单位报告的文件夹")],
    roster: Annotated[Path | None, typer.Option(help="应报单位名单 （.xlsx 或 .csv； 列：单位名称、分组、别名、上级单位）")] = None,
    previous: Annotated[Path | None, typer.Option(help="上年度各单位报告所在文件夹")] = None,
    year: Annotated[int | None, typer.Option(help=f"年度（{options.YEARS}），默认取多数报告的年度", callback=options.year)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件夹， 默认为报告文件夹旁的 “文件夹名_全市汇总”")] = None,
    jobs: Annotated[int | None, typer.Option(help=f"并行进程数（1–{options.MAX_JOBS}），默认为 CPU 核数", callback=options.jobs)] = None,
    include_invalid: Annotated[bool, typer.Option(help="汇总时也计入有错误的报告")] = False,
    render_all: Annotated[bool, typer.Option(help="同时为每个单位生成 Word 报告")] = False,
    overwrite: Annotated[bool, typer.Option(help="允许替换此前生成的汇总文件夹")] = False,
    city_deadline: Annotated[str, typer.Option(help="报送期限（月-日），默认 01-15", callback=options.deadline)] = "01-15",
    notices: Annotated[Path | None, typer.Option(help="在此文件夹生成整改通知单 （有错误或警告的单位各一份） 和未报送单位名单； 已存在时需加 --overwrite")] = None,
    resubmit_by: Annotated[str | None, typer.Option(help="通知单上的重新报送期限 （YYYY-MM-DD，不早于今天）， 默认为今天起第 5 天")] = None,
    today: Annotated[str | None, typer.Option(help="通知单的日期 （YYYY-MM-DD）， 也是计算剩余天数的起点， 默认今天", callback=options.today)] = None,
    office: Annotated[str | None, typer.Option(help="联系机关， 如 青铜峡市人民政府办公室： 写入汇总报告开头 和通知单落款； 不写时 报告写作 “政府信息公开工作主管部门”")] = None,
    office_address: Annotated[str | None, typer.Option(help="联系机关的地址 （写入汇总报告开头）")] = None,
    office_phone: Annotated[str | None, typer.Option(help="联系机关的电话 （写入汇总报告开头 和通知单）")] = None,
    reviews: Annotated[Path | None, typer.Option(help="审核意见： 填了处理意见的 全市汇总.xlsx 或 审核意见.json； 不指定时 沿用输出文件夹中 上次的 审核意见.json")] = None,
    score: Annotated[Path | None, typer.Option(help="考核细则 （.toml）： 按细则为每个单位评分， 生成 考核评分/ 中的评分表； 示例用 template --score-pack 细则.toml 写出")] = None,
    compare: Annotated[bool, typer.Option(help="与 --previous 同用： 为每个单位生成与上年度的对比页 （对比/单位名.html）")] = False,
) -> None:
    """汇总全市：缺报、迟报、数据错误，全市汇总表和汇总报告草稿。

    在输出文件夹中生成 全市汇总.xlsx（报送情况、未报送单位、汇总表、问题清单、已解决、分组汇总）、
    全市汇总报告.docx（含附件和图表）、全市汇总.json、审核意见.json 和 图表/。加 --notices 文件夹 时另生成
    整改通知单_单位名.docx 和 未报送单位.docx。

    报送情况表列出各单位的实质公开率、纠错率、无法提供占比（案件不足30件的不计算）
    和异常提示（与上年相比变化5倍以上、上年较多本年为0、现行有效超过100件而未废止；
    只提醒核对，不是错误）。加 --score 细则.toml 时按细则评分：报送情况表加“得分”“档次”列，
    另有“考核扣分”表，汇总报告附件4为得分排名，考核评分/ 中为每个单位的考核评分表，
    每一处扣分都列出依据（问题、文件和位置）。

    审核意见：在“问题清单”的“处理意见”列选择 确认 或 不予采纳（错误须写明理由），下次运行时加
    --reviews 全市汇总.xlsx。意见按问题的指纹沿用到同一问题：不予采纳的警告不再计数；不予采纳的错误显示为
    已说明，仍然列出，但不再算作该单位的错误；问题已不存在的意见列入“已解决”。全部意见保存在输出文件夹的
    审核意见.json 中，重新生成汇总时不会丢失。

    退出码：0 名单内单位均已报送且通过校验；1 有未报送、有错误、无法读取、重复报送、名单外或年度不符的报告
    （逾期不影响退出码）；2 名单或文件夹无法读取、用法错误。"""
    from qtx_report.cli.city import city_command

    raise typer.Exit(city_command(directory, roster=roster, previous=previous, year=year, output=output,
                                  jobs=jobs, include_invalid=include_invalid, render_all=render_all,
                                  city_deadline=city_deadline, overwrite=overwrite, notices=notices,
                                  resubmit_by=resubmit_by, today=today, office=office, office_address=office_address,
                                  office_phone=office_phone, reviews=reviews, score=score, compare=compare))


@app.command(cls=Command)
@friendly
def tally(
    ledger: Annotated[Path, typer.Argument(help="依申请公开登记台账（.xlsx）")],
    year: Annotated[int, typer.Option(help=f"统计年度（{options.YEARS}）", callback=options.year)],
    previous_ledger: Annotated[Path | None, typer.Option(help="上年度台账（上年收到的申请不在本台账时）")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写入的填报工作簿（.xlsx）或 JSON")] = None,
    agency: Annotated[str, typer.Option(help="单位名称（-o 新建报告 JSON 时需要）")] = "",
    edition: Annotated[EditionOpt | None, typer.Option(help="格式版本，默认取 -o 报告的版本，否则 2021")] = None,
) -> None:
    """由登记台账统计第三、四部分，并列出逾期和无法统计的台账行。

    退出码：0 已统计（可有警告）；1 有台账行无法统计（不写入）；2 日期单元格或文件无法读取。"""
    from qtx_report.cli.ledger import tally_command

    raise typer.Exit(tally_command(ledger, year=year, previous_ledger=previous_ledger, output=output,
                                   agency=agency, edition_name=edition.value if edition else None))


@app.command("ledger-status", cls=Command)
@friendly
def ledger_status(
    ledger: Annotated[Path, typer.Argument(help="依申请公开登记台账（.xlsx）")],
    today: Annotated[str | None, typer.Option(help="以哪一天为准（YYYY-MM-DD，2000–2100年），默认今天", callback=options.today)] = None,
) -> None:
    """列出未办结、即将到期和已逾期的申请。退出码：0 无逾期；1 有逾期或无法统计的行；2 日期无法读取。"""
    from qtx_report.cli.ledger import status_command

    raise typer.Exit(status_command(ledger, today=today))


from qtx_report.cli.admin import register as register_admin  # noqa: E402  (light: season loads inside its commands)

register_admin(app, Group, Command)

from qtx_report.cli.serve import register as register_serve  # noqa: E402  (light: the server loads inside serve)

register_serve(app, Command)


def main() -> NoReturn:
    """The console script and `python -m qtx_report`: click's usage errors in Chinese (cli/usage.py)."""
    sys.exit(run(app))
