"""TextView's bulk span mappings answer exactly as its one-span methods do, span by span."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.textview import TextView

NORMALIZED = "甲乙丙丁戊己庚辛壬癸" * 3


@st.composite
def segments(draw, overlapping: bool) -> list[tuple[int, int]]:
    """Raw segments of NORMALIZED in any order: overlapping ones, or pieces of one cut of the line."""
    bounds = st.integers(0, len(NORMALIZED))
    pieces = draw(st.lists(st.tuples(bounds, bounds), max_size=6))
    if overlapping:
        return pieces
    cuts = sorted({b for piece in pieces for b in piece})
    return draw(st.permutations([(a, b) for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())]))


@st.composite
def views(draw) -> TextView:
    """Views cut from segments or made from any raw offsets.

    Raw offsets may run backwards, repeat (the view then maps through its dict) and leave gaps.
    """
    if draw(st.booleans()):
        raw_of = draw(st.lists(st.integers(-3, 25), max_size=30))
        return TextView("x" * len(raw_of), array("i", raw_of), max([0, *raw_of]) + 1)
    return TextView.from_segments(NORMALIZED, draw(segments(overlapping=draw(st.booleans()))))


spans = st.lists(st.tuples(st.integers(-4, 34), st.integers(-4, 34)), max_size=12)


@settings(max_examples=500, deadline=None)
@given(views(), spans)
def test_raw_spans_to_view_maps_every_span_as_raw_span_to_view(view, spans):
    assert view.raw_spans_to_view(spans) == [view.raw_span_to_view(start, end) for start, end in spans]


@settings(max_examples=500, deadline=None)
@given(views(), spans)
def test_spans_to_view_by_ends_maps_every_span_as_span_to_view_by_ends(view, spans):
    assert view.spans_to_view_by_ends(spans) == [view.span_to_view_by_ends(start, end) for start, end in spans]


@settings(max_examples=300, deadline=None)
@given(views(), spans)
def test_span_to_view_by_ends_goes_through_the_end_characters_when_both_are_in_the_view(view, spans):
    for start, end in spans:
        first, last = view.to_view(start), view.to_view(end - 1)
        expected = view.raw_span_to_view(start, end) if first is None or last is None else (first, last + 1)
        assert view.span_to_view_by_ends(start, end) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), min_size=1, max_size=5),
       st.lists(st.tuples(st.integers(0, 39), st.integers(1, 10)), max_size=8))
def test_spans_to_view_by_ends_maps_every_span_as_the_view_does(segments, spans):
    raw = "甲乙丙丁戊己庚辛壬癸" * 4
    view = TextView.from_segments(raw, [(start, min(start + length, len(raw))) for start, length in segments])
    spans = [(start, min(start + length, len(raw))) for start, length in spans]
    assert view.spans_to_view_by_ends(spans) == [view.span_to_view_by_ends(start, end) for start, end in spans]


@settings(max_examples=300, deadline=None)
@given(segments(overlapping=False) | segments(overlapping=True), spans)
def test_a_view_maps_as_one_made_from_its_raw_offsets(segments, spans):
    """The runs a view takes from its segments answer as those worked out from its raw offsets."""
    view = TextView.from_segments(NORMALIZED, segments)
    same = TextView(view.text, view.raw_of, view.raw_length)
    assert view.raw_spans_to_view(spans) == same.raw_spans_to_view(spans)
    assert view.spans_to_view_by_ends(spans) == same.spans_to_view_by_ends(spans)


def test_the_bulk_mappings_on_a_view_that_runs_backwards_and_repeats():
    view = TextView("dcab", array("i", [3, 2, 0, 2]), 4)  # raw 2 is at view 1 and 3: the last wins
    assert view.raw_spans_to_view([(0, 2), (2, 3), (1, 4), (4, 6), (3, 1), (-2, 0)]) == [
        (2, 3), (3, 4), (0, 4), None, None, None]
    assert view.spans_to_view_by_ends([(0, 3), (2, 4), (1, 3), (0, 0)]) == [(2, 4), (3, 1), (3, 4), None]
    assert view.raw_spans_to_view([]) == view.spans_to_view_by_ends([]) == []


def test_a_view_in_two_runs_maps_spans_inside_and_across_them():
    view = TextView.from_segments("abcdefgh", [(5, 8), (0, 3)])  # "fghabc"
    assert view.raw_spans_to_view([(0, 2), (6, 8), (2, 6), (3, 5), (1, 1)]) == [(3, 5), (1, 3), (0, 6), None, None]
    assert view.spans_to_view_by_ends([(2, 6), (1, 7), (3, 8)]) == [(5, 1), (4, 2), (0, 3)]


def test_an_empty_view_maps_every_span_to_none():
    view = TextView.from_segments("abc", [])
    assert view.raw_spans_to_view([(0, 3), (1, 1)]) == [None, None]
    assert view.spans_to_view_by_ends([(0, 3), (1, 2)]) == [None, None]
