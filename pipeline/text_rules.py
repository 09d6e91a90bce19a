"""Rules as data shared by the text stages, loaded once, and the helpers that apply them fast.

The files live under ``rules/text/`` (punctuation classes, characters that cannot begin a
sentence) and ``rules/furniture/`` (furniture patterns); see ``rules/furniture/README.md``. All
patterns apply to the NORMALIZED text (Simplified, half-width), which has the raw text's length,
so a match offset is a raw offset.

Helpers for the entity and number stages: :class:`WordMatcher` finds the words of a fixed list
(place forms, brands) without a Python step per character; :func:`compile_unique_groups` and
:class:`NamedGroups` (one name at a time) or :class:`GroupReader` (many names of every match)
run a scanner written for ``regex`` (group names reused in alternatives) on the faster standard
``re`` engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Callable, Generic, Mapping, Optional, Sequence, TypeVar

import numpy as np
import regex

from .resources import load_json, load_lines, rules_path

# From a line's first to its last visible character (\S never matches a newline).
_VISIBLE_LINE = regex.compile(r"\S(?:[^\n]*\S)?")
LINE_PATTERN_MAX_CHARS = 80
INLINE_WINDOW = 48
SENTENCE_ENDINGS = ("。", "!", "?")
"""Line, page-title and closing furniture never ends with these (the rules skip such lines)."""


@dataclass(frozen=True)
class Punctuation:
    """Punctuation classes of the normalized text (``rules/text/punctuation.json``)."""

    sentence_final: str
    clause_final: str
    closing: str
    opening_quotes: str
    closing_quotes: str
    continues_after: str
    speech_openers: str


@lru_cache(maxsize=None)
def punctuation() -> Punctuation:
    """Return the punctuation classes."""
    data = load_json("text", "punctuation.json")
    return Punctuation(**{key: value for key, value in data.items() if not key.startswith("_")})


@lru_cache(maxsize=None)
def bound_starts() -> frozenset[str]:
    """Return the one-character words that do not begin a sentence (``rules/text/bound_starts.txt``)."""
    return frozenset(load_lines("text", "bound_starts.txt"))


def _load_tsv(*parts: str) -> list[tuple[str, str]]:
    """Read ``reason<TAB>regex`` rows, skipping blank lines and ``#`` comments.

    Args:
        parts: path of the file under ``rules/``.

    Returns:
        (reason, pattern source) pairs in file order.
    """
    rows = []
    with open(rules_path(*parts), encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            reason, sep, pattern = line.partition("\t")
            if not sep or not pattern:
                raise ValueError(f"rules/{'/'.join(parts)} line {number}: expected 'reason<TAB>regex', got {line!r}")
            rows.append((reason.strip(), pattern))
    return rows


def _alternation(rows: list[tuple[str, str]]) -> tuple[regex.Pattern, tuple[str, ...]]:
    """Compile rows into one pattern with a named group per row, and the reason of each group."""
    reasons = tuple(reason for reason, _ in rows)
    source = "|".join(f"(?P<r{i}>{pattern})" for i, (_, pattern) in enumerate(rows))
    return regex.compile(source), reasons


@dataclass(frozen=True)
class FurnitureRules:
    """Compiled furniture patterns (``rules/furniture/*.tsv``)."""

    lines: regex.Pattern
    line_reasons: tuple[str, ...]
    inline: regex.Pattern
    inline_reasons: tuple[str, ...]
    tail: regex.Pattern
    tail_reasons: tuple[str, ...]
    page_title: regex.Pattern
    page_title_site: regex.Pattern

    def line_reason(self, line: str) -> str | None:
        """Return the furniture reason when the whole (stripped, normalized) ``line`` is furniture."""
        if len(line) > LINE_PATTERN_MAX_CHARS or line.endswith(SENTENCE_ENDINGS):
            return None  # furniture lines are short and never end like a sentence
        match = self.lines.fullmatch(line)
        return self.line_reasons[int(match.lastgroup[1:])] if match else None

    def inline_suffix(self, line: str) -> tuple[int, str] | None:
        """Return (offset in ``line``, reason) of furniture closing a body paragraph, or None."""
        if line.endswith(SENTENCE_ENDINGS):
            return None  # a credit or byline closing a paragraph does not end like a sentence
        match = self.inline.search(line, max(0, len(line) - INLINE_WINDOW))
        if not match or match.start() == 0:
            return None
        return match.start(), self.inline_reasons[int(match.lastgroup[1:])]

    def tail_reason(self, line: str) -> str | None:
        """Return the reason when ``line`` starts the trailing page chrome, else None."""
        match = self.tail.match(line)
        return self.tail_reasons[int(match.lastgroup[1:])] if match else None


@lru_cache(maxsize=None)
def furniture_rules() -> FurnitureRules:
    """Load and compile the furniture patterns."""
    lines, line_reasons = _alternation(_load_tsv("furniture", "lines.tsv"))
    inline, inline_reasons = _alternation(_load_tsv("furniture", "inline.tsv"))
    tail, tail_reasons = _alternation(_load_tsv("furniture", "tail_markers.tsv"))
    (_, title_source), = _load_tsv("furniture", "page_title.tsv")
    site_words = load_lines("furniture", "site_words.txt")
    site = regex.compile("(?:" + "|".join(map(regex.escape, site_words)) + ")$")
    return FurnitureRules(lines, line_reasons, inline, inline_reasons, tail, tail_reasons,
                          regex.compile(title_source), site)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of every line of ``text`` that has visible characters, stripped.

    Args:
        text: raw or normalized text (same offsets).

    Returns:
        Ranges that start at the line's first and end after its last non-whitespace character.
    """
    return [match.span() for match in _VISIBLE_LINE.finditer(text)]


_GROUP_OPENING = re.compile(r"(?<!\\)\(\?P<(\w+)>")


@dataclass(frozen=True)
class GroupNames:
    """Where the groups of each original name are in ``Match.groups()`` (see :func:`compile_unique_groups`).

    Attributes:
        index: original name -> index of its first group.
        shared: ``(first index, other indexes)`` of each name used by several groups.
    """

    index: dict[str, int]
    shared: tuple[tuple[int, tuple[int, ...]], ...]

    @cached_property
    def other_groups(self) -> dict[str, tuple[int, ...]]:
        """Name used by several groups -> the indexes of its groups after the first."""
        others = dict(self.shared)
        return {name: others[first] for name, first in self.index.items() if first in others}


def compile_unique_groups(pattern: str, astral_digits: bool = True) -> tuple[re.Pattern, GroupNames]:
    """Compile a scanner with the standard ``re`` engine, which needs unique group names.

    The stages' scanners reuse a group name in alternatives (``m`` for the month of every date
    form), which the ``regex`` module allows (such groups share one number). Here the second
    ``(?P<m>`` becomes ``(?P<m__2>`` and so on, and :class:`NamedGroups` reads a name from
    whichever of its groups took part. ``re`` scans these patterns two to three times faster than
    ``regex``; the pattern must use no ``regex``-only syntax (``\\p{...}``, ``overlapped``...).
    ``\\d`` is spelled out as the digits ``regex`` knows (its Unicode tables may be newer than
    ``re``'s), and the other Unicode classes (``\\w``, ``\\s``, ``\\b``...) are refused.

    Args:
        pattern: the scanner, in the syntax both engines read alike.
        astral_digits: spell out the digits above U+FFFF too. ``re`` tests a class holding a
            character above U+FFFF item by item instead of by one table look-up, so a scanner
            compiled without them runs faster; on a text with no such character
            (:func:`within_bmp`) it finds the same matches.

    Returns:
        The compiled pattern and where each original name's groups are.
    """
    seen: dict[str, int] = {}

    def rename(match: re.Match) -> str:
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        return match.group() if seen[name] == 1 else f"(?P<{name}__{seen[name]}>"

    compiled = re.compile(_GROUP_OPENING.sub(rename, _spell_out_digits(pattern, astral_digits)))
    indexes: dict[str, list[int]] = {}
    for name, number in sorted(compiled.groupindex.items(), key=lambda item: item[1]):
        indexes.setdefault(name.split("__")[0], []).append(number - 1)
    shared = tuple((first, tuple(others)) for first, *others in indexes.values() if others)
    return compiled, GroupNames({name: found[0] for name, found in indexes.items()}, shared)


_UNICODE_CLASS_ESCAPES = frozenset("wWsSbBD")


def within_bmp(text: str) -> bool:
    """True when ``text`` has no character above U+FFFF (see :func:`compile_unique_groups`)."""
    return len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)


@lru_cache(maxsize=2)
def _regex_digits(astral: bool = True) -> str:
    """The characters the ``regex`` module matches with ``\\d``, as the body of a ``re`` class.

    ``re``'s own ``\\d`` (a fast category test) plus the digits only ``regex`` knows, or every
    digit spelled out should ``re`` know one that ``regex`` does not; without ``astral``, only
    those up to U+FFFF.
    """
    every_char = np.arange(0x110000 if astral else 0x10000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    ours = {match.start() for match in regex.finditer(r"\d", every_char)}
    theirs = {match.start() for match in re.finditer(r"\d", every_char)}
    if theirs <= ours:
        return "\\d" + _class_ranges(sorted(ours - theirs))
    return _class_ranges(sorted(ours))


def _class_ranges(codes: list[int]) -> str:
    """Code points (sorted) as character-class ranges (``0-9``); for characters that need no escape."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in runs)


def _spell_out_digits(pattern: str, astral: bool = True) -> str:
    """Replace ``\\d`` in ``pattern`` by the digits ``regex`` reads as ``\\d`` (see :func:`compile_unique_groups`;
    without ``astral``, only those up to U+FFFF).

    Raises:
        ValueError: the pattern uses another class whose meaning depends on the Unicode tables.
    """
    out: list[str] = []
    in_class = False
    class_body = -1  # where the body of the current character class starts
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i + 1 : i + 2]
            if escape == "d":
                digits = _regex_digits(astral)
                out.append(digits if in_class else f"[{digits}]")
            elif escape in _UNICODE_CLASS_ESCAPES:
                raise ValueError(f"\\{escape} reads differently in re and regex: {pattern[:60]!r}")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if not in_class and char == "[":
            in_class = True
            class_body = i + 1 + (pattern[i + 1 : i + 2] == "^")
        elif in_class and char == "]" and i != class_body:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


class NamedGroups:
    """A match of a :func:`compile_unique_groups` pattern, read by the original group names.

    ``groups.group("m")`` (or ``groups["m"]``) is the text of whichever ``m`` group took part in
    the match, or None.
    """

    __slots__ = ("match", "values", "index", "other_groups")

    def __init__(self, match: re.Match, names: GroupNames):
        # A shared name is resolved when read: most of a match's names are never read.
        self.match, self.values = match, match.groups()
        self.index, self.other_groups = names.index, names.other_groups

    def group(self, name: str) -> Optional[str]:
        """The text of group ``name``, or None when it took no part in the match."""
        value = self.values[self.index[name]]
        if value is None and name in self.other_groups:
            for other in self.other_groups[name]:
                value = self.values[other]
                if value is not None:
                    break
        return value

    __getitem__ = group

    def span(self) -> tuple[int, int]:
        """The span of the whole match."""
        return self.match.span()



def _tuple_getter(indexes: Sequence[int]) -> Callable[[tuple], tuple]:
    """Return a function taking ``values[i] for i in indexes`` as a tuple (``itemgetter`` unpacks one index)."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda values: (values[only],)
    return itemgetter(*indexes) if indexes else (lambda values: ())


class GroupReader:
    """Reads chosen names of a :func:`compile_unique_groups` match all at once, as :class:`NamedGroups` reads each.

    For a caller that reads most names of every match: one ``itemgetter`` takes each name's first
    group, and a shared name's later groups are looked at one by one only when one of them took
    part (rarely, as the first alternative is usually the common one).

    Args:
        names: the pattern's :class:`GroupNames`.
        fields: the names to read, in the order of the returned tuple.
    """

    def __init__(self, names: GroupNames, fields: Sequence[str]):
        self._first_values = _tuple_getter([names.index[name] for name in fields])
        # (position in ``fields``, indexes of the later groups) of each shared name among the fields
        self._shared = [(position, names.other_groups[name]) for position, name in enumerate(fields)
                        if name in names.other_groups]
        later = [other for _, others in self._shared for other in others]
        self._later_values, self._later_count = _tuple_getter(later), len(later)

    def __call__(self, match: re.Match) -> tuple[Optional[str], ...]:
        """The text of each field's group that took part in ``match`` (None when none did)."""
        values = match.groups()
        fields = self._first_values(values)
        if self._later_values(values).count(None) == self._later_count:
            return fields
        fields = list(fields)
        for position, others in self._shared:
            if fields[position] is None:
                fields[position] = next((values[other] for other in others if values[other] is not None), None)
        return tuple(fields)

Value = TypeVar("Value")
_TRIE_END = None  # the key under which a trie node stores the value of the word ending there


class WordMatcher(Generic[Value]):
    """Leftmost-longest, non-overlapping matching of a fixed word list.

    The matches are those of a left-to-right scan that takes the longest word starting at each
    position and resumes after it: the matches of ``regex`` ``finditer`` over the words'
    longest-first alternation.
    The trie is walked only from the positions where a word's first two characters (or a
    one-character word) occur, found with numpy in one pass, so most characters cost no Python
    step.

    Args:
        trie: nested dicts, one level per character; a node's ``None`` key holds the value of
            the word ending there (see :meth:`from_words`).
    """

    def __init__(self, trie: dict):
        self.root = trie
        if _TRIE_END in trie:
            raise ValueError("a word list with an empty word")
        pairs = [(ord(first), ord(second)) for first, node in trie.items() for second in node if second is not _TRIE_END]
        singles = [ord(first) for first, node in trie.items() if _TRIE_END in node]
        # Code points above every word character read as ``beyond``, a code point of no word
        # (``take(..., mode="clip")`` maps them there).
        beyond = max([ord(char) for char in trie] + [code for _, code in pairs], default=0) + 1
        # A pair's cell in ``_pair_table`` is its first character's row offset plus its second
        # character's column; characters that start (end) no pair have row (column) 0, whose
        # cells are all False.
        firsts = sorted({first for first, _ in pairs})
        seconds = sorted({second for _, second in pairs})
        columns = len(seconds) + 1
        self._row_of = np.zeros(beyond + 1, dtype=np.intp)
        self._row_of[firsts] = np.arange(1, len(firsts) + 1) * columns
        self._column_of = np.zeros(beyond + 1, dtype=np.intp)
        self._column_of[seconds] = np.arange(1, len(seconds) + 1)
        self._pair_table = np.zeros((len(firsts) + 1) * columns, dtype=bool)
        for first, second in pairs:
            self._pair_table[self._row_of[first] + self._column_of[second]] = True
        self._single: Optional[np.ndarray] = None
        if singles:
            self._single = np.zeros(beyond + 1, dtype=bool)
            self._single[singles] = True

    @classmethod
    def from_words(cls, words: Mapping[str, Value]) -> "WordMatcher[Value]":
        """Build the matcher of ``words`` (word -> value returned with each match)."""
        root: dict = {}
        for word, value in words.items():
            node = root
            for char in word:
                node = node.setdefault(char, {})
            node[_TRIE_END] = value
        return cls(root)

    def candidate_starts(self, text: str) -> np.ndarray:
        """Return, in order, the positions of ``text`` where a word may start."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        rows = self._row_of.take(codes[:-1], mode="clip")
        hits = self._pair_table[rows + self._column_of.take(codes[1:], mode="clip")]
        if self._single is not None:
            hits = np.append(hits, False) | self._single.take(codes, mode="clip")
        return np.flatnonzero(hits)

    def find(self, text: str) -> list[tuple[int, int, Value]]:
        """Return ``(start, end, value)`` of every match, left to right."""
        found = []
        root_get = self.root.get
        n = len(text)
        resume = 0
        for i in self.candidate_starts(text).tolist():
            if i < resume:
                continue
            node = root_get(text[i])
            best = node.get(_TRIE_END)
            end = j = i + 1
            while j < n:
                node = node.get(text[j])
                if node is None:
                    break
                j += 1
                value = node.get(_TRIE_END)
                if value is not None:
                    best, end = value, j
            if best is not None:
                found.append((i, end, best))
                resume = end
        return found
