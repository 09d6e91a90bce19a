"""Stage 3, furniture: find what is not article body and build the analysis view ``doc._.view``.

Page furniture (gold README): site navigation, recommendation lists and other stories, a
page-title line repeating the headline with the site's name, copyright and platform notices,
bylines, photo-credit and data-source lines, editor and font-size widgets, datelines. Headlines,
sub-headings and descriptive captions are body. The patterns are data in ``rules/furniture/``:

* ``lines.tsv``: a whole paragraph that is furniture (``■ 杭建宣 詹丽华``, ``图片由…提供``);
* ``inline.tsv``: furniture closing a body paragraph (``本组图片均为受访者供图``, ``(记者 刘婧宇)``);
* ``tail_markers.tsv``: where a web page's trailing chrome starts (``特别声明:``, ``相关推荐``);
  that paragraph and everything after it are furniture;
* ``page_title.tsv`` + ``site_words.txt``: ``<headline>-新华网``.

The stage assigns ``doc._.furniture`` (raw spans with a reason id) and
``doc._.view = TextView.from_segments(norm_text, subtract_spans(segments, furniture))``. When no
publication date came with the document, it takes the page's own dateline
(``doc._.published_source = "page"``, see :mod:`pipeline.published`).
"""

from __future__ import annotations

from typing import NamedTuple

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import paragraph_spans_of
from .published import detect_published
from .schema import FurnitureSpan
from .text_rules import LINE_PATTERN_MAX_CHARS, SENTENCE_ENDINGS, FurnitureRules, furniture_rules, paragraph_spans
from .textview import TextView, subtract_spans

VERSION = "1"
DATELINE_REASON = "dateline"
CHROME_START_KEY = "zhclaims.chrome_start"
"""``doc.user_data`` key of :func:`chrome_start_of`'s cache."""
_TITLE_SEPARATOR = regex.compile(r"[-_|–]")


class PageLines(NamedTuple):
    """The page's visible lines (normalized), which of them are datelines, where the chrome starts."""

    lines: list[str]
    datelines: list[int]
    tail_from: int | None


def _page_title_reason(rules: FurnitureRules, line: str, page_lines: set[str]) -> str | None:
    """Return ``page_title`` when ``line`` is the headline repeated with the site's name.

    Args:
        rules: compiled furniture patterns.
        line: one visible line (normalized).
        page_lines: every visible line of the page (the headline may be one of them).
    """
    if len(line) > LINE_PATTERN_MAX_CHARS or line.endswith(SENTENCE_ENDINGS) or not _TITLE_SEPARATOR.search(line):
        return None
    match = rules.page_title.fullmatch(line)
    if not match:
        return None
    headline = match["headline"].strip()
    if headline in page_lines or rules.page_title_site.search(match["site"]):
        return "page_title"
    return None


def chrome_start(normalized: str, spans: list[tuple[int, int]], rules: FurnitureRules | None = None) -> int:
    """Return the index of the paragraph where the page's trailing chrome starts.

    Args:
        normalized: the document's normalized text (raw offsets).
        spans: ``paragraph_spans(normalized)``.
        rules: compiled patterns (default: the committed ``rules/furniture``).

    Returns:
        The first paragraph after the first one whose start a tail marker matches, or
        ``len(spans)`` when there is none.
    """
    tail = (rules or furniture_rules()).tail
    return next((i for i, (start, end) in enumerate(spans[1:], 1) if tail.match(normalized, start, end)), len(spans))


def chrome_start_of(doc: Doc) -> int:
    """Return :func:`chrome_start` of ``doc._.norm_text``, worked out once per normalized text.

    Layout (which never joins chrome paragraphs) and furniture both need it; they share this.
    """
    normalized = doc._.norm_text
    cached = doc.user_data.get(CHROME_START_KEY)
    if cached is None or cached[0] is not normalized:
        cached = (normalized, chrome_start(normalized, paragraph_spans_of(doc)))
        doc.user_data[CHROME_START_KEY] = cached
    return cached[1]


def find_furniture(
    normalized: str,
    rules: FurnitureRules | None = None,
    spans: list[tuple[int, int]] | None = None,
    chrome_from: int | None = None,
) -> tuple[list[FurnitureSpan], PageLines]:
    """Find the furniture of a page.

    Args:
        normalized: the document's normalized text (raw offsets).
        rules: compiled patterns (default: the committed ``rules/furniture``).
        spans: ``paragraph_spans(normalized)`` when the caller has them already.
        chrome_from: ``chrome_start(normalized, spans, rules)`` when the caller has it already.

    Returns:
        The furniture spans in raw order, and the page's lines (for publication-date detection).
    """
    rules = rules or furniture_rules()
    spans = paragraph_spans(normalized) if spans is None else spans
    if chrome_from is None:
        chrome_from = chrome_start(normalized, spans, rules)
    lines = [normalized[s:e] for s, e in spans]
    line_set = set(lines)
    furniture: list[FurnitureSpan] = []
    datelines: list[int] = []
    for index in range(chrome_from):
        line = lines[index]
        if line.endswith(SENTENCE_ENDINGS):
            continue  # a line ending like a sentence is neither furniture nor closed by a credit
        start, end = spans[index]
        reason = rules.line_reason(line) or _page_title_reason(rules, line, line_set)
        if reason is not None:
            furniture.append(FurnitureSpan(start=start, end=end, reason=reason))
            if reason == DATELINE_REASON:
                datelines.append(index)
            continue
        suffix = rules.inline_suffix(line)
        if suffix is not None:
            offset, reason = suffix
            credit = line[offset:]
            lead = len(credit) - len(credit.lstrip())
            furniture.append(FurnitureSpan(start=start + offset + lead, end=end, reason=reason))
    if chrome_from == len(spans):
        return furniture, PageLines(lines, datelines, None)
    tail = rules.tail_reason(lines[chrome_from])
    furniture.append(FurnitureSpan(start=spans[chrome_from][0], end=len(normalized.rstrip()), reason=tail))
    datelines.extend(i for i in range(chrome_from, len(lines)) if rules.line_reason(lines[i]) == DATELINE_REASON)
    return furniture, PageLines(lines, datelines, chrome_from)


class Furniture:
    """spaCy component: assign ``doc._.furniture`` and ``doc._.view``; detect the page's date."""

    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        extensions = doc._  # each ``doc._`` makes an accessor object: make it once
        normalized = extensions.norm_text
        furniture, page = find_furniture(normalized, spans=paragraph_spans_of(doc), chrome_from=chrome_start_of(doc))
        extensions.furniture = furniture
        segments = subtract_spans(extensions.segments, [(span.start, span.end) for span in furniture])
        extensions.view = TextView.from_segments(normalized, segments)
        if extensions.published is None:
            found = detect_published(page.lines, page.datelines, page.tail_from)
            if found is not None:
                extensions.published = found
                extensions.published_source = "page"
        return doc


@Language.factory(
    "zhclaims_furniture",
    assigns=["doc._.furniture", "doc._.view", "doc._.published"],
    requires=["doc._.segments", "doc._.norm_text"],
)
def make_furniture(nlp: Language, name: str) -> Furniture:
    return Furniture()
