"""Stage 7, times: dates, periods and relative time words resolved against the publication date.

One compiled pattern (standard ``re``: see :func:`pipeline.text_rules.compile_unique_groups`)
scans the analysis view; every alternative is a named rule and
:func:`resolve` turns its match into the gold format's ISO-like value (``2025``, ``2025-12-31``,
``2025-01/2025-11``, ``2025/2026-01``, ``T18:00``). The words (seasons, holidays, five-year
plans, "now" words, cut-off markers) are data in ``rules/times/calendar.json``; lunar festival
dates are in ``rules/times/lunar_festivals.json``.

Conventions (``../shared/gold/README.md``): ``2025年底`` -> ``2025-12-31``; an open period
(``2025年以来``, ``自2017年起``, ``4年来``) runs to ``published`` and its start keeps its written
granularity; 十四五时期 -> ``2021/2025``; 目前/如今/眼下/现在 -> ``published`` with ``as_of``;
``截至`` makes ``as_of`` true and stays outside the span; a 4-digit year followed by 前 is the
year itself (``2000年前建成`` -> ``2000``).
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import ProvenanceMaker, raw_text
from .numerals import NumeralError, parse_number
from .resources import load_json
from .schema import TimeExpression
from .text_rules import NamedGroups, compile_unique_groups, within_bmp

VERSION = "1"
PRODUCER = "rule:times/{}"

_YEAR4 = r"(?:1[89]\d\d|20\d\d|[一二][〇零九○][〇零○一二三四五六七八九]{2})"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]|[一二三四五六七八九十])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_COUNT = r"(?:\d{1,3}|[一二两三四五六七八九十百]{1,4})"
# The characters each of the patterns above can start with (the scanner's per-rule guards);
# ``\d`` stands for every character ``\d`` matches (Unicode decimal digits).
_DIGITS = "\\d"
_YEAR4_FIRST = "12一二"
_MONTH_FIRST = _DIGITS + "一二三四五六七八九十"
_COUNT_FIRST = _DIGITS + "一二两三四五六七八九十百"
#: a clock's part-of-day words (上午8时)
_DAY_PARTS = ("上午", "下午", "晚上", "凌晨", "中午", "早上", "傍晚")
#: the century words before a decade (上世纪90年代)
_CENTURIES = ("上世纪", "上个世纪", "20世纪", "二十世纪")
#: a look-behind for the start of a clause (text start, line break or clause punctuation)
_CLAUSE_MARKS = "\n,。;:!?、(“"
_CLAUSE_START = rf"(?<![^{_CLAUSE_MARKS}])"


def _alternation(words) -> str:
    """A regex alternation of ``words``, longest first so the longest word wins."""
    return "|".join(regex.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _year_word_alternation(cal: dict) -> str:
    """The ``year_words`` alternation, each word guarded by its ``year_word_blockers``.

    Args:
        cal: the calendar table (``year_words`` and optional ``year_word_blockers``, a map of
            word -> ``{"before": chars, "after": chars}`` that must not touch it: 线上年货 is not 上年).

    Returns:
        A regex alternation, longest word first.
    """
    blockers = cal.get("year_word_blockers", {})
    parts = []
    for word in sorted(cal["year_words"], key=lambda w: (-len(w), w)):
        guard = blockers.get(word, {})
        before = f"(?<![{regex.escape(guard['before'])}])" if guard.get("before") else ""
        after = f"(?![{regex.escape(guard['after'])}])" if guard.get("after") else ""
        parts.append(f"{before}{regex.escape(word)}{after}")
    return "|".join(parts)


def _initials(words) -> str:
    """The first characters of ``words``."""
    return "".join(word[0] for word in words)


def _word_starts(words, other_starts: list[str], numerals: str) -> str:
    """A regex for where one of ``words`` or another rule starts, numbers aside.

    A word is known by its first two characters, so the many characters that begin a calendar
    word and no time (国 of 国家, 上 of 上海) rarely get further. A word that starts with a
    numeral (一季度), where a number could start too, or has one character needs only its first.

    Args:
        words: the calendar words.
        other_starts: regexes for how the other rules start.
        numerals: the characters a Chinese number starts with.

    Returns:
        A regex alternation (no groups), a character class first.
    """
    singles = {word[0] for word in words if len(word) == 1 or word[0] in numerals}
    pairs = sorted({word[:2] for word in words if word[0] not in singles})
    return "|".join([_char_class("".join(singles))] + [regex.escape(pair) for pair in pairs] + other_starts)


def _char_class(chars: str) -> str:
    """A regex character class of ``chars``, where ``\\d`` stands for every decimal digit."""
    digits = _DIGITS in chars
    chars = chars.replace(_DIGITS, "")
    return "[" + (_DIGITS if digits else "") + "".join(sorted(re.escape(c) for c in set(chars))) + "]"


@dataclass(frozen=True)
class Published:
    """The publication date split into parts (month/day None when not given)."""

    text: Optional[str]
    year: Optional[int]
    month: Optional[int]
    day: Optional[int]

    @classmethod
    def parse(cls, published: Optional[str]) -> "Published":
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (anything else counts as unknown)."""
        if not published:
            return cls(None, None, None, None)
        parts = published.split("-")
        try:
            numbers = [int(p) for p in parts[:3]]
        except ValueError:
            return cls(None, None, None, None)
        numbers += [None] * (3 - len(numbers))
        return cls(published, numbers[0], numbers[1], numbers[2])


