"""Balanced synthetic numbers for samples, benchmarks and tests.

Every grid built here satisfies the form's arithmetic by construction: requests are dealt to
applicant columns and result rows one by one, so 一+二 = （七）+四 holds in every column.
"""

from __future__ import annotations

import random
from datetime import date

from qtx_report.form.editions import edition
from qtx_report.model.report import Grid, Report, fill_totals, zero_grids

# How often each applicant type asks, roughly as in county-level reports: mostly citizens.
APPLICANT_WEIGHTS = {"natural": 80, "business": 10, "research": 1, "nonprofit": 1, "legal": 5, "other": 3}
# Result shares, keyed by row key; rows not listed are rare (weight 1).
RESULT_WEIGHTS = {"granted": 45, "partial": 8, "unable_not_held": 20, "unable_create": 4, "unable_unclear": 3,
                  "nh_petition": 6, "nh_repeat": 4, "refused_third_party": 3, "refused_process": 2,
                  "other_no_correction": 2, "other": 3}


def section3(edition_name: str, rng: random.Random, new: int, carried_in: int, carried_out: int) -> Grid:
    """Deal `new + carried_in` requests to applicants and results; `carried_out` stay open."""
    s3 = edition(edition_name).section3
    grid = zero_grids(edition_name)["section3"]
    applicants = [c.key for c in s3.applicant_columns]
    leaves = [leaf.key for leaf in s3.leaves]
    weights_a = [APPLICANT_WEIGHTS[k] for k in applicants]
    weights_r = [RESULT_WEIGHTS.get(k, 1) for k in leaves]
    carried_out = min(carried_out, new + carried_in)
    for i in range(new + carried_in):
        column = rng.choices(applicants, weights_a)[0]
        grid["new" if i < new else "carried_in"][column] += 1
        target = "carried_out" if i < carried_out else rng.choices(leaves, weights_r)[0]
        grid[target][column] += 1
    return fill_totals(edition_name, {"section3": grid})["section3"]


def section4(edition_name: str, rng: random.Random, cases: int) -> Grid:
    s4 = edition(edition_name).section4
    grid = zero_grids(edition_name)["section4"]
    parts = [c.key for c in s4.part_columns]
    for _ in range(cases):
        group = rng.choices([g.key for g in s4.groups], [6, 3, 1])[0]
        grid[group][rng.choices(parts, [6, 1, 1, 2])[0]] += 1
    return fill_totals(edition_name, {"section4": grid})["section4"]


def section2(edition_name: str, rng: random.Random, size: float) -> Grid:
    """Plausible section 二 figures; `size` scales a small 市直部门 (1) up to a big one (10)."""
    ed = edition(edition_name)
    grid = zero_grids(edition_name)["section2"]
    for _table, row, column in ed.section2_cells():
        if column.kind.fraction:
            grid[row.key][column.key] = round(rng.uniform(0, 300) * size, 2) if rng.random() < 0.5 else 0
        elif column.kind.negative:
            grid[row.key][column.key] = rng.randint(-3, 5)
        else:
            grid[row.key][column.key] = int(rng.expovariate(1 / (5 * size))) if rng.random() < 0.7 else 0
    if edition_name == "2021":
        for row in ("regulations", "normative_docs"):
            cells = grid[row]
            cells["repealed"] = min(cells["repealed"], cells["in_force"])
            cells["in_force"] += cells["issued"]
    return grid


def report(agency: str, year: int, edition_name: str = "2021", seed: int = 0, *, size: float = 1.0) -> Report:
    """A balanced report with placeholder text; samples replace the text with real prose."""
    rng = random.Random(f"{agency}/{year}/{seed}")
    new = int(rng.expovariate(1 / (4 * size)))
    carried_in = rng.choice([0, 0, 0, 1, 2])
    carried_out = rng.choice([0, 0, 1]) if new else 0
    return Report(
        agency=agency, year=year, edition=edition_name, report_date=date(year + 1, 1, rng.randint(5, 14)),
        contact_person="张敏", contact_phone="0953-3012345",
        section2=section2(edition_name, rng, size),
        section3=section3(edition_name, rng, new, carried_in, carried_out),
        section4=section4(edition_name, rng, rng.choice([0, 0, 0, 1, 2])),
    )
