"""Stage 5, places: tag provinces, cities, districts, streets and communities; link them; located_in.

Reads ``doc._.view.text`` (normalized Simplified) and writes raw-offset entities and relations:

1. **Gazetteer pass** -- one longest-match trie pass (:mod:`pipeline.gazetteer`) over full names
   (杭州市, 前进街道, 余杭市 as a former unit) and short forms (杭州, 拱墅, 前进); blockers such as
   钱塘江 are consumed by the same pass.
2. **Names that are not places** (``rules/places/patterns.json``): a place followed by an
   organisation/title word (杭州市建委, 浙江省技术能手), a short form inside a zone or venue name
   (前进智造园, 海盐经开区), a place inside a short quoted name (“看余杭”), a form starting or
   ending inside a common word (沿海城市 is not 海城市; 杭州市民 is 杭州 + 市民).
3. **Short forms need the document's licence**: a province or city short form always counts
   (杭州, 浙江); a district short form when the district or its city is mentioned in the document
   (``ambiguous_shorts.txt``, e.g. 西湖 the lake: only when the unit's full name is); a township
   short form (前进, 仓前) when its full name is in the document or it is written right after its
   parent (秀洲区王江泾), and a common-word one only at a clause start; one-character
   abbreviations (来杭) only in the contexts of ``patterns.json`` and when the city is mentioned.
4. **Communities**: X社区 / X村 words found in jionlp's community names, or written right after a
   township (前进街道前悦社区); generic words (未来社区, 城中村) excluded; once found, every other
   mention of the same name in the document.
5. **Linking**: a unit written right after its parent is resolved inside it; an ambiguous name is
   resolved to the candidate whose enclosing units the rest of the document mentions most; when
   still tied, ``code`` is None and ``candidates`` lists the codes.
6. **located_in**: adjacent pairs written inside their parent, and the statement patterns of
   ``rules/places/relations.json`` (位于, 作为…城区, …是…街道), each checked against the gazetteer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import ProvenanceMaker, raw_text
from .gazetteer import Gazetteer, load_communities, load_gazetteer
from .resources import load_json, load_lines
from .schema import Entity, Relation
from .textview import TextView

VERSION = "1"
PRODUCER = "rule:places"
PLACEHOLDER = "\ue000"
_CLAUSE_PUNCT = regex.compile(r"[，。！？；,;!?：:]")
_SENTENCE_END = "。！？!?\n"
_NEXT_SENTENCE_END = regex.compile(f"[{_SENTENCE_END}]")
_LAST_SENTENCE_END = regex.compile(f"(?r)[{_SENTENCE_END}]")
_HAN = regex.compile(r"^\p{Han}+$")
# Confidence by the rule that found a mention (resolved); unresolved links lower it.
CONFIDENCE = {
    "full": 0.95, "short": 0.85, "street-short": 0.8, "abbreviation": 0.75,
    "community-list": 0.85, "community-after-street": 0.85, "community-repeat": 0.8,
}
LICENCE_WEIGHT = 0.5


@dataclass(slots=True)
class Mention:
    """A place mention in view coordinates.

    Attributes:
        start: view start offset.
        end: view end offset (exclusive).
        form: the view text of the mention.
        keys: candidate unit keys (gazetteer), empty for a community.
        rule: the rule that found it (a key of :data:`CONFIDENCE`).
        resolved: the chosen unit key, or None.
        extra: rule notes (``parent_mention``: the township mention a community is written after).
    """

    start: int
    end: int
    form: str
    keys: list[str]
    rule: str
    resolved: Optional[str] = None
    extra: dict = field(default_factory=dict)

    @property
    def is_community(self) -> bool:
        return self.rule.startswith("community")


@dataclass(frozen=True)
class PlaceRules:
    """The compiled context rules of ``rules/places/`` (see its README)."""

    org_tail_direct: regex.Pattern
    org_tail: regex.Pattern
    facility_tail: regex.Pattern
    city_centre: regex.Pattern
    quoted_name_max: int
    quote_spans: tuple[tuple[str, regex.Pattern], ...]
    title_spans: tuple[tuple[str, regex.Pattern], ...]
    abbreviations: dict[str, str]
    abbreviation_context: regex.Pattern
    community_suffix: regex.Pattern
    community_max: int
    compound_tail: regex.Pattern
    generic_community_tail: regex.Pattern
    community_stop_chars: regex.Pattern
    generic_communities: frozenset[str]
    ambiguous_shorts: frozenset[str]
    statements: tuple[tuple[str, regex.Pattern], ...]
    common_township_shorts: frozenset[str]
    boundary_words: frozenset[str]
    common_short_guard: regex.Pattern


@lru_cache(maxsize=1)
def load_rules() -> PlaceRules:
    """Compile the rule files once per process."""
    patterns = load_json("places", "patterns.json")
    relations = load_json("places", "relations.json")
    abbreviations = patterns["abbreviations"]
    forms = "".join(sorted(abbreviations["forms"]))
    # (opening mark, pattern): a pattern is run only on a text that holds its opening mark.
    quote_spans = tuple(
        (pair[0], regex.compile(regex.escape(pair[0]) + r"([^" + regex.escape(pair) + r"]{1,%d})" % patterns["quoted_name_max"]
                                + regex.escape(pair[1])))
        for pair in patterns["quote_pairs"]
    )
    title_spans = tuple(
        (pair[0], regex.compile(regex.escape(pair[0]) + r"([^" + regex.escape(pair) + r"\n]{1,%d})" % patterns["title_max"]
                                + regex.escape(pair[1])))
        for pair in patterns["title_pairs"]
    )
    return PlaceRules(
        org_tail_direct=regex.compile(patterns["org_tail_direct"]),
        org_tail=regex.compile(patterns["org_tail"]),
        facility_tail=regex.compile(patterns["facility_tail"]),
        city_centre=regex.compile(patterns["city_centre"]),
        quoted_name_max=patterns["quoted_name_max"],
        quote_spans=quote_spans,
        title_spans=title_spans,
        abbreviations=dict(abbreviations["forms"]),
        abbreviation_context=regex.compile(abbreviations["context"].replace("X", f"[{forms}]")),
        community_suffix=regex.compile(patterns["community"]["suffix"]),
        community_max=patterns["community"]["max_name_length"],
        compound_tail=regex.compile(patterns["community"]["compound_tail"]),
        generic_community_tail=regex.compile(patterns["community"]["generic_tail"]),
        community_stop_chars=regex.compile("[" + regex.escape(patterns["community"]["name_stop_chars"]) + "]"),
        generic_communities=frozenset(load_lines("places", "generic_communities.txt")),
        ambiguous_shorts=frozenset(load_lines("places", "ambiguous_shorts.txt")),
        common_township_shorts=frozenset(load_lines("gazetteer", "common_township_shorts.txt")),
        boundary_words=frozenset(load_lines("gazetteer", "boundary_words.txt")),
        common_short_guard=regex.compile(patterns["common_short_guard"]),
        statements=tuple(
            (s["id"], regex.compile(s["pattern"].replace("{P}", PLACEHOLDER))) for s in relations["statements"]
        ),
    )


# --------------------------------------------------------------------------------------------
# 1-2. Gazetteer pass and names that are not places
# --------------------------------------------------------------------------------------------


def gazetteer_mentions(text: str, gaz: Gazetteer) -> tuple[list[Mention], bytearray]:
    """Return every longest-match full or short form in ``text`` (see :meth:`Gazetteer.find_forms`)
    and which characters any match, blockers included, covers."""
    matches, covered = gaz.find_forms(text)
    mentions = []
    for start, end, form in matches:
        if form in gaz.full_forms:
            mentions.append(Mention(start, end, form, list(gaz.full_forms[form]), "full"))
        else:
            mentions.append(Mention(start, end, form, list(gaz.short_forms[form]), "short"))
    return mentions, covered


def township_short_mentions(text: str, mentions: list[Mention], gaz: Gazetteer, rules: PlaceRules) -> list[Mention]:
    """Find township short forms the document licenses.

    A short form (前进, 仓前) is read where the document also writes the township's full name
    (前进街道, 仓前街道), or right after a mention of its district (秀洲区王江泾). A short form
    that is a common word (前进, 发展) is read only where no Han character precedes it.

    Returns:
        New mentions (they may overlap existing ones; overlaps are removed later).
    """
    found = [m for m in township_short_candidates(text, mentions, gaz) if at_word_boundaries(m, text, gaz, rules)]
    return [m for m in found if m.form not in rules.common_township_shorts or rules.common_short_guard.match(text, m.start)]


def township_short_candidates(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Return every occurrence of a township short form licensed by the document (see
    :func:`township_short_mentions`)."""
    found: list[Mention] = []
    for name in sorted({m.form for m in mentions if m.rule == "full" and m.form in gaz.township_names}):
        keys = gaz.township_names[name]
        for short in sorted({s for k in keys for s in gaz.units[k].shorts}):
            start = text.find(short)
            while start >= 0:
                found.append(Mention(start, start + len(short), short,
                                     [k for k in keys if short in gaz.units[k].shorts], "street-short"))
                start = text.find(short, start + len(short))
    for parent in mentions:
        for parent_key in parent.keys:
            for key in gaz.townships_of.get(parent_key, ()):
                for short in gaz.units[key].shorts:
                    if text.startswith(short, parent.end):
                        found.append(Mention(parent.end, parent.end + len(short), short, [key], "street-short"))
    return found