@lru_cache(maxsize=1)
def _tables() -> dict:
    """The calendar tables and the compiled scanner (built once)."""
    cal = load_json("times", "calendar.json")
    lunar = load_json("times", "lunar_festivals.json")["dates"]
    missing = set(cal["standalone_year_parts"]) - set(cal["year_parts"])
    if missing:
        raise ValueError(f"rules/times/calendar.json: standalone_year_parts {sorted(missing)} need an entry in year_parts")
    holidays = (
        list(cal["holiday_periods"]) + list(cal["solar_holidays"]) + list(cal["lunar_holidays"])
    )
    year_prefix = rf"(?:(?P<y>{_YEAR4})年|(?P<ry>{_year_word_alternation(cal)}))"
    month_day = rf"(?P<m>{_MONTH})月(?:(?P<d>{_DAY})[日号]|份)?"
    month_range = (
        rf"(?:(?P<m>{_MONTH})(?:月份?(?:(?P<d>{_DAY})[日号])?)?(?P<sep>-|~|至|到)"
        rf"(?:(?P<y2>{_YEAR4})年)?(?P<m2>{_MONTH})月(?:(?P<d2>{_DAY})[日号]|份)?"
        rf"|(?P<m>{_MONTH})月(?P<d>{_DAY})[日号]?(?P<sep>-|~|至|到)(?P<d2>{_DAY})[日号])"
    )
    month_part = r"(?P<mpart>底|末|初|上旬|中旬|下旬)"
    tail = (
        rf"{month_range}|{month_day}{month_part}?"
        rf"|(?P<ypart>{_alternation(cal['standalone_year_parts'])})"
        rf"|(?P<season>{_alternation(cal['seasons'])})"
        rf"|(?P<hol>{_alternation(holidays)})(?P<holrel>前|期间)?"
        rf"|前(?P<fm>{_COUNT})个月"
    )
    year_part = rf"(?P<ypart>{_alternation(cal['year_parts'])}|度)"
    # rule -> (the characters a match can start with, the pattern); where two rules can start at
    # the same place, the first listed wins
    rules = {
        "clock": (
            _initials(_DAY_PARTS) + _DIGITS,
            rf"(?:(?P<ampm>{'|'.join(_DAY_PARTS)})(?P<hh>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[点时]|(?<![\d.])(?P<hh>[01]?\d|2[0-4])时)(?:(?P<mi>[0-5]?\d)分|(?P<half>半))?",
        ),
        "plan": ("“" + _initials(cal["plans"]), rf"“?(?P<plan>{_alternation(cal['plans'])})”?(?P<pw>{_alternation(cal['plan_words'])})"),
        "decade": (
            _initials(_CENTURIES) + _DIGITS + "一二三四五六七八九",
            rf"(?P<cent>{'|'.join(_CENTURIES)})?(?:(?P<decA>[1-9]0)|(?P<decC>[一二三四五六七八九])(?P<decC2>[一二三四五六七八九])?十)年代",
        ),
        "year_range": (_YEAR4_FIRST, rf"(?P<y>{_YEAR4})年?(?P<sep>-|~|至|到)(?P<y2>{_YEAR4})年"),
        "date": (
            _YEAR4_FIRST + _initials(cal["year_words"]) + _MONTH_FIRST + _initials(cal["standalone_year_parts"])
            + _initials(cal["seasons"]) + _initials(holidays) + "前",
            rf"(?:{year_prefix}(?:的?(?:{tail})|{year_part})?|(?:{tail}))(?P<open>以来|起|至今(?!年))?",
        ),
        "relative": (_COUNT_FIRST, rf"(?<![数几第\d])(?P<n>{_COUNT})(?P<more>多)?(?P<u>年|个月|周|天)(?P<dir>前|后|以来|来)"),
        "past_years": ("过近", rf"(?:过去|{_CLAUSE_START}近)(?P<n1>{_COUNT})年(?!来|以来|前|后)"),
        "bare_year": ("12", r"(?<=\()(?P<by>(?:19|20)\d\d)(?=\))"),
        "now": (
            _initials(cal["now_words"]),
            rf"(?<![{''.join(cal['now_word_blockers'])}])(?P<now>{_alternation(cal['now_words'])})",
        ),
        "day_word": (_initials(cal["day_words"]), rf"(?P<dw>{_alternation(cal['day_words'])})"),
        "month_word": (_initials(cal["month_words"]), rf"(?P<mw>{_alternation(cal['month_words'])})(?P<mwopen>以来)?"),
        "day_only": (
            _DIGITS,
            r"(?<![\d月.])(?P<do>[12]\d|3[01]|0?[1-9])日?(?:[-~至到](?P<do2>[12]\d|3[01]|0?[1-9]))?日(?![内起])",
        ),
        "current_year": (_initials(cal["current_year_words"]), rf"(?P<cy>{_alternation(cal['current_year_words'])})"),
        "full_year": ("全", r"全年"),
        "anaphoric_holiday": (
            _initials(cal["anaphoric_holiday_words"]),
            rf"(?P<ah>{_alternation(cal['anaphoric_holiday_words'])})",
        ),
    }
    words = (
        list(cal["seasons"]) + holidays + list(cal["standalone_year_parts"]) + list(cal["now_words"])
        + list(cal["day_words"]) + list(cal["month_words"]) + list(cal["current_year_words"])
        + list(cal["year_words"]) + list(cal["anaphoric_holiday_words"]) + list(cal["plans"])
    )
    numeral = "〇零○一二两三四五六七八九十百"
    # how the rules other than calendar words start when they start with no digit (each needs
    # the characters after its first; 20世纪 starts with a number, see the look-ahead below)
    other_starts = [
        *_DAY_PARTS,
        *(century for century in _CENTURIES if not century[0].isdigit()),
        f"“{_char_class(_initials(cal['plans']))}",
        f"前{_char_class(_COUNT_FIRST)}",
        "过去",
        f"近{_char_class(_COUNT_FIRST)}",
        "全年",
    ]
    # Where a time may start: a number before a time word (个 only in 个月: 3个项目 is no time), a
    # character that starts a rule other than a word, or the start of a word (this look-ahead
    # also decides which numbers are tried, e.g. not 20 in 20世纪). A word that starts with a
    # numeral (一季度, 五一) is known by its first two characters too (no ``numerals``): a number
    # gets through only before a time word, so 一 of 一个 tries no rule.
    lead = (
        r"\d{1,4}(?:[年月日号时点周天\-~至到)]|个月|多(?:[年周天]|个月))"
        rf"|[{numeral}]{{1,4}}多?(?:[年月日号周天\-~至到]|个月)"
        f"|{_word_starts(words, other_starts, numerals='')}"
    )
    # Each rule is guarded by its first characters, so a position tries only the rules that can
    # start there, and the scanner by all of them (which lets ``re`` skip other positions fast).
    all_first = "".join(first for first, _ in rules.values())
    pattern = rf"(?={_char_class(all_first)})(?={lead})(?:" + "|".join(
        f"(?P<r_{name}>(?={_char_class(first)}){body})" for name, (first, body) in rules.items()
    ) + ")"
    scanner, group_names = compile_unique_groups(pattern)
    bmp_scanner = compile_unique_groups(pattern, astral_digits=False)[0]
    return {
        "cal": cal,
        "lunar": lunar,
        # a rule's group encloses all of its match, so it is the match's last group
        "rule_of_group": {f"r_{name}": name for name in rules},
        "producers": {name: PRODUCER.format(name) for name in rules},
        "scanner": scanner,
        # the same scanner for a text with no character above U+FFFF (faster, see compile_unique_groups)
        "bmp_scanner": bmp_scanner,
        "group_names": group_names,
        "cutoff_before": tuple(cal["cutoff_before"]),
        "cutoff_after": tuple(cal["cutoff_after"]),
        "year_in_text": regex.compile(rf"{_YEAR4}年|{_year_word_alternation(cal)}"),
    }


