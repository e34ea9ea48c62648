"""The season's one interface (`season.model.SeasonStore`): the same contract tests against the
intake folder, SQLite and PostgreSQL; then what only a database promises (one transaction per
submit, version numbers safe under concurrency, the migrated schema as the tables say)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qtx_report.api import check_file
from qtx_report.city.compile import compile_city
from qtx_report.city.receipts import INVALID, LOG_NAME, PASSED, UNREADABLE, read_log
from qtx_report.city.reviews import CONFIRM, DISMISS, REVIEWS_FILE, Review, finding_fingerprints, read_kept
from qtx_report.city.roster import Roster, agency_key, read_roster
from qtx_report.city.status import STATES
from qtx_report.cli.app import app
from qtx_report.model.findings import InputError
from qtx_report.rules.base import Options
from qtx_report.season.database import open_database
from qtx_report.season.export import ROSTER_NAME
from qtx_report.season.folder import FolderStore
from qtx_report.season.model import SeasonStore, Upload
from qtx_report.season.sql import SqlStore
from qtx_report.season.tables import metadata, versions

from .helpers import balanced, set_cell, write_filled
from .season_db import postgres_url, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
ROSTER = read_roster(ROOT / "samples" / "名单.xlsx")
HOUSING, EDUCATION, FINANCE = "青铜峡市住房和城乡建设局", "青铜峡市教育局", "青铜峡市财政局"
DAY = datetime(2026, 1, 12, 9, 30)

Make = Callable[[int], SeasonStore]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A passing workbook, the same with a balance error, another agency's, and a damaged file."""
    base = tmp_path_factory.mktemp("sent")
    report = balanced(agency=HOUSING)
    good, broken = base / "住建局2025年报.xlsx", base / "住建局2025年报_初稿.xlsx"
    write_filled(good, report)
    shutil.copy(good, broken)
    set_cell(broken, "section3", "granted", "natural", report.section3["granted"]["natural"] + 5)
    finance = base / "财政局.xlsx"
    write_filled(finance, balanced(agency=FINANCE))
    corrupt = base / "市教育局.xlsx"
    corrupt.write_bytes(b"not a workbook at all")
    return {"good": good, "broken": broken, "finance": finance, "corrupt": corrupt}


def _upload(path: Path, when: datetime = DAY, name: str | None = None, agency: str | None = None) -> Upload:
    return Upload(name or path.name, path.read_bytes(), when, agency)


@pytest.fixture(params=["folder", "sqlite", "postgresql"])
def make(request, tmp_path) -> Iterator[Make]:
    """Stores of one season each, by year; all of one kind and, for SQL, in one database."""
    if request.param == "folder":
        yield lambda year: FolderStore(tmp_path / f"报送材料{year}", year)
        return
    engines: list[sa.Engine] = []

    def opened(url: str) -> Make:
        engine = open_database(url, tmp_path)
        engines.append(engine)
        return lambda year: SqlStore(engine, year)

    try:
        if request.param == "sqlite":
            yield opened(sqlite_url(tmp_path))
        else:
            with postgres_url() as url:
                try:
                    yield opened(url)
                finally:
                    engines.pop().dispose()
    finally:
        for engine in engines:
            engine.dispose()


@pytest.fixture
def store(make) -> SeasonStore:
    season = make(2025)
    season.load_roster(ROSTER)
    return season


# ---------------------------------------------------------------- the contract


def test_a_passing_workbook_is_v1_of_its_agency(store, files):
    sent = store.submit(_upload(files["good"]))
    v = sent.version
    assert (sent.new, sent.known) == (True, True)
    assert (v.key, v.number, v.state, v.year, v.receipt.agency) == (agency_key(HOUSING), 1, PASSED, 2025, HOUSING)
    assert (v.receipt.received, v.receipt.original, v.receipt.format) == (DAY, files["good"].name, "xlsx")
    assert v.receipt.errors == 0 and v.receipt.stored.endswith("/v1_住建局2025年报.xlsx")
    assert store.versions() == [v] == store.versions(v.key)
    assert store.version(v.key, 1) == v and store.version(v.key, 2) is None
    assert store.latest() == {v.key: v}


def test_an_imbalance_keeps_its_findings_with_sheet_and_cell(store, files):
    v = store.submit(_upload(files["broken"])).version
    expected = check_file(files["broken"], None, Options()).findings
    assert v.state == INVALID and v.receipt.errors == sum(f.severity == "error" for f in expected) > 0
    assert [(f.code, f.sheet, f.cell, f.expected, f.actual) for f in v.findings] == \
        [(f.code, f.sheet, f.cell, f.expected, f.actual) for f in expected]
    balance = [f for f in v.findings if f.code.startswith("B4")]
    assert balance and all(f.sheet and f.cell for f in balance)
    assert all(f.file == files["broken"].name for f in v.findings)
    assert store.version(v.key, 1).findings == v.findings  # read back equal, places typed as they were
    assert store.versions()[0] == v


