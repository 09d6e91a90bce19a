"""The text stages' shortcuts give exactly what the plain formulations give.

Each test compares a fast helper with a direct (slow) statement of what it computes: the
crossing-word test with every split of the break, the newline lookup with a character scan, the
sentence breaks with the boundary-by-boundary rule, the shared chrome start with the furniture
tail test of each line.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.s1_normalize import normalize_text
from pipeline.s2_layout import _WINDOW, _crossing_word_listed, _newline_after
from pipeline.s3_furniture import SENTENCE_ENDINGS, _page_title_reason, chrome_start, find_furniture
from pipeline.s4_sentences import _patterns, _quote_spans, sentence_breaks
from pipeline.segmenter import stock_jieba
from pipeline.text_rules import furniture_rules, paragraph_spans

WORDY = "公园入选改造前通过清零都是杭州市钱塘区街道社区,。、 "
SPACEY = "\n \t\u3000\x1c\r\u00a0a"
QUOTEY = "他说:“好。”要“一。二。”\n「甲!」乙『丙?』。…\n "
FURNITURE_LINES = ["■ 杭建宣 詹丽华", "图片由杭州市建委提供", "记者 王小明 摄", "责任编辑:赵五", "2024-03-08 10:20",
                   "首页 > 财经 > 正文", "某市经济稳中有进-新华网", "相关推荐", "特别声明:以上内容", "本组图片均为受访者供图"]


def every_split_listed(tail: str, head: str) -> bool:
    frequency = stock_jieba().FREQ
    return any(
        frequency.get(tail[-i:] + head[:j], 0) > 0
        for i in range(1, _WINDOW)
        for j in range(1, _WINDOW)
        if i + j <= _WINDOW and i <= len(tail) and j <= len(head)
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=WORDY, min_size=1, max_size=_WINDOW), st.text(alphabet=WORDY, min_size=1, max_size=_WINDOW))
def test_crossing_word_listed_tries_every_split(tail, head):
    assert _crossing_word_listed(tail, head) == every_split_listed(tail, head)


def scanned_newline_after(text: str, position: int, used: set[int]) -> int | None:
    for offset in range(position, len(text)):
        if text[offset] == "\n" and offset not in used:
            return offset
        if not text[offset].isspace():
            return None
    return None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SPACEY, max_size=12), st.data())
def test_newline_after_is_the_character_scan(text, data):
    position = data.draw(st.integers(0, len(text)))
    used = set(data.draw(st.lists(st.integers(0, max(0, len(text) - 1)), max_size=4)))
    assert _newline_after(text, position, used) == scanned_newline_after(text, position, used)


def boundary_by_boundary_breaks(text: str) -> list[int]:
    boundary, _ = _patterns()
    spans = [match.span() for match in boundary.finditer(text)]
    starts, ends = [start for start, _ in spans], [end for _, end in spans]
    inside = set()
    for quote_start, quote_end, speech in _quote_spans(text):
        if not speech:
            first, stop = bisect_right(starts, quote_start), bisect_left(ends, quote_end)
            inside.update(i for i in range(first, stop) if text[starts[i]] != "\n")
    breaks = [end for i, (_, end) in enumerate(spans) if i not in inside]
    if not breaks or breaks[-1] != len(text):
        breaks.append(len(text))
    return breaks


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=QUOTEY, max_size=30))
def test_sentence_breaks_drop_the_boundaries_inside_quotes_standing_mid_sentence(text):
    assert sentence_breaks(text) == boundary_by_boundary_breaks(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FURNITURE_LINES + ["正文第一段。", "正文,没有结束", "相关推荐了一下。"]), max_size=8))
def test_chrome_start_is_the_first_line_the_tail_test_takes(lines):
    normalized = normalize_text("\n".join(lines))
    spans = paragraph_spans(normalized)
    rules = furniture_rules()
    expected = next((i for i in range(1, len(spans)) if rules.tail_reason(normalized[slice(*spans[i])])), len(spans))
    assert chrome_start(normalized, spans) == expected
    furniture, page = find_furniture(normalized)
    assert page.tail_from == (expected if expected < len(spans) else None)


def test_furniture_never_ends_like_a_sentence():
    rules = furniture_rules()
    for line in FURNITURE_LINES:
        line = normalize_text(line)
        for ending in SENTENCE_ENDINGS:
            assert rules.line_reason(line + ending) is None
            assert rules.inline_suffix("正文。" + line + ending) is None
            assert _page_title_reason(rules, line + ending, {line + ending}) is None
