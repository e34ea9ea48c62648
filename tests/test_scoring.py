"""考核 scoring (`city --score`): the example pack on the samples against scores worked out by hand
from samples/README.md, every deduction with its evidence, the pack's mistakes named, the outputs."""

from __future__ import annotations

import io
import json
import math
import re
import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.city import outputs, outputs_xlsx
from qtx_report.city.compile import compile_city
from qtx_report.city.reviews import DISMISS, Review, Reviewed
from qtx_report.city.roster import read_roster
from qtx_report.city.scoring import (
    EXAMPLE_PACK,
    SCORE_DIR,
    STATUS_NAMES,
    Item,
    Pack,
    parse_pack,
    read_pack,
    score_city,
)
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import CODES, InputError
from qtx_report.write.report import template_dir

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = SAMPLES / "名单.xlsx"
EXAMPLE = template_dir() / EXAMPLE_PACK

# By hand, from samples/README.md and the example pack: 100 less
#   退役军人事务局: not sent (missing, 30)                                     → 70 良好
#   峡口镇: received late (late, 5 per occurrence, one file)                   → 95
#   瞿靖镇: 五 copied from 2024 (T503, 5)                                      → 95
#   人力资源和社会保障局: two B403 (2 each)                                    → 96
#   住房和城乡建设局: two B401, 自然人 and 总计 columns (2 each)                → 96
# and every other roster agency 100; 葡萄产业服务中心 is not on the roster: not assessed.
HAND_SCORES = {"青铜峡市退役军人事务局": (70, "良好"), "峡口镇人民政府": (95, "优秀"), "瞿靖镇人民政府": (95, "优秀"),
               "青铜峡市人力资源和社会保障局": (96, "优秀"), "青铜峡市住房和城乡建设局": (96, "优秀")}


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("score") / "全市"
    city_command(SAMPLES / "2025", roster=ROSTER, previous=SAMPLES / "2024", output=out, jobs=1, score=EXAMPLE,
                 today="2026-01-20")
    return json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8")), out


@pytest.fixture(scope="module")
def compiled():
    c = compile_city(SAMPLES / "2025", roster=read_roster(ROSTER), previous=SAMPLES / "2024", jobs=1)
    yield c
    c.spool.close()



def test_example_pack_scores_the_samples_as_worked_out_by_hand(scored_run):
    summary, _ = scored_run
    scores = {s["agency"]: s for s in summary["scores"]}
    assert len(scores) == 36 and "青铜峡市葡萄产业服务中心" not in scores
    for agency, s in scores.items():
        assert (s["score"], s["level"]) == HAND_SCORES.get(agency, (100, "优秀")), agency
    ranks = {agency: s["rank"] for agency, s in scores.items()}
    assert ranks["青铜峡市退役军人事务局"] == 36 and ranks["峡口镇人民政府"] == ranks["瞿靖镇人民政府"] == 34
    assert ranks["青铜峡市住房和城乡建设局"] == 32 and ranks["青铜峡市司法局"] == 1


def test_every_deduction_names_its_evidence(scored_run):
    summary, _ = scored_run
    scores = {s["agency"]: s for s in summary["scores"]}
    [late] = scores["峡口镇人民政府"]["deductions"]
    assert late["item"] == "未按时报送" and late["points"] == 5
    assert late["evidence"] == [{"code": "late", "message": "逾期报送：逾期5天。", "file": "峡口镇.xlsx",
                                 "place": "成文日期 2026-01-20"}]
    [missing] = scores["青铜峡市退役军人事务局"]["deductions"]
    assert missing["evidence"][0]["file"] == "名单.xlsx" and missing["evidence"][0]["code"] == "missing"
    [balance] = scores["青铜峡市住房和城乡建设局"]["deductions"]
    assert [e["code"] for e in balance["evidence"]] == ["B401", "B401"]
    assert all(e["file"] == "市住房和城乡建设局.xlsx" and e["place"].startswith("工作表“") for e in balance["evidence"])


def test_status_sheet_deductions_sheet_ranking_and_score_sheets(scored_run):
    _, out = scored_run
    book = openpyxl.load_workbook(out / outputs.OUT_XLSX, read_only=True)
    status = list(book[outputs_xlsx.STATUS_SHEET].iter_rows(values_only=True))
    header = list(status[0])
    assert header[-2:] == ["得分", "档次"]
    rows = {row[0]: row for row in status[1:]}
    assert rows["峡口镇人民政府"][-2:] == (95, "优秀") and rows["青铜峡市葡萄产业服务中心"][-2:] == (None, None)
    deductions = list(book[outputs_xlsx.DEDUCTION_SHEET].iter_rows(values_only=True))[1:]
    assert sum(1 for row in deductions if row[5]) == 7  # missing, late, T503, 2 × B403, 2 × B401: a row each
    sheets = sorted(p.name for p in (out / SCORE_DIR).iterdir())
    assert len(sheets) == 36 and "考核评分表_峡口镇人民政府.docx" in sheets
    text = docx_text(out / SCORE_DIR / "考核评分表_青铜峡市住房和城乡建设局.docx")
    assert "得分：96分　档次：优秀　名次：第32名（共36个单位）" in text
    assert "统计数据勾稽关系或合计错误" in text and "−4" in text and "市住房和城乡建设局.xlsx" in text
    assert "示例细则" in text
    assert "按评分细则，未发现扣分情况。" in docx_text(out / SCORE_DIR / "考核评分表_青铜峡市司法局.docx")
    report = docx_text(out / outputs.OUT_DOCX)
    assert "附件4：考核得分排名" in report and "未报送年度报告 −30" in report