def at_word_boundaries(mention: Mention, text: str, gaz: Gazetteer, rules: PlaceRules) -> Optional[Mention]:
    """Check that a mention does not start or end inside a common word.

    沿海城市 is not 海城市, 隆重庆祝 not 重庆, 大城市 not 大城. A full name whose suffix starts a
    word (杭州市民, 杭州市场) is read as its short form (杭州).

    Returns:
        The mention, its shortened form, or None when it is no mention.
    """
    if mention.start > 0 and text[mention.start - 1:mention.start + 1] in rules.boundary_words:
        return None
    township = mention.rule == "full" and mention.form in gaz.township_names
    if township or text[mention.end - 1:mention.end + 1] not in rules.boundary_words:
        # A township's suffix (街道, 镇, 乡) ends the name: 朝晖街道德胜社区 is not 朝晖街 + 道德.
        return mention
    if mention.rule == "full":
        short = mention.form[:-1]
        keys = [k for k in gaz.short_forms.get(short, []) if k in mention.keys]
        if keys and text[mention.end - 2:mention.end] not in rules.boundary_words:
            return Mention(mention.start, mention.end - 1, short, keys, "short")
    return None


def read_city_centre(mention: Mention, text: str, gaz: Gazetteer, rules: PlaceRules) -> Mention:
    """Read 杭州市中心 as 杭州 + 市中心: shorten a city's full name followed by 中心 (not 中心城区)."""
    if mention.rule != "full" or not mention.form.endswith("市") or not rules.city_centre.match(text, mention.end):
        return mention
    short = mention.form[:-1]
    keys = [k for k in gaz.short_forms.get(short, []) if k in mention.keys]
    if not keys:
        return mention
    return Mention(mention.start, mention.end - 1, short, keys, "short")


