"""Units under units (上级单位 on the roster): per-parent sums, a parent's own report held against
its children's sum, each unit counted once, and rosters whose parents cannot be a tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.city import outputs, outputs_xlsx
from qtx_report.city.hierarchy import COMPARED_NOTE, added, subtree_sums, tree_of
from qtx_report.city.roster import Agency, agency_key, build_roster, read_roster
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report
from qtx_report.read.load import load_report

from .helpers import balanced, write_filled
from .test_city import INVALID, ROSTER, SAMPLES, UNKNOWN, by_file, hand_sum

GRIDS = ("section2", "section3", "section4")
TOWN = "叶盛镇人民政府"
OFFICE = "青铜峡市人民政府办公室"
UNITS = ("青铜峡市叶盛镇便民服务中心", "青铜峡市叶盛镇综合执法队")
ABSENT = "青铜峡市叶盛镇农业综合服务中心"  # on the roster under the 镇, sends nothing
# The cells where the 镇's own report says other than its units: (grid, row, column, by how much).
CHANGED = (("section2", "licensing", "decisions", 5), ("section4", "review", "upheld", 1),
           ("section4", "review", "total", 1))


def added_up(reports: list[Report], agency: str) -> Report:
    """The reports' cell-by-cell sum, as a parent's own summary would state it."""
    grids = {grid: {row: {column: sum(getattr(r, grid)[row][column] or 0 for r in reports) for column in cells}
                    for row, cells in getattr(reports[0], grid).items()} for grid in GRIDS}
    return reports[0].model_copy(update={"agency": agency, **grids})


def bumped(report: Report, changes: tuple[tuple[str, str, str, int], ...]) -> Report:
    grids = {grid: {row: dict(cells) for row, cells in getattr(report, grid).items()} for grid in GRIDS}
    for grid, row, column, by in changes:
        grids[grid][row][column] = (grids[grid][row][column] or 0) + by
    return report.model_copy(update=grids)


def write_roster(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A roster workbook with the 上级单位 column (sheet 名单)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["单位名称", "分组", "别名", "上级单位"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def sample_rows(parent_of: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The samples' roster with a 上级单位 for the units named in `parent_of` (by name)."""
    book = openpyxl.load_workbook(ROSTER)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    return [(name, group, aliases or "", parent_of.get(name, "")) for name, group, aliases in rows]


@pytest.fixture(scope="module")
def three_levels(tmp_path_factory) -> tuple[Path, list[Report], Report]:
    """The 2025 samples where 市政府办公室 is above the 镇/街道 and 叶盛镇 above three units: two
    send reports, one sends nothing; the 镇's own report is its units' sum but for CHANGED."""
    base = tmp_path_factory.mktemp("levels")
    folder = base / "2025"
    shutil.copytree(SAMPLES / "2025", folder)
    units = [balanced(seed=11 + i, agency=name) for i, name in enumerate(UNITS)]
    for report, name in zip(units, ("便民服务中心.xlsx", "综合执法队.xlsx"), strict=True):
        write_filled(folder / name, report)
    town = bumped(added_up(units, TOWN), CHANGED)
    (folder / "叶盛镇.xlsx").unlink()  # the sample's own report, replaced by the 镇's summary
    write_filled(folder / "叶盛镇.xlsx", town)
    towns = {name for name, group, _ in openpyxl.load_workbook(ROSTER).active.iter_rows(min_row=2, values_only=True)
             if group == "镇/街道"}
    rows = sample_rows(dict.fromkeys(towns, "市政府办公室"))  # the parent named by an alias
    rows += [(name, "镇/街道", "", "叶盛镇") for name in (*UNITS, ABSENT)]
    write_roster(base / "名单.xlsx", rows)
    return folder, units, town


@pytest.fixture(scope="module")
def levels_run(three_levels, tmp_path_factory) -> tuple[int, dict, Path]:
    folder, _, _ = three_levels
    out = tmp_path_factory.mktemp("levels_out") / "out"
    code = city_command(folder, roster=folder.parent / "名单.xlsx", output=out, jobs=2)
    return code, json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8")), out


def parents(summary: dict) -> dict[str, dict]:
    return {p["agency"]: p for p in summary["hierarchy"]["parents"]}


# ---------------------------------------------------------------- three levels


