"""Stage 4, sentences: split the analysis view into sentences with raw offsets.

A sentence ends after sentence-final punctuation (``。！？!?；;…``, a run of them counting once)
together with the closing quotes and brackets that follow it (``。”`` stays with its sentence),
and at every paragraph break of the view (so a heading is a sentence of its own). Inside
quotation marks the rule depends on what the quote is: a quote that opens a sentence or follows
a colon is speech, and its own sentences are split (``“小区无小事。”``); a quote standing in the
middle of a sentence (``要“…。…”``) is part of that sentence and is not split.

Each :class:`~pipeline.schema.Sentence` has the raw ``start``/``end`` of its first and last
character (surrounding whitespace trimmed) and the view's normalized text. A sentence joined
across a column break spans the break in raw offsets, and its ``text`` leaves the break out.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

import regex
from pydantic import TypeAdapter
from spacy.language import Language
from spacy.tokens import Doc

from .schema import Sentence
from .text_rules import punctuation
from .textview import TextView

VERSION = "1"


@lru_cache(maxsize=None)
def _patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """Compile the boundary and quote patterns from the punctuation rules.

    Raises:
        ValueError: when a boundary could hold an opening quote or a newline (besides the newline
            boundary itself), which :func:`sentence_breaks` relies on never happening.
    """
    marks = punctuation()
    inside_boundary = set(marks.sentence_final + marks.closing)
    if inside_boundary & set(marks.opening_quotes + "\n"):
        raise ValueError("rules/text/punctuation.json: sentence_final and closing must not hold opening quotes or newlines")
    boundary = regex.compile(f"[{regex.escape(marks.sentence_final)}]+[{regex.escape(marks.closing)}]*|\n")
    quotes = regex.compile(f"[{regex.escape(marks.opening_quotes + marks.closing_quotes)}]")
    return boundary, quotes


def _quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """Return (open, close, is_speech) for each top-level quotation in ``text``.

    A quote is speech when it opens a paragraph or sentence, or follows a colon. An unclosed quote
    runs to the end of its paragraph.
    """
    marks = punctuation()
    _, quotes = _patterns()
    spans = []
    depth, opened = 0, 0
    for match in quotes.finditer(text):
        char, position = match.group(), match.start()
        if char in marks.opening_quotes:
            if depth == 0:
                opened = position
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((opened, position + 1, _is_speech(text, opened)))
    if depth > 0:
        paragraph_end = text.find("\n", opened)
        spans.append((opened, len(text) if paragraph_end < 0 else paragraph_end, _is_speech(text, opened)))
    return spans


def _is_speech(text: str, quote_start: int) -> bool:
    """True when the quote opening at ``quote_start`` begins a sentence or follows a colon."""
    before = quote_start
    while before and text[before - 1] in _BLANKS:
        before -= 1
    return not before or text[before - 1] in _speech_follows()


_BLANKS = " \t\u3000"
"""The blanks allowed between a quote and what it follows."""


@lru_cache(maxsize=None)
def _speech_follows() -> frozenset[str]:
    """The characters after which a quote is speech: a newline, sentence-final marks, closing quotes, a colon."""
    marks = punctuation()
    return frozenset("\n" + marks.sentence_final + marks.closing_quotes + marks.speech_openers)


def sentence_breaks(text: str) -> list[int]:
    """Return the view offsets where sentences end, in order.

    Args:
        text: the analysis view's text.
    """
    boundary, _ = _patterns()
    breaks = [match.end() for match in boundary.finditer(text)]
    embedded = [(start, end) for start, end, speech in _quote_spans(text) if not speech]
    if embedded:
        # A boundary strictly inside a quote that stands mid-sentence is not one (a paragraph
        # break always is). No boundary holds an opening quote, so a boundary starts after the
        # quote's opening exactly when it ends after it. Quotes do not overlap and come in order.
        kept: list[int] = []
        position = 0
        for quote_start, quote_end in embedded:
            first, stop = bisect_right(breaks, quote_start, position), bisect_left(breaks, quote_end, position)
            kept += breaks[position:first]
            kept += [end for end in breaks[first:stop] if text[end - 1] == "\n"]
            position = stop
        breaks = kept + breaks[position:]
    if not breaks or breaks[-1] != len(text):
        breaks.append(len(text))
    return breaks


# The visible part of a piece of text: its first to its last non-whitespace character, as
# ``piece.strip()`` keeps it (the stdlib ``re``'s \s is exactly ``str.isspace``).
_VISIBLE = re.compile(r"\S(?:.*\S)?", re.DOTALL)
_SENTENCE_LIST = TypeAdapter(list[Sentence])


def split_sentences(view: TextView) -> list[Sentence]:
    """Split ``view`` into sentences with raw offsets (see the module docstring)."""
    text = view.text
    to_raw = view.to_raw
    visible_in = _VISIBLE.search
    fields = []
    start = 0
    for end in sentence_breaks(text):
        visible = visible_in(text, start, end)
        if visible is not None:
            raw_start, raw_end = to_raw(*visible.span())
            fields.append({"index": len(fields), "start": raw_start, "end": raw_end, "text": visible.group()})
        start = end
    return _SENTENCE_LIST.validate_python(fields)


class SentenceSplitter:
    """spaCy component: assign ``doc._.sentences`` from ``doc._.view``."""

    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        extensions = doc._  # each ``doc._`` makes an accessor object: make it once
        extensions.sentences = split_sentences(extensions.view)
        return doc


@Language.factory("zhclaims_sentences", assigns=["doc._.sentences"], requires=["doc._.view"])
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter()
