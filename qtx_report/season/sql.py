"""The season in a database (SQLAlchemy 2; SQLite or PostgreSQL): the store of the server. One
database holds several years, each store one of them. A submit is one transaction — the version
with its file, its receipt — so a server killed half-way leaves nothing, and the version number is
safe under concurrency: SQLite lets one writer in at a time (`database.writing`), and on any
database the unique (year, agency key, number) turns a race into a retry, never two v3s."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import TypeVar

from sqlalchemy import ColumnElement, Engine, Row, Select, delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from qtx_report.city.intake import Examination, examine_file, identical, identical_note, version_name
from qtx_report.city.receipts import Receipt, file_format
from qtx_report.city.reviews import Review
from qtx_report.city.roster import Roster
from qtx_report.model.findings import Finding, InputError
from qtx_report.rules.base import Options
from qtx_report.season import codec
from qtx_report.season.database import writing
from qtx_report.season.export import write_season
from qtx_report.season.model import Submitted, Upload, Version
from qtx_report.season.tables import receipts, reviews, rosters, versions
from qtx_report.season.uploads import named, upload_file

ATTEMPTS = 8  # a submit that lost the race for its version number tries again
T = TypeVar("T")
_V = versions.c
# A version's columns but its file: listing never reads the contents; the roster's table not even
# the findings (decoding 5,000 agencies' findings would take most of a page's time).
_RECEIPT = (_V.id, _V.agency_key, _V.number, _V.agency, _V.received, _V.sha256, _V.original, _V.stored, _V.format,
            _V.state, _V.errors, _V.warnings, _V.note)
_LISTED = (*_RECEIPT, _V.report_year, _V.findings)


@dataclass(frozen=True)
class _Checked:
    """An upload as checked, before it is numbered: nothing here touches the database."""

    seen: Examination
    receipt: Receipt  # version 0, not stored yet
    findings: tuple[Finding, ...]
    content: bytes


@dataclass
class SqlStore:
    engine: Engine
    year: int
    options: Options = field(default_factory=Options)
    # the roster as last decoded, by its stored text: building 5,000 agencies' keys takes longer than reading them
    _decoded: dict[tuple[str, str], Roster] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------ roster

    def roster(self) -> Roster:
        with self.engine.connect() as connection:
            row = connection.execute(select(rosters.c.source, rosters.c.agencies)
                                     .where(rosters.c.year == self.year)).first()
        if row is None:
            return Roster()
        stored = (row.source, row.agencies)
        found = self._decoded.get(stored)
        if found is None:
            found = codec.roster_of(row.agencies, row.source)
            self._decoded.clear()
            self._decoded[stored] = found
        return found

    def load_roster(self, roster: Roster) -> None:
        with writing(self.engine).begin() as connection:
            connection.execute(delete(rosters).where(rosters.c.year == self.year))
            connection.execute(insert(rosters).values(year=self.year, source=roster.source or "名单",
                                                      agencies=codec.roster_json(roster)))

    # ------------------------------------------------------------ submitting

    def submit(self, upload: Upload) -> Submitted:
        checked = self._check(upload)
        return self._written(lambda connection: self._file(connection, checked))

    def _written(self, work: Callable[[Connection], T]) -> T:
        """`work` in one writing transaction, tried again when another writer took the same unique
        key first (the next version number, a decision on the same fingerprint)."""
        for attempt in count(1):
            try:
                with writing(self.engine).begin() as connection:
                    return work(connection)
            except IntegrityError:
                if attempt == ATTEMPTS:
                    raise

    def _check(self, upload: Upload) -> _Checked:
        """Checked as `check` and intake check it, outside any transaction (a check takes time)."""
        roster = self.roster()
        with upload_file(upload) as path:
            seen = examine_file(path, roster if roster.source else None, self.options, upload.agency)
            original = path.name
        digest = hashlib.sha256(upload.content).hexdigest()
        receipt = seen.receipt(original, upload.received.replace(microsecond=0), digest)
        return _Checked(seen, receipt, named(seen.result.findings, original), upload.content)

    def _file(self, connection: Connection, checked: _Checked) -> Submitted:
        owner = checked.seen.owner
        rows = connection.execute(select(*_RECEIPT).where(_V.year == self.year, _V.agency_key == owner.key)).all()
        recorded = [_receipt(row) for row in rows]
        same = identical(recorded, checked.receipt.sha256)
        if same is not None:
            note = _joined(owner.note, identical_note(same, recorded))
            receipt = replace(checked.receipt, agency=same.agency, version=same.version, stored=same.stored,
                              state=same.state, errors=same.errors, warnings=same.warnings, note=note)
            version_id = next(row.id for row in rows if row.number == same.version)
            self._record(connection, version_id, receipt)
            return Submitted(Version(receipt, checked.findings, owner.key, checked.seen.year), False, owner.known)
        number = max((r.version for r in recorded), default=0) + 1
        receipt = replace(checked.receipt, version=number, note=owner.note,
                          stored=version_name(owner.folder, checked.receipt.original, number))
        version_id = connection.execute(insert(versions).values(
            year=self.year, agency_key=owner.key, number=number, agency=receipt.agency, received=receipt.received,
            sha256=receipt.sha256, original=receipt.original, stored=receipt.stored, format=receipt.format,
            state=receipt.state, errors=receipt.errors, warnings=receipt.warnings, note=receipt.note,
            report_year=checked.seen.year, findings=codec.findings_json(checked.findings),
            content=checked.content).returning(_V.id)).scalar_one()
        self._record(connection, version_id, receipt)
        return Submitted(Version(receipt, checked.findings, owner.key, checked.seen.year), True, owner.known)

    def _record(self, connection: Connection, version_id: int, receipt: Receipt) -> None:
        """The receipt log's row of this submit, in the submit's transaction."""
        connection.execute(insert(receipts).values(version_id=version_id, received=receipt.received,
                                                   original=receipt.original, note=receipt.note))

    # ------------------------------------------------------------ reading

    def versions(self, key: str | None = None) -> list[Version]:
        query = select(*_LISTED).where(_V.year == self.year)
        if key is not None:
            query = query.where(_V.agency_key == key)
        with self.engine.connect() as connection:
            return [_version(row) for row in connection.execute(query.order_by(_V.agency_key, _V.number))]

    def version(self, key: str, number: int) -> Version | None:
        query = select(*_LISTED).where(_V.year == self.year, _V.agency_key == key, _V.number == number)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _version(row) if row else None

    def content(self, key: str, number: int) -> bytes:
        query = select(_V.content).where(_V.year == self.year, _V.agency_key == key, _V.number == number)
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        if found is None:
            raise InputError(str(self.year), f"{self.year}年度没有“{key}”的第 {number} 版。")
        return bytes(found)

    def latest(self) -> dict[str, Version]:
        with self.engine.connect() as connection:
            return {row.agency_key: _version(row) for row in connection.execute(self._latest(_LISTED))}

    def latest_receipts(self) -> dict[str, Receipt]:
        with self.engine.connect() as connection:
            return {row.agency_key: _receipt(row) for row in connection.execute(self._latest(_RECEIPT))}

    def first_received(self) -> dict[str, datetime]:
        query = select(_V.agency_key, func.min(_V.received)).where(_V.year == self.year).group_by(_V.agency_key)
        with self.engine.connect() as connection:
            return {key: received for key, received in connection.execute(query)}

    def _latest(self, columns: tuple[ColumnElement, ...]) -> Select:
        last = (select(_V.agency_key, func.max(_V.number).label("number")).where(_V.year == self.year)
                .group_by(_V.agency_key).subquery())
        return (select(*columns).join(last, (_V.agency_key == last.c.agency_key) & (_V.number == last.c.number))
                .where(_V.year == self.year).order_by(_V.agency_key))

    # ------------------------------------------------------------ reviews

    def reviews(self) -> dict[str, Review]:
        query = select(reviews.c.review).where(reviews.c.year == self.year).order_by(reviews.c.fingerprint)
        with self.engine.connect() as connection:
            found = [codec.review_of(text) for text in connection.execute(query).scalars()]
        return {r.fingerprint: r for r in found}

    def decide(self, review: Review) -> None:
        def replace_decision(connection: Connection) -> None:
            connection.execute(delete(reviews).where(reviews.c.year == self.year,
                                                     reviews.c.fingerprint == review.fingerprint))
            connection.execute(insert(reviews).values(year=self.year, fingerprint=review.fingerprint,
                                                      review=codec.review_json(review)))

        self._written(replace_decision)

    # ------------------------------------------------------------ export

    def export(self, folder: Path) -> None:
        query = (select(*_LISTED, receipts.c.received.label("copy_received"), receipts.c.original.label("copy_original"),
                        receipts.c.note.label("copy_note"))
                 .join(receipts, receipts.c.version_id == _V.id).where(_V.year == self.year).order_by(receipts.c.id))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        log = [_copy(row) for row in rows]
        where = {row.stored: (row.agency_key, row.number) for row in rows}
        write_season(folder, self.year, log, lambda stored: self.content(*where[stored]), self.reviews(), self.roster())


def _receipt(row: Row) -> Receipt:
    return Receipt(row.agency, row.number, row.received, row.sha256, row.original, row.stored, row.format, row.state,
                   row.errors, row.warnings, row.note)


def _copy(row: Row) -> Receipt:
    """One row of the receipt log: the version's, as this copy of it was received."""
    return Receipt(row.agency, row.number, row.copy_received, row.sha256, row.copy_original, row.stored,
                   file_format(row.copy_original), row.state, row.errors, row.warnings, row.copy_note)


def _version(row: Row) -> Version:
    return Version(_receipt(row), codec.findings_of(row.findings), row.agency_key, row.report_year)


def _joined(*notes: str) -> str:
    return "；".join(n for n in notes if n)
