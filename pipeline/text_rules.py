"""Rules as data shared by the text stages (layout, furniture, sentences), loaded once.

The files live under ``rules/text/`` (punctuation classes, characters that cannot begin a
sentence) and ``rules/furniture/`` (furniture patterns); see ``rules/furniture/README.md``. All
patterns apply to the NORMALIZED text (Simplified, half-width), which has the raw text's length,
so a match offset is a raw offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .resources import load_json, load_lines, rules_path

# From a line's first to its last visible character (\S never matches a newline).
_VISIBLE_LINE = regex.compile(r"\S(?:[^\n]*\S)?")
LINE_PATTERN_MAX_CHARS = 80
INLINE_WINDOW = 48
_SENTENCE_END = ("。", "!", "?")


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
        if len(line) > LINE_PATTERN_MAX_CHARS or line.endswith(_SENTENCE_END):
            return None  # furniture lines are short and never end like a sentence
        match = self.lines.fullmatch(line)
        return self.line_reasons[int(match.lastgroup[1:])] if match else None

    def inline_suffix(self, line: str) -> tuple[int, str] | None:
        """Return (offset in ``line``, reason) of furniture closing a body paragraph, or None."""
        if line.endswith(_SENTENCE_END):
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
