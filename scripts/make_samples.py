"""Write samples/: a realistic 青铜峡市 for the years 2024 and 2025 (edition 2021).

Run:  .venv/bin/python scripts/make_samples.py [--out DIR]

What it writes (all deterministic, byte for byte, so tests can compare a fresh run with the
committed files and nobody edits them by hand):
- 名单.xlsx: the roster, sheet 名单 (单位名称 | 分组 | 别名).
- 2024/<简称>.xlsx, 2025/<简称>.xlsx: one filled agency workbook per agency and year.
- README.md: what is there, how it is made, and the deliberate mistakes with their rule codes.

Agency names are those the 青铜峡市人民政府公报 (2021年第3期) names; numbers are synthetic and
balanced (qtx_report.synth); texts are written here, composed from each agency's line of work,
year-specific activities and that year's own table figures, so honest agencies never repeat
last year's text (rule T503) and every figure stated in the text equals the table (rule T502).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qtx_report import synth  # noqa: E402
from qtx_report.form.editions import edition  # noqa: E402
from qtx_report.model.report import Grid, Report  # noqa: E402
from qtx_report.write.workbook import write_template  # noqa: E402

EDITION = "2021"
YEARS = (2024, 2025)
ROSTER_FILE = "名单.xlsx"
ROSTER_SHEET = "名单"
ROSTER_HEADER = ("单位名称", "分组", "别名")
ROSTER_STAMP = date(2025, 1, 2)  # fixed document time of the roster workbook

TOWN, FARM, CITY, RESIDENT = "镇/街道", "农林场", "市直部门", "驻青单位"
LICENSING, PENALTY, COERCION, FEES = "licensing", "penalty", "coercion", "fees"


@dataclass(frozen=True)
class Agency:
    name: str  # full formal name, as printed on the report
    group: str
    aliases: tuple[str, ...]  # the first one is the short name, used as the file name
    focus: str  # its line of work, for the opening sentence
    topics: tuple[str, ...]  # the kinds of information it publishes
    requests: float = 1.5  # mean number of new requests a year
    size: float = 1.0  # scale of its decisions and fees (synth.section2 size)
    powers: tuple[str, ...] = ()  # section 二 rows it decides; the others stay 0
    docs: float = 0.4  # scale of its 行政规范性文件: a county body issues a handful a year; 0 = may not issue any

    @property
    def short(self) -> str:
        return self.aliases[0]


# ---------------------------------------------------------------- the roster

# Towns share a pool of topics; each town draws its own five (stable across years).
TOWN_TOPICS = ("村级财务收支", "惠农补贴发放", "低保和特困供养对象", "高标准农田建设项目", "农村人居环境整治",
               "用水权确权结果", "宅基地审批结果", "乡村振兴衔接资金项目", "防汛抗旱", "农村危房改造")
TOWN_FOCUS = ("乡村振兴和基层治理", "农业生产和民生保障", "人居环境整治和乡村治理")


def _town(name: str, short: str) -> Agency:
    # Since the 2021 reform of town-level enforcement, towns decide 宅基地 approvals and some penalties.
    return Agency(name, TOWN, (short, f"青铜峡市{name}"), "", (), requests=1.2, size=1,
                  powers=(LICENSING, PENALTY), docs=0.2)


def _dept(name: str, focus: str, topics: tuple[str, ...], requests: float = 1.5, size: float = 1.0,
          powers: tuple[str, ...] = (), group: str = CITY, aliases: tuple[str, ...] = (), docs: float = 0.4) -> Agency:
    bare = name.removeprefix("青铜峡市")
    return Agency(name, group, aliases or (f"市{bare}", bare), focus, topics, requests, size, powers, docs)


AGENCIES: tuple[Agency, ...] = (
    # 8 镇 (公报: “全市8镇2场”): 小坝、青铜峡、瞿靖、峡口、邵岗、陈袁滩 are named as towns;
    # 大坝 and 叶盛 through 大坝卫生院 and 叶盛中心卫生院.
    _town("小坝镇人民政府", "小坝镇"),
    _town("大坝镇人民政府", "大坝镇"),
    _town("青铜峡镇人民政府", "青铜峡镇"),
    _town("叶盛镇人民政府", "叶盛镇"),
    _town("瞿靖镇人民政府", "瞿靖镇"),
    _town("峡口镇人民政府", "峡口镇"),
    _town("邵岗镇人民政府", "邵岗镇"),
    _town("陈袁滩镇人民政府", "陈袁滩镇"),
    Agency("青铜峡市裕民街道办事处", TOWN, ("裕民街道", "裕民街道办事处"), "社区治理和民生服务",
           ("城乡低保", "老旧小区改造", "就业创业服务", "居家养老服务", "网格化管理", "社区卫生服务"),
           requests=1.5, size=0.6, powers=(PENALTY,), docs=0.2),
    Agency("连湖农场", FARM, ("连湖农场", "农垦连湖农场"), "农业生产和职工服务",
           ("土地承包经营", "惠农补贴发放", "灌溉用水分配", "职工社会保险", "场区人居环境整治"),
           requests=0.8, docs=0),  # a state farm is an enterprise: no 行政规范性文件
    _dept("青铜峡市人民政府办公室", "政务公开统筹和政府常务工作",
          ("政府常务会议", "重大行政决策事项", "政策解读", "建议提案办理结果", "政府工作报告"),
          requests=3, docs=1.2, aliases=("市政府办公室", "政府办公室", "市政府办")),
    _dept("青铜峡市发展和改革局", "重大项目建设和价格管理",
          ("重大建设项目", "政府定价目录", "粮食储备", "节能审查", "项目审批核准结果"),
          requests=2, size=2, powers=(LICENSING, PENALTY), aliases=("市发展和改革局", "发展和改革局", "市发改局")),
    _dept("青铜峡市教育局", "教育均衡发展",
          ("义务教育招生入学", "学生资助", "教育收费", "学校布局调整", "教师招聘"),
          requests=3, size=3, powers=(LICENSING, FEES)),
    _dept("青铜峡市科学技术局", "科技创新服务",
          ("科技项目申报", "高新技术企业培育", "科技特派员", "科普活动"), requests=0.6, docs=0.2),
    _dept("青铜峡市工业和信息化局", "工业经济运行",
          ("工业项目建设", "中小企业扶持政策", "节能降耗", "电力保障", "专精特新企业培育"), requests=1),
    _dept("青铜峡市公安局", "社会治安和公安政务服务",
          ("户籍办理", "出入境办事指南", "道路交通安全", "行政处罚结果", "治安形势通报"),
          requests=6, size=30, powers=(LICENSING, PENALTY, COERCION, FEES)),
    _dept("青铜峡市民政局", "基本民生保障",
          ("最低生活保障", "特困人员救助供养", "养老服务", "婚姻登记", "社会组织登记"),
          requests=3, size=4, powers=(LICENSING,)),
    _dept("青铜峡市司法局", "法治政府建设",
          ("法律援助", "人民调解", "行政执法监督", "普法宣传", "公共法律服务"), requests=1.5),
    _dept("青铜峡市财政局", "预算管理和财政资金监管",
          ("财政预决算", "政府采购", "惠民惠农财政补贴资金", "政府债务", "国有资产管理"), requests=2),
    _dept("青铜峡市人力资源和社会保障局", "就业和社会保障",
          ("就业创业补贴", "社会保险待遇", "劳动保障监察", "职称评审", "事业单位公开招聘"),
          requests=4, size=4, powers=(LICENSING, PENALTY),
          aliases=("市人力资源和社会保障局", "人力资源和社会保障局", "市人社局")),
    _dept("青铜峡市自然资源局", "自然资源管理和国土空间规划",
          ("国土空间规划", "建设用地审批", "不动产登记", "矿业权出让", "耕地保护", "征地信息"),
          requests=12, size=6, powers=(LICENSING, PENALTY, COERCION, FEES)),
    _dept("青铜峡市住房和城乡建设局", "城乡建设和住房保障",
          ("保障性住房", "老旧小区改造", "建筑市场监管", "房屋征收", "城市供热燃气"),
          requests=6, size=6, powers=(LICENSING, PENALTY, FEES), aliases=("市住房和城乡建设局", "住房和城乡建设局", "市住建局")),
    _dept("青铜峡市交通运输局", "交通建设和运输服务",
          ("农村公路建设", "道路运输许可", "城乡客运", "超限超载治理"),
          requests=2, size=4, powers=(LICENSING, PENALTY, COERCION)),
    _dept("青铜峡市水务局", "水资源管理和用水权改革",
          ("用水权确权和交易", "取水许可", "河湖长制", "农田水利建设", "地下水取水井治理"),
          requests=3, size=3, powers=(LICENSING, PENALTY, FEES)),
    _dept("青铜峡市农业农村局", "农业农村发展",
          ("惠农补贴", "高标准农田建设", "动物防疫", "农村宅基地管理", "农产品质量安全"),
          requests=4, size=5, powers=(LICENSING, PENALTY)),
    _dept("青铜峡市商务和投资促进局", "招商引资和消费促进",
          ("招商引资项目", "促进消费活动", "外贸企业服务", "成品油市场管理", "电子商务进农村"), requests=1),
    _dept("青铜峡市文化旅游体育广电局", "文化旅游融合发展",
          ("文物保护", "旅游景区管理", "文化市场执法", "全民健身", "公共文化服务"),
          requests=1.5, size=2, powers=(LICENSING, PENALTY), aliases=("市文化旅游体育广电局", "文化旅游体育广电局", "市文旅体广局")),
    _dept("青铜峡市卫生健康局", "卫生健康事业",
          ("医疗机构执业", "疫苗接种", "公共卫生服务", "计划生育家庭扶助", "家庭医生签约服务"),
          requests=4, size=8, powers=(LICENSING, PENALTY)),
    _dept("青铜峡市退役军人事务局", "退役军人服务保障",
          ("优待抚恤", "退役士兵安置", "退役军人就业创业", "褒扬纪念"), requests=1),
    _dept("青铜峡市应急管理局", "安全生产和防灾减灾",
          ("安全生产监管", "危险化学品管理", "防汛抗旱", "自然灾害救助", "安全生产行政处罚"),
          requests=2, size=4, powers=(LICENSING, PENALTY, COERCION)),
    _dept("青铜峡市审计局", "审计监督", ("审计结果公告", "审计整改情况", "经济责任审计"), requests=0.8, docs=0.2),
    _dept("青铜峡市市场监督管理局", "市场监管和食品安全",
          ("市场主体登记", "食品安全抽检", "特种设备安全", "价格监督检查", "行政处罚结果"),
          requests=8, size=20, powers=(LICENSING, PENALTY, COERCION),
          aliases=("市市场监督管理局", "市场监督管理局", "市市场监管局")),
    _dept("青铜峡市医疗保障局", "医疗保障",
          ("医保待遇政策", "定点医药机构管理", "医保基金监管", "药品集中带量采购"), requests=2, size=2, powers=(PENALTY,)),
    _dept("青铜峡市审批服务管理局", "政务服务和行政审批",
          ("政务服务事项清单", "行政许可结果", "“一件事一次办”", "办事指南"), requests=2, size=60, powers=(LICENSING,)),
    _dept("吴忠市生态环境局青铜峡分局", "生态环境保护",
          ("环境质量状况", "环境影响评价审批", "排污许可", "环境执法", "突发环境事件应对"),
          requests=4, size=4, powers=(LICENSING, PENALTY, COERCION), group=RESIDENT,
          aliases=("生态环境分局", "市生态环境分局", "青铜峡分局")),
    _dept("国家税务总局青铜峡市税务局", "税收征管和纳税服务",
          ("税费优惠政策", "纳税信用评价", "办税指南", "减税降费"),
          requests=2, size=10, powers=(PENALTY, COERCION), group=RESIDENT, aliases=("市税务局", "税务局"),
          docs=0),  # tax 规范性文件 are issued from the provincial bureau up
)

# An agency that sends a 2025 report although it is not on the roster (a city compile lists it).
OFF_ROSTER = _dept("青铜峡市葡萄产业服务中心", "葡萄产业服务", ("葡萄产业扶持政策", "酒庄建设", "技术培训"),
                   requests=0.5, docs=0, aliases=("葡萄产业服务中心",))  # a 事业单位 issues none
# A roster agency whose 2025 report has not come in.
MISSING_2025 = "青铜峡市退役军人事务局"


# ---------------------------------------------------------------- numbers


def numbers(agency: Agency, year: int, previous: Report | None) -> Report:
    """Balanced tables for one agency and year; consistent with last year's report when given."""
    rng = random.Random(f"{agency.name}/{year}/numbers")  # its own stream: text changes leave numbers alone
    section2 = proactive(agency, rng, previous)
    # Gamma rather than synth's exponential: a big bureau rarely has a year with no requests at all.
    new = int(rng.gammavariate(3, agency.requests / 3))
    carried_out = rng.choice((0, 0, 0, 1)) if new else 0
    if previous is None:
        section3 = synth.section3(EDITION, rng, new, rng.choice((0, 0, 0, 1)), carried_out)
    else:
        section3 = synth.section3(EDITION, rng, new, 0, carried_out)
        add_carried_in(section3, previous.section3["carried_out"], rng)
    cases = rng.choice((0, 0, 0, 0, 1, 2)) if new >= 3 else 0
    return Report(agency=agency.name, year=year, edition=EDITION, report_date=report_date(year, rng),
                  section2=section2, section3=section3, section4=synth.section4(EDITION, rng, cases))


