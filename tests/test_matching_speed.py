"""The fast helpers of the entity and number stages give the results of the plain ways they replace.

Each helper is compared with its reference on random inputs: :class:`WordMatcher` with a brute
force longest match,
:class:`ProvenanceMaker` with a linear scan of the sentences, the places stage's sentence grouping
with a per-sentence scan, and the times and quantities scanners (standard ``re``) with the same
patterns on the ``regex`` module.
"""

from __future__ import annotations

import random

import pytest
import regex

from pipeline import s5_places
from pipeline.extensions import ProvenanceMaker, provenance
from pipeline.text_rules import WordMatcher


def brute_force_longest(words: dict, text: str) -> list[tuple[int, int, object]]:
    """Leftmost-longest, non-overlapping matches by trying every end at every start."""
    found, i = [], 0
    while i < len(text):
        ends = [j for j in range(i + 1, len(text) + 1) if text[i:j] in words]
        if ends:
            found.append((i, ends[-1], words[text[i:ends[-1]]]))
            i = ends[-1]
        else:
            i += 1
    return found


@pytest.mark.parametrize("words", [
    ["杭州", "杭州市", "州市", "钱塘区", "钱塘", "市钱", "浙江省"],
    ["杭州", "杭州市", "州市", "江", "市", "江干区", "𠀀杭"],  # one-character words, an astral character
])
def test_word_matcher_finds_the_longest_word_at_each_start(words):
    rng = random.Random(11)
    table = {word: index for index, word in enumerate(words)}
    matcher = WordMatcher.from_words(table)
    alphabet = "杭州市钱塘区浙江省干的𠀀a"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert matcher.find(text) == brute_force_longest(table, text)


def test_word_matcher_rejects_an_empty_word():
    with pytest.raises(ValueError):
        WordMatcher.from_words({"": 1, "杭州": 2})


def test_provenance_maker_finds_the_sentence_a_linear_scan_finds(nlp_pipeline, seed_texts):
    text = next(iter(seed_texts.values()))
    doc = nlp_pipeline.nlp(text)
    maker = ProvenanceMaker(doc)
    rng = random.Random(3)
    for _ in range(200):
        start = rng.randint(0, len(text))
        end = start + rng.randint(1, 5)
        confidence = rng.random()
        made = maker(start, end, "rule:x/y", "1", confidence)
        expected = next((s.index for s in doc._.sentences if s.start <= start < s.end), None)
        assert (made.doc_id, made.start, made.end, made.sentence) == (doc._.doc_id or "", start, end, expected)
        assert made == provenance(doc, start, end, "rule:x/y", "1", confidence)


def per_sentence_groups(text: str, mentions: list) -> list[tuple[int, int, list]]:
    """The grouping :func:`s5_places.sentences_with_mentions` replaces: every sentence scanned."""
    groups, index = [], 0
    for sentence in regex.finditer(r"[^。！？!?\n]+", text):
        s_start, s_end = sentence.span()
        while index < len(mentions) and mentions[index].start < s_start:
            index += 1
        inside, j = [], index
        while j < len(mentions) and mentions[j].end <= s_end:
            inside.append(mentions[j])
            j += 1
        groups.append((s_start, s_end, inside))
    return groups


def test_sentences_with_mentions_group_like_a_scan_of_every_sentence():
    rng = random.Random(9)
    for _ in range(2000):
        text = "".join(rng.choice("甲乙丙。\n!") for _ in range(rng.randint(0, 30)))
        mentions, i = [], 0
        while i < len(text):
            if rng.random() < 0.3:
                end = min(len(text), i + rng.randint(1, 3))
                mentions.append(s5_places.Mention(i, end, text[i:end], [], "full"))
                i = end
            else:
                i += 1
        expected = [group for group in per_sentence_groups(text, mentions) if len(group[2]) >= 2]
        got = [group for group in s5_places.sentences_with_mentions(text, mentions) if len(group[2]) >= 2]
        assert got == expected


# ---------------------------------------------------------------------------------------------
# Scanners on the standard re engine
# ---------------------------------------------------------------------------------------------


def test_spelled_out_digits_are_the_digits_regex_knows():
    import re

    from pipeline.text_rules import _spell_out_digits

    every_char = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    pattern = r"[^\d]\d|x[\d.]"
    assert re.findall(_spell_out_digits(pattern), every_char) == regex.findall(pattern, every_char)
    with pytest.raises(ValueError):
        _spell_out_digits(r"\w+")


def test_named_groups_read_a_shared_name_from_the_alternative_that_matched():
    from pipeline.text_rules import NamedGroups, compile_unique_groups

    scanner, names = compile_unique_groups(r"(?P<y>\d{4})年(?P<m>\d+)月|(?P<m>[一二三])月(?P<d>\d+)日")
    groups = [NamedGroups(m, names) for m in scanner.finditer("2025年3月，二月5日")]
    assert [(g["y"], g["m"], g["d"]) for g in groups] == [("2025", "3", None), (None, "二", "5")]


@pytest.mark.parametrize("module", ["pipeline.s7_times", "pipeline.s8_quantities"])
def test_re_scanners_match_like_the_regex_module(module, seed_texts):
    import importlib

    tables = importlib.import_module(module)._tables()
    scanner = tables["scanner"]
    as_regex = regex.compile(regex.sub(r"\(\?P<(\w+?)__\d+>", r"(?P<\1>", scanner.pattern))
    rng = random.Random(2)
    alphabet = "0123456789一二三四五六七八九十百千万亿两半年月日号至到-~%.,约近多余上下今去前后元人次个家亩公里“”()、，。𑵐𑵑٣"
    texts = list(seed_texts.values()) + ["".join(rng.choice(alphabet) for _ in range(300)) for _ in range(50)]
    for text in texts:
        ours = [(m.span(), named_group_values(m, tables)) for m in scanner.finditer(text)]
        theirs = [(m.span(), {name: m.group(name) for name in as_regex.groupindex}) for m in as_regex.finditer(text)]
        assert ours == theirs


def named_group_values(match, tables) -> dict:
    """Every original group name of a ``re`` scanner match, read through :class:`NamedGroups`."""
    from pipeline.text_rules import NamedGroups

    names = tables["group_names"]
    groups = NamedGroups(match, names)
    return {name: groups[name] for name in names.index}


def test_group_reader_reads_each_name_as_named_groups_does():
    from pipeline.text_rules import GroupReader, NamedGroups, compile_unique_groups

    pattern, names = compile_unique_groups(r"(?P<a>x)(?P<b>1)|(?P<a>y)(?P<c>2)|(?P<b>z)")
    for fields in (("a", "b", "c"), ("b",), ("c", "a")):
        read = GroupReader(names, fields)
        for text in ("x1", "y2", "z"):
            match = pattern.match(text)
            assert read(match) == tuple(NamedGroups(match, names).group(name) for name in fields)