def quoted_name_spans(text: str, rules: PlaceRules) -> list[tuple[int, int]]:
    """Return sorted view spans of names in quotes or title marks.

    Short quoted texts without clause punctuation are quoted names or slogans (“看余杭”); a text
    in title marks (《唐山大地震》, 《南京！南京！》) is a title whatever punctuation it holds.

    Args:
        text: the view text.
        rules: the place rules.

    Returns:
        ``(start, end)`` view spans of the quoted or titled text (marks excluded).
    """
    spans = []
    for opening, pattern in rules.quote_spans:
        if opening in text:
            for m in pattern.finditer(text):
                if not _CLAUSE_PUNCT.search(m.group(1)):
                    spans.append((m.start(1), m.end(1)))
    for opening, pattern in rules.title_spans:
        if opening in text:
            spans.extend(m.span(1) for m in pattern.finditer(text))
    return sorted(spans)


def name_reason(mention: Mention, text: str, rules: PlaceRules, quoted: list[tuple[int, int]],
                is_township: bool = False) -> Optional[str]:
    """Say why a mention is part of a larger name, or return None when it is a place mention.

    Args:
        mention: the mention.
        text: the view text.
        rules: the place rules.
        quoted: spans from :func:`quoted_name_spans`.
        is_township: the mention is a township's full name (only direct organ words apply).

    Returns:
        ``"org"`` (organisation, body or title), ``"facility"`` (zone, park or venue named with a
        short form), ``"quoted"`` (inside a short quoted name) or None.
    """
    if rules.org_tail_direct.match(text, mention.end):
        return "org"
    if not is_township and rules.org_tail.match(text, mention.end):
        return "org"
    if mention.rule != "full" and not mention.is_community and rules.facility_tail.match(text, mention.end):
        return "facility"
    i = bisect_right(quoted, (mention.start, len(text) + 1)) - 1
    if i >= 0:
        q_start, q_end = quoted[i]
        if mention.end <= q_end and (q_start, q_end) != (mention.start, mention.end):
            return "quoted"
    return None


