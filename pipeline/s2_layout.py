"""Stage 2, layout repair: the body text in reading order, with column breaks joined.

Newspaper pages break words and sentences across blank lines where a column ends
(``公\\n\\n园入选``, ``改造\\n\\n前通过``), and a photo caption or credit can sit inside a broken
sentence (``…动态清`` / ``钱江新城二期`` / ``图片由杭州市建委提供`` / ``零”，让…``). This stage
assigns ``doc._.segments``: raw ``(start, end)`` ranges in reading order. A paragraph that stops
mid-sentence is joined to the paragraph that continues it (no separator); captions found in
between follow the joined paragraph as paragraphs of their own. Every genuine paragraph break is
kept as one raw newline character, so sentences never run across paragraphs.

A paragraph stops mid-sentence when, leaving out a credit that closes it, it does not end with
sentence-final punctuation and

* it ends with a comma, enumeration comma or an opening bracket, or
* it already holds a finished sentence (a heading or caption never does), or
* it reads like body text (two or more commas) and the next paragraph visibly continues it, or
* a word runs across the break (``公``+``园入选``), even after a short line.

The continuation is the first of the next few paragraphs that visibly continues it (a word cut
at the break, ``清``+``零``; or a first word that cannot begin a sentence, ``都是…``); failing
that, the first one that is not caption-like (not a short one-sentence or unpunctuated line,
not furniture).
"""

from __future__ import annotations

from functools import lru_cache

import re
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import paragraph_spans_of
from .s3_furniture import chrome_start, chrome_start_of
from .segmenter import stock_jieba
from .text_rules import bound_starts, furniture_rules, paragraph_spans, punctuation

VERSION = "1"
LOOKAHEAD = 4
"""How many following paragraphs may hold the continuation (captions and credits in between)."""
CAPTION_MAX_CHARS = 40
"""A one-sentence paragraph up to this long may be a caption standing inside a broken sentence."""
BODY_MIN_COMMAS = 2
_COMMAS = (",", "、")
_WINDOW = 4
"""Words up to this long are looked for across a break."""
_SPACES = re.compile(r"\s*")
"""A run of whitespace (the standard ``re``'s ``\\s`` is exactly ``str.isspace``)."""


class Paragraph:
    """One visible line of the page: raw range, normalized text and how it ends.

    What the line's end says (``closed``, ``internal_final``, ``commas``) and whether it is
    furniture are worked out when first asked: most paragraphs are only ever asked one of them.

    Attributes:
        start: raw start of the stripped line.
        end: raw end of the stripped line.
        text: its normalized text.
        closed: it ends with sentence-final punctuation, once a credit closing it is left out.
        internal_final: a sentence ends inside it (a heading or caption has none).
        commas: how many commas it holds.
    """

    __slots__ = ("start", "end", "text", "_ending", "_furniture")

    def __init__(self, start: int, end: int, text: str):
        self.start, self.end, self.text = start, end, text
        self._ending: tuple[bool, bool, int] | None = None
        self._furniture: bool | None = None

    @property
    def closed(self) -> bool:
        return self._describe_ending()[0]

    @property
    def internal_final(self) -> bool:
        return self._describe_ending()[1]

    @property
    def commas(self) -> int:
        return self._describe_ending()[2]

    def _describe_ending(self) -> tuple[bool, bool, int]:
        """Return (closed, internal_final, commas), judged without a credit closing the line."""
        if self._ending is None:
            body = self.text
            finished = _is_finished(body)
            if not finished:
                suffix = furniture_rules().inline_suffix(body)
                if suffix is not None:
                    body = body[: suffix[0]].rstrip()
                    finished = _is_finished(body)
            inner = body[:-1]
            self._ending = (
                finished,
                any(mark in inner for mark in punctuation().sentence_final),
                sum(map(body.count, _COMMAS)),
            )
        return self._ending

    @property
    def furniture(self) -> bool:
        """True when the whole paragraph is furniture (worked out when first asked)."""
        if self._furniture is None:
            rules = furniture_rules()
            self._furniture = rules.line_reason(self.text) is not None or rules.tail_reason(self.text) is not None
        return self._furniture


def _is_finished(text: str) -> bool:
    """True when ``text`` ends with sentence-final punctuation (closing quotes allowed after it)."""
    marks = punctuation()
    stripped = text.rstrip(marks.closing + " ")
    return bool(stripped) and stripped[-1] in marks.sentence_final + marks.clause_final


def describe_paragraph(start: int, end: int, normalized: str) -> Paragraph:
    """Classify one paragraph for layout decisions.

    Args:
        start: raw start of the stripped line.
        end: raw end of the stripped line.
        normalized: the document's normalized text.

    Returns:
        The :class:`Paragraph`; a credit or byline closing it is left out before judging its end.
    """
    return Paragraph(start, end, normalized[start:end])


