"""The official annual-report form, described once per edition as data.

Everything else (workbook template, loader, rules, Word/HTML output, city sums, ledger tally)
reads these objects; no other module spells an official label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from typing import Literal

EditionName = Literal["2021", "2019"]
EDITIONS: tuple[EditionName, ...] = ("2021", "2019")
DEFAULT_EDITION: EditionName = "2021"



class ValueKind(StrEnum):
    """What a number cell may hold. The kind is the one place that says it: the readers' checks
    (V301, V302), the workbook's data validation and the fill-in guide all ask the kind."""

    COUNT = "count"
    DELTA = "delta"
    AMOUNT = "amount"

    @property
    def negative(self) -> bool:
        """May be below zero (本年增/减 counts a decrease)."""
        return _KIND_RULES[self][0]

    @property
    def fraction(self) -> bool:
        """May have decimals (金额 in 万元)."""
        return _KIND_RULES[self][1]

    @property
    def meaning(self) -> str:
        """What the clerk may type, in words."""
        return _KIND_RULES[self][2]


_KIND_RULES: dict[ValueKind, tuple[bool, bool, str]] = {
    ValueKind.COUNT: (False, False, "0或正整数"),
    ValueKind.DELTA: (True, False, "整数，减少时填负数"),
    ValueKind.AMOUNT: (False, True, "0或正数，可有小数"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ValueKind = ValueKind.COUNT
    unit: str = "件"
    group: str = ""  # header spanning this column, if any (e.g. 法人或其他组织)
    is_total: bool = False
    aliases: tuple[str, ...] = ()  # variants seen in real reports, read with a warning


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    number: str = ""  # the ordinal printed before the label: 一、 （一） 1.
    aliases: tuple[str, ...] = ()  # variants seen in real reports, read with a warning
    is_leaf: bool = False  # a result row every request is counted in exactly once
    is_total: bool = False
    groups: tuple[str, ...] = ()  # enclosing header rows, outermost first

    @cached_property
    def title(self) -> str:
        return f"{self.number}{self.label}"


@dataclass(frozen=True)
class HeaderRow:
    """A label row that holds no numbers: 三、本年度办理结果 and its （三）（四）… groups."""

    key: str
    number: str
    label: str
    aliases: tuple[str, ...] = ()

    @cached_property
    def title(self) -> str:
        return f"{self.number}{self.label}"


@dataclass(frozen=True)
class Table:
    """One block of section 二: a caption, its columns and rows."""

    key: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    row_header: str = "信息内容"


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    title: str
    kind: Literal["text", "tables"]
    hint: str = ""  # what the official template prints under the heading

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"


@dataclass(frozen=True)
class Section3:
    note: str
    applicant_header: str
    columns: tuple[Column, ...]
    header_rows: tuple[HeaderRow, ...]
    rows: tuple[Row, ...]

    @cached_property
    def leaves(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.is_leaf)

    @cached_property
    def applicant_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.is_total)

    @cached_property
    def total_column(self) -> Column:
        return next(c for c in self.columns if c.is_total)

    @cached_property
    def _by_key(self) -> dict[str, Row]:
        return {r.key: r for r in self.rows}

    def row(self, key: str) -> Row:
        return self._by_key[key]


@dataclass(frozen=True)
class CaseGroup:
    key: str
    label: str
    parent: str = ""  # 行政诉讼 spans its two groups
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section4:
    groups: tuple[CaseGroup, ...]
    columns: tuple[Column, ...]

    @cached_property
    def total_column(self) -> Column:
        return next(c for c in self.columns if c.is_total)

    @cached_property
    def part_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.is_total)


