"""The three charts of the city report (PNG): results of the applications, new applications per
agency, and who reported on time with balanced tables.
"""

from __future__ import annotations

from qtx_report.city.draft import outcome_counts
from qtx_report.city.roster import short_name
from qtx_report.city.status import Compiled, StatusRow
from qtx_report.form.editions import edition

CHART_FILES = ("图1_申请办理结果.png", "图2_各单位新收申请.png", "图3_按时报送与勾稽平衡.png")
TOP_N = 15  # agencies in the applications chart


def chart_images(c: Compiled) -> list[tuple[str, bytes]]:
    """(file name, PNG) of the three charts of the city report."""
    from qtx_report.write.charts import bar_chart

    ed = edition(c.edition)
    total = c.total.value("section3", "results_total", "total") or 0
    carried_out = c.total.value("section3", "carried_out", "total") or 0
    outcomes = [*outcome_counts(c.total, ed), (ed.section3.row("carried_out").label, carried_out)]
    handled = total + carried_out  # = 一 + 二 when the sums balance
    chart1 = bar_chart(f"图1 全市政府信息公开申请办理结果（{c.year}年度，共{handled}件）", outcomes,
                       whole=handled, note=f"占比：占本年新收与上年结转合计（{handled}件）的比例",
                       empty="本年度全市没有需要办理的申请")
    applications = sorted(((short_name(r.agency), r.new) for r in c.counted if isinstance(r.new, int | float)),
                          key=lambda item: (-item[1], item[0]))
    new = c.total.value("section3", "new", "total") or 0
    rest = len(applications) - TOP_N
    note = f"占比：占全市本年新收申请（{new}件）的比例" + (f"；另有{rest}个单位未列出" if rest > 0 else "")
    chart2 = bar_chart(f"图2 各单位本年新收申请（前{min(TOP_N, len(applications))}名）", applications[:TOP_N],
                       whole=new, note=note, empty="计入汇总的报告中没有新收申请")
    return list(zip(CHART_FILES, (chart1, chart2, share_chart_of(c)), strict=True))


def chart_notes() -> list[str]:
    """What the user should be told about the charts: that no CJK font draws them, if none does."""
    from qtx_report.write.charts import font_note

    return [note] if (note := font_note()) else []


def share_chart_of(c: Compiled) -> bytes:
    from qtx_report.write.charts import BAD, GOOD, NONE, WARN, Segment, share_chart

    on_time, balance = share_rows(c)
    colours = (GOOD, WARN, BAD, NONE)
    whole = len(c.roster.agencies) if c.has_roster else sum(on_time)
    return share_chart(f"图3 按时报送与勾稽平衡（{'应报' if c.has_roster else '报送'}单位{whole}个）", [
        ("按时报送", [Segment(label, n, colour) for label, n, colour in
                  zip(("按时", "逾期", "日期缺失或有误", "未报送"), on_time, colours, strict=True)]),
        ("勾稽平衡", [Segment(label, n, colour) for label, n, colour in
                  zip(("平衡", "不平衡", "无法读取", "未报送"), balance, colours, strict=True)]),
    ])


def share_rows(c: Compiled) -> tuple[list[int], list[int]]:
    """Per agency (first file of the year counts): [按时, 逾期, 日期有误, 未报送], [平衡, 不平衡, 无法读取, 未报送]."""
    first: dict[tuple[str, str], StatusRow] = {}
    for row in c.rows:
        if row.state not in ("wrong_year", "unknown") and (row.agency, row.group) not in first:
            first[(row.agency, row.group)] = row
    rows = list(first.values())
    missing = sum(r.state == "missing" for r in rows)
    readable = [r for r in rows if r.state not in ("missing", "unreadable")]
    on_time = [sum(r.deadline == "on_time" for r in readable), sum(r.deadline == "late" for r in readable),
               sum(r.deadline in ("no_date", "bad_date") for r in readable) + sum(r.state == "unreadable" for r in rows),
               missing]
    balance = [sum(bool(r.balanced) for r in readable), sum(r.balanced is False for r in readable),
               sum(r.state == "unreadable" for r in rows), missing]
    return on_time, balance

