"""The report JSON (what `qtx-report export` writes, and `schema` describes)."""

from __future__ import annotations

from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.report import Report

MAX_JSON = 20 * 1024 * 1024



def read_json(path: Path) -> Loaded:
    from pydantic import ValidationError

    if path.stat().st_size > MAX_JSON:
        raise InputError(str(path), "JSON 文件过大，不是正常的年度报告。")
    try:
        report = Report.model_validate_json(path.read_bytes())
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(str(path), f"JSON 内容不符合报告格式：{where or '顶层'}：{first['msg']}。"
                         "可用 qtx-report schema 查看格式。") from err
    return Loaded(str(path), report)
