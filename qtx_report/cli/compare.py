"""`qtx-report compare`: this year's report beside last year's as one HTML page; say what was written."""

from __future__ import annotations

from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.read.load import load_report
from qtx_report.write.compare import default_compare_output, render_compare
from qtx_report.write.files import atomic_path


def compare_command(this: Path, last: Path, *, output: Path | None = None, overwrite: bool = False,
                    any_year: bool = False) -> int:
    """Read both reports (any format), refuse a LAST that is not the year before unless `any_year`,
    write the page atomically. An unreadable input is an InputError: exit 2 through `friendly`."""
    now, before = load_report(Path(this)), load_report(Path(last))
    expected = now.report.year - 1
    if before.report.year != expected and not any_year:
        raise InputError(str(last), f"这是{before.report.year}年度的报告，本年度报告是{now.report.year}年度的，"
                         f"应与{expected}年度的报告对比。确需对比其他年度请加 --any-year。")
    out = Path(output) if output else default_compare_output(Path(this), now.report)
    page = render_compare(now, before)
    with atomic_path(out, overwrite=overwrite, inputs=(Path(this), Path(last))) as tmp:
        tmp.write_bytes(page.encode("utf-8"))
    print(f"已生成对比：{out}")
    return 0
