"""Stage 6, companies: rule-found and model-found COMPANY mentions, merged with a fixed precedence.

A Chinese enterprise name follows one grammar: 行政区划 + 字号 + 行业 + 组织形式 (region + trade
name + industry + legal form: 杭州 + 中美华东 + 制药 + 有限公司). The rules (data in
``rules/companies/``, see its README) read the analysis view (Simplified, half-width):

* ``legal-form``/``company``/``group``/``bank``/``farm``/``factory``...: a legal form found, the
  name is scanned leftwards over industry words, a bracketed region ``(浙江)``, the trade name and,
  for legal forms that carry it, the region prefix;
* ``brand``/``media-list``: well-known short names and media outlets (``brands.tsv``);
* ``media-suffix``: ``X报``/``X日报`` named as the source of a report (中国城市报记者);
* ``list-after``/``list-before``: members of a list a company noun introduces or closes
  (长安福特、吉利汽车、西子势必锐等68家知名企业; 运营商绿城、万科、七彩);
* ``latin-cue``: a Latin-script name with a company cue (DeepSeek的员工);
* ``alias-declared``/``alias-core``/``repeat-name``: a short name declared after a full name
  (简称数字扁担), the trade name of a full name (省农担 of 省农担公司), or a name found by a list,
  Latin, media or model rule, found again anywhere in the document;
* ``branch``: a company + place + 分公司/支行 is one span (禾城农商银行王江泾支行).

Precedence: rule spans first (longer span, then higher confidence, wins among rules); model spans
(``pipeline.ner_models``; off by default, see docs/companies.md; run only on sentences with a
company cue the rules left open) fill what the rules leave when
their score reaches ``model_threshold`` and they pass the same exclusions (government bodies,
zones, projects, generic kinds). Aliases and branches apply to spans of both origins. Place
entities inside or across a company span are removed, with the relations that use them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional, Sequence

import regex
from spacy.language import Language
from spacy.tokens import Doc

from . import resources
from .extensions import ProvenanceMaker, items, raw_text
from .schema import PLACE_LABELS, Entity, Relation
from .text_rules import WordMatcher, compile_unique_groups
from .textview import TextView

_HAN = regex.compile(r"\p{Han}")
#: Places that, written right before a company name, are its location.
LOCATION_LABELS = ("STREET", "DISTRICT", "COMMUNITY")
VERSION = "1"
RULES_FOLDER = "companies"
NAME_CHAR = regex.compile(r"[\p{Han}A-Za-z0-9&]")
_HAN_RUN = regex.compile(r"\p{Han}*")
_BRACKETED_REGION = regex.compile(r"\p{Han}{2,6}")
_NUMERAL_CHAR = regex.compile(r"[0-9一二三四五六七八九十百千万亿]")
_COUNTED_ITEMS = regex.compile(r"[0-9一二三四五六七八九十百千万]+[家个所座名人万亿]")
MODEL_NAME_SHAPE = regex.compile(r"[\p{Han}A-Za-z0-9&·]+(?:\([\p{Han}]{2,6}\)[\p{Han}A-Za-z0-9&·]+)?")
PLACE_END_CHARS = frozenset("省市区县镇乡村")
ALIAS_CONFIDENCE = {"alias-declared": 0.9, "alias-core": 0.75, "repeat-name": 0.75}
# Rules that already find every occurrence of their names, with their own boundary checks.
FOUND_EVERYWHERE = tuple(f"rule:companies/{rule}" for rule in ("brand", "media-list", "legal-form", "company", "group", "bank", "farm", "factory", "cooperative"))
QUOTES = "“”\"'‘’《》「」『』"


@dataclass
class Mention:
    """A COMPANY candidate in view offsets.

    Attributes:
        start: view start offset.
        end: view end offset (exclusive).
        producer: ``rule:companies/<rule-id>`` or ``model:<name>@<version>``.
        confidence: the producer's confidence in [0, 1].
        cluster: the key that groups mentions of one company (its full name), for naming.
        alias_core: the trade name to look for elsewhere in the document, if any.
    """

    start: int
    end: int
    producer: str
    confidence: float
    cluster: str = ""
    alias_core: Optional[str] = None
    version: str = VERSION

    @property
    def is_rule(self) -> bool:
        """True when a rule (not a model) produced the mention."""
        return self.producer.startswith("rule:")


@dataclass(frozen=True)
class LegalForm:
    """One 组织形式 entry of ``company_rules.json``."""

    suffix: str
    rule: str
    confidence: float
    absorb_place: bool
    alias_core: bool
    requires_industry: bool = False


@dataclass
class CompanyRules:
    """The company rules loaded from ``rules/companies/`` and compiled."""

    legal_forms: dict[str, LegalForm]
    not_followed_by: dict[str, tuple[str, ...]]
    not_preceded_by: dict[str, tuple[str, ...]]
    industry_words: frozenset[str]
    branch_suffixes: tuple[str, ...]
    max_core_chars: int
    max_branch_place_chars: int
    left_stop_words: frozenset[str]
    right_stop_words: frozenset[str]
    generic_cores: frozenset[str]
    core_final_function_chars: frozenset[str]
    excluded_heads: tuple[str, ...]
    excluded_contains: tuple[str, ...]
    place_prefixes: frozenset[str]
    brands: dict[str, str]
    media_suffixes: tuple[str, ...]
    media_cue_after: tuple[str, ...]
    latin_cue_after: tuple[str, ...]
    latin_excluded: frozenset[str]
    alias_markers: tuple[str, ...]
    strong_cues_after: tuple[str, ...]
    weak_cues_after: tuple[str, ...]
    role_cues_before: tuple[str, ...]
    generic_cues_before: tuple[str, ...]
    cue_markers: tuple[str, ...]
    cue_adjectives: tuple[str, ...]
    list_cue_max_between: int
    kind_endings: tuple[str, ...]
    project_cues: tuple[str, ...]
    latin_name_pattern: str
    model_cue_chars: tuple[str, ...]
    model_reject_quoted: bool
    compiled: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        alt = _alternation
        self.compiled = {
            # Word alternations scan about twice as fast on the standard re engine.
            "legal": standard_re(alt(self.legal_forms)),
            "branch": standard_re(alt(self.branch_suffixes)),
            "brand": WordMatcher.from_words(self.brands) if self.brands else None,
            "media": standard_re(f"(?:{alt(self.media_suffixes)}|报)(?={alt(self.media_cue_after)})"),
            "latin": regex.compile(
                f"(?<![A-Za-z0-9])({self.latin_name_pattern})(?![A-Za-z0-9])(?=\\s?(?:{alt(self.latin_cue_after)}))"
            ),
            "alias": regex.compile(
                f"[(]?(?:{alt(self.alias_markers)})[:：]?[{QUOTES}]?([\\p{{Han}}A-Za-z0-9&]{{2,10}}?)(?:[{QUOTES})]|(?![\\p{{Han}}A-Za-z0-9&]))"
            ),
            "list_after": _list_closer(self.strong_cues_after + self.weak_cues_after, self.cue_adjectives, self.list_cue_max_between),
            "project": _list_closer(self.project_cues, ("重点", "重大", "产业", "标志性", "在建", "新建")),
            "list_before": regex.compile(
                f"(?:{alt(self.role_cues_before)})(?:{alt(self.cue_markers)})?|(?:{alt(self.generic_cues_before)})(?:{alt(self.cue_markers)})"
            ),
            "industry_max": max(map(len, self.industry_words)),
            "stop_max": max(map(len, self.left_stop_words)),
            "place_max": max(map(len, self.place_prefixes)) if self.place_prefixes else 0,
        }


def standard_re(pattern: str) -> "re.Pattern":
    """Compile a pattern written for ``regex`` with the standard ``re`` engine (see
    :func:`pipeline.text_rules.compile_unique_groups`, which refuses what ``re`` reads differently)."""
    return compile_unique_groups(pattern)[0]


def _alternation(words: Iterable[str]) -> str:
    """Return a regex alternation of ``words``, longest first so the longest one wins."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _list_closer(cues: Sequence[str], adjectives: Sequence[str], max_between: int = 0) -> "regex.Pattern":
    """Compile ``等[count][adjectives][noun]cue``: the words that close a list of named things."""
    count = r"(?:[0-9一二三四五六七八九十百千万余多几数]+[家个所座批]?)?"
    between = f"\\p{{Han}}{{0,{max_between}}}?" if max_between else ""
    return regex.compile(f"等{count}(?:{_alternation(adjectives)})*{between}(?P<cue>{_alternation(cues)})")