def test_roster_reads_parents_by_name_or_alias(three_levels):
    folder, _, _ = three_levels
    roster = read_roster(folder.parent / "名单.xlsx")
    town, office = roster.match("叶盛镇"), roster.match("市政府办公室")
    assert town.parent == office.key and office.parent is None
    assert {a.name for a in roster.agencies if a.parent == town.key} == {*UNITS, ABSENT}
    tree = tree_of(roster)
    assert tree.parents == [town.key, office.key]  # roster order
    assert len(tree.children[office.key]) == 9


def test_the_towns_own_report_is_compared_cell_by_cell(levels_run, three_levels):
    _, units, town = three_levels
    _, summary, _ = levels_run
    check = parents(summary)[TOWN]
    assert check["basis"] == "children" and check["own_file"] == "叶盛镇.xlsx"
    assert check["children"] == [*UNITS, ABSENT]
    found = {(d["section"], d["row"], d["column"]): d for d in check["differences"]}
    assert set(found) == {(grid, row, column) for grid, row, column, _ in CHANGED}
    for grid, row, column, by in CHANGED:
        d = found[grid, row, column]
        children = sum(getattr(u, grid)[row][column] or 0 for u in units)
        assert (d["own"], d["children"], d["difference"]) == (getattr(town, grid)[row][column], children, by)
    assert summary["hierarchy"]["differences"] >= 3


def test_a_unit_that_sent_nothing_is_missing_from_every_sum_above_it(levels_run):
    _, summary, _ = levels_run
    by_parent = parents(summary)
    assert by_parent[TOWN]["missing"] == [{"agency": ABSENT, "reason": "未报送"}]
    assert {"agency": ABSENT, "reason": "未报送"} in by_parent[OFFICE]["missing"]
    assert by_parent[OFFICE]["parent"] is None and by_parent[TOWN]["parent"] == OFFICE
    assert ABSENT in {m["agency"] for m in summary["missing"]}


def test_the_city_total_counts_each_unit_once(levels_run, three_levels):
    folder, _, _ = three_levels
    code, summary, _ = levels_run
    compared = {"叶盛镇.xlsx", "市政府办公室.xlsx"}  # parents: their units are counted instead
    counted = sorted(p for p in folder.glob("*.xlsx") if p.name not in INVALID | {UNKNOWN} | compared)
    expected = hand_sum(counted)
    for grid in GRIDS:
        assert summary["sums"]["total"][grid] == expected[grid], grid
    rows = by_file(summary)
    assert sorted(f for f, r in rows.items() if r["counted"]) == sorted(p.name for p in counted)
    for name in compared:
        assert rows[name]["state"] in {"valid", "invalid"} and not rows[name]["counted"]
        assert COMPARED_NOTE in rows[name]["note"]
    assert code == 1 and summary["counts"]["counted"] == len(counted) == 33
    # The groups still add up to the total: a parent's own report is in none of them.
    for row, cells in summary["sums"]["total"]["section3"].items():
        for column, value in cells.items():
            assert sum(g["section3"][row][column] for g in summary["sums"]["groups"].values()) == value
    assert any("不一致" in note for note in summary["notes"])


def test_each_parents_sum_is_its_childrens(levels_run, three_levels):
    folder, _units, _ = three_levels
    _, summary, _ = levels_run
    by_parent = parents(summary)
    expected = hand_sum([folder / "便民服务中心.xlsx", folder / "综合执法队.xlsx"])
    for grid in GRIDS:
        assert by_parent[TOWN]["sum"][grid] == expected[grid]
    towns = [p for p in folder.glob("*.xlsx")
             if p.name in {"小坝镇.xlsx", "大坝镇.xlsx", "青铜峡镇.xlsx", "瞿靖镇.xlsx", "峡口镇.xlsx", "邵岗镇.xlsx",
                           "陈袁滩镇.xlsx", "裕民街道.xlsx", "便民服务中心.xlsx", "综合执法队.xlsx"}]
    office = hand_sum(towns)
    assert by_parent[OFFICE]["sum"]["section3"] == office["section3"]


