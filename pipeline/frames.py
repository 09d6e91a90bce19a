"""pandas views of results: one row per claim, entity, quantity, time or relation, with provenance.

>>> from pipeline.frames import to_dataframe
>>> to_dataframe(articles, "claims")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from .schema import Article

KINDS = ("claims", "entities", "quantities", "times", "relations", "sentences")
_PROVENANCE_COLUMNS = ("sentence", "producer", "version", "confidence")


def _item_row(article: Article, item) -> dict:
    row = {"doc_id": article.doc_id, "source": article.source, "published": article.published}
    data = item.model_dump(exclude={"provenance"})
    if "evidence" in data and data["evidence"]:
        data["evidence_start"], data["evidence_end"] = data.pop("evidence")
    row.update(data)
    provenance = getattr(item, "provenance", None)
    for column in _PROVENANCE_COLUMNS:
        row[column] = getattr(provenance, column) if provenance is not None else None
    return row


def to_dataframe(articles: Article | Iterable[Article], kind: str = "claims") -> pd.DataFrame:
    """Return one row per item of ``kind`` across ``articles``, with document and provenance columns.

    Args:
        articles: one :class:`Article` or many.
        kind: one of ``claims``, ``entities``, ``quantities``, ``times``, ``relations``, ``sentences``.

    Returns:
        A DataFrame with ``doc_id``, ``source``, ``published``, the item's fields (lists flattened
        where they are spans: ``evidence_start``/``evidence_end``) and the provenance columns
        ``sentence``, ``producer``, ``version``, ``confidence``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if isinstance(articles, Article):
        articles = [articles]
    rows = [_item_row(article, item) for article in articles for item in getattr(article, kind)]
    return pd.DataFrame(rows)