@lru_cache(maxsize=None)
def load_rules() -> CompanyRules:
    """Load and compile the company rules from ``rules/companies/`` (cached).

    Returns:
        The compiled :class:`CompanyRules`.
    """
    data = resources.load_json(RULES_FOLDER, "company_rules.json")
    brands: dict[str, str] = {}
    with open(resources.rules_path(RULES_FOLDER, "brands.tsv"), encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if line.strip() and not line.startswith("#")), delimiter="\t"):
            brands[row[0].strip()] = row[1].strip() if len(row) > 1 else "company"
    return CompanyRules(
        legal_forms={f["suffix"]: LegalForm(**f) for f in data["legal_forms"]},
        not_followed_by={k: tuple(v) for k, v in data["not_followed_by"].items()},
        not_preceded_by={k: tuple(v) for k, v in data["not_preceded_by"].items()},
        industry_words=frozenset(data["industry_words"]),
        branch_suffixes=tuple(data["branch_suffixes"]),
        max_core_chars=int(data["max_core_chars"]),
        max_branch_place_chars=int(data["max_branch_place_chars"]),
        left_stop_words=frozenset(data["left_stop_words"]) | frozenset(resources.load_lines(RULES_FOLDER, "boundary_verbs.txt")),
        right_stop_words=frozenset(data["right_stop_words"]),
        generic_cores=frozenset(data["generic_cores"]),
        core_final_function_chars=frozenset(data["core_final_function_chars"]),
        excluded_heads=tuple(data["excluded_heads"]),
        excluded_contains=tuple(data["excluded_contains"]),
        place_prefixes=frozenset(resources.load_lines(RULES_FOLDER, "place_prefixes.txt")),
        brands=brands,
        media_suffixes=tuple(data["media_suffixes"]),
        media_cue_after=tuple(data["media_cue_after"]),
        latin_cue_after=tuple(data["latin_cue_after"]),
        latin_excluded=frozenset(data["latin_excluded"]),
        alias_markers=tuple(data["alias_markers"]),
        strong_cues_after=tuple(data["list_cues_after"]["strong"]),
        weak_cues_after=tuple(data["list_cues_after"]["weak"]),
        role_cues_before=tuple(data["list_cues_before"]["role"]),
        generic_cues_before=tuple(data["list_cues_before"]["generic"]),
        cue_markers=tuple(data["list_cues_before"]["markers"]),
        cue_adjectives=tuple(data["list_cue_adjectives"]),
        list_cue_max_between=int(data["list_cue_max_between"]),
        kind_endings=tuple(data["kind_endings"]),
        project_cues=tuple(data["project_cues"]),
        latin_name_pattern=data["latin_name_pattern"],
        model_cue_chars=tuple(data["model_cue_chars"]),
        model_reject_quoted=bool(data["model_reject_quoted"]),
    )


