"""The claims stage finds its cues once per document: the result must equal a sentence-by-sentence scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.s9_claims import (
    CLAUSE_DELIMITERS,
    DocContext,
    _head_matcher,
    _person_patterns,
    person_names,
    split_by_sentence,
)

# Characters that make the person patterns and head nouns fire: surnames, given-name characters,
# a title, an age, speech verbs, clause openings, spaces, quotes, and the head nouns' characters.
_ALPHABET = list("王李陈戴学臣晓燕技师书记负责人84岁的说在表示,;:。“” 　街区集市片商圈的项目一") + ["\n"]
_texts = st.text(alphabet=_ALPHABET, max_size=80)


def _cut(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Sentences of ``text`` cut at ``cuts`` (gaps of one character left between some of them)."""
    points = sorted({0, len(text), *[c % (len(text) + 1) for c in cuts]})
    return [(start, end) for start, end in zip(points, points[1:]) if end > start]


def _persons_one_by_one(text: str, sentences: list[tuple[int, int]]) -> list[list[tuple[int, int, str]]]:
    """The person patterns' ``finditer`` over each sentence alone (what :func:`person_names` must equal)."""
    result = []
    for start, end in sentences:
        chunk = text[start:end]
        result.append([(start + m.start(1), start + m.end(1), m.group(1))
                       for pattern in _person_patterns() for m in pattern.finditer(chunk)])
    return result


@settings(max_examples=300, deadline=None)
@given(_texts, st.lists(st.integers(min_value=0, max_value=80), max_size=6))
def test_person_names_equal_the_patterns_run_sentence_by_sentence(text, cuts):
    sentences = _cut(text, cuts)
    assert person_names(text, sentences) == _persons_one_by_one(text, sentences)


def test_person_names_finds_each_kind_of_cue():
    text = "84岁的陈学云说,钳工技师戴学臣在车间。王晓燕表示,好。"
    sentences = [(0, 19), (19, len(text))]
    names = [name for found in person_names(text, sentences) for _, _, name in found]
    assert set(names) >= {"陈学云", "戴学臣", "王晓燕"}


def _heads_in(text: str):
    def scan(start: int, end: int):
        return [(start + s, start + e, head) for s, e, head in _head_matcher().find(text[start:end])]
    return scan


@settings(max_examples=300, deadline=None)
@given(_texts, st.lists(st.integers(min_value=0, max_value=80), max_size=6))
def test_split_by_sentence_equals_scanning_each_sentence(text, cuts):
    sentences = _cut(text, cuts)
    scan = _heads_in(text)
    assert split_by_sentence(scan(0, len(text)), sentences, scan) == [scan(s, e) for s, e in sentences]


def test_a_word_across_a_sentence_boundary_is_rescanned():
    text = "新的片区商圈"  # 片区 ends the first sentence only if the text is cut after 区
    scan = _heads_in(text)
    sentences = [(0, 3), (3, 6)]  # 新的片 | 区商圈: the whole-text match 片区 crosses the cut
    assert scan(0, len(text))[0][:2] == (2, 4)
    assert split_by_sentence(scan(0, len(text)), sentences, scan) == [[], [(4, 6, "商圈")]]


def _clause_by_walking(text: str, sentence: tuple[int, int], position: int) -> tuple[int, int]:
    s_start, s_end = sentence
    start = position
    while start > s_start and text[start - 1] not in CLAUSE_DELIMITERS:
        start -= 1
    end = position
    while end < s_end and text[end] not in CLAUSE_DELIMITERS:
        end += 1
    return start, end


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("甲乙丙,;:!?，；：。"), min_size=1, max_size=60), st.lists(st.integers(0, 60), max_size=4),
       st.integers(min_value=0, max_value=59))
def test_clause_at_equals_walking_to_the_delimiters(text, cuts, position):
    sentences = _cut(text, cuts)
    position %= len(text)
    context = DocContext(None, text, sentences, sentences, [0] * len(sentences), [], [], [], [])
    context._sentence_starts = [s for s, _ in sentences]
    sentence = sentences[context.sentence_at(position)]
    assert context.clause_at(position) == _clause_by_walking(text, sentence, position)
