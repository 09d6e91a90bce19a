"""The fast lookups of the places and companies stages against the plain loops they replace.

Each helper is compared with its reference on random inputs: :class:`WordEndings` with a slice per
word length, :func:`is_name_char` with the regex, :func:`longest_occurrences` with a longest-first
alternation, and :meth:`Gazetteer.find_townships` with a
slice per start position.
"""

from __future__ import annotations

import random
import re

from pipeline import gazetteer as gz
from pipeline.s6_companies import NAME_CHAR, WordEndings, is_name_char, longest_occurrences


def longest_ending_at_reference(words: frozenset[str], text: str, pos: int, longest: int):
    """The longest word of ``words`` ending at ``pos``: every length tried, longest first."""
    for size in sorted({len(word) for word in words if word}, reverse=True):
        if size <= longest and size <= pos and text[pos - size : pos] in words:
            return text[pos - size : pos]
    return None


def test_word_endings_find_the_longest_word_ending_at_each_position():
    words = frozenset(["的", "成立", "组建", "引进", "联合", "立", "合作", "有限", "杭州", "州", "", "𠀀州"])
    endings = WordEndings(words)
    rng = random.Random(5)
    alphabet = "的成立组建引进联合作有限杭州𠀀a"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        for pos in range(-1, len(text) + 1):
            for longest in (1, 2, 6):
                expected = longest_ending_at_reference(words, text, pos, longest)
                assert endings.longest_ending_at(text, pos, longest) == expected, (text, pos, longest)


def test_name_characters_are_those_of_the_regex():
    for char in "杭州Ab09&·、 ,（)𠀀ａ":
        assert is_name_char(char) == (NAME_CHAR.match(char) is not None), char
        assert is_name_char(char) == (NAME_CHAR.match(char) is not None), char  # remembered answer


def find_townships_reference(gazetteer: gz.Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """The longest township name ending at each suffix hit: every start position tried."""
    found = []
    for match in gazetteer.TOWNSHIP_SUFFIX.finditer(text):
        end = match.end()
        for start in range(max(0, end - gazetteer.township_max_length), match.start() - 1):
            if text[start:end] in gazetteer.township_names:
                found.append((start, end, text[start:end]))
                break
    return found


def test_townships_found_as_by_trying_every_start():
    gazetteer = gz.load_gazetteer()
    rng = random.Random(7)
    names = sorted(gazetteer.township_names)
    fillers = ["的", "家乡", "城镇", "乡", "镇", "街道", "苏木", "前进", "杭州市", "在"]
    for _ in range(300):
        parts = [rng.choice(names) if rng.random() < 0.4 else rng.choice(fillers) for _ in range(rng.randint(0, 8))]
        text = "".join(parts)
        assert gazetteer.find_townships(text) == find_townships_reference(gazetteer, text), text


def test_longest_occurrences_are_the_matches_of_a_longest_first_alternation():
    rng = random.Random(9)
    alphabet = "省农担公司杭州𠀀a"
    for _ in range(500):
        words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 6))}
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))
        expected = [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
        assert longest_occurrences(text, words) == expected, (words, text)


def test_company_scanners_on_re_match_like_regex():
    import regex

    from pipeline.s6_companies import load_rules

    rules = load_rules()
    rng = random.Random(13)
    pieces = sorted(set(rules.legal_forms) | set(rules.branch_suffixes) | set(rules.media_suffixes)
                    | set(rules.media_cue_after) | {"报", "的", "杭州", "a", "1"})
    for name in ("legal", "branch", "media"):
        fast = rules.compiled[name]
        reference = regex.compile(fast.pattern)
        for _ in range(300):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in reference.finditer(text)], (name, text)