class WordEndings:
    """A word list looked up by where its words end: the sizes worth slicing at a position are
    those of the words ending with the character before it (most characters end none).

    Args:
        words: the words (empty words are ignored).
    """

    __slots__ = ("words", "sizes_by_last_char")

    def __init__(self, words: frozenset[str]):
        self.words = words
        sizes: dict[str, set[int]] = defaultdict(set)
        for word in words:
            if word:
                sizes[word[-1]].add(len(word))
        self.sizes_by_last_char = {char: tuple(sorted(found, reverse=True)) for char, found in sizes.items()}

    def longest_ending_at(self, text: str, pos: int, longest: int) -> Optional[str]:
        """Return the longest word (none longer than ``longest``) that ends at ``text[pos]``, or None."""
        if pos <= 0 or pos > len(text):
            return None
        for size in self.sizes_by_last_char.get(text[pos - 1], ()):
            if size <= longest and size <= pos and text[pos - size : pos] in self.words:
                return text[pos - size : pos]
        return None


@lru_cache(maxsize=None)
def word_endings(words: frozenset[str]) -> WordEndings:
    """The :class:`WordEndings` of a rule word list (built once per list)."""
    return WordEndings(words)


_NAME_CHAR_SEEN: dict[str, bool] = {}


def is_name_char(char: str) -> bool:
    """True when the one character ``char`` matches :data:`NAME_CHAR` (remembered per character)."""
    known = _NAME_CHAR_SEEN.get(char)
    if known is None:
        known = _NAME_CHAR_SEEN[char] = NAME_CHAR.match(char) is not None
    return known


class TextContext:
    """The view text plus what the rules need to know about it: where known places end.

    Args:
        text: the analysis view text.
        rules: the compiled rules.
        place_spans: view spans of the place entities found by the places stage.
    """

    def __init__(self, text: str, rules: CompanyRules, place_spans: Sequence[tuple[int, int]] = ()):
        self.text = text
        self.rules = rules
        self.place_spans = sorted(place_spans)
        self.place_start_of_end: dict[int, int] = {}
        for start, end in self.place_spans:
            self.place_start_of_end[end] = min(start, self.place_start_of_end.get(end, start))
        self._stop_words = word_endings(rules.left_stop_words)
        self._stop_max = rules.compiled["stop_max"]
        self._place_prefixes = word_endings(rules.place_prefixes)
        self._place_max = rules.compiled["place_max"]

    def word_ending_at(self, pos: int, words: frozenset[str], longest: int) -> Optional[str]:
        """Return the longest word of ``words`` (none longer than ``longest``) that ends at ``pos``, or None."""
        return word_endings(words).longest_ending_at(self.text, pos, longest)

    def stop_word_ending_at(self, pos: int) -> Optional[str]:
        """Return the longest left stop word that ends at ``pos``, or None."""
        return self._stop_words.longest_ending_at(self.text, pos, self._stop_max)

    def place_ending_at(self, pos: int) -> Optional[int]:
        """Return the start of a place name (found entity or gazetteer prefix) ending at ``pos``."""
        if pos in self.place_start_of_end:
            return self.place_start_of_end[pos]
        word = self._place_prefixes.longest_ending_at(self.text, pos, self._place_max)
        return pos - len(word) if word else None

    def overlaps_place(self, start: int, end: int, allow_inside: bool = True) -> bool:
        """True when ``start:end`` crosses a place entity (or, unless ``allow_inside``, contains one)."""
        for p_start, p_end in self.place_spans:
            if p_start >= end:
                break
            if p_end <= start:
                continue
            inside = start <= p_start and p_end <= end
            if not inside or not allow_inside:
                return True
        return False

    def scan_name_left(self, pos: int, max_chars: int, stop_at_places: bool = True) -> int:
        """Scan a trade name leftwards from ``pos``; return where it starts.

        The name stops at a non-name character, at a stop word ending at the current position, or
        (with ``stop_at_places``, once two characters are taken) where a place name ends.
        """
        text = self.text
        start = pos
        while start > 0 and pos - start < max_chars:
            if not is_name_char(text[start - 1]):
                break
            if self.stop_word_ending_at(start):
                break
            if stop_at_places and pos - start >= 2:
                if self.place_ending_at(start) is not None or self.is_place_end_char(start - 1):
                    break
            start -= 1
        return start

    def starts_word(self, index: int) -> bool:
        """True when a word can start at ``index``: text start, a non-Han character or a stop word before it."""
        if index == 0 or not _HAN.match(self.text[index - 1]):
            return True
        return self.stop_word_ending_at(index) is not None

    def is_place_end_char(self, index: int) -> bool:
        """True when ``text[index]`` is 省/市/区/县/镇/乡/村 closing a place name (a name character before it)."""
        if self.text[index] not in PLACE_END_CHARS or index == 0 or not is_name_char(self.text[index - 1]):
            return False
        return not self.stop_word_ending_at(index)

    def scan_name_right(self, pos: int, max_chars: int) -> int:
        """Scan a list member rightwards from ``pos``; return where it ends."""
        text, stops = self.text, self.rules.right_stop_words
        end = pos
        while end < len(text) and end - pos < max_chars:
            if not is_name_char(text[end]):
                break
            if end > pos and any(text.startswith(w, end) for w in stops):
                break
            end += 1
        return end

    def skip_industry_left(self, pos: int, limit: int = 3) -> int:
        """Move ``pos`` left over up to ``limit`` industry words that end there."""
        for _ in range(limit):
            word = self.word_ending_at(pos, self.rules.industry_words, self.rules.compiled["industry_max"])
            if not word:
                break
            pos -= len(word)
        return pos

    def skip_bracket_left(self, pos: int) -> int:
        """Move ``pos`` left over a bracketed region such as ``(浙江)`` that ends there."""
        if pos > 2 and self.text[pos - 1] == ")":
            opening = self.text.rfind("(", max(0, pos - 8), pos - 1)
            if opening >= 0 and _BRACKETED_REGION.fullmatch(self.text, opening + 1, pos - 1):
                return opening
        return pos


