"""Documents that describe the code are checked against it, so they cannot drift apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from qtx_report.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qtx_report"


def _modules() -> set[str]:
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
            if p.name != "__init__.py" and "__pycache__" not in p.parts}


def test_architecture_lists_every_module_and_only_real_ones() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w/]+\.py)` \|", text, flags=re.M))
    assert not _modules() - listed, f"modules missing from docs/architecture.md: {sorted(_modules() - listed)}"
    assert not listed - _modules(), f"docs/architecture.md lists modules that do not exist: {sorted(listed - _modules())}"


def _names(fragment: str) -> list[str]:
    return re.findall(r'"(\w+)"', fragment)


def test_readme_json_format_matches_the_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    described = re.search(r"JSON 输出格式.*?`(\{.*?\})`", readme, flags=re.S).group(1)  # type: ignore[union-attr]
    top, rest = described.split('"files": [', 1)
    file_part, summary_part = rest.split('"summary":', 1)
    file_fields, finding_fields = file_part.split('"findings": [', 1)
    result = CliRunner().invoke(app, ["check", str(ROOT / "samples" / "2025" / "市住房和城乡建设局.xlsx"), "--format", "json"])
    out = json.loads(result.output)
    entry = out["files"][0]
    assert _names(top) == ["version"] and out["version"] == 1
    assert [*_names(file_fields), "findings"] == list(entry)
    assert _names(finding_fields) == list(entry["findings"][0])
    assert _names(summary_part) == list(out["summary"])
    assert [*_names(top), "files", "summary"] == list(out)