def drop_names(mentions: list[Mention], text: str, gaz: Gazetteer, rules: PlaceRules,
               quoted: list[tuple[int, int]]) -> list[Mention]:
    """Drop mentions inside names; a unit written right before one dropped as part of an
    organisation name goes with it (杭州市拱墅区第一届人民代表大会: neither 拱墅区 nor 杭州市)."""
    kept: list[Mention] = []
    org_start = None
    for m in reversed(mentions):
        township = m.rule == "full" and gaz.units[m.keys[0]].level == "street"
        reason = "org" if m.end == org_start else name_reason(m, text, rules, quoted, township)
        if reason:
            org_start = m.start if reason == "org" else None
            continue
        kept.append(m)
    return kept[::-1]


# --------------------------------------------------------------------------------------------
# 3. Licences for short forms
# --------------------------------------------------------------------------------------------


def add_weight(weights: dict[str, float], keys: list[str], gaz: Gazetteer) -> None:
    """Spread one mention's weight over its candidate units and their enclosing units."""
    share = 1.0 / len(keys)
    for key in keys:
        for unit_key in gaz.lineage(key):
            weights[unit_key] += share


def license_short_forms(mentions: list[Mention], full_weights: dict[str, float], gaz: Gazetteer,
                        rules: PlaceRules) -> list[Mention]:
    """Keep the short forms the document licenses, with their candidates narrowed to licensed units.

    Levels are licensed from the top down, so a licensed city short form (杭州) licenses its
    districts' short forms (建德) in turn.

    Args:
        mentions: gazetteer mentions in text order.
        full_weights: unit weights from the document's full names (and province short forms).
        gaz: the gazetteer.
        rules: the place rules.

    Returns:
        The mentions that stay (full names unchanged).
    """
    weights = defaultdict(float, full_weights)
    full_names = {m.form for m in mentions if m.rule == "full"}
    levels = ("province", "city", "district")
    # Each short form with its candidates of each level, in text order.
    at_level: dict[str, list[tuple[Mention, list[str]]]] = {level: [] for level in levels}
    for m in mentions:
        if m.rule != "full":
            keys_by_level: dict[str, list[str]] = {}
            for k in m.keys:
                keys_by_level.setdefault(gaz.units[k].level, []).append(k)
            for level, keys in keys_by_level.items():
                if level in at_level:
                    at_level[level].append((m, keys))
    licensed_keys: dict[int, list[str]] = defaultdict(list)
    for level in levels:
        for m, candidates in at_level[level]:
            keys = [k for k in candidates if licensed(k, m, weights, full_names, gaz, rules)]
            if keys:
                licensed_keys[id(m)].extend(keys)
                if level in ("city", "district"):
                    add_weight(weights, keys, gaz)
    kept = []
    for m in mentions:
        if m.rule != "full":
            m.keys = licensed_keys.get(id(m), [])
        if m.keys:
            kept.append(m)
    return kept


