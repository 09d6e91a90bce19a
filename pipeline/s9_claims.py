"""Stage 9, claims: say which subject each figure is about (issue 7).

For every quantity the stage gathers the subjects it could be about (:func:`candidates_for`):
places and companies in its clause and sentence, the paragraph's topic carried over, collective
and anaphoric words resolved to the unit they mean (全市 -> the city, 该行 -> the bank), and other
named things (a project, a market, a committee, a person) as ``OTHER``. Rules over the clause
(:func:`rule_choice`, each with an id) pick one; a trained scorer (:mod:`pipeline.claim_model`)
ranks the candidates with the rules' choice as one of its features. The predicate is built from
the clause's words, the time is the one in the same clause or sentence, and every claim carries
provenance naming the producer of each part.

All analysis runs on the document's view (``doc._.view``, normalized Simplified text); every
offset stored in a claim is a raw offset.

Rules live in ``rules/claims/`` (see its README): collective/anaphoric words, head nouns of
OTHER names, trigger verbs, predicate trimming lists, surnames.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Callable, NamedTuple, Optional

import numpy
import regex
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import ProvenanceMaker
from .names import fold_name
from .resources import load_json, load_lines
from .schema import Claim, Quantity, TimeExpression
from .segmenter import stock_jieba, stock_jieba_tagger, word_cutter
from .text_rules import WordMatcher

_QUOTED_NAME = re.compile(r"“([^”“]{2,20})”")  # a short quoted name
_HAN = regex.compile(r"\p{Han}")
_WORDLIKE = regex.compile(r"[\p{Han}A-Za-z“”]")
VERSION = "2"
RULES_VERSION = "claims-rules-2"
ENTITY_LABELS = ("PROVINCE", "CITY", "DISTRICT", "STREET", "COMMUNITY", "COMPANY")
CLAUSE_DELIMITERS = ",;:，；：!?！？"
_CLAUSE_DELIMITER = re.compile(f"[{CLAUSE_DELIMITERS}]")
# Characters that end a name read leftwards from its head noun (outside quotes).
_NAME_STOP_WORD_CHARS = set("在的由是对向为将把被让与和及等从于到给以其这那也都就又还并而已")  # unless inside a word (金都)
_NAME_STOP_CHARS = set(",;:。!?！？、()（）《》[]【】 \n\t·-~/") | _NAME_STOP_WORD_CHARS
_OPEN_QUOTES, _CLOSE_QUOTES = "“‘「『\"", "”’」』\""
_OPENING_QUOTE = re.compile("[“「『]")
_QUOTE_MARK = re.compile("[" + re.escape(_OPEN_QUOTES + _CLOSE_QUOTES) + "]")
_SENTENCE_END = "。！？!?”"
MAX_NAME_CHARS = 16
SENTENCES_BACK = 4
TOPIC_NAMES = 3
TOPIC_MIN_MENTIONS = 3
MAX_PREDICATE_LEFT = 12
_TIME_LINKS = "的起以来至到前后内里间中开"
_FRAME_WORDS = ("方面", "领域", "层面")  # 在X方面: X frames the statement


# Rules that read only the figure's own clause or sentence. In ``combined`` mode their choice
# stands and the scorer decides the rest (the rules reached back to other sentences, or found nothing).
CLAUSE_RULES = ("enum-respectively", "described-after", "qizhong-carry", "collective", "clause-subject")
TRUSTED_RULES = CLAUSE_RULES + ("sentence-carry", "collective-sentence", "sentence-subject")


# --------------------------------------------------------------------------- rules as data


@lru_cache(maxsize=None)
def collective_words() -> dict[str, dict]:
    """Return the collective/anaphoric subject words of ``rules/claims/collective.json``."""
    return dict(load_json("claims", "collective.json")["words"])


@lru_cache(maxsize=None)
def _collective_matcher() -> WordMatcher[str]:
    return WordMatcher.from_words({word: word for word in collective_words()})


@lru_cache(maxsize=None)
def head_nouns() -> tuple[str, ...]:
    """Return the head nouns of OTHER names, longest first (``rules/claims/heads.txt``)."""
    return tuple(sorted(load_lines("claims", "heads.txt"), key=len, reverse=True))


@lru_cache(maxsize=None)
def _head_matcher() -> WordMatcher[str]:
    return WordMatcher.from_words({head: head for head in head_nouns()})


@lru_cache(maxsize=None)
def trigger_words() -> tuple[str, ...]:
    """Return the trigger verbs of ``rules/claims/triggers.txt``, longest first."""
    return tuple(sorted(load_lines("claims", "triggers.txt"), key=len, reverse=True))


@lru_cache(maxsize=None)
def _trigger_pattern() -> regex.Pattern:
    return regex.compile("|".join(regex.escape(t) for t in trigger_words()))


@lru_cache(maxsize=None)
def _surnames() -> frozenset[str]:
    return frozenset("".join(load_lines("claims", "surnames.txt")))


@lru_cache(maxsize=None)
def _person_titles() -> tuple[str, ...]:
    """Titles written before a person's name (``rules/claims/person_titles.txt``), longest first."""
    return tuple(sorted(load_lines("claims", "person_titles.txt"), key=len, reverse=True))


@lru_cache(maxsize=None)
def _person_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    surnames = "".join(sorted(_surnames()))
    titles = "|".join(regex.escape(t) for t in _person_titles())
    name = rf"[{surnames}]\p{{Han}}{{1,2}}?"
    ends = "[说笑乐回表介认告坦感指称在也是和正就还已都便拿坐站,。:“、(]"
    after_age = regex.compile(rf"\d+{_AGE_CUE}\p{{Han}}{{0,8}}?({name})(?={ends}|$)")
    clause_start = regex.compile(rf"(?:^|(?<=[{_CLAUSE_OPENING}]))\s*({name})(?=在|说|表示|介绍|回忆|笑|从业|今年|,)")
    after_title = regex.compile(rf"(?:{titles})({name})(?={ends})")
    return after_age, clause_start, after_title


_AGE_CUE = "岁的"  # 84岁的陈学云
_CLAUSE_OPENING = ",;:。“"  # a clause-initial speaker follows one of these (or starts the sentence)


@lru_cache(maxsize=None)
def _title_matcher() -> WordMatcher[str]:
    return WordMatcher.from_words({title: title for title in _person_titles()})


@lru_cache(maxsize=None)
def _code_tables() -> tuple[numpy.ndarray, numpy.ndarray]:
    """Return two lookup tables over the code points of the BMP: clause-opening marks, and possible name starts.

    A clause-initial name (``\\s*`` then a surname) starts with a surname or a character ``\\s`` matches.
    """
    opening = numpy.zeros(0x10000, dtype=bool)
    opening[[ord(ch) for ch in _CLAUSE_OPENING]] = True
    name_start = numpy.zeros(0x10000, dtype=bool)
    plane = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    name_start[[ord(ch) for ch in regex.findall(r"\s", plane)]] = True
    name_start[[ord(ch) for ch in _surnames()]] = True
    return opening, name_start


