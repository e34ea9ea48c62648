"""Section headings as published: the document readers record them as printed, so a wrong ordinal
or a missing section is reported (S204) instead of silently corrected."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.read.load import load_report

from .fuzz.harness import SAMPLES

runner = CliRunner()


def _report_docx(tmp_path: Path) -> Path:
    out = tmp_path / "报告.docx"
    assert runner.invoke(app, ["build", str(SAMPLES / "2025" / "市自然资源局.xlsx"), "-o", str(out)]).exit_code == 0
    return out


def _s204(path: Path) -> list[dict]:
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    return [f for f in json.loads(result.output)["files"][0]["findings"] if f["code"] == "S204"]


def test_our_report_has_its_six_headings_in_order(tmp_path: Path) -> None:
    outline = load_report(_report_docx(tmp_path)).outline
    assert [(h.number, h.section) for h in outline] == [
        ("一、", "overview"), ("二、", "proactive"), ("三、", "requests"), ("四、", "appeals"),
        ("五、", "problems"), ("六、", "other")]
    assert not _s204(tmp_path / "报告.docx")


def test_a_heading_with_a_wrong_ordinal_is_read_and_reported(tmp_path: Path) -> None:
    path = _report_docx(tmp_path)
    doc = Document(str(path))
    heading = next(p for p in doc.paragraphs if p.text == "五、存在的主要问题及改进情况")
    for run in heading.runs:
        run.text = run.text.replace("五、", "四、")
    doc.save(str(path))
    loaded = load_report(path)
    assert loaded.report.problems  # the section's text is still read
    (finding,) = _s204(path)
    assert "五" in finding["message"] or "四" in finding["message"]


def test_sub_items_numbered_like_the_six_headings_are_reported_not_taken_for_sections(tmp_path: Path) -> None:
    path = _report_docx(tmp_path)
    doc = Document(str(path))
    heading = next(i for i, p in enumerate(doc.paragraphs) if p.text == "一、总体情况")
    first, second = doc.paragraphs[heading + 1], doc.paragraphs[heading + 2]
    first.insert_paragraph_before("一、主动公开情况")
    second.insert_paragraph_before("二、依申请公开情况")
    doc.save(str(path))
    loaded = load_report(path)
    assert [h.section for h in loaded.outline] == ["overview", "proactive", "requests", "appeals", "problems", "other"]
    assert "一、主动公开情况" in loaded.report.overview and "二、依申请公开情况" in loaded.report.overview
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    (finding,) = [f for f in json.loads(result.output)["files"][0]["findings"] if f["code"] == "S205"]
    assert "“一、主动公开情况”“二、依申请公开情况”" in finding["message"]
    assert not _s204(path)
