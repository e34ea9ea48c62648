"""Golden outputs: what the commands print and write, compared with committed files.

These pin the product's behaviour through the public command line only, so the code behind it can
be rearranged with confidence. After an intended change of output, regenerate with
`QTX_UPDATE_GOLDEN=1 bash scripts/test.sh tests/test_golden.py` and review the diff.

Office files carry the time they were written (zip entries, docProps/core.xml); they are compared
after those stamps are fixed, part by part, so a difference names the part that changed.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("QTX_UPDATE_GOLDEN") == "1"
COMMANDS = ("template", "check", "schema", "export", "rules", "build", "intake", "city", "compare", "tally", "ledger-status")
_STAMP = "2000-01-01T00:00:00Z"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "qtx_report", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def expect(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.is_file(), f"no golden file {name}: run with QTX_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_bytes(), f"{name} differs from its golden file"


def office_parts(data: bytes) -> dict[str, bytes]:
    """Each part of a .docx/.xlsx, with the write time in the document properties fixed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    core = "docProps/core.xml"
    if core in parts:
        parts[core] = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _STAMP.encode(), parts[core])
    return parts


def expect_office(name: str, data: bytes) -> None:
    for part, content in office_parts(data).items():
        expect(f"{name}/{part}", content)
    if not UPDATE:
        stored = {p.relative_to(GOLDEN / name).as_posix() for p in (GOLDEN / name).rglob("*") if p.is_file()}
        assert stored == set(office_parts(data)), f"{name}: the set of parts changed"


def _stable_help(text: str) -> str:
    # `template --year` defaults to last year, which moves with the calendar.
    return text.replace(f"[default: {date.today().year - 1}]", "[default: LAST-YEAR]")


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_help(command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    expect(f"help/{command or 'root'}.txt", _stable_help(result.stdout).encode())


@pytest.mark.parametrize("output", ("text", "json", "github"))
def test_check_samples(output: str) -> None:
    result = cli("check", "samples/2025", "--previous", "samples/2024", "--format", output)
    assert result.returncode == 1, result.stderr
    expect(f"check/samples.{output}", (result.stdout + "--- stderr\n" + result.stderr).encode())


@pytest.mark.parametrize("args", (("rules",), ("rules", "--markdown"), ("schema",)), ids=" ".join)
def test_catalogue_and_schema(args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    expect(f"{'_'.join(a.strip('-') for a in args)}.txt", result.stdout.encode())


def test_build(tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    result = cli("build", "samples/2025/市自然资源局.xlsx", "-o", str(out), "--html")
    assert result.returncode == 0, result.stderr
    expect_office("build/docx", out.read_bytes())
    expect("build/report.html", out.with_suffix(".html").read_bytes())


def test_build_refused_and_forced(tmp_path: Path) -> None:
    source = "samples/2025/市住房和城乡建设局.xlsx"  # a sample with deliberate errors
    refused = cli("build", source, "-o", str(tmp_path / "a.docx"))
    assert refused.returncode == 1
    forced = cli("build", source, "-o", str(tmp_path / "b.docx"), "--force")
    assert forced.returncode == 0, forced.stderr
    expect("build/refused.stderr", refused.stderr.replace(str(tmp_path), "OUT").encode())
    expect_office("build/draft_docx", (tmp_path / "b.docx").read_bytes())


def test_template(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = cli("template", str(out), "--agency", "青铜峡市测试局", "--year", "2025")
    assert result.returncode == 0, result.stderr
    expect_office("template/xlsx", out.read_bytes())


def test_city(tmp_path: Path) -> None:
    out = tmp_path / "2025全市"
    result = cli("city", "samples/2025", "--roster", "samples/名单.xlsx", "--previous", "samples/2024",
                 "-o", str(out), "--jobs", "1")
    assert result.returncode == 1, result.stderr
    expect("city/stdout.txt", result.stdout.replace(str(tmp_path), "OUT").encode())
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expect("city/files.txt", "\n".join(written).encode())
    for name in written:
        data = (out / name).read_bytes()
        if name.endswith((".xlsx", ".docx")):
            expect_office(f"city/{name}", data)
        else:
            expect(f"city/{name}", data)