def person_names(text: str, sentences: list[tuple[int, int]]) -> list[list[tuple[int, int, str]]]:
    """Return the person names of every sentence as ``(view start, view end, name)``.

    Per sentence, the matches of the person patterns (:func:`_person_patterns`) run over the
    sentence alone, in order: after an age (84岁的陈学云), at a clause start (袁兆煌在…), after a
    title (技师戴学臣). Each pattern runs only where its cue occurs, found for the whole text in
    one vectorized pass: 岁的; the sentence start or an opening mark followed by a surname or a
    space; a word of the title list.
    """
    after_age, clause_start, after_title = _person_patterns()
    opening, name_start = _code_tables()
    codes = numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32)
    after_opening = numpy.flatnonzero(opening.take(codes, mode="clip")) + 1
    starts = numpy.array([s for s, _ in sentences], dtype=numpy.int64)
    ends = numpy.array([e for _, e in sentences], dtype=numpy.int64)
    positions = numpy.union1d(starts, after_opening[after_opening < len(codes)])
    clause_starts = positions[name_start.take(codes.take(positions), mode="clip")] if len(codes) else positions
    clause_lo, clause_hi = numpy.searchsorted(clause_starts, starts), numpy.searchsorted(clause_starts, ends)
    ages = numpy.array([m.start() for m in re.finditer(_AGE_CUE, text)], dtype=numpy.int64)
    age_lo, age_hi = numpy.searchsorted(ages, starts), numpy.searchsorted(ages, ends - len(_AGE_CUE) + 1)
    titles = _title_matcher().candidate_starts(text)
    title_lo, title_hi = numpy.searchsorted(titles, starts), numpy.searchsorted(titles, ends)
    has_age, has_clause_start, has_title = age_lo < age_hi, clause_lo < clause_hi, title_lo < title_hi
    with_cues = numpy.flatnonzero(has_age | has_clause_start | has_title).tolist()
    has_age, has_title = has_age.tolist(), has_title.tolist()
    clause_lo, clause_hi, clause_starts = clause_lo.tolist(), clause_hi.tolist(), clause_starts.tolist()
    per_sentence: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
    for i in with_cues:
        start, end = sentences[i]
        sentence = text[start:end]
        found: list[regex.Match] = list(after_age.finditer(sentence)) if has_age[i] else []
        resume = 0
        for position in clause_starts[clause_lo[i]:clause_hi[i]]:
            if position - start >= resume:
                match = clause_start.match(sentence, position - start)
                if match is not None:
                    found.append(match)
                    resume = match.end()
        if has_title[i]:
            found.extend(after_title.finditer(sentence))
        per_sentence[i] = [(start + m.start(1), start + m.end(1), m.group(1)) for m in found]
    return per_sentence


def split_by_sentence(matches: list[tuple], sentences: list[tuple[int, int]],
                      scan_one: Callable[[int, int], list[tuple]]) -> list[list[tuple]]:
    """Share out matches found over the whole text among the sentences, as if each sentence had been scanned alone.

    Args:
        matches: ``(start, end, ...)`` of a left-to-right, non-overlapping scan of the whole text.
        sentences: the view spans of the sentences, in order, not overlapping.
        scan_one: scans one sentence ``(start, end)`` alone and returns its matches.

    Returns:
        The matches of each sentence. A match that crosses a sentence boundary (rare: sentences
        end at punctuation) could hide or replace matches of a sentence scanned alone, so the
        sentences it touches are scanned again with ``scan_one``.
    """
    starts = [s for s, _ in sentences]
    per_sentence: list[list[tuple]] = [[] for _ in sentences]
    rescan = set()
    for match in matches:
        start, end = match[0], match[1]
        i = bisect_right(starts, start) - 1
        if i >= 0 and end <= sentences[i][1]:
            per_sentence[i].append(match)
            continue
        j = max(i, 0)
        while j < len(sentences) and sentences[j][0] < end:
            if start < sentences[j][1]:
                rescan.add(j)
            j += 1
    for i in rescan:
        per_sentence[i] = scan_one(*sentences[i])
    return per_sentence


@lru_cache(maxsize=None)
def predicate_trims() -> dict[str, tuple[str, ...]]:
    """Return the predicate trimming lists of ``rules/claims/predicate_trim.json``, longest first."""
    data = load_json("claims", "predicate_trim.json")
    return {key: tuple(sorted(data[key], key=len, reverse=True)) for key in ("leading", "trailing", "stop_after")}


def load_rules() -> None:
    """Load every rule table and the part-of-speech tagger now (at build time), not inside the first document."""
    collective_words(), _collective_matcher(), _head_matcher(), _trigger_pattern(), _person_patterns(), _title_matcher(), _code_tables()
    predicate_trims(), _category_prefix(), _described_after(), _group_bounds()
    stock_jieba_tagger()


# --------------------------------------------------------------------------- the document context


@dataclass
class Mention:
    """A stretch of the view that names a possible subject.

    Attributes:
        name: canonical name (entity ``name``; the phrase as written, Simplified, for OTHER).
        label: an entity label or ``OTHER``.
        start: view start offset.
        end: view end offset.
        kind: ``entity``, ``quoted``, ``phrase``, ``person`` or ``collective``.
        entity_id: the entity's id for entity mentions.
        word: for collective mentions, the word as found (全市, 该行...).
    """

    name: str
    label: str
    start: int
    end: int
    kind: str
    entity_id: Optional[str] = None
    word: Optional[str] = None


@dataclass
class DocContext:
    """Everything the claim rules and the scorer read about one document, in view coordinates."""

    doc: Doc
    text: str
    sentences: list[tuple[int, int]]
    sentence_raw: list[tuple[int, int]]
    paragraph_of: list[int]
    mentions: list[Mention]
    collectives: list[Mention]
    quantities: list[tuple[Quantity, int, int]]
    times: list[tuple[TimeExpression, int, int]]
    mention_counts: dict[str, int] = field(default_factory=dict)
    main_entity: Optional[str] = None
    relation_heads: dict[str, set] = field(default_factory=dict)
    _clauses: dict[int, tuple[int, int]] = field(default_factory=dict)
    _delimiters: list[int] = field(default_factory=list)  # positions of the clause delimiters, then len(text)
    _sentence_starts: list[int] = field(default_factory=list)
    _mention_starts: list[int] = field(default_factory=list)
    _quantity_starts: list[int] = field(default_factory=list)
    _time_starts: list[int] = field(default_factory=list)
    entity_mentions: list[Mention] = field(default_factory=list)
    _entity_starts: list[int] = field(default_factory=list)
    topic_phrases: list[Mention] = field(default_factory=list)  # phrases named TOPIC_MIN_MENTIONS times or more
    _topic_phrase_starts: list[int] = field(default_factory=list)
    _collective_starts: list[int] = field(default_factory=list)
    _starts_by_key: dict[str, list[int]] = field(default_factory=dict)  # folded name -> its mentions' starts
    _entities_by_key: dict[str, list[Mention]] = field(default_factory=dict)  # folded name -> its entity mentions
    _entity_starts_by_key: dict[str, list[int]] = field(default_factory=dict)
    _resolved: dict[tuple[int, int], Optional[Mention]] = field(default_factory=dict)  # see _resolve_collective
    _facts: dict = field(default_factory=dict)

    def fact(self, test: Callable[["DocContext", Mention], bool], m: Mention) -> bool:
        """Return ``test(self, m)``, computed once per mention (positional facts do not change within a document)."""
        key = (test.__name__, m.start, m.end, m.kind)
        value = self._facts.get(key)
        if value is None:
            value = self._facts[key] = test(self, m)
        return value

    def sentence_at(self, position: int) -> int:
        """Return the index of the sentence containing view ``position`` (the nearest one before it)."""
        return max(0, bisect_right(self._sentence_starts, position) - 1)

    def clause_at(self, position: int) -> tuple[int, int]:
        """Return the view span of the clause (between , ; : and sentence ends) containing ``position``."""
        cached = self._clauses.get(position)
        if cached is not None:
            return cached
        s_start, s_end = self.sentences[self.sentence_at(position)]
        if not self._delimiters:
            self._delimiters.extend(m.start() for m in _CLAUSE_DELIMITER.finditer(self.text))
            self._delimiters.append(len(self.text))  # a sentinel, never inside a sentence
        i = bisect_left(self._delimiters, position)  # the first delimiter at or after ``position``
        start = max(s_start, self._delimiters[i - 1] + 1) if i else s_start
        end = min(s_end, self._delimiters[i])
        self._clauses[position] = (start, end)
        return start, end

    def mention_counts_before(self, key: str, position: int) -> int:
        """Return how often the subject with folded name ``key`` is mentioned before view ``position``."""
        return bisect_left(self._starts_by_key.get(key, ()), position)

    def nearest_entity_before(self, key: str, position: int) -> Optional[Mention]:
        """Return the last entity mention with folded name ``key`` that starts before view ``position``."""
        mentions = self._entities_by_key.get(key)
        if not mentions:
            return None
        i = bisect_left(self._entity_starts_by_key[key], position)
        return mentions[i - 1] if i else None

    def quantities_between(self, start: int, end: int) -> list[tuple[Quantity, int, int]]:
        """Return the quantities (with view spans) starting in view ``[start, end)``, in text order."""
        return self.quantities[bisect_left(self._quantity_starts, start):bisect_left(self._quantity_starts, end)]

    def times_between(self, start: int, end: int) -> list[tuple[TimeExpression, int, int]]:
        """Return the times (with view spans) starting in view ``[start, end)``, in text order."""
        return self.times[bisect_left(self._time_starts, start):bisect_left(self._time_starts, end)]

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """Return the mentions (entities and OTHER names) starting in view ``[start, end)``."""
        lo = bisect_left(self._mention_starts, start)
        hi = bisect_left(self._mention_starts, end)
        return self.mentions[lo:hi]


