"""Copying across agencies (`city.copying`, T508) and tables copied from last year (H704)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from qtx_report.city import outputs
from qtx_report.city.compile import compile_city
from qtx_report.city.copying import COMMON, COPY_SHEET, copied_pairs, passages
from qtx_report.city.reviews import DISMISS, Review
from qtx_report.city.roster import read_roster
from qtx_report.cli.city import city_command
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate
from qtx_report.rules.text import repeated_share, shingles
from qtx_report.write.workbook import write_template

from .helpers import PROBLEMS, as_loaded, balanced, write_filled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# Sentences of the overview a copier takes word for word, and the honest agencies' own.
COPIED = ("本年度，我局围绕扶贫资金项目、惠农补贴发放和村级组织运转经费三类重点信息，逐月在门户网站专栏公开资金"
          "拨付进度，群众可按村查询到户补贴明细。")
OWN_A = "依申请公开方面，全年办理的申请均在法定期限内答复，答复文书统一使用省级模板，并建立了答复前的法制审核环节。"
OWN_B = "平台建设方面，本单位完成了政务新媒体账号清理，关停两个长期不更新的公众号，保留的账号实行三审三校。"
OWN_C = ("本年度，我中心把水资源费征收标准、取水许可审批结果和河湖巡查发现的问题整改情况作为公开重点，"
         "按季度在公开栏张贴，并向用水户逐户发放明白纸。")
PROBLEMS_OWN = ("一是部分村级公开栏内容陈旧，二是信息员队伍流动频繁。", "主要问题是政策解读多为文字，图解和视频较少。",
                "存在的问题：依申请公开答复文书说理不够充分。", "明确每月第一周集中更新公开栏内容并拍照存档。")
# The form's own sentences every report may open with (not copying).
FORM_OPENING = ("根据《中华人民共和国政府信息公开条例》规定，现公布本单位2025年度政府信息公开工作年度报告。"
                "本报告中所列数据的统计期限自2025年1月1日起至2025年12月31日止。")


def city_json(folder: Path, out: Path, **options) -> dict:
    city_command(folder, output=out, jobs=1, **options)
    return json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


def agency_folder(tmp_path: Path, texts: dict[str, str], year: int = 2025) -> Path:
    """A workbook per agency, its text as written here (`write_filled` fills the numbers only)."""
    folder = tmp_path / str(year)
    folder.mkdir()
    for i, (agency, overview) in enumerate(texts.items()):
        report = balanced(seed=i + 1, agency=agency, year=year, overview=overview, problems=PROBLEMS_OWN[i])
        write_template(folder / f"{agency}.xlsx", report=report)
        assert load_report(folder / f"{agency}.xlsx").report.overview == overview
    return folder


def test_a_copied_overview_is_flagged_with_the_t503_share_and_the_passage(tmp_path):
    texts = {"青铜峡市财政局": FORM_OPENING + COPIED + OWN_A,
             "青铜峡市民政局": FORM_OPENING + COPIED + OWN_B,
             "青铜峡市水务局": FORM_OPENING + OWN_C}
    summary = city_json(agency_folder(tmp_path, texts), tmp_path / "out")
    (pair,) = summary["copying"]
    # In file order: 民政局 before 财政局.
    assert (pair["first"]["agency"], pair["second"]["agency"], pair["section"]) == (
        "青铜峡市民政局", "青铜峡市财政局", "overview")
    first, second = texts["青铜峡市民政局"], texts["青铜峡市财政局"]
    # Three reports: no run is common wording, so the share is T503's own, each way.
    assert pair["share_first"] == round(repeated_share(first, second), 4)
    assert pair["share_second"] == round(repeated_share(second, first), 4)
    assert pair["share"] == max(pair["share_first"], pair["share_second"]) >= 0.5
    assert pair["passages"][0] == COPIED[:39] + "…"
    t508 = [f for f in summary["findings"] if f["code"] == "T508"]
    assert sorted(f["agency"] for f in t508) == ["青铜峡市民政局", "青铜峡市财政局"]
    assert all(f["section"] == "一、总体情况" for f in t508)
    rows = {r["agency"]: r for r in summary["agencies"]}
    assert COPY_SHEET in rows["青铜峡市财政局"]["note"] and "青铜峡市民政局" in rows["青铜峡市财政局"]["note"]
    assert rows["青铜峡市财政局"]["warnings"] >= 1
    assert COPY_SHEET not in rows["青铜峡市水务局"]["note"]
    sheet = openpyxl.load_workbook(tmp_path / "out" / outputs.OUT_XLSX)[COPY_SHEET]
    header, *body = list(sheet.values)
    assert header == ("单位甲", "单位乙", "部分", "相同比例", "最长相同段落")
    assert [(r[0], r[1], r[2], r[3]) for r in body] == [
        ("青铜峡市民政局（青铜峡市民政局.xlsx）", "青铜峡市财政局（青铜峡市财政局.xlsx）", "一、总体情况", pair["share"])]
    assert COPIED[:20] in body[0][4]


def test_honest_agencies_and_the_samples_stay_quiet(tmp_path):
    texts = {"青铜峡市财政局": FORM_OPENING + OWN_A, "青铜峡市民政局": FORM_OPENING + OWN_B,
             "青铜峡市水务局": FORM_OPENING + OWN_C}
    assert city_json(agency_folder(tmp_path, texts), tmp_path / "out")["copying"] == []
    compiled = compile_city(SAMPLES / "2025", roster=read_roster(SAMPLES / "名单.xlsx"), jobs=1)
    compiled.spool.close()
    assert compiled.copied == [] and compiled.copy_findings == []
    assert all(len(s.texts) == 2 for s in compiled.submissions if s.readable)


def test_the_forms_own_sentences_do_not_count():
    honest = [FORM_OPENING + "本单位今年新设公开栏。", FORM_OPENING + "我局修订了公开指南。"]
    # Counted as they stand, the opening would make the two texts alike…
    raw = [{t[i:i + 8] for i in range(len(t) - 7)} for t in honest]
    assert len(raw[0] & raw[1]) / len(raw[0]) >= 0.5
    # …but it is the form's wording, left out as T503 leaves it out.
    assert copied_pairs(honest, 0.5) == []
    assert shingles(FORM_OPENING) == set()


def test_wording_common_to_many_agencies_is_not_copying():
    common = "坚持以公开为常态、不公开为例外，推动政府信息公开与业务工作同部署、同落实。"
    texts = [common + own for own in (OWN_A, OWN_B, OWN_C, "本局全年召开专题会议两次。", "本镇印发了公开工作要点。",
                                      "本街道整合了社区公开栏。", "本场落实信息员制度。", "本分局公开环评审批。",
                                      "本中心完善了公开目录。")]
    assert len(texts) > COMMON
    assert copied_pairs(texts, 0.5) == []
    assert copied_pairs(texts[:2], 0.1) != []  # between two agencies the same sentence would count


def naive_pairs(texts: list[str], threshold: float, common: int) -> list[tuple[int, int, float, float]]:
    """Every pair compared with every other, straight from T503's runs."""
    runs = [shingles(t) for t in texts]
    holders = Counter(r for rs in runs for r in rs)
    found = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            shared = sum(1 for r in runs[i] & runs[j] if holders[r] <= common)
            if shared:
                first, second = shared / len(runs[i]), shared / len(runs[j])
                if max(first, second) >= threshold:
                    found.append((i, j, first, second))
    return found