def proactive(agency: Agency, rng: random.Random, previous: Report | None) -> Grid:
    """Section 二 from two synth grids: documents at the agency's `docs` scale, decisions at its
    `size`; rows outside its powers are 0, rows inside are never 0 (a 审批局 always licenses)."""
    docs = synth.section2(EDITION, rng, agency.docs or 1)  # drawn even when unused: synth needs a size > 0
    grid = synth.section2(EDITION, rng, agency.size)
    grid["normative_docs"] = docs["normative_docs"] if agency.docs else dict.fromkeys(docs["normative_docs"], 0)
    grid["regulations"] = dict.fromkeys(grid["regulations"], 0)  # a county-level body cannot make 规章
    for row, power in (("licensing", LICENSING), ("penalty", PENALTY), ("coercion", COERCION)):
        decided = grid[row]["decisions"] or rng.randint(1, 3 + int(agency.size))
        grid[row]["decisions"] = decided if power in agency.powers else 0
    # Fees are a few dozen to a few hundred 万元 whatever the size (synth would scale them with it).
    grid["fees"]["fee_amount"] = round(rng.uniform(10, 300), 2) if FEES in agency.powers else 0
    if previous is not None:  # 现行有效 = last year's 现行有效 + 制发 − 废止 (rule H702)
        normative = grid["normative_docs"]
        available = previous.section2["normative_docs"]["in_force"] + normative["issued"]
        normative["repealed"] = min(normative["repealed"], available)
        normative["in_force"] = available - normative["repealed"]
    return grid


