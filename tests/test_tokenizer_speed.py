"""The character tokenizer's fast construction makes exactly the Doc of the plain construction.

``CharTokenizer`` builds a ``Doc`` from cached per-character string ids; these tests compare it
with ``Doc(vocab, words=list(text), spaces=[False] * len(text))`` token by token.
"""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, LOWER, NORM, ORTH, SHAPE, SPACY
from spacy.lang.zh import Chinese
from spacy.tokens import Doc
from spacy.vocab import create_vocab

from pipeline.api import CharTokenizer

LEXICAL_ATTRS = [ORTH, NORM, LOWER, SHAPE, IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, SPACY]
SAMPLES = [
    "",
    "杭",
    "杭州市拱墅區，２０２５年１１月完成３６５個項目。\n\n(记者 刘婧宇)",
    "X_X x _ \t\r\n\u3000\u00a0",  # "X" and "_" are spaCy symbols with reserved ids
    "emoji 😀 and 𠀋 beyond the BMP, then 中文 again",
    "\x00\x01 control characters",
]


def new_vocab():
    """A fresh Chinese vocab (as spacy.blank("zh") has), so each construction makes its own lexemes."""
    return create_vocab("zh", Chinese.Defaults)


def reference_doc(vocab, text: str) -> Doc:
    return Doc(vocab, words=list(text), spaces=[False] * len(text))


def assert_same_doc(made: Doc, expected: Doc) -> None:
    assert made.text == expected.text
    assert [t.text for t in made] == [t.text for t in expected]
    assert [t.idx for t in made] == [t.idx for t in expected]
    assert made.to_array(LEXICAL_ATTRS).tolist() == expected.to_array(LEXICAL_ATTRS).tolist()


def test_samples_match_the_plain_construction():
    tokenizer = CharTokenizer(spacy.blank("zh").vocab)
    reference_vocab = spacy.blank("zh").vocab
    for text in SAMPLES + SAMPLES[::-1]:  # the second pass reads ids cached by the first
        assert_same_doc(tokenizer(text), reference_doc(reference_vocab, text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_any_text_matches_the_plain_construction(text):
    made = CharTokenizer(new_vocab())(text)
    assert_same_doc(made, reference_doc(new_vocab(), text))


def test_orths_are_the_vocab_string_ids():
    vocab = spacy.blank("zh").vocab
    tokenizer = CharTokenizer(vocab)
    text = "杭州X_😀\n"
    assert tokenizer.orths(text) == [vocab.strings[char] for char in text]


def test_an_id_unknown_to_the_vocab_is_interned_again():
    """Should the vocab lose a cached character (its strings replaced), the ids are made again."""
    vocab = spacy.blank("zh").vocab
    tokenizer = CharTokenizer(vocab)
    tokenizer._orth_of_code[ord("新")] = 12345  # an id that names no string and no lexeme
    doc = tokenizer("新字")
    assert [t.text for t in doc] == ["新", "字"]
    assert tokenizer.orths("新") == [vocab.strings["新"]]


def test_memory_zones_keep_working():
    nlp = spacy.blank("zh")
    tokenizer = CharTokenizer(nlp.vocab)
    for _ in range(2):
        with nlp.memory_zone():
            doc = tokenizer("区内新词汇")
            assert doc.text == "区内新词汇"
    assert tokenizer("区内新词汇").text == "区内新词汇"
