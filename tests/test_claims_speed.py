"""The faster predicate helpers give the same words as the plain forms they replace."""

from pipeline.s9_claims import _predicate_trim_sets, predicate_trims, strip_leading_verbs
from pipeline.segmenter import MAX_DICTIONARY_WORD, dictionary_cut, stock_jieba


def _longest_match_cut(text: str) -> list[str]:
    """Forward maximum matching that tries every length from the longest down."""
    frequency = stock_jieba().FREQ.get
    words, position = [], 0
    while position < len(text):
        size = next((size for size in range(min(MAX_DICTIONARY_WORD, len(text) - position), 1, -1)
                     if frequency(text[position:position + size])), 1)
        words.append(text[position:position + size])
        position += size
    return words


def test_dictionary_cut_takes_the_longest_dictionary_word():
    texts = [
        "累计预约7121次", "杭州市累计建成充电桩", "中华人民共和国成立", "共建成城中村改造项目",
        "全市规模以上工业增加值", "ABC公司2024年", "，、“新增”", "中", "", "人民", "中国人民银行杭州中心支行",
    ]
    for text in texts:
        assert dictionary_cut(text) == _longest_match_cut(text), text


def test_every_prefix_of_a_dictionary_word_is_in_the_dictionary():
    # dictionary_cut stops growing a match at the first stretch that is not in FREQ.
    frequency = stock_jieba().FREQ
    assert all(word[:end] in frequency for word in frequency for end in range(1, len(word)))


def test_trim_sets_hold_the_trim_lists():
    trims = predicate_trims()
    assert _predicate_trim_sets() == tuple(frozenset(trims[key]) for key in ("leading", "trailing", "stop_after"))


def test_strip_leading_verbs_stops_at_the_first_name_word():
    assert strip_leading_verbs("推进乡村振兴集聚区") == 2
    assert strip_leading_verbs("天目里国际街区") == 0