def add_carried_in(grid: Grid, last_carried_out: dict[str, object], rng: random.Random) -> None:
    """Last year's open requests, column by column, as this year's 二、上年结转, each given a result
    (synth deals carried-in requests to random columns; rule H701 wants them in the same column)."""
    s3 = edition(EDITION).section3
    leaves = [leaf.key for leaf in s3.leaves]
    weights = [synth.RESULT_WEIGHTS.get(key, 1) for key in leaves]
    for column in s3.applicant_columns:
        for _ in range(int(last_carried_out[column.key] or 0)):
            grid["carried_in"][column.key] += 1
            grid[rng.choices(leaves, weights)[0]][column.key] += 1
    section3_totals(grid)


def section3_totals(grid: Grid) -> None:
    """Recompute （七）总计 and the 总计 column after changing section 三 cells."""
    s3 = edition(EDITION).section3
    applicants = [c.key for c in s3.applicant_columns]
    for column in applicants:
        grid["results_total"][column] = sum(grid[leaf.key][column] for leaf in s3.leaves)
    for row in s3.rows:
        grid[row.key][s3.total_column.key] = sum(grid[row.key][column] for column in applicants)


def report_date(year: int, rng: random.Random) -> date:
    """A working day in early January of the next year, before the city's 1月15日 deadline."""
    days = [date(year + 1, 1, d) for d in range(5, 15)]
    return rng.choice([d for d in days if d.weekday() < 5])


# ---------------------------------------------------------------- text: shared helpers

SURNAMES = "王李张刘陈杨马赵周吴徐孙何丁田苏"
GIVEN = ("晓燕", "建军", "丽娟", "海涛", "文静", "志强", "雪梅", "红霞", "国栋", "佳琪", "永宁", "慧敏", "学军", "宁")