def test_workbook_lists_each_difference_and_the_parents_sums(levels_run, three_levels):
    _, units, town = three_levels
    _, summary, out = levels_run
    book = openpyxl.load_workbook(out / outputs.OUT_XLSX)
    check = book[outputs_xlsx.CHECK_SHEET]
    assert [c.value for c in check[1]] == [label for label, _ in outputs_xlsx.CHECK_COLUMNS]
    rows = [r for r in check.iter_rows(min_row=2, values_only=True) if r[0] == TOWN]
    assert len(rows) == len(CHANGED)
    licensing = next(r for r in rows if r[1].startswith("二"))
    assert licensing[4:7] == (town.section2["licensing"]["decisions"],
                              sum(u.section2["licensing"]["decisions"] for u in units), 5)
    assert all(r[7] == f"{ABSENT}（未报送）" for r in rows)
    assert check.max_row - 1 == summary["hierarchy"]["differences"]
    sums = book[outputs_xlsx.PARENTS_SHEET]
    header = [c.value for c in sums[1]]
    assert header == ["部分", "行", "列", TOWN, OFFICE, "全市合计"]
    # The summed tables still read back as the city's report: the new sheets come after them.
    report = load_report(out / outputs.OUT_XLSX).report
    for grid in GRIDS:
        assert getattr(report, grid) == summary["sums"]["total"][grid]


# ---------------------------------------------------------------- a small tree, case by case


def small_tree(tmp_path: Path, reports: dict[str, Report]) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, report in reports.items():
        (folder / f"{name}.json").write_text(report.model_dump_json(), encoding="utf-8")
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,分组,别名,上级单位\n青铜峡市甲镇人民政府,镇/街道,甲镇,\n"
                      "青铜峡市甲镇一村,镇/街道,一村,甲镇\n青铜峡市甲镇二村,镇/街道,二村,青铜峡市甲镇人民政府\n",
                      encoding="utf-8")
    return folder, roster


def run(folder: Path, roster: Path, out: Path, **options) -> tuple[int, dict]:
    code = city_command(folder, roster=roster, output=out, jobs=1, **options)
    return code, json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


@pytest.fixture
def villages() -> tuple[Report, Report]:
    return balanced(seed=3, agency="青铜峡市甲镇一村"), balanced(seed=4, agency="青铜峡市甲镇二村")


def test_a_parent_that_agrees_with_its_children_passes(tmp_path, villages):
    town = added_up(list(villages), "青铜峡市甲镇人民政府")
    folder, roster = small_tree(tmp_path, {"甲镇": town, "一村": villages[0], "二村": villages[1]})
    code, summary = run(folder, roster, tmp_path / "out")
    check = parents(summary)["青铜峡市甲镇人民政府"]
    assert check["differences"] == [] and check["missing"] == []
    assert summary["sums"]["total"]["section3"] == town.section3
    assert code == 0, summary["agencies"]


def test_only_a_difference_makes_the_compile_fail(tmp_path, villages):
    town = bumped(added_up(list(villages), "青铜峡市甲镇人民政府"), (("section2", "penalty", "decisions", 2),))
    folder, roster = small_tree(tmp_path, {"甲镇": town, "一村": villages[0], "二村": villages[1]})
    code, summary = run(folder, roster, tmp_path / "out")
    assert code == 1 and summary["hierarchy"]["differences"] == 1
    assert all(r["state"] == "valid" for r in summary["agencies"])


def test_a_child_with_errors_is_missing_unless_invalid_reports_are_counted(tmp_path, villages):
    one, two = villages
    town = added_up([one, two], "青铜峡市甲镇人民政府")
    broken = bumped(two, (("section3", "granted", "natural", 1),))  # 予以公开 no longer adds up
    folder, roster = small_tree(tmp_path, {"甲镇": town, "一村": one, "二村": broken})
    _, summary = run(folder, roster, tmp_path / "a")
    check = parents(summary)["青铜峡市甲镇人民政府"]
    assert check["missing"] == [{"agency": "青铜峡市甲镇二村", "reason": "有错误"}]
    assert summary["sums"]["total"]["section3"] == one.section3
    _, summary = run(folder, roster, tmp_path / "b", include_invalid=True)
    check = parents(summary)["青铜峡市甲镇人民政府"]
    assert check["missing"] == [] and {(d["section"], d["row"], d["column"]) for d in check["differences"]} >= {
        ("section3", "granted", "natural")}


def test_a_parent_without_counted_children_is_counted_by_its_own_report(tmp_path, villages):
    town = added_up(list(villages), "青铜峡市甲镇人民政府")
    folder, roster = small_tree(tmp_path, {"甲镇": town})
    _, summary = run(folder, roster, tmp_path / "out")
    check = parents(summary)["青铜峡市甲镇人民政府"]
    assert check["basis"] == "own" and check["own_file"] is None and check["differences"] == []
    assert [m["agency"] for m in check["missing"]] == ["青铜峡市甲镇一村", "青铜峡市甲镇二村"]
    assert summary["sums"]["total"]["section3"] == town.section3
    assert by_file(summary)["甲镇.json"]["counted"]