def licensed(key: str, mention: Mention, weights: dict[str, float], full_names: set[str],
             gaz: Gazetteer, rules: PlaceRules) -> bool:
    """True when the document licenses reading ``mention`` (a short form) as unit ``key``."""
    unit = gaz.units[key]
    if unit.level in ("province", "city"):
        return mention.form not in rules.ambiguous_shorts or unit.name in full_names
    if mention.form in rules.ambiguous_shorts:
        return unit.name in full_names
    if weights[key] >= LICENCE_WEIGHT:
        return True
    return weights.get(unit.parent, 0.0) >= LICENCE_WEIGHT


def abbreviation_mentions(text: str, covered: bytearray, weights: dict[str, float], gaz: Gazetteer,
                          rules: PlaceRules) -> list[Mention]:
    """Return one-character city abbreviations (来杭) in their contexts when the city is mentioned."""
    found = []
    if not any(form in text for form in rules.abbreviations):
        return found  # every match is one abbreviation: no context scan without one
    for m in rules.abbreviation_context.finditer(text):
        key = rules.abbreviations[m.group()]
        if covered[m.start()] or key not in gaz.units or weights.get(key, 0.0) < LICENCE_WEIGHT:
            continue
        found.append(Mention(m.start(), m.end(), m.group(), [key], "abbreviation"))
    return found


# --------------------------------------------------------------------------------------------
# 4. Communities
# --------------------------------------------------------------------------------------------


def community_mentions(text: str, mentions: list[Mention], covered: bytearray, gaz: Gazetteer,
                       rules: PlaceRules, quoted: list[tuple[int, int]]) -> list[Mention]:
    """Find X社区 / X村 communities: listed names, names written after a township, and repeats."""
    names = None
    street_by_end = {m.end: m for m in mentions if gaz.units[m.keys[0]].level == "street"}
    mention_ends = sorted(m.end for m in mentions)
    found: list[Mention] = []
    for m in rules.community_suffix.finditer(text):
        end, suffix_start = m.end(), m.start()
        if covered[suffix_start] or rules.compound_tail.match(text, end):
            continue
        i = bisect_right(mention_ends, suffix_start) - 1
        floor = max(mention_ends[i] if i >= 0 else 0, found[-1].end if found and found[-1].end <= suffix_start else 0,
                    end - rules.community_max)
        if names is None:
            names = load_communities()
        candidate = None
        for start in range(floor, suffix_start):
            word = text[start:end]
            if end - start >= 3 and word in names and _HAN.match(word):
                candidate = Mention(start, end, word, [], "community-list")
                break
        if candidate is None and floor in street_by_end and 1 <= suffix_start - floor:
            word = text[floor:end]
            if _HAN.match(word) and not rules.community_stop_chars.search(text, floor, suffix_start):
                candidate = Mention(floor, end, word, [], "community-after-street")
        if candidate is None or candidate.form in rules.generic_communities:
            continue
        # A listed name ending in a generic word (和农村, 强农村) is that word after another one;
        # after a township the name stands (瓶窑镇华兴未来社区).
        if candidate.rule == "community-list" and any(candidate.form.endswith(g) for g in rules.generic_communities):
            continue
        if rules.generic_community_tail.search(candidate.form) or name_reason(candidate, text, rules, quoted):
            continue
        candidate.extra["parent_mention"] = street_by_end.get(candidate.start)
        found.append(candidate)
    found.extend(community_repeats(text, found, covered, rules, quoted))
    return found


