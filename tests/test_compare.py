"""`compare`: this year's report beside last year's, as a page a reviewer reads and prints."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.form.editions import edition
from qtx_report.model.numbers import format_number
from qtx_report.read.load import load_report
from qtx_report.rules.text import repeated_share
from qtx_report.write.compare import NO_PERCENT, figure, render_compare, split_sentences
from qtx_report.write.report import render_docx

from .helpers import set_cell

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# 瞿靖镇 copied its 五、 from 2024 word for word (samples/README.md, T503)
THIS, LAST = SAMPLES / "2025" / "瞿靖镇.xlsx", SAMPLES / "2024" / "瞿靖镇.xlsx"
runner = CliRunner()


def page(this: Path = THIS, last: Path = LAST) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_compare(load_report(this), load_report(last)))


def cell(doc: lxml.html.HtmlElement, key: tuple[str, str, str]) -> lxml.html.HtmlElement:
    found = doc.xpath(f'//td[@data-cell="{".".join(key)}"]')
    assert len(found) == 1, key
    return found[0]


def parts(td: lxml.html.HtmlElement) -> dict[str, str]:
    return {name: td.xpath(f'string(span[@class="{name}"])') for name in ("this", "last", "change", "pct")}


def expected_change(this: object, last: object) -> tuple[str, str]:
    if this is None or last is None:
        return "", ""
    change = this - last  # type: ignore[operator]
    sign = "+" if change > 0 else "−" if change < 0 else ""
    percent = f"{sign}{abs(100 * change / last):.1f}%" if last > 0 else NO_PERCENT  # type: ignore[operator]
    return sign + format_number(abs(change)), percent


# ---------------------------------------------------------------- numbers


def test_every_number_cell_shows_both_years_and_the_change() -> None:
    this, last = load_report(THIS).report, load_report(LAST).report
    doc = page()
    keys = list(edition(this.edition).cells)
    assert len(doc.xpath("//td[@data-cell]")) == len(keys)
    changed = 0
    for key in keys:
        shown = parts(cell(doc, key))
        now, before = this.value(*key), last.value(*key)
        change, percent = expected_change(now, before)
        assert shown == {"this": format_number(now), "last": format_number(before), "change": change, "pct": percent}, key
        changed += now != before
    assert changed > 0  # the pair really differs somewhere, so the changes above were put to the test


def test_a_blank_cell_is_blank_not_zero(tmp_path: Path) -> None:
    this = tmp_path / "本年.xlsx"
    shutil.copyfile(THIS, this)
    key = ("section2", "licensing", "decisions")
    set_cell(this, *key, None)
    shown = parts(cell(page(this), key))
    assert shown["this"] == "" and shown["change"] == "" and shown["pct"] == ""
    assert shown["last"] == format_number(load_report(LAST).report.value(*key))


@given(st.one_of(st.none(), st.integers(-10_000, 10_000)), st.one_of(st.none(), st.integers(-10_000, 10_000)))
def test_change_and_percentage(this: int | None, last: int | None) -> None:
    shown = figure(this, last)
    assert (shown.this, shown.last) == (format_number(this), format_number(last))
    assert (shown.change, shown.percent) == expected_change(this, last)


# ---------------------------------------------------------------- text


def test_reused_sentences_are_marked_and_new_ones_are_not() -> None:
    doc = page()
    last = load_report(LAST).report
    this_year = doc.xpath('//section[@id="overview"]//div[@class="this-year"]')[0]
    reused = [m.text_content() for m in this_year.xpath(".//mark[@class='reused']")]
    new = [s.text_content() for s in this_year.xpath(".//span[@class='new']")]
    assert reused and new
    assert all(repeated_share(s, last.overview) >= 0.5 for s in reused)
    assert all(repeated_share(s, last.overview) < 0.5 for s in new)
    copied = doc.xpath('//section[@id="problems"]//div[@class="this-year"]')[0]
    assert not copied.xpath(".//span[@class='new']")  # 五、 was copied whole
    assert "".join(copied.xpath(".//p//text()")).replace("\n", "") == "".join(last.problems.split())


def test_a_copied_sentence_is_marked_in_both_years(tmp_path: Path) -> None:
    loaded_this, loaded_last = load_report(THIS), load_report(LAST)
    old = "本单位始终坚持以公开为常态、不公开为例外，扎实推进政务公开标准化规范化建设。"
    fresh = "今年首次在镇便民服务中心设立政府信息公开查阅点，全年接待群众查阅三十余人次。"
    this = loaded_this.report.model_copy(update={"other": old + fresh})
    last = loaded_last.report.model_copy(update={"other": "上年度未收取信息处理费。" + old})
    doc = lxml.html.fromstring(render_compare(type(loaded_this)("a.json", this), type(loaded_last)("b.json", last)))
    section = doc.xpath('//section[@id="other"]')[0]
    now = section.xpath('.//div[@class="this-year"]')[0]
    before = section.xpath('.//div[@class="last-year"]')[0]
    assert [m.text for m in now.xpath(".//mark")] == [old]
    assert [s.text for s in now.xpath(".//span[@class='new']")] == [fresh]
    assert [m.text for m in before.xpath(".//mark")] == [old]


@given(st.text(alphabet="数据公开。；！？\n１2，", max_size=40))
def test_sentences_keep_every_character(text: str) -> None:
    line = text.split("\n")[0]
    assert "".join(split_sentences(line)) == line


# ---------------------------------------------------------------- continuity


def test_a_carried_over_break_is_shown_at_its_cell(tmp_path: Path) -> None:
    this = tmp_path / "本年.xlsx"
    shutil.copyfile(THIS, this)
    key = ("section3", "carried_in", "natural")
    was = load_report(this).report.value(*key)
    set_cell(this, *key, (was or 0) + 5)
    doc = page(this)
    broken = cell(doc, key)
    assert "break" in broken.get("class").split()
    mark = broken.xpath("a[@class='mark']")[0]
    note = doc.xpath(f'//li[@id="{mark.get("href")[1:]}"]')[0]
    assert note.get("data-code") == "H701" and "上年结转" in note.text_content()
    # the workbook's 总计 is a formula over the row, so it moved with the cell and breaks too
    others = doc.xpath('//td[contains(concat(" ", @class, " "), " break ")]')
    assert [td.get("data-cell") for td in others] == ["section3.carried_in.natural", "section3.carried_in.total"]
    assert doc.xpath('string(//li[@data-code="H701"]//span[@class="bad"])').startswith("2")


def test_the_samples_carry_over_cleanly() -> None:
    doc = page()
    assert not doc.xpath('//td[contains(concat(" ", @class, " "), " break ")]')
    assert doc.xpath('//div[@class="checks"]//li[@data-code="H701"]//span[@class="ok"]')


# ---------------------------------------------------------------- inputs and the page


def test_word_and_json_inputs_give_the_same_page(tmp_path: Path) -> None:
    pages = {render_compare(load_report(THIS), load_report(LAST))}
    for kind in ("docx", "json"):
        paths = []
        for source in (THIS, LAST):
            report = load_report(source).report
            path = tmp_path / f"{source.parent.name}.{kind}"
            path.write_bytes(render_docx(report) if kind == "docx" else report.model_dump_json().encode("utf-8"))
            paths.append(path)
        pages.add(render_compare(load_report(paths[0]), load_report(paths[1])))
    assert len(pages) == 1


def test_the_page_is_self_contained_and_prints_landscape() -> None:
    html = render_compare(load_report(THIS), load_report(LAST))
    assert not re.search(r"https?://|\bsrc\s*=|<link|<script|@import|url\(", html)
    assert "size: A4 landscape" in html and "break-before: page" in html
    doc = lxml.html.fromstring(html)
    assert [s.get("id") for s in doc.xpath("//section[@class='sec']")] == [s.key for s in edition("2021").sections]
    assert doc.xpath("//div[@class='legend']")


# ---------------------------------------------------------------- the command


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_command_writes_beside_this_year(tmp_path: Path) -> None:
    this, last = tmp_path / "2025.xlsx", tmp_path / "2024.xlsx"
    shutil.copyfile(THIS, this)
    shutil.copyfile(LAST, last)
    before = digest(this), digest(last)
    result = runner.invoke(app, ["compare", str(this), str(last)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "对比_瞿靖镇人民政府_2025.html"
    assert out.is_file() and str(out) in result.output
    assert (digest(this), digest(last)) == before
    again = runner.invoke(app, ["compare", str(this), str(last)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    assert runner.invoke(app, ["compare", str(this), str(last), "--overwrite"]).exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_command_refuses_another_year_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "对比.html"
    result = runner.invoke(app, ["compare", str(THIS), str(THIS), "-o", str(out)])
    assert result.exit_code == 2 and "--any-year" in result.output and not out.exists()
    assert runner.invoke(app, ["compare", str(THIS), str(THIS), "-o", str(out), "--any-year"]).exit_code == 0
    assert out.is_file()


@pytest.mark.parametrize("bad", ["missing.xlsx", "broken.docx"])
def test_command_refuses_an_unreadable_input(tmp_path: Path, bad: str) -> None:
    path = tmp_path / bad
    if bad.endswith(".docx"):
        path.write_bytes(b"not a zip")
    out = tmp_path / "对比.html"
    result = runner.invoke(app, ["compare", str(THIS), str(path), "-o", str(out)])
    assert result.exit_code == 2 and "错误" in result.output and "Traceback" not in result.output
    assert not out.exists()
