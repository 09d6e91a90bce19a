"""Stage 8, quantities: every measured number with its value, range, unit and hedge.

One compiled pattern (standard ``re``: see :func:`pipeline.text_rules.compile_unique_groups`)
scans the analysis view (times masked out, so a quantity never overlaps a time); each candidate
is then checked against the gold conventions and parsed with :mod:`pipeline.numerals`. Units, qualifiers and exclusions are data in ``rules/numbers/``.

Conventions (``../shared/gold/README.md``): the span covers qualifier + number + multiplier +
unit (约10万平方米, 5万余人, 超10万亩); 万元/亿元 give unit 元; vague 数百/数万 are ranges
(200-900, 20000-90000) without a qualifier; 上百/快/内 are not qualifiers and stay outside;
ordinals, names, slogans, short quoted terms and idioms are not quantities; a lone Chinese 一
before a measure word is an article (一条大运河), not a count.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, NamedTuple, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import ProvenanceMaker, raw_text
from .numerals import CHINESE_DIGITS, NumeralError, parse_fraction, parse_number
from .resources import load_json
from .schema import Quantity
from .text_rules import GroupReader, compile_unique_groups, within_bmp

VERSION = "1"
PRODUCER = "rule:quantities/{}"

CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
MULTIPLIER_ONLY = frozenset("百千万亿")
ZERO = frozenset("零〇")
#: what an Arabic numeral may hold besides digits and thousands commas: a decimal point, multipliers
_NOT_INTEGER = frozenset(".·十百千万亿")
_NUM_AR_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.·]\d+)?"
_NUM_CN = rf"[{CN_NUMERAL}]+(?:点[零〇一二三四五六七八九]+[万亿]*)?"
#: multiplier characters that also begin metric units (千米, 千瓦时, 百分点); 万/亿 never do
UNIT_PREFIX_MULTIPLIERS = "十百千"
#: what ``NUM`` stands for in ``rules/numbers/exclusions.json`` patterns
EXCLUSION_NUM = rf"(?:\d+(?:\.\d+)?|[{CN_NUMERAL}]+)"
TIME_MASK = "\u0000"


def _alternation(words) -> str:
    """A regex alternation of ``words``, longest first so the longest word wins."""
    return "|".join(regex.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _unit_alternation(units, blocked_after: dict[str, str]) -> str:
    """A regex alternation of ``units``, longest first, each guarded by ``blocked_after``.

    Args:
        units: the unit words.
        blocked_after: unit -> characters that must not follow it (支 is no unit in 支出, 支持).

    Returns:
        A regex alternation (no groups).
    """
    parts = []
    for unit in sorted(units, key=lambda w: (-len(w), w)):
        guard = f"(?![{regex.escape(blocked_after[unit])}])" if blocked_after.get(unit) else ""
        parts.append(regex.escape(unit) + guard)
    return "|".join(parts)


def _arabic_numeral(units) -> str:
    """The Arabic-numeral pattern: digits plus trailing multipliers (5万, 1.2万亿, 3千万).

    A 十/百/千 that begins a unit stays with the unit: 150千米 is 150 千米 and 420亿千瓦时 is
    420亿 千瓦时, not 150千 米 / 420亿千 瓦时.

    Args:
        units: every unit the scanner accepts.

    Returns:
        A regex (no groups).
    """
    prefixed = [u for u in units if len(u) > 1 and u[0] in UNIT_PREFIX_MULTIPLIERS]
    guard = f"(?!{_alternation(prefixed)})" if prefixed else ""
    return rf"{_NUM_AR_DIGITS}(?:{guard}[十百千万亿])*"


class Found(NamedTuple):
    """A quantity found in the view: view offsets plus the schema fields."""

    start: int
    end: int
    rule: str
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]
    unit: str
    qualifier: Optional[str]


class _Groups(NamedTuple):
    """The scanner's groups of one match by their pattern names (None when a group took no part)."""

    pre: Optional[str]  # qualifier word before the number
    ca: Optional[str]  # N选M
    cb: Optional[str]
    pct: Optional[str]  # 百分之N
    den: Optional[str]  # N分之M
    nume: Optional[str]
    fa: Optional[str]  # N/M
    fb: Optional[str]
    vague: Optional[str]  # 数百, 几十
    a: Optional[str]  # the number, or a range's first end
    u1: Optional[str]  # the unit after a range's first end
    b: Optional[str]  # a range's second end
    in0: Optional[str]  # qualifier between number and multiplier (10多万)
    mult: Optional[str]
    in1: Optional[str]  # qualifier before the unit (5万余人)
    unit: Optional[str]
    in2: Optional[str]  # qualifier after the unit
    post: Optional[str]  # qualifier after the quantity (左右, 以上)


