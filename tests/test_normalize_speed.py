"""The vectorized width folding of long texts equals ``str.translate`` with the folding table."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.s1_normalize import VECTORIZED_FOLD_MIN_CHARS, WIDTH_AND_DASH_TABLE, fold_width

FOLDED = "".join(chr(code) for code in WIDTH_AND_DASH_TABLE)
# Characters that fold, their neighbours, CJK, astral characters and lone surrogates.
ALPHABET = st.one_of(
    st.sampled_from(FOLDED),
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFF70),
    st.characters(min_codepoint=0x2000, max_codepoint=0x3010),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4F00),
    st.characters(min_codepoint=0x1F600, max_codepoint=0x1F610),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.characters(max_codepoint=0x7F),
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=4 * VECTORIZED_FOLD_MIN_CHARS))
def test_fold_width_equals_translate(text):
    assert fold_width(text) == text.translate(WIDTH_AND_DASH_TABLE)


def test_long_text_with_every_folded_character():
    text = (FOLDED + "杭州😀\ud800") * 3
    assert len(text) >= VECTORIZED_FOLD_MIN_CHARS
    assert fold_width(text) == text.translate(WIDTH_AND_DASH_TABLE)
