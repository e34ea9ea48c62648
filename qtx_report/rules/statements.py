"""What the sentences of a report's text state, across the many ways real reports phrase it: the
figures T502 holds against the tables, and the years T505 holds against the report year.

Text is read clause by clause (split at ，：；。 and line breaks) with the topic each clause is about
(requests, 行政复议, 行政诉讼, or something else such as 咨询 and 留言), carried on to the clauses
that follow until a new topic or a new numbered paragraph: “全年共办结12件” states a request figure
only where the sentence is about requests, never where it is about 12345 热线 工单.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Clerks type full-width digits; folding them one for one keeps every position of the text.
_FOLD = str.maketrans("０１２３４５６７８９", "0123456789")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_CLAUSE = re.compile(r"[^，,：:]+")
_ENUMERATOR = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．])")

_SOME_LEFT = re.compile(r"结转|其余|剩余|余下|除")

# Topics in the order they are tried: 行政复议申请 is about a review, not a request.
_TOPICS = (
    ("review", re.compile(r"复议")),
    ("suit", re.compile(r"诉讼|起诉|应诉")),
    ("other", re.compile(r"咨询|留言|建议|提案|议案|热线|信访|投诉|举报|工单|诉求|来信|来电|问政|12345|办件|"
                         r"政务服务|审批|许可|处罚|执法|案卷|网民|意见")),
    ("request", re.compile(r"申请")),
)


@dataclass(frozen=True)
class Clause:
    text: str
    topic: str  # "request", "review", "suit", "other", or "" when nothing said it yet
    carries: bool  # its sentence speaks of 结转: a 办结 figure there may be a part of the total
    some_left: bool  # its sentence leaves some out (其余、除…外): "均已办结" is not all of them


def sentences(text: str) -> Iterator[list[str]]:
    """Each paragraph's sentences, full-width digits folded."""
    for paragraph in text.translate(_FOLD).split("\n"):
        yield _SENTENCE.findall(paragraph)


def clauses(text: str) -> Iterator[Clause]:
    for paragraph in sentences(text):
        topic = ""
        for sentence in paragraph:
            carries, some_left = "结转" in sentence, bool(_SOME_LEFT.search(sentence))  # once: sentences are long
            for part in _CLAUSE.findall(sentence):
                if _ENUMERATOR.match(part):
                    topic = ""  # （三）政府信息管理 starts a new subject
                topic = next((name for name, words in _TOPICS if words.search(part)), topic)
                yield Clause(part, topic, carries, some_left)


# ---------------------------------------------------------------- figures (T502)


@dataclass(frozen=True)
class Stated:
    """A figure the text states: `target` is a section 三 row key (its 总计 column) or "review" /
    "suit" (section 四: 行政复议 total, the two 行政诉讼 totals summed)."""

    target: str
    value: int
    quote: str  # the words that state it, as written


_FILL = r"[^，,：:\d复诉结]"  # words between a verb and its number, never another figure's
# (target, pattern with the number as group n, topic the clause must have or "" for any)
_FIGURES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("new", re.compile(rf"(?:新收|收到|受理|接收|接到|收悉){_FILL}{{0,20}}?申请{_FILL}{{0,6}}?(?P<n>\d+)[件份]"),
     "request"),
    ("carried_in", re.compile(r"(?:上一?年度?|(?P<year>\d{4})年度?)结转(?!至|到|下)[^，,：:\d]{0,10}?(?P<n>\d+)件"), ""),
    ("carried_out", re.compile(r"结转(?:至|到)?下一?年度?[^，,：:\d]{0,10}?(?P<n>\d+)件"), ""),
    ("carried_out", re.compile(r"(?<!\d)(?P<n>\d+)件[^，,：:\d]{0,8}?结转(?:至|到)?下一?年"), ""),
    ("results_total", re.compile(r"(?:办结|答复|办理完毕|处理完毕)了?(?:政府信息公开|依申请公开)?(?:申请)?"
                                 r"(?:共计|合计|总计|共)?(?P<n>\d+)件"), "request"),
    ("review", re.compile(r"行政复议的?(?:案件|申请)?(?:共计|合计|共)?(?P<n>\d+)[件起宗例]"), ""),
    ("suit", re.compile(r"行政(?:诉讼|应诉)的?(?:案件)?(?:共计|合计|共)?(?P<n>\d+)[件起宗例]"), ""),
)
_BOTH_CASES = re.compile(r"行政复议(?:案件)?[和及与、]行政诉讼(?:案件)?(?:各|均为|均|都为|都是)(?P<n>\d+)[件起]")
# A 行政诉讼 figure said of one kind (复议后起诉, 未经复议直接起诉) is not the 行政诉讼 total.
_ONE_KIND_OF_SUIT = re.compile(r"复议后|经复议|经过复议|直接起诉")