def _paragraphs(raw: str, sentence_raw: list[tuple[int, int]], texts: list[str]) -> list[int]:
    """Number paragraphs: a sentence opens one when a line break precedes it after a finished sentence."""
    numbers, current = [], 0
    for i, (start, _) in enumerate(sentence_raw):
        if i and "\n" in raw[sentence_raw[i - 1][1]:start] and texts[i - 1].rstrip()[-1:] in _SENTENCE_END:
            current += 1
        numbers.append(current)
    return numbers


def _entity_spans(mentions: list[Mention]) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in mentions if m.kind == "entity"]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _left_name_start(text: str, head_start: int, head_end: int, floor: int, blocked: list[tuple[int, int]]) -> int:
    """Extend a name leftwards from its head noun until a boundary character, an entity or a number."""
    start, in_quote = head_start, False
    inside_words = None  # positions of function characters that are part of a longer word (金都华庭)
    while start > floor and head_start - start < MAX_NAME_CHARS:
        ch = text[start - 1]
        if ch in _CLOSE_QUOTES:
            in_quote = True
        elif ch in _OPEN_QUOTES:
            if not in_quote:  # the head sits inside a quoted name: the name starts after the quote
                break
            in_quote = False
        elif not in_quote and ch in _NAME_STOP_WORD_CHARS:
            if inside_words is None:
                inside_words = _chars_inside_words(text, max(floor, head_start - MAX_NAME_CHARS), head_end)
            if start - 1 not in inside_words:
                break
        elif not in_quote and (ch in _NAME_STOP_CHARS or ch.isdigit()):
            break
        if any(s < start <= e for s, e in blocked):
            break
        start -= 1
    if in_quote:  # a quote closed but never opened: the name starts after it
        while start < head_start and text[start] not in _CLOSE_QUOTES:
            start += 1
        start += 1
    return start


def _chars_inside_words(text: str, start: int, end: int) -> set[int]:
    """Return the positions in ``text[start:end]`` that jieba puts inside a word of two or more characters."""
    inside, position = set(), start
    for word in stock_jieba().lcut(text[start:end]):
        if len(word) > 1:
            inside.update(range(position, position + len(word)))
        position += len(word)
    return inside


_LEADING_NON_NAME_TAGS = ("v", "p", "d", "c", "u")


@lru_cache(maxsize=4096)
def strip_leading_verbs(name: str) -> int:
    """Return how many leading characters of a phrase are verbs or function words (推进乡村…集聚区 -> 2).

    Uses the part-of-speech tagger of jieba on the phrase only; the rest must stay a name of at
    least three characters. The tagger yields its words lazily, so the part of the phrase after
    the first name word is never tagged.
    """
    cut = 0
    for pair in stock_jieba_tagger().cut(name):
        if not pair.flag.startswith(_LEADING_NON_NAME_TAGS) or len(name) - cut - len(pair.word) < 1:
            break
        cut += len(pair.word)
    return cut


def _clean_name(name: str) -> str:
    """Strip quotes around a name; drop the quotes inside it too when they do not pair up."""
    name = name.strip(_OPEN_QUOTES + _CLOSE_QUOTES + " ")
    if _QUOTE_MARK.search(name) is None:
        return name
    opened = sum(name.count(q) for q in "“‘「『")
    closed = sum(name.count(q) for q in "”’」』")
    if opened != closed:
        name = "".join(ch for ch in name if ch not in _OPEN_QUOTES + _CLOSE_QUOTES)
    return name


@lru_cache(maxsize=None)
def _category_prefix() -> regex.Pattern:
    modifiers = sorted(load_lines("claims", "generic_modifiers.txt"), key=len, reverse=True)
    words = "|".join(regex.escape(w) for w in modifiers)
    return regex.compile(rf"^(?:[这那该此本每各全整一首]?[个家名座处条所批些项类]?)(?:{words})*$")


def _is_name(name: str, head: str) -> bool:
    """True when a head-noun phrase names one thing (天目里国际街区), not a category (该项目, 老旧小区)."""
    prefix = name[: -len(head)]
    if not prefix:
        return len(head) >= 3
    return len(name) >= 3 and not _category_prefix().match(prefix)


class SentenceCues(NamedTuple):
    """Where subject words occur in one sentence, as ``(view start, view end, word)``.

    ``heads`` are head nouns (项目, 市场…), ``quotes`` quoted names (the word without its quotes),
    ``persons`` person names and ``collectives`` collective/anaphoric words (全市, 该区…).
    """

    heads: list[tuple[int, int, str]]
    quotes: list[tuple[int, int, str]]
    persons: list[tuple[int, int, str]]
    collectives: list[tuple[int, int, str]]


def sentence_cues(text: str, sentences: list[tuple[int, int]]) -> list[SentenceCues]:
    """Find the cues of subject words in every sentence of view ``text``.

    Head nouns, quoted names and collective words are found in one pass over the whole text
    each and shared out among the sentences (:func:`split_by_sentence`); person names are
    matched sentence by sentence where their cues occur (:func:`person_names`).
    """
    def heads_in(start: int, end: int) -> list[tuple[int, int, str]]:
        return [(start + s, start + e, head) for s, e, head in _head_matcher().find(text[start:end])]

    def quotes_in(start: int, end: int) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(1)) for m in _QUOTED_NAME.finditer(text, start, end)]

    def collectives_in(start: int, end: int) -> list[tuple[int, int, str]]:
        return [(start + s, start + e, word) for s, e, word in _collective_matcher().find(text[start:end])]

    end = len(text)
    heads = split_by_sentence(heads_in(0, end), sentences, heads_in)
    quotes = split_by_sentence(quotes_in(0, end), sentences, quotes_in)
    collectives = split_by_sentence(collectives_in(0, end), sentences, collectives_in)
    persons = person_names(text, sentences)
    return [SentenceCues(*parts) for parts in zip(heads, quotes, persons, collectives)]


