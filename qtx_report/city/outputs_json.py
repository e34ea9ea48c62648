"""全市汇总.json: the compile for machines (format version 1). Findings are streamed from the
spool, not built in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from qtx_report.city.hierarchy import BASIS_TEXT, Hierarchy
from qtx_report.city.reviews import (
    CONFIRMED,
    DISMISSED,
    EXPLAINED,
    RESOLVED,
    UNMATCHED,
    Review,
    Reviewed,
    review_json,
    status_of,
)
from qtx_report.city.scoring import Score
from qtx_report.city.status import FINDING_KEYS, STATES, Compiled, StatusRow
from qtx_report.form.editions import edition
from qtx_report.rules.indicators import NAMES as INDICATORS
from qtx_report.rules.indicators import Indicators, report_indicators
from qtx_report.write.files import atomic_path

JSON_VERSION = 1
STATUS_KEYS = {"confirmed": CONFIRMED, "dismissed": DISMISSED, "explained": EXPLAINED}


def write_json(path: Path, c: Compiled, exit_code: int, scores: list[Score] | None = None) -> None:
    """`exit_code` is recorded as the command returns it."""
    summary = summary_json(c, exit_code)
    if scores is not None:
        summary["scores"] = [score_json(s) for s in scores]
    head = json.dumps(summary, ensure_ascii=False, indent=2)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(head[:-2] + ',\n  "findings": [')
        for n, row in enumerate(c.findings()):
            item = dict(zip(FINDING_KEYS, row, strict=True))
            item["review"] = finding_review(c.reviews.get(str(item["fingerprint"])))
            out.write(("," if n else "") + "\n    " + json.dumps(item, ensure_ascii=False))
        out.write("\n  ]\n}\n")


def summary_json(c: Compiled, exit_code: int) -> dict[str, object]:
    return {
        "version": JSON_VERSION,
        "year": c.year,
        "edition": c.edition,
        "roster": Path(c.roster.source).name if c.has_roster else None,
        "exit_code": exit_code,
        "counts": counts(c),
        "notes": c.notes,
        "agencies": [status_json(r) for r in c.rows],
        "missing": [{"agency": a.name, "group": a.group, "note": note} for a, note in c.missing],
        "indicators": indicators_json(report_indicators(c.total)),
        "sums": {"total": c.total.model_dump(mode="json"),
                 "groups": {g: r.model_dump(mode="json") for g, r in c.groups.items()}},
        # Only with 上级单位 on the roster: a compile without one writes what it always wrote.
        **({"hierarchy": hierarchy_json(c.hierarchy)} if c.hierarchy is not None else {}),
        "sum_findings": [f.to_dict() for f in c.sum_findings],
        "copying": copying_json(c),
        "reviews": reviews_json(c.reviews),
    }


def score_json(s: Score) -> dict[str, object]:
    return {"rank": s.rank, "agency": s.agency, "group": s.group, "score": s.score, "level": s.level,
            "deductions": [{"item": d.item.name, "points": d.points,
                            "evidence": [{"code": e.code, "message": e.message, "file": e.file, "place": e.place}
                                         for e in d.evidence]} for d in s.deductions]}


def hierarchy_json(h: Hierarchy) -> dict[str, object]:
    """Each parent: its units, where its sum comes from, the sum, the units missing from it and each
    cell where its own report differs (own − children = difference)."""
    return {"differences": h.differences, "parents": [{
        "agency": check.name, "parent": check.parent or None, "children": list(check.children),
        "basis": check.basis, "basis_text": BASIS_TEXT[check.basis], "own_file": check.own_file or None,
        "sum": h.sums[check.key].model_dump(mode="json"),
        "missing": [{"agency": unit, "reason": why} for unit, why in check.missing],
        "differences": [{**dict(zip(("section", "row", "column"), d.cell, strict=True)), "own": d.own,
                         "children": d.children, "difference": d.delta} for d in check.differences],
    } for check in h.checks]}


def copying_json(c: Compiled) -> list[dict[str, object]]:
    """Each pair and section copied across agencies: share_first is the share of the first's runs
    found in the second's text (the 年年雷同 measure), share the larger of the two."""
    ed = edition(c.edition)
    return [{"first": {"agency": x.first.agency, "file": x.first.file},
             "second": {"agency": x.second.agency, "file": x.second.file},
             "section": x.section, "section_title": ed.section(x.section).heading, "share": round(x.share, 4),
             "share_first": round(x.first_share, 4), "share_second": round(x.second_share, 4),
             "passages": list(x.passages)} for x in c.copied]


def counts(c: Compiled) -> dict[str, int]:
    return {"roster": len(c.roster.agencies), "files": len(c.submissions), "counted": len(c.counted),
            **{state: c.count(state) for state in STATES},
            "late": sum(r.deadline == "late" for r in c.rows)}


def status_json(r: StatusRow) -> dict[str, object]:
    return {"agency": r.agency, "group": r.group, "file": r.file or None, "state": r.state,
            "state_text": STATES[r.state], "submitted": r.submitted, "counted": r.counted,
            "report_date": r.report_date.isoformat() if r.report_date else None,
            "received": r.received.isoformat(sep=" ", timespec="minutes") if r.received else None,
            "version": r.version,
            "deadline": r.deadline or None, "days_late": r.days_late, "errors": r.errors, "warnings": r.warnings,
            "infos": r.infos, "explained": r.explained, "dismissed": r.dismissed, "balanced": r.balanced,
            "new_requests": r.new,
            "indicators": indicators_json(r.indicators), "prompts": list(r.prompts),
            "review_total": r.review, "suit_total": r.suits, "note": r.note}


def indicators_json(found: Indicators) -> dict[str, float | None]:
    """Each indicator by its field name, a share rounded to 4 places; None below MIN_CASES cases."""
    return {key: None if getattr(found, key) is None else round(getattr(found, key), 4) for key, _, _ in INDICATORS}


def finding_review(review: Review | None) -> dict[str, object]:
    """The office's decision on one finding (`status` 待处理 and no decision when there is none)."""
    return {"status": status_of(review), "decision": review.decision if review else None,
            "reason": review.reason if review else "", "reviewer": review.reviewer if review else "",
            "date": review.date if review else ""}


def reviews_json(reviewed: Reviewed) -> dict[str, object]:
    """How many decisions met a finding, of what kind, and those whose finding is gone."""
    statuses = [r.status for r in reviewed.applied.values()]
    return {"applied": len(statuses), **{key: statuses.count(status) for key, status in STATUS_KEYS.items()},
            "resolved": [review_json(r, RESOLVED) for r in reviewed.resolved],
            "unmatched": [review_json(r, UNMATCHED) for r in reviewed.unmatched]}