# ---------------------------------------------------------------- rosters that are no tree


def bad_rosters(tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    """name → (roster, the row named, what the message says)."""
    loop = write_roster(tmp_path / "循环.xlsx", [
        ("青铜峡市财政局", "市直部门", "财政局", ""), ("青铜峡市甲局", "市直部门", "甲局", "乙局"),
        ("青铜峡市乙局", "市直部门", "乙局", "丙局"), ("青铜峡市丙局", "市直部门", "丙局", "甲局")])
    itself = write_roster(tmp_path / "自身.xlsx", [
        ("青铜峡市财政局", "市直部门", "财政局", ""), ("青铜峡市甲局", "市直部门", "甲局", "青铜峡市甲局")])
    unknown = write_roster(tmp_path / "不存在.xlsx", [
        ("青铜峡市财政局", "市直部门", "财政局", ""), ("青铜峡市甲局", "市直部门", "甲局", "财政局"),
        ("青铜峡市乙局", "市直部门", "乙局", "不存在局")])
    csv = tmp_path / "名单.csv"
    csv.write_text("单位名称,上级单位\n青铜峡市财政局,\n青铜峡市甲局,没有这个局\n", encoding="gb18030")
    return {"loop": (loop, "工作表“名单”，单元格 第3行", "形成循环"),
            "itself": (itself, "工作表“名单”，单元格 第3行", "是它自己"),
            "unknown": (unknown, "工作表“名单”，单元格 第4行", "“不存在局”不在名单中"),
            "csv": (csv, "单元格 第3行", "“没有这个局”不在名单中")}


@pytest.mark.parametrize("case", ["loop", "itself", "unknown", "csv"])
def test_a_roster_that_is_no_tree_is_refused_with_its_sheet_and_row(tmp_path, case):
    path, where, what = bad_rosters(tmp_path)[case]
    with pytest.raises(InputError) as caught:
        read_roster(path)
    text = caught.value.describe()
    assert text.startswith(f"{path}：{where}：") and what in text, text


def test_the_loop_message_names_every_unit_in_it(tmp_path):
    path, _, _ = bad_rosters(tmp_path)["loop"]
    with pytest.raises(InputError, match="青铜峡市甲局（第3行） → 青铜峡市乙局（第4行） → 青铜峡市丙局（第5行） → 青铜峡市甲局"):
        read_roster(path)


@pytest.mark.parametrize("case", ["loop", "itself", "unknown", "csv"])
def test_the_command_exits_2_and_touches_nothing(tmp_path, case):
    path, where, what = bad_rosters(tmp_path)[case]
    before = path.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / "全市汇总.json").write_text("上次的结果", encoding="utf-8")
    result = CliRunner().invoke(app, ["city", str(SAMPLES / "2025"), "--roster", str(path), "-o", str(out),
                                      "--overwrite"])
    assert result.exit_code == 2, result.output
    assert where in result.output and what in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["全市汇总.json"]
    assert (out / "全市汇总.json").read_text(encoding="utf-8") == "上次的结果"


def test_rosters_built_in_code_are_checked_too():
    with pytest.raises(InputError, match="是它自己"):
        build_roster([Agency("青铜峡市甲局", parent=agency_key("甲局"))], "名单")
    with pytest.raises(InputError, match="不在名单中"):
        build_roster([Agency("青铜峡市甲局", parent=agency_key("乙局"))], "名单")


# ---------------------------------------------------------------- without the column


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("plain") / "out"
    city_command(SAMPLES / "2025", roster=ROSTER, previous=SAMPLES / "2024", output=out, jobs=2)
    return json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


def test_without_the_column_the_outputs_are_as_before(plain_run):
    """The plain samples roster: the summed tables and the counts of the pinned output
    (tests/golden, written before rosters had parents; the draft text is not compared), no
    hierarchy in the JSON."""
    golden = json.loads((Path(__file__).parent / "golden" / "city" / outputs.OUT_JSON).read_text(encoding="utf-8"))
    assert "hierarchy" not in plain_run
    for name, report in [("total", plain_run["sums"]["total"]), *plain_run["sums"]["groups"].items()]:
        pinned = golden["sums"]["total"] if name == "total" else golden["sums"]["groups"][name]
        assert {grid: report[grid] for grid in GRIDS} == {grid: pinned[grid] for grid in GRIDS}, name
    assert set(plain_run["sums"]["groups"]) == set(golden["sums"]["groups"])
    assert plain_run["counts"] == golden["counts"]
    assert all(a.parent is None for a in read_roster(ROSTER).agencies)


