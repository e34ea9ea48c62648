"""The season as an intake folder: the store of `qtx-report intake` (one folder per year, the
receipt log 收件登记.xlsx, a sub-folder per agency with every version, 审核意见.json, the roster as
应报单位名单.csv). Submitting goes through `city.intake` itself, so a file is judged and filed one
way whichever way it came. The folder keeps no findings: they are checked again from the kept
file, the same way, when first asked for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from qtx_report.city.intake import examine_file, intake
from qtx_report.city.receipts import LOCK_NAME, Receipt, latest, read_log
from qtx_report.city.reviews import REVIEWS_FILE, Review, read_kept
from qtx_report.city.roster import Roster, key_of
from qtx_report.model.findings import Finding, InputError
from qtx_report.rules.base import Options
from qtx_report.season.export import ROSTER_NAME, folder_roster, write_reviews, write_roster, write_season
from qtx_report.season.model import Submitted, Upload, Version
from qtx_report.season.uploads import named, upload_file
from qtx_report.write.files import exclusive


@dataclass
class FolderStore:
    folder: Path
    year: int
    options: Options = field(default_factory=Options)
    # (stored, sha256) → findings and report year: a kept file is checked once per store
    _checked: dict[tuple[str, str], tuple[tuple[Finding, ...], int | None]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)

    def roster(self) -> Roster:
        return folder_roster(self.folder)

    def load_roster(self, roster: Roster) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive(self.folder / LOCK_NAME, "该收件文件夹"):
            write_roster(self.folder / ROSTER_NAME, roster)

    def submit(self, upload: Upload) -> Submitted:
        roster = self.roster()
        with upload_file(upload) as path:
            done = intake([path], self.folder, roster=roster, received=upload.received, options=self.options,
                          agency=upload.agency)
        filed = done.filed[0]
        receipt = replace(filed.receipt, row=-1)
        findings = named(filed.findings, receipt.original)
        self._checked.setdefault((receipt.stored, receipt.sha256), (findings, filed.year))
        return Submitted(Version(receipt, findings, key_of(roster)(receipt.agency), filed.year), filed.stored,
                         filed.known)

    def versions(self, key: str | None = None) -> list[Version]:
        return [self._version(k, r) for (k, _), r in sorted(self._firsts().items()) if key is None or k == key]

    def version(self, key: str, number: int) -> Version | None:
        found = self._firsts().get((key, number))
        return self._version(key, found) if found else None

    def content(self, key: str, number: int) -> bytes:
        found = self._firsts().get((key, number))
        if found is None:
            raise InputError(str(self.folder), f"收件文件夹中没有“{key}”的第 {number} 版。")
        return (self.folder / found.stored).read_bytes()

    def latest(self) -> dict[str, Version]:
        key = key_of(self.roster())
        return {k: self._version(k, r) for k, r in sorted(latest(read_log(self.folder), key).items())}

    def latest_receipts(self) -> dict[str, Receipt]:
        key = key_of(self.roster())
        return {k: replace(r, row=-1) for k, r in sorted(latest(read_log(self.folder), key).items())}

    def first_received(self) -> dict[str, datetime]:
        key = key_of(self.roster())
        found: dict[str, datetime] = {}
        for r in read_log(self.folder).receipts:
            found[key(r.agency)] = min(r.received, found.get(key(r.agency), r.received))
        return found

    def reviews(self) -> dict[str, Review]:
        path = self.folder / REVIEWS_FILE
        return read_kept(path) if path.is_file() else {}

    def decide(self, review: Review) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive(self.folder / LOCK_NAME, "该收件文件夹"):
            write_reviews(self.folder / REVIEWS_FILE, {**self.reviews(), review.fingerprint: review}, self.year)

    def export(self, folder: Path) -> None:
        log = read_log(self.folder)
        write_season(folder, self.year, [replace(r, row=-1) for r in log.receipts],
                     lambda stored: (self.folder / stored).read_bytes(), self.reviews(), self.roster())

    # ------------------------------------------------------------ reading the folder

    def _firsts(self) -> dict[tuple[str, int], Receipt]:
        """Each version's first receipt (a later identical copy is only logged), by (agency key, number)."""
        key = key_of(self.roster())
        found: dict[tuple[str, int], Receipt] = {}
        for r in sorted(read_log(self.folder).receipts, key=lambda r: (r.received, r.row)):
            found.setdefault((key(r.agency), r.version), r)
        return found

    def _version(self, key: str, receipt: Receipt) -> Version:
        findings, year = self._findings(receipt)
        return Version(replace(receipt, row=-1), findings, key, year)

    def _findings(self, receipt: Receipt) -> tuple[tuple[Finding, ...], int | None]:
        cached = self._checked.get((receipt.stored, receipt.sha256))
        if cached is None:
            upload = Upload(receipt.original, (self.folder / receipt.stored).read_bytes(), receipt.received)
            with upload_file(upload) as path:
                seen = examine_file(path, None, self.options)
            cached = self._checked[(receipt.stored, receipt.sha256)] = (named(seen.result.findings, receipt.original),
                                                                         seen.year)
        return cached
