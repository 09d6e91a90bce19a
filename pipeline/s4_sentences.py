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

from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .schema import Sentence
from .text_rules import punctuation
from .textview import TextView

VERSION = "1"


@lru_cache(maxsize=None)
def _patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """Compile the boundary and quote patterns from the punctuation rules."""
    marks = punctuation()
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
    marks = punctuation()
    before = text[:quote_start].rstrip(" \t\u3000")
    return not before or before[-1] in "\n" + marks.sentence_final + marks.closing_quotes + marks.speech_openers


def sentence_breaks(text: str) -> list[int]:
    """Return the view offsets where sentences end, in order.

    Args:
        text: the analysis view's text.
    """
    boundary, _ = _patterns()
    embedded = [(start, end) for start, end, speech in _quote_spans(text) if not speech]
    breaks = []
    k = 0
    for match in boundary.finditer(text):
        end = match.end()
        while k < len(embedded) and embedded[k][1] <= match.start():
            k += 1
        if k < len(embedded) and embedded[k][0] < match.start() and end < embedded[k][1] and match.group() != "\n":
            continue  # inside a quote that stands mid-sentence
        breaks.append(end)
    if not breaks or breaks[-1] != len(text):
        breaks.append(len(text))
    return breaks


def split_sentences(view: TextView) -> list[Sentence]:
    """Split ``view`` into sentences with raw offsets (see the module docstring)."""
    text = view.text
    sentences: list[Sentence] = []
    start = 0
    for end in sentence_breaks(text):
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            v_start = start + lead
            v_end = v_start + len(stripped)
            raw_start, raw_end = view.to_raw(v_start, v_end)
            sentences.append(Sentence.model_construct(index=len(sentences), start=raw_start, end=raw_end, text=stripped))
        start = end
    return sentences


class SentenceSplitter:
    """spaCy component: assign ``doc._.sentences`` from ``doc._.view``."""

    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.sentences = split_sentences(doc._.view)
        return doc


@Language.factory("zhclaims_sentences", assigns=["doc._.sentences"], requires=["doc._.view"])
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter()