def is_excluded_name(name: str, rules: CompanyRules) -> bool:
    """True when ``name`` denotes a government body, zone, project or kind rather than a company."""
    if len(name) < 2 or name in rules.generic_cores or name in rules.place_prefixes:
        return True
    if any(part in name for part in rules.excluded_contains):
        return True
    return any(name.endswith(head) for head in rules.excluded_heads)


def is_trade_name(core: str, rules: CompanyRules) -> bool:
    """True when ``core`` can be a 字号: two characters or more, not a kind, not a place, no function word at its end."""
    return (
        len(core) >= 2
        and core not in rules.generic_cores
        and core not in rules.place_prefixes
        and core[-1] not in rules.core_final_function_chars
    )


def ends_with_industry(name: str, rules: CompanyRules) -> bool:
    """True when ``name`` ends with an industry word or a legal form (吉利汽车, 兴农担保)."""
    return any(name.endswith(w) and len(name) > len(w) for w in rules.industry_words | set(rules.legal_forms))


def find_legal_form_names(ctx: TextContext) -> list[Mention]:
    """Find names ending in a legal form: region + trade name + industry + 组织形式.

    Args:
        ctx: the text and its places.

    Returns:
        One mention per accepted name.
    """
    rules, text = ctx.rules, ctx.text
    found = []
    for match in rules.compiled["legal"].finditer(text):
        suffix = match.group()
        form = rules.legal_forms[suffix]
        if text.startswith(rules.not_followed_by.get(suffix, ()), match.end()):
            continue
        if text.endswith(rules.not_preceded_by.get(suffix, ()), 0, match.start()):
            continue
        industry_start = ctx.skip_industry_left(match.start())
        if form.requires_industry and industry_start == match.start():
            continue
        pos = ctx.skip_bracket_left(industry_start)
        core_start = ctx.scan_name_left(pos, rules.max_core_chars)
        region_end = core_start
        if ctx.place_ending_at(pos) == core_start:
            region_end = pos  # the scanned "trade name" is a place: 杭州 + 重机 + 厂
        core = text[core_start:pos] if region_end == core_start else ""
        start = region_end
        if form.absorb_place:
            for _ in range(3):
                place_start = ctx.place_ending_at(start)
                if place_start is None:
                    break
                start = place_start
        has_place = start < region_end
        if core and not is_trade_name(core, rules):
            continue
        if not core and not (has_place and (industry_start < match.start() or form.rule == "bank")):
            continue
        start = trim_to_known_name(ctx, start, match.end())
        name = text[start : match.end()]
        if any(part in name for part in rules.excluded_contains):
            continue
        alias = core if form.alias_core and len(core) >= 2 and core not in rules.generic_cores else None
        found.append(Mention(start, match.end(), f"rule:companies/{form.rule}", form.confidence, name, alias))
    return found


def trim_to_known_name(ctx: TextContext, start: int, end: int) -> int:
    """Return the start of the longest known brand that ends a scanned name at ``end`` after a
    non-place prefix (预期|中信银行, 接受|中央电视台); else ``start`` unchanged."""
    for inner in range(start + 1, end - 1):
        if ctx.text[inner:end] in ctx.rules.brands:
            return start if ctx.place_ending_at(inner) == start else inner
    return start


def find_brands(ctx: TextContext) -> list[Mention]:
    """Find the well-known company names and media outlets of ``brands.tsv``.

    A match right after a digit or numeral (1万科技型企业) or across a place entity is not one.
    """
    matcher = ctx.rules.compiled["brand"]
    if matcher is None:
        return []
    text = ctx.text
    found = []
    for start, end, kind in matcher.find(text):
        name = text[start:end]
        before = text[start - 1] if start else ""
        if before and _NUMERAL_CHAR.match(before):
            continue
        if name.isascii() and ((before and before.isascii() and before.isalnum()) or text[end : end + 1].isalnum() and text[end : end + 1].isascii()):
            continue
        if ctx.overlaps_place(start, end, allow_inside=False):
            continue
        if kind == "bounded" and not ctx.starts_word(start):
            continue
        producer = "rule:companies/media-list" if kind == "media" else "rule:companies/brand"
        found.append(Mention(start, end, producer, 0.9, name))
    return found


