"""The third round of quantities speed-ups reads exactly like the code it replaced.

The previous match reading (every name through ``NamedGroups``) and the previous ``_read`` /
``_number`` are kept below as references; generated texts full of numerals, units, qualifiers and
exclusion cues must give the same groups and the same quantities.
"""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.numerals import CHINESE_DIGITS, NumeralError, parse_fraction, parse_number
from pipeline.s8_quantities import (
    MULTIPLIER_ONLY,
    Found,
    QuantityTagger,
    _decimal,
    _Groups,
    _has_large_multiplier,
    _is_arabic,
    _is_digit_run,
    _is_plain_integer,
    _tables,
    _tidy,
    _trailing_multiplier,
    mask_spans,
)
from pipeline.text_rules import NamedGroups

PIECES = [
    *"0123456789", *"零〇一二两三四五六七八九十百千万亿", "1,200", "3.5", "9·3", "٣",
    "个", "人", "元", "万元", "亿元", "年", "月", "天", "%", "米", "千米", "千瓦时", "亩", "倍", "岁", "家",
    "多", "余", "约", "近", "超", "左右", "以上", "上", "成", "个多月",
    "-", "~", "至", "到", "选", "/", "分之", "百分之", "数", "几", "半", "点", ".",
    "第", "届", "次", "大", "号", "级", "周", "前", "每", "方面", "位一体", "“", "”", "《", "》",
    "的", "是", "在", "再添", "增长", "，", "。", "A", "G", "+", "𝟘",
    "七八", "三四", "二〇二五", "两千三百", "五十五点四", "10多", "5万余",
]
#: texts of every kind of quantity and exclusion, tried before the generated ones
KNOWN = [
    "七八个人，三四个月", "二〇二五年", "约10万平方米，5万余人，超10万亩", "3-5万元", "3%-5万元", "三分之一", "1/7和11/05",
    "10选3", "数百人，数十年前", "百分之五", "第三届", "“五个突破”", "再添一家", "一条大运河", "两千三百万元",
    "1.2万亿元", "150千米", "420亿千瓦时", "3个多月", "半年", "上千人", "千年岁月", "零部件", "1-11", "2.5-3.5米",
    "每百户", "三年行动", "5G", "十四五", "一老一小", "7080共富集市", "10多万人", "五十五点四万",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def reference_groups(match) -> _Groups:
    """How a match was read before :class:`pipeline.text_rules.GroupReader`."""
    tables = _tables()
    groups = NamedGroups(match, tables["group_names"])
    return _Groups._make(groups.group(name) for name in _Groups._fields)


class ReferenceTagger(QuantityTagger):
    """The tagger with the previous ``_read`` and ``_number``."""

    def _read(self, m, text: str) -> list[Found]:
        tables = self.tables
        g = reference_groups(m)
        if g.ca:
            return [
                Found(*m.span("ca"), "choose", float(g.ca), None, None, "", None),
                Found(*m.span("cb"), "choose", float(g.cb), None, None, "", None),
            ]
        unit_text = g.unit or ""
        unit = tables["rewrite"].get(unit_text, unit_text)
        qualifier, start = self._qualifier(g, m.start(), text)
        if qualifier is None and unit_text != unit and "多" in unit_text:
            qualifier = "over"
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
                    return []
                return [Found(start, end, "fraction", int(a) / int(b), None, None, unit, qualifier)]
            if g.vague is not None:
                return self._vague(m, g, text, unit)
            return self._number(g, text, start, end, unit, qualifier)
        except NumeralError:
            return []

    def _number(self, g: _Groups, text: str, start: int, end: int, unit: str, qualifier: Optional[str]) -> list[Found]:
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
            return []
        multiplier = g.mult or ""
        if not unit and not b and not multiplier and _is_plain_integer(a):
            return []
        scale = parse_number(multiplier) if multiplier else 1.0
        if b is None:
            if _is_digit_run(a):
                low, high = CHINESE_DIGITS[a[0]], CHINESE_DIGITS[a[-1]]
                if len(a) == 2 and high == low + 1:
                    return [Found(start, end, "range_words", None, float(low), float(high), unit, qualifier)]
                return []
            value = parse_number(_decimal(a)) * scale + (0.5 if g.unit in tables["half"] else 0.0)
            return [Found(start, end, "number", _tidy(value), None, None, unit, qualifier)]
        if g.u1 and tables["rewrite"].get(g.u1, g.u1) != unit:
            return []
        low, high = parse_number(_decimal(a)), parse_number(_decimal(b))
        if not _has_large_multiplier(a) and _has_large_multiplier(b):
            low *= _trailing_multiplier(b)
        if not unit and "." not in a + b:
            return []
        if low >= high:
            return []
        return [Found(start, end, "range", None, _tidy(low), _tidy(high), unit, qualifier)]


@pytest.fixture(scope="module")
def taggers() -> tuple[QuantityTagger, ReferenceTagger]:
    return QuantityTagger(), ReferenceTagger()


@settings(max_examples=400, deadline=None)
@given(text=texts)
@example(text="".join(KNOWN))
def test_group_reader_reads_every_match_like_named_groups(text):
    tables = _tables()
    for scanner in (tables["scanner"], tables["bmp_scanner"]):
        for match in scanner.finditer(text):
            assert _Groups._make(tables["read_groups"](match)) == reference_groups(match)


@settings(max_examples=400, deadline=None)
@given(text=texts, cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 6)), max_size=4))
def test_find_gives_what_the_previous_reading_gave(taggers, text, cuts):
    tagger, reference = taggers
    time_spans = [(start, start + length) for start, length in cuts if start + length <= len(text)]
    assert tagger.find(text, time_spans) == reference.find(text, time_spans)


@pytest.mark.parametrize("text", KNOWN)
def test_find_gives_what_the_previous_reading_gave_on_known_texts(taggers, text):
    tagger, reference = taggers
    assert tagger.find(text) == reference.find(text)
    assert tagger.find(text, [(1, 3)]) == reference.find(text, [(1, 3)])


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_an_arabic_numeral_is_never_a_chinese_digit_run(text):
    tables = _tables()
    for match in tables["scanner"].finditer(mask_spans(text, [])):
        a = _Groups._make(tables["read_groups"](match)).a
        if a is not None and _is_arabic(a):
            assert not _is_digit_run(a)


def test_multiplier_characters_are_no_chinese_digits():
    assert MULTIPLIER_ONLY.isdisjoint(CHINESE_DIGITS)