@dataclass(frozen=True)
class Edition:
    name: EditionName
    basis: str  # the national notice that set this edition
    sections: tuple[Section, ...]
    section2: tuple[Table, ...]
    section3: Section3
    section4: Section4
    # Leaf rows of the other edition met in a report of this one → the row that counts them here.
    foreign_leaves: tuple[tuple[str, str], ...] = ()

    @property
    def section3_foreign(self) -> dict[str, str]:
        return dict(self.foreign_leaves)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)  # six sections: a scan is cheapest

    def section2_cells(self) -> list[tuple[Table, Row, Column]]:
        return [(t, r, c) for t in self.section2 for r in t.rows for c in t.columns]

    def section2_row(self, key: str) -> tuple[Table, Row]:
        return next((t, r) for t in self.section2 for r in t.rows if r.key == key)

    def heading_of(self, grid: str) -> str:
        """The heading of a numeric section, by its Report field name (section2/3/4)."""
        return self.section(GRID_SECTIONS[grid]).heading

    @cached_property
    def cells(self) -> dict[tuple[str, str, str], Cell]:
        """Every number cell of the edition, keyed (grid, row key, column key), in printed order."""
        found: list[Cell] = [Cell("section2", r.key, c.key, r.label, c.label, c.kind, False)
                             for _t, r, c in self.section2_cells()]
        s3, s4 = self.section3, self.section4
        found += [Cell("section3", r.key, c.key, r.title, c.label, ValueKind.COUNT, r.is_total or c.is_total)
                  for r in s3.rows for c in s3.columns]
        found += [Cell("section4", g.key, c.key, g.label, c.label, ValueKind.COUNT, c.is_total)
                  for g in s4.groups for c in s4.columns]
        return {(cell.grid, cell.row_key, cell.column_key): cell for cell in found}

    @cached_property
    def _order(self) -> dict[tuple[str, str, str], int]:
        return {key: i for i, key in enumerate(self.cells)}

    def cell_labels(self, grid: str, row_key: str, column_key: str) -> tuple[str, str]:
        """(row label, column label) as printed, for a cell named by keys."""
        cell = self.cells[(grid, row_key, column_key)]
        return cell.row_label, cell.column_label

    @cached_property
    def totals(self) -> tuple[Total, ...]:
        """Every sum the form prints, in an order where a total's parts come first: each section 三
        row's 总计 (B403), the （七）总计 row (B402), each section 四 总计 (B404). The cell where
        （七）总计 meets the 总计 column is both a row and a results total; both must hold."""
        s3, s4 = self.section3, self.section4

        def row_total(r: Row) -> Total:
            return Total("row", ("section3", r.key, s3.total_column.key),
                         tuple(("section3", r.key, c.key) for c in s3.applicant_columns))

        found = [row_total(r) for r in s3.rows if not r.is_total]
        found += [Total("results", ("section3", r.key, c.key), tuple(("section3", leaf.key, c.key) for leaf in s3.leaves))
                  for r in s3.rows if r.is_total for c in s3.columns]
        found += [row_total(r) for r in s3.rows if r.is_total]
        found += [Total("cases", ("section4", g.key, s4.total_column.key),
                        tuple(("section4", g.key, c.key) for c in s4.part_columns)) for g in s4.groups]
        return tuple(found)

    def is_total(self, grid: str, row_key: str, column_key: str) -> bool:
        return self.cells[(grid, row_key, column_key)].is_total

    def cell_order(self, cell: tuple[str, str, str]) -> int:
        """Sort key putting cells in the order the form prints them."""
        return self._order[cell]


@dataclass(frozen=True)
class Total:
    kind: Literal["row", "results", "cases"]  # 总计 column of a row; （七）总计 row; a section 四 总计
    cell: tuple[str, str, str]  # (grid, row key, column key)
    parts: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Cell:
    grid: str  # the Report field: section2, section3 or section4
    row_key: str
    column_key: str
    row_label: str
    column_label: str
    kind: ValueKind
    is_total: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return self.grid, self.row_key, self.column_key


# ---------------------------------------------------------------- shared pieces

SECTIONS = (
    Section("overview", "一", "总体情况", "text", "（文字描述）"),
    Section("proactive", "二", "主动公开政府信息情况", "tables"),
    Section("requests", "三", "收到和处理政府信息公开申请情况", "tables"),
    Section("appeals", "四", "政府信息公开行政复议、行政诉讼情况", "tables"),
    Section("problems", "五", "存在的主要问题及改进情况", "text", "（文字描述）"),
    Section("other", "六", "其他需要报告的事项", "text", "（文字描述，收取信息处理费情况在此处报告。）"),
)
TEXT_SECTIONS = tuple(s for s in SECTIONS if s.kind == "text")
GRID_SECTIONS = {"section2": "proactive", "section3": "requests", "section4": "appeals"}  # Report field → Section.key

LEGAL_PERSON = "法人或其他组织"
S3_COLUMNS = (
    Column("natural", "自然人"),
    Column("business", "商业企业", group=LEGAL_PERSON),
    Column("research", "科研机构", group=LEGAL_PERSON),
    Column("nonprofit", "社会公益组织", group=LEGAL_PERSON),
    Column("legal", "法律服务机构", group=LEGAL_PERSON),
    Column("other", "其他", group=LEGAL_PERSON),
    Column("total", "总计", is_total=True),
)
S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

RESULTS = HeaderRow("results", "三、", "本年度办理结果", aliases=("本年度受理结果",))
REFUSED = HeaderRow("refused", "（三）", "不予公开")
UNABLE = HeaderRow("unable", "（四）", "无法提供")
NOT_HANDLED = HeaderRow("not_handled", "（五）", "不予处理")
OTHER = HeaderRow("other", "（六）", "其他处理")