# Statements of none. "未发生行政复议纠错" says a review was not lost, not that there was none.
_NEGATION = r"(?:未|没有|无(?!论|需|法|正当))"
_WHICH_REQUESTS = r"(?:政府信息公开|依申请公开|信息公开)的?申请"  # never bare 申请: 申请人未申请延期
_NONE_NEW = re.compile(rf"{_NEGATION}(?:(?:收到|受理|接到|接收|新收)(?:任何)?(?:{_WHICH_REQUESTS}|申请)"
                       rf"|(?:发生|有)?(?:任何)?(?:{_WHICH_REQUESTS}|依申请公开))")
_NONE_CARRIED_IN = re.compile(r"(?:未|没有|无)(?:发生|有)?上一?年度?结转")
_NONE_CARRIED_OUT = re.compile(r"(?:未|没有|无)(?:需要?)?(?:结转|转入)(?:至|到)?下一?年")
_ALL_DONE = re.compile(r"(?:全部|均已|已全部|全都|都已|悉数|均)(?:按时|按期|如期|依法|及时|在法定期限内)?"
                       r"(?:办结|办理完毕|答复完毕|处理完毕)")
# 未发生（因政府信息公开引起的）行政复议, 未被申请行政复议, 无行政诉讼; never 因未公开信息被申请行政复议.
_NONE_CASES = re.compile(rf"{_NEGATION}(?:发生|出现|收到|产生|接到|有)?(?:(?:因|涉及|关于)[^，,：:]{{0,14}}?的?)?"
                         r"(?:政府信息公开(?:工作)?)?(?:被申请|被提起|被|提起)?(?:行政复议|行政诉讼)")
_CASES_NOT_NONE = re.compile(r"纠错|纠正|败诉|撤销|确认违法|被纠|直接起诉|复议后|维持")


def stated_figures(text: str, year: int) -> Iterator[Stated]:
    """Every figure the text states, in text order; at most one per target and clause."""
    for clause in clauses(text):
        seen: set[str] = set()
        for stated in (*_numbers(clause, year), *_nones(clause)):
            if stated.target not in seen:
                seen.add(stated.target)
                yield stated


def _numbers(clause: Clause, year: int) -> Iterator[Stated]:
    for target, pattern, topic in _FIGURES:
        if topic and clause.topic != topic:
            continue
        if target == "results_total" and clause.carries:
            continue  # 办结上年结转的1件 counts a part of the total, not the total
        if target == "suit" and _ONE_KIND_OF_SUIT.search(clause.text):
            continue
        for match in pattern.finditer(clause.text):
            if match.groupdict().get("year") and int(match.group("year")) != year - 1:
                continue
            yield Stated(target, int(match.group("n")), match.group(0))
    both = _BOTH_CASES.search(clause.text)
    if both:
        yield from (Stated(target, int(both.group("n")), both.group(0)) for target in ("review", "suit"))


def _nones(clause: Clause) -> Iterator[Stated]:
    """Statements that there was none; only in a clause with no figure of its own."""
    text = clause.text
    if re.search(r"\d", text):
        return
    if clause.topic == "request" and _NONE_NEW.search(text):
        yield Stated("new", 0, text.strip())
    if _NONE_CARRIED_IN.search(text):
        yield Stated("carried_in", 0, text.strip())
    if _NONE_CARRIED_OUT.search(text) or (clause.topic == "request" and _ALL_DONE.search(text)
                                          and not clause.some_left):
        yield Stated("carried_out", 0, text.strip())
    none = _NONE_CASES.search(text)
    if none and not _CASES_NOT_NONE.search(text):
        rest = text[none.start():]
        if "复议" in rest:
            yield Stated("review", 0, text.strip())
        if "诉讼" in rest:
            yield Stated("suit", 0, text.strip())


# ---------------------------------------------------------------- years (T505)

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年度?")
# 统计期限自2023年1月1日起至2023年12月31日止: the period this report covers.
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})年1月1日起?(?:至|到|—|-|～|~)(?:((?:19|20)\d{2})年)?12月31日")
# Bounded, so that an unclosed 《 costs no more than a closed one.
_QUOTED = re.compile(r"《[^》]{0,80}》|“[^”]{0,80}”|\"[^\"]{0,80}\"|「[^」]{0,80}」")
# A sentence that compares, counts from, or carries over names other years on purpose.
_COMPARING = re.compile(r"较|比|相比|对比|同期|上年|去年|前年|往年|历年|增加|减少|增长|下降|上升|持平|提高|降低|"
                        r"基础上|以来|至今|结转|延续|沿用|连续|分别|截至|截止")
