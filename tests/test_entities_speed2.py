"""The faster paths of the times, places and companies stages give the results of the ones they stand in for.

The times scanner compiled without the digits above U+FFFF finds what the full one finds on a
text without such characters (:func:`within_bmp` tells which texts those are).
"""

from __future__ import annotations

import random

from pipeline import s7_times
from pipeline.text_rules import within_bmp


def test_within_bmp_tells_a_text_with_a_character_above_u_ffff():
    assert within_bmp("") and within_bmp("2025年3月，杭州市\uffff")
    assert not within_bmp("2025年𑵐月") and not within_bmp("𠀀")


def test_times_scanner_without_astral_digits_finds_what_the_full_one_finds(seed_texts):
    tables = s7_times._tables()
    rng = random.Random(3)
    alphabet = "0123456789一二三四五六七八九十百〇两多年月日号时点个周天前后以来至到-~()“”、，。上下午今去明本季度世纪代第春节国庆"
    texts = list(seed_texts.values()) + ["".join(rng.choice(alphabet) for _ in range(300)) for _ in range(100)]
    for text in texts:
        assert within_bmp(text)
        full = [(m.span(), m.groups()) for m in tables["scanner"].finditer(text)]
        assert [(m.span(), m.groups()) for m in tables["bmp_scanner"].finditer(text)] == full
