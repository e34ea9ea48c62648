"""Intake: each file an agency sends is checked, filed under its agency in the intake folder as a
new version (`v1_原文件名`, `v2_…`) and recorded in the receipt log (`city.receipts`) with the time
it came in, so `city` can use each agency's latest version and judge lateness by the receipt.

What is received is never refused silently and never lost: a file that cannot be read is stored
and logged as 无法读取, one of no known agency goes under `名单外/`, an identical copy of a version
already kept is logged without being stored twice. Nothing stored is ever overwritten, and the
input files are only read.

Order of writing: the files are stored first, each under its final name (`atomic_path`), then the
log once, atomically; if the log cannot be written, the files stored by this run are removed again.
Only a process killed between the two leaves stored files the log does not know: the next run
lists them, never writes over them, and records one when the same file is received again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath

from qtx_report.api import FileResult, check_file, expand
from qtx_report.city import receipts
from qtx_report.city.examine import Examined
from qtx_report.city.receipts import (
    INVALID,
    LOCK_NAME,
    LOG_NAME,
    PASSED,
    UNKNOWN_DIR,
    UNREADABLE,
    VERSIONED,
    Log,
    Receipt,
    check_log,
    file_format,
    read_log,
    sha256_of,
    unrecorded,
)
from qtx_report.city.roster import Roster, agency_key, key_of, short_name
from qtx_report.city.status import roster_match
from qtx_report.model.findings import Finding, InputError
from qtx_report.model.text import file_name
from qtx_report.read.source import source_file
from qtx_report.rules.base import Options
from qtx_report.write.files import atomic_path, exclusive

_NO_NAME = "（无法识别）"


@dataclass(frozen=True)
class Filed:
    """One input file as filed: its receipt row, and what became of it."""

    source: str  # the path as given
    receipt: Receipt
    stored: bool  # a new version kept (False: identical to one already kept)
    known: bool  # on the roster (always, without one)
    message: str = ""  # why it could not be read
    year: int | None = None  # the report's year (None when unreadable)
    findings: tuple[Finding, ...] = ()  # as `check` gives them

    @property
    def needs_attention(self) -> bool:
        return self.receipt.state != PASSED or not self.known


@dataclass(frozen=True)
class Intake:
    filed: tuple[Filed, ...]
    unrecorded: tuple[str, ...]  # stored files the log does not know, left as they are
    log: str


@dataclass(frozen=True)
class Owner:
    """Whose file it is, as intake files it."""

    name: str  # as the log records it
    key: str  # versions are numbered per key
    folder: str  # relative, posix
    known: bool
    note: str = ""


@dataclass(frozen=True)
class Examination:
    """One file checked as `check` checks it and matched to its agency: its receipt but for the
    version and where it is kept. The one way every store (the folder, a database) judges a file."""

    result: FileResult
    owner: Owner

    @property
    def state(self) -> str:
        return UNREADABLE if self.result.loaded is None else (INVALID if self.result.count("error") else PASSED)

    @property
    def message(self) -> str:
        """Why it could not be read, as `check` says it."""
        return self.result.findings[0].message if self.result.loaded is None and self.result.findings else ""

    @property
    def year(self) -> int | None:
        return self.result.loaded.report.year if self.result.loaded else None

    def receipt(self, original: str, received: datetime, digest: str) -> Receipt:
        return Receipt(self.owner.name, 0, received, digest, original, "", file_format(original), self.state,
                       self.result.count("error"), self.result.count("warning"))


def examine_file(path: Path, roster: Roster | None, options: Options, agency: str | None = None) -> Examination:
    """`agency`: the roster key of whose file it is (an agency logged in); None: recognised from
    the report as `city` recognises it."""
    result = check_file(path, None, options)
    owner = _agency_of(path, result, roster) if agency is None else _given_agency(agency, result, roster)
    return Examination(result, owner)


def identical(recorded: Iterable[Receipt], digest: str) -> Receipt | None:
    """The version already kept with this very content."""
    return next((r for r in recorded if r.sha256 == digest), None)


def identical_note(same: Receipt, recorded: list[Receipt]) -> str:
    return f"与 v{same.version} 相同，未重复存放" + _not_latest(same.version, recorded)


def version_name(agency_folder: str, original: str, version: int) -> str:
    """Where a version is kept, relative to the intake folder (posix): 自然资源局/v2_报告.xlsx."""
    suffix = PurePosixPath(original).suffix
    name = (file_name(original.removesuffix(suffix), 200) or "报告") + suffix  # room for vN_ in any file system
    return f"{agency_folder}/v{version}_{name}"


def intake(paths: Iterable[Path | str], folder: Path, *, roster: Roster | None = None,
           received: datetime | None = None, options: Options | None = None,
           now: Callable[[], datetime] = datetime.now, agency: str | None = None) -> Intake:
    """File every report in `paths` (files, or folders standing for the reports in them) into the
    intake `folder`, received at `received` (now when not given); `agency`: the roster key of
    whose files they are, when it is known (an agency logged in). An unusable log, roster or input
    path raises InputError before anything is written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(str(folder), "--into 应为收件文件夹，这里却是一个文件。")
    files = _inputs(paths, folder)
    roster = roster if roster and roster.source else None
    with exclusive(folder / LOCK_NAME, "该收件文件夹"):
        return _intake(files, folder, roster, (received or now()).replace(microsecond=0), options or Options(), agency)


