"""The catalogue of codes as `rules` prints it: each code, who emits it, and its case as example."""

from __future__ import annotations

from qtx_report.model.findings import CODES, SEVERITY_NAMES
from qtx_report.rules.casebook import load_cases
from qtx_report.rules.registry import RULES

_CATEGORY_TITLES = {
    "input": "读取（I）", "structure": "报告结构（S）", "value": "数值（V）", "balance": "勾稽与合计（B）",
    "text": "文字（T）", "privacy": "个人信息（P）", "date": "日期（D）", "history": "与上年度比对（H）",
    "ledger": "登记台账（L）",
}

# Codes found outside the rules, by a full code or a code prefix, to the module (or package) that
# emits them. Named as paths rather than imported: rules/ stands below read/ and ledger/. A rule's
# code is owned by its check in RULES.
OTHER_OWNERS: dict[str, str] = {
    "I100": "qtx_report.api",  # any reader's InputError, reported as a finding of the file
    "I102": "qtx_report.read.tables",
    "I103": "qtx_report.read.tables",
    "I104": "qtx_report.read.tables",
    "I105": "qtx_report.read.tables",
    "I106": "qtx_report.read.xlsx",
    "I107": "qtx_report.read.xlsx",
    "S201": "qtx_report.read.tables",  # S204, the headings, is a rule's
    "S202": "qtx_report.read.tables",
    "S203": "qtx_report.read.tables",
    "T508": "qtx_report.city.copying",  # across agencies: only the city sees them all
    "L8": "qtx_report.ledger",  # the package: its reader, tally and deadline modules share the codes
}


def claims(code: str) -> list[str]:
    """Everyone who says they emit `code`; exactly one, as the tests hold."""
    found = [rule.owner for rule in RULES if code in rule.codes]
    return found + [owner for key, owner in OTHER_OWNERS.items() if code.startswith(key)]


def owner(code: str) -> str:
    """The module (and for a rule, the check function) that emits `code`."""
    (who,) = claims(code)
    return who


def catalogue_text() -> str:
    return "\n".join(f"{c.code}  {SEVERITY_NAMES[c.severity]}  {c.title}" for c in CODES.values())


def catalogue_markdown() -> str:
    cases = load_cases()
    rule_codes = [code for rule in RULES for code in rule.codes]
    unreadable = "、".join(c.code for c in CODES.values() if c.exit == 2)
    lines = ["# 校验规则", "", "本文件由 `qtx-report rules --markdown` 生成，请勿手工修改。", "",
             f"严重程度：错误（报告有误，check 返回 1；文件根本无法读取的 {unreadable} 返回 2）、警告（可能有误，由人判断；"
             "`--strict` 时返回 1）、提示（不影响结果）。", "",
             "“发现者”是发现该问题的检查函数或模块。每条校验规则的示例取自 `qtx_report/rules/cases/<代码>.toml`："
             "在一份平衡、不触发任何规则的报告上作所示改动，即发现该问题；测试逐一运行这些示例。", ""]
    for category, title in _CATEGORY_TITLES.items():
        codes = [c for c in CODES.values() if c.category == category]
        if not codes:
            continue
        lines += [f"## {title}", "", "| 代码 | 严重程度 | 规则 | 说明 | 发现者 |", "|---|---|---|---|---|"]
        for c in codes:
            extra = "（需要 --previous 上年度报告）" if c.needs_previous else ""
            lines.append(f"| {c.code} | {SEVERITY_NAMES[c.severity]} | {c.title} | {c.why}{extra} | `{owner(c.code)}` |")
        lines.append("")
        examples = [cases[c.code] for c in codes if c.code in cases]
        if examples:
            lines += ["示例：", ""]
            lines += [f"- {case.code}（{case.description}）：{case.example()}" for case in examples]
            lines.append("")
    lines.append(f"共 {len(CODES)} 条；其中 {len(rule_codes)} 条由 `qtx_report/rules/` 的 {len(RULES)} 个检查函数发现，"
                 "其余由读取阶段、台账和全市汇总发现。")
    return "\n".join(lines) + "\n"
