"""Turn an annotated ``Doc`` into the :class:`~pipeline.schema.Article` every consumer reads."""

from __future__ import annotations

from operator import attrgetter

from spacy.tokens import Doc

from .extensions import raw_text
from .schema import Article, text_sha256


def doc_to_article(doc: Doc, pipeline_version: str | None = None) -> Article:
    """Collect the stages' results from ``doc`` into an :class:`Article`, items in text order."""
    by_start = attrgetter("start", "end")
    results = doc._  # each ``doc._`` builds a new accessor: take it once
    return Article(
        doc_id=results.doc_id or "",
        source=results.source,
        text_sha256=text_sha256(raw_text(doc)),
        published=results.published,
        published_source=results.published_source,
        entities=sorted(results.entities or [], key=by_start),
        quantities=sorted(results.quantities or [], key=by_start),
        times=sorted(results.times or [], key=by_start),
        claims=list(results.claims or []),
        relations=list(results.relations or []),
        sentences=list(results.sentences or []),
        furniture_spans=sorted(results.furniture or [], key=by_start),
        pipeline_version=pipeline_version,
    )
