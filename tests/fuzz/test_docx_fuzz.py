"""Mutated real Word reports, and workbooks and JSON with hostile agency names and texts, built
through the real command line (`harness.run_cli`: exit 0, 1 or 2, no traceback, a Chinese message
on exit 2, the input untouched, bounded in time and memory; `wordfile.build`: the output exists
exactly when the build succeeded, and then every XML part of it parses).

The Word report is the sample workbook as `build` writes it. Each seeded generator changes it one
way: document.xml's attributes (spans, merges, any w:val), its text, its structure (elements
deleted, repeated, moved, renamed), or the zip itself (truncated, bytes flipped, parts dropped or
replaced). Seeds make every case reproducible: `pytest -k "structure and 7"`.
"""

from __future__ import annotations

import json
import random
import re
import zipfile
from copy import deepcopy
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from qtx_report.form.editions import META_SHEET, TEXT_SHEET
from qtx_report.model.text import MAX_NAME_BYTES

from ..helpers import balanced
from .harness import SEEDED_CASES, damaged_bytes, run_cli
from .wordfile import DOCUMENT, SAMPLE, W_NS, build, built_report, parts, zipped

W = f"{{{W_NS}}}"
HOSTILE_VALUES = ("", "abc", "-1", "0", "1", "2", "63", "64", "99999999", "9" * 5000, "1e9", " 3 ", "٣", "0x10",
                  "restart", "continue", "nil", "-99999999", "+2", "²")
TABLE_ATTRIBUTES = ("gridSpan", "gridBefore", "gridAfter", "vMerge", "hMerge")
HOSTILE_TEXTS = ("１２件", "—", "1e308", "-0", "NaN", "inf", "9" * 400, "1,234", "12.5%", "一、总体情况",
                 "三、收到和处理政府信息公开申请情况", "青铜峡市某局2025年政府信息公开工作年度报告", "2026年13月40日",
                 "\u2028", "\u200b\ufeff\u202e", "😀" * 50, "e\u0301" * 20, "_x0007_", "&amp;<>\"'", "\t\n\n")
STRUCTURE_TAGS = ("tbl", "tr", "tc", "p", "r", "t", "tcPr", "trPr", "sdt", "tblGrid", "body")


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return built_report(tmp_path_factory.mktemp("built"))


def _tree(data: bytes):
    return etree.fromstring(parts(data)[DOCUMENT])


def _with_tree(data: bytes, root) -> bytes:
    return zipped({**parts(data), DOCUMENT: etree.tostring(root, xml_declaration=True, encoding="UTF-8")})


def mutate_attributes(rng: random.Random, data: bytes) -> bytes:
    root = _tree(data)
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.6:  # most of the time, the attributes that shape a table's grid
            holders = root.findall(f".//{W}tcPr") + root.findall(f".//{W}trPr")
            holder = rng.choice(holders)
            element = etree.SubElement(holder, f"{W}{rng.choice(TABLE_ATTRIBUTES)}")
        else:
            element = rng.choice([e for e in root.iter() if e.get(f"{W}val") is not None])
        element.set(f"{W}val", rng.choice(HOSTILE_VALUES))
    return _with_tree(data, root)


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    root = _tree(data)
    texts = root.findall(f".//{W}t")
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        if choice < 0.1:
            text = "很长的正文" * rng.randint(1000, 20_000)
        elif choice < 0.2:
            text = "\n".join("行" for _ in range(rng.randint(100, 3000)))
        else:
            text = rng.choice(HOSTILE_TEXTS)
        rng.choice(texts).text = text
    return _with_tree(data, root)


def mutate_structure(rng: random.Random, data: bytes) -> bytes:
    root = _tree(data)
    for _ in range(rng.randint(1, 4)):
        found = root.findall(f".//{W}{rng.choice(STRUCTURE_TAGS)}")
        if not found:
            continue
        element, how = rng.choice(found), rng.choice(("delete", "repeat", "move", "rename", "wrap"))
        parent = element.getparent()
        if how == "delete" and parent is not None:
            parent.remove(element)
        elif how == "repeat" and parent is not None:
            for _ in range(rng.choice((1, 2, 50, 1200))):
                parent.insert(parent.index(element), deepcopy(element))
        elif how == "move" and parent is not None:
            target = rng.choice(list(root.iter()))
            if element not in target.iterancestors() and target is not element:
                target.append(element)
        elif how == "rename":
            element.tag = f"{W}{rng.choice(STRUCTURE_TAGS)}"
        elif how == "wrap" and parent is not None:
            at = parent.index(element)
            sdt = etree.Element(f"{W}sdt")
            etree.SubElement(sdt, f"{W}sdtContent").append(element)
            parent.insert(at, sdt)
    return _with_tree(data, root)