def contact(agency: Agency, year: int) -> tuple[str, str]:
    """A fictional clerk and phone number; the same clerk usually reports two years running."""
    stable = random.Random(f"{agency.name}/contact")
    people = [(stable.choice(SURNAMES) + stable.choice(GIVEN), f"0953-30{stable.randint(10000, 99999)}")
              for _ in range(2)]
    changed = random.Random(f"{agency.name}/{year}/contact").random() < 0.2
    return people[1] if changed and year != YEARS[0] else people[0]


def self_name(agency: Agency) -> str:
    for ending, short in (("镇人民政府", "本镇"), ("街道办事处", "本街道"), ("农场", "本场"), ("办公室", "本办"),
                          ("分局", "本分局"), ("中心", "本中心")):
        if agency.name.endswith(ending):
            return short
    return "本局"


def units(agency: Agency) -> str:
    """What its working units are called: 站所 in a town, 科室 in a street office, 股室 elsewhere."""
    return {"本镇": "站所", "本街道": "科室", "本场": "科室"}.get(self_name(agency), "股室")


def for_year(pool: Sequence[str], stable: random.Random, year: int, count: int = 1) -> list[str]:
    """`count` entries of `pool` for `year`, in an order fixed per agency; consecutive years take
    different entries, so an honest agency never repeats last year's sentence."""
    order = list(pool)
    stable.shuffle(order)
    start = (year - YEARS[0]) * count
    return [order[(start + i) % len(order)] for i in range(count)]


def topics_of(agency: Agency) -> tuple[str, ...]:
    if agency.topics:
        return agency.topics
    return tuple(random.Random(f"{agency.name}/topics").sample(TOWN_TOPICS, 5))


def focus_of(agency: Agency) -> str:
    return agency.focus or random.Random(f"{agency.name}/focus").choice(TOWN_FOCUS)


def year_topics(agency: Agency, year: int) -> list[str]:
    topics = topics_of(agency)
    start = year - YEARS[0]
    return [topics[(start + i) % len(topics)] for i in range(3)]


def listing(parts: Sequence[str]) -> str:
    return "、".join(parts)


@dataclass(frozen=True)
class Writer:
    """Everything a text slot needs: the agency, the year's report, and a random stream."""

    agency: Agency
    report: Report
    rng: random.Random  # seeded by agency and year: the figures that vary freely

    @property
    def year(self) -> int:
        return self.report.year

    def pick(self, pool: Sequence[str], count: int = 1) -> list[str]:
        # Seeded by agency and pool (not year): the variant order is fixed per agency, and a fresh
        # stream per pool means adding a slot does not reshuffle the others.
        seed = f"{self.agency.name}/{pool[0][:12]}"
        return for_year(pool, random.Random(seed), self.year, count)

    def fill(self, template: str, **extra: object) -> str:
        topics = year_topics(self.agency, self.year)
        return template.format(year=self.year, self=self_name(self.agency), units=units(self.agency),
                               short=self.agency.short, focus=focus_of(self.agency),
                               t1=topics[0], t2=topics[1], t3=topics[2], **extra)

    def total(self, row: str) -> int:
        return int(self.report.section3[row]["total"] or 0)


# ---------------------------------------------------------------- text: 一、总体情况

