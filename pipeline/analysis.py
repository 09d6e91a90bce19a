"""Cross-article claim analysis: group claims about the same thing, flag corroborations and conflicts.

Claims are grouped when their subjects agree (:func:`pipeline.names.names_agree`), their units
are the same and their predicates are alike (character-bigram Dice coefficient at or above a
threshold). Within a group, each pair of claims stated in different places is classified:

- ``corroboration``: the same value (within 0.1 %), times equal or one of them unstated;
- ``conflict``: different values for the same time (or both unstated);
- ``over_time``: different times (a series, or a target beside a result).
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable

import pandas as pd

from .frames import to_dataframe
from .names import fold_name, names_agree
from .schema import Article

RELATIVE_TOLERANCE = 0.001


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def predicate_similarity(a: str, b: str) -> float:
    """Return the Dice coefficient of the two predicates' character bigrams (0 to 1).

    >>> round(predicate_similarity("累计创建未来社区", "创建未来社区"), 2)
    0.83
    """
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _claim_amount(row) -> tuple:
    if pd.notna(row["value"]):
        return (float(row["value"]),)
    return (row["low"], row["high"])


def same_amount(a: tuple, b: tuple) -> bool:
    """True when two amounts (``(value,)`` or ``(low, high)``) agree within 0.1 % relative."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x is None or y is None or pd.isna(x) or pd.isna(y):
            return False
        if abs(x - y) > RELATIVE_TOLERANCE * max(abs(x), abs(y), 1e-9):
            return False
    return True


def group_claims(articles: Iterable[Article], min_similarity: float = 0.6) -> pd.DataFrame:
    """Return the claims table with a ``group`` column: claims about the same subject and measure.

    Args:
        articles: extraction results, from one or many sources.
        min_similarity: the predicate similarity at or above which two claims are the same measure.
    """
    claims = to_dataframe(list(articles), "claims")
    if claims.empty:
        return claims.assign(group=pd.Series(dtype=int))
    parent = list(range(len(claims)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = claims.to_dict("records")
    for i, j in combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        if (a["unit"] or "") != (b["unit"] or ""):
            continue
        if not names_agree(a["subject"], b["subject"]):
            continue
        if predicate_similarity(a["predicate"], b["predicate"]) >= min_similarity:
            parent[find(j)] = find(i)
    roots = [find(i) for i in range(len(rows))]
    numbering = {root: n for n, root in enumerate(dict.fromkeys(roots))}
    claims["group"] = [numbering[r] for r in roots]
    claims["subject_key"] = [fold_name(s) for s in claims["subject"]]
    return claims


def compare_claims(articles: Iterable[Article], min_similarity: float = 0.6) -> pd.DataFrame:
    """Return one row per pair of grouped claims stated in different places, with its relation.

    Columns: ``group``, ``subject``, ``predicate_a``/``_b``, ``doc_a``/``doc_b``, ``claim_a``/``_b``,
    ``amount_a``/``_b``, ``unit``, ``time_a``/``_b``, ``relation`` (corroboration, conflict, over_time).
    """
    claims = group_claims(articles, min_similarity)
    pairs = []
    for group, members in claims.groupby("group", sort=True):
        records = members.to_dict("records")
        for a, b in combinations(records, 2):
            if (a["doc_id"], a["evidence_start"]) == (b["doc_id"], b["evidence_start"]):
                continue
            amount_a, amount_b = _claim_amount(a), _claim_amount(b)
            time_a, time_b = a["time_value"], b["time_value"]
            times_known = pd.notna(time_a) and pd.notna(time_b)
            if times_known and time_a != time_b:
                relation = "over_time"
            elif same_amount(amount_a, amount_b):
                relation = "corroboration"
            else:
                relation = "conflict"
            pairs.append(
                {
                    "group": group,
                    "subject": a["subject"],
                    "predicate_a": a["predicate"],
                    "predicate_b": b["predicate"],
                    "doc_a": a["doc_id"],
                    "doc_b": b["doc_id"],
                    "claim_a": a["id"],
                    "claim_b": b["id"],
                    "amount_a": amount_a if len(amount_a) > 1 else amount_a[0],
                    "amount_b": amount_b if len(amount_b) > 1 else amount_b[0],
                    "unit": a["unit"],
                    "time_a": time_a,
                    "time_b": time_b,
                    "relation": relation,
                }
            )
    return pd.DataFrame(pairs)
