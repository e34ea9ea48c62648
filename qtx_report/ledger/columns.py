"""The ledger's columns and drop-down values, defined once: the template writer, its 说明 sheet and
the reader all use REQUEST_COLUMNS / CASE_COLUMNS; official labels (applicant types, results,
section 四) come from `form`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qtx_report.form.editions import edition

ColumnKind = Literal["text", "date", "choice", "flag"]


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    label: str
    help: str  # for the 说明 sheet; {choices} is replaced by the drop-down values
    kind: ColumnKind = "text"
    required: bool = False  # the reader refuses a sheet without this column
    width: int = 12
    strict: bool = True  # for choices: only listed values (the result decides the count)
    aliases: tuple[str, ...] = ()


REQUEST_SHEET = "登记台账"
CASE_SHEET = "复议诉讼"
HELP_SHEET = "说明"
LIST_SHEET = "选项"

METHODS = ("当面", "信函", "传真", "网络")  # 附件3 四
DELIVERIES = ("邮寄", "电子邮件", "现场领取", "网络平台", "其他")  # 附件3 十一
YES, NO = "是", "否"

REQUEST_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("number", "编号", "每件申请一个编号，同一台账内不得重复（如 2024-001）。", required=True, width=11,
                 aliases=("序号", "登记编号")),
    LedgerColumn("received", "收到日期",
                 "收到申请之日（附件3 五）：网络平台以双方确认之日、邮寄以签收之日、传真以送达并确认之日、"
                 "当面以提交之日为准。答复期限自次日起算。", "date", required=True, width=12,
                 aliases=("接收日期", "收到申请日期")),
    LedgerColumn("name", "申请人姓名（名称）", "公民填姓名，法人或其他组织填名称。", width=16,
                 aliases=("申请人姓名", "申请人名称", "申请人")),
    LedgerColumn("contact", "联系方式", "电话、通信地址或电子邮箱。", width=14),
    LedgerColumn("applicant", "申请人类型", "从下拉列表选择：{choices}。决定计入第三部分哪一列。", "choice",
                 required=True, width=13),
    LedgerColumn("method", "申请方式", "从下拉列表选择：{choices}（附件3 四）。", "choice", width=9),
    LedgerColumn("content", "申请内容", "申请公开的政府信息的名称、文号或特征性描述。", width=28),
    LedgerColumn("correction", "是否补正", "告知申请人补正的填“是”。", "flag", width=9),
    LedgerColumn("correction_notice", "补正告知日期",
                 "一次性告知补正事项之日；应在收到申请之日起7个工作日内（附件3 八（二））。", "date", width=12),
    LedgerColumn("correction_done", "补正完成日期",
                 "收到补正后申请之日；答复期限自次日重新起算（条例第三十条）。申请人逾期不补正的留空，"
                 "办理结果选“申请人无正当理由逾期不补正…”。", "date", width=12),
    LedgerColumn("consulted", "是否征求第三方意见", "征求第三方或其他机关意见的填“是”。", "flag", width=10,
                 aliases=("是否征求意见",)),
    LedgerColumn("consult_from", "征求意见开始日期",
                 "发出征求意见之日。开始至结束日期（含两端）内的工作日不计入答复期限（条例第三十三条）。", "date",
                 width=12, aliases=("征求意见起始日期",)),
    LedgerColumn("consult_to", "征求意见结束日期", "收到意见（或征求期满）之日；尚在征求中的留空。", "date", width=12,
                 aliases=("征求意见截止日期",)),
    LedgerColumn("extended", "是否延期",
                 "经政府信息公开工作机构负责人同意并告知申请人延长答复期限的填“是”（最长延长20个工作日）。", "flag",
                 width=9),
    LedgerColumn("due", "答复期限",
                 "附件3 五要求登记。可运行 qtx-report ledger-status 查看算出的期限后填写；统计时不读取本列，"
                 "按规则重新计算。", "date", width=12),
    LedgerColumn("answered", "答复日期",
                 "作出答复之日（邮寄以交邮之日、电子送达以发出之日、现场领取以签收之日，附件3 十一）。未答复的留空。",
                 "date", required=True, width=12),
    LedgerColumn("result", "办理结果",
                 "答复后从下拉列表选择，文字与年度报告第三部分一致；每件申请只选一项（部分公开的只计部分公开）。", "choice",
                 required=True, width=30),
    LedgerColumn("delivery", "送达方式", "如：{choices}。", "choice", width=10, strict=False),
    LedgerColumn("remark", "备注", "", width=20),
)

CASE_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("number", "案号", "复议或诉讼的案号，不得重复。", required=True, width=20),
    LedgerColumn("kind", "类型", "从下拉列表选择：{choices}。复议机关作共同被告的，只由原行政行为机关统计"
                 "（附件4 三（四））。", "choice", required=True, width=16),
    LedgerColumn("received", "收到日期", "收到复议申请书副本或起诉状副本之日；案件计入该日期所在年度。", "date",
                 required=True, width=12),
    LedgerColumn("result", "结果", "从下拉列表选择：{choices}。", "choice", required=True, width=12),
    LedgerColumn("concluded", "审结日期", "作出复议决定或裁判之日。晚于统计年度年底的，该年度按尚未审结统计。", "date",
                 width=12),
    LedgerColumn("remark", "备注", "", width=20),
)

GENERAL_HELP: tuple[str, ...] = (
    "本台账由 qtx-report template --ledger 生成；qtx-report tally 据此统计年度报告第三、四部分，"
    "qtx-report ledger-status 列出未办结、即将到期和已逾期的申请。",
    "表头文字请勿修改；列的顺序可以调整，也可以增加其他列。每件申请占一行，日期请填写为日期（如 2024-03-05）。",
    "统计口径：一、本年新收＝本年收到；二、上年结转＝以前年度收到、本年1月1日前未答复；"
    "三、办理结果＝本年答复的，按办理结果计；四、结转下年度＝本年底前收到、本年底前未答复。"
    "上年收到的申请不在本台账的，统计时用 --previous-ledger 提供上年台账。",
    "答复期限（条例第三十条、第三十三条，附件3 五、八、十）：自收到申请之日的次日起20个工作日；"
    "延期的再加20个工作日；要求补正的，补正告知应在收到申请后7个工作日内发出，答复期限自收到补正之日的次日重新起算；"
    "征求第三方和其他机关意见的时间不计入期限。工作日按国务院公布的节假日和调休安排计算。",
)

# ---------------------------------------------------------------- drop-down values, from the form


def result_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    """(printed text, row key) of each leaf result row, e.g. （三）1.属于国家秘密: the group stays visible."""
    s3 = edition(edition_name).section3
    headers = {h.key: h for h in s3.header_rows}
    outermost = s3.header_rows[0].key  # 三、本年度办理结果 encloses every leaf
    choices = []
    for leaf in s3.leaves:
        inner = leaf.groups[-1]
        prefix = headers[inner].number if inner != outermost else ""
        choices.append((f"{prefix}{leaf.title}", leaf.key))
    return tuple(choices)


def applicant_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((c.label, c.key) for c in edition(edition_name).section3.applicant_columns)


def case_kind_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((g.label, g.key) for g in edition(edition_name).section4.groups)


def case_result_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((c.label, c.key) for c in edition(edition_name).section4.part_columns)