def find_media(ctx: TextContext) -> list[Mention]:
    """Find outlets named as the source of a report: ``X报``/``X日报`` + 记者/报道/讯."""
    rules, text = ctx.rules, ctx.text
    found = []
    for match in rules.compiled["media"].finditer(text):
        start = ctx.scan_name_left(match.start(), rules.max_core_chars, stop_at_places=False)
        if match.start() - start < 2:
            continue
        start = trim_to_known_name(ctx, start, match.end())
        name = text[start : match.end()]
        if is_excluded_name(name, rules):
            continue
        found.append(Mention(start, match.end(), "rule:companies/media-suffix", 0.85, name))
    return found


def find_latin_names(ctx: TextContext) -> list[Mention]:
    """Find Latin-script names followed by a company cue (DeepSeek的员工)."""
    found = []
    for match in ctx.rules.compiled["latin"].finditer(ctx.text):
        name = match.group(1)
        if name in ctx.rules.latin_excluded or len(name) < 3 or name.isdigit():
            continue
        found.append(Mention(match.start(1), match.end(1), "rule:companies/latin-cue", 0.8, name))
    return found


def _list_members_left(ctx: TextContext, end: int) -> list[tuple[int, int]]:
    """Return the members of a ``A、B、C`` list that ends at ``end``, last first."""
    members = []
    while end > 0:
        start = ctx.scan_name_left(end, 8, stop_at_places=False)
        if start == end:
            break
        members.append((start, end))
        if start > 0 and ctx.text[start - 1] in "、和及与":
            end = start - 1
            continue
        break
    return members


def _list_members_right(ctx: TextContext, start: int) -> list[tuple[int, int]]:
    """Return the members of a ``A、B、C`` list that starts at ``start``."""
    members = []
    while start < len(ctx.text):
        end = ctx.scan_name_right(start, 8)
        if end == start:
            break
        members.append((start, end))
        if end < len(ctx.text) and ctx.text[end] in "、和及与":
            start = end + 1
            continue
        break
    return members


def is_list_member_name(name: str, rules: CompanyRules) -> bool:
    """True when a list member can be a firm: a known brand, or not excluded, not a kind, no count."""
    if name in rules.brands:
        return True
    if is_excluded_name(name, rules) or any(name.endswith(k) for k in rules.kind_endings):
        return False
    return not _COUNTED_ITEMS.search(name)


def find_list_members(ctx: TextContext, known: Sequence[Mention]) -> tuple[list[Mention], list[tuple[int, int]]]:
    """Find companies named in lists that a company noun closes or opens, and project lists.

    Args:
        ctx: the text and its places.
        known: mentions already found (a weak cue such as 等机构 accepts only these or names
            ending with an industry word).

    Returns:
        The list-member mentions, and the view spans of project-list members (never companies).
    """
    rules, text = ctx.rules, ctx.text
    known_spans = {(m.start, m.end) for m in known}
    weak = set(rules.weak_cues_after)
    found: list[Mention] = []
    for match in rules.compiled["list_after"].finditer(text):
        is_weak = match.group("cue") in weak
        for start, end in _list_members_left(ctx, match.start()):
            name = text[start:end]
            if not is_list_member_name(name, rules):
                continue
            if is_weak and (start, end) not in known_spans and not ends_with_industry(name, rules):
                continue
            found.append(Mention(start, end, "rule:companies/list-after", 0.6 if is_weak else 0.75, name))
    for match in rules.compiled["list_before"].finditer(text):
        members = _list_members_right(ctx, match.end())
        if len(members) < 2:
            continue
        for start, end in members:
            name = text[start:end]
            if is_list_member_name(name, rules):
                found.append(Mention(start, end, "rule:companies/list-before", 0.7, name))
    projects = [span for m in rules.compiled["project"].finditer(text) for span in _list_members_left(ctx, m.start())]
    return found, projects


def select_flat(candidates: Iterable[Mention]) -> list[Mention]:
    """Keep non-overlapping mentions: rules before models, then longer spans, then higher confidence."""
    order = sorted(candidates, key=lambda m: (not m.is_rule, -(m.end - m.start), -m.confidence, m.start))
    if not order:
        return []
    taken = bytearray(max(m.end for m in order))
    chosen: list[Mention] = []
    for mention in order:
        if any(taken[mention.start : mention.end]):
            continue
        chosen.append(mention)
        taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    return sorted(chosen, key=lambda m: m.start)


def find_aliases(ctx: TextContext, mentions: Sequence[Mention]) -> dict[str, tuple[str, str]]:
    """Collect the names to find again: every name found, trade names of full names, declared short names.

    Returns:
        ``alias -> (cluster of the full name, rule id)``; a declared short name (简称X) wins over a
        trade name (省农担 of 省农担公司), which wins over a name simply written again (repeat-name).
    """
    aliases: dict[str, tuple[str, str]] = {}
    for mention in mentions:
        surface = ctx.text[mention.start : mention.end]
        if len(surface) >= 2 and not mention.producer.startswith(FOUND_EVERYWHERE):
            aliases.setdefault(surface, (mention.cluster or surface, "repeat-name"))
    for mention in mentions:
        if mention.alias_core and mention.alias_core not in ctx.rules.place_prefixes:
            if aliases.get(mention.alias_core, ("", "repeat-name"))[1] == "repeat-name":
                aliases[mention.alias_core] = (mention.cluster or ctx.text[mention.start : mention.end], "alias-core")
    for mention in mentions:
        declared = ctx.rules.compiled["alias"].match(ctx.text, mention.end)
        if declared and not is_excluded_name(declared.group(1), ctx.rules):
            aliases[declared.group(1)] = (mention.cluster or ctx.text[mention.start : mention.end], "alias-declared")
    return aliases