def test_a_corrupt_file_is_kept_as_unreadable_with_the_message_check_gives(store, files, tmp_path):
    v = store.submit(_upload(files["corrupt"])).version
    out = CliRunner().invoke(app, ["check", str(files["corrupt"])]).output
    assert v.state == UNREADABLE and v.year is None and v.receipt.agency == EDUCATION
    assert v.message and v.message in out
    assert v.message == check_file(files["corrupt"], None, Options()).findings[0].message
    assert store.content(v.key, 1) == files["corrupt"].read_bytes()


def test_an_identical_resubmission_is_no_new_version(store, files):
    first = store.submit(_upload(files["good"])).version
    again = store.submit(_upload(files["good"], DAY.replace(hour=15), name="住建局（再次报送）.xlsx"))
    assert not again.new and again.version.number == 1 and "与 v1 相同" in again.version.receipt.note
    assert again.version.receipt.received == DAY.replace(hour=15)
    assert store.versions() == [first] and store.latest()[first.key] == first


def test_versions_are_numbered_per_agency_and_the_latest_is_the_last(store, files):
    v1 = store.submit(_upload(files["broken"])).version
    f1 = store.submit(_upload(files["finance"], DAY.replace(hour=10))).version
    v2 = store.submit(_upload(files["good"], DAY.replace(hour=11))).version
    assert (v1.number, f1.number, v2.number) == (1, 1, 2) and v1.key == v2.key != f1.key
    assert [(v.key, v.number) for v in store.versions()] == sorted([(v1.key, 1), (v1.key, 2), (f1.key, 1)])
    assert [v.number for v in store.versions(v1.key)] == [1, 2]
    assert store.latest() == {v1.key: v2, f1.key: f1}
    assert store.latest_receipts() == {v1.key: v2.receipt, f1.key: f1.receipt}
    assert store.first_received() == {v1.key: v1.receipt.received, f1.key: f1.receipt.received}
    assert store.version(v1.key, 1) == v1


def test_the_content_comes_back_byte_for_byte(store, files):
    a = store.submit(_upload(files["broken"])).version
    b = store.submit(_upload(files["good"])).version
    assert store.content(a.key, 1) == files["broken"].read_bytes()
    assert store.content(b.key, 2) == files["good"].read_bytes()
    with pytest.raises(InputError):
        store.content(a.key, 3)


def test_an_agency_logged_in_files_under_its_own_key(store, files):
    """A logged-in agency's upload is its own, whatever name the report gives."""
    finance = agency_key(FINANCE)
    v = store.submit(_upload(files["good"], agency=finance)).version
    assert (v.key, v.receipt.agency) == (finance, FINANCE) and HOUSING in v.receipt.note
    assert [x.key for x in store.versions()] == [finance]


def test_review_decisions_are_added_replaced_and_read_back(store, files):
    v = store.submit(_upload(files["broken"])).version
    prints = finding_fingerprints(v.receipt.agency, v.findings)
    first = Review(prints[0], DISMISS, "已电话核实，系录入笔误", "张三", "2026-01-13", v.findings[0].code, HOUSING,
                   v.findings[0].message, v.receipt.original)
    other = Review(prints[1], CONFIRM, code=v.findings[1].code, agency=HOUSING)
    store.decide(first)
    store.decide(other)
    assert store.reviews() == {first.fingerprint: first, other.fingerprint: other}
    changed = replace(first, decision=CONFIRM, reason="", reviewer="李四")
    store.decide(changed)
    assert store.reviews() == {first.fingerprint: changed, other.fingerprint: other}


def test_the_roster_is_loaded_and_read_back(make):
    season = make(2025)
    assert season.roster().agencies == ()
    season.load_roster(ROSTER)
    assert season.roster().agencies == ROSTER.agencies
    smaller = Roster(ROSTER.agencies[:3], "新名单.xlsx")
    season.load_roster(smaller)
    assert season.roster().agencies == smaller.agencies


def test_an_export_compiles_to_the_statuses_the_store_shows(store, files, tmp_path):
    store.submit(_upload(files["broken"], DAY))
    store.submit(_upload(files["good"], DAY.replace(day=20)))  # v2 after the deadline: v1 came in time
    store.submit(_upload(files["finance"], DAY.replace(day=14)))
    store.submit(_upload(files["corrupt"], DAY.replace(day=13)))
    store.submit(_upload(files["finance"], DAY.replace(day=15), name="财政局（重发）.xlsx"))
    finance = store.latest()[agency_key(FINANCE)]
    decision = Review(finding_fingerprints(FINANCE, finance.findings)[0], CONFIRM, code=finance.findings[0].code,
                      agency=FINANCE)
    store.decide(decision)
    out = tmp_path / "导出"
    store.export(out)
    assert read_log(out).receipts and len(read_log(out).receipts) == 5
    assert read_kept(out / REVIEWS_FILE) == store.reviews()
    compiled = compile_city(out, roster=read_roster(out / ROSTER_NAME), jobs=1, reviews=read_kept(out / REVIEWS_FILE))
    try:
        rows = {agency_key(r.agency): r for r in compiled.rows if r.state != "missing"}
    finally:
        compiled.spool.close()
    latest = store.latest()
    assert set(rows) == set(latest)
    for key, v in latest.items():
        assert (STATES[rows[key].state], rows[key].version, rows[key].received) == (v.state, v.number, v.receipt.received)
    assert rows[agency_key(HOUSING)].deadline == "on_time"  # by its first version's receipt
    assert len(compiled.missing) == len(ROSTER.agencies) - 3
    store.export(out)  # an earlier export is replaced whole
    assert len(read_log(out).receipts) == 5