def _word_crosses(left: str, right: str) -> bool:
    """True when a dictionary word runs across the break between ``left`` and ``right``."""
    tail, head = left[-_WINDOW:], right[:_WINDOW]
    if not tail or not head or not _crossing_word_listed(tail, head):
        return False  # no dictionary word runs across: skip segmenting
    position = 0
    for word in stock_jieba().lcut(tail + head, HMM=False):
        if position < len(tail) < position + len(word) and len(word) > 1:
            return True
        position += len(word)
    return False


def _crossing_word_listed(tail: str, head: str) -> bool:
    """True when ``tail[-i:] + head[:j]`` is a dictionary word for some ``i, j >= 1``, ``i + j <= _WINDOW``.

    jieba's ``FREQ`` holds every prefix of every word (with frequency 0 when the prefix is no word
    of its own), so once a stretch is not a key, no longer stretch starting there is a word.
    """
    frequency = stock_jieba().FREQ
    for i in range(1, min(len(tail), _WINDOW - 1) + 1):
        word = tail[-i:]
        for char in head[: _WINDOW - i]:
            word += char
            found = frequency.get(word)
            if found is None:
                break
            if found > 0:
                return True
    return False


def _starts_bound(text: str) -> bool:
    """True when ``text`` begins with punctuation that closes or a word that cannot begin a sentence."""
    if not text:
        return False
    marks = punctuation()
    if text[0] in marks.closing or text[0] in marks.sentence_final or text[0] in ",、:":
        return True
    if text[0] not in bound_starts():
        return False
    return stock_jieba().lcut(text[:_WINDOW], HMM=False)[0] == text[0]


def continues(left: Paragraph, right: Paragraph) -> bool:
    """True when ``right`` visibly continues the sentence ``left`` breaks off."""
    return _word_crosses(left.text, right.text) or _starts_bound(right.text)


def is_caption_like(paragraph: Paragraph) -> bool:
    """True for furniture, unpunctuated lines (not ending with a comma), short one-sentence paragraphs."""
    if paragraph.furniture:
        return True
    if not paragraph.closed:
        return paragraph.text[-1] not in punctuation().continues_after
    return not paragraph.internal_final and len(paragraph.text) <= CAPTION_MAX_CHARS


def stops_mid_sentence(paragraph: Paragraph) -> str | None:
    """Say how sure it is that ``paragraph`` stops mid-sentence.

    Returns:
        ``"cut"`` (it surely does), ``"if_continued"`` (body-like: when the next text visibly
        continues it), ``"if_word_cut"`` (heading-like: only when a word runs across the break)
        or None (it is finished, or furniture).
    """
    if paragraph.closed or paragraph.furniture:
        return None
    if paragraph.text[-1] in punctuation().continues_after or paragraph.internal_final:
        return "cut"
    return "if_continued" if paragraph.commas >= BODY_MIN_COMMAS else "if_word_cut"


def find_continuation(paragraphs: "Paragraphs | list[Paragraph]", index: int, taken: set[int]) -> int | None:
    """Return the index of the paragraph continuing ``paragraphs[index]``, or None.

    Args:
        paragraphs: the page's paragraphs in raw order.
        index: the paragraph that may stop mid-sentence.
        taken: paragraphs already joined to an earlier one.
    """
    verdict = stops_mid_sentence(paragraphs[index])
    if verdict is None:
        return None
    left = paragraphs[index]
    following = (
        i for i in range(index + 1, min(len(paragraphs), index + 1 + LOOKAHEAD))
        if i not in taken and not paragraphs[i].furniture
    )
    if verdict == "if_word_cut":  # only the next paragraph, and only across a cut word
        first = next(following, None)
        return first if first is not None and _word_crosses(left.text, paragraphs[first].text) else None
    candidates = list(following)
    for i in candidates:
        if continues(left, paragraphs[i]):
            return i
    if verdict == "if_continued":
        return None
    for i in candidates:
        if not is_caption_like(paragraphs[i]):
            return i
    for i in candidates:
        if paragraphs[i].closed:
            return i
    return candidates[0] if candidates else None