def test_a_dismissed_finding_deducts_nothing(compiled):
    pack = read_pack(EXAMPLE)
    before = {s.agency: s.score for s in score_city(compiled, pack)}
    row = next(r for r in compiled.findings() if r[2] == "T503")
    review = Review(str(row[-1]), DISMISS, reason="已核实为本年度实际情况")
    after = {s.agency: s.score for s in score_city(replace(compiled, reviews=Reviewed({review.fingerprint: review})), pack)}
    assert before["瞿靖镇人民政府"] == 95 and after["瞿靖镇人民政府"] == 100


def test_cap_limits_an_item(compiled):
    pack = Pack("t", "", 100, (("合格", 60.0), ("不合格", 0.0)),
                (Item("勾稽", 3, 5, codes=("B401",)),), "t.toml")
    scores = {s.agency: s for s in score_city(compiled, pack)}
    s = scores["青铜峡市住房和城乡建设局"]
    assert s.score == 95 and s.deductions[0].points == 5 and len(s.deductions[0].evidence) == 2


items = st.builds(
    Item, name=st.sampled_from(["甲", "乙", "丙"]), points=st.floats(0, 40, allow_nan=False),
    cap=st.one_of(st.just(math.inf), st.floats(0, 60, allow_nan=False)),
    codes=st.lists(st.sampled_from(sorted(CODES)), max_size=4).map(tuple),
    statuses=st.lists(st.sampled_from(sorted(STATUS_NAMES)), max_size=2).map(tuple))


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the compile, a fixture, is long
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(items, min_size=1, max_size=6), st.floats(50, 150, allow_nan=False))
def test_scores_are_the_base_less_capped_evidenced_deductions(compiled, pack_items, base):
    pack = Pack("t", "", base, (("合格", 60.0), ("不合格", 0.0)), tuple(pack_items), "t.toml")
    for s in score_city(compiled, pack):  # every agency's score, whatever the pack
        for d in s.deductions:
            assert d.evidence and 0 < d.points <= d.item.cap
            assert d.points == min(d.item.cap, d.item.points * len(d.evidence))
            assert all(e.code in d.item.codes or e.code in d.item.statuses for e in d.evidence)
        assert s.score == max(0.0, base - sum(d.points for d in s.deductions))
        assert s.level == ("合格" if s.score >= 60 else "不合格")


@pytest.mark.parametrize(("text", "says"), [
    ('[[items]]\nname = "甲"\ncodes = ["X999"]\npoints = 1\n', "第1个考核项目“甲”的 codes：没有规则代码“X999”"),
    ('[[items]]\nname = "甲"\nstatuses = ["absent"]\npoints = 1\n', "没有状态“absent”"),
    ('[[items]]\nname = "甲"\ncodes = ["B401"]\n', "第1个考核项目“甲”的 points：应为数字"),
    ('[[items]]\nname = "甲"\ncodes = ["B401"]\npoints = -1\n', "且不小于 0"),
    ('[[items]]\nname = "甲"\ncodes = ["B401"]\npoints = 1\npoint = 2\n', "不认识的键 point"),
    ('[[items]]\nname = "甲"\npoints = 1\n', "没有写扣分依据"),
    ('title = "t"\n', "没有任何考核项目"),
    ('[[levels]]\nname = "优秀"\nmin = 90\n[[items]]\nname = "甲"\ncodes = ["B401"]\npoints = 1\n', "最低一档“优秀”的 min 应为 0"),
    ("[[items]\nname = 1", "考核细则的格式有误"),
])
def test_a_wrong_pack_is_named_by_item_and_key(tmp_path, text, says):
    path = tmp_path / "细则.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_pack(path)
    assert says in err.value.describe() and str(path) in err.value.describe()


def test_cli_refuses_a_wrong_pack_before_compiling(tmp_path):
    pack = tmp_path / "细则.toml"
    pack.write_bytes(b"\xff\xfe")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["city", str(SAMPLES / "2025"), "--score", str(pack), "-o", str(out)])
    assert result.exit_code == 2 and "UTF-8" in result.output and not out.exists()


def test_example_pack_is_written_for_the_office_to_edit(tmp_path):
    target = tmp_path / "考核细则.toml"
    result = CliRunner().invoke(app, ["template", "--score-pack", str(target)])
    assert result.exit_code == 0 and target.read_bytes() == EXAMPLE.read_bytes()
    assert "示例" in parse_pack(tomllib.loads(target.read_text(encoding="utf-8")), "x").note
    again = CliRunner().invoke(app, ["template", "--score-pack", str(target)])
    assert again.exit_code == 2 and "已存在" in again.output


def test_without_a_roster_the_agencies_that_sent_reports_are_scored(tmp_path):
    out = tmp_path / "out"
    city_command(SAMPLES / "2025", roster=None, output=out, jobs=1, score=EXAMPLE)
    scores = json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))["scores"]
    assert len(scores) == 36 and all(s["deductions"] == [] or s["deductions"][0]["evidence"] for s in scores)


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)).replace("&lt;", "<")


values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                      max_leaves=12)
keys = st.sampled_from(["title", "note", "base", "levels", "items", "name", "points", "cap", "codes", "statuses",
                        "basis", "min", "x"])
tables = st.dictionaries(keys, values | st.lists(st.dictionaries(keys, values, max_size=6), max_size=3), max_size=6)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_any_pack_is_read_or_refused_in_chinese(data):
    """Whatever a pack holds (TOML gives tables, lists, strings, numbers, booleans), it is read or
    refused with a message naming the file: never another exception."""
    try:
        pack = parse_pack(data, "细则.toml")
    except InputError as err:
        assert err.describe().startswith("细则.toml")
    else:
        assert pack.items and all(i.codes or i.statuses for i in pack.items)
        assert pack.levels[-1][1] <= 0
