"""Stage 3, furniture (placeholder: nothing is furniture). See issue 2."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .textview import TextView

VERSION = "0"


class Furniture:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.furniture = []
        doc._.view = TextView.from_segments(doc._.norm_text, doc._.segments)
        return doc


@Language.factory(
    "zhclaims_furniture",
    assigns=["doc._.furniture", "doc._.view", "doc._.published"],
    requires=["doc._.segments", "doc._.norm_text"],
)
def make_furniture(nlp: Language, name: str) -> Furniture:
    return Furniture()
