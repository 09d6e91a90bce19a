"""Stage 6, companies (placeholder: finds nothing). See issue 6."""

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class CompanyTagger:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        return doc


@Language.factory("zhclaims_companies", assigns=["doc._.entities"], requires=["doc._.view", "doc._.sentences", "doc._.entities"])
def make_companies(nlp: Language, name: str) -> CompanyTagger:
    return CompanyTagger()