def other_mentions(text: str, start: int, end: int, blocked: list[tuple[int, int]], cues: SentenceCues) -> list[Mention]:
    """Find OTHER names in view ``text[start:end]``: head-noun phrases, quoted names and persons.

    Args:
        text: the view text.
        start: view start of the stretch (a sentence).
        end: view end of the stretch.
        blocked: view spans of entity mentions and quantities; names never cross them.
        cues: the stretch's head nouns, quoted names and persons (:func:`sentence_cues`).

    Returns:
        The mentions found, in text order, without duplicates.
    """
    heads, quotes, persons = cues.heads, cues.quotes, cues.persons
    if not (heads or quotes or persons):
        return []
    blocked = [(s, e) for s, e in blocked if s <= end and start <= e]  # only what touches this stretch
    found: dict[tuple[int, int], Mention] = {}
    phrase_ends: list[tuple[int, int]] = []
    for h_start, h_end, head in heads:
        if _inside(blocked, h_start, h_end) or any(s < h_start and h_end < e for s, e, _ in quotes):
            continue  # a head inside a quoted name: the quoted mention covers it
        name_start = _left_name_start(text, h_start, h_end, start, blocked + phrase_ends)
        phrase_ends.append((h_start, h_end))
        bounded_by_item = any(e == name_start for _, e in blocked + phrase_ends)
        if text[name_start] not in _OPEN_QUOTES and not bounded_by_item:
            name_start += strip_leading_verbs(text[name_start:h_end])
        name = _clean_name(text[name_start:h_end])
        if _is_name(name, head):
            found[(name_start, h_end)] = Mention(name, "OTHER", name_start, h_end, "phrase")
    for q_start, q_end, quoted in quotes:
        if _inside(blocked, q_start, q_end) or any(s <= q_start and q_end <= e for s, e in found):
            continue
        found[(q_start, q_end)] = Mention(_clean_name(quoted), "OTHER", q_start, q_end, "quoted")
    for p_start, p_end, person in persons:
        if not _inside(blocked, p_start, p_end):
            found.setdefault((p_start, p_end), Mention(person, "OTHER", p_start, p_end, "person"))
    return [found[key] for key in sorted(found)]


def collective_mentions(text: str, start: int, end: int, blocked: list[tuple[int, int]], cues: SentenceCues) -> list[Mention]:
    """Find collective/anaphoric subject words (全市, 该区, 街道, 该行...) in view ``text[start:end]``.

    A bare word (街道, 社区, 公司, 小区) counts only where it starts a phrase (after a boundary), so the
    街道 of 前进街道 or the 社区 of 城镇社区 is not taken for it. ``cues`` holds the stretch's
    collective words (:func:`sentence_cues`).
    """
    if not cues.collectives:
        return []
    words = collective_words()
    blocked = [(s, e) for s, e in blocked if s <= end and start <= e]
    found = []
    for w_start, w_end, word in cues.collectives:
        if _inside(blocked, w_start, w_end):
            continue
        spec = words[word]
        bare = not word.startswith(("该", "全", "本", "整个")) and word not in ("村内",)
        before = text[w_start - 1] if w_start > 0 else ","
        after = text[w_end:w_end + 1]
        if bare and _HAN.match(before) and before not in "在的由是对向为将把被让与和及从于":
            continue
        if bare and "、" in (before, after):  # 职工达人秀、社区篮球赛: a list item, not a subject
            continue
        if after and after in spec.get("not_followed_by", ""):  # 他们 is not 他
            continue
        if word == "全市" and before == "占":  # 占全市1/7: a share of the city, not the city as subject
            continue
        found.append(Mention(word, spec["label"], w_start, w_end, "collective", word=word))
    return found


def build_context(doc: Doc) -> DocContext:
    """Collect the view, sentences, mentions, quantities and times of ``doc`` for the claim rules.

    Args:
        doc: a Doc that has been through the sentences stage, with ``doc._.entities``,
            ``doc._.quantities`` and ``doc._.times`` set.

    Returns:
        The :class:`DocContext`.
    """
    view = doc._.view
    text = view.text
    sentence_raw, sentences, texts = [], [], []
    doc_sentences = doc._.sentences or []
    for sentence, span in zip(doc_sentences, view.spans_to_view_by_ends([(x.start, x.end) for x in doc_sentences])):
        if span:
            sentence_raw.append((sentence.start, sentence.end))
            sentences.append(span)
            texts.append(sentence.text)
    if not sentences:
        sentences, sentence_raw, texts = [(0, len(text))], [(0, view.raw_length)], [text]
    paragraph_of = _paragraphs(doc._.norm_text, sentence_raw, texts)

    def located(items):
        items = items or []
        spans = view.spans_to_view_by_ends([(item.start, item.end) for item in items])
        placed = [(item, *span) for item, span in zip(items, spans) if span]
        return sorted(placed, key=lambda x: (x[1], x[2]))

    quantities = located(doc._.quantities)
    times = located(doc._.times)
    entity_mentions = [
        Mention(e.name or e.text, e.label, vs, ve, "entity", entity_id=e.id)
        for e, vs, ve in located(doc._.entities)
    ]
    blocked = sorted(_entity_spans(entity_mentions) + [(vs, ve) for _, vs, ve in quantities + times])
    blocked_ends = list(accumulate((e for _, e in blocked), max))  # running max: spans ending at or after a point
    others, collectives = [], []
    for (s_start, s_end), cues in zip(sentences, sentence_cues(text, sentences)):
        if not any(cues):
            continue
        lo, hi = bisect_left(blocked_ends, s_start), bisect_right(blocked, (s_end, len(text) + 1))
        near = [(b_start, b_end) for b_start, b_end in blocked[lo:hi] if b_end >= s_start]
        words = collective_mentions(text, s_start, s_end, near, cues)
        collectives.extend(words)
        others.extend(other_mentions(text, s_start, s_end, near + [(w.start, w.end) for w in words], cues))
    mentions = sorted(entity_mentions + others, key=lambda m: (m.start, m.end))
    keys = [fold_name(m.name) for m in mentions]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    context = DocContext(doc, text, sentences, sentence_raw, paragraph_of, mentions, collectives,
                         quantities, times, counts)
    first_named: dict[str, int] = {}
    for m in entity_mentions:
        first_named.setdefault(m.name, len(first_named))
    if first_named:  # most mentioned; ties: the first named
        context.main_entity = max(first_named, key=lambda n: (counts[fold_name(n)], -first_named[n]))
    for relation in doc._.relations or []:
        context.relation_heads.setdefault(relation.tail, set()).add(relation.head)
    context._sentence_starts = [s for s, _ in sentences]
    context._mention_starts = [m.start for m in mentions]
    context._quantity_starts = [vs for _, vs, _ in quantities]
    context._time_starts = [vs for _, vs, _ in times]
    context.entity_mentions = [m for m in mentions if m.kind == "entity"]
    context._entity_starts = [m.start for m in context.entity_mentions]
    context.topic_phrases = [m for m, key in zip(mentions, keys)
                             if m.kind == "phrase" and counts[key] >= TOPIC_MIN_MENTIONS]
    context._topic_phrase_starts = [m.start for m in context.topic_phrases]
    context._collective_starts = [w.start for w in collectives]
    for m, key in zip(mentions, keys):
        context._starts_by_key.setdefault(key, []).append(m.start)
        if m.kind == "entity":
            context._entities_by_key.setdefault(key, []).append(m)
            context._entity_starts_by_key.setdefault(key, []).append(m.start)
    return context


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    """One possible subject of one quantity, with the mention that best supports it.

    Attributes:
        name: canonical subject name.
        label: entity label or OTHER.
        mention: the mention used for features (nearest to the quantity, in its sentence first).
        entity_mention: the nearest earlier entity mention of this subject (``subject_entity``).
        sources: how the candidate was found (entity, phrase, quoted, person, collective, carry).
        collective: the collective/anaphoric word that resolved to it in the quantity's sentence.
        features: filled by :func:`pipeline.claim_model.candidate_features`.
    """

    name: str
    label: str
    mention: Mention
    entity_mention: Optional[Mention] = None
    sources: set = field(default_factory=set)
    collective: Optional[Mention] = None
    features: dict = field(default_factory=dict)
    _folded: tuple[str, str] = field(default=("", ""), init=False, repr=False, compare=False)  # (name, its key)

    @property
    def key(self) -> str:
        """The folded name (:func:`pipeline.names.fold_name`), worked out again only when the name changes."""
        name, key = self._folded
        if name is not self.name:
            key = fold_name(self.name)
            self._folded = (self.name, key)
        return key


