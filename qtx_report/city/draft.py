"""The text of the city report's draft: 一 (overview) and 五 (problems), written from the
compile's own figures for a person to rewrite, in the office's own voice (how it was compiled is
told in the status annex, not here); and the office the report names to contact (`Office`).
"""

from __future__ import annotations

from dataclasses import dataclass

from qtx_report.city.roster import CITY
from qtx_report.city.status import PROBLEM_STATES, STATES, Compiled
from qtx_report.form.editions import Edition, edition
from qtx_report.model.findings import InputError
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Report
from qtx_report.ooxml.zips import office_text

# Whom the report's opening names when no office is given: true of every city (条例第三条: the
# government's office is the 主管部门), never a wrong name; the annex asks for the real one.
NEUTRAL_CONTACT = f"{CITY}政府信息公开工作主管部门"
OFFICE_LIMIT = 100  # characters of each office setting: a name, an address, a phone number


@dataclass(frozen=True)
class Office:
    """The office the city report names to contact and the notices are signed by (`city --office`)."""

    name: str = ""
    address: str = ""
    phone: str = ""

    def contact(self) -> dict[str, str]:
        """The contact values of the report template's opening (`write.context`)."""
        return {"contact_office": self.name or NEUTRAL_CONTACT, "contact_address": self.address,
                "contact_person": "", "contact_phone": self.phone}


def make_office(name: str | None = None, address: str | None = None, phone: str | None = None) -> Office:
    """The office as given on the command line: trimmed, what Word cannot hold dropped, bounded."""
    values = {}
    for option, value in (("--office", name), ("--office-address", address), ("--office-phone", phone)):
        text = " ".join(office_text(value or "").split())
        if len(text) > OFFICE_LIMIT:
            raise InputError(option, f"内容过长（{len(text)} 个字，最多 {OFFICE_LIMIT} 个字）。请只写名称、地址或电话本身。")
        values[option] = text
    return Office(values["--office"], values["--office-address"], values["--office-phone"])


def outcome_groups(ed: Edition) -> list[tuple[str, list[str]]]:
    """The result categories as the form groups them: 予以公开, 部分公开, 不予公开 (its 8 leaves), …"""
    headers = {h.key: h.label for h in ed.section3.header_rows}
    groups: dict[str, list[str]] = {}
    for leaf in ed.section3.leaves:
        label = headers[leaf.groups[1]] if len(leaf.groups) > 1 else leaf.label.split("（")[0]
        groups.setdefault(label, []).append(leaf.key)
    return list(groups.items())


def outcome_counts(report: Report, ed: Edition) -> list[tuple[str, int | float]]:
    """Each result category of `outcome_groups` with its count in the total column."""
    return [(label, sum(report.value("section3", k, "total") or 0 for k in keys))  # type: ignore[misc]
            for label, keys in outcome_groups(ed)]


def _n(report: Report, grid: str, row: str, column: str = "total") -> str:
    return format_number(report.value(grid, row, column))  # type: ignore[arg-type]


def draft_texts(c: Compiled) -> dict[str, str]:
    """一 and 五 of the draft, as fields of a report."""
    return {"overview": "\n".join(overview_paragraphs(c)), "problems": problems_paragraph(c)}


def overview_paragraphs(c: Compiled) -> list[str]:
    r, ed = c.total, edition(c.edition)
    s3, s4 = ed.section3, ed.section4
    submitted = sum(row.state not in ("missing", "wrong_year") for row in c.rows)
    who = (f"名单内应报送单位{len(c.roster.agencies)}个，收到本年度报告{submitted}份"
           if c.has_roster else f"收到本年度报告{submitted}份")
    intro = (f"本报告的数据由全市各单位报送的{c.year}年度政府信息公开工作年度报告汇总而成。{who}，"
             f"其中{len(c.counted)}份计入本汇总；未报送{len(c.missing)}个单位，"
             f"逾期报送{sum(row.deadline == 'late' for row in c.rows)}份。各单位报送情况见附件1，统计图表见附件2。")
    proactive = "主动公开方面，全市" + "；".join(
        f"{row.label}：" + "，".join(f"{col.label}{format_number(r.value('section2', row.key, col.key))}"
                                    for col in table.columns)
        for table in ed.section2 for row in table.rows) + "。"
    new, carried_in = (s3.row(k).label.removeprefix("本年").removesuffix("数量") for k in ("new", "carried_in"))
    results_total = r.value("section3", "results_total", "total") or 0
    outcomes = "，".join(f"{label}{format_number(n)}件" for label, n in outcome_counts(r, ed))
    granted = r.value("section3", "granted", "total") or 0
    share = f"（{s3.row('granted').label}占{granted / results_total:.1%}）" if results_total else ""
    requests = (f"依申请公开方面，全市本年{new}{_n(r, 'section3', 'new')}件，{carried_in}{_n(r, 'section3', 'carried_in')}件；"
                f"{s3.header_rows[0].label}{format_number(results_total)}件，其中{outcomes}{share}；"
                f"{s3.row('carried_out').label}{_n(r, 'section3', 'carried_out')}件。")
    review, direct, after = s4.groups
    appeals = (f"{review.label}{_n(r, 'section4', review.key)}件（{s4.columns[1].label}"
               f"{_n(r, 'section4', review.key, s4.columns[1].key)}件），{direct.parent}"
               f"{format_number((r.value('section4', direct.key, 'total') or 0) + (r.value('section4', after.key, 'total') or 0))}件"
               f"（{direct.label}{_n(r, 'section4', direct.key)}件，{after.label}{_n(r, 'section4', after.key)}件）。")
    return [intro, proactive, requests, "政府信息公开行政复议、行政诉讼方面，全市" + appeals, *c.notes]


def problems_paragraph(c: Compiled) -> str:
    groups = [(STATES[state], {row.agency for row in c.rows if row.state == state}) for state in PROBLEM_STATES]
    groups.append(("逾期报送", {row.agency for row in c.rows if row.deadline == "late"}))
    parts = [f"{what}{len(names)}个单位（{'、'.join(sorted(names)[:10])}{'等' if len(names) > 10 else ''}）"
             for what, names in groups if names]
    found = "；".join(parts) if parts else "各单位均按时报送，数据均通过校验"
    return f"年度报告报送工作中，{found}。"