class Paragraphs:
    """The page's paragraphs, described only when a layout decision needs them.

    Most paragraphs end with sentence-final punctuation and are never looked at again, so the
    :class:`Paragraph` of a line is built on first access.
    """

    def __init__(
        self, normalized: str, spans: list[tuple[int, int]] | None = None, chrome_from: int | None = None
    ):
        self.normalized = normalized
        self.spans = paragraph_spans(normalized) if spans is None else spans
        self._described: dict[int, Paragraph] = {}
        self.chrome_from = chrome_start(normalized, self.spans) if chrome_from is None else chrome_from
        """Index of the first paragraph of the trailing page chrome (all furniture: not joined)."""

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, index: int) -> Paragraph:
        paragraph = self._described.get(index)
        if paragraph is None:
            start, end = self.spans[index]
            paragraph = self._described[index] = describe_paragraph(start, end, self.normalized)
        return paragraph

    def maybe_unfinished(self) -> list[int]:
        """Return, in order, the paragraphs that may stop mid-sentence: before the page chrome, not ending sentence-final."""
        normalized, final = self.normalized, _surely_final()
        return [i for i, (_, end) in enumerate(self.spans[: self.chrome_from]) if normalized[end - 1] not in final]


@lru_cache(maxsize=1)
def _surely_final() -> frozenset[str]:
    marks = punctuation()
    return frozenset(marks.sentence_final + marks.clause_final)


def reading_order(paragraphs: "Paragraphs | list[Paragraph]") -> list[list[int]]:
    """Group paragraphs into logical paragraphs in reading order.

    Args:
        paragraphs: the page's paragraphs in raw order (a :class:`Paragraphs` or a list).

    Returns:
        Lists of paragraph indices; each list is read as one paragraph with no break inside.
    """
    if isinstance(paragraphs, Paragraphs):
        maybe_unfinished = paragraphs.maybe_unfinished()
    else:
        maybe_unfinished = range(len(paragraphs))
    next_of: dict[int, int] = {}
    taken: set[int] = set()
    for index in maybe_unfinished:
        following = find_continuation(paragraphs, index, taken)
        if following is not None:
            next_of[index] = following
            taken.add(following)
    if not next_of:
        return [[index] for index in range(len(paragraphs))]
    groups: list[list[int]] = []
    placed: set[int] = set()
    for index in range(len(paragraphs)):
        if index not in next_of:  # joined to none: a group of its own, unless already placed
            if index not in placed:
                groups.append([index])
            continue
        if index in placed:
            continue
        chain = [index]
        while chain[-1] in next_of:
            chain.append(next_of[chain[-1]])
        placed.update(chain)
        groups.append(chain)
        for i in range(index + 1, chain[-1]):
            if i in placed:
                continue
            # A caption standing inside the broken sentence: it follows the joined paragraph.
            sub_chain = [i]
            while sub_chain[-1] in next_of and next_of[sub_chain[-1]] < chain[-1]:
                sub_chain.append(next_of[sub_chain[-1]])
            placed.update(sub_chain)
            groups.append(sub_chain)
    return groups


def _newline_after(text: str, position: int, used: set[int]) -> int | None:
    """Return the first unused newline at or after ``position`` before the next visible text."""
    stop = _SPACES.match(text, position).end()
    newline = text.find("\n", position, stop)
    while newline in used:
        newline = text.find("\n", newline + 1, stop)
    return newline if newline >= 0 else None


def layout_segments(
    normalized: str, spans: list[tuple[int, int]] | None = None, chrome_from: int | None = None
) -> list[tuple[int, int]]:
    """Return the raw segments of ``normalized`` in reading order (see the module docstring).

    Args:
        normalized: the normalized text (same offsets as the raw text).
        spans: ``paragraph_spans(normalized)`` when the caller has them already.
        chrome_from: ``s3_furniture.chrome_start(normalized, spans)`` when the caller has it already.
    """
    paragraphs = Paragraphs(normalized, spans, chrome_from)
    spans = paragraphs.spans
    segments: list[tuple[int, int]] = []
    used: set[int] = set()
    for group in reading_order(paragraphs):
        if len(group) == 1:
            segments.append(spans[group[0]])
            newline = _newline_after(normalized, spans[group[0]][1], used)
        else:
            segments.extend([spans[i] for i in group])
            newline = _newline_after(normalized, spans[group[-1]][1], used)
            if newline is None:
                newline = _newline_after(normalized, spans[group[0]][1], used)
        if newline is not None:
            used.add(newline)
            segments.append((newline, newline + 1))
    return segments


class LayoutRepair:
    """spaCy component: assign ``doc._.segments`` from ``doc._.norm_text``."""

    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        extensions = doc._  # each ``doc._`` makes an accessor object: make it once
        extensions.segments = layout_segments(extensions.norm_text, paragraph_spans_of(doc), chrome_start_of(doc))
        return doc


@Language.factory("zhclaims_layout", assigns=["doc._.segments"], requires=["doc._.norm_text"])
def make_layout(nlp: Language, name: str) -> LayoutRepair:
    return LayoutRepair()