def mutate_zip(rng: random.Random, data: bytes) -> bytes:
    files = parts(data)
    how = rng.choice(("truncate", "flip", "drop", "replace", "raw", "encoding"))
    if how in ("truncate", "flip"):
        return damaged_bytes(rng, data, how)
    name = rng.choice(sorted(files))
    if how == "drop":
        del files[name]
    elif how == "replace":
        files[name] = rng.choice((b"", b"<x/>", bytes(rng.randrange(256) for _ in range(200)), files[DOCUMENT]))
    elif how == "raw":  # what no XML parser takes: a control character as a reference, a lone <
        xml = files[DOCUMENT].decode("utf-8")
        at = [m.end() for m in re.finditer(r"<w:t(?: [^>]*)?>", xml)]
        spot = rng.choice(at)
        files[DOCUMENT] = (xml[:spot] + rng.choice(("&#7;", "&#0;", "<", "&nosuch;", "]]>")) + xml[spot:]).encode()
    else:
        files[DOCUMENT] = files[DOCUMENT].decode("utf-8").encode(rng.choice(("utf-16", "gb18030", "utf-8-sig")))
    return zipped(files)


GENERATORS = {"attributes": mutate_attributes, "text": mutate_text, "structure": mutate_structure,
              "zip": mutate_zip}


@pytest.mark.parametrize("seed", range(SEEDED_CASES))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_word_report_builds_or_is_refused(tmp_path: Path, report_docx: bytes, kind: str, seed: int) -> None:
    data = GENERATORS[kind](random.Random(f"{kind}-{seed}"), report_docx)
    outcome = build(tmp_path, data)
    if outcome.code == 0:
        assert_parts_parse(tmp_path / "out.docx")


def assert_parts_parse(docx: Path) -> None:
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))


# ---------------------------------------------------------------- hostile names and texts

_ODD = ["/", "\\", ":", "*", "?", '"', "<", ">", "|", ".", " ", "_", "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\u2028",
        "\u202e", "\ufeff", "\ufffe", "\ud800", "😀", "_x0007_", "_x001F_", "_xFFFE_", "_x0041_", "\t", "\r\n"]
pieces = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), st.sampled_from(_ODD))
names = st.one_of(st.lists(pieces, min_size=1, max_size=60).map("".join),
                  st.integers(200, 320).map(lambda n: "青铜峡市" + "局" * n))
texts = st.one_of(st.lists(pieces, max_size=200).map("".join),
                  st.integers(1, 3000).map(lambda n: "短行。\n" * n))


def excel_escaped(text: str) -> str:
    """How Excel stores what XML cannot hold: a control character as _xHHHH_; a lone surrogate,
    which cannot be stored at all, left out."""
    return "".join(f"_x{ord(c):04X}_" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" else c
                   for c in text if not "\ud800" <= c <= "\udfff")


def write_source(folder: Path, fmt: str, agency: str, contact: str, text: str) -> Path:
    if fmt == "json":
        path = folder / "报告.json"
        report = json.loads(balanced().model_dump_json())
        report.update(agency=agency, contact_person=contact, overview=text)
        path.write_text(json.dumps(report, ensure_ascii=True), encoding="utf-8")  # \ud800 as an escape
        return path
    book = openpyxl.load_workbook(SAMPLE)
    book[META_SHEET]["B2"], book[META_SHEET]["B6"] = excel_escaped(agency), excel_escaped(contact)
    book[TEXT_SHEET]["B2"] = excel_escaped(text)
    path = folder / "报告.xlsx"
    book.save(path)
    return path


@given(fmt=st.sampled_from(["json", "xlsx"]), agency=names, contact=names, text=texts)
def test_build_takes_any_agency_name_and_text(tmp_path_factory: pytest.TempPathFactory, fmt: str, agency: str,
                                              contact: str, text: str) -> None:
    folder = tmp_path_factory.mktemp("named")
    source = write_source(folder, fmt, agency, contact, text)
    outcome = run_cli("build", str(source), "--force", "--html", inputs=(source,))  # named by the agency
    made = sorted(p for p in folder.iterdir() if p != source)
    if outcome.code != 0:
        assert made == [], made
        return
    assert [p.suffix for p in made] == [".docx", ".html"], made
    docx = made[0]
    assert not re.search(r'[\x00-\x1f/\\:*?"<>|]', docx.name) and len(docx.name.encode()) <= MAX_NAME_BYTES
    assert_parts_parse(docx)