def community_repeats(text: str, found: list[Mention], covered: bytearray, rules: PlaceRules,
                      quoted: list[tuple[int, int]]) -> list[Mention]:
    """Return the other mentions of communities already found (前悦社区 after 前进街道前悦社区)."""
    taken = {(m.start, m.end) for m in found}
    repeats = []
    for name in sorted({m.form for m in found}):
        source = next(m for m in found if m.form == name)
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if (start, end) not in taken and covered.find(1, start, end) < 0:
                repeat = Mention(start, end, name, [], "community-repeat")
                if not rules.compound_tail.match(text, end) and not name_reason(repeat, text, rules, quoted):
                    repeat.extra["parent_mention"] = source.extra.get("parent_mention")
                    repeats.append(repeat)
            start = text.find(name, end)
    return repeats


# --------------------------------------------------------------------------------------------
# 5. Linking
# --------------------------------------------------------------------------------------------


def resolve(mentions: list[Mention], gaz: Gazetteer) -> None:
    """Choose one unit per mention where the text allows; leave ``resolved`` None when tied.

    A mention right after another is first narrowed to candidates inside that mention's units;
    the rest is decided by the document context: the weight of each candidate's enclosing units
    in the document's unambiguous mentions.
    """
    previous_by_end = {m.end: m for m in mentions if m.keys}
    for m in mentions:
        if len(m.keys) > 1 and m.start in previous_by_end:
            parent_keys = set(previous_by_end[m.start].keys)
            inside = [k for k in m.keys if gaz.ancestors(k) & parent_keys]
            if inside:
                m.keys = inside
    context = defaultdict(float)
    for m in mentions:
        if len(m.keys) == 1:
            m.resolved = m.keys[0]
            add_weight(context, m.keys, gaz)
    for m in mentions:
        if len(m.keys) <= 1:
            continue
        scores = sorted(((sum(context[a] for a in gaz.ancestors(k)) + context[k], k) for k in m.keys), reverse=True)
        if scores[0][0] > 0 and scores[0][0] > scores[1][0]:
            m.resolved = scores[0][1]


# --------------------------------------------------------------------------------------------
# 6. located_in
# --------------------------------------------------------------------------------------------


def unit_keys(mention: Mention) -> list[str]:
    """The unit keys a mention may denote: its resolution, else its candidates."""
    return [mention.resolved] if mention.resolved else mention.keys


def lies_inside(head: Mention, tail: Mention, gaz: Gazetteer) -> bool:
    """True when the gazetteer (or, for a community, its written township) puts head inside tail."""
    if tail.is_community:
        return False
    if head.is_community:
        return head.extra.get("parent_mention") is tail
    tail_keys = set(unit_keys(tail))
    for key in unit_keys(head):
        unit = gaz.units[key]
        chain = gaz.ancestors(key) | ({unit.successor} if unit.former else set())
        if chain & tail_keys:
            return True
    return False


def written_inside(mentions: list[Mention], gaz: Gazetteer) -> list[tuple[Mention, Mention, int, int, str]]:
    """Return (head, tail, view start, view end, rule) for each unit written right after its parent."""
    pairs = []
    for before, after in zip(mentions, mentions[1:]):
        if before.end == after.start and lies_inside(after, before, gaz):
            pairs.append((after, before, before.start, after.end, "written-inside"))
    return pairs


