"""The run-based raw-to-view mapping of TextView answers as the per-character mapping does."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.textview import TextView


def reference_view(normalized: str, segments) -> tuple[str, list[int]]:
    """The view's text and raw offsets, concatenated one character at a time."""
    text, raw_of = "", []
    for start, end in segments:
        for offset in range(start, end):
            text += normalized[offset]
            raw_of.append(offset)
    return text, raw_of


def reference_to_view(raw_of: list[int], raw_offset: int) -> int | None:
    view_of = {raw: i for i, raw in enumerate(raw_of)}  # the last view index of a raw offset wins
    return view_of.get(raw_offset)


def reference_raw_span_to_view(raw_of: list[int], start: int, end: int):
    inside = [i for i in (reference_to_view(raw_of, r) for r in range(start, end)) if i is not None]
    return (min(inside), max(inside) + 1) if inside else None


@st.composite
def texts_and_segments(draw, overlapping: bool):
    normalized = draw(st.text(alphabet="ab\n 中文。", min_size=0, max_size=40))
    n = len(normalized)
    bounds = st.integers(min_value=0, max_value=n)
    segments = draw(st.lists(st.tuples(bounds, bounds), max_size=8))
    if not overlapping:
        cuts = sorted({b for segment in segments for b in segment})
        segments = [(a, b) for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())]
        segments = draw(st.permutations(segments))
    return normalized, segments


def assert_maps_like_the_reference(normalized, segments, data):
    view = TextView.from_segments(normalized, segments)
    text, raw_of = reference_view(normalized, segments)
    assert view.text == text
    assert view.raw_of == array("i", raw_of)
    offsets = st.integers(min_value=-2, max_value=len(normalized) + 2)
    for _ in range(5):
        raw_offset = data.draw(offsets)
        assert view.to_view(raw_offset) == reference_to_view(raw_of, raw_offset)
        start, end = data.draw(offsets), data.draw(offsets)
        assert view.raw_span_to_view(start, end) == reference_raw_span_to_view(raw_of, start, end)


@settings(max_examples=300, deadline=None)
@given(texts_and_segments(overlapping=False), st.data())
def test_view_maps_like_the_per_character_reference(case, data):
    assert_maps_like_the_reference(*case, data)


@settings(max_examples=200, deadline=None)
@given(texts_and_segments(overlapping=True), st.data())
def test_overlapping_segments_map_like_the_reference(case, data):
    assert_maps_like_the_reference(*case, data)


def test_a_view_built_from_a_raw_offset_array():
    view = TextView("cab", array("i", [2, 0, 1]), 3)
    assert [view.to_view(r) for r in range(4)] == [1, 2, 0, None]
    assert view.raw_span_to_view(0, 2) == (1, 3)
    assert view.raw_span_to_view(1, 3) == (0, 3)
    assert view.raw_span_to_view(3, 5) is None


def reference_subtract_spans(segments, holes):
    """Character by character: each segment's positions outside every hole, in maximal runs."""
    cut = {i for h_start, h_end in holes for i in range(h_start, h_end)}
    result = []
    for start, end in segments:
        run_start = None
        for i in range(start, end + 1):
            kept = i < end and i not in cut
            if kept and run_start is None:
                run_start = i
            elif not kept and run_start is not None:
                result.append((run_start, i))
                run_start = None
    return result


spans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6)


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_subtract_spans_matches_the_reference(segments, holes):
    from pipeline.textview import subtract_spans

    holes = [(start, end) for start, end in holes if start < end]  # furniture spans are never empty
    assert subtract_spans(segments, holes) == reference_subtract_spans(segments, holes)