PHRASES = ("主动公开政府信息", "依申请公开答复", "平台建设方面", "监督保障工作", "信息管理规范化", "本年度", "全年",
           "收到申请十二件", "政策解读", "公开目录")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PHRASES), max_size=8).map("，".join), min_size=0, max_size=12),
       st.floats(0.0, 1.0), st.integers(2, 6))
def test_the_index_finds_what_comparing_every_pair_finds(texts, threshold, common):
    indexed = copied_pairs(texts, threshold, common)
    naive = naive_pairs(texts, threshold, common)
    assert [(i, j) for i, j, _, _ in indexed] == [(i, j) for i, j, _, _ in naive]
    for (_, _, a, b), (_, _, c, d) in zip(indexed, naive, strict=True):
        assert abs(a - c) < 1e-12 and abs(b - d) < 1e-12


def test_passages_are_quoted_as_written_longest_first():
    mine = "甲乙丙丁戊己庚辛壬癸，子丑寅卯辰巳午未。一二三四五六七八九十。"
    other = "一二三四五六七八九十。其他。甲乙丙丁戊己庚辛壬癸，子丑寅卯辰巳午未。"
    assert passages(mine, other) == ("甲乙丙丁戊己庚辛壬癸，子丑寅卯辰巳午未", "一二三四五六七八九十")
    assert passages(mine, "无关的文字内容完全不同") == ()