_FUTURE = re.compile(r"将|计划|拟|力争|争取|下一步|明年|下一年|今后|预计|目标|确保")
_NOT_THIS_YEAR_BEFORE = tuple("自从至到于在、和及与—-~～")
_SELF = re.compile(r"(?:本|我)(?:机关|局|镇|乡|单位|委|办|中心|院|部门|街道|场|厅|署|会|所|站|府|区|县|市)$")
_YEAR_FIGURES = r"全年|共|累计|主动公开|新收|收到|受理|办结"
_WORK = _YEAR_FIGURES + r"|答复|制发|印发|发布|公开|开展|围绕|坚持|按照|深入|认真|进一步|持续|不断|紧扣|聚焦|以"
_AFTER_HEAD = re.compile(rf"^(?:[，,]|本|我|{_WORK})")  # 2023年，本局… / 2023年本局… / 2023年主动公开…
_AFTER_SELF = re.compile(rf"^(?:[，,]|{_WORK})")  # 本机关2023年主动公开…, never 本局1998年成立
_AFTER_ANY = re.compile(rf"^(?:{_YEAR_FIGURES})")  # …，2023年共收到申请12件
_ATTRIBUTE = re.compile(r"^[^，,]{0,6}的")  # 2023年印发的《办法》 names an old document


def stray_years(text: str, year: int) -> Iterator[tuple[int, str]]:
    """(year written, the clause that writes it) where the text describes the year's work with a year
    other than the report's: at the head of a sentence (2023年，本局…), after the agency (本机关2023年…),
    before the year's figures (2023年共收到…), or as the statistical period (2023年1月1日至12月31日)."""
    for paragraph in sentences(text):
        for sentence in paragraph:
            yield from _stray_in(sentence, year)


def _stray_in(sentence: str, year: int) -> Iterator[tuple[int, str]]:
    for written in _period_years(sentence):
        if written != year:
            yield written, _quote(sentence)
    plain = _QUOTED.sub(lambda m: "□" * len(m.group(0)), _PERIOD.sub(lambda m: "□" * len(m.group(0)), sentence))
    # Two years in one sentence, or this year beside another, are a comparison: 2024年12件，2023年10件.
    if str(year) in plain or re.search(r"本年|今年", plain) or len(set(_YEAR.findall(plain))) > 1:
        return
    plans = bool(_FUTURE.search(sentence))  # once: a sentence may hold many years
    for match in _YEAR.finditer(plain):
        written, (lead, head) = int(match.group(1)), _lead(plain, match.start())
        if written == year or (written > year and plans) or \
                _COMPARING.search(_clause_around(plain, match.start(), match.end())):
            continue
        if _describes_the_year(lead, head, plain[match.end():match.end() + _NEAR]):
            begin = match.start() - len(lead)
            yield written, _quote(sentence[begin:begin + 31])


_NEAR = 40  # how far around a year its clause is read: bounded, so a long sentence costs no more per year
_MARKS = re.compile(r"[，,：:]")


def _lead(plain: str, start: int) -> tuple[str, bool]:
    """The words of the year's clause before it, and whether the year heads its sentence."""
    window = plain[max(0, start - _NEAR):start]
    marks = [m.end() for m in _MARKS.finditer(window)]
    lead = window[marks[-1]:] if marks else window
    return lead, not marks and start <= _NEAR


def _clause_around(plain: str, start: int, end: int) -> str:
    before, _head = _lead(plain, start)
    return before + plain[start:end] + _MARKS.split(plain[end:end + _NEAR], maxsplit=1)[0]


def _period_years(text: str) -> Iterator[int]:
    for match in _PERIOD.finditer(text):
        yield from {int(y) for y in match.groups() if y}


def _describes_the_year(before: str, head: bool, after: str) -> bool:
    lead = _ENUMERATOR.sub("", before).strip()
    if lead.endswith(_NOT_THIS_YEAR_BEFORE) or _ATTRIBUTE.match(after):
        return False
    if not lead:  # the head of its sentence, or of a later clause (…方面，2023年共收到…)
        return bool((_AFTER_HEAD if head else _AFTER_ANY).match(after))
    if _SELF.search(lead):
        return bool(_AFTER_SELF.match(after))
    return bool(_AFTER_ANY.match(after))


def _quote(text: str, keep: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= keep else text[:keep] + "…"
