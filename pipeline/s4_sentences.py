"""Stage 4, sentences (placeholder: split after 。！？ and line breaks). See issue 2."""

from __future__ import annotations

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .schema import Sentence

VERSION = "0"
_SENTENCE = regex.compile(r"[^。！？!?\n]+[。！？!?]*")


class SentenceSplitter:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        view = doc._.view
        sentences = []
        for m in _SENTENCE.finditer(view.text):
            if not m.group().strip():
                continue
            start, end = view.to_raw(m.start(), m.end())
            sentences.append(Sentence(index=len(sentences), start=start, end=end, text=m.group()))
        doc._.sentences = sentences
        return doc


@Language.factory("zhclaims_sentences", assigns=["doc._.sentences"], requires=["doc._.view"])
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter()