def _number(text: str) -> int:
    """An integer from Arabic, Chinese or digit-by-digit Chinese numerals (二〇二五)."""
    return int(parse_number(text.replace("○", "〇")))


def _last_day(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _fmt(year: int, month: Optional[int] = None, day: Optional[int] = None) -> str:
    """ISO-like value at the given granularity."""
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _infer_year(month: int, pub: Published) -> Optional[int]:
    """Year of a month written without one: the publication year, or the year before when the
    month lies more than two months after the publication month (a January story's 11月)."""
    if pub.year is None:
        return None
    if pub.month is not None and month > pub.month + 2:
        return pub.year - 1
    return pub.year


class _Unresolvable(Exception):
    """The expression has no value (e.g. a relative word without a publication date)."""


def _holiday_date(name: str, year: int, tables: dict) -> tuple[date, date]:
    """First and last day of a holiday (a period for 假期 words, one day otherwise)."""
    cal = tables["cal"]
    if name in cal["holiday_periods"]:
        key = cal["holiday_periods"][name]
        schedule = cal["period_schedule"].get(key, {})
        span = schedule.get(str(year)) or schedule.get("default")
        if span:
            first = date.fromisoformat(f"{year}-{span[0]}")
            last = date.fromisoformat(f"{year}-{span[1]}")
            return first, last
        name = key  # no schedule: fall back to the day itself
    if name in cal["solar_holidays"]:
        day = date.fromisoformat(f"{year}-{cal['solar_holidays'][name]}")
        return day, day
    festival = cal["lunar_holidays"].get(name, name)
    iso = tables["lunar"].get(festival, {}).get(str(year))
    if iso is None:
        raise _Unresolvable(f"no date for {name} in {year}")
    day = date.fromisoformat(iso)
    return day, day


def _days_value(first: date, last: date) -> str:
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()}/{last.isoformat()}"


