"""The times scanner's look-ahead (where a time may start) lets every rule's start through."""

from __future__ import annotations

import re

import pytest

from pipeline.s1_normalize import normalize_text
from pipeline.s7_times import TimeTagger, _word_starts


@pytest.fixture(scope="module")
def times():
    return TimeTagger()


def test_word_starts_lets_every_word_and_other_start_through():
    words = ["春", "国庆", "国庆节", "上半年", "一季度", "今年"]
    starts = re.compile(_word_starts(words, ["上午", "近[三五]"], "一二三"))
    for text in words + ["上午8时", "近三年", "一些"]:
        assert starts.match(text), text
    for text in ["国家", "上海", "今后", "近日", "年轻"]:
        assert not starts.match(text), text


@pytest.mark.parametrize(
    "text, span",
    [
        ("晚上8时，会议召开", "晚上8时"),
        ("上世纪90年代，这里", "上世纪90年代"),
        ("前5个月，全市", "前5个月"),
        ("过去五年，全市", "过去五年"),
        ("近三年，全市", "近三年"),
        ("“十四五”期间，全市", "“十四五”期间"),
        ("上年同期，全市", "上年"),
        ("中秋国庆假期，全市", "中秋国庆假期"),
    ],
)
def test_times_that_start_with_a_word_character_are_found(times, text, span):
    found = [text[s:e] for s, e, *_ in times.find(normalize_text(text), "2026-01")]
    assert span in found
