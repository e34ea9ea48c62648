"""Findings are data: a code from the catalogue, a severity, and where in which file.

The catalogue (`CODES`) lists every code the readers and the rules can emit; `docs/rules.md`
is generated from it, so a code cannot exist without its description. Each code also says which
exit code it leads to, so no command decides that on its own.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from qtx_report.model.places import Place

Severity = Literal["error", "warning", "info"]
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}  # as users read them
Category = Literal["input", "structure", "value", "balance", "text", "privacy", "date", "history", "ledger"]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    category: Category
    title: str  # one line, Chinese, what is wrong
    why: str  # why it matters / what to do
    needs_previous: bool = False
    unreadable: bool = False  # the file (or a cell the command cannot do without) cannot be read: exit 2

    @property
    def exit(self) -> int:
        """The exit code a finding of this code leads to (warnings only under --strict)."""
        if self.unreadable:
            return 2
        return 1 if self.severity == "error" else 0


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # input: files and cells as read
        Code("I100", "error", "input", "文件无法读取",
             "文件不是可读取的 .xlsx / .json / .docx 报告，或已损坏、加密。按提示处理后再试。", unreadable=True),
        Code("I101", "error", "input", "数字单元格为空",
             "空白不等于0：没有发生的事项请填写0，便于核对是否漏填。"),
        Code("I102", "error", "input", "单元格内容无法读作数字",
             "如“十二”“约10”等，请改为阿拉伯数字。"),
        Code("I103", "warning", "input", "单元格内容已按数字读取",
             "全角数字、文本格式的数字、带单位的数字（如“12件”）、“—”“/”已按所示数值读取，请改为纯数字以免误读。"),
        Code("I104", "warning", "input", "标签与官方格式文字不一致",
             "已按最接近的官方标签读取（如“先行有效件数”读作“现行有效件数”），请改为官方文字。"),
        Code("I105", "info", "input", "合计单元格为空或为未计算的公式，已自动计算",
             "工作簿中的合计公式没有保存计算结果（或为空），已按各分项相加得出。"),
        Code("I106", "error", "input", "基本信息缺失或无法读取",
             "单位名称、报告年度须填写；成文日期须为日期，如 2026-01-10。"),
        Code("I107", "warning", "input", "没有基本信息，单位和年度取自标题或文件名",
             "从 Word 报告粘贴来的工作簿没有“基本信息”表时，按“某单位某年政府信息公开工作年度报告”标题读取，请核对。"),
        # structure: the tables or the section headings do not follow the edition
        Code("S201", "error", "structure", "表格缺少官方格式规定的行或列",
             "请使用 qtx-report template 生成的模板，或补齐官方格式中的行列。"),
        Code("S202", "error", "structure", "出现了另一版本格式的行",
             "一份报告只能使用一个版本的格式（2021版或2019版），请按所选版本修改表格。"),
        Code("S203", "error", "structure", "行的顺序与官方格式不一致",
             "请按官方格式的顺序排列各行。"),
        Code("S204", "warning", "structure", "正文六个部分的标题缺失、顺序不对或序号有误",
             "年度报告依次为一、总体情况至六、其他需要报告的事项六个部分，标题的序号和顺序须与官方格式一致。"),
        Code("S205", "warning", "structure", "文字部分的分项用了一级标题的序号",
             "一、至六、是六个部分的标题序号；部分之内的分项应编号为（一）（二）……，否则读者会把分项当成新的部分。"),
        # value: what a single number may be
        Code("V301", "error", "value", "件数不是整数",
             "件数只能是整数，请核对是否误填了金额或小数。"),
        Code("V302", "error", "value", "件数或金额为负数",
             "除“本年增/减”外，数值不能为负数。"),
        Code("V303", "info", "value", "现行有效件数较多而本年没有废止",
             "现行有效的规章或规范性文件超过100件，本年却没有废止一件：请核对是否开展了文件清理，清理结果是否如实填报。"),
        # balance: the arithmetic the form itself prints
        Code("B401", "error", "balance", "第三部分勾稽关系不成立：一+二≠（七）总计+四",
             "本年新收与上年结转之和，必须等于办理结果总计与结转下年度之和。"),
        Code("B402", "error", "balance", "第三部分（七）总计不等于各项办理结果之和",
             "（七）总计应等于（一）至（六）所有末级办理结果相加。"),
        Code("B403", "error", "balance", "第三部分“总计”列不等于各类申请人之和",
             "每一行的“总计”应等于自然人与五类法人或其他组织相加。"),
        Code("B404", "error", "balance", "第四部分“总计”不等于维持、纠正、其他、尚未审结之和",
             "行政复议、未经复议直接起诉、复议后起诉的“总计”各自等于其四项结果相加。"),
        # text sections
        Code("T501", "warning", "text", "文字部分缺失或过短",
             "总体情况、存在的主要问题及改进情况应具体详实，不能空缺或一笔带过。"),
        Code("T502", "warning", "text", "正文中的数字与表格不一致",
             "正文所述件数（如“共收到申请N件”“办结N件”“行政复议N件”“所有申请均已办结”）应与第三、四部分表格一致。"),
        Code("T503", "warning", "text", "与上年度报告雷同",
             "与上年度报告文字相似度达到阈值，不得“年年雷同”，请据实重写。", needs_previous=True),
        Code("T505", "warning", "text", "正文写的年份不是报告年度",
             "描述本年度工作时写成了其他年份（多为照抄上年度报告未改年份）；与往年比较的写法（较上年、同比）不在此列。"),
        Code("T506", "warning", "text", "“其他需要报告的事项”没有说明信息处理费情况",
             "官方格式规定收取信息处理费的情况在第六部分报告；没有收取的，也应写明“未收取信息处理费”。"),
        Code("T507", "warning", "text", "“总体情况”缺少应报告的方面",
             "总体情况应包括主动公开、依申请公开、政府信息管理、平台建设、监督保障等方面"
             "（人民政府还应报告工作考核、社会评议和责任追究结果情况）。"),
        Code("T508", "warning", "text", "与本市其他单位的报告雷同",
             "同一年度两个单位的“总体情况”或“存在的主要问题及改进情况”大段相同（按年年雷同的同一算法，"
             "不计官方格式的固定表述和多数单位共用的说法），请各自据实撰写。由 city 汇总时发现。"),
        # privacy: personal information in the text, which must be masked before publication
        Code("P901", "warning", "privacy", "正文中有身份证号",
             "按“隐私信息要遮掩”的要求，公开前请删除或遮掩身份证号。"),
        Code("P902", "warning", "privacy", "正文中有手机号",
             "本单位的联系电话、咨询电话除外；个人的手机号公开前请删除或遮掩。"),
        Code("P903", "warning", "privacy", "正文中有银行卡号",
             "按“隐私信息要遮掩”的要求，公开前请删除或遮掩银行卡号。"),
        # dates
        Code("D601", "warning", "date", "成文日期晚于报送或公布期限",
             "青铜峡市要求1月15日前报送，条例要求1月31日前公布。"),
        Code("D602", "warning", "date", "成文日期缺失或不在报告年度之后",
             "成文日期应为报告年度次年的日期。"),
        # year over year
        Code("H701", "warning", "history", "上年结转与上年度报告的结转下年度不一致",
             "本年“二、上年结转”应等于上年度报告“四、结转下年度继续办理”（逐列）。", needs_previous=True),
        Code("H702", "warning", "history", "现行有效件数与上年度不衔接",
             "现行有效件数一般应等于上年现行有效件数加本年制发减本年废止。", needs_previous=True),
        Code("H703", "warning", "history", "上一年项目数量与上年度不衔接",
             "本年“上一年项目数量”一般应等于上年度的“上一年项目数量”加“本年增/减”。", needs_previous=True),
        Code("H704", "warning", "history", "表格与上年度报告完全相同",
             "第二、三、四部分的每一个数字都与上年度报告相同，多为照抄上年度报告未更新数据，请核对。", needs_previous=True),
        Code("H705", "info", "history", "数字较上年变化5倍以上",
             "新收申请或第二部分的数字是上年的5倍以上或不到五分之一：请核对是否填错（单位、漏填、多计），"
             "确属实际变化的宜在正文说明原因。", needs_previous=True),
        Code("H706", "info", "history", "上年较多，本年为0",
             "上年有一定数量（10及以上）的事项本年为0：请核对是否漏填，确实没有发生的宜在正文说明。", needs_previous=True),
        # ledger: the request ledger (登记台账) read by `tally` and `ledger-status`
        Code("L800", "error", "ledger", "台账单元格无法读作日期",
             "日期请填写为日期格式或 2024-03-05 这样的文字；改正后再统计（退出码 2）。", unreadable=True),
        Code("L801", "error", "ledger", "台账行缺少收到日期",
             "收到日期决定申请计入哪一年度，缺少时该行无法统计。"),
        Code("L802", "error", "ledger", "台账行的办理结果缺失或无法识别",
             "已答复的申请须从下拉列表选择办理结果（与第三部分末级办理结果一致），答复日期与办理结果须同时填写。"),
        Code("L803", "error", "ledger", "答复日期早于收到日期",
             "请核对两个日期，该行无法统计。"),
        Code("L804", "error", "ledger", "台账编号重复",
             "同一申请登记了两次会被重复统计；请删除重复行或改正编号。"),
        Code("L805", "error", "ledger", "申请人类型缺失或无法识别",
             "申请人类型决定计入第三部分哪一列，请从下拉列表选择。"),
        Code("L806", "warning", "ledger", "补正、征求意见或延期信息不完整，无法核对期限",
             "不影响件数统计，但答复期限无法准确计算，请补全日期。"),
        Code("L807", "warning", "ledger", "台账行未填编号",
             "请为每件申请编号，便于查找和核对重复登记。"),
        Code("L808", "error", "ledger", "复议诉讼表的行无法统计",
             "类型、结果须从下拉列表选择，收到日期须填写，案号不得重复。"),
        Code("L809", "warning", "ledger", "台账行有误，但不涉及本年度统计",
             "该行不计入本年度，但仍请改正，以免影响其他年度。"),
        Code("L810", "warning", "ledger", "台账中没有以前年度收到的申请",
             "上年跨年未办结的申请计入“二、上年结转”；如有，请用 --previous-ledger 提供上年台账。"),
        Code("L811", "warning", "ledger", "答复逾期",
             "条例第三十三条：自收到申请之日起20个工作日内答复，延期最长20个工作日；补正后重新起算，征求意见时间不计入。"),
        Code("L812", "warning", "ledger", "补正告知逾期",
             "附件3 八（二）：应在收到申请之日起7个工作日内一次性告知补正事项。"),
        Code("L813", "warning", "ledger", "尚未答复，已超过答复期限",
             "请尽快答复申请人。"),
        Code("L814", "info", "ledger", "尚未办结，5个工作日内到期",
             "请在期限前答复或发出补正告知；确需延期的，经负责人同意并告知申请人。"),
        Code("L815", "warning", "ledger", "该年度的法定节假日安排未知",
             "chinese-calendar 尚无该年数据，工作日按周一至周五计算；升级 chinesecalendar 包后重新统计。"),
    )
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    file: str = ""
    section: str = ""  # e.g. 三、收到和处理政府信息公开申请情况
    row: str = ""  # official row label
    column: str = ""  # official column label
    expected: str | None = None
    actual: str | None = None
    place: Place | None = None  # where in the file
    key: tuple[str, str, str] | None = None  # the form's cell (grid, row key, column key), if it is one

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def category(self) -> Category:
        return CODES[self.code].category

    @property
    def sheet(self) -> str:
        return self.place.sheet if self.place else ""

    @property
    def cell(self) -> str:
        """The place as people read it; a form cell with no place in the file (a JSON report) by its keys."""
        if self.place is not None:
            return self.place.cell
        return ".".join(self.key) if self.key else ""

    def to_dict(self) -> dict[str, object]:
        """The finding as JSON format version 1 prints it."""
        return {"code": self.code, "severity": self.severity, "message": self.message, "file": self.file,
                "section": self.section, "row": self.row, "column": self.column, "expected": self.expected,
                "actual": self.actual, "sheet": self.sheet, "cell": self.cell}


def place_text(sheet: str, cell: str) -> str:
    """Where a finding is, as `check` prints it and the city's notices repeat it:
    工作表“二、主动公开” C5, 表2 第3行第4列, 第2页第5行; "" for a finding with no place."""
    return " ".join(p for p in (f"工作表“{sheet}”" if sheet else "", cell) if p)


class InputError(Exception):
    """A file that cannot be read at all: named with where and what to do."""

    def __init__(self, file: str, message: str, place: Place | None = None) -> None:
        self.file, self.message, self.place = file, message, place
        super().__init__(self.describe())

    @classmethod
    def from_os_error(cls, err: OSError, path: object = None) -> InputError:
        """The one translation of what the operating system refused, naming the path."""
        name = str(path if path is not None else err.filename or "")
        return cls(name, _OS_ERRORS.get(err.errno or 0, _OS_OTHER).format(code=errno.errorcode.get(err.errno or 0, err.errno)))

    def describe(self) -> str:
        sheet, cell = (self.place.sheet, self.place.cell) if self.place else ("", "")
        where = "，".join(p for p in (f"工作表“{sheet}”" if sheet else "", f"单元格 {cell}" if cell else "") if p)
        return f"{self.file}：{where + '：' if where else ''}{self.message}"


_OS_OTHER = "操作系统拒绝了这次读写（错误代码 {code}）。请检查路径、权限和磁盘后再试。"
_OS_ERRORS = {
    errno.ENOENT: "找不到该文件或文件夹，请检查路径和文件名。",
    errno.EACCES: "没有权限读写该文件或文件夹。请检查权限，或换一个文件夹。",
    errno.EPERM: "没有权限读写该文件或文件夹。请检查权限，或换一个文件夹。",
    errno.ENAMETOOLONG: "路径或文件名过长。请改短文件名，或换一个路径较短的文件夹。",
    errno.EISDIR: "这是文件夹，这里需要文件。",
    errno.ENOTDIR: "路径中有一段不是文件夹（这里需要文件夹，却是文件）。请检查路径。",
    errno.EEXIST: "已有同名的文件或文件夹。请换一个名称。",
    errno.ENOTEMPTY: "文件夹不是空的，无法替换。请换一个文件夹。",
    errno.ENOSPC: "磁盘空间不足。请清理磁盘后再试。",
    errno.EDQUOT: "磁盘配额已用完。请清理后再试。",
    errno.EROFS: "所在磁盘是只读的。请换一个可以写入的文件夹。",
    errno.ELOOP: "路径中的快捷方式（符号链接）循环指向自己。请检查路径。",
    errno.EBUSY: "该文件正被其他程序占用。请关闭其他程序后再试。",
    errno.ETXTBSY: "该文件正被其他程序占用。请关闭其他程序后再试。",
    errno.EMFILE: "同时打开的文件过多。请稍后再试，或减少 --jobs。",
    errno.ENFILE: "同时打开的文件过多。请稍后再试，或减少 --jobs。",
    errno.EIO: "读写出错（磁盘或网络盘故障）。请检查磁盘后再试。",
    errno.EXDEV: "无法在不同磁盘之间移动文件。请把输出放在同一磁盘上。",
}


def exit_code(findings: Iterable[Finding], strict: bool = False) -> int:
    """0 clean; 1 when a report is wrong (or has warnings under --strict); 2 when a file could not be read."""
    worst = 0
    for f in findings:
        worst = max(worst, CODES[f.code].exit, 1 if strict and f.severity == "warning" else 0)
    return worst
