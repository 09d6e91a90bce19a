"""Publication date detection from the page itself (a dateline such as ``2025 11/05 09:58:17``).

Web pages print the article's own date on a line of its own, near the headline or in the author
block; recommendation lists print a date under every other story too (``<title>`` /
``<source name>`` / ``<date>``). A date line is a candidate when it is furniture of the
``dateline`` kind; a candidate in the trailing chrome that closes a list item (the line before it is a short name and
the line before that a longer title) is another story's date. Of the remaining candidates the
first one wins. The result has the precision the page shows (``YYYY-MM-DD``).
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import regex

_DATE = regex.compile(
    r"(?P<year>(?:19|20)\d{2})\s*(?:[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})|\s(?P<month2>\d{1,2})/(?P<day2>\d{1,2}))"
)
LIST_SOURCE_MAX_CHARS = 14
_HAS_DIGIT = regex.compile(r"\d")


def parse_date(text: str) -> str | None:
    """Return the first valid calendar date in ``text`` as ``YYYY-MM-DD``, or None.

    >>> parse_date("2025 11/05 09:58:17")
    '2025-11-05'
    """
    for match in _DATE.finditer(text):
        year = int(match["year"])
        month = int(match["month"] or match["month2"])
        day = int(match["day"] or match["day2"])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def is_list_item_date(lines: Sequence[str], index: int) -> bool:
    """True when date line ``index`` closes a list item: ``<title>`` / ``<short source>`` / ``<date>``.

    Args:
        lines: the page's visible lines (normalized).
        index: position of the date line in ``lines``.
    """
    if index < 2:
        return False
    source, title = lines[index - 1], lines[index - 2]
    return (
        len(source) <= LIST_SOURCE_MAX_CHARS
        and not _HAS_DIGIT.search(source)
        and len(title) > len(source)
    )


def detect_published(lines: Sequence[str], dateline_indices: Sequence[int], lists_from: int | None = None) -> str | None:
    """Pick the article's publication date among the page's date lines.

    Args:
        lines: the page's visible lines (normalized), in raw order.
        dateline_indices: indices of the lines classified as date lines.
        lists_from: index of the first line of the trailing chrome, where recommendation lists
            are (None: no trailing chrome); a date line there that closes a list item is skipped.

    Returns:
        ``YYYY-MM-DD`` or None when the page shows no date of its own.
    """
    for index in dateline_indices:
        if lists_from is not None and index >= lists_from and is_list_item_date(lines, index):
            continue
        found = parse_date(lines[index])
        if found:
            return found
    return None
