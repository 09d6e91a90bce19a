"""Stage 9, claims (placeholder: finds nothing). See issue 7."""

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class ClaimExtractor:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.claims = []
        return doc


@Language.factory("zhclaims_claims", assigns=["doc._.claims"], requires=["doc._.entities", "doc._.quantities", "doc._.times", "doc._.sentences"])
def make_claims(nlp: Language, name: str) -> ClaimExtractor:
    return ClaimExtractor()