@dataclass
class QuantitySite:
    """Where a quantity sits: its view span, sentence, clause and paragraph."""

    quantity: Quantity
    start: int
    end: int
    sentence: int
    clause: tuple[int, int]
    paragraph: int
    paragraph_start: int = 0
    decided_by: str = "none"


def quantity_sites(context: DocContext) -> list[QuantitySite]:
    """Return the site of every quantity of the document, in text order."""
    sites = []
    for quantity, start, end in context.quantities:
        sentence = context.sentence_at(start)
        first = sentence
        while first > 0 and context.paragraph_of[first - 1] == context.paragraph_of[sentence]:
            first -= 1
        sites.append(QuantitySite(quantity, start, end, sentence, context.clause_at(start),
                                  context.paragraph_of[sentence], context.sentences[first][0]))
    return sites


def _resolve_collective(context: DocContext, word: Mention) -> Optional[Mention]:
    """Return what a collective word stands for (:func:`_nearest_referent`), computed once per word."""
    key = (word.start, word.end)
    if key not in context._resolved:
        context._resolved[key] = _nearest_referent(context, word)
    return context._resolved[key]


def _nearest_referent(context: DocContext, word: Mention) -> Optional[Mention]:
    """Return the nearest mention before a collective word with the label (and kind, head) the word stands for.

    The search goes back ``sentences_back`` sentences when the word's spec says so, else to the
    document start.
    """
    spec = collective_words()[word.word]
    heads = tuple(spec.get("heads") or ())
    kinds = spec.get("kinds")
    floor = 0
    if "sentences_back" in spec:
        floor = context.sentences[max(0, context.sentence_at(word.start) - spec["sentences_back"])][0]
    mentions = context.mentions
    for i in range(bisect_left(context._mention_starts, word.start) - 1, -1, -1):
        m = mentions[i]
        if m.start < floor:
            break
        if m.label != spec["label"] or (kinds and m.kind not in kinds):
            continue
        if heads and not m.name.endswith(heads):
            continue
        return m
    return None


def _distance(m: Mention, site: QuantitySite) -> int:
    return site.start - m.end if m.end <= site.start else m.start - site.end


def candidates_for(context: DocContext, site: QuantitySite, previous_subject: Optional["Candidate"] = None) -> list[Candidate]:
    """Gather the subjects a quantity could be about.

    Args:
        context: the document context.
        site: the quantity's site.
        previous_subject: the subject chosen for the previous quantity (carried over).

    Returns:
        Candidates keyed by folded name, in order of their best mention's position.
    """
    s_start, s_end = context.sentences[site.sentence]
    if is_question(context, site) or bounds_a_group(context, site):
        return []
    first_sentence = site.sentence
    while first_sentence > 0 and site.sentence - first_sentence < SENTENCES_BACK and \
            context.paragraph_of[first_sentence - 1] == site.paragraph:
        first_sentence -= 1
    window_start = context.sentences[first_sentence][0]
    by_key: dict[str, Candidate] = {}

    def better(new: Mention, old: Mention) -> bool:
        def rank(m):
            inside = s_start <= m.start < s_end
            return (not inside, m.start >= site.end, abs(_distance(m, site)))
        return rank(new) < rank(old)

    def add(m: Mention, source: str, name_mention: Optional[Mention] = None) -> Candidate:
        target = name_mention or m
        key = fold_name(target.name)
        candidate = by_key.get(key)
        if candidate is None:
            candidate = by_key[key] = Candidate(target.name, target.label, m)
        elif better(m, candidate.mention):
            candidate.mention = m
        if target.label != "OTHER" and candidate.label == "OTHER":
            candidate.label, candidate.name = target.label, target.name
        candidate.sources.add(source)
        if target.kind == "entity" and target.start < site.start:
            if candidate.entity_mention is None or target.start > candidate.entity_mention.start:
                candidate.entity_mention = target
        return candidate

    for m in context.mentions_between(window_start, s_end):
        if m.kind == "entity" or m.start >= context.sentences[max(first_sentence, site.sentence - 2)][0]:
            add(m, m.kind)
    # The latest entities mentioned before the window: the document's running topic.
    seen_names: set[str] = set()
    for m in reversed(context.entity_mentions[:bisect_left(context._entity_starts, window_start)]):
        if len(seen_names) == TOPIC_NAMES:
            break
        if fold_name(m.name) not in seen_names:
            seen_names.add(fold_name(m.name))
            add(m, "topic")
    # A named thing the document keeps returning to (a compound, a project) is a topic too.
    for m in reversed(context.topic_phrases[:bisect_left(context._topic_phrase_starts, window_start)]):
        if fold_name(m.name) not in by_key:
            add(m, "topic")
    starts = context._collective_starts
    for word in context.collectives[bisect_left(starts, s_start):bisect_left(starts, site.start)]:
        target = _resolve_collective(context, word)
        if target is not None:
            candidate = add(word, "collective", target)
            nearest_entity = context.nearest_entity_before(candidate.key, site.start)
            if nearest_entity is not None:
                candidate.entity_mention = nearest_entity
            if candidate.collective is None or word.start > candidate.collective.start:
                candidate.collective = word
    for key in [k for k, c in by_key.items() if is_counted_noun(context, c.mention, site) and c.label == "OTHER"]:
        del by_key[key]
    # A subject the paragraph never names (nor refers to) is too far away to be read as the figure's.
    for key in [k for k, c in by_key.items() if (c.collective or c.mention).start < site.paragraph_start]:
        del by_key[key]
    if previous_subject is not None:
        candidate = by_key.get(previous_subject.key)
        if candidate is None:
            candidate = add(previous_subject.mention, "carry", previous_subject.entity_mention or previous_subject.mention)
            candidate.name, candidate.label = previous_subject.name, previous_subject.label
            if previous_subject.entity_mention is not None:
                candidate.entity_mention = previous_subject.entity_mention
        candidate.sources.add("carry")
    return sorted(by_key.values(), key=lambda c: (c.mention.start, c.key))