@lru_cache(maxsize=1)
def _tables() -> dict:
    """The unit, qualifier and exclusion tables and the compiled scanners (built once)."""
    units = load_json("numbers", "units.json")
    quals = load_json("numbers", "qualifiers.json")
    excl = load_json("numbers", "exclusions.json")
    all_units = list(units["units"]) + list(units["arabic_only"]) + list(units["half"])
    num_ar = _arabic_numeral(all_units)
    unit_words = _unit_alternation(all_units, units.get("blocked_after", {}))
    num = rf"(?:(?<![\d.]){num_ar}|{_NUM_CN})"
    # a Chinese numeral is only a candidate when a unit follows (bare 一些, 十分 are words)
    unit_ahead = rf"(?:{_alternation(quals['inside'])})?(?:{unit_words})"
    lead = "".join(sorted(set("0123456789百数几半" + CN_NUMERAL) | {w[0] for w in quals["before"]}))
    counting_verbs = "|".join(f"(?<={regex.escape(v)})" for v in quals["one_counts_after"])
    lone_one = (
        rf"(?(pre)|(?:{counting_verbs}|"
        rf"(?!一(?:{unit_words})(?!{_alternation(quals['after'])}|{_alternation(quals['inside'])}))))"
    )
    scanner_pattern = (
        rf"(?=[{lead}])"
        rf"(?P<pre>{_alternation(quals['before'])})?"
        r"(?:"
        rf"(?P<ca>\d+)选(?P<cb>\d+)"
        rf"|百分之(?P<pct>{num})"
        rf"|(?P<den>{_NUM_CN}|\d+)分之(?P<nume>{_NUM_CN}|\d+)"
        rf"|(?<![\d/.])(?P<fa>\d+)/(?P<fb>\d+)(?![\d/])"
        rf"|(?P<vague>数[十百千万亿]*|几[十百千万亿]+)(?={unit_ahead})"
        rf"|(?<![\d.])(?P<a>{num_ar})(?:(?:(?P<u1>{unit_words})(?P<sep>-|~|至)|(?P<sep>-|~|到|至))(?P<b>{num})"
        rf"|(?P<in0>{_alternation(quals['inside'])})(?P<mult>千万|百万|十万|万亿|[十百千万亿]))?"
        rf"|{lone_one}(?P<a>{_NUM_CN}|半)(?:(?P<sep>-|~|到|至)(?P<b>{num})"
        rf"|(?P<in0>{_alternation(quals['inside'])})(?P<mult>千万|百万|十万|万亿|[十百千万亿]))?(?={unit_ahead})"
        r")"
        rf"(?P<in1>{_alternation(quals['inside'])})?"
        rf"(?P<unit>{unit_words})?"
        rf"(?P<in2>{_alternation(quals['inside'])})?"
        rf"(?P<post>{_alternation(quals['after'])})?"
    )
    scanner, group_names = compile_unique_groups(scanner_pattern)
    # the same scanner without the digits above U+FFFF: faster, and alike on a text without them
    bmp_scanner = compile_unique_groups(scanner_pattern, astral_digits=False)[0]
    patterns = [p["pattern"].replace("NUM", EXCLUSION_NUM) for p in excl["patterns"]]
    patterns.append(_alternation(excl["phrases"]))
    quotes = []
    for pair in excl["quote_pairs"]:
        opening, closing = regex.escape(pair[0]), regex.escape(pair[1])
        quotes.append(rf"{opening}[^{closing}{opening}\n,。;!?]{{1,{excl['quoted_max_chars']}}}{closing}")
    return {
        "scanner": scanner,
        "bmp_scanner": bmp_scanner,
        "group_names": group_names,
        "read_groups": GroupReader(group_names, _Groups._fields),
        "exclusions": regex.compile("|".join(f"(?:{p})" for p in patterns)),
        "quoted": regex.compile("|".join(quotes)),
        "arabic_only": frozenset(units["arabic_only"]),
        "duration": frozenset(units["duration"]),
        "rewrite": {**units["rewrite"], **units["half"]},
        "half": frozenset(units["half"]),
        "before": quals["before"],
        "inside": quals["inside"],
        "after": quals["after"],
        "blocked_after": {k: frozenset(v) for k, v in quals["blocked_after"].items()},
        "vague_blocked_after": frozenset(excl["vague_blocked_after"]),
        "one_counts_after": frozenset(quals["one_counts_after"]),
        # the longest exclusion zone: a quoted term with its two quote marks, or a phrase/pattern
        "reach": max(excl["quoted_max_chars"] + 2, 12, max(len(p) for p in excl["phrases"])),
    }


