"""Property tests: numerals rendered in Chinese parse back; the exclusion list yields no quantity."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.numerals import NumeralError, parse_fraction, parse_number, render_chinese
from pipeline.resources import load_json
from pipeline.s1_normalize import normalize_text
from pipeline.s8_quantities import QuantityTagger

MULTIPLIERS = {"": 1, "万": 10_000, "亿": 100_000_000}
DIGITS = "零一二三四五六七八九"


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


@lru_cache(maxsize=1)
def tagger() -> QuantityTagger:
    return QuantityTagger()


@pytest.fixture(scope="module")
def quantities() -> QuantityTagger:
    return tagger()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_rendered_chinese_integers_parse_back(value):
    chinese = render_chinese(value)
    assert parse_number(chinese) == value
    # cross-check the renderer against cn2an on the same span (cn2an reads what we render)
    assert cn2an.cn2an(chinese, "smart") == value


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=9999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(sorted(MULTIPLIERS)),
)
def test_chinese_decimals_with_multipliers_parse_back(whole, hundredths, multiplier):
    """五十五点四万 and 55.4万 read as 554000 (cn2an raises on the Chinese form)."""
    fraction = f"{hundredths:02d}".rstrip("0")
    expected = float(Decimal(f"{whole}.{fraction or 0}") * MULTIPLIERS[multiplier])
    arabic = f"{whole}.{fraction}{multiplier}" if fraction else f"{whole}{multiplier}"
    chinese = render_chinese(whole) + (("点" + "".join(DIGITS[int(d)] for d in fraction)) if fraction else "") + multiplier
    assert close(parse_number(arabic), expected)
    assert close(parse_number(chinese), expected)


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=1, max_value=99_999), unit=st.sampled_from(["个", "元", "平方米", "人次", "%"]))
def test_quantity_stage_reads_arabic_and_chinese_counts(value, unit):
    quantities = tagger()
    for numeral in (str(value), render_chinese(value)):
        if numeral == "一":
            continue  # a lone 一 before a measure word is an article by convention
        text = f"全市共有{numeral}{unit}，比去年增加。"
        found = quantities.find(normalize_text(text))
        assert len(found) == 1, (text, found)
        assert found[0].value == value and found[0].unit == unit
        assert text[found[0].start : found[0].end] == f"{numeral}{unit}"


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=50), st.integers(min_value=2, max_value=60))
def test_fractions(numerator, denominator):
    expected = numerator / denominator
    assert close(parse_fraction(str(numerator), str(denominator)), expected)
    assert close(parse_fraction(render_chinese(numerator), render_chinese(denominator)), expected)


@pytest.mark.parametrize("span", ["", "点", "五点", "十二三四", "abc"])
def test_non_numerals_raise(span):
    with pytest.raises(NumeralError):
        parse_number(span)


def _exclusion_examples() -> list[str]:
    table = load_json("numbers", "exclusions.json")
    examples = list(table["phrases"]) + list(table["quoted_examples"])
    for pattern in table["patterns"]:
        assert pattern.get("examples"), f"pattern {pattern['pattern']} has no examples"
        examples += pattern["examples"]
    return examples


@pytest.mark.parametrize("example", _exclusion_examples())
def test_exclusion_list_yields_no_quantity(example, quantities):
    for carrier in ("据介绍，{}取得新进展。", "{}", "今年以来，{}成效明显"):
        text = carrier.format(example)
        found = quantities.find(normalize_text(text))
        assert found == [], (text, found)


@pytest.mark.parametrize("example", _exclusion_examples())
def test_exclusions_do_not_swallow_a_neighbouring_quantity(example, quantities):
    """The carrier's own amount survives next to an excluded name (zones stay local)."""
    text = f"{example}项目投资1350亿元。"
    found = quantities.find(normalize_text(text))
    assert [text[q.start : q.end] for q in found] == ["1350亿元"]
