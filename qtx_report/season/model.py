"""One season of reports (one year): what agencies send, the versions kept with the findings `check`
gave them, the office's review decisions, and `SeasonStore`, the one interface both stores keep
(the intake folder, `season.folder`; a database, `season.sql`). The server and the command line
speak to a store only through it, so nothing differs between the browser and the folder workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from qtx_report.city.receipts import UNREADABLE, Receipt
from qtx_report.city.reviews import Review
from qtx_report.city.roster import Roster
from qtx_report.model.findings import Finding


@dataclass(frozen=True)
class Upload:
    """One file an agency (or the office) sends."""

    original: str  # the file name as sent (only its suffix is ever used on disk)
    content: bytes
    received: datetime  # local naive time, seconds
    agency: str | None = None  # the logged-in agency's roster key; None: recognised from the report, as intake does


@dataclass(frozen=True)
class Version:
    """One stored version: its receipt and the findings `check` gave it."""

    receipt: Receipt
    findings: tuple[Finding, ...]
    key: str  # the agency's roster key (`roster.agency_key`)
    year: int | None  # the report's year as read (None when unreadable)

    @property
    def number(self) -> int:
        return self.receipt.version

    @property
    def state(self) -> str:
        return self.receipt.state

    @property
    def message(self) -> str:
        """Why the file could not be read (the message `check` gives), "" when it was read."""
        return self.findings[0].message if self.receipt.state == UNREADABLE and self.findings else ""


@dataclass(frozen=True)
class Submitted:
    version: Version
    new: bool  # False: identical to a version already kept (only logged, as intake does)
    known: bool  # on the roster


class SeasonStore(Protocol):
    year: int

    def roster(self) -> Roster:
        """The roster loaded; Roster() when none was."""
        ...

    def load_roster(self, roster: Roster) -> None:
        """Replaces the roster."""
        ...

    def submit(self, upload: Upload) -> Submitted:
        """Checks the file as `check` and intake do, stores it atomically as the agency's next
        version (an identical one is only logged) and records the receipt."""
        ...

    def versions(self, key: str | None = None) -> list[Version]:
        """Every version (or one agency's), by agency key then version number."""
        ...

    def version(self, key: str, number: int) -> Version | None: ...

    def content(self, key: str, number: int) -> bytes:
        """The file of one version as received; InputError when there is no such version."""
        ...

    def latest(self) -> dict[str, Version]:
        """Agency key → its latest version."""
        ...

    def latest_receipts(self) -> dict[str, Receipt]:
        """Agency key → its latest version's receipt: `latest` without the findings, for the
        roster's table of thousands of agencies."""
        ...

    def first_received(self) -> dict[str, datetime]:
        """Agency key → when its first file was received (lateness is judged by it), for the roster's
        table without reading every version."""
        ...

    def reviews(self) -> dict[str, Review]:
        """Fingerprint → the office's decision (`city.reviews`)."""
        ...

    def decide(self, review: Review) -> None:
        """Adds a decision or replaces the one on the same fingerprint."""
        ...

    def export(self, folder: Path) -> None:
        """An intake-shaped folder (收件登记.xlsx, the agency folders, 审核意见.json) that
        `qtx-report city` accepts."""
        ...

