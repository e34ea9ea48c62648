"""`build` and `template` against what Word and Excel cannot hold, texts longer than any report,
broken or hostile templates, and charts drawn without a CJK font: a clean output or a Chinese
message and exit 2, never exit 3, never a half-written output."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree

from qtx_report.city import outputs
from qtx_report.city.outputs_charts import chart_notes
from qtx_report.cli.city import city_command
from qtx_report.form.editions import META_SHEET, TEXT_SHEET
from qtx_report.model.findings import InputError
from qtx_report.model.text import MAX_NAME_BYTES
from qtx_report.write import charts
from qtx_report.write.context import MAX_CHARACTERS, MAX_PARAGRAPHS
from qtx_report.write.report import DOCX_TEMPLATE, render_docx, template_dir

from .fuzz.harness import run_cli
from .fuzz.wordfile import DOCUMENT, SAMPLE, parts, zipped
from .helpers import balanced

_NOT_IN_OFFICE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_x00[01][0-9A-Fa-f]_")


def hostile_workbook(folder: Path, agency: str, text: str) -> Path:
    """The sample workbook with the agency's name and section 一 replaced, as Excel stores them
    (a control character as its escape _x0007_, which the reader turns back into the character)."""
    folder.mkdir()
    book = openpyxl.load_workbook(SAMPLE)
    book[META_SHEET]["B2"] = agency
    book[TEXT_SHEET]["B2"] = text
    path = folder / "报告.xlsx"
    book.save(path)
    return path


def hostile_json(folder: Path, **changes: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "报告.json"
    path.write_text(balanced(**changes).model_dump_json(), encoding="utf-8")
    return path


def the_output(folder: Path, source: Path) -> Path:
    made = [p for p in folder.iterdir() if p != source]
    assert len(made) == 1, made
    return made[0]


def assert_office_holds_it(docx: Path) -> None:
    """Every part parses as XML, no text holds what Office cannot, the title fits its property."""
    for name, content in parts(docx.read_bytes()).items():
        if name.endswith(".xml"):
            text = "".join(etree.fromstring(content).itertext())
            assert not _NOT_IN_OFFICE.search(text), name
    assert len(Document(str(docx)).core_properties.title) <= 255


def test_text_word_and_excel_cannot_hold_is_cleaned(tmp_path: Path) -> None:
    cases = {
        "escape": hostile_workbook(tmp_path / "escape", "青铜峡市_x0007_自然资源局/规划科", "第一段_x0007_\n第二段_x001F_"),
        "long": hostile_workbook(tmp_path / "long", "青铜峡市" + "很长的单位名称" * 40, "正文"),
        "control": hostile_json(tmp_path / "control", agency="青铜峡市\x07自然资源局:*?", contact_person="张\x1b三",
                                overview="第一段\x0b第二段\x07", problems="\x00\ufffe"),
    }
    for what, source in cases.items():
        outcome = run_cli("build", str(source), inputs=(source,))  # named by the agency, beside the input
        assert outcome.code == 0, (what, outcome)
        docx = the_output(source.parent, source)
        assert not re.search(r'[\x00-\x1f/\\:*?"<>|]', docx.name) and len(docx.name.encode()) <= MAX_NAME_BYTES, docx.name
        assert docx.name.endswith("2025年政府信息公开工作年度报告.docx")
        assert_office_holds_it(docx)
    assert [p.text for p in Document(str(the_output(cases["control"].parent, cases["control"]))).paragraphs
            if p.text.startswith("第")][:2] == ["第一段", "第二段"]  # \v breaks the line, \x07 is dropped
    # Through the library: a name longer than any property holds, cut to the property's limit.
    long = tmp_path / "long.docx"
    long.write_bytes(render_docx(balanced(agency="局" * 300)))
    assert len(Document(str(long)).core_properties.title) == 255


@pytest.mark.parametrize("agency", ["青铜峡市\x07自然资源局\x1b", "青铜峡市_x0007_自然资源局", "局" * 300])
def test_template_cleans_the_agency_name(tmp_path: Path, agency: str) -> None:
    out = tmp_path / "模板.xlsx"
    assert run_cli("template", str(out), "--agency", agency).code == 0
    assert list(tmp_path.iterdir()) == [out]
    book = openpyxl.load_workbook(out)
    written = book[META_SHEET]["B2"].value
    assert written == re.sub(r"[\x00-\x1f]|_x0007_", "", agency)
    assert len(book.properties.title) <= 255


def test_text_longer_than_any_report_is_refused_before_rendering(tmp_path: Path) -> None:
    source = hostile_json(tmp_path, overview="一段。\n" * (MAX_PARAGRAPHS + 1))
    outcome = run_cli("build", str(source), inputs=(source,))
    assert outcome.code == 2 and str(source) in outcome.stderr and "一、总体情况" in outcome.stderr
    assert list(tmp_path.iterdir()) == [source]
    for text in ("短行\n" * 400_000, "字" * (MAX_CHARACTERS + 1)):
        with pytest.raises(InputError, match="超过年度报告的正常篇幅"):
            render_docx(balanced(problems=text))


def our_template_with(expression: str, folder: Path) -> Path:
    files = parts((template_dir() / DOCX_TEMPLATE).read_bytes())
    files[DOCUMENT] = files[DOCUMENT].replace(b"{{ agency }}", expression.encode(), 1)
    folder.mkdir()
    path = folder / "模板.docx"
    path.write_bytes(zipped(files))
    return path


def test_build_names_the_file_and_any_template_that_cannot_be_used(tmp_path: Path) -> None:
    wrong = SAMPLE.parent / "市住房和城乡建设局.xlsx"  # a sample with deliberate errors
    outcome = run_cli("build", str(wrong), "-o", str(tmp_path / "a.docx"), inputs=(wrong,))
    assert outcome.code == 1 and outcome.stderr.startswith(f"{wrong}：")
    not_zip = tmp_path / "坏.docx"
    not_zip.write_bytes(b"not a zip at all")
    no_document = tmp_path / "空.docx"
    no_document.write_bytes(zipped({"a.txt": b"x"}))
    templates = {
        not_zip: "不是有效的Word 模板", no_document: "缺少 word/document.xml", SAMPLE: "缺少 word/document.xml",
        our_template_with("{{ 1/0 }}", tmp_path / "div"): "ZeroDivisionError",
        our_template_with("{{ no_such_name }}", tmp_path / "undefined"): "没有的名称",
        our_template_with("{{ agency.__class__.__mro__ }}", tmp_path / "escape"): "已拒绝",
        our_template_with("{{ cycler.__init__.__globals__ }}", tmp_path / "globals"): "已拒绝",
        our_template_with("{% for %}", tmp_path / "syntax"): "标记有误",
    }
    for template, expected in templates.items():
        out = tmp_path / "out.docx"
        outcome = run_cli("build", str(SAMPLE), "-o", str(out), "--template", str(template), inputs=(SAMPLE, template))
        assert outcome.code == 2 and f"{template}：" in outcome.stderr and expected in outcome.stderr, outcome
        assert not out.exists()


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch):
    """matplotlib's font lookup as on a machine without CJK fonts."""
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name.startswith("DejaVu")])
    monkeypatch.setattr(charts, "fontconfig_cjk_files", lambda: [])
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


