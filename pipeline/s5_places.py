"""Stage 5, places (placeholder: finds nothing). See issue 4."""

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class PlaceTagger:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = []
        doc._.relations = []
        return doc


@Language.factory("zhclaims_places", assigns=["doc._.entities", "doc._.relations"], requires=["doc._.view", "doc._.sentences"])
def make_places(nlp: Language, name: str) -> PlaceTagger:
    return PlaceTagger()
