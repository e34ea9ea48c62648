"""Every rule, in the order its findings are reported, and `validate`, which runs them all."""

from __future__ import annotations

from qtx_report.form.editions import edition
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Loaded
from qtx_report.rules import balance, dates, history, privacy, structure, text, values
from qtx_report.rules.base import Context, Options, Rule

# Findings come out in this order (the headings, cells, then sums, text, personal information, date,
# last year), which is what `check` prints; the golden outputs pin it.
RULES: tuple[Rule, ...] = (
    structure.section_headings,
    structure.sub_item_numbering,
    values.blank_cells,
    values.whole_counts,
    values.non_negative,
    values.in_force_unreviewed,
    balance.request_balance,
    balance.results_total,
    balance.applicant_total,
    balance.case_totals,
    text.text_present,
    text.text_numbers,
    text.not_copied,
    text.report_year,
    text.fee_stated,
    text.overview_covers,
    privacy.id_numbers_in_text,
    privacy.mobile_numbers_in_text,
    privacy.card_numbers_in_text,
    dates.report_date,
    history.carried_over,
    history.in_force_continuity,
    history.item_continuity,
    history.tables_renewed,
    history.figure_jumped,
    history.figure_vanished,
)


def validate(loaded: Loaded, previous: Loaded | None = None, options: Options | None = None) -> list[Finding]:
    """The reader's findings, then every rule's; never stops at the first problem."""
    ctx = Context(loaded, previous, options or Options(), loaded.report, edition(loaded.report.edition))
    findings = list(loaded.findings)
    for rule in RULES:
        findings.extend(rule.check(ctx))
    return findings
