"""Personal information in the text, which must be masked before the report is published (附件2:
“隐私信息要遮掩”): 身份证号 (P901), 手机号 (P902), 银行卡号 (P903).

Each number is recognised by what makes it that kind of number, not by its length alone: an ID by
its province, birth date and ISO 7064 MOD 11-2 check digit, a card by the Luhn check, a mobile by
its 1[3-9] prefix. Messages quote the number masked, so that the finding itself publishes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from qtx_report.form.editions import TEXT_SECTIONS
from qtx_report.model.findings import Finding
from qtx_report.rules.base import Context, rule

# Full-width digits fold one for one, so positions in the folded text are positions in the text.
_FOLD = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"  # never a run inside a longer code
_ID = re.compile(rf"{_EDGE_BEFORE}\d{{17}}[\dXx]{_EDGE_AFTER}")
_MOBILE = re.compile(rf"{_EDGE_BEFORE}1[3-9]\d(?:[- ]?\d{{4}}){{2}}{_EDGE_AFTER}")
_CARD = re.compile(rf"{_EDGE_BEFORE}(?:\d{{16,19}}|\d{{4}}(?:[ -]\d{{4}}){{3}}(?:[ -]?\d{{1,3}})?){_EDGE_AFTER}")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")

# GB 11643: the first two digits name a province (港澳台 included).
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: the check character for each remainder of the weighted sum
# GB 32100 统一社会信用代码: 18 characters that may all be digits, with their own check character.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# A sentence that gives the office's own line publishes it on purpose; unless it is about a person.
_OFFICE_LINE = re.compile(r"联系电话|咨询电话|监督电话|服务电话|投诉电话|举报电话|办公电话|值班电话|受理电话|热线")
_PERSON = re.compile(r"申请人|当事人|身份证|住址|家住|村民|居民|户主|本人|先生|女士")
_CODE_WORDS = re.compile(r"信用代码|机构代码|识别号|税号|编号|编码|单号|代码")
_NOT_A_PHONE_AFTER = re.compile(r"^(?:元|万|亿|件|条|项|次|户|人|%|‰|\.\d|年|月|日|号)")


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def looks_like_id(number: str, latest_year: int) -> bool:
    """Province and birth date of a 身份证号, whatever its check digit."""
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= latest_year


def is_id_number(number: str, latest_year: int) -> bool:
    return looks_like_id(number, latest_year) and id_check_digit(number[:17]) == number[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def is_credit_code(code: str) -> bool:
    if len(code) != 18 or any(ch not in _CREDIT_CHARS for ch in code.upper()):
        return False
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(code.upper()[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code.upper()[17]


def mask(digits: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """6403021990010112X4 → 6403**********12X4: enough to find it in the text, too little to use."""
    return digits[:keep_start] + "*" * (len(digits) - keep_start - keep_end) + digits[-keep_end:]


def _sentences(text: str) -> Iterator[str]:
    yield from _SENTENCE.findall(text.translate(_FOLD))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(_FOLD))


def id_numbers(text: str, year: int) -> Iterator[str]:
    for sentence in _sentences(text):
        for match in _ID.finditer(sentence):
            if is_id_number(match.group(0), year + 1):
                yield match.group(0)


def mobile_numbers(text: str, contact_phone: str = "") -> Iterator[str]:
    own = _digits(contact_phone)
    for sentence in _sentences(text):
        office = _OFFICE_LINE.search(sentence) and not _PERSON.search(sentence)
        for match in _MOBILE.finditer(sentence):
            number = _digits(match.group(0))
            if office or (own and number in own) or _NOT_A_PHONE_AFTER.match(sentence[match.end():match.end() + 2]):
                continue
            yield number


def card_numbers(text: str, year: int) -> Iterator[str]:
    for sentence in _sentences(text):
        if _CODE_WORDS.search(sentence):
            continue  # 统一社会信用代码、项目编码 and the like are published on purpose
        for match in _CARD.finditer(sentence):
            number = _digits(match.group(0))
            if 16 <= len(number) <= 19 and luhn_valid(number) and not _other_kind(number, year):
                yield number


def _other_kind(number: str, year: int) -> bool:
    """An 18-digit number shaped like an ID (P901's, or a mistyped one) or a credit code is no card."""
    return len(number) == 18 and (looks_like_id(number, year + 1) or is_credit_code(number))


def _each_section(ctx: Context, code: str, what: str, find: Callable[[str], Iterator[str]],
                  keep: tuple[int, int]) -> Iterator[Finding]:
    for section in TEXT_SECTIONS:
        for number in find(getattr(ctx.report, section.key)):
            masked = mask(number, *keep)
            yield ctx.at(code, f"“{section.heading}”中有{what}{masked}（此处已遮掩）。按“隐私信息要遮掩”的要求，"
                         f"公开前请删除该{what}或遮掩其中几位。", section=section.heading, actual=masked)


@rule("P901")
def id_numbers_in_text(ctx: Context) -> Iterator[Finding]:
    yield from _each_section(ctx, "P901", "身份证号", lambda text: id_numbers(text, ctx.report.year), (4, 4))


@rule("P902")
def mobile_numbers_in_text(ctx: Context) -> Iterator[Finding]:
    yield from _each_section(ctx, "P902", "手机号", lambda text: mobile_numbers(text, ctx.report.contact_phone), (3, 4))


@rule("P903")
def card_numbers_in_text(ctx: Context) -> Iterator[Finding]:
    yield from _each_section(ctx, "P903", "银行卡号", lambda text: card_numbers(text, ctx.report.year), (4, 4))