def _is_arabic(numeral: str) -> bool:
    """True for a scanned numeral in Arabic digits (5, 1.2万); false for a Chinese one (五, 十二万) or 半.

    The scanner's Arabic numerals begin with a digit and its Chinese ones hold none.
    """
    return numeral[0] not in CN_NUMERAL and numeral != "半"


def _is_plain_integer(numeral: str) -> bool:
    """True for a scanned numeral of Arabic digits alone (7080, 1,200): no decimal part, no multiplier."""
    return _is_arabic(numeral) and _NOT_INTEGER.isdisjoint(numeral)


def _has_large_multiplier(numeral: str) -> bool:
    """True when a numeral holds 万 or 亿."""
    return "万" in numeral or "亿" in numeral


def _is_digit_run(text: str) -> bool:
    """二〇二五 / 七八: Chinese digits with no 十/百/千/万/亿."""
    return len(text) > 1 and all(ch in CHINESE_DIGITS for ch in text)


def _trailing_multiplier(text: str) -> float:
    """The trailing 万/亿 multiplier of a numeral (5万 -> 1e4, 2万亿 -> 1e12), 1 when none."""
    value = 1.0
    for ch in reversed(text):
        if ch not in "万亿":
            break
        value *= 1e4 if ch == "万" else 1e8
    return value


def _tidy(value: float) -> float:
    """Drop binary noise from decimal arithmetic (8.96 * 1e8 = 896000000.0000001)."""
    return float(f"{value:.12g}")


