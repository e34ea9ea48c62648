"""samples/: the generated city of 青铜峡 (scripts/make_samples.py).

The generator runs once per module into a temporary folder (about 70 workbooks, half a minute)
and every test reads that run; one more run checks that the output is byte-for-byte repeatable.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest

from qtx_report.cli.report_output import run_check
from qtx_report.form.editions import edition
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "samples"
GROUPS = {"镇/街道", "农林场", "市直部门", "驻青单位"}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
FIRST, LAST = gen.YEARS
MISTAKEN = {m.agency for m in gen.MISTAKES}
HONEST = [a for a in gen.AGENCIES if a.name not in MISTAKEN and a.name != gen.MISSING_2025] + [gen.OFF_ROSTER]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    assert gen.main(["--out", str(out)]) == 0
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


def _problems(path: Path, previous: Path | None = None) -> list:
    """Findings other than notes. Notes (I105) are expected: openpyxl writes totals as formulas
    without cached results, and the loader computes them, saying so in a note."""
    last_year = load_report(previous) if previous and previous.exists() else None
    return [f for f in validate(load_report(path), last_year) if f.severity != "info"]


# ---------------------------------------------------------------- the generator itself


def test_two_runs_give_the_same_bytes(generated: Path, tmp_path: Path) -> None:
    gen.main(["--out", str(tmp_path)])
    assert _differing(_files(generated), _files(tmp_path)) == []


def test_committed_samples_equal_a_fresh_run(generated: Path) -> None:
    differing = _differing(_files(COMMITTED), _files(generated))
    assert differing == [], "samples/ differs from the generator; run .venv/bin/python scripts/make_samples.py"


# ---------------------------------------------------------------- roster and files


def _roster(root: Path) -> list[tuple[str, str, str]]:
    sheet = openpyxl.load_workbook(root / gen.ROSTER_FILE, read_only=True)[gen.ROSTER_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单位名称", "分组", "别名")
    return rows[1:]


def test_roster_has_30_agencies_in_the_four_groups(generated: Path) -> None:
    roster = _roster(generated)
    names = [name for name, _, _ in roster]
    assert len(roster) >= 30
    assert len(set(names)) == len(names)
    assert {group for _, group, _ in roster} == GROUPS
    assert all(aliases and "," not in aliases for _, _, aliases in roster)
    assert sum(name.endswith("镇人民政府") for name in names) == 8
    assert "青铜峡市裕民街道办事处" in names


def test_every_roster_agency_reports_both_years_but_one(generated: Path) -> None:
    roster = {name for name, _, _ in _roster(generated)}
    agencies = {year: {load_report(f).report.agency for f in (generated / str(year)).glob("*.xlsx")}
                for year in gen.YEARS}
    assert agencies[FIRST] == roster
    assert agencies[LAST] == roster - {gen.MISSING_2025} | {gen.OFF_ROSTER.name}


def test_reports_follow_on_from_last_year(generated: Path) -> None:
    for agency in gen.AGENCIES:
        if agency.name == gen.MISSING_2025:
            continue
        now, last = (load_report(generated / str(y) / f"{agency.short}.xlsx").report for y in (LAST, FIRST))
        assert now.section3["carried_in"] == last.section3["carried_out"], agency.name
        docs_now, docs_last = now.section2["normative_docs"], last.section2["normative_docs"]
        assert docs_now["in_force"] == docs_last["in_force"] + docs_now["issued"] - docs_now["repealed"]


def test_texts_have_the_expected_length_and_parts(generated: Path) -> None:
    for path in sorted(generated.glob("*/*.xlsx")):
        report = load_report(path).report
        overview, problems = ("".join(text.split()) for text in (report.overview, report.problems))
        assert 300 <= len(overview) <= 700, path
        assert 150 <= len(problems) <= 300, path
        for part in ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障"):
            assert part in overview, (path, part)
        if report.agency.endswith("镇人民政府"):
            assert "社会评议" in overview and "责任追究" in overview, path
        assert report.other
        assert report.report_date and report.report_date.year == report.year + 1


# ---------------------------------------------------------------- honest and deliberate


@pytest.mark.parametrize("agency", HONEST, ids=lambda a: a.short)
def test_honest_report_has_no_errors_or_warnings(generated: Path, agency) -> None:
    path = generated / str(LAST) / f"{agency.short}.xlsx"
    assert _problems(path, generated / str(FIRST) / path.name) == []


def test_every_first_year_report_is_clean(generated: Path) -> None:
    assert {p.name: _problems(p) for p in (generated / str(FIRST)).glob("*.xlsx") if _problems(p)} == {}


# Where each deliberate mistake is reported: (field of the finding, its values, number of findings).
WHERE = {
    "B401": (lambda f: f.column, {"自然人", "总计"}, 2),  # the natural-person column, and with it the total
    "B403": (lambda f: f.column, {"总计"}, 2),  # two rows of the 总计 column, swapped
    "T503": (lambda f: f.section, {edition(gen.EDITION).section("problems").heading}, 1),
    "D601": (lambda f: f.row, {"成文日期"}, 1),
}


@pytest.mark.parametrize("mistake", gen.MISTAKES, ids=lambda m: m.code)
def test_deliberate_mistake_fires_exactly_its_rule(generated: Path, mistake) -> None:
    agency = next(a for a in gen.AGENCIES if a.name == mistake.agency)
    path = generated / str(mistake.year) / f"{agency.short}.xlsx"
    findings = _problems(path, generated / str(mistake.year - 1) / path.name)
    assert {f.code for f in findings} == {mistake.code}
    place, expected, count = WHERE[mistake.code]
    assert {place(f) for f in findings} == expected
    assert len(findings) == count


def test_mistakes_are_documented_in_the_readme(generated: Path) -> None:
    readme = (generated / "README.md").read_text(encoding="utf-8")
    for mistake in gen.MISTAKES:
        assert mistake.agency in readme and mistake.code in readme
    assert gen.MISSING_2025 in readme and gen.OFF_ROSTER.name in readme


def test_check_command_over_the_city(generated: Path) -> None:
    stream = io.StringIO()
    code = run_check([generated / str(LAST)], previous=generated / str(FIRST), stream=stream)
    files = len(list((generated / str(LAST)).glob("*.xlsx")))
    assert code == 1  # B401 and B403 are errors
    assert f"共 {files} 个文件：{files - 2} 个通过，2 个未通过。" in stream.getvalue()