def _resolve_date(m, pub: Published, tables: dict) -> str:
    """Value of the ``date`` rule: year (absolute or relative) + month/day/part/season/holiday."""
    cal = tables["cal"]
    year: Optional[int] = None
    if m.group("y"):
        year = _number(m.group("y"))
    elif m.group("ry"):
        if pub.year is None:
            raise _Unresolvable("relative year without a publication date")
        year = pub.year + cal["year_words"][m.group("ry")]
    written_year = year is not None

    if m.group("m"):
        month = _number(m.group("m"))
        if year is None:
            year = _infer_year(month, pub)
            if year is None:
                raise _Unresolvable("month without a year or publication date")
        day = _number(m.group("d")) if m.group("d") else None
        if m.group("sep"):
            year2 = _number(m.group("y2")) if m.group("y2") else year
            month2 = _number(m.group("m2")) if m.group("m2") else month
            day2 = _number(m.group("d2")) if m.group("d2") else None
            if day2 is not None and day is None:
                day = 1
            value = f"{_fmt(year, month, day)}/{_fmt(year2, month2, day2)}"
        elif m.group("mpart") in ("底", "末"):
            value = _fmt(year, month, _last_day(year, month))
        elif m.group("mpart") in cal["month_parts"]:
            first, last = cal["month_parts"][m.group("mpart")]
            last = last or _last_day(year, month)
            value = f"{_fmt(year, month, first)}/{_fmt(year, month, last)}"
        else:
            value = _fmt(year, month, day)
    elif m.group("season"):
        if year is None:
            year = pub.year
        if year is None:
            raise _Unresolvable("season without a year")
        first, last = cal["seasons"][m.group("season")]
        end_year = year + 1 if last < first else year
        value = f"{_fmt(year, first)}/{_fmt(end_year, last)}"
    elif m.group("hol"):
        if year is None:
            year = pub.year
        if year is None:
            raise _Unresolvable("holiday without a year")
        first, last = _holiday_date(m.group("hol"), year, tables)
        if m.group("holrel") == "前":
            before = first - timedelta(days=1)
            value = _fmt(before.year, before.month)
        else:
            value = _days_value(first, last)
    elif m.group("fm"):
        months = _number(m.group("fm"))
        if not 1 <= months <= 12:
            raise _Unresolvable("not a count of months in one year")
        if year is None and pub.month is not None:
            # 前5个月 published in March is last year's January-May
            year = pub.year if months <= pub.month else pub.year - 1
        if year is None:
            raise _Unresolvable("first months without a year")
        value = f"{_fmt(year, 1)}/{_fmt(year, months)}"
    elif m.group("ypart"):
        part = m.group("ypart")
        if year is None:
            year = pub.year
        if year is None:
            raise _Unresolvable("year part without a year")
        if part == "度":
            value = _fmt(year)
        else:
            bounds = cal["year_parts"][part]
            if not written_year and m.group("open") and pub.month is not None and int(bounds[0][:2]) > pub.month:
                year -= 1  # 四季度以来 published in June: since last year's fourth quarter
            if len(bounds) == 1:
                value = f"{year:04d}-{bounds[0]}"
            else:
                value = f"{year:04d}-{bounds[0]}/{year:04d}-{bounds[1]}"
    else:
        if not written_year:
            raise _Unresolvable("empty date")
        value = _fmt(year)

    if m.group("open"):
        if pub.text is None:
            raise _Unresolvable("open period without a publication date")
        return f"{value.split('/')[0]}/{pub.text}"
    return value