def _leaf(key: str, number: str, label: str, *groups: HeaderRow, aliases: tuple[str, ...] = ()) -> Row:
    return Row(key, label, number, aliases, is_leaf=True, groups=tuple(g.key for g in (RESULTS, *groups)))


def _s3_rows(other_rows: tuple[Row, ...]) -> tuple[Row, ...]:
    return (
        Row("new", "本年新收政府信息公开申请数量", "一、"),
        Row("carried_in", "上年结转政府信息公开申请数量", "二、"),
        _leaf("granted", "（一）", "予以公开"),
        _leaf("partial", "（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
        _leaf("refused_secret", "1.", "属于国家秘密", REFUSED),
        _leaf("refused_law", "2.", "其他法律行政法规禁止公开", REFUSED,
              aliases=("其他法律和行政法规禁止公开", "其他法律行政止公开")),
        _leaf("refused_security", "3.", "危及“三安全一稳定”", REFUSED),
        _leaf("refused_third_party", "4.", "保护第三方合法权益", REFUSED),
        _leaf("refused_internal", "5.", "属于三类内部事务信息", REFUSED),
        _leaf("refused_process", "6.", "属于四类过程性信息", REFUSED),
        _leaf("refused_enforcement", "7.", "属于行政执法案卷", REFUSED, aliases=("属于行政执法案件",)),
        _leaf("refused_query", "8.", "属于行政查询事项", REFUSED),
        _leaf("unable_not_held", "1.", "本机关不掌握相关政府信息", UNABLE),
        _leaf("unable_create", "2.", "没有现成信息需要另行制作", UNABLE),
        _leaf("unable_unclear", "3.", "补正后申请内容仍不明确", UNABLE),
        _leaf("nh_petition", "1.", "信访举报投诉类申请", NOT_HANDLED),
        _leaf("nh_repeat", "2.", "重复申请", NOT_HANDLED),
        _leaf("nh_publication", "3.", "要求提供公开出版物", NOT_HANDLED),
        _leaf("nh_mass", "4.", "无正当理由大量反复申请", NOT_HANDLED),
        _leaf("nh_confirm", "5.", "要求行政机关确认或重新出具已获取信息", NOT_HANDLED),
        *other_rows,
        Row("results_total", "总计", "（七）", is_total=True, groups=(RESULTS.key,)),
        Row("carried_out", "结转下年度继续办理", "四、"),
    )


S3_OTHER_2021 = (
    _leaf("other_no_correction", "1.", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", OTHER,
          aliases=("申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",)),
    _leaf("other_no_fee", "2.", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", OTHER,
          aliases=("申请人逾期未按收费通知要求缴纳费用、行政机关不再受理其政府信息公开申请",)),
    _leaf("other_other", "3.", "其他", OTHER),
)
S3_OTHER_2019 = (_leaf("other", "（六）", "其他处理"),)

S4 = Section4(
    groups=(
        CaseGroup("review", "行政复议", aliases=("行政法复议",)),
        CaseGroup("direct_suit", "未经复议直接起诉", "行政诉讼"),
        CaseGroup("suit_after_review", "复议后起诉", "行政诉讼"),
    ),
    columns=(
        Column("upheld", "结果维持"),
        Column("corrected", "结果纠正"),
        Column("other", "其他结果"),
        Column("pending", "尚未审结"),
        Column("total", "总计", is_total=True),
    ),
)

_ITEM_2021 = (Column("decisions", "本年处理决定数量"),)
_PROJECT_2019 = (
    Column("prev_items", "上一年项目数量", unit="项"),
    Column("delta", "本年增/减", kind=ValueKind.DELTA, unit="项", aliases=("本年增减",)),
)

EDITION_2021 = Edition(
    name="2021",
    basis="国办公开办函〔2021〕30号",
    sections=SECTIONS,
    section2=(
        Table("art20_1", "第二十条第（一）项",
              (Column("issued", "本年制发件数"), Column("repealed", "本年废止件数", aliases=("本年废止件",)),
               Column("in_force", "现行有效件数", aliases=("先行有效件数",))),
              (Row("regulations", "规章"), Row("normative_docs", "行政规范性文件"))),
        Table("art20_5", "第二十条第（五）项", _ITEM_2021, (Row("licensing", "行政许可"),)),
        Table("art20_6", "第二十条第（六）项", _ITEM_2021,
              (Row("penalty", "行政处罚"), Row("coercion", "行政强制"))),
        Table("art20_8", "第二十条第（八）项",
              (Column("fee_amount", "本年收费金额（单位：万元）", kind=ValueKind.AMOUNT, unit="万元"),),
              (Row("fees", "行政事业性收费"),)),
    ),
    section3=Section3(S3_NOTE, "申请人情况", S3_COLUMNS, (RESULTS, REFUSED, UNABLE, NOT_HANDLED, OTHER),
                      _s3_rows(S3_OTHER_2021)),
    section4=S4,
    foreign_leaves=(("other", "other_other"),),
)

EDITION_2019 = Edition(
    name="2019",
    basis="国办公开办函〔2019〕60号",
    sections=SECTIONS,
    section2=(
        Table("art20_1", "第二十条第（一）项",
              (Column("made", "本年新制作数量"), Column("published", "本年新公开数量"),
               Column("public_total", "对外公开总数量")),
              (Row("regulations", "规章"), Row("normative_docs", "规范性文件"))),
        Table("art20_5", "第二十条第（五）项", (*_PROJECT_2019, Column("decisions", "处理决定数量")),
              (Row("licensing", "行政许可"), Row("other_services", "其他对外管理服务事项"))),
        Table("art20_6", "第二十条第（六）项", (*_PROJECT_2019, Column("decisions", "处理决定数量")),
              (Row("penalty", "行政处罚"), Row("coercion", "行政强制"))),
        Table("art20_8", "第二十条第（八）项", _PROJECT_2019, (Row("fees", "行政事业性收费"),)),
        Table("art20_9", "第二十条第（九）项",
              (Column("purchase_items", "采购项目数量", unit="项"),
               Column("purchase_amount", "采购总金额（单位：万元）", kind=ValueKind.AMOUNT, unit="万元",
                      aliases=("采购总金额",))),
              (Row("procurement", "政府集中采购"),)),
    ),
    section3=Section3(S3_NOTE, "申请人情况", S3_COLUMNS, (RESULTS, REFUSED, UNABLE, NOT_HANDLED),
                      _s3_rows(S3_OTHER_2019)),
    section4=S4,
    foreign_leaves=tuple((row.key, "other") for row in S3_OTHER_2021),
)

@cache
def edition(name: str) -> Edition:
    if name == "2021":
        return EDITION_2021
    if name == "2019":
        return EDITION_2019
    raise KeyError(name)


REPORT_TITLE = "{agency}{year}年政府信息公开工作年度报告"
REPORT_YEARS = range(2008, 2101)  # the 条例 took effect in 2008; a year beyond 2100 is a typo
# What portals and file names add after a title: “…年度报告_某市人民政府”, “…年度报告（定稿）”.
_TITLE_TRAILERS = "_|—–\\-·.(\\[【"
_SPACES = re.compile(r"\s+")


@cache
def _title_pattern() -> re.Pattern[str]:
    """REPORT_TITLE as a pattern: the agency (which may stand on a line of its own, so may be
    missing here), four digits, the fixed words with 年度 for 年, then what a portal adds."""
    agency_before, rest = REPORT_TITLE.split("{agency}")
    between, words = rest.split("{year}")
    assert words.startswith("年")  # the year's 年, written 年度 as often as not
    fixed = "年度?" + re.escape(words[1:])
    # Greedy: the last year followed by the fixed words is the title's, whatever the agency's name holds.
    return re.compile(f"{re.escape(agency_before)}(?P<agency>.*){re.escape(between)}(?P<year>\\d{{4}})"
                      f"{fixed}(?:[{_TITLE_TRAILERS}].*)?", re.S)


def parse_title(text: str) -> tuple[str, int] | None:
    """(agency, year) of a report's title as people write REPORT_TITLE: compared with whitespace
    removed and compatibility forms folded (NFKC: full-width digits, the radicals some PDFs carry),
    so the agency comes back in that form; "" when the title does not name it. None for anything
    else, or a year outside REPORT_YEARS."""
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    found = _title_pattern().fullmatch(folded)
    if found is None or int(found["year"]) not in REPORT_YEARS:
        return None
    return found["agency"], int(found["year"])

# The 基本信息 sheet of the agency workbook: model field → label (label in column A, value in B).
META_FIELDS: tuple[tuple[str, str], ...] = (
    ("agency", "单位名称"),
    ("year", "报告年度"),
    ("edition", "格式版本"),
    ("report_date", "成文日期"),
    ("contact_person", "填报人"),
    ("contact_phone", "联系电话"),
)
META_SHEET = "基本信息"
TEXT_SHEET = "文字部分"  # section heading in column A, its text in column B

