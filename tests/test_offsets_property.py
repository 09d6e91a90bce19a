"""Property: every span the pipeline emits points at exactly its text in the raw input.

Generated articles mix Traditional and Simplified characters, full-width digits and punctuation,
numbers with units, column breaks (blank lines inside a sentence), quotes, and furniture-like
lines (bylines, credits, datelines, navigation, recommendation lists). The whole pipeline runs;
for every emitted entity, quantity, time and furniture span ``raw[start:end] == text``; every
sentence's text is the normalized raw characters of its span, in order (equal when the span is
one unbroken stretch); and no furniture character is in the view.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.s1_normalize import normalize_text

WORDS = [
    "杭州市", "拱墅區", "臺灣", "餘杭區", "街道", "社區", "發展", "建設", "城市更新", "項目",
    "累計", "完成", "新增", "公園", "入選", "前進街道", "禾城農商銀行", "有限公司", "居民",
    "截至", "今年", "目前", "２０２５年", "１１月", "３６５個", "55.4万把", "１３５０億元",
    "約", "超", "98.6%", "６００—１０００元", "ＡＩ", "DeepSeek", "“", "”", "「", "」", "（", "）",
]
PUNCT = ["，", "、", "；", ",", "：", "。", "！", "？", "……", "。”", "!"]
FURNITURE = [
    "■ 杭建宣 詹麗華", "■中国城市报记者 胡安华", "图片由杭州市建委提供", "數據來源：杭州市統計局",
    "2025-11-01 21:39:00", "2025 11/05 09:58:17", "新華網 > 時政 > 正文", "來源:新華每日電訊",
    "字體:", "【糾錯】 【責任編輯:薛濤】", "0", "分享至", "（記者 劉婧宇）",
]
TAIL = ["相关推荐", "特别声明:以上内容为自媒体平台用户上传并发布,本平台仅提供信息存储服务。"]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map("".join)
clause = st.tuples(words, st.sampled_from(PUNCT)).map("".join)
paragraph = st.lists(clause, min_size=1, max_size=4).map("".join)
# A paragraph cut by a column break somewhere inside it.
broken = st.tuples(paragraph, st.integers(min_value=1, max_value=30)).map(
    lambda p: p[0][: p[1]] + "\n\n" + p[0][p[1]:] if 0 < p[1] < len(p[0]) else p[0]
)
block = st.one_of(paragraph, broken, words, st.sampled_from(FURNITURE))
separator = st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n", "\n \n", "\u3000\n"])


@st.composite
def articles(draw) -> str:
    blocks = draw(st.lists(block, min_size=1, max_size=8))
    text = ""
    for b in blocks:
        text += b + draw(separator)
    if draw(st.booleans()):
        text += draw(st.sampled_from(TAIL)) + "\n" + draw(paragraph)
    return draw(st.sampled_from(["", "\n\n", " "])) + text


def in_order(needle: str, haystack: str) -> bool:
    """True when the characters of ``needle`` occur in ``haystack`` in order."""
    it = iter(haystack)
    return all(ch in it for ch in needle)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=articles())
def test_every_emitted_span_points_at_its_raw_text(nlp_pipeline, raw):
    doc = nlp_pipeline.process(raw)
    article = nlp_pipeline(raw)
    for kind in ("entities", "quantities", "times"):
        for item in getattr(article, kind):
            assert 0 <= item.start < item.end <= len(raw)
            assert raw[item.start:item.end] == item.text, (kind, item)
    for claim in article.claims:
        start, end = claim.evidence
        assert 0 <= start < end <= len(raw)

    view = doc._.view
    normalized = doc._.norm_text
    assert len(normalized) == len(raw)
    for sentence in doc._.sentences:
        span_text = normalized[sentence.start:sentence.end]
        assert sentence.text and sentence.text == sentence.text.strip()
        assert in_order(sentence.text, span_text), sentence
        if len(span_text) == len(sentence.text):
            assert span_text == sentence.text

    furniture_chars = set()
    for span in doc._.furniture:
        assert 0 <= span.start < span.end <= len(raw)
        furniture_chars.update(range(span.start, span.end))
    assert not furniture_chars & set(view.raw_of), "the view holds a furniture character"
    assert len(set(view.raw_of)) == len(view.raw_of), "a raw character appears twice in the view"
    for position, raw_offset in enumerate(view.raw_of):
        assert view.text[position] == normalized[raw_offset]


@settings(max_examples=40, deadline=None)
@given(raw=articles())
def test_normalization_preserves_length(raw):
    assert len(normalize_text(raw)) == len(raw)
