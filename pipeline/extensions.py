"""Custom attributes the stages assign on the spaCy ``Doc``, and small helpers to use them.

Each stage declares which of these it assigns and requires (see the factories in the ``s*_``
modules); :func:`pipeline.api.check_contracts` verifies the order when a pipeline is built.

========================  ==================================================  ==================
attribute                 what                                                assigned by
========================  ==================================================  ==================
doc._.doc_id              document id                                         tokenizer
doc._.source              where the text came from (path, URL...)             tokenizer
doc._.published           publication date, ``YYYY[-MM[-DD]]`` or None        tokenizer/furniture
doc._.published_source    how it was found: metadata, cli, page, None         tokenizer/furniture
doc._.norm_text           normalized text, same length as ``doc.text``        normalize
doc._.segments            raw ``(start, end)`` body ranges in reading order    layout
doc._.furniture           list[FurnitureSpan]                                 furniture
doc._.view                :class:`~pipeline.textview.TextView`                furniture
doc._.sentences           list[Sentence]                                      sentences
doc._.entities            list[Entity] (places, then companies)               places, companies
doc._.relations           list[Relation]                                      places
doc._.times               list[TimeExpression]                                times
doc._.quantities          list[Quantity]                                      quantities
doc._.claims              list[Claim]                                         claims
========================  ==================================================  ==================
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc

from .schema import Provenance
from .text_rules import paragraph_spans

# Caches kept in doc.user_data (see raw_text and sentence_index).
RAW_TEXT_KEY = "zhclaims.raw_text"
PARAGRAPH_SPANS_KEY = "zhclaims.paragraph_spans"
SENTENCE_STARTS_KEY = "zhclaims.sentence_starts"

_LIST_ATTRIBUTES = ("furniture", "sentences", "entities", "relations", "times", "quantities", "claims", "segments")
_VALUE_ATTRIBUTES = ("doc_id", "source", "published", "published_source", "norm_text", "view")


def register_extensions() -> None:
    """Register the custom ``Doc`` attributes (idempotent).

    List attributes get a getter-free default of None and are set by the stage that owns them;
    :func:`items` reads them as lists.
    """
    for name in _VALUE_ATTRIBUTES + _LIST_ATTRIBUTES:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def items(doc: Doc, name: str) -> list:
    """Return the list stored in ``doc._.<name>``, creating it empty when unset."""
    value = getattr(doc._, name)
    if value is None:
        value = []
        setattr(doc._, name, value)
    return value


def sentence_index(doc: Doc, raw_start: int) -> int | None:
    """Return the index of the sentence whose raw span contains ``raw_start``, or None."""
    sentences = doc._.sentences or []
    return _index_at(sentences, _sentence_starts(doc, sentences), raw_start)


def _sentence_starts(doc: Doc, sentences: list) -> list[int]:
    """Return the raw starts of ``sentences`` (``doc._.sentences``), worked out once per sentence list."""
    cached = doc.user_data.get(SENTENCE_STARTS_KEY)
    if cached is None or cached[0] is not sentences or len(cached[1]) != len(sentences):
        cached = (sentences, [s.start for s in sentences])
        doc.user_data[SENTENCE_STARTS_KEY] = cached
    return cached[1]


def _index_at(sentences: list, starts: list[int], raw_start: int) -> int | None:
    i = bisect_right(starts, raw_start) - 1
    if i >= 0 and sentences[i].start <= raw_start < sentences[i].end:
        return sentences[i].index
    return None


class ProvenanceMaker:
    """Build the provenance records of one document's items.

    The document's id and sentences are read once (each ``doc._`` read costs), so a stage that
    makes many items builds one maker per document; :func:`provenance` is the one-item form.

    Args:
        doc: the document, after the sentences stage.
    """

    def __init__(self, doc: Doc):
        results = doc._
        self.doc_id = results.doc_id or ""
        self.sentences = results.sentences or []
        self.sentence_starts = _sentence_starts(doc, self.sentences)

    def sentence_index(self, raw_start: int) -> int | None:
        """Return the index of the sentence whose raw span contains ``raw_start``, or None."""
        return _index_at(self.sentences, self.sentence_starts, raw_start)

    def __call__(self, start: int, end: int, producer: str, version: str, confidence: float = 1.0) -> Provenance:
        """Return the provenance of an item spanning raw ``start:end``."""
        return Provenance(
            doc_id=self.doc_id, start=start, end=end, sentence=self.sentence_index(start),
            producer=producer, version=version, confidence=round(float(confidence), 4),
        )


def provenance(doc: Doc, start: int, end: int, producer: str, version: str, confidence: float = 1.0) -> Provenance:
    """Build the provenance record of an item spanning raw ``start:end`` in ``doc``."""
    return ProvenanceMaker(doc)(start, end, producer, version, confidence)


def raw_text(doc: Doc) -> str:
    """Return ``doc.text``, computed once per Doc and cached.

    spaCy builds ``doc.text`` by creating a ``Token`` for every character on every call, which
    with one token per character costs about as much as making the Doc. Stages slicing the raw
    text per item (``doc.text[start:end]``) should slice ``raw_text(doc)`` instead.
    """
    cached = doc.user_data.get(RAW_TEXT_KEY)
    if cached is None or len(cached) != len(doc):
        cached = doc.text
        doc.user_data[RAW_TEXT_KEY] = cached
    return cached


def paragraph_spans_of(doc: Doc) -> list[tuple[int, int]]:
    """Return ``paragraph_spans(doc._.norm_text)``, worked out once per normalized text.

    Layout and furniture both go through the page's visible lines; they share this list.
    """
    normalized = doc._.norm_text
    cached = doc.user_data.get(PARAGRAPH_SPANS_KEY)
    if cached is None or cached[0] is not normalized:
        cached = (normalized, paragraph_spans(normalized))
        doc.user_data[PARAGRAPH_SPANS_KEY] = cached
    return cached[1]
