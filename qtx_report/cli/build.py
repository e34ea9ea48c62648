"""`qtx-report build`: check, then write the Word report (and HTML, PDF); say what was written."""

from __future__ import annotations

import sys
from pathlib import Path

from qtx_report.api import FileResult
from qtx_report.cli.report_output import print_text
from qtx_report.model.findings import InputError, exit_code
from qtx_report.ooxml.office import soffice_path
from qtx_report.read.guard import guard_zip
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate
from qtx_report.write.context import DRAFT_MARK, text_too_long
from qtx_report.write.report import default_output, report_files, write_report


def build_command(file: Path, output: Path | None = None, html: bool = False, pdf: bool = False,
                  template: Path | None = None, force: bool = False, overwrite: bool = False) -> int:
    """Validate, then write the .docx (and optionally .html/.pdf). Exit 1 on errors unless --force."""
    file = Path(file)
    if template is not None:  # before the report is read: a wrong template is found at once
        guard_zip(Path(template), "word/document.xml", "Word 模板（.docx）")
    loaded = load_report(file)
    too_long = text_too_long(loaded.report)  # cannot be built at all, whatever the checks say
    if too_long:
        raise InputError(str(file), too_long)
    findings = validate(loaded)
    if any(f.severity != "info" for f in findings):  # as `check` prints them: the file and its verdict first
        print_text([FileResult(str(file), loaded, tuple(findings))], sys.stderr)
    failed = exit_code(findings)
    if failed and not force:
        sys.stderr.write("报告有错误，未生成。请按上面的提示修改后再试；如需先生成草稿，请加 --force。\n")
        return failed
    draft = bool(failed)
    report = loaded.report
    docx = Path(output) if output else default_output(file, report)
    missing_soffice = pdf and soffice_path() is None
    paths = report_files(docx, html=html, pdf=pdf and not missing_soffice)
    written = write_report(report, paths, template=template, draft=draft, overwrite=overwrite, inputs=(file,))
    what = DRAFT_MARK if draft else ""
    for path in written:
        print(f"已生成{what}：{path}")
    if missing_soffice:
        sys.stderr.write("未生成 PDF：本机没有安装 LibreOffice（soffice）。请安装 LibreOffice 后重试，"
                         "或在 Word/WPS 中打开上面的 .docx 另存为 PDF。\n")
        return 2
    return 0
