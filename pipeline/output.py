"""Turn an annotated ``Doc`` into the :class:`~pipeline.schema.Article` every consumer reads."""

from __future__ import annotations

from spacy.tokens import Doc

from .extensions import raw_text
from .schema import Article, text_sha256


def doc_to_article(doc: Doc, pipeline_version: str | None = None) -> Article:
    """Collect the stages' results from ``doc`` into an :class:`Article`, items in text order."""
    by_start = lambda item: (item.start, item.end)  # noqa: E731
    return Article(
        doc_id=doc._.doc_id or "",
        source=doc._.source,
        text_sha256=text_sha256(raw_text(doc)),
        published=doc._.published,
        published_source=doc._.published_source,
        entities=sorted(doc._.entities or [], key=by_start),
        quantities=sorted(doc._.quantities or [], key=by_start),
        times=sorted(doc._.times or [], key=by_start),
        claims=list(doc._.claims or []),
        relations=list(doc._.relations or []),
        sentences=list(doc._.sentences or []),
        furniture_spans=sorted(doc._.furniture or [], key=by_start),
        pipeline_version=pipeline_version,
    )
