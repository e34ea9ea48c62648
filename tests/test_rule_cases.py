"""Every rule's case file (qtx_report/rules/cases/<CODE>.toml): quiet on its clean report, and its
change makes exactly the expected findings. The same files are the examples in docs/rules.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from qtx_report import synth
from qtx_report.model.findings import CODES
from qtx_report.rules.casebook import load_cases, parse_case
from qtx_report.rules.catalogue import OTHER_OWNERS, claims
from qtx_report.rules.registry import RULES, validate

CASES = load_cases()
RULE_CODES = [code for rule in RULES for code in rule.codes]


@pytest.mark.parametrize("code", sorted(CASES))
def test_clean_case_is_quiet(code: str) -> None:
    case = CASES[code]
    loaded, previous = case.loaded(synth.report, fire=False)
    if CODES[code].needs_previous:
        assert previous is not None, "a rule that reads last year's report is quiet without one: say [clean.previous]"
    assert [f.code for f in validate(loaded, previous)] == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_fire_case_fires(code: str) -> None:
    case = CASES[code]
    found = validate(*case.loaded(synth.report, fire=True))
    mine = [f for f in found if f.code == code]
    assert len(mine) == case.expect_count, [f.message for f in mine]
    if case.expect_cells is not None:
        assert [".".join(f.key) if f.key else "" for f in mine] == list(case.expect_cells)
    assert all(case.expect_message in f.message for f in mine), [f.message for f in mine]
    assert {f.code for f in found} - {code} == set(case.expect_also)


def test_every_rule_code_has_a_case_file() -> None:
    assert sorted(CASES) == sorted(RULE_CODES)


def test_every_code_has_exactly_one_owner() -> None:
    assert {code: claims(code) for code in CODES if len(claims(code)) != 1} == {}


def source_of(module: str) -> str:
    """A module's source, or every module's of a package."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, f"no module {module}"
    origin = Path(spec.origin)
    paths = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
    return "".join(p.read_text(encoding="utf-8") for p in paths)


def test_rule_codes_are_in_the_catalogue_and_emitted_by_their_rule() -> None:
    for rule in RULES:
        source = source_of(rule.check.__module__)
        for code in rule.codes:
            assert code in CODES
            assert f'"{code}"' in source, f"{code}: not in {rule.owner}"


def test_other_owners_emit_their_codes() -> None:
    """The owner table is data; hold it to the source, so a code moved elsewhere cannot stay listed here."""
    for key, module in OTHER_OWNERS.items():
        assert not module.startswith("qtx_report.rules"), f"{key}: a rule's code belongs in RULES"
        source = source_of(module)
        owned = [code for code in CODES if code.startswith(key)]
        assert owned, f"{key} owns no code"
        assert [code for code in owned if f'"{code}"' not in source] == [], module


def test_case_files_ship_inside_the_package() -> None:
    import qtx_report.rules

    folder = Path(qtx_report.rules.__file__).parent / "cases"
    assert sorted(p.stem for p in folder.glob("[A-Z][0-9][0-9][0-9].toml")) == sorted(CASES)


@pytest.mark.parametrize("data", [
    {"description": "x", "fire": {"sett": [], "expect_count": 1}},  # a misspelt key is not silently ignored
    {"description": "x", "fire": {"set": [["section2", "licensing", "decisions", 1]]}},  # no expect_count
    {"description": "x", "fire": {"report_date": "2026-01-20", "expect_count": 1}},  # a string, not a date
    {"description": "x", "fire": {"expect_count": 1}},  # changes nothing
    {"description": "x", "fire": {"blank": [["section2", "licensing", "decisions"]], "expect_count": 2,
                                  "expect_cells": ["section2.licensing.decisions"]}},
    {"description": "x", "fire": {"outline": [["一、", "总体情况"]], "expect_count": 1}},  # no section named
    {"description": "x", "fire": {"outline": [["一、", "总体情况", "summary"]], "expect_count": 1}},  # no such section
    {"description": "x", "clean": {"outline": "official"}, "fire": {"other": "", "expect_count": 1}},  # not a list
], ids=["unknown key", "no count", "date as text", "no change", "cells and count disagree", "outline row too short",
        "outline section unknown", "outline not a list"])
def test_a_malformed_case_file_is_refused(data: dict) -> None:
    with pytest.raises(ValueError):
        parse_case("X000", data, {})