def sentences_with_mentions(text: str, mentions: list[Mention]) -> list[tuple[int, int, list[Mention]]]:
    """Return ``(start, end, mentions)`` of each sentence (a run without 。！？!? or a line break)
    that holds a mention, with the mentions inside it.

    A sentence holds the mentions that start in it, in order, up to the first one that runs past
    its end (a mention never does: place names hold no sentence-final mark).

    Args:
        text: the view text.
        mentions: non-overlapping mentions in text order.
    """
    sentences = []
    i = 0
    while i < len(mentions):
        first = mentions[i].start
        end_mark = _NEXT_SENTENCE_END.search(text, first)
        s_end = end_mark.start() if end_mark else len(text)
        if s_end == first:  # the mention starts on a sentence-final mark: in no sentence
            i += 1
            continue
        start_mark = _LAST_SENTENCE_END.search(text, 0, first)
        s_start = start_mark.end() if start_mark else 0
        inside: list[Mention] = []
        running_past = False
        while i < len(mentions) and mentions[i].start < s_end:
            running_past = running_past or mentions[i].end > s_end
            if not running_past:
                inside.append(mentions[i])
            i += 1
        sentences.append((s_start, s_end, inside))
    return sentences


def stated_inside(text: str, mentions: list[Mention], gaz: Gazetteer,
                  rules: PlaceRules) -> list[tuple[Mention, Mention, int, int, str]]:
    """Return (head, tail, view start, view end, rule) for each located_in statement of the text."""
    pairs = []
    for s_start, s_end, inside in sentences_with_mentions(text, mentions):
        if len(inside) < 2:
            continue
        masked, slot = [], {}
        cursor = s_start
        for m in inside:
            masked.append(text[cursor:m.start])
            slot[sum(len(p) for p in masked)] = m
            masked.append(PLACEHOLDER)
            cursor = m.end
        masked.append(text[cursor:s_end])
        masked_text = "".join(masked)
        for rule_id, pattern in rules.statements:
            for match in pattern.finditer(masked_text, overlapped=True):
                head, tail = slot[match.start("head")], slot[match.start("tail")]
                if head is not tail and lies_inside(head, tail, gaz):
                    pairs.append((head, tail, s_start, s_end, rule_id))
    return pairs


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------


def find_places(text: str, gaz: Gazetteer, rules: PlaceRules) -> list[Mention]:
    """Run steps 1-5 on a view text and return the place mentions in text order."""
    raw_mentions, covered = gazetteer_mentions(text, gaz)
    full_weights: dict[str, float] = defaultdict(float)
    for m in raw_mentions:
        if m.rule == "full" or all(gaz.units[k].level == "province" for k in m.keys):
            add_weight(full_weights, m.keys, gaz)
    quoted = quoted_name_spans(text, rules)
    mentions = [read_city_centre(m, text, gaz, rules) for m in raw_mentions]
    mentions = [m for m in (at_word_boundaries(m, text, gaz, rules) for m in mentions) if m is not None]
    mentions = drop_names(mentions, text, gaz, rules, quoted)
    mentions = license_short_forms(mentions, full_weights, gaz, rules)
    townships = [m for m in township_short_mentions(text, mentions, gaz, rules) if not name_reason(m, text, rules, quoted)]
    licence_weights = defaultdict(float, full_weights)
    for m in mentions:
        add_weight(licence_weights, m.keys, gaz)
    extra = abbreviation_mentions(text, covered, licence_weights, gaz, rules)
    mentions = remove_overlaps(mentions + extra + townships)
    mentions = remove_overlaps(mentions + community_mentions(text, mentions, covered, gaz, rules, quoted))
    resolve([m for m in mentions if not m.is_community], gaz)
    return mentions