@pytest.mark.skipif(not charts.fontconfig_cjk_files(), reason="fontconfig knows no Chinese font here")
def test_fonts_installed_after_matplotlib_built_its_cache_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    # matplotlib's cache as built before fonts-noto-cjk was installed
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name.startswith("DejaVu")])
    charts.cjk_font.cache_clear()
    try:
        font = charts.cjk_font()
        assert font is not None and font in {f.name for f in font_manager.fontManager.ttflist}
        assert chart_notes() == []
    finally:
        charts.cjk_font.cache_clear()


def test_charts_without_a_cjk_font_give_one_chinese_note(no_cjk_font, tmp_path: Path, capsys) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # whatever pytest's -W says: a glyph warning would be seen
        png = charts.bar_chart("图1 全市政府信息公开申请办理结果", [("予以公开", 3), ("部分公开", 1)], note="占比")
    assert png.startswith(b"\x89PNG") and not [w for w in caught if "Glyph" in str(w.message)]
    assert chart_notes() == [charts.NO_FONT_NOTE] == ["未找到中文字体（请安装 fonts-noto-cjk），图表中的中文可能显示为方框"]
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder)
    capsys.readouterr()
    city_command(folder, output=tmp_path / "out", jobs=1)
    printed = capsys.readouterr()
    assert printed.out.count(charts.NO_FONT_NOTE) == 1 and "Glyph" not in printed.out + printed.err
    summary = json.loads((tmp_path / "out" / outputs.OUT_JSON).read_text(encoding="utf-8"))
    assert summary["notes"] == [charts.NO_FONT_NOTE]