# --------------------------------------------------------------------------- positional facts


def is_list_member(text: str, m: Mention) -> bool:
    """True when the mention is an item of an enumeration (A、B、C等 ...)."""
    after = text[m.end:m.end + 1]
    before = text[m.start - 1:m.start] if m.start else ""
    return after in ("、", "等") or before == "、" or text[m.end:m.end + 2] in ("和", "及")


def counted_by(text: str, m: Mention, site: QuantitySite) -> bool:
    """True when the mention is an item the quantity counts (长安福特、吉利汽车等68家 ...)."""
    if m.end > site.start or text[m.end:m.end + 1] not in ("、", "等", "和", "及", "与"):
        return False
    between = text[m.end:site.start]
    if any(ch in CLAUSE_DELIMITERS for ch in between):
        return False
    return between.startswith(("、", "等")) and len(between) < 30 or \
        between.startswith(("和", "及", "与")) and "等" in between


def encloses_other(context: DocContext, m: Mention, start: int, end: int) -> bool:
    """True when the mention's unit is the stated parent (``located_in`` tail) of another entity in ``[start, end)``."""
    heads = context.relation_heads.get(m.entity_id) if m.entity_id else None
    if not heads:
        return False
    return any(x.entity_id in heads for x in context.mentions_between(start, end) if x.kind == "entity")


def is_question(context: DocContext, site: QuantitySite) -> bool:
    """True when the figure's sentence is a question (“最大户型是3居室还是4居室?”): it states nothing about anyone."""
    s_start, end = context.sentences[site.sentence]
    text = context.text
    while end > s_start and (text[end - 1].isspace() or text[end - 1] in _CLOSE_QUOTES):
        end -= 1
    return end > s_start and text[end - 1] in "?？"


def bounds_a_group(context: DocContext, site: QuantitySite) -> bool:
    """True when a bound (80岁以上, 亿元以上) defines a group another figure of its clause counts (…有200多人, …项目86个)."""
    if not site.quantity.text.endswith(_group_bounds()):
        return False
    _, c_end = site.clause
    return any(site.end <= vs and ve <= c_end for _, vs, ve in context.quantities)


@lru_cache(maxsize=None)
def _group_bounds() -> tuple[str, ...]:
    return tuple(load_lines("claims", "group_bounds.txt"))


def quote_opens_between(text: str, start: int, end: int) -> bool:
    """True when a quotation opens in ``text[start:end]`` and is still open at ``end`` (the speaker before a quoted figure)."""
    stretch = text[start:end]
    if _OPENING_QUOTE.search(stretch) is None:
        return False
    depth = 0
    for ch in stretch:
        if ch in "“「『":
            depth += 1
        elif ch in "”」』" and depth:
            depth -= 1
    return depth > 0


def is_counted_noun(context: DocContext, m: Mention, site: QuantitySite) -> bool:
    """True when a name is the thing the quantity counts (蓝领公寓2888套, 11亩“彤玫瑰”葡萄): never its subject."""
    if m.kind in ("entity", "collective", "person"):
        return False
    return 0 <= site.start - m.end <= 1 or 0 <= m.start - site.end <= 1


def quoted_modifier(context: DocContext, m: Mention) -> bool:
    """True when a quoted name modifies the noun after it (“新滕大米”种植企业) instead of standing alone."""
    return m.kind == "quoted" and bool(_HAN.match(context.text[m.end:m.end + 1]))


def after_place_prefix(context: DocContext, m: Mention) -> bool:
    """True when a name follows a place written as its location (朝晖街道的浙工新村, 前进街道“7080共富集市”)."""
    if m.kind == "entity":
        return False
    for x in context.mentions_between(max(0, m.start - 40), m.start):
        if x.kind == "entity" and x.end <= m.start and context.text[x.end:m.start] in ("", "的", "“"):
            return True
    return False


def is_prefix_of_next(context: DocContext, m: Mention) -> bool:
    """True when an entity only locates the name after it (钱塘区前进街道, 朝晖街道的浙工新村).

    Another entity starts right where this one ends, or a head-noun name follows after 的.
    """
    if m.kind != "entity":
        return False
    for other in context.mentions_between(m.end, m.end + 2):
        gap = context.text[m.end:other.start]
        if other is not m and (gap == "" and other.kind == "entity" or
                               gap == "的" and other.kind == "phrase"):
            return True
    return False


_CLAUSE_OPENERS = regex.compile(r"^(?:截至|截止|到|在|据|从|自|而|同时|其中|目前|如今|此外|另外|走进|作为|以及|与此同时|由此|因此|\s|[“”])*$")


def clause_initial(context: DocContext, m: Mention) -> bool:
    """True when only openers (截至, 在, 作为...) and times come before the mention in its clause."""
    c_start, _ = context.clause_at(m.start)
    if c_start == m.start:
        return True
    prefix = list(context.text[c_start:m.start])
    counts_before = [(vs, ve) for _, vs, ve in context.quantities_between(c_start, m.start) if ve == m.start]  # 2个集聚区…
    locating = [(x.start, m.start) for x in context.mentions_between(c_start, m.start)  # 朝晖街道的浙工新村
                if x.kind == "entity" and context.text[x.end:m.start] in ("", "的")]
    times = [(vs, ve) for _, vs, ve in context.times_between(0, m.start)]
    for t_start, t_end in times + counts_before + locating:
        if t_start < m.start and c_start < t_end:
            for i in range(max(t_start, c_start), min(t_end, m.start)):
                prefix[i - c_start] = " "
    return bool(_CLAUSE_OPENERS.match("".join(prefix)))


def trigger_between(text: str, start: int, end: int) -> bool:
    """True when a trigger verb (累计, 新增, 建成...) occurs in view ``text[start:end]``."""
    return start < end and _trigger_pattern().search(text, start, end) is not None


# --------------------------------------------------------------------------- rules


@dataclass
class RuleDecision:
    """The rules' subject for a quantity (an index into its candidates) and the rule's id."""

    index: Optional[int]
    rule: str


def respectively_subjects(context: DocContext, site: QuantitySite, candidates: list[Candidate]) -> Optional[int]:
    """``A、B、C分别…N1、N2、N3``: the i-th quantity after 分别 belongs to the i-th listed subject."""
    s_start, s_end = context.sentences[site.sentence]
    marker = context.text.find("分别", s_start, s_end)
    if marker < 0 or marker > site.start:
        return None
    listed = [c for c in candidates if s_start <= c.mention.start < marker and c.mention.kind != "collective"]
    listed.sort(key=lambda c: c.mention.start)
    figures = [q for q, vs, _ in context.quantities if marker < vs < s_end]
    units = [q.unit for q in figures]
    if len(listed) < 2 or not figures:
        return None
    same_unit = [q for q in figures if q.unit == site.quantity.unit] if len(set(units)) > 1 else figures
    if site.quantity not in same_unit:
        return None
    position = same_unit.index(site.quantity)
    if position >= len(listed) or len(same_unit) != len(listed):
        return None
    return candidates.index(listed[position])


@lru_cache(maxsize=None)
def _described_after() -> dict:
    return load_json("claims", "described_after.json")


