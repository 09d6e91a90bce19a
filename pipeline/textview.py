"""The analysis view of a document and its exact map back to the raw text.

The spaCy ``Doc`` holds the raw text unchanged, one token per character, so a ``Doc`` character
offset *is* a raw offset. Stages that read text for analysis (sentences, places, numbers...) read
a :class:`TextView` instead: the normalized characters (Simplified, half-width) of the body
segments in reading order, with column breaks and page furniture left out. ``raw_of[i]`` is the
raw offset of view character ``i``; every span found in the view maps back through it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy


class _Runs(NamedTuple):
    """The view as stretches of consecutive raw characters, sorted by raw offset.

    Run ``i`` holds raw ``raw_starts[i]:raw_ends[i]`` at view ``view_starts[i]`` onwards.
    """

    raw_starts: list[int]
    raw_ends: list[int]
    view_starts: list[int]


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
    _runs: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_segments(cls, normalized: str, segments: Iterable[tuple[int, int]]) -> "TextView":
        """Build a view by concatenating ``normalized[start:end]`` for each raw segment in order.

        Args:
            normalized: the normalized text, of the same length as the raw text.
            segments: raw ``(start, end)`` ranges in reading order; they must not overlap.
        """
        starts: list[int] = []
        ends: list[int] = []
        for start, end in segments:
            if end <= start:
                continue
            if ends and ends[-1] == start:  # continues the previous segment: one slice for both
                ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        text = "".join([normalized[start:end] for start, end in zip(starts, ends)])
        view = cls(text, _concatenated_ranges(starts, ends), len(normalized))
        view_starts = list(accumulate((end - start for start, end in zip(starts, ends)), initial=0))[:-1]
        view._runs.append(_sorted_runs(starts, ends, view_starts))  # the segments are the runs
        return view

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
        runs = self._raw_runs()
        if runs is None:
            return self._view_of.get(raw_offset)
        i = bisect_right(runs.raw_starts, raw_offset) - 1
        if i >= 0 and raw_offset < runs.raw_ends[i]:
            return runs.view_starts[i] + raw_offset - runs.raw_starts[i]
        return None

    def raw_span_to_view(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a raw span to the view span covering the view characters inside it, or None."""
        runs = self._raw_runs()
        if runs is None:
            inside = [i for i in map(self._view_of.get, range(start, end)) if i is not None]
            return (min(inside), max(inside) + 1) if inside else None
        if start >= end:
            return None
        covered = []
        i = bisect_right(runs.raw_ends, start)  # the first run ending after ``start``
        while i < len(runs.raw_starts) and runs.raw_starts[i] < end:
            shift = runs.view_starts[i] - runs.raw_starts[i]
            covered.append((shift + max(start, runs.raw_starts[i]), shift + min(end, runs.raw_ends[i])))
            i += 1
        if not covered:
            return None
        return min(first for first, _ in covered), max(stop for _, stop in covered)

    def span_to_view_by_ends(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a raw span to a view span through its end characters when both are in the view.

        A span whose first and last raw characters are both in the view maps to the view span
        from the first's view index to just past the last's, whatever lies between them (even when
        the view holds them in the other order); any other span maps as :meth:`raw_span_to_view`
        maps it.
        """
        first, last = self.to_view(start), self.to_view(end - 1)
        if first is None or last is None:
            return self.raw_span_to_view(start, end)
        return first, last + 1

    def raw_spans_to_view(self, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int] | None]:
        """Map raw ``(start, end)`` spans at once, each exactly as :meth:`raw_span_to_view` maps it."""
        return self._spans_to_view(spans, self.raw_span_to_view)

    def spans_to_view_by_ends(self, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int] | None]:
        """Map raw ``(start, end)`` spans at once, each exactly as :meth:`span_to_view_by_ends` maps it."""
        return self._spans_to_view(spans, self.span_to_view_by_ends)

    def _spans_to_view(self, spans: Iterable[tuple[int, int]],
                       map_span: Callable[[int, int], tuple[int, int] | None]) -> list[tuple[int, int] | None]:
        """Map raw spans with ``map_span``, computing directly those that lie inside one run.

        A non-empty raw span inside one run maps to the same stretch of the view under both
        mappings: its characters are all in the view, one after the other. Almost every span in a
        document is such a span.
        """
        runs = self._raw_runs()
        if runs is None:
            return [map_span(start, end) for start, end in spans]
        raw_starts, raw_ends, view_starts = runs
        mapped = []
        for start, end in spans:
            i = bisect_right(raw_starts, start) - 1  # the last run starting at or before ``start``
            if i >= 0 and start < end <= raw_ends[i]:
                shift = view_starts[i] - raw_starts[i]
                mapped.append((start + shift, end + shift))
            else:
                mapped.append(map_span(start, end))
        return mapped

    def is_contiguous(self, start: int, end: int) -> bool:
        """True when view span ``start:end`` is one unbroken stretch of raw text."""
        return self.raw_of[end - 1] - self.raw_of[start] == end - 1 - start

    def _raw_runs(self) -> _Runs | None:
        """Return the view's runs, or None when a raw offset repeats.

        The runs of a view made by :meth:`from_segments` are its segments; those of any other view
        are worked out from ``raw_of`` on first use. A view whose raw offsets repeat (its segments
        overlapped) maps raw offsets through a dict instead, where the last view index of a raw
        offset wins.
        """
        if not self._runs:
            raw = numpy.asarray(self.raw_of, dtype=numpy.int64)
            cut = numpy.flatnonzero(numpy.diff(raw) != 1) + 1  # where a run starts, after the first
            view_starts = numpy.concatenate(([0], cut)) if len(raw) else cut
            raw_ends = raw[view_starts] + numpy.diff(numpy.concatenate((view_starts, [len(raw)])))
            self._runs.append(_sorted_runs(raw[view_starts].tolist(), raw_ends.tolist(), view_starts.tolist()))
        runs = self._runs[0]
        if runs is None and not self._view_of:
            self._view_of.update(zip(self.raw_of, range(len(self.raw_of))))
        return runs


def _sorted_runs(raw_starts: Sequence[int], raw_ends: Sequence[int], view_starts: Sequence[int]) -> _Runs | None:
    """Return the runs sorted by raw offset, or None when two of them share a raw offset.

    Run ``i`` of the arguments holds raw ``raw_starts[i]:raw_ends[i]`` (not empty) at view
    ``view_starts[i]`` onwards.
    """
    order = sorted(range(len(raw_starts)), key=raw_starts.__getitem__)
    runs = _Runs([raw_starts[i] for i in order], [raw_ends[i] for i in order], [view_starts[i] for i in order])
    if any(start < end for start, end in zip(runs.raw_starts[1:], runs.raw_ends)):
        return None
    return runs


def _concatenated_ranges(starts: Sequence[int], ends: Sequence[int]) -> array:
    """Return ``array("i")`` of ``range(starts[0], ends[0])``, then ``range(starts[1], ends[1])``..."""
    if not starts:
        return array("i")
    if len(starts) == 1:
        return array("i", numpy.arange(starts[0], ends[0], dtype=numpy.intc).tobytes())
    lengths = numpy.subtract(ends, starts, dtype=numpy.intc)
    # Each position's value is its index plus the shift of the range it falls in.
    shifts = numpy.asarray(starts, dtype=numpy.intc) - (numpy.cumsum(lengths, dtype=numpy.intc) - lengths)
    values = numpy.arange(int(lengths.sum()), dtype=numpy.intc) + numpy.repeat(shifts, lengths)
    return array("i", values.tobytes())


def subtract_spans(segments: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return ``segments`` with every raw range in ``holes`` cut out, order kept.

    >>> subtract_spans([(0, 10), (20, 30)], [(5, 22)])
    [(0, 5), (22, 30)]
    """
    holes = sorted(holes)
    if not holes:
        return [(start, end) for start, end in segments if start < end]
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