INTRO = (
    "{year}年，{self}以《中华人民共和国政府信息公开条例》为遵循，紧扣{focus}重点任务，推动政府信息公开与业务工作同部署、同落实。",
    "{year}年，{self}围绕{focus}，坚持以公开促落实、以公开促规范，全年政府信息公开工作平稳有序。",
    "{year}年，{self}把政府信息公开作为做好{focus}的基础性工作，年初制定工作要点，明确分管领导、责任{units}和信息员，逐项抓好落实。",
    "{year}年，{self}聚焦群众关注的{focus}事项，健全信息发布、审核和更新机制，公开的针对性和时效性有所提升。",
)
PUBLISHED = (
    "全年在政府门户网站“{short}”栏目发布信息{posts}条，重点公开了{t1}、{t2}和{t3}等方面的内容。",
    "围绕{t1}、{t2}、{t3}，全年主动公开各类政府信息{posts}条，做到应公开尽公开。",
    "本年度主动公开政府信息{posts}条，其中{t1}方面的信息最多，{t2}、{t3}等信息也按规定时限发布。",
    "年初梳理出{t1}、{t2}、{t3}三类重点信息，明确公开时限和责任人，全年累计发布{posts}条。",
)
DOCS_ENDING = ("，均已在行政规范性文件专栏集中公开并标注效力状态。", "，全部通过门户网站向社会公开。")
DECISIONS_LEAD = ("按照“双公示”要求，在决定作出后7个工作日内公开", "同步在网站公开")
NO_REQUESTS = (
    "本年度未收到政府信息公开申请，也没有上年结转的申请。{self}已在网站公布申请渠道和办理流程，保持申请渠道畅通。",
    "全年未收到政府信息公开申请。{self}在办公场所设置了申请接收点，安排专人负责登记，确保有申请时能够及时办理。",
    "{self}本年度没有收到政府信息公开申请，无上年结转事项。政府信息公开申请指南已按新要求修订并在网站公开。",
)
REQUESTS_LEAD = ("全年共收到政府信息公开申请{new}件", "本年新收政府信息公开申请{new}件", "全年受理政府信息公开申请{new}件")
REQUESTS_CLOSE = (
    "所有申请均在法定期限内答复。",
    "答复均在条例规定的期限内作出，并同步做好送达和归档。",
    "每件申请从登记到答复全程留痕，答复书均经法律顾问审核后出具。",
)
NO_CASES = ("本年度未发生涉及政府信息公开的行政复议、行政诉讼案件。", "全年没有因政府信息公开引起的行政复议和行政诉讼。")
MANAGEMENT = (
    "落实公开前保密审查，拟公开信息由经办{units}初审、分管领导审签后发布，全年未发生泄密和侵犯个人隐私的情况。",
    "在公文办理单上增设公开属性栏，拟文时即确定主动公开、依申请公开或不予公开，从源头减少应公开未公开的情况。",
    "对本单位制发的文件逐件复核公开属性，对已失效、废止的文件在网站标注效力状态。",
    "更新政府信息公开指南和公开目录，补充{t1}等办事服务类信息，撤下已过期的内容。",
    "对网站历史信息中涉及身份证号码、手机号码等个人信息的内容进行排查，逐条作了去标识化处理。",
    "建立政府信息公开工作台账，申请的登记、答复、送达、归档逐件记录，做到可查询、可追溯。",
    "信息发布实行“一事一审”，政策文件和数据类信息核对原件后再发布，防止出现错字和数据前后不一致。",
)
PLATFORM = (
    "对政府门户网站“{short}”栏目进行梳理，按照公开目录调整子栏目，解决了栏目空白、内容交叉的问题。",
    "通过微信公众号同步发布政策文件和办事提醒，政务新媒体坚持先审后发。",
    "在办事场所设置政府信息查阅点，提供纸质文件查阅和自助查询服务。",
    "对网站链接逐一检测，修复失效链接和错误链接，保证页面正常访问。",
    "对涉及{t2}的政策配发图文解读，用问答形式说明适用对象、办理条件和办理渠道。",
    "在网站设置{t3}专题，集中发布相关政策和办理结果，方便群众一站查询。",
)
PLATFORM_LOCAL = (
    "更新{places}公开栏，按季度公开财务收支、惠民资金发放和重大事项决策情况。",
    "指导{places}规范设置公开栏，涉及群众利益的事项做到事前公开方案、事后公开结果。",
)
OVERSIGHT = (
    "调整政府信息公开工作领导小组，由主要负责同志任组长，明确一名信息员负责日常工作。",
    "组织政府信息公开业务培训{courses}次，参训{people}人次，重点讲解申请办理流程和答复文书规范。",
    "开展政府信息公开工作自查{courses}次，对栏目更新不及时等问题即查即改。",
    "将政府信息公开工作纳入{units}年度目标考核，与业务工作一同考核、一同奖惩。",
    "在网站公布监督电话和电子邮箱，对群众反映的信息公开问题做到件件有回复。",
    "配合市政务公开办开展季度检查，对通报的问题逐条整改并按时报送整改情况。",
)
ASSESSMENT = (
    "{self}将政务公开纳入对{places}和各{units}的年度考核；年底组织群众代表和企业代表开展社会评议，评议结果总体满意。本年度未发生因政府信息公开工作引起的责任追究情况。",
    "本年度把政府信息公开纳入干部年度考核内容，通过问卷和座谈收集群众意见{opinions}条，已逐条回应。全年未发生政府信息公开方面的责任追究情况。",
    "结合年度考核对各{units}公开工作逐项评分，邀请人大代表、群众代表参与社会评议，全年未发生责任追究事项。",
)
RESULT_GROUPS = (  # how the text names the result categories: prefix of the leaf keys → words
    ("granted", "予以公开"), ("partial", "部分公开"), ("refused", "不予公开"), ("unable", "无法提供"),
    ("nh_", "不予处理"), ("other", "其他处理"),
)


def overview(w: Writer) -> str:
    paragraphs = [
        w.fill(w.pick(INTRO)[0]),
        "（一）主动公开。" + published(w) + normative_docs(w) + decisions(w),
        "（二）依申请公开。" + requests(w) + appeals(w),
        "（三）政府信息管理。" + "".join(w.fill(s) for s in w.pick(MANAGEMENT, 2)),
        "（四）平台建设。" + "".join(w.fill(s) for s in platform_pool(w)),
        "（五）监督保障。" + "".join(oversight(w, s) for s in w.pick(OVERSIGHT, 2)),
    ]
    if w.agency.group == TOWN:  # 条例第五十条: a 人民政府 also reports 考核、评议、责任追究
        places = local_places(w.agency)
        text = w.pick(ASSESSMENT)[0]
        paragraphs.append("（六）工作考核、社会评议和责任追究。"
                          + w.fill(text, places=places, opinions=w.rng.randint(8, 40)))
    return "\n".join(paragraphs)


def published(w: Writer) -> str:
    low = int(60 + 30 * min(w.agency.size, 5))  # a 审批局 decides thousands but posts a few hundred items
    return w.fill(w.pick(PUBLISHED)[0], posts=w.rng.randint(low, low * 3))


def normative_docs(w: Writer) -> str:
    docs = w.report.section2["normative_docs"]
    issued, repealed, in_force = (int(docs[k] or 0) for k in ("issued", "repealed", "in_force"))
    if not (issued or repealed or in_force):
        return "本年度未制发行政规范性文件。"
    parts = [f"制发行政规范性文件{issued}件" if issued else "未制发行政规范性文件"]
    if repealed:
        parts.append(f"废止{repealed}件")
    if in_force:
        parts.append(f"年底现行有效{in_force}件")
    return "本年" + "，".join(parts) + w.pick(DOCS_ENDING)[0]


def decisions(w: Writer) -> str:
    s2 = w.report.section2
    counts = [(int(s2[row]["decisions"] or 0), label) for row, label in
              (("licensing", "行政许可"), ("penalty", "行政处罚"), ("coercion", "行政强制"))]
    named = [f"{label}决定{n}件" for n, label in counts if n]
    text = w.pick(DECISIONS_LEAD)[0] + listing(named) + "。" if named else ""
    fee = s2["fees"]["fee_amount"] or 0
    if fee:
        text += f"全年行政事业性收费{fee:g}万元，收费项目、依据和标准均已公示。"
    return text


