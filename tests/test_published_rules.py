"""The rules published reports need: headings (S204), text against tables (T502), the report year
(T505), the 信息处理费 (T506), what 总体情况 covers (T507) and personal information (P901–P903),
each against the many ways real reports phrase things, and the guards that keep them quiet."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qtx_report.form.editions import SECTIONS
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Heading, Loaded
from qtx_report.model.places import PageLine
from qtx_report.model.report import Report
from qtx_report.rules.privacy import PROVINCES, id_check_digit, is_credit_code, looks_like_id, luhn_valid, mask
from qtx_report.rules.registry import validate
from qtx_report.rules.statements import stated_figures, stray_years
from qtx_report.rules.structure import ordinal, top_level_lines

from .helpers import OVERVIEW, balanced

# The shared fixture with a complete text: 总体情况 covers 监督保障 and 六 states the 信息处理费.
FULL_OVERVIEW = OVERVIEW + "监督保障方面，将政务公开纳入年度考核，组织业务培训。"
OTHER = "本年度未收取信息处理费。"


def report(**changes: object) -> Report:
    return balanced(**{"overview": FULL_OVERVIEW, "other": OTHER, **changes})


def findings(rep: Report, outline: tuple[Heading, ...] = ()) -> list[Finding]:
    return validate(Loaded("report.pdf", rep, outline=outline))


def found(code: str, rep: Report, outline: tuple[Heading, ...] = ()) -> list[Finding]:
    return [f for f in findings(rep, outline) if f.code == code]


def test_the_complete_fixture_is_quiet() -> None:
    assert findings(report()) == []


# ------------------------------------------------------------------ S204 headings


def official() -> list[Heading]:
    return [Heading(f"{s.number}、", s.title, s.key, PageLine(1, 3 * i + 2)) for i, s in enumerate(SECTIONS)]


def test_official_headings_are_quiet_and_no_outline_is_quiet() -> None:
    assert found("S204", report(), tuple(official())) == []
    assert found("S204", report(), ()) == []


def test_a_wrong_ordinal_is_reported_at_its_heading() -> None:
    outline = official()
    outline[4] = Heading("四、", "存在的主要问题及改进情况", "problems", PageLine(3, 7))
    (finding,) = found("S204", report(), tuple(outline))
    assert "“四、存在的主要问题及改进情况”的序号应为“五、”" in finding.message
    assert finding.place == PageLine(3, 7) and finding.section == "五、存在的主要问题及改进情况"
    assert finding.severity == "warning"  # a heading is for a person to judge; the numbers decide errors


def test_a_heading_without_ordinal_is_reported() -> None:
    outline = official()
    outline[0] = Heading("", "总体情况", "overview", None)
    (finding,) = found("S204", report(), tuple(outline))
    assert "没有序号，应为“一、总体情况”" in finding.message


@pytest.mark.parametrize("number", ["一、", "一.", "一．", "（一）", "1、", "第一部分 "])
def test_ordinal_styles_are_read_by_value(number: str) -> None:
    assert ordinal(number) == 1
    outline = official()
    outline[0] = Heading(number, "总体情况", "overview", None)
    assert found("S204", report(), tuple(outline)) == []


def test_a_missing_section_is_placed_before_the_next_heading() -> None:
    outline = official()
    del outline[3]
    (finding,) = found("S204", report(), tuple(outline))
    assert "缺少“四、政府信息公开行政复议、行政诉讼情况”部分" in finding.message
    assert finding.place == outline[3].place  # where 五 now stands


def test_a_missing_section_names_the_heading_that_bears_its_ordinal() -> None:
    outline = official()
    outline[4] = Heading("五、", "存在问题及整改措施", None, PageLine(4, 1))
    (finding,) = found("S204", report(), tuple(outline))
    assert "序号为“五、”的标题是“五、存在问题及整改措施”" in finding.message and finding.place == PageLine(4, 1)


def test_a_section_out_of_order_is_the_one_reported() -> None:
    outline = official()
    outline.insert(1, outline.pop(4))  # 一 五 二 三 四 六, each with its own ordinal
    (finding,) = found("S204", report(), tuple(outline))
    assert "“五、存在的主要问题及改进情况”的位置不对" in finding.message
    assert "应排在“四、政府信息公开行政复议、行政诉讼情况”之后" in finding.message


def test_swapped_sections_numbered_in_print_order_are_reported_for_order_and_ordinals() -> None:
    outline = official()
    outline[1], outline[2] = (Heading("二、", SECTIONS[2].title, "requests", None),
                              Heading("三、", SECTIONS[1].title, "proactive", None))
    messages = [f.message for f in found("S204", report(), tuple(outline))]
    assert len(messages) == 3
    assert sum("序号应为" in m for m in messages) == 2 and sum("位置不对" in m for m in messages) == 1


def test_a_repeated_heading_is_reported_once() -> None:
    outline = [*official(), Heading("六、", "其他需要报告的事项", "other", PageLine(9, 1))]
    (finding,) = found("S204", report(), tuple(outline))
    assert "出现了两次" in finding.message and finding.place == PageLine(9, 1)


def test_findings_come_in_the_order_of_the_document() -> None:
    outline = official()
    outline[5] = Heading("七、", "其他需要报告的事项", "other", PageLine(8, 1))
    del outline[1]
    places = [f.place for f in found("S204", report(), tuple(outline))]
    assert places == [outline[1].place, PageLine(8, 1)]


# ------------------------------------------------------------------ T502 statements

STATED = [
    ("共收到政府信息公开申请12件", [("new", 12)]),
    ("受理依申请公开12件", [("new", 12)]),
    ("本年新收政府信息公开申请2件", [("new", 2)]),
    ("共收到政府信息公开申请１２件", [("new", 12)]),
    ("（二）依申请公开。全年共收到政府信息公开申请12件。全年共办结12件。", [("new", 12), ("results_total", 12)]),
    ("依申请公开方面，已办结3件，其中部分公开3件", [("results_total", 3)]),
    ("全年共办结12件", []),  # nothing says these are requests
    ("全年依法答复政府信息公开申请12件", [("results_total", 12)]),
    ("上年结转1件", [("carried_in", 1)]),
    ("上年结转申请1件，已于本年办结1件", [("carried_in", 1)]),  # that 办结 is a part of the total, not it
    ("2023年结转1件", [("carried_in", 1)]),
    ("结转下年度继续办理1件", [("carried_out", 1)]),
    ("2件结转至下一年度办理", [("carried_out", 2)]),
    ("发生行政复议案件2起", [("review", 2)]),
    ("收到行政复议申请2件，已办结2件", [("review", 2)]),
    ("行政诉讼1件", [("suit", 1)]),
    ("被提起行政诉讼1起", [("suit", 1)]),
    ("行政复议和行政诉讼各1件", [("review", 1), ("suit", 1)]),
    ("未发生行政复议和行政诉讼", [("review", 0), ("suit", 0)]),
    ("全年没有因政府信息公开引起的行政复议和行政诉讼", [("review", 0), ("suit", 0)]),
    ("未被申请行政复议，也未被提起行政诉讼", [("review", 0), ("suit", 0)]),
    ("全年无政府信息公开行政复议、行政诉讼案件", [("review", 0), ("suit", 0)]),
    ("本年度未收到政府信息公开申请", [("new", 0)]),
    ("本年度无依申请公开事项", [("new", 0)]),
    ("也没有上年结转的申请", [("carried_in", 0)]),
    ("所有申请均已办结", [("carried_out", 0)]),
    ("申请已全部按时办结", [("carried_out", 0)]),
    ("无结转下年度的申请", [("carried_out", 0)]),
]


@pytest.mark.parametrize(("text", "expected"), STATED, ids=[t for t, _ in STATED])
def test_figures_are_read_from_many_phrasings(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(s.target, s.value) for s in stated_figures(text, 2024)] == expected


NOT_STATED = [
    "答复网民留言86件",  # 留言, not a request
    "办结12345热线工单230件",
    "依申请公开方面，收到各类咨询申请30件",
    "未经行政复议直接起诉1件",  # one kind of 行政诉讼, not none of 复议
    "复议后起诉1件",
    "未发生行政复议纠错情况",  # a review not lost, not no review
    "因未公开信息被申请行政复议",
    "收到申请后5个工作日内答复",
    "本年收到申请，除结转下年度的外，其余均已办结",
    "所有申请均在法定期限内答复",  # timely, not all finished
    "未公开的申请已说明理由",
    "申请人未申请延期",
    "2022年结转1件",  # in a 2024 report: not last year's carry-over
]


@pytest.mark.parametrize("text", NOT_STATED)
def test_other_figures_are_not_taken_for_the_tables(text: str) -> None:
    assert list(stated_figures(text, 2024)) == []


def with_grid(rep: Report, section: str, row: str, column: str, value: int) -> Report:
    data = rep.model_dump()
    data[section][row][column] = value
    return Report.model_validate(data)


def t502(rep: Report, sentence: str) -> list[Finding]:
    return found("T502", rep.model_copy(update={"overview": rep.overview + sentence}))


def test_stated_answers_are_held_against_the_results_total() -> None:
    rep = report()
    total = rep.section3["results_total"]["total"]
    assert t502(rep, f"依申请公开方面，全年共办结{total}件。") == []
    (finding,) = t502(rep, f"依申请公开方面，全年共办结{total + 1}件。")
    assert f"但第三部分“（七）总计”总计为{total}" in finding.message


def test_stated_reviews_are_held_against_section_4() -> None:
    rep = with_grid(with_grid(report(), "section4", "review", "upheld", 2), "section4", "review", "total", 2)
    assert t502(rep, "发生行政复议案件2起。") == []
    (finding,) = t502(rep, "未发生行政复议和行政诉讼。")
    assert "第四部分“行政复议”总计为2" in finding.message and finding.actual == "0"


def test_stated_suits_are_held_against_both_kinds_of_suit() -> None:
    rep = report()
    for group in ("direct_suit", "suit_after_review"):
        rep = with_grid(with_grid(rep, "section4", group, "upheld", 1), "section4", group, "total", 1)
    assert t502(rep.model_copy(update={"section4": {**rep.section4, "review": dict.fromkeys(rep.section4["review"], 0)}}),
                "行政诉讼2件。") == []
    messages = [f.message for f in t502(rep, "行政诉讼1件。")]
    assert any("“行政诉讼”总计（“未经复议直接起诉”与“复议后起诉”之和）为2" in m for m in messages)


def test_all_finished_while_some_are_carried_over() -> None:
    rep = with_grid(report(), "section3", "carried_out", "total", 2)
    (finding,) = [f for f in t502(rep, "依申请公开方面，所有申请均已办结。") if "所有申请均已办结" in f.message]
    assert "第三部分“四、结转下年度继续办理”总计为2" in finding.message


@st.composite
def stated_truly(draw: st.DrawFn) -> tuple[Report, str]:
    seed = draw(st.integers(0, 5000))
    rep = balanced(seed=seed, overview=FULL_OVERVIEW, other=OTHER)
    s3, s4 = rep.section3, rep.section4
    new, done, out = s3["new"]["total"], s3["results_total"]["total"], s3["carried_out"]["total"]
    suits = s4["direct_suit"]["total"] + s4["suit_after_review"]["total"]
    phrases = [draw(st.sampled_from([f"全年共收到政府信息公开申请{new}件", f"受理依申请公开{new}件",
                                     f"本年新收政府信息公开申请{new}件"])),
               draw(st.sampled_from([f"全年共办结{done}件", f"已办结{done}件", f"依法答复政府信息公开申请{done}件"])),
               f"结转下年度继续办理{out}件",
               draw(st.sampled_from([f"发生行政复议案件{s4['review']['total']}起", f"行政复议{s4['review']['total']}件"])),
               draw(st.sampled_from([f"行政诉讼{suits}件", f"被提起行政诉讼{suits}起"]))]
    return rep, "（二）依申请公开。" + "，".join(phrases) + "。"


@settings(max_examples=60, deadline=None)
@given(stated_truly())
def test_the_true_figures_in_any_phrasing_agree(case: tuple[Report, str]) -> None:
    rep, text = case
    assert t502(rep, text) == []


@settings(max_examples=60, deadline=None)
@given(stated_truly(), st.integers(1, 40))
def test_any_figure_changed_disagrees(case: tuple[Report, str], delta: int) -> None:
    rep, text = case
    first = next(ch for ch in text if ch.isdigit())
    changed = text.replace(first, str(int(first) + delta), 1)  # the first figure is the new requests
    assert len(t502(rep, changed)) >= 1


# ------------------------------------------------------------------ T505 the report year

STRAY = [
    "2023年，本局坚持以公开为常态、不公开为例外。",
    "本机关2023年主动公开政府信息120条。",
    "依申请公开方面，2023年共收到政府信息公开申请3件。",
    "本报告统计期限自2023年1月1日起至2023年12月31日止。",
    "2025年，本局坚持以公开为常态。",  # the year of writing where the year's work is meant
]


@pytest.mark.parametrize("text", STRAY)
def test_another_year_describing_the_years_work_is_found(text: str) -> None:
    assert [year for year, _ in stray_years(text, 2024)] in ([2023], [2025])


FINE = [
    "2024年，本局坚持以公开为常态。",
    "较2023年增加3件。",
    "与上年相比基本持平，同比2023年增长10%。",
    "2023年结转的1件申请已办结。",
    "自2019年以来，本局坚持每年更新公开指南。",
    "青铜峡市自然资源局\n2025年1月10日",  # the 成文日期
    "根据《青铜峡市2023年政务公开工作要点》，本局开展工作。",
    "2025年，本局将进一步加强公开。",  # a plan
    "2024年收到申请12件，2023年收到10件。",  # a comparison without 较
    "本局1998年成立。",
    "2023年印发的《办法》继续执行。",
    "2023年12月，本局印发实施方案。",
    "截至2023年底，现行有效文件12件。",
]


@pytest.mark.parametrize("text", FINE)
def test_comparisons_dates_and_plans_are_quiet(text: str) -> None:
    assert list(stray_years(text, 2024)) == []


def test_t505_reports_each_wrong_year_once_per_section() -> None:
    rep = report(year=2024, report_date=date(2025, 1, 10),
                 overview=FULL_OVERVIEW.replace("2025年", "2023年") + "本机关2023年主动公开信息120条。")
    (finding,) = found("T505", rep)
    assert "（共2处）" in finding.message and "请改为2024年" in finding.message
    assert finding.section == "一、总体情况" and finding.actual == "2023"


# ------------------------------------------------------------------ T506 信息处理费


@pytest.mark.parametrize("other", ["本年度未收取信息处理费。", "本机关不收取信息处理费。", "未产生信息处理费。",
                                   "本年度收取信息处理费0元。", "依申请提供政府信息，收取信息处理费200元。",
                                   "本年度未收取任何费用。"])
def test_the_fee_stated_in_any_words_is_quiet(other: str) -> None:
    assert found("T506", report(other=other)) == []


@pytest.mark.parametrize("other", ["", "无", "本机关无其他需要报告的事项。", "严格执行《政府信息公开信息处理费管理办法》。"])
def test_no_word_of_the_fee_warns(other: str) -> None:
    (finding,) = found("T506", report(other=other))
    assert "没有说明收取信息处理费的情况" in finding.message and finding.severity == "warning"


def test_the_fee_written_in_another_section_is_named() -> None:
    (finding,) = found("T506", report(other="无", overview=FULL_OVERVIEW + "本年度未收取信息处理费。"))
    assert "写在了“一、总体情况”中" in finding.message


def test_years_before_the_fee_rules_need_no_fee_statement() -> None:
    rep = report(other="", year=2020, report_date=date(2021, 1, 10), overview=FULL_OVERVIEW.replace("2025年", "2020年"))
    assert found("T506", rep) == []


# ------------------------------------------------------------------ T507 what 总体情况 covers


def test_the_missing_parts_are_named() -> None:
    text = "2025年，本局主动公开信息120条，依申请公开方面，所有申请均在法定期限内答复。" * 3
    (finding,) = found("T507", report(overview=text))
    assert "没有写到政府信息管理、平台建设、监督保障方面的情况" in finding.message


@pytest.mark.parametrize("variant", ["政府信息公开平台建设方面，整合专栏。", "政务公开平台运行平稳。",
                                     "优化门户网站栏目。"])
def test_platform_variants_are_accepted(variant: str) -> None:
    text = FULL_OVERVIEW.replace("平台建设方面，整合专栏，方便群众查阅。", variant)
    assert found("T507", report(overview=text)) == []


@pytest.mark.parametrize("variant", ["监督保障方面，加强检查。", "将政务公开纳入年度考核。", "组织业务培训2次。"])
def test_oversight_variants_are_accepted(variant: str) -> None:
    assert found("T507", report(overview=OVERVIEW + variant)) == []


def test_a_government_also_reports_assessment_review_and_accountability() -> None:
    town = report(agency="青铜峡市某镇人民政府")
    (finding,) = found("T507", town)
    assert "工作考核、社会评议和责任追究结果" in finding.message
    covered = FULL_OVERVIEW + "本镇开展社会评议，全年未发生责任追究情况。"
    assert found("T507", report(agency="青铜峡市某镇人民政府", overview=covered)) == []


def test_an_empty_overview_is_t501s_alone() -> None:
    codes = {f.code for f in findings(report(overview=""))}
    assert "T501" in codes and "T507" not in codes


# ------------------------------------------------------------------ P901–P903 personal information

ID = "640381198503170029"
CARD = "6222021203456789014"


def privacy(text: str, section: str = "problems", **changes: object) -> list[Finding]:
    rep = report(**changes)
    rep = rep.model_copy(update={section: getattr(rep, section) + text})
    return [f for f in findings(rep) if f.code.startswith("P")]


def test_an_id_number_is_quoted_masked_with_its_section() -> None:
    (finding,) = privacy(f"答复书中写有申请人身份证号{ID}。")
    assert finding.code == "P901" and finding.section == "五、存在的主要问题及改进情况"
    assert "6403**********0029" in finding.message and ID not in finding.message and finding.actual == mask(ID)


def test_a_mobile_number_of_a_person_is_reported_masked() -> None:
    (finding,) = privacy("申请人张某的手机号13812345678已在答复书中写明。", section="other")
    assert finding.code == "P902" and "138****5678" in finding.message and "六、其他需要报告的事项" in finding.message


def test_a_bank_card_is_reported_masked() -> None:
    (finding,) = privacy(f"退费至申请人银行卡{CARD}。")
    assert finding.code == "P903" and "6222***********9014" in finding.message


@pytest.mark.parametrize("text", [
    "政府信息公开咨询电话：13812345678。",  # the office's line
    "联系电话0953-3012345，监督电话13812345678。",
    "办公电话：0953-3012345，传真09533012346。",  # landlines
    "本局统一社会信用代码11640381MB1234567X。",
    "依据青政办发〔2024〕12号文件，于2024年3月5日（20240305）公开。",
    "本年收费金额96171.6万元，退费1234567.89元。",
    "申请人身份证号已遮掩为6403**********0029。",
    f"项目编号{CARD}。",  # a code published on purpose
    "本年收费13812345678元。",  # an amount, however large
])
def test_guards_keep_office_lines_codes_dates_and_amounts_quiet(text: str) -> None:
    assert privacy(text) == []


def test_the_reports_own_contact_phone_is_fine_anywhere() -> None:
    assert privacy("如有疑问，请致电13995310000。", contact_phone="13995310000") == []


def test_a_contact_line_about_a_person_is_not_the_offices() -> None:
    assert [f.code for f in privacy("申请人王某，联系电话13812345678。")] == ["P902"]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    born = draw(st.dates(date(1920, 1, 1), date(2010, 12, 31)))
    first17 = f"{province}{draw(st.integers(0, 9999)):04d}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + id_check_digit(first17)


@settings(max_examples=150, deadline=None)
@given(id_numbers())
def test_every_valid_id_number_is_found(number: str) -> None:
    found_ = privacy(f"公开的答复书中有身份证号{number}，已撤回。")
    assert [(f.code, f.actual) for f in found_] == [("P901", mask(number))]


@settings(max_examples=150, deadline=None)
@given(id_numbers(), st.sampled_from("0123456789X"))
def test_an_id_number_with_a_wrong_check_digit_is_not(number: str, wrong: str) -> None:
    assume(wrong != number[-1])
    assert privacy(f"公开的答复书中有身份证号{number[:17]}{wrong}，已撤回。") == []


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    body = "62" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=13, max_size=16)))
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    number = body + check
    assume(not looks_like_id(number, 2026) and not is_credit_code(number))  # an 18-digit ID or credit code is no card
    return number


@settings(max_examples=100, deadline=None)
@given(card_numbers())
def test_every_luhn_valid_card_is_found_and_a_mistyped_one_is_not(number: str) -> None:
    assert [f.code for f in privacy(f"退费至银行卡{number}。")] == ["P903"]
    mistyped = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert privacy(f"退费至银行卡{mistyped}。") == []


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_is_found_outside_the_contact_line(number: str) -> None:
    assert [f.code for f in privacy(f"个别答复书写有申请人手机{number}。")] == ["P902"]
    assert privacy(f"咨询电话：{number}。") == []


WORDS = ["本局", "主动公开", "政府信息", "依申请公开", "行政许可", "办结", "答复", "公开目录", "门户网站", "政务新媒体",
         "监督保障", "业务培训", "信息处理费", "征求意见", "规范性文件", "申请人", "联系电话"]


@st.composite
def report_words(draw: st.DrawFn) -> str:
    """Text as reports write it: words, counts, dates, 文号, amounts, landlines, credit codes."""
    pieces = st.one_of(
        st.sampled_from(WORDS),
        st.integers(0, 99999).map(lambda n: f"{n}件"),
        st.dates(date(2008, 1, 1), date(2030, 12, 31)).map(lambda d: draw(st.sampled_from(
            [f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}", d.isoformat()]))),
        st.tuples(st.integers(2008, 2030), st.integers(1, 300)).map(lambda t: f"青政办发〔{t[0]}〕{t[1]}号"),
        st.decimals(0, 9_999_999, places=2, allow_nan=False).map(lambda a: f"{a}万元"),
        st.integers(1_000_000, 9_999_999).map(lambda n: f"0953-{n}"),
        st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17)
          .filter(lambda s: any(c.isalpha() for c in s)).map(lambda s: f"统一社会信用代码{s}X"),
    )
    return "，".join(draw(st.lists(pieces, min_size=1, max_size=25))) + "。"


@settings(max_examples=200, deadline=None)
@given(report_words())
def test_text_made_of_report_words_has_no_personal_numbers(text: str) -> None:
    assert privacy(text, section="overview") == []


# ------------------------------------------------------------------ hostile text


@pytest.mark.parametrize("unit", ["1", "2023年", "2026年，本局，", "《", "“", "未发生因", "a，", "13812345678 "])
def test_long_text_costs_linear_time(unit: str) -> None:
    """A published page can hold anything: 60 000 characters of one run must not take quadratic time
    (a number pattern without a digit guard before it took minutes on a run of digits)."""
    text = unit * (60_000 // len(unit))
    started = time.perf_counter()
    findings(report(overview=text, problems=text, other=text))
    assert time.perf_counter() - started < 10


# ---------------------------------------------------------------- S205: numbering inside a section

_NUMERALS = "一二三四五六七八九十"
_ITEM_TEXT = st.text(alphabet="主动公开依申请平台建设监督保障情况。，1234567890", min_size=1, max_size=30)


@given(st.lists(st.tuples(st.integers(1, 10), _ITEM_TEXT), min_size=1, max_size=8), st.data())
def test_top_level_numbering_is_found_exactly_where_it_is(items, data):
    """Sub-items numbered （N） never count; any of them renumbered N、 is found, and only those."""
    lines = [f"（{_NUMERALS[n - 1]}）{text}" for n, text in items]
    assert top_level_lines("\n".join(lines)) == []
    renumbered = data.draw(st.sets(st.integers(0, len(lines) - 1)))
    for i in renumbered:
        lines[i] = f"{_NUMERALS[items[i][0] - 1]}{data.draw(st.sampled_from('、.．'))}{items[i][1]}"
    assert top_level_lines("\n".join(lines)) == [lines[i] for i in sorted(renumbered)]


@pytest.mark.parametrize("line", ["一是加强培训，二是加强督查。", "十二月，本局完成目录更新。", "第一，加强领导。",
                                  "1、主动公开情况", "（一）主动公开情况", "二〇二五年，本局……"])
def test_lines_that_are_not_top_level_headings(line):
    assert top_level_lines(line) == []
