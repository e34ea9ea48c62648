"""全市汇总.json: the compile for machines (format version 1). Findings are streamed from the
spool, not built in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.write.files import atomic_path

JSON_VERSION = 1
# In `status.finding_row` order.
FINDING_KEYS = ("agency", "file", "code", "severity", "title", "message", "section", "row", "column", "sheet",
                "cell", "expected", "actual")


def write_json(path: Path, c: Compiled, exit_code: int) -> None:
    """`exit_code` is recorded as the command returns it."""
    head = json.dumps(summary_json(c, exit_code), ensure_ascii=False, indent=2)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(head[:-2] + ',\n  "findings": [')
        for n, row in enumerate(c.findings()):
            item = dict(zip(FINDING_KEYS, row, strict=True))
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
        "sums": {"total": c.total.model_dump(mode="json"),
                 "groups": {g: r.model_dump(mode="json") for g, r in c.groups.items()}},
        "sum_findings": [f.to_dict() for f in c.sum_findings],
    }


def counts(c: Compiled) -> dict[str, int]:
    return {"roster": len(c.roster.agencies), "files": len(c.submissions), "counted": len(c.counted),
            **{state: c.count(state) for state in STATES},
            "late": sum(r.deadline == "late" for r in c.rows)}


def status_json(r: StatusRow) -> dict[str, object]:
    return {"agency": r.agency, "group": r.group, "file": r.file or None, "state": r.state,
            "state_text": STATES[r.state], "submitted": r.submitted, "counted": r.counted,
            "report_date": r.report_date.isoformat() if r.report_date else None,
            "deadline": r.deadline or None, "days_late": r.days_late, "errors": r.errors, "warnings": r.warnings,
            "infos": r.infos, "balanced": r.balanced, "new_requests": r.new,
            "granted_share": round(r.granted_share, 4) if r.granted_share is not None else None,
            "review_total": r.review, "suit_total": r.suits, "note": r.note}