def _resolve_relative(m, pub: Published) -> str:
    """N年前 / N年后 / N年来 / N个月前 / 过去N年, against the publication date."""
    if pub.year is None:
        raise _Unresolvable("relative time without a publication date")
    n = _number(m.group("n"))
    unit, direction = m.group("u"), m.group("dir")
    if direction in ("来", "以来"):
        start = _shift(pub, unit, -n)
        return f"{start}/{pub.text}"
    return _shift(pub, unit, -n if direction == "前" else n)


def _shift(pub: Published, unit: str, delta: int) -> str:
    """The publication date moved by ``delta`` units, at the unit's granularity."""
    if unit == "年":
        return _fmt(pub.year + delta)
    if unit == "个月":
        if pub.month is None:
            raise _Unresolvable("month shift without a publication month")
        return _fmt(*_month_shift(pub.year, pub.month, delta))
    if pub.month is None or pub.day is None:
        raise _Unresolvable("day shift without a publication day")
    days = delta * (7 if unit == "周" else 1)
    return (date(pub.year, pub.month, pub.day) + timedelta(days=days)).isoformat()


def _resolve_plan(m, pub: Published, tables: dict) -> str:
    first, last = tables["cal"]["plans"][m.group("plan")]
    kind = tables["cal"]["plan_words"][m.group("pw")]
    if kind == "period":
        return f"{first}/{last}"
    if kind == "since":
        if pub.text is None:
            raise _Unresolvable("open period without a publication date")
        return f"{first}/{pub.text}"
    return str(first if kind == "first_year" else last)