def remove_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep non-overlapping mentions, earlier and then longer first."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def make_entity(view: TextView, raw: str, provenance_of: ProvenanceMaker, mention: Mention, gaz: Gazetteer) -> Entity:
    """Build the schema entity of one mention (raw offsets, canonical name, codes, parents).

    Args:
        view: the document's view (maps the mention to raw offsets).
        raw: the raw text (``extensions.raw_text(doc)``: ``doc.text`` would rebuild the whole
            text from its one-character tokens).
        provenance_of: the document's provenance builder.
        mention: the mention.
        gaz: the gazetteer.
    """
    start, end = view.to_raw(mention.start, mention.end)
    confidence = CONFIDENCE[mention.rule]
    if mention.is_community:
        # parents filled from the township's entity by the caller
        parents, parent_codes = [], []
        name, label, code, adcode, level, former, candidates = mention.form, "COMMUNITY", None, None, "community", False, []
    else:
        keys = unit_keys(mention)
        unit = gaz.units[keys[0]]
        if mention.resolved:
            names, codes = gaz.chain_names_and_codes(mention.resolved)
            parents, parent_codes = list(names), list(codes)
            code, adcode, candidates = unit.code or None, unit.adcode, []
        else:
            chains = [gaz.chain(k) for k in keys]
            chain = [u for i, u in enumerate(chains[0]) if all(len(c) > i and c[i] == u for c in chains)]
            parents, parent_codes = [u.name for u in chain], [u.code for u in chain]
            code, adcode, candidates = None, None, sorted(gaz.units[k].code for k in keys)
            confidence *= 0.7
        name, label, level, former = unit.name, unit.label, unit.level, unit.former
    return Entity(
        id=f"e{start}", start=start, end=end, text=raw[start:end], label=label, name=name,
        adcode=adcode, code=code, level=level, parents=parents,
        parent_codes=parent_codes, former=former, candidates=candidates,
        provenance=provenance_of(start, end, f"{PRODUCER}/{mention.rule}", VERSION, confidence),
    )


class PlaceTagger:
    """spaCy component: place entities and located_in relations (see the module docstring)."""

    version = VERSION

    def __init__(self):
        self.gazetteer = load_gazetteer()
        self.rules = load_rules()
        load_communities()  # load at build time, not inside the first document that needs it

    def __call__(self, doc: Doc) -> Doc:
        results = doc._  # each ``doc._`` builds an accessor object: one per document
        view = results.view
        mentions = find_places(view.text, self.gazetteer, self.rules)
        raw, provenance_of = raw_text(doc), ProvenanceMaker(doc)
        entities = [make_entity(view, raw, provenance_of, m, self.gazetteer) for m in mentions]
        entity_of = {id(m): e for m, e in zip(mentions, entities)}
        for mention, entity in zip(mentions, entities):
            township = mention.extra.get("parent_mention")
            if mention.is_community and township is not None and id(township) in entity_of:
                parent = entity_of[id(township)]
                entity.parents = parent.parents + [parent.name]
                entity.parent_codes = parent.parent_codes + ([parent.code] if parent.code else [])
        relations, seen = [], set()
        pairs = written_inside(mentions, self.gazetteer) + stated_inside(view.text, mentions, self.gazetteer, self.rules)
        for head, tail, v_start, v_end, rule_id in pairs:
            head_entity, tail_entity = entity_of[id(head)], entity_of[id(tail)]
            if (head_entity.id, tail_entity.id) in seen:
                continue
            seen.add((head_entity.id, tail_entity.id))
            start, end = view.to_raw(v_start, v_end)
            relations.append(Relation(
                head=head_entity.id, tail=tail_entity.id, evidence=[start, end],
                provenance=provenance_of(start, end, f"{PRODUCER}/{rule_id}", VERSION, 0.9),
            ))
        results.entities = entities
        results.relations = relations
        return doc


@Language.factory("zhclaims_places", assigns=["doc._.entities", "doc._.relations"], requires=["doc._.view", "doc._.sentences"])
def make_places(nlp: Language, name: str) -> PlaceTagger:
    """Create the places stage (gazetteer and rules are loaded once per process)."""
    return PlaceTagger()