def _intake(files: list[Path], folder: Path, roster: Roster | None, received: datetime, options: Options,
            agency: str | None) -> Intake:
    log = read_log(folder)
    run = _Run(folder, log, roster, received, options, unrecorded(folder, log), agency)
    check_log(folder, log, run.key)
    written: list[Path] = []
    try:
        for path in files:
            one, new_file = run.file(path)
            run.filed.append(one)
            written += [new_file] if new_file else []
            if one.receipt.stored in run.left:
                run.left.remove(one.receipt.stored)
        receipts.write_log(folder, log, [f.receipt for f in run.filed])
    except BaseException:
        for stored in written:  # the log does not record them: take them back
            stored.unlink(missing_ok=True)
        raise
    return Intake(tuple(run.filed), tuple(run.left), str(folder / LOG_NAME))


def _inputs(paths: Iterable[Path | str], folder: Path) -> list[Path]:
    given = [Path(p) for p in paths]
    files = expand(given)
    if not files:
        raise InputError(" ".join(map(str, given)) or ".", "没有找到要收件的报告文件。")
    log = (folder / LOG_NAME).resolve()
    for path in files:
        source_file(path, "报送文件")
        if path.resolve() == log:
            raise InputError(str(path), "这是收件登记表本身，不是报送的报告。")
    return files


@dataclass
class _Run:
    """One intake run: the log as read, and what this run has filed so far."""

    folder: Path
    log: Log
    roster: Roster | None
    when: datetime
    options: Options
    left: list[str]  # stored files the log does not know
    agency: str | None = None  # whose files they are, when known
    filed: list[Filed] = field(default_factory=list)

    def key(self, name: str) -> str:
        return key_of(self.roster)(name)

    def file(self, path: Path) -> tuple[Filed, Path | None]:
        """One file: recognised as a version already kept, recorded where a stopped run left it,
        or stored as the next version (then also returned, so a failed run can take it back)."""
        digest = sha256_of(path)
        seen = examine_file(path, self.roster, self.options, self.agency)
        agency = seen.owner
        recorded = [r for r in (*self.log.receipts, *(f.receipt for f in self.filed)) if self.key(r.agency) == agency.key]
        base = seen.receipt(path.name, self.when, digest)
        filed = partial(Filed, str(path), known=agency.known, message=seen.message, year=seen.year,
                        findings=seen.result.findings)
        notes = [agency.note]
        same = identical(recorded, digest)
        if same is not None:
            notes.append(identical_note(same, recorded))
            return filed(replace(base, version=same.version, stored=same.stored, note=_joined(notes)), False), None
        versions = {r.version for r in recorded}
        adopted = _left_behind(self.folder, agency.folder, self.left, digest, versions)
        if adopted is not None:
            notes.append("补登记：该文件上次收件时已存放，但登记表未写入（收件中断）" + _not_latest(adopted[0], recorded))
            return filed(replace(base, version=adopted[0], stored=adopted[1], note=_joined(notes)), True), None
        version, stored = _next_version(self.folder, agency.folder, path.name, versions, self.left)
        _store(path, self.folder / stored, digest)
        return filed(replace(base, version=version, stored=stored, note=_joined(notes)), True), self.folder / stored