def requests(w: Writer) -> str:
    new, carried_in = w.total("new"), w.total("carried_in")
    if new + carried_in == 0:
        return w.fill(w.pick(NO_REQUESTS)[0])
    lead = w.pick(REQUESTS_LEAD)[0].format(new=new) + applicants(w) if new else "本年未新收政府信息公开申请"
    if carried_in:
        lead += f"，另有上年结转{carried_in}件"
    lead += "。"
    done = w.total("results_total")
    results = f"已办结{done}件，其中{listing(result_parts(w))}。" if done else ""
    carried_out = w.total("carried_out")
    if carried_out:
        results += f"结转下年度继续办理{carried_out}件，因需征求第三方意见，尚在法定答复期限内。"
    return lead + results + w.pick(REQUESTS_CLOSE)[0]


def applicants(w: Writer) -> str:
    row = w.report.section3["new"]
    natural = int(row["natural"] or 0)
    others = int(row["total"] or 0) - natural
    if not (natural or others):
        return ""
    if not others:
        return "，均由自然人提出"
    if not natural:
        return "，均由法人或其他组织提出"
    return f"，其中自然人提出{natural}件、法人或其他组织提出{others}件"


def result_parts(w: Writer) -> list[str]:
    s3 = w.report.section3
    parts = []
    for prefix, words in RESULT_GROUPS:
        count = sum(int(s3[leaf.key]["total"] or 0) for leaf in edition(EDITION).section3.leaves
                    if leaf.key.startswith(prefix))
        if count:
            parts.append(f"{words}{count}件")
    return parts


def appeals(w: Writer) -> str:
    s4 = w.report.section4
    review = int(s4["review"]["total"] or 0)
    suits = int(s4["direct_suit"]["total"] or 0) + int(s4["suit_after_review"]["total"] or 0)
    if not (review or suits):
        return w.pick(NO_CASES)[0]
    named = [f"{label}{n}件" for n, label in ((review, "行政复议"), (suits, "行政诉讼")) if n]
    outcomes = [(sum(int(s4[group][key] or 0) for group in s4), label)
                for key, label in (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                                   ("pending", "尚未审结"))]
    return f"因政府信息公开引起{listing(named)}，其中{listing([f'{label}{n}件' for n, label in outcomes if n])}。"


def platform_pool(w: Writer) -> list[str]:
    if w.agency.group == TOWN:  # towns and the street office keep the village / community boards
        local = w.pick(PLATFORM_LOCAL)[0].replace("{places}", local_places(w.agency))
        return [*w.pick(PLATFORM), local]
    return w.pick(PLATFORM, 2)


def oversight(w: Writer, sentence: str) -> str:
    courses = w.rng.randint(1, 4)
    return w.fill(sentence, courses=courses, people=courses * w.rng.randint(8, 30))


def local_places(agency: Agency) -> str:
    return "各社区" if agency.name.endswith("街道办事处") else "各村（社区）"


# ---------------------------------------------------------------- text: 五、问题 and 六、其他

PROBLEMS = (  # (problem, improvement)
    ("{t1}信息更新不够及时，部分信息在事项办结后才集中发布",
     "明确{t1}信息由承办{units}在信息形成之日起20个工作日内提交公开，信息员每月核对一次"),
    ("政策解读形式比较单一，以文字解读为主，群众阅读意愿不强",
     "对涉及群众切身利益的政策增加图解、短视频等解读形式，全年图解解读不少于4篇"),
    ("经办人员对公开属性的把握不够准确，个别答复文书引用条款不够规范",
     "组织信息员参加市政务公开办的业务培训，答复文书统一经法律顾问审核后再出具"),
    ("网站栏目中仍有少量过期的办事指南，与实际办理要求不一致",
     "对照最新政务服务事项清单逐项核对办事指南，每季度集中更新一次"),
    ("主动公开的内容以工作动态为主，{t2}等结果类信息公开不够充分",
     "把{t2}的办理结果列为必须公开的内容，按月汇总发布"),
    ("政务新媒体与门户网站发布不同步，个别文件只在一处发布",
     "建立网站和公众号同步发布清单，政策文件两处同时发布、同时更新"),
    ("信息员由业务人员兼任，人员调整后工作衔接不够顺畅",
     "建立信息员交接清单，人员调整时当面交接账号、台账和未办结事项"),
    ("依申请公开台账登记不够规范，个别申请缺少送达凭证",
     "统一台账格式，答复书送达后3个工作日内补齐回执并归档"),
    ("与公众的互动不够，政策出台前征求意见的渠道不多",
     "重要政策出台前在网站公开征求意见不少于7日，并公布意见采纳情况"),
)
PROBLEMS_LOCAL = ("{places}公开栏更新不均衡，个别公开栏的内容不够具体",
                  "每季度对{places}公开栏逐一检查，把惠民资金发放明细列为必须公开的内容")
PROBLEMS_FRAME = (
    "本年度工作中还存在一些不足：一是{p1}；二是{p2}；三是{p3}。下一步，{self}将{f1}；{f2}；{f3}。",
    "存在的主要问题：一是{p1}；二是{p2}；三是{p3}。改进措施：一是{f1}；二是{f2}；三是{f3}。",
    "{year}年工作中发现的问题主要有三个方面：{p1}；{p2}；{p3}。对此，{self}将{f1}，{f2}，并{f3}。",
)
LAST_YEAR_DONE = ("上年度报告所列问题已按改进措施逐项落实。", "针对上年度查找的问题，已完成整改。", "")
OTHER = (
    "本年度未收取信息处理费。",
    "{year}年度{self}未收取政府信息公开信息处理费，无其他需要报告的事项。",
    "本年度依申请提供政府信息，均未收取信息处理费。",
    "本年度没有收取信息处理费。无其他需要报告的事项。",
)


