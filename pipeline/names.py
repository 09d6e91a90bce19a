"""Comparing names of subjects: Traditional->Simplified, administrative suffixes folded.

The gold README compares claim subjects this way ("same canonical name, compared after
Traditional->Simplified and with 市/区/县/街道/镇 suffixes folded, or one name containing the
other"); the evaluator and the cross-article analysis share these functions.
"""

from __future__ import annotations

from functools import lru_cache

from .s1_normalize import normalize_text

FOLDED_SUFFIXES = ("街道", "市", "区", "县", "镇")


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """Return ``name`` normalized (Simplified, half-width, no spaces) with one trailing 市/区/县/街道/镇 removed.

    >>> fold_name("拱墅區")
    '拱墅'
    """
    folded = normalize_text(name).strip().replace(" ", "")
    for suffix in FOLDED_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)]
    return folded


def names_agree(a: str, b: str) -> bool:
    """True when two subject names agree: equal after folding, or one contains the other.

    >>> names_agree("杭州市", "杭州"), names_agree("前进街道", "钱塘区")
    (True, False)
    """
    fa, fb = fold_name(a), fold_name(b)
    if not fa or not fb:
        return False
    return fa == fb or fa in fb or fb in fa