def _resolve_decade(m) -> str:
    century = 1900
    if m.group("decA"):
        decade = int(m.group("decA"))
        if decade < 30 and not m.group("cent"):
            century = 2000
        first = last = century + decade
    else:
        first = century + _number(m.group("decC")) * 10
        last = century + _number(m.group("decC2") or m.group("decC")) * 10
    return f"{first}/{last + 9}"


def _resolve_clock(m) -> str:
    hour = _number(m.group("hh"))
    if m.group("ampm") in ("下午", "晚上", "傍晚") and hour < 12:
        hour += 12
    minute = int(m.group("mi")) if m.group("mi") else (30 if m.group("half") else 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise _Unresolvable("not a clock time")
    return f"T{hour:02d}:{minute:02d}"


def _year_of(value: Optional[str]) -> Optional[int]:
    if value and value[:4].isdigit():
        return int(value[:4])
    return None


def before_text(text: str, start: int, width: int) -> str:
    """The ``width`` characters before ``start`` (fewer at the start of the text)."""
    return text[max(0, start - width) : start]


class TimeTagger:
    """spaCy component: find and resolve the time expressions of the body (``doc._.times``)."""

    version = VERSION

    def __init__(self) -> None:
        self.tables = _tables()

    def find(self, text: str, published: Optional[str]) -> list[tuple[int, int, str, Optional[str], bool]]:
        """Find time expressions in an analysis text.

        Args:
            text: the normalized view text.
            published: the publication date (``YYYY[-MM[-DD]]``) or None.

        Returns:
            ``(view_start, view_end, rule_id, value, as_of)`` tuples in text order; ``value`` is
            None when the expression needs a publication date that is not known.
        """
        tables = self.tables
        pub = Published.parse(published)
        found: list[tuple[int, int, str, Optional[str], bool]] = []
        last_holiday: Optional[str] = None
        rule_of_group, group_names = tables["rule_of_group"], tables["group_names"]
        scanner = tables["bmp_scanner"] if within_bmp(text) else tables["scanner"]
        for match in scanner.finditer(text):
            rule = rule_of_group[match.lastgroup]
            m = NamedGroups(match, group_names)
            start, end = match.span()
            if rule == "date" and not self._is_date_specific(m, text, start, end):
                continue
            try:
                value = self._resolve(rule, m, pub, text, found, last_holiday)
            except (_Unresolvable, NumeralError, ValueError):
                if rule in ("now", "current_year", "relative", "past_years", "full_year", "day_word", "month_word") or (
                    rule == "date" and (m.group("ry") or m.group("open"))
                ):
                    value = None  # a real time expression; its value needs the publication date
                else:
                    continue
            if value is None and rule == "anaphoric_holiday":
                continue
            if rule == "date" and m.group("hol") and value and m.group("holrel") != "前":
                last_holiday = value
            as_of = rule == "now" or self._cutoff(text, start, end)
            found.append((start, end, rule, value, as_of))
        return found

    def _is_date_specific(self, m, text: str, start: int, end: int) -> bool:
        """Reject ``date`` matches that are generic: a lone season/holiday inside a phrase or list."""
        if m.group("y") or m.group("ry"):
            return True
        if before_text(text, start, 1) == "每" or before_text(text, start, 2) == "每年":
            return False  # 每年清明节, 每年年底: recurring, no one occurrence
        if m.group("ypart"):
            return True
        if m.group("fm"):
            return start == 0 or text[start - 1] in _CLAUSE_MARKS  # 今年前5个月 / 前5个月，…; not 项目的前3个月
        if m.group("m"):
            # a month in Chinese numerals needs a year or a day (一周一轮训、一月一集训 is a slogan)
            return m.group("m")[0].isdigit() or bool(m.group("d") or m.group("m2"))
        if m.group("season") or m.group("hol"):
            before = text[start - 1] if start else "\n"
            after = text[end] if end < len(text) else "\n"
            if "、" in (before, after) or after == "等":
                return False  # 中秋、七夕等传统佳节: festivals in a list are recurring
            if m.group("season") and len(m.group("season")) == 1:
                return False  # 春/夏/秋 alone are too ambiguous without a year
            if m.group("season") and not (before in "\n,。;:!?、 (“" or start == 0):
                return False  # 开展暑期托管: a season word modifying a noun names a recurring time
            return True
        return False

    def _resolve(self, rule, m, pub, text, found, last_holiday) -> Optional[str]:
        """The value of one match of ``rule`` (raises :class:`_Unresolvable` when it has none)."""
        tables = self.tables
        if rule == "date":
            return _resolve_date(m, pub, tables)
        if rule == "relative":
            return _resolve_relative(m, pub)
        if rule == "past_years":
            if pub.year is None:
                raise _Unresolvable("relative year")
            years = _number(m.group("n1"))  # 过去一年 = last year; 过去五年 = the five full years before
            return _fmt(pub.year - 1) if years == 1 else f"{pub.year - years}/{pub.year - 1}"
        if rule == "plan":
            return _resolve_plan(m, pub, tables)
        if rule == "decade":
            return _resolve_decade(m)
        if rule == "year_range":
            return f"{_number(m.group('y'))}/{_number(m.group('y2'))}"
        if rule == "bare_year":
            return m.group("by")
        if rule == "clock":
            return _resolve_clock(m)
        if rule == "now":
            if pub.text is None:
                raise _Unresolvable("now without a publication date")
            return pub.text
        if rule == "current_year":
            if pub.year is None:
                raise _Unresolvable("current year")
            return _fmt(pub.year)
        if rule == "full_year":
            return self._context_year(text, found, pub)
        if rule == "anaphoric_holiday":
            return last_holiday
        if rule == "day_word":
            return _shift(pub, "天", tables["cal"]["day_words"][m.group("dw")])
        if rule == "month_word":
            month = _shift(pub, "个月", tables["cal"]["month_words"][m.group("mw")])
            return f"{month}/{pub.text}" if m.group("mwopen") else month  # 本月以来: open period
        if rule == "day_only":
            if pub.month is None:
                raise _Unresolvable("a day without a publication month")
            days = [int(d) for d in (m.group("do"), m.group("do2")) if d]
            if max(days) > _last_day(pub.year, pub.month) or days != sorted(set(days)):
                raise _Unresolvable("no such day")
            return "/".join(_fmt(pub.year, pub.month, day) for day in days)
        raise AssertionError(rule)

    def _context_year(self, text: str, found, pub: Published) -> str:
        """全年: the year of the nearest earlier time that writes a year (else the publication year)."""
        for f_start, f_end, _, value, _ in reversed(found):
            if value and self.tables["year_in_text"].search(text, f_start, f_end):
                year = _year_of(value)
                if year is not None:
                    return _fmt(year)
        if pub.year is None:
            raise _Unresolvable("全年 without a year")
        return _fmt(pub.year)

    def _cutoff(self, text: str, start: int, end: int) -> bool:
        """True when 截至/截止 stands right before the span or 为止 right after it."""
        return text[max(0, start - 4) : start].endswith(self.tables["cutoff_before"]) or text.startswith(
            self.tables["cutoff_after"], end
        )

    def __call__(self, doc: Doc) -> Doc:
        results = doc._  # each ``doc._`` builds an accessor object: one per document
        view = results.view
        found = self.find(view.text, results.published)
        raw, provenance_of = raw_text(doc), ProvenanceMaker(doc)
        producers = self.tables["producers"]
        times = []
        for vs, ve, rule, value, as_of in found:
            start, end = view.to_raw(vs, ve)
            times.append(
                TimeExpression(
                    id=f"t{start}",
                    start=start,
                    end=end,
                    text=raw[start:end],
                    value=value,
                    as_of=as_of,
                    provenance=provenance_of(start, end, producers[rule], VERSION, 1.0 if value is not None else 0.5),
                )
            )
        results.times = times
        return doc


@Language.factory("zhclaims_times", assigns=["doc._.times"], requires=["doc._.view", "doc._.sentences"])
def make_times(nlp: Language, name: str) -> TimeTagger:
    """Build the times stage (rules in ``rules/times/``)."""
    return TimeTagger()