def _not_latest(version: int, recorded: list[Receipt]) -> str:
    last = max((r.version for r in recorded), default=version)
    return f"（最新版本为 v{last}，汇总使用 v{last}）" if version < last else ""


def _agency_of(path: Path, result: FileResult, roster: Roster | None) -> Owner:
    """Whose file it is: matched on the roster as `city` matches (the report's name or alias, the
    file name when unreadable or unnamed); without a roster, the name the report gives."""
    loaded = result.loaded
    written = loaded.report.agency.strip() if loaded else ""
    if roster is None:
        name = written or path.stem
        note = "" if written else f"无法读取单位名称，按文件名记为“{name}”"
        return Owner(name, agency_key(name), _folder_name(name), True, note)
    record = Examined(path.name, written, loaded.report.year if loaded else None,
                      findings=result.findings if loaded else ())
    agency = roster_match(roster, record)
    if agency is not None:
        note = ""
        if not loaded or not written:
            note = f"按文件名判断为“{agency.name}”的报告"
        elif agency_key(written) != agency.key:
            note = f"报告中的单位名称为“{written}”"
        return Owner(agency.name, agency.key, _folder_name(agency.name), True, note)
    name = written or path.stem
    why = "不在名单中（名称或别名均不符）" if written else "无法从报告或文件名判断是名单中的哪个单位"
    return Owner(name, agency_key(name), f"{UNKNOWN_DIR}/{_folder_name(name)}", False,
                 f"{why}，存放在“{UNKNOWN_DIR}”文件夹")


def _given_agency(key: str, result: FileResult, roster: Roster | None) -> Owner:
    """The agency known to have sent the file (it logged in): the report's own name only noted."""
    written = result.loaded.report.agency.strip() if result.loaded else ""
    agency = roster.index.get(key) if roster else None
    name = agency.name if agency else (written if written and agency_key(written) == key else key)
    note = f"报告中的单位名称为“{written}”" if written and agency_key(written) != agency_key(name) else ""
    if roster is not None and agency is None:
        return Owner(name, key, f"{UNKNOWN_DIR}/{_folder_name(name)}", False,
                     _joined([note, f"不在名单中，存放在“{UNKNOWN_DIR}”文件夹"]))
    return Owner(name, agency.key if agency else key, _folder_name(name), True, note)


def _folder_name(name: str) -> str:
    return file_name(short_name(name), 120) or _NO_NAME


def _left_behind(folder: Path, agency_folder: str, left: list[str], digest: str,
                 versions: set[int]) -> tuple[int, str] | None:
    """A stored file of this agency the log does not know, with this very content and a version
    number still free: the same file, stored by a run that stopped before its log was written."""
    for rel in left:
        pure = PurePosixPath(rel)
        match = VERSIONED.match(pure.name)
        if (str(pure.parent) == agency_folder and match and int(match.group(1)) not in versions
                and sha256_of(folder / rel) == digest):
            return int(match.group(1)), rel
    return None


def _next_version(folder: Path, agency_folder: str, original: str, versions: set[int],
                  left: list[str]) -> tuple[int, str]:
    """The next version number, past every one recorded and every one a left-behind file holds,
    at a name nothing occupies."""
    held = {int(m.group(1)) for rel in left if str(PurePosixPath(rel).parent) == agency_folder
            and (m := VERSIONED.match(PurePosixPath(rel).name))}
    version = max(versions | held, default=0) + 1
    while True:
        stored = version_name(agency_folder, original, version)
        if not (folder / stored).exists():
            return version, stored
        version += 1


def _store(source: Path, target: Path, digest: str) -> None:
    """A copy of `source` at `target`, complete or not at all; never over an existing file."""
    copied = hashlib.sha256()
    with atomic_path(target, overwrite=False) as tmp, source.open("rb") as read, tmp.open("wb") as out:
        for chunk in iter(lambda: read.read(1 << 20), b""):
            copied.update(chunk)
            out.write(chunk)
        if copied.hexdigest() != digest:  # changed while it was being read: the log would lie about it
            raise InputError(str(source), "文件在收件过程中被改动了。请关闭正在编辑它的程序后重新收件。")


def _joined(notes: list[str]) -> str:
    return "；".join(n for n in notes if n)
