"""The analysis view of a document and its exact map back to the raw text.

The spaCy ``Doc`` holds the raw text unchanged, one token per character, so a ``Doc`` character
offset *is* a raw offset. Stages that read text for analysis (sentences, places, numbers...) read
a :class:`TextView` instead: the normalized characters (Simplified, half-width) of the body
segments in reading order, with column breaks and page furniture left out. ``raw_of[i]`` is the
raw offset of view character ``i``; every span found in the view maps back through it.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass(frozen=True)
class TextView:
    """Normalized body text plus the raw offset of each of its characters.

    Attributes:
        text: the analysis text.
        raw_of: ``raw_of[i]`` is the raw offset of ``text[i]``.
        raw_length: length of the raw text the view was cut from.
    """

    text: str
    raw_of: array
    raw_length: int
    _view_of: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_segments(cls, normalized: str, segments: Iterable[tuple[int, int]]) -> "TextView":
        """Build a view by concatenating ``normalized[start:end]`` for each raw segment in order.

        Args:
            normalized: the normalized text, of the same length as the raw text.
            segments: raw ``(start, end)`` ranges in reading order; they must not overlap.
        """
        parts: list[str] = []
        raw_of = array("i")
        for start, end in segments:
            if end <= start:
                continue
            parts.append(normalized[start:end])
            raw_of.extend(range(start, end))
        return cls("".join(parts), raw_of, len(normalized))

    @classmethod
    def identity(cls, normalized: str) -> "TextView":
        """Return the view of the whole text, character for character."""
        return cls.from_segments(normalized, [(0, len(normalized))])

    def __len__(self) -> int:
        return len(self.text)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty view span to the smallest raw span that contains all its characters."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"view span ({start}, {end}) outside a view of length {len(self.text)}")
        first, last = self.raw_of[start], self.raw_of[end - 1]
        if first <= last and last - first == end - 1 - start:
            return first, last + 1
        chunk = self.raw_of[start:end]
        return min(chunk), max(chunk) + 1

    def to_view(self, raw_offset: int) -> int | None:
        """Return the view index of a raw offset, or None when that character is not in the view."""
        if not self._view_of:
            self._view_of.update((raw, i) for i, raw in enumerate(self.raw_of))
        return self._view_of.get(raw_offset)

    def raw_span_to_view(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a raw span to the view span covering the view characters inside it, or None."""
        inside = [self.to_view(r) for r in range(start, end)]
        inside = [i for i in inside if i is not None]
        if not inside:
            return None
        return min(inside), max(inside) + 1

    def is_contiguous(self, start: int, end: int) -> bool:
        """True when view span ``start:end`` is one unbroken stretch of raw text."""
        return self.raw_of[end - 1] - self.raw_of[start] == end - 1 - start


def subtract_spans(segments: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return ``segments`` with every raw range in ``holes`` cut out, order kept.

    >>> subtract_spans([(0, 10), (20, 30)], [(5, 22)])
    [(0, 5), (22, 30)]
    """
    holes = sorted(holes)
    result: list[tuple[int, int]] = []
    for start, end in segments:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            result.append((cursor, end))
    return result
