"""`city` over a folder as the office downloads it from the portal: workbooks mixed with the
published Word files, web pages, PDFs and old .doc files of some agencies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.ooxml.office import converted, soffice_path

from .test_city import ROSTER, SAMPLES, by_file, run_city

# agency file → the format it is replaced by
PUBLISHED = {"市自然资源局.xlsx": ".docx", "市财政局.xlsx": ".html", "市审计局.xlsx": ".pdf", "叶盛镇.xlsx": ".doc"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, Path]:
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF or .doc can be made")
    root = tmp_path_factory.mktemp("mixed")
    folder = root / "报送材料"
    shutil.copytree(SAMPLES / "2025", folder)
    for name, suffix in PUBLISHED.items():
        workbook = folder / name
        docx = root / Path(name).with_suffix(".docx").name
        result = CliRunner().invoke(app, ["build", str(workbook), "-o", str(docx), "--html", "--pdf"])
        assert result.exit_code == 0, result.output
        target = folder / Path(name).with_suffix(suffix).name
        if suffix == ".doc":
            with converted(docx, "doc", timeout_s=180) as produced:
                shutil.copyfile(produced, target)
        else:
            shutil.copyfile(docx.with_suffix(suffix), target)
        workbook.unlink()
    return root, folder


def test_a_mixed_folder_compiles_like_the_workbooks_it_came_from(mixed):
    root, folder = mixed
    code, summary = run_city(folder, root / "out-mixed", roster=ROSTER, jobs=2)
    _, baseline = run_city(SAMPLES / "2025", root / "out-workbooks", roster=ROSTER, jobs=1)
    rows, expected = by_file(summary), by_file(baseline)
    for name, suffix in PUBLISHED.items():
        published = Path(name).with_suffix(suffix).name
        assert rows[published]["agency"] == expected[name]["agency"]
        assert rows[published]["state"] == expected[name]["state"] == "valid"
        assert rows[published]["counted"]
    assert summary["sums"]["total"] == baseline["sums"]["total"]  # itself checked against hand sums in test_city
    assert summary["missing"] == baseline["missing"] and summary["counts"] == baseline["counts"]
    assert code == 1