def find_alias_mentions(ctx: TextContext, aliases: dict[str, tuple[str, str]], taken: Sequence[Mention]) -> list[Mention]:
    """Find every occurrence of a short name outside the mentions already taken.

    A trade-name alias is not taken where it crosses a place entity; a declared alias always is.
    """
    if not aliases:
        return []
    # Non-empty spans overlap when they share a character: mark the taken mentions' characters.
    in_taken = bytearray(len(ctx.text))
    for mention in taken:
        in_taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    found = []
    for start, end, alias in longest_occurrences(ctx.text, aliases):
        if in_taken.find(1, start, end) >= 0:
            continue
        cluster, rule = aliases[alias]
        if rule != "alias-declared" and (ctx.overlaps_place(start, end, allow_inside=False) or not ctx.starts_word(start)):
            continue
        found.append(Mention(start, end, f"rule:companies/{rule}", ALIAS_CONFIDENCE[rule], cluster))
    return found


def longest_occurrences(text: str, words: Iterable[str]) -> list[tuple[int, int, str]]:
    """Return ``(start, end, word)`` of the leftmost-longest, non-overlapping occurrences of
    (non-empty) ``words`` in ``text``: the matches of ``finditer`` over their longest-first
    alternation, without compiling a pattern for each document's words.
    """
    occurrences = []
    for word in set(words):
        start = text.find(word)
        while start >= 0:
            occurrences.append((start, -len(word), word))
            start = text.find(word, start + 1)
    found = []
    resume = 0
    for start, negative_length, word in sorted(occurrences):
        if start >= resume:
            found.append((start, start - negative_length, word))
            resume = start - negative_length
    return found


def attach_branches(ctx: TextContext, mentions: Sequence[Mention]) -> list[Mention]:
    """Extend a company followed by a place and a branch suffix into one branch span."""
    rules, text = ctx.rules, ctx.text
    by_end = {m.end: m for m in mentions}
    replaced: dict[int, Mention] = {}
    for match in rules.compiled["branch"].finditer(text):
        for gap in range(0, rules.max_branch_place_chars + 1):
            parent = by_end.get(match.start() - gap)
            if parent is None:
                continue
            between = text[parent.end : match.start()]
            if _HAN_RUN.fullmatch(between) and not ctx.stop_word_ending_at(match.start()):
                branch = text[parent.start : match.end()]
                replaced[parent.start] = Mention(
                    parent.start, match.end(), "rule:companies/branch", parent.confidence, branch
                )
            break
    return [replaced.get(m.start, m) for m in mentions]


def canonical_names(ctx: TextContext, mentions: Sequence[Mention]) -> list[str]:
    """Name each mention by the form its company is mostly written in (tie: the longer form)."""
    forms: dict[str, Counter] = defaultdict(Counter)
    for mention in mentions:
        if mention.cluster:
            forms[mention.cluster][ctx.text[mention.start : mention.end]] += 1
    names = []
    for mention in mentions:
        surface = ctx.text[mention.start : mention.end]
        if mention.producer.endswith("/branch") or not mention.cluster:
            names.append(surface)
            continue
        counts = forms[mention.cluster]
        names.append(max(counts, key=lambda form: (counts[form], len(form), form)))
    return names


def find_rule_mentions(ctx: TextContext) -> tuple[list[Mention], list[tuple[int, int]]]:
    """Run every rule except aliases and branches; return the candidates and the project spans."""
    base = find_legal_form_names(ctx) + find_brands(ctx) + find_media(ctx) + find_latin_names(ctx)
    listed, projects = find_list_members(ctx, base)
    return base + listed, projects


def model_candidates(
    ctx: TextContext,
    spans: Iterable[tuple[int, int, str, float]],
    labels: Sequence[str],
    threshold: float,
    producer: str,
    version: str,
    apply_rules: bool = True,
) -> list[Mention]:
    """Turn model spans (view offsets) into mentions, trimming punctuation.

    With ``apply_rules`` the rule exclusions (government bodies, zones, kinds...) and the place
    check apply too; without, this is the model's own output (the model-only baseline).
    """
    found = []
    for start, end, label, score in spans:
        if label not in labels or score < threshold:
            continue
        while start < end and not NAME_CHAR.match(ctx.text[start]):
            start += 1
        while end > start and not NAME_CHAR.match(ctx.text[end - 1]):
            end -= 1
        if apply_rules:
            start = skip_stop_words_right(ctx, start, end)
            if not MODEL_NAME_SHAPE.fullmatch(ctx.text, start, end):
                continue
            if ctx.rules.model_reject_quoted and is_quoted(ctx.text, start, end):
                continue
            if not is_plausible_model_name(ctx.text[start:end], ctx.rules) or ctx.overlaps_place(start, end):
                continue
        if end - start < 2:
            continue
        found.append(Mention(start, end, producer, score, ctx.text[start:end], version=version))
    return found