def test_an_empty_parent_column_changes_nothing(plain_run, tmp_path):
    roster = write_roster(tmp_path / "名单.xlsx", sample_rows({}))
    out = tmp_path / "out"
    city_command(SAMPLES / "2025", roster=roster, previous=SAMPLES / "2024", output=out, jobs=2)
    summary = json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))
    for key in ("sums", "counts", "agencies", "missing", "notes", "exit_code"):
        assert summary[key] == plain_run[key], key
    assert "hierarchy" not in summary
    sheets = openpyxl.load_workbook(out / outputs.OUT_XLSX).sheetnames
    assert outputs_xlsx.CHECK_SHEET not in sheets and outputs_xlsx.PARENTS_SHEET not in sheets


# ---------------------------------------------------------------- the property


@st.composite
def forests(draw):
    """A forest of up to 25 units (each unit's parent comes before it, so no loops), which of them
    have a counted report, and each report's numbers in 3 cells."""
    n = draw(st.integers(1, 25))
    parents = [draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None for i in range(n)]
    counted = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    values = draw(st.lists(st.lists(st.integers(0, 1000), min_size=3, max_size=3), min_size=n, max_size=n))
    return parents, counted, values


def roster_of(parents: list[int | None]):
    agencies = [Agency(f"单位{i}", parent=agency_key(f"单位{p}") if p is not None else None)
                for i, p in enumerate(parents)]
    return build_roster(agencies[::-1], "名单")  # children before parents: the roster's order is free


def expected_sum(node: int, parents: list[int | None], counted: list[bool], values: list[list[int]]):
    """The rule stated plainly and recursively: the children's sums where any is counted, else the
    unit's own report, else nothing."""
    below = [expected_sum(c, parents, counted, values) for c, p in enumerate(parents) if p == node]
    below = [v for v in below if v is not None]
    if below:
        return [sum(column) for column in zip(*below, strict=True)]
    return list(values[node]) if counted[node] else None


@settings(max_examples=200, deadline=None)
@given(forests())
def test_each_unit_counts_once_at_any_depth(forest):
    parents, counted, values = forest
    tree = tree_of(roster_of(parents))
    keys = [agency_key(f"单位{i}") for i in range(len(parents))]
    counted_keys = {keys[i] for i, c in enumerate(counted) if c}
    once = added(tree, counted_keys)
    sums = subtree_sums(tree, {keys[i]: values[i] for i in range(len(keys)) if keys[i] in once}, 3)
    for i, key in enumerate(keys):
        assert sums[key] == expected_sum(i, parents, counted, values)
    roots = [keys[i] for i, p in enumerate(parents) if p is None]
    total = [sum(column) for column in zip(*([0, 0, 0], *(sums[r] for r in roots if sums[r])), strict=True)]
    assert total == [sum(column) for column in zip([0, 0, 0], *(values[keys.index(k)] for k in once), strict=True)]
    leaves = {i for i in range(len(parents)) if i not in parents}
    assert {keys[i] for i in leaves if counted[i]} <= once  # a unit without children always counts


@settings(max_examples=100, deadline=None)
@given(forests())
def test_with_every_leaf_counted_the_root_sum_is_the_leaves_sum(forest):
    parents, counted, values = forest
    leaves = [i for i in range(len(parents)) if i not in parents]
    counted = [c or i in leaves for i, c in enumerate(counted)]  # parents' own reports at random
    tree = tree_of(roster_of(parents))
    keys = [agency_key(f"单位{i}") for i in range(len(parents))]
    once = added(tree, {keys[i] for i, c in enumerate(counted) if c})
    assert once == {keys[i] for i in leaves}
    sums = subtree_sums(tree, {keys[i]: values[i] for i in leaves}, 3)
    for root in (i for i, p in enumerate(parents) if p is None):
        below = [i for i in leaves if root_of(i, parents) == root]
        assert sums[keys[root]] == [sum(values[i][c] for i in below) for c in range(3)]


def root_of(node: int, parents: list[int | None]) -> int:
    while parents[node] is not None:
        node = parents[node]  # type: ignore[assignment]
    return node
