"""Stage 2, layout repair (placeholder: the whole text is one segment). See issue 2."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class LayoutRepair:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.segments = [(0, len(doc.text))]
        return doc


@Language.factory("zhclaims_layout", assigns=["doc._.segments"], requires=["doc._.norm_text"])
def make_layout(nlp: Language, name: str) -> LayoutRepair:
    return LayoutRepair()
