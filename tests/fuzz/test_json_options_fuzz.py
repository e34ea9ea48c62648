"""Generated hostile inputs for the report JSON and for every command's option values, run through
the real command line (`harness.run_cli`: exit 0, 1 or 2, no traceback, a Chinese message on exit 2,
the input untouched, bounded in time and memory).

JSON documents start from a valid report and have keys dropped or renamed and values replaced by
text, booleans, lists, objects, huge or deep literals; option values are drawn from what people
mistype (dates, years, counts, words, things that look like options).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from qtx_report import synth
from qtx_report.form.editions import EDITIONS, GRID_SECTIONS
from qtx_report.model.findings import InputError
from qtx_report.model.report import grid_keys
from qtx_report.read.json_report import read_json

from .harness import SAMPLES, Outcome, run_cli

CLICK_ENGLISH = ("Usage:", "Error:", "Invalid value", "Missing argument", "Missing option", "No such", "Try '")
PYDANTIC_ENGLISH = ("Input should", "Field required", "Extra inputs", "validation error")
REPORT = SAMPLES / "2025" / "市自然资源局.xlsx"

# Literals json.dumps cannot write, put in by replacing a placeholder string in the dumped text.
_LITERALS = {
    "@@DIGITS@@": "9" * 5000,
    "@@EXPONENT@@": "-1e999",
    "@@DEEP@@": "[" * 3000 + "]" * 3000,
    "@@LONG@@": json.dumps("长" * 150_000),
    "@@NAN@@": "NaN",
}
_TOP_FIELDS = ("schema_version", "agency", "year", "edition", "report_date", "contact_person", "contact_phone",
               "overview", "problems", "other", *GRID_SECTIONS)


def _paths() -> list[tuple[str, ...]]:
    """Every place in a report JSON of either edition: fields, grid rows, cells."""
    found = {(name,) for name in _TOP_FIELDS}
    for name in EDITIONS:
        for grid, rows in grid_keys(name).items():
            for row, columns in rows.items():
                found |= {(grid, row), *((grid, row, column) for column in columns)}
    return sorted(found)


values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["十二", "12件", "—", "１２", " 5 ", "3.5", "-2", "2025", "2025-13-01", "2021"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.sampled_from(sorted(_LITERALS)),
)
how = st.sampled_from(["drop", "drop", "replace", "replace", "replace", "rename"])  # most edits keep a report readable
edits = st.lists(st.tuples(st.sampled_from(_paths()), how, values), max_size=6)
documents = st.tuples(st.sampled_from(EDITIONS), st.integers(0, 3), edits, st.sampled_from(["object"] * 9 + ["other"]),
                      values)


def _edited(edition_name: str, seed: int, changes: list[tuple[tuple[str, ...], str, Any]]) -> dict[str, Any]:
    doc = synth.report("青铜峡市测试局", 2025, edition_name, seed, size=2).model_dump(mode="json")
    for path, how, value in changes:
        parent: Any = doc
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue  # an earlier change replaced what held this place
        key = path[-1]
        if how == "drop":
            parent.pop(key, None)
        elif how == "rename" and key in parent:
            parent[key + "_"] = parent.pop(key)
        else:
            parent[key] = value
    return doc


def _text(document: tuple[str, int, list[Any], str, Any]) -> str:
    edition_name, seed, changes, top, other = document
    text = json.dumps(_edited(edition_name, seed, changes) if top == "object" else other, ensure_ascii=False)
    for placeholder, literal in _LITERALS.items():
        text = text.replace(json.dumps(placeholder), literal)
    return text


def _no_english(outcome: Outcome, words: tuple[str, ...]) -> None:
    shown = outcome.stdout + outcome.stderr
    assert not any(word in shown for word in words), shown[-2000:]


@given(documents)
def test_the_reader_reads_or_refuses(document: tuple[str, int, list[Any], str, Any]) -> None:
    """In process, so many documents are cheap: a report with complete grids, or an InputError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.json"
        path.write_text(_text(document), encoding="utf-8")
        try:
            loaded = read_json(path)
        except InputError as err:
            assert not any(word in err.message for word in PYDANTIC_ENGLISH), err.message
            assert len(err.message) < 6000
            return
        for grid, rows in grid_keys(loaded.report.edition).items():
            assert all(set(getattr(loaded.report, grid)[row]) == set(columns) for row, columns in rows.items())


@given(documents, st.sampled_from(["check", "export", "build"]))
def test_hostile_json_through_the_command_line(document: tuple[str, int, list[Any], str, Any], command: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "报告.json"
        path.write_text(_text(document), encoding="utf-8")
        args = {"check": ("check", str(path)), "export": ("export", str(path), "-o", str(Path(folder) / "out.json")),
                "build": ("build", str(path), "-o", str(Path(folder) / "out.docx"), "--force")}[command]
        outcome = run_cli(*args, inputs=(path,))
        _no_english(outcome, PYDANTIC_ENGLISH + CLICK_ENGLISH)


option_values = st.one_of(
    st.sampled_from(["02-29", "04-31", "13-01", "1-1-1", "abc", "9999-12-31", "0", "-1", "1900", "99999", "100000",
                     "2025", "01-15", "2024-12-20", "", "2021", "2019", "json", "--help", "-o", "1e3", "２０２５", "十二"]),
    st.integers(-10**6, 10**6).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
# Each command with inputs that keep a run short whatever the value: a missing file, an empty folder.
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "template": (("template", "{out}/t.xlsx"), ("--year", "--edition", "--agency")),
    "check": (("check", str(REPORT)), ("--city-deadline", "--law-deadline", "--format", "--previous")),
    "export": (("export", str(REPORT), "-o", "{out}/r.json"), ("--output",)),
    "city": (("city", "{out}/空"), ("--year", "--jobs", "--city-deadline", "--roster")),
    "tally": (("tally", "{out}/台账.xlsx"), ("--year", "--edition", "--agency")),
    "ledger-status": (("ledger-status", "{out}/台账.xlsx"), ("--today",)),
    "build": (("build", "{out}/无.json"), ("--output", "--template")),
    "rules": (("rules",), ("--markdown",)),
}


@given(st.sampled_from(sorted(COMMANDS)), st.data())
def test_option_values_for_every_command(command: str, data: st.DataObject) -> None:
    base, options = COMMANDS[command]
    chosen = data.draw(st.lists(st.tuples(st.sampled_from(options), option_values), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "空").mkdir()
        args = [part.format(out=folder) for part in base]
        for option, value in chosen:
            args += [option, value]
        outcome = run_cli(*args, cwd=Path(folder), inputs=(REPORT,))  # relative outputs land in the folder
        if outcome.code == 2:
            _no_english(outcome, CLICK_ENGLISH)
