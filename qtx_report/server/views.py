"""What the pages show, computed from the store: where each agency stands (counted with the office's
decisions, as the city compile counts), the findings of one version with their places as `check`
prints them (`model.findings.place_text`) and their fingerprints (`city.reviews`), the deadline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from qtx_report.city.notices import day_text, days_text
from qtx_report.city.receipts import UNREADABLE, Receipt, shown_time
from qtx_report.city.reviews import Review, finding_fingerprints, status_of, tally
from qtx_report.city.roster import Roster, agency_key
from qtx_report.city.status import received_deadline
from qtx_report.model.findings import CODES, SEVERITY_NAMES, Finding, place_text
from qtx_report.season.model import SeasonStore, Version

NOT_SENT, WRONG, PASSED, LATE = "未报送", "有错误", "通过", "迟报"
FILTERS = (NOT_SENT, WRONG, PASSED, LATE)
OFF_ROSTER = "名单外"
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class FindingRow:
    severity: str  # error, warning, info
    severity_name: str  # 错误 …
    code: str
    title: str
    place: str  # as `check` prints it; "" when the finding has no place
    message: str
    fingerprint: str
    review: Review | None

    @property
    def status(self) -> str:
        return status_of(self.review)


def finding_rows(agency: str, findings: Sequence[Finding], reviews: Mapping[str, Review],
                 show_info: bool = False) -> list[FindingRow]:
    """One version's findings, errors first (infos only with `show_info`, as `check` prints them),
    each with the fingerprint the city compile gives it for `agency`."""
    prints = finding_fingerprints(agency, findings)
    rows = [FindingRow(f.severity, SEVERITY_NAMES[f.severity], f.code, CODES[f.code].title, place_text(f.sheet, f.cell),
                       f.message, fp, reviews.get(fp))
            for f, fp in zip(findings, prints, strict=True) if show_info or f.severity != "info"]
    return sorted(rows, key=lambda r: _ORDER[r.severity])


@dataclass(frozen=True)
class Standing:
    """One version as the office counts it: errors and warnings left after its decisions."""

    version: Version
    errors: int
    warnings: int

    @property
    def passed(self) -> bool:
        return self.version.state != UNREADABLE and self.errors == 0

    @property
    def state(self) -> str:
        if self.version.state == UNREADABLE:
            return UNREADABLE
        return PASSED if self.passed else WRONG


def standing(agency: str, version: Version, reviews: Mapping[str, Review]) -> Standing:
    counts = tally(version.findings, finding_fingerprints(agency, version.findings), reviews)
    return Standing(version, counts.errors, counts.warnings)


@dataclass(frozen=True)
class RosterRow:
    key: str
    name: str
    group: str
    standing: Standing | None  # None: nothing received
    late: bool  # the first version came after the deadline (as `city` judges it by the receipt)

    @property
    def state(self) -> str:
        return self.standing.state if self.standing else NOT_SENT

    @property
    def received(self) -> str:
        return shown_time(self.standing.version.receipt.received) if self.standing else ""

    def shown_in(self, wanted: str) -> bool:
        if wanted == LATE:
            return self.late
        if wanted == WRONG:
            return self.standing is not None and not self.standing.passed
        return not wanted or self.state == wanted


def roster_rows(store: SeasonStore, deadline: tuple[int, int]) -> list[RosterRow]:
    """Every roster agency in roster order, then the agencies not on it that sent something.

    Only the latest receipts are read (thousands of agencies' findings would take most of the
    page's time): the receipt's counts are `check`'s, which are the office's too until it decides
    on a finding, so only an agency with decisions has its findings read and counted with them."""
    roster = store.roster()
    reviews = store.reviews()
    latest = store.latest_receipts()
    first = store.first_received()
    decided = {agency_key(r.agency) for r in reviews.values()}
    every = store.latest() if "" in decided else {}  # a decision that names no agency: count them all

    def counted(key: str, name: str, receipt: Receipt) -> Standing:
        if every or (decided and agency_key(name) in decided):
            return standing(name, every.get(key) or store.version(key, receipt.version), reviews)  # type: ignore[arg-type]
        return Standing(Version(receipt, (), key, None), receipt.errors, receipt.warnings)

    listed = [(a.key, a.name, a.group) for a in roster.agencies]
    on_roster = {key for key, _, _ in listed}
    listed += [(key, latest[key].agency, OFF_ROSTER) for key in sorted(latest) if key not in on_roster]
    rows = []
    for key, name, group in listed:
        receipt = latest.get(key)
        late = key in first and received_deadline(first[key], store.year, deadline)[0] == "late"
        rows.append(RosterRow(key, name, group, counted(key, name, receipt) if receipt else None, late))
    return rows


def agency_name(roster: Roster, key: str, versions: Sequence[Version]) -> str:
    """The roster's name of the agency, else the name its reports were filed under."""
    for agency in roster.agencies:
        if agency.key == key:
            return agency.name
    return versions[-1].receipt.agency if versions else key


@dataclass(frozen=True)
class Deadline:
    day: date
    today: date

    @property
    def text(self) -> str:
        return day_text(self.day)

    @property
    def days_left(self) -> int:
        return (self.day - self.today).days

    @property
    def left_text(self) -> str:
        """As the 未报送单位 notice says it."""
        return days_text(self.days_left)


def deadline(year: int, city_deadline: tuple[int, int], today: date) -> Deadline:
    """The city's deadline for `year`'s reports: in the following year (1月15日 by default)."""
    return Deadline(date(year + 1, *city_deadline), today)