# ---------------------------------------------------------------- tables as last year's (H704)


def test_tables_identical_to_last_year_are_flagged_and_one_changed_cell_is_not():
    report = balanced()
    last = balanced(year=2024, problems=PROBLEMS + "去年。")
    last = last.model_copy(update={g: getattr(report, g) for g in ("section2", "section3", "section4")})
    found = [f.code for f in validate(as_loaded(report), as_loaded(last))]
    assert found.count("H704") == 1
    changed = last.model_copy(deep=True)
    changed.section2["licensing"]["decisions"] += 1
    assert "H704" not in [f.code for f in validate(as_loaded(report), as_loaded(changed))]


def test_tables_of_nothing_but_zeros_are_not_copying():
    report = balanced()
    zeros = {g: {row: {col: 0 for col in cells} for row, cells in getattr(report, g).items()}
             for g in ("section2", "section3", "section4")}
    now, last = report.model_copy(update=zeros), balanced(year=2024).model_copy(update=zeros)
    assert "H704" not in [f.code for f in validate(as_loaded(now), as_loaded(last))]


def test_city_with_previous_flags_tables_copied_from_last_year(tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2025").mkdir()
    this_year = balanced(agency="青铜峡市审计局")
    write_filled(tmp_path / "2025" / "审计局.xlsx", this_year)
    write_filled(tmp_path / "2024" / "审计局.xlsx", this_year.model_copy(update={"year": 2024}))
    summary = city_json(tmp_path / "2025", tmp_path / "out", previous=tmp_path / "2024")
    assert [f["file"] for f in summary["findings"] if f["code"] == "H704"] == ["审计局.xlsx"]


def test_the_office_can_dismiss_a_copying_finding(tmp_path):
    texts = {"青铜峡市财政局": COPIED + OWN_A, "青铜峡市民政局": COPIED + OWN_B}
    folder = agency_folder(tmp_path, texts)
    first = compile_city(folder, jobs=1)
    first.spool.close()
    agency, finding, fp = first.copy_findings[0]
    assert finding.code == "T508" and agency == finding.file.removesuffix(".xlsx")
    again = compile_city(folder, jobs=1, reviews={fp: Review(fp, DISMISS, "两单位联合开展该项工作")})
    again.spool.close()
    assert again.reviews.get(fp) is not None and again.reviews.unmatched == ()
    row = next(r for r in again.rows if r.file == finding.file)
    before = next(r for r in first.rows if r.file == finding.file)
    assert (row.warnings, row.dismissed) == (before.warnings - 1, before.dismissed + 1)


def test_agencies_flagged_only_for_copying_get_a_notice_naming_it(tmp_path):
    from docx import Document

    from .test_season import decide

    texts = {"青铜峡市财政局": FORM_OPENING + COPIED + OWN_A,
             "青铜峡市民政局": FORM_OPENING + COPIED + OWN_B,
             "青铜峡市水务局": FORM_OPENING + OWN_C}
    folder = agency_folder(tmp_path, texts)
    first = city_json(folder, tmp_path / "out")
    # The office dismisses every other warning: copying is all that is left to tell the agencies.
    decide(tmp_path / "out" / outputs.OUT_XLSX, {f["fingerprint"]: ("不予采纳", "已核实") for f in first["findings"]
                                                 if f["severity"] == "warning" and f["code"] != "T508"})
    city_json(folder, tmp_path / "out", overwrite=True, reviews=tmp_path / "out" / outputs.OUT_XLSX,
              notices=tmp_path / "通知", today="2026-01-10")
    noticed = {p.name for p in (tmp_path / "通知").iterdir()}
    assert "整改通知单_青铜峡市水务局.docx" not in noticed
    for agency in ("青铜峡市财政局", "青铜峡市民政局"):
        table = Document(str(tmp_path / "通知" / f"整改通知单_{agency}.docx")).tables[0]
        codes = [row.cells[1].text for row in table.rows[1:]]
        assert len(codes) == 1 and "T508" in codes[0]