def problems(w: Writer) -> str:
    pool = list(PROBLEMS)
    if w.agency.group == TOWN:
        pool.append(PROBLEMS_LOCAL)
    chosen = for_year(pool, random.Random(f"{w.agency.name}/problems"), w.year, 3)
    places = local_places(w.agency)
    parts = {}
    for i, (problem, improvement) in enumerate(chosen, start=1):
        parts[f"p{i}"], parts[f"f{i}"] = w.fill(problem, places=places), w.fill(improvement, places=places)
    text = w.fill(w.pick(PROBLEMS_FRAME)[0], **parts)
    if w.year != YEARS[0]:
        text = w.pick(LAST_YEAR_DONE)[0] + text
    return text


def other(w: Writer) -> str:
    return w.fill(w.pick(OTHER)[0])


def with_text(agency: Agency, report: Report) -> Report:
    person, phone = contact(agency, report.year)
    w = Writer(agency, report, random.Random(f"{agency.name}/{report.year}/text"))
    return report.model_copy(update={"overview": overview(w), "problems": problems(w), "other": other(w),
                                     "contact_person": person, "contact_phone": phone})


# ---------------------------------------------------------------- deliberate mistakes


@dataclass(frozen=True)
class Mistake:
    agency: str
    year: int
    code: str
    # numbers: changes the tables before the text is written (the clerk writes the text from them);
    # text: changes the finished report. Each returns the report and what exactly was changed.
    numbers: Callable[[Report], tuple[Report, str]] | None = None
    text: Callable[[Report, Report], tuple[Report, str]] | None = None


def counted_twice(report: Report) -> tuple[Report, str]:
    """B401: a request answered in the year also entered under 四、结转下年度继续办理."""
    s3 = edition(EDITION).section3
    grid = {row: dict(cells) for row, cells in report.section3.items()}
    leaf = next(leaf for leaf in s3.leaves if grid[leaf.key]["natural"])
    grid["carried_out"]["natural"] += 1
    section3_totals(grid)
    what = (f"第三部分“自然人”列：一件已办结并计入“{leaf.title}”的申请，又计入“四、结转下年度继续办理”"
            f"（填{grid['carried_out']['natural']}，应为{grid['carried_out']['natural'] - 1}），"
            "一+二比（七）+四少1；“自然人”列和“总计”列各报一次")
    return report.model_copy(update={"section3": grid}), what


def totals_swapped(report: Report) -> tuple[Report, str]:
    """B403: two 总计 cells typed by hand, each into the other's row."""
    s3 = edition(EDITION).section3
    grid = {row: dict(cells) for row, cells in report.section3.items()}
    first = max(s3.leaves, key=lambda leaf: grid[leaf.key]["total"])
    second = next(leaf for leaf in s3.leaves if grid[leaf.key]["total"] != grid[first.key]["total"])
    a, b = grid[first.key]["total"], grid[second.key]["total"]
    grid[first.key]["total"], grid[second.key]["total"] = b, a
    first_title, second_title = (leaf.title.split("（区分")[0] for leaf in (first, second))
    what = (f"第三部分“总计”列手工填写时串行：“{first_title}”行填{b}（应为{a}），"
            f"“{second_title}”行填{a}（应为{b}）；两数之和不变，所以（七）总计和勾稽关系仍然成立")
    return report.model_copy(update={"section3": grid}), what


def dated_late(report: Report) -> tuple[Report, str]:
    """D601: signed after the city's 1月15日 deadline (still before the legal 1月31日)."""
    late = date(report.year + 1, 1, 20)
    return report.model_copy(update={"report_date": late}), f"成文日期{late.isoformat()}，晚于青铜峡市规定的1月15日"


def problems_copied(report: Report, previous: Report) -> tuple[Report, str]:
    """T503: section 五 pasted from last year's report unchanged."""
    what = f"“五、存在的主要问题及改进情况”与{previous.year}年度报告一字不差（重复率100%）"
    return report.model_copy(update={"problems": previous.problems}), what


MISTAKES = (
    Mistake("青铜峡市住房和城乡建设局", 2025, "B401", numbers=counted_twice),
    Mistake("青铜峡市人力资源和社会保障局", 2025, "B403", numbers=totals_swapped),
    Mistake("瞿靖镇人民政府", 2025, "T503", text=problems_copied),
    Mistake("峡口镇人民政府", 2025, "D601", numbers=dated_late),
)


# ---------------------------------------------------------------- building the city


@dataclass(frozen=True)
class Built:
    agency: Agency
    report: Report
    mistake: Mistake | None = None
    what: str = ""  # the mistake's exact description, for README.md


def build_report(agency: Agency, year: int, previous: Report | None) -> Built:
    mistake = next((m for m in MISTAKES if m.agency == agency.name and m.year == year), None)
    report, what = numbers(agency, year, previous), ""
    if mistake and mistake.numbers:
        report, what = mistake.numbers(report)
    report = with_text(agency, report)
    if mistake and mistake.text:
        assert previous is not None, f"{agency.name}: a text mistake needs last year's report"
        report, what = mistake.text(report, previous)
    return Built(agency, report, mistake, what)


def build_city() -> dict[int, list[Built]]:
    """Every report of both years, 2025 following on from 2024 agency by agency."""
    city: dict[int, list[Built]] = {year: [] for year in YEARS}
    for agency in AGENCIES:
        previous = None
        for year in YEARS:
            built = build_report(agency, year, previous)
            previous = built.report
            if not (agency.name == MISSING_2025 and year == 2025):
                city[year].append(built)
    city[YEARS[-1]].append(build_report(OFF_ROSTER, YEARS[-1], None))
    return city


