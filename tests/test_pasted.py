"""A workbook pasted from a published 2019-format Word report: one sheet, labels as printed
(spaces, half-width brackets, 本年度受理结果), no 基本信息. It must be read by label."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate

# Rows as a person pastes them: tab-separated cells, "|" separates the label part from numbers.
PASTED = """\
青铜峡市某镇人民政府2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t2\t2\t15
第二十条第（五）项
信息内容\t上一年项目数量\t本年增 / 减\t处理决定数量
行政许可\t12\t-2\t40
其他对外管理服务事项\t5\t1\t9
第二十条第（六）项
信息内容\t上一年项目数量\t本年增 / 减\t处理决定数量
行政处罚\t3\t0\t6
行政强制\t0\t0\t0
信息内容\t上一年项目数量\t本年增 / 减
行政事业性收费\t1\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t4\t96171.6
三、收到和处理政府信息公开申请情况
(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t\t申请人情况
\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计
\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他
一、本年新收政府信息公开申请数量\t\t\t5\t1\t0\t0\t0\t0\t6
二、上年结转政府信息公开申请数量\t\t\t1\t0\t0\t0\t0\t0\t1
三、本年度受理结果\t(一) 予以公开\t\t3\t1\t0\t0\t0\t0\t4
\t(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)\t\t1\t0\t0\t0\t0\t0\t1
\t(三) 不予公开\t1. 属于国家秘密\t0\t0\t0\t0\t0\t0\t0
\t\t2. 其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0
\t\t3. 危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
\t\t4. 保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0
\t\t5. 属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0
\t\t6. 属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0
\t\t7. 属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0
\t\t8. 属于行政查询事项\t0\t0\t0\t0\t0\t0\t0
\t(四) 无法提供\t1. 本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1
\t\t2. 没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
\t\t3. 补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
\t(五) 不予处理\t1. 信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
\t\t2. 重复申请\t0\t0\t0\t0\t0\t0\t0
\t\t3. 要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0
\t\t4. 无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0
\t\t5. 要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0
\t(六) 其他处理\t\t—\t/\t0\t0\t0\t0\t0
\t(七) 总计\t\t5\t1\t0\t0\t0\t0\t6
四、结转下年度继续办理\t\t\t1\t0\t0\t0\t0\t0\t1
四、政府信息公开行政复议、行政诉讼情况
行政复议\t\t\t\t\t行政诉讼
结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总 计\t未经复议直接起诉\t\t\t\t\t复议后起诉
\t\t\t\t\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总 计\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总 计
1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0
"""


def paste(path: Path, text: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for r, line in enumerate(text.splitlines(), start=1):
        for c, cell in enumerate(line.split("\t"), start=1):
            if cell:
                sheet.cell(r, c, _number(cell))
    book.save(path)


def _number(cell: str) -> object:
    try:
        return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell


def test_a_pasted_2019_report_is_read_by_label(tmp_path: Path) -> None:
    path = tmp_path / "某镇2020年报告.xlsx"
    paste(path, PASTED)
    loaded = load_report(path)
    report = loaded.report
    assert (report.agency, report.year, report.edition) == ("青铜峡市某镇人民政府", 2020, "2019")
    assert report.section2["licensing"] == {"prev_items": 12, "delta": -2, "decisions": 40}
    assert report.section2["procurement"] == {"purchase_items": 4, "purchase_amount": 96171.6}
    assert report.section3["new"]["total"] == 6 and report.section3["unable_not_held"]["natural"] == 1
    assert report.section3["other"]["natural"] == 0  # "—" read as 0, with a warning
    assert report.section4["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    codes = {f.code for f in validate(loaded)}
    assert {"I103", "I107"} <= codes
    assert not codes & {"I101", "I102", "S201", "S202", "S203", "B401", "B402", "B403", "B404"}


def test_the_same_paste_with_a_wrong_total_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "某镇2020年报告.xlsx"
    paste(path, PASTED.replace("\t(七) 总计\t\t5\t1\t0\t0\t0\t0\t6", "\t(七) 总计\t\t5\t1\t0\t0\t0\t0\t7"))
    found = [f for f in validate(load_report(path)) if f.code in {"B401", "B402", "B403"}]
    assert {f.code for f in found} == {"B401", "B402", "B403"}
    assert all(f.column == "总计" or f.row == "（七）总计" for f in found)