def described_after(context: DocContext, site: QuantitySite, candidates: list[Candidate]) -> Optional[int]:
    """A figure describing the name right after it (84岁的陈学云, 13人组成的自更会) is about that name.

    Args:
        context: the document context.
        site: the quantity's site.
        candidates: its candidates.

    Returns:
        The index of the described candidate, or None.
    """
    spec = _described_after()
    text = context.text
    _, c_end = site.clause
    for i, c in enumerate(candidates):
        m = c.mention
        if m.start < site.end or m.start >= c_end:
            continue
        between = text[site.end:m.start]
        if m.kind in ("phrase", "quoted", "person") and between in spec["linkers"]:
            return i
        if m.kind == "person" and between.startswith(spec["person_linker"]) and \
                len(between) <= len(spec["person_linker"]) + spec["person_gap"] and \
                all(_HAN.match(ch) for ch in between):
            return i
    return None


def rule_choice(context: DocContext, site: QuantitySite, candidates: list[Candidate],
                previous: Optional[tuple[QuantitySite, Candidate]]) -> RuleDecision:
    """Pick a subject by rules, in priority order, and say which rule did.

    Rules (ids): ``enum-respectively`` (A、B分别 N1、N2), ``described-after`` (84岁的<person>,
    13人组成的<group>), ``qizhong-carry`` (a 其中 clause keeps the previous figure's subject),
    ``collective`` (全市/该区/该行/他... in the clause), ``clause-subject`` (the nearest subject in
    the clause before the figure, not a list item, a prefix, a speaker or a frame),
    ``sentence-carry`` (an earlier figure of the sentence decided by the rules above),
    ``collective-sentence`` (a collective word in subject position earlier in the sentence),
    ``sentence-subject`` (the first such subject of the sentence), ``carry-over`` (the previous
    figure's subject in the same paragraph), ``topic`` (the subject mentioned most so far).
    """
    text = context.text
    if not candidates:
        return RuleDecision(None, "none")
    index = respectively_subjects(context, site, candidates)
    if index is not None:
        return RuleDecision(index, "enum-respectively")
    index = described_after(context, site, candidates)
    if index is not None:
        return RuleDecision(index, "described-after")
    c_start, _ = site.clause
    s_start, _ = context.sentences[site.sentence]
    previous_index = None
    if previous is not None:
        keys = [c.key for c in candidates]
        if previous[1].key in keys:
            previous_index = keys.index(previous[1].key)
    if text.startswith("其中", c_start) and previous_index is not None and previous[0].sentence == site.sentence:
        return RuleDecision(previous_index, "qizhong-carry")

    def usable(c: Candidate) -> bool:
        m = c.mention
        if counted_by(text, m, site) or context.fact(is_prefix_of_next, m):
            return False
        if s_start <= m.start and m.end <= site.start and quote_opens_between(text, m.end, site.start):
            return False  # the speaker of the quoted figure, not its subject
        if text.startswith(_FRAME_WORDS, m.end):  # 在“住有宜居”方面: a frame, not a subject
            return False
        if m.kind != "entity" and 0 <= site.start - m.end <= 1:  # 省“千项万亿”项目13个: the counted noun
            return False
        return m.kind in ("entity", "collective") or context.fact(clause_initial, m)

    collectives = [(c.collective.start, i) for i, c in enumerate(candidates)
                   if c.collective is not None and c_start <= c.collective.start < site.start]
    if collectives:
        return RuleDecision(max(collectives)[1], "collective")
    in_clause = [(c.mention.end, i) for i, c in enumerate(candidates)
                 if c_start <= c.mention.start and c.mention.end <= site.start and usable(c)
                 and c.mention.kind in ("entity", "phrase", "person", "quoted")]
    if in_clause:
        return RuleDecision(max(in_clause)[1], "clause-subject")
    if previous_index is not None and previous[0].sentence == site.sentence and \
            previous[0].decided_by in CLAUSE_RULES + ("sentence-carry",):
        return RuleDecision(previous_index, "sentence-carry")
    sentence_collectives = [(c.collective.start, i) for i, c in enumerate(candidates)
                            if c.collective is not None and s_start <= c.collective.start < site.start
                            and context.fact(clause_initial, c.collective)]
    if sentence_collectives:
        return RuleDecision(max(sentence_collectives)[1], "collective-sentence")
    in_sentence = [(c.mention.start, i) for i, c in enumerate(candidates)
                   if s_start <= c.mention.start and c.mention.end <= site.start and usable(c)
                   and c.mention.kind in ("entity", "phrase", "person", "quoted", "collective")]
    if in_sentence:
        return RuleDecision(min(in_sentence)[1], "sentence-subject")
    if previous_index is not None and previous[0].paragraph == site.paragraph:
        return RuleDecision(previous_index, "carry-over")
    earlier = [(context.mention_counts_before(c.key, site.start), c.mention.end, i) for i, c in enumerate(candidates)
               if c.mention.end <= site.start and usable(c) and (c.mention.kind == "entity" or (
                   c.mention.kind == "phrase" and context.mention_counts.get(c.key, 0) >= TOPIC_MIN_MENTIONS))]
    if earlier:
        return RuleDecision(max(earlier)[2], "topic")
    return RuleDecision(None, "none")


# --------------------------------------------------------------------------- time and predicate


def time_for(context: DocContext, site: QuantitySite) -> tuple[Optional[TimeExpression], str]:
    """Return the time that scopes a quantity and the rule that found it.

    The nearest time before the figure in its clause, else one after it in the clause, else the
    nearest earlier time of its sentence that is not part of a name (2025年，… or 新一年的…, not the
    2025年 of 2025年国家…大赛), else the nearest earlier time of its sentence; a time in another
    sentence never scopes a claim.
    """
    c_start, c_end = site.clause
    s_start, _ = context.sentences[site.sentence]
    before_clause, after_clause, before_sentence, adverbial = None, None, None, None
    for time, vs, ve in context.times_between(s_start, c_end):
        if vs < site.end and site.start < ve:
            continue
        if c_start <= vs and ve <= site.start:
            before_clause = time
        elif site.end <= vs and ve <= c_end and after_clause is None:
            after_clause = time
        elif s_start <= vs and ve <= site.start:
            before_sentence = time
            if vs == s_start or not _HAN.match(context.text[ve:ve + 1]) or context.text[ve] in _TIME_LINKS:
                adverbial = time  # not a year inside a name (2025年国家…大赛)
    if before_clause is not None:
        return before_clause, "time-clause"
    if after_clause is not None:
        return after_clause, "time-clause-after"
    if adverbial is not None or before_sentence is not None:
        return adverbial or before_sentence, "time-sentence"
    return None, "time-none"


_WORD_CONTENT = regex.compile(r"[\p{Han}A-Za-z0-9]")