# ---------------------------------------------------------------- files


def freeze_xlsx(path: Path, when: date) -> None:
    """Make an .xlsx byte-identical between runs: openpyxl stamps the save time into
    docProps/core.xml and into every zip entry; both are set to `when` instead."""
    stamp = f"{when.isoformat()}T09:00:00Z"
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(when.year, when.month, when.day, 9, 0, 0))
            fixed.external_attr, fixed.compress_type = info.external_attr, zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)


def write_roster(out: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    ws.append(ROSTER_HEADER)
    for agency in AGENCIES:
        ws.append((agency.name, agency.group, "、".join(agency.aliases)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABC", (34, 12, 44), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "qtx-report"
    path = out / ROSTER_FILE
    wb.save(path)
    freeze_xlsx(path, ROSTER_STAMP)


def write_reports(out: Path, city: dict[int, list[Built]]) -> None:
    for year, reports in city.items():
        for built in reports:
            path = out / str(year) / f"{built.agency.short}.xlsx"
            write_template(path, edition=EDITION, report=built.report, overwrite=True)
            freeze_xlsx(path, built.report.report_date or date(year + 1, 1, 1))


def clear_old(out: Path) -> None:
    """Remove what an earlier run wrote (only our own file kinds), so a dropped agency leaves no file."""
    for year in YEARS:
        for old in (out / str(year)).glob("*.xlsx"):
            old.unlink()
    for name in (ROSTER_FILE, "README.md"):
        (out / name).unlink(missing_ok=True)


# ---------------------------------------------------------------- README.md


def readme(city: dict[int, list[Built]]) -> str:
    groups = [TOWN, FARM, CITY, RESIDENT]
    counts = "，".join(f"{g} {sum(a.group == g for a in AGENCIES)} 个" for g in groups)
    last = YEARS[-1]
    rows = [f"| {i} | {b.agency.name} | `{last}/{b.agency.short}.xlsx` | {b.mistake.code} | {b.what} |"
            for i, b in enumerate((b for b in city[last] if b.mistake), start=1)]
    missing = next(a for a in AGENCIES if a.name == MISSING_2025)
    rows.append(f"| {len(rows) + 1} | {missing.name} | 无 `{last}/{missing.short}.xlsx` | 缺报 | "
                f"名单内单位，有{YEARS[0]}年度报告，{last}年度报告未报送（全市汇总时应列为未报送） |")
    rows.append(f"| {len(rows) + 1} | {OFF_ROSTER.name} | `{last}/{OFF_ROSTER.short}.xlsx` | 名单外 | "
                "报告本身无误，但该单位不在名单.xlsx 中（全市汇总时应列为名单外单位） |")
    return README.format(total=len(AGENCIES), counts=counts, first=YEARS[0], last=last,
                         mistakes="\n".join(rows), honest=len(city[last]) - sum(b.mistake is not None for b in city[last]))


README = """# 示例数据：青铜峡市 {first}、{last} 年度政府信息公开工作年度报告

本目录是一个虚构但接近真实的“全市”，供演示、试用和测试：

- `名单.xlsx`：报送单位名单（工作表“名单”，列为 单位名称、分组、别名；别名之间用“、”分隔）。
  共 {total} 个单位：{counts}。单位名称取自《青铜峡市人民政府公报》2021年第3期中出现的镇、街道、
  农场和市直部门（公报称“全市8镇2场”；大坝镇、叶盛镇据公报中的大坝卫生院、叶盛中心卫生院）。
- `{first}/`、`{last}/`：每个单位每年一个填好的报送工作簿（2021版格式，文件名为单位简称），
  与 `qtx-report template` 生成的模板版式相同。

数字为合成数据，勾稽关系平衡，{last}年度与{first}年度衔接（“二、上年结转”逐列等于上年“四、结转下年度继续办理”，
现行有效件数 = 上年现行有效 + 本年制发 − 本年废止）。正文为本项目新写的示例文字，按各单位职能和当年表格数字组合而成，
不摘自任何真实报告；填报人和联系电话均为虚构。

## 生成方式

```
.venv/bin/python scripts/make_samples.py            # 写入 samples/
.venv/bin/python scripts/make_samples.py --out 目录  # 写到别处
```

生成过程是确定的：每次运行得到逐字节相同的文件。**请勿手工修改本目录**，需要改动时修改脚本后重新生成；
`tests/test_samples.py` 会检查本目录与重新生成的结果完全一致。

## 有意设置的错误（{last}年度）

其余 {honest} 份{last}年度报告按 `--previous` 与上年度比对，没有错误和警告。

| # | 单位 | 文件 | 规则 | 错在哪里 |
|---|---|---|---|---|
{mistakes}

## 检查

```
.venv/bin/qtx-report check samples/{last} --previous samples/{first}
```

B401、B403 为错误（该文件未通过，退出码 1）；T503、D601 为警告。每个文件另有若干条“提示”（I105）：
工作簿中的合计单元格是公式，生成时没有保存计算结果，读取时按分项相加得出，不影响结论。
"""


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="写出 samples/：青铜峡市两个年度的示例报告")
    parser.add_argument("--out", type=Path, default=ROOT / "samples", help="输出目录（默认 samples/）")
    out: Path = parser.parse_args(argv).out
    city = build_city()
    for year in YEARS:
        (out / str(year)).mkdir(parents=True, exist_ok=True)
    clear_old(out)
    write_roster(out)
    write_reports(out, city)
    (out / "README.md").write_text(readme(city), encoding="utf-8")
    print(f"已写入 {out}：名单 {len(AGENCIES)} 个单位，" + "，".join(f"{y}年 {len(city[y])} 份" for y in YEARS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