def is_quoted(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is exactly the content of a pair of quotes (“…”, 「…」)."""
    return start > 0 and end < len(text) and text[start - 1] in "“「『\"" and text[end] in "”」』\""


def skip_stop_words_right(ctx: TextContext, start: int, end: int) -> int:
    """Move ``start`` right over stop words that open a span (联合|强村公司, 深化|朗骏...)."""
    words, longest = ctx.rules.left_stop_words, ctx.rules.compiled["stop_max"]
    moved = True
    while moved:
        moved = False
        for size in range(min(longest, end - start - 1), 0, -1):
            if ctx.text[start : start + size] in words:
                start += size
                moved = True
                break
    return start


def strip_industry_and_form(name: str, rules: CompanyRules) -> str:
    """Return ``name`` without its legal form and the industry words before it (the trade name and region)."""
    for suffix in sorted(rules.legal_forms, key=len, reverse=True):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    changed = True
    while changed:
        changed = False
        for word in sorted(rules.industry_words, key=len, reverse=True):
            if name.endswith(word):
                name = name[: -len(word)]
                changed = True
                break
    return name


def is_plausible_model_name(name: str, rules: CompanyRules) -> bool:
    """True when a model span passes the rules: not excluded, and a trade name is left once the
    legal form and industry words are taken off (联合强村公司 and 商贸 fail)."""
    has_form = any(name.endswith(s) for s in rules.legal_forms)
    if is_excluded_name(name, rules) and not has_form:
        return False
    core = strip_industry_and_form(name, rules)
    return bool(core) and core not in rules.generic_cores and not any(g in core for g in rules.generic_cores if len(g) >= 2 and has_form)


def merge_mentions(
    ctx: TextContext, rule_candidates: Sequence[Mention], model_mentions: Sequence[Mention], projects: Sequence[tuple[int, int]]
) -> list[Mention]:
    """Merge rule and model candidates, add aliases and branches; return flat mentions in text order."""
    def outside_projects(ms: Iterable[Mention]) -> list[Mention]:
        return [m for m in ms if not any(m.start < e and s < m.end for s, e in projects)]

    flat = select_flat(outside_projects(list(rule_candidates) + list(model_mentions)))
    aliases = find_aliases(ctx, flat)
    flat = select_flat(flat + outside_projects(find_alias_mentions(ctx, aliases, flat)))
    return attach_branches(ctx, flat)


def company_cue_pattern(rules: CompanyRules) -> "regex.Pattern":
    """Compile the cues of a sentence where the model may find a company the rules missed.

    A legal form, branch or media suffix, a list closed or opened by a company noun
    (等68家知名企业, 运营商X、Y), a Latin word of three letters or more, or a ``model_cue_chars``
    character. Bare 企业/公司 (very frequent, rarely beside a name) are not cues by themselves.
    """
    words = list(rules.legal_forms) + list(rules.branch_suffixes) + list(rules.media_suffixes) + list(rules.model_cue_chars)
    alternatives = [_alternation(words), rules.compiled["list_after"].pattern, rules.compiled["list_before"].pattern, r"[A-Za-z]{3,}"]
    return regex.compile("|".join(f"(?:{a})" for a in alternatives if a))


class CompanyTagger:
    """The companies stage: rules, an optional NER model, and their merge (see module docstring).

    Args:
        use_rules: run the rules (False gives the model-only baseline: model spans as they are).
        use_model: run the NER model on sentences with a company cue.
        backend: ``hanlp`` or ``spacy`` (see ``pipeline.ner_models``).
        model_threshold: lowest model score accepted.
        model_labels: model labels taken as companies.
        cue_sentences_only: run the model only on sentences with a company cue.
    """

    version = VERSION

    def __init__(
        self,
        use_rules: bool = True,
        use_model: bool = False,
        backend: str = "hanlp",
        model_threshold: float = 0.5,
        model_labels: Sequence[str] = ("COMPANY",),
        cue_sentences_only: bool = True,
    ):
        self.rules = load_rules()
        self.use_rules = use_rules
        self.use_model = use_model
        self.backend = backend
        self.model_threshold = model_threshold
        self.model_labels = tuple(model_labels)
        self.cue_sentences_only = cue_sentences_only
        self._ner = None
        self.cue_pattern = company_cue_pattern(self.rules)
        if use_model:
            self.version = f"{VERSION}+{self.ner.name}@{self.ner.version}"

    @property
    def ner(self):
        """The NER model, loaded on first use (not named ``model``: spaCy probes that attribute)."""
        if self._ner is None:
            from .ner_models import load_ner

            self._ner = load_ner(self.backend)
        return self._ner

    def sentence_chunks(self, doc: Doc, explained: Sequence[Mention] = ()) -> list[tuple[int, str]]:
        """Return ``(view start, text)`` of the sentences the model should read.

        With ``cue_sentences_only``, a sentence is read only when it has a company cue outside the
        ``explained`` spans (the rule candidates: a legal form inside a name the rules already
        found cannot change the result, since rule spans win).
        """
        view = doc._.view
        inside = bytearray(len(view.text) + 1)
        for mention in explained:
            inside[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        chunks = []
        sentences = doc._.sentences or []
        for span in view.raw_spans_to_view([(sentence.start, sentence.end) for sentence in sentences]):
            if span is None:
                continue
            text = view.text[span[0] : span[1]]
            if not self.cue_sentences_only or any(
                not all(inside[span[0] + cue.start() : span[0] + cue.end()]) for cue in self.cue_pattern.finditer(text)
            ):
                chunks.append((span[0], text))
        return chunks

    def model_mentions(self, doc: Doc, ctx: TextContext, explained: Sequence[Mention] = ()) -> list[Mention]:
        """Run the model on the cue sentences and return its accepted mentions in view offsets."""
        chunks = self.sentence_chunks(doc, explained)
        if not chunks:
            return []
        predictions = self.ner.predict([text for _, text in chunks])
        spans = [
            (offset + s.start, offset + s.end, s.label, s.score)
            for (offset, _), sentence_spans in zip(chunks, predictions)
            for s in sentence_spans
        ]
        producer = f"model:{self.ner.name}@{self.ner.version}"
        return model_candidates(
            ctx, spans, self.model_labels, self.model_threshold, producer, self.ner.version, apply_rules=self.use_rules
        )

    def __call__(self, doc: Doc) -> Doc:
        view = doc._.view
        entities = items(doc, "entities")
        place_spans = [(e.start, e.end) for e in entities if e.label in PLACE_LABELS]
        view_span_of = dict(zip(place_spans, view.raw_spans_to_view(place_spans)))
        ctx = TextContext(view.text, self.rules, [span for span in view_span_of.values() if span])
        rule_candidates, projects = find_rule_mentions(ctx) if self.use_rules else ([], [])
        model_mentions = self.model_mentions(doc, ctx, rule_candidates) if self.use_model else []
        if self.use_rules:
            mentions = merge_mentions(ctx, rule_candidates, model_mentions, projects)
        else:
            mentions = select_flat(model_mentions)
        raw = raw_text(doc)  # not doc.text: spaCy rebuilds it from the tokens on every access
        provenance_of = ProvenanceMaker(doc)
        companies = [
            make_entity(view, raw, provenance_of, mention, name)
            for mention, name in zip(mentions, canonical_names(ctx, mentions))
        ]
        entities = sorted(drop_covered_places(doc, entities, companies) + companies, key=lambda e: (e.start, e.end))
        doc._.entities = entities
        items(doc, "relations").extend(written_after_place(doc, entities, provenance_of, view_span_of))
        return doc


def written_after_place(doc: Doc, entities: Sequence[Entity], provenance_of: Optional[ProvenanceMaker] = None,
                        view_span_of: Optional[dict[tuple[int, int], Optional[tuple[int, int]]]] = None) -> list[Relation]:
    """Return ``located_in`` for each company written right after a township or county-level unit.

    The place is the company's location when it directly precedes the name and is not part of
    it (秀洲区王江泾|俞果生态农场 -> 俞果生态农场 located_in 王江泾; the gold README's "a company
    or unit said to be in a place"). Only STREET, DISTRICT and COMMUNITY qualify: a city or
    province before a name is usually part of the name. ``provenance_of`` is the document's
    provenance builder (made here when not given); ``view_span_of`` maps raw spans to the view
    spans already worked out (the others are mapped here).
    """
    provenance_of = provenance_of or ProvenanceMaker(doc)
    view = doc._.view
    spans = [(e.start, e.end) for e in entities]
    view_span_of = dict(view_span_of or {})
    unmapped = [span for span in spans if span not in view_span_of]
    view_span_of.update(zip(unmapped, view.raw_spans_to_view(unmapped)))
    placed = [(view_span_of[span], e) for span, e in zip(spans, entities)]
    placed = sorted(((span, e) for span, e in placed if span), key=lambda x: x[0])
    relations = []
    for (place_span, place), (company_span, company) in zip(placed, placed[1:]):
        if company.label == "COMPANY" and place.label in LOCATION_LABELS and place_span[1] == company_span[0]:
            start, end = place.start, company.end
            relations.append(Relation(
                head=company.id, tail=place.id, evidence=[start, end],
                provenance=provenance_of(start, end, "rule:companies/written-after-place", VERSION, 0.9),
            ))
    return relations


def make_entity(view: TextView, raw: str, provenance_of: ProvenanceMaker, mention: Mention, name: str) -> Entity:
    """Build the COMPANY entity of a view-offset mention, with raw offsets and provenance.

    Args:
        view: the document's view (maps the mention to raw offsets).
        raw: the raw text (``extensions.raw_text(doc)``), read once by the caller.
        provenance_of: the document's provenance builder.
        mention: the mention, in view offsets.
        name: its canonical name.

    Returns:
        The entity.
    """
    start, end = view.to_raw(mention.start, mention.end)
    return Entity(
        id=f"e{start}",
        start=start,
        end=end,
        text=raw[start:end],
        label="COMPANY",
        name=name,
        provenance=provenance_of(start, end, mention.producer, mention.version, mention.confidence),
    )


def drop_covered_places(doc: Doc, entities: list[Entity], companies: Sequence[Entity]) -> list[Entity]:
    """Return ``entities`` without the places that overlap a company; drop their relations too."""
    # Non-empty spans overlap when they share a character: mark the companies' characters.
    in_company = bytearray(max((c.end for c in companies), default=0))
    for company in companies:
        in_company[company.start : company.end] = b"\x01" * (company.end - company.start)
    removed = {e.id for e in entities if e.label in PLACE_LABELS and in_company.find(1, e.start, e.end) >= 0}
    if removed:
        doc._.relations = [r for r in items(doc, "relations") if r.head not in removed and r.tail not in removed]
    return [e for e in entities if e.id not in removed]


@Language.factory(
    "zhclaims_companies",
    assigns=["doc._.entities", "doc._.relations"],
    requires=["doc._.view", "doc._.sentences", "doc._.entities"],
    default_config={
        "use_rules": True,
        "use_model": False,
        "backend": "hanlp",
        "model_threshold": 0.5,
        "model_labels": ["COMPANY"],
        "cue_sentences_only": True,
    },
)
def make_companies(
    nlp: Language,
    name: str,
    use_rules: bool,
    use_model: bool,
    backend: str,
    model_threshold: float,
    model_labels: list[str],
    cue_sentences_only: bool,
) -> CompanyTagger:
    """Build the companies stage from its ``[components.companies]`` settings."""
    return CompanyTagger(use_rules, use_model, backend, model_threshold, model_labels, cue_sentences_only)
