"""Stage 7, times (placeholder: finds nothing). See issue 5."""

from spacy.language import Language
from spacy.tokens import Doc

VERSION = "0"


class TimeTagger:
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc._.times = []
        return doc


@Language.factory("zhclaims_times", assigns=["doc._.times"], requires=["doc._.view", "doc._.sentences"])
def make_times(nlp: Language, name: str) -> TimeTagger:
    return TimeTagger()
