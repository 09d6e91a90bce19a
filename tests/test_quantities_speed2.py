"""Helpers behind the faster quantities stage: exclusion zones marked once per document, numeral tests on str."""

from __future__ import annotations

import random

import pytest
import regex

from pipeline.numerals import parse_number
from pipeline.s8_quantities import (
    QuantityTagger,
    _is_arabic,
    _is_plain_integer,
    _merged_windows,
    _tables,
)


@pytest.fixture(scope="module")
def tagger() -> QuantityTagger:
    return QuantityTagger()


def test_merged_windows_reach_back_and_merge_neighbours():
    assert _merged_windows([], 5) == []
    assert _merged_windows([(20, 24), (2, 4), (40, 41)], 5) == [(0, 4), (15, 24), (35, 41)]
    # a window that starts where (or before) the previous one ends joins it
    assert _merged_windows([(10, 14), (19, 21), (22, 23)], 5) == [(5, 23)]
    assert _merged_windows([(10, 30), (12, 14)], 5) == [(5, 30)]


def windowed_is_excluded(text: str, start: int, end: int) -> bool:
    """The per-candidate search the mask replaces: a zone found in a window around the span overlaps it."""
    tables = _tables()
    reach = tables["reach"]
    window_start, window_end = max(0, start - reach), min(len(text), end + reach)
    for pattern in (tables["exclusions"], tables["quoted"]):
        for zone in pattern.finditer(text, window_start, window_end, overlapped=True):
            if zone.start() >= end:
                break
            if zone.end() > start:
                return True
    return False


def test_exclusion_mask_agrees_with_a_windowed_search(tagger):
    rng = random.Random(3)
    alphabet = "0123456789一二三四五六七八九十百千万亿两第届大年行动号级周前每个方位体分钟圈张清单“”《》，。的是在有人AX+"
    for _ in range(40):
        text = "".join(rng.choice(alphabet) for _ in range(200))
        spans = sorted({(s, s + rng.randint(1, 6)) for s in (rng.randrange(0, 194) for _ in range(25))})
        mask = tagger.exclusion_mask(text, spans)
        assert [mask.find(1, s, e) >= 0 for s, e in spans] == [windowed_is_excluded(text, s, e) for s, e in spans]


def test_exclusion_mask_marks_quoted_terms_and_patterns(tagger):
    text = "推进“五个突破”，完成第三届大会和10万亩。"
    mask = tagger.exclusion_mask(text, [(text.index("五"), text.index("五") + 2), (text.index("10"), text.index("亩") + 1)])
    marked = "".join(ch for ch, flag in zip(text, mask) if flag)
    assert "“五个突破”" in marked and "第三" in marked
    assert mask.find(1, text.index("10"), text.index("亩") + 1) < 0


@pytest.mark.parametrize(
    "numeral, arabic, plain",
    [("5", True, True), ("1,200", True, True), ("1.5", True, False), ("9·3", True, False), ("3万", True, False),
     ("五", False, False), ("十二万", False, False), ("半", False, False), ("٣", True, True)],
)
def test_numeral_tests_read_like_the_regex_checks_they_replace(numeral, arabic, plain):
    assert _is_arabic(numeral) is arabic is (regex.search(r"\d", numeral) is not None)
    assert _is_plain_integer(numeral) is plain is (regex.fullmatch(r"[\d,]+", numeral) is not None)


def test_parse_number_cache_gives_the_same_values_and_errors():
    assert parse_number("两千三百万") == parse_number("两千三百万") == 23_000_000
    for _ in range(2):
        with pytest.raises(ValueError):
            parse_number("点")