def _decimal(text: str) -> str:
    """Read the middle dot some papers use as a decimal point (9·3%)."""
    return text.replace("·", ".")


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Return ``text`` with every span ``start:end`` (``0 <= start < end``) overwritten by :data:`TIME_MASK`.

    One pass whatever the number of spans (a long article has hundreds of times).
    """
    pieces, cursor = [], 0
    for start, end in sorted(span for span in spans if 0 <= span[0] < span[1]):
        start = max(start, cursor)
        if start < end:
            pieces += [text[cursor:start], TIME_MASK * (end - start)]
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _merged_windows(spans: Iterable[tuple[int, int]], reach: int) -> list[tuple[int, int]]:
    """The windows ``start - reach : end`` of ``spans``, those that overlap or touch merged, in text order."""
    windows: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start = max(0, start - reach)
        if windows and start <= windows[-1][1]:
            previous_start, previous_end = windows.pop()
            start, end = previous_start, max(previous_end, end)
        windows.append((start, end))
    return windows


class QuantityTagger:
    """spaCy component: find the quantities of the body (``doc._.quantities``)."""

    version = VERSION

    def __init__(self) -> None:
        self.tables = _tables()

    def exclusion_mask(self, text: str, spans: Iterable[tuple[int, int]]) -> bytearray:
        """Mark the exclusion zones of ``text`` that may overlap one of ``spans``.

        Zones are where numbers are names, slogans, ordinals or quoted terms
        (``rules/numbers/exclusions.json``). They are short (at most ``reach`` characters), so
        the patterns are tried only from ``reach`` characters before each span to its end, in one
        scan per stretch of neighbouring spans; quoted terms, which begin with their opening mark,
        are found in one scan of the whole text.

        Args:
            text: the view text.
            spans: view spans ``start:end`` of the candidates.

        Returns:
            One byte per character of ``text``: 1 inside a zone, 0 elsewhere.
        """
        tables = self.tables
        reach = tables["reach"]
        mask = bytearray(len(text))
        zones = list(tables["quoted"].finditer(text, overlapped=True))
        for window_start, window_end in _merged_windows(spans, reach):
            # one zone per start, in order (overlapped); a zone starting at ``window_end`` or
            # later lies after every span of the window
            for zone in tables["exclusions"].finditer(text, window_start, window_end + reach, overlapped=True):
                if zone.start() >= window_end:
                    break
                zones.append(zone)
        for zone in zones:
            start, end = zone.span()
            mask[start:end] = b"\x01" * (end - start)
        return mask

    def find(self, text: str, time_spans: list[tuple[int, int]] = ()) -> list[Found]:
        """Find the quantities of a view text.

        Args:
            text: the normalized view text.
            time_spans: view spans of time expressions; quantities never overlap them.

        Returns:
            The quantities in text order.
        """
        masked = mask_spans(text, time_spans)
        scanner = self.tables["bmp_scanner"] if within_bmp(masked) else self.tables["scanner"]
        candidates = [item for m in scanner.finditer(masked) for item in self._read(m, masked)]
        excluded = self.exclusion_mask(text, [(item.start, item.end) for item in candidates])
        # a candidate overlapping a zone (a marked character inside its span) is dropped
        return [item for item in candidates if excluded.find(1, item.start, item.end) < 0]

    def _qualifier(self, g: _Groups, start: int, text: str) -> tuple[Optional[str], int]:
        """The qualifier of a match and the span start it implies (prefix word kept or dropped)."""
        tables = self.tables
        word = g.pre
        if word:
            if start > 0 and text[start - 1] in tables["blocked_after"].get(word, ()):
                start += len(word)  # 最近3天: 近 belongs to 最近
            else:
                return tables["before"][word], start
        inside = g.in0 or g.in1 or g.in2
        if inside:
            return tables["inside"][inside], start
        if g.post:
            return tables["after"][g.post], start
        return None, start

    def _read(self, m, text: str) -> list[Found]:
        """Turn one scanner match into zero, one or two quantities."""
        tables = self.tables
        g = _Groups._make(tables["read_groups"](m))
        if g.ca:
            return [
                Found(*m.span("ca"), "choose", float(g.ca), None, None, "", None),
                Found(*m.span("cb"), "choose", float(g.cb), None, None, "", None),
            ]
        unit_text = g.unit or ""
        unit = tables["rewrite"].get(unit_text, unit_text)
        if not unit and g.b is None and not g.mult and g.a is not None and _is_plain_integer(g.a):
            return []  # bare integers (7080共富集市, 8050, 时近11时) are names, codes or clock times
        qualifier, start = self._qualifier(g, m.start(), text)
        if qualifier is None and unit_text != unit and "多" in unit_text:
            qualifier = "over"  # 3个多月
        end = m.end()
        try:
            if g.pct is not None:
                return [Found(start, end, "percent_words", parse_number(g.pct), None, None, "%", qualifier)]
            if g.den is not None:
                value = parse_fraction(g.nume, g.den)
                return [Found(start, end, "fraction_words", value, None, None, unit, qualifier)]
            if g.fa is not None:
                a, b = g.fa, g.fb
                if a.startswith("0") or b.startswith("0") or int(a) >= int(b):
                    return []  # 11/05 is a date, not a share
                return [Found(start, end, "fraction", int(a) / int(b), None, None, unit, qualifier)]
            if g.vague is not None:
                return self._vague(m, g, text, unit)
            return self._number(g, text, start, end, unit, qualifier)
        except NumeralError:
            return []

    def _vague(self, m, g: _Groups, text: str, unit: str) -> list[Found]:
        """数百/数万/数年: a 2-9 range of the multiplier; no qualifier, no prefix word in the span."""
        start = m.start("vague")
        if start > 0 and text[start - 1] in self.tables["vague_blocked_after"]:
            return []  # 多数, 人数, 指数: 数 ends another word
        unit_end = m.end("unit")
        if unit in self.tables["duration"] and text[unit_end : unit_end + 1] in ("前", "后", "来"):
            return []  # 数十年前: a vague relative time, neither a time value nor a quantity
        scale = parse_number(g.vague[1:]) if len(g.vague) > 1 else 1.0
        return [Found(start, unit_end, "vague", None, 2 * scale, 9 * scale, unit, None)]

    def _chinese_part_rejected(self, part: str, g: _Groups, start: int, text: str, has_qualifier: bool) -> bool:
        """True when a Chinese numeral is a word rather than a count (一条, 千年岁月, 零部件)."""
        if set(part) <= ZERO:
            return True  # 零部件, 清零
        if part in ("一", "壹") and not has_qualifier and not g.b:
            # 一条大运河: an article, not a count; but 再添一家 counts
            return text[max(0, start - 2) : start] not in self.tables["one_counts_after"]
        if len(part) == 1 and part in MULTIPLIER_ONLY and not has_qualifier and not (g.b or g.in0 or g.in1):
            return not (start > 0 and text[start - 1] in "上成")  # 千年岁月, 百姓; but 上千人
        return False

    def _number(self, g: _Groups, text: str, start: int, end: int, unit: str, qualifier: Optional[str]) -> list[Found]:
        """Plain numbers and ranges, with the acceptance rules for Chinese and bare numerals."""
        tables = self.tables
        a, b = g.a, g.b
        has_qualifier = qualifier is not None
        if a == "半":
            if not unit or unit not in tables["duration"] or b:
                return []
            return [Found(start, end, "half", 0.5, None, None, unit, qualifier)]
        a_arabic = _is_arabic(a)
        b_arabic = b is not None and _is_arabic(b)
        if not a_arabic and self._chinese_part_rejected(a, g, start, text, has_qualifier):
            return []
        if b is not None and not b_arabic and self._chinese_part_rejected(b, g, start, text, has_qualifier):
            return []
        if unit in tables["arabic_only"] and not a_arabic and not b_arabic and not _has_large_multiplier(a):
            return []  # 三方, 三级, 两区
        multiplier = g.mult or ""
        scale = parse_number(multiplier) if multiplier else 1.0
        if b is None:
            if not a_arabic and _is_digit_run(a):  # an Arabic numeral begins with a digit
                low, high = CHINESE_DIGITS[a[0]], CHINESE_DIGITS[a[-1]]
                if len(a) == 2 and high == low + 1:  # 七八个, 三四个月
                    return [Found(start, end, "range_words", None, float(low), float(high), unit, qualifier)]
                return []
            value = parse_number(_decimal(a)) * scale + (0.5 if g.unit in tables["half"] else 0.0)
            return [Found(start, end, "number", _tidy(value), None, None, unit, qualifier)]
        if g.u1 and tables["rewrite"].get(g.u1, g.u1) != unit:
            return []  # 3%-5万元: the two ends must share the unit
        low, high = parse_number(_decimal(a)), parse_number(_decimal(b))
        if not _has_large_multiplier(a) and _has_large_multiplier(b):
            low *= _trailing_multiplier(b)  # 3-5万 = 3万-5万
        if not unit and "." not in a + b:
            return []  # 1-11 without a unit is a date or code range
        if low >= high:
            return []
        return [Found(start, end, "range", None, _tidy(low), _tidy(high), unit, qualifier)]

    def __call__(self, doc: Doc) -> Doc:
        view = doc._.view
        time_spans = [span for span in view.raw_spans_to_view([(t.start, t.end) for t in doc._.times or []]) if span]
        found = self.find(view.text, time_spans)
        raw, provenance_of = raw_text(doc), ProvenanceMaker(doc)
        quantities = []
        for item in found:
            start, end = view.to_raw(item.start, item.end)
            quantities.append(
                Quantity(
                    id=f"q{start}",
                    start=start,
                    end=end,
                    text=raw[start:end],
                    value=item.value,
                    low=item.low,
                    high=item.high,
                    unit=item.unit,
                    qualifier=item.qualifier,
                    provenance=provenance_of(start, end, PRODUCER.format(item.rule), VERSION),
                )
            )
        doc._.quantities = quantities
        return doc


@Language.factory(
    "zhclaims_quantities",
    assigns=["doc._.quantities"],
    requires=["doc._.view", "doc._.sentences", "doc._.times"],
)
def make_quantities(nlp: Language, name: str) -> QuantityTagger:
    """Build the quantities stage (rules in ``rules/numbers/``)."""
    return QuantityTagger()
