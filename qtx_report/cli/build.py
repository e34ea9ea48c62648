"""`qtx-report build`: check, then write the Word report (and HTML, PDF); say what was written."""

from __future__ import annotations

import sys
from pathlib import Path

from qtx_report.cli.report_output import print_findings
from qtx_report.model.findings import exit_code
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate
from qtx_report.write.context import DRAFT_MARK
from qtx_report.write.report import default_output, report_files, soffice_path, write_report


def build_command(file: Path, output: Path | None = None, html: bool = False, pdf: bool = False,
                  template: Path | None = None, force: bool = False, overwrite: bool = False) -> int:
    """Validate, then write the .docx (and optionally .html/.pdf). Exit 1 on errors unless --force."""
    file = Path(file)
    loaded = load_report(file)
    findings = validate(loaded)
    if findings:
        print_findings(findings, sys.stderr, edition_name=loaded.report.edition)
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
