"""The report as data: one agency's annual report, independent of where it was read from."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qtx_report.form.editions import REPORT_YEARS, EditionName, edition

Number = int | float | None
Grid = dict[str, dict[str, Number]]
SectionKey = Literal["section2", "section3", "section4"]
FIRST_YEAR, LAST_YEAR = REPORT_YEARS[0], REPORT_YEARS[-1]


class Report(BaseModel):
    """An annual report. Numbers are keyed by the stable row/column keys of `qtx_report.form`;
    a missing or null number means the cell was left blank (never silently 0)."""

    model_config = ConfigDict(extra="forbid", title="政府信息公开工作年度报告")

    schema_version: Literal[1] = 1
    agency: str = Field(min_length=1, description="单位名称，如 青铜峡市自然资源局")
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR, description="报告年度（统计期 1月1日至12月31日）")
    edition: EditionName = Field("2021", description="格式版本：2021（现行）或 2019（试行）")
    report_date: date | None = Field(None, description="成文日期")
    contact_person: str = Field("", description="填报人")
    contact_phone: str = Field("", description="联系电话")
    overview: str = Field("", description="一、总体情况")
    problems: str = Field("", description="五、存在的主要问题及改进情况")
    other: str = Field("", description="六、其他需要报告的事项")
    section2: Grid = Field(default_factory=dict, description="二、主动公开：行键 → 列键 → 数值")
    section3: Grid = Field(default_factory=dict, description="三、申请情况：行键 → 列键 → 件数")
    section4: Grid = Field(default_factory=dict, description="四、复议诉讼：组键 → 列键 → 件数")

    @model_validator(mode="after")
    def _keys_follow_edition(self) -> Report:
        """Refuse keys the edition does not have, then complete every grid: a missing row or cell
        is a blank one, so no reader of a report ever meets a missing key."""
        for section, expected in grid_keys(self.edition).items():
            grid: Grid = getattr(self, section)
            for row_key, cells in grid.items():
                if row_key not in expected:
                    raise ValueError(f"{section} 中的行键 {row_key!r} 不属于 {self.edition} 版格式")
                unknown = set(cells) - set(expected[row_key])
                if unknown:
                    raise ValueError(f"{section}.{row_key} 中的列键 {sorted(unknown)} 不属于 {self.edition} 版格式")
            setattr(self, section, {row: {column: grid.get(row, {}).get(column) for column in columns}
                                    for row, columns in expected.items()})
        return self

    def value(self, section: SectionKey, row: str, column: str) -> Number:
        return getattr(self, section).get(row, {}).get(column)


@cache
def grid_keys(edition_name: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Row key → column keys for each numeric section of an edition."""
    ed = edition(edition_name)
    s3_cols = tuple(c.key for c in ed.section3.columns)
    s4_cols = tuple(c.key for c in ed.section4.columns)
    return {
        "section2": {r.key: tuple(c.key for c in t.columns) for t in ed.section2 for r in t.rows},
        "section3": {r.key: s3_cols for r in ed.section3.rows},
        "section4": {g.key: s4_cols for g in ed.section4.groups},
    }


def empty_grids(edition_name: str) -> dict[str, Grid]:
    return {
        section: {row: dict.fromkeys(cols) for row, cols in rows.items()}
        for section, rows in grid_keys(edition_name).items()
    }


def fill_totals(edition_name: str, grids: dict[str, Grid]) -> dict[str, Grid]:
    """Set every total cell to the sum of its parts (for counts made by construction)."""
    for total in edition(edition_name).totals:
        grid, row, column = total.cell
        if grid in grids:
            grids[grid][row][column] = sum(grids[g][r][c] for g, r, c in total.parts)  # type: ignore[misc]
    return grids


def zero_grids(edition_name: str) -> dict[str, Grid]:
    return {
        section: {row: dict.fromkeys(cols, 0) for row, cols in rows.items()}
        for section, rows in grid_keys(edition_name).items()
    }