def test_an_export_never_replaces_a_folder_of_other_files(store, files, tmp_path):
    store.submit(_upload(files["good"]))
    papers = tmp_path / "我的文件"
    papers.mkdir()
    (papers / "笔记.txt").write_text("重要", encoding="utf-8")
    with pytest.raises(InputError):
        store.export(papers)
    assert [p.name for p in papers.iterdir()] == ["笔记.txt"]
    assert not (papers / LOG_NAME).exists()


def test_the_years_are_kept_apart(make, files):
    last, this = make(2024), make(2025)
    this.load_roster(ROSTER)
    v = this.submit(_upload(files["good"])).version
    this.decide(Review(finding_fingerprints(HOUSING, v.findings)[0] if v.findings else "0" * 16, CONFIRM,
                       code="B401", agency=HOUSING))
    assert last.versions() == [] and last.latest() == {} and last.reviews() == {}
    assert last.roster().agencies == () and last.version(v.key, 1) is None
    assert this.versions() == [v]
    w = last.submit(_upload(files["broken"])).version
    assert w.number == 1 and this.latest() == {v.key: v} and last.latest() == {w.key: w}


# ---------------------------------------------------------------- what only a database promises


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        opened = open_database(sqlite_url(tmp_path), tmp_path)
        yield opened
        opened.dispose()
        return
    with postgres_url() as url:
        opened = open_database(url, tmp_path)
        yield opened
        opened.dispose()


def test_a_submit_that_fails_half_way_leaves_no_version(engine, files, monkeypatch):
    season = SqlStore(engine, 2025)
    season.load_roster(ROSTER)

    def crash(*_args: object) -> None:
        raise RuntimeError("killed after the version row was written")

    monkeypatch.setattr(SqlStore, "_record", crash)
    with pytest.raises(RuntimeError):
        season.submit(_upload(files["good"]))
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar_one() == 0
    assert season.versions() == []
    monkeypatch.undo()
    assert season.submit(_upload(files["good"])).version.number == 1


def test_concurrent_submits_all_land_with_their_own_numbers(engine, files):
    """Agencies at once, and one agency's many files at once: every file a version, no number twice."""
    season = SqlStore(engine, 2025)
    season.load_roster(ROSTER)
    agencies = [a.key for a in ROSTER.agencies[:6]]
    jobs = [(key, b"%d" % n) for key in agencies for n in range(2)]  # two versions each, all at once
    jobs += [(agencies[0], b"same agency %d" % n) for n in range(6)]
    start = threading.Barrier(len(jobs))
    results, failures = [], []

    def send(key: str, content: bytes) -> None:
        start.wait()
        try:
            results.append(season.submit(Upload("报告.xlsx", content + key.encode(), DAY, key)))
        except Exception as err:
            failures.append(err)

    threads = [threading.Thread(target=send, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and all(r.new for r in results)
    numbers: dict[str, list[int]] = {}
    for r in results:
        numbers.setdefault(r.version.key, []).append(r.version.number)
    assert {key: sorted(n) for key, n in numbers.items()} == \
        {key: list(range(1, 9 if key == agencies[0] else 3)) for key in agencies}
    assert len(season.versions()) == len(jobs)


def test_restarting_loses_nothing(tmp_path, files):
    url = sqlite_url(tmp_path)
    first = open_database(url, tmp_path)
    season = SqlStore(first, 2025)
    season.load_roster(ROSTER)
    v = season.submit(_upload(files["broken"])).version
    first.dispose()
    again = open_database(url, tmp_path)
    try:
        assert SqlStore(again, 2025).versions() == [v] and SqlStore(again, 2025).roster().agencies == ROSTER.agencies
    finally:
        again.dispose()


def test_the_migrated_schema_is_the_one_the_tables_describe(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_the_default_database_is_a_sqlite_file_in_wal_mode(tmp_path):
    engine = open_database(None, tmp_path)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (tmp_path / "qtx-report.db").is_file()
    finally:
        engine.dispose()


def test_an_unreachable_database_is_a_clear_message(tmp_path):
    with pytest.raises(InputError, match="无法连接"):
        open_database("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    with pytest.raises(InputError, match="数据库地址"):
        open_database("nosuchdb://x", tmp_path)


def test_a_database_that_refuses_the_tables_is_a_clear_message(tmp_path):
    with postgres_url() as url, pytest.raises(InputError, match="无法连接或升级数据库"):
        open_database(url.replace("search_path%3Dqtx_test_", "search_path%3Dnone_such_"), tmp_path)