@lru_cache(maxsize=None)
def _predicate_trim_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Return the ``leading``, ``trailing`` and ``stop_after`` words of :func:`predicate_trims` as sets."""
    trims = predicate_trims()
    return frozenset(trims["leading"]), frozenset(trims["trailing"]), frozenset(trims["stop_after"])


def _trim_words(words: list[str], leading: frozenset[str], trailing: frozenset[str]) -> list[str]:
    """Drop function words (the trim lists) and punctuation from both ends of a word list.

    Whole words only: the 约 of 预约 or the 其 of 其中 stays, a separate 约 or 其中 goes.
    """
    start, end = 0, len(words)
    while start < end and (words[start] in leading or not _WORD_CONTENT.search(words[start])):
        start += 1
    while end > start and (words[end - 1] in trailing or not _WORD_CONTENT.search(words[end - 1])):
        end -= 1
    return words[start:end]


def segment(text: str, cut: Callable[[str], list[str]]) -> list[str]:
    """Cut ``text`` into words with ``cut`` (see :func:`pipeline.segmenter.word_cutter`)."""
    return list(cut(text)) if text else []


def predicate_for(context: DocContext, site: QuantitySite, subject: Optional[Candidate],
                  cut: Callable[[str], list[str]]) -> str:
    """Build a short predicate from the clause's words around the quantity.

    The words between the last subject, time or earlier figure in the clause and the quantity,
    trimmed of function words, followed by the noun the quantity counts (365个城中村改造 ->
    累计完成城中村改造).
    """
    text = context.text
    c_start, c_end = site.clause
    left_start = c_start
    if subject is not None and c_start <= subject.mention.start and subject.mention.end <= site.start:
        left_start = max(left_start, subject.mention.end)
    for _, vs, ve in context.times_between(c_start, site.start) + context.quantities_between(c_start, site.start):
        if ve <= site.start:
            left_start = max(left_start, ve)
    leading, trailing, stop_after = _predicate_trim_sets()
    # Only the words nearest the figure are kept, so cutting more than a few of them is wasted work.
    words = segment(text[max(left_start, site.start - 2 * MAX_PREDICATE_LEFT):site.start].strip(), cut)
    words = _trim_words(words, leading, trailing)
    first, length = 0, sum(map(len, words))
    while length > MAX_PREDICATE_LEFT and len(words) - first > 1:
        length -= len(words[first])  # keep the words nearest the figure
        first += 1
    words = _trim_words(words[first:], leading, frozenset())
    is_trigger = _trigger_pattern().fullmatch
    right, length = [], 0
    for word in segment(text[site.end:min(c_end, site.end + 16)], cut):
        length += len(word)
        if word in stop_after or not _WORDLIKE.match(word) or (right and is_trigger(word)) or length > 10:
            break
        right.append(word)
    predicate = _clean_name("".join(words) + "".join(right)).strip(",、 ")
    return predicate or site.quantity.unit or "数量"


# --------------------------------------------------------------------------- the stage


class ClaimExtractor:
    """The claims stage: rules plus the trained candidate scorer.

    Args:
        mode: ``combined`` (the sentence rules' choices stand, the scorer decides the rest; the
            default), ``model`` (scorer without rule features) or ``rules`` (rules only).
        model: path of the scorer under ``models/`` (``claims/scorer.json``).
        segmenter: how predicates are cut into words (:func:`pipeline.segmenter.word_cutter`):
            ``dictionary`` (the default: the fastest), ``jieba`` or ``pkuseg`` (this project's
            model; about 170 MB more memory per worker).
    """

    def __init__(self, mode: str = "combined", model: str = "claims/scorer.json", segmenter: str = "dictionary"):
        if mode not in ("combined", "model", "rules"):
            raise ValueError(f"claims mode must be combined, model or rules, not {mode!r}")
        self.mode = mode
        self.scorer = None
        if mode != "rules":
            from .claim_model import load_scorer

            self.scorer = load_scorer(model, mode)
        self.cut = word_cutter(segmenter)
        load_rules()
        self.version = f"{VERSION}-{mode}-{segmenter}" + (f"-{self.scorer.version}" if self.scorer else "")

    def __call__(self, doc: Doc) -> Doc:
        doc._.claims = extract_claims(doc, self.mode, self.scorer, self.cut)
        return doc


def choose_subjects(context: DocContext, mode: str, scorer=None):
    """Decide the subject of every quantity, in text order, carrying the previous choice over.

    Yields:
        ``(site, candidates, chosen index or None, producer, confidence, rule decision)``.
    """
    from .claim_model import group_features

    previous = None
    for site in quantity_sites(context):
        candidates = candidates_for(context, site, previous[1] if previous else None)
        decision = rule_choice(context, site, candidates, previous)
        chosen, producer, confidence = decision.index, f"rule:claims/{decision.rule}", 0.8
        trusted = mode == "combined" and decision.rule in TRUSTED_RULES
        if mode != "rules" and scorer is not None and candidates and not trusted:
            rows = group_features(context, site, candidates, decision, previous)
            scores = scorer.score(rows)
            best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
            if scores[best] >= scorer.threshold:
                chosen, confidence = best, float(scores[best])
                producer = f"model:claims-scorer@{scorer.version}"
            else:
                chosen = None
        if chosen is None and decision.index is not None and mode == "rules":
            chosen = decision.index
        yield site, candidates, chosen, producer, confidence, decision
        # The carried-over subject is the rules' choice, so the scorer sees the same context in
        # training and in use (its own earlier mistakes never feed its later features).
        site.decided_by = decision.rule
        if decision.index is not None:
            previous = (site, candidates[decision.index])


def extract_claims(doc: Doc, mode: str = "combined", scorer=None,
                   cut: Optional[Callable[[str], list[str]]] = None) -> list[Claim]:
    """Return the claims of ``doc`` (ids ``c1..`` in quantity order).

    Args:
        doc: a Doc with entities, quantities, times, sentences and view set.
        mode: ``combined``, ``model`` or ``rules``.
        scorer: the trained scorer (needed unless ``mode`` is ``rules``).
        cut: the word segmenter for predicates (default: :func:`pipeline.segmenter.dictionary_cut`).
    """
    cut = cut or word_cutter("dictionary")
    if not doc._.quantities:
        return []
    context = build_context(doc)
    view = doc._.view
    make_provenance = ProvenanceMaker(doc)
    claims = []
    for site, candidates, chosen, producer, confidence, _ in choose_subjects(context, mode, scorer):
        if chosen is None:
            continue
        subject = candidates[chosen]
        time, time_rule = time_for(context, site)
        predicate = predicate_for(context, site, subject, cut)
        mention = subject.collective if subject.collective is not None and "collective" in producer else subject.mention
        subject_span = list(view.to_raw(mention.start, mention.end))
        ev_start, ev_end = context.sentence_raw[site.sentence]
        quantity = site.quantity
        claims.append(Claim(
            id=f"c{len(claims) + 1}",
            subject=subject.name,
            subject_label=subject.label,
            subject_entity=subject.entity_mention.entity_id if subject.entity_mention else None,
            predicate=predicate,
            quantity=quantity.id,
            time=time.id if time else None,
            evidence=[ev_start, ev_end],
            subject_span=subject_span,
            value=quantity.value, low=quantity.low, high=quantity.high,
            unit=quantity.unit, qualifier=quantity.qualifier,
            time_value=time.value if time else None,
            as_of=time.as_of if time else None,
            parts={"subject": producer, "predicate": "rule:claims/predicate-clause", "time": f"rule:claims/{time_rule}"},
            provenance=make_provenance(ev_start, ev_end, producer,
                                       RULES_VERSION if producer.startswith("rule:") else VERSION, confidence),
        ))
    return claims


@Language.factory(
    "zhclaims_claims",
    assigns=["doc._.claims"],
    requires=["doc._.entities", "doc._.quantities", "doc._.times", "doc._.sentences", "doc._.view"],
    default_config={"mode": "combined", "model": "claims/scorer.json", "segmenter": "dictionary"},
)
def make_claims(nlp: Language, name: str, mode: str, model: str, segmenter: str) -> ClaimExtractor:
    return ClaimExtractor(mode=mode, model=model, segmenter=segmenter)
