"""Stage 8, quantities (placeholder: finds nothing). See issue 5."""

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class QuantityTagger:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.quantities = []
        return doc


@Language.factory("zhclaims_quantities", assigns=["doc._.quantities"], requires=["doc._.view", "doc._.sentences", "doc._.times"])
def make_quantities(nlp: Language, name: str) -> QuantityTagger:
    return QuantityTagger()
