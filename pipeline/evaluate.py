"""Score predictions against hand-labelled gold (``../shared/gold/README.md``, "How it is scored").

``zhclaims eval GOLD_DIR --texts TEXT_DIR`` reads every ``GOLD_DIR/<doc_id>.json``, checks it
against ``TEXT_DIR/<doc_id>.txt`` (SHA-256 of the file's bytes, and every ``text`` field equal
to ``raw[start:end]``), runs the pipeline with the gold's ``published`` date (or reads
``--pred FILE.jsonl``) and prints the scores.

Scoring choices, where the gold README is silent:

* Counts are pooled over all documents (micro-averaged over documents); predictions are
  matched to gold per ``doc_id``. A gold document without a prediction counts as predicting
  nothing; predicted documents absent from the gold are ignored.
* Every matching is one-to-one. Exact matching pairs identical keys; a duplicated prediction
  is a false positive. Overlap matching is greedy: candidate pairs are taken in order of
  largest overlap (in characters), ties broken by gold then predicted offsets, so the result
  does not depend on input order.
* Empty sides: when gold and predictions are both empty, precision, recall and F1 are 1.0
  (nothing to find, nothing wrongly found); otherwise an empty denominator gives 0.0 and F1 is
  0.0 when precision + recall is 0. Field accuracies are over matched pairs, with the same
  convention (no pairs: 1.0 when both sides are empty, else 0.0).
* ``entities.by_label`` lists every schema label (a label with neither gold nor predicted
  mentions scores 1.0 by the rule above). Entity ``lenient``: the same label and overlapping spans, one-to-one by largest overlap.
* Quantity values: ``value``, ``low`` and ``high`` must each agree within 0.1% relative to the
  larger magnitude (None only agrees with None; 0 only with 0), so a range matches on low and
  high and a plain number on value.
* Claims: the quantity spans (found through each claim's ``quantity`` id in its own article)
  overlap and the subjects agree (:func:`pipeline.names.names_agree`). Candidate pairs are taken
  by largest quantity overlap, then exactly equal folded subjects first. A claim whose quantity
  id does not resolve cannot match. Field accuracies compare the referenced quantities
  (value/low/high as above, unit, qualifier) and the referenced times' *values* (both claims
  without a time, or equal values; a predicted claim whose time id does not resolve falls back to
  its ``time_value``). Values, not spans, because the value is what a user reads.
* Relations: head span, tail span (through entity ids in each article) and relation exact.
* ``entities.linking`` (extra): ``adcode_accuracy`` is, over gold PROVINCE/CITY/DISTRICT
  entities with an adcode, the share whose strictly matched prediction has the same adcode
  (an unmatched gold entity counts as wrong); ``name_accuracy`` is, over all gold place
  entities, the share whose strictly matched prediction has the same canonical ``name``
  (compared after Traditional->Simplified and width folding).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, get_args

from .schema import PLACE_LABELS, Article, Claim, Entity, EntityLabel, Quantity, Relation, TimeExpression

ENTITY_LABELS = get_args(EntityLabel)
ADCODE_LABELS = ("PROVINCE", "CITY", "DISTRICT")
RELATIVE_TOLERANCE = 0.001
CONTEXT_CHARS = 20
GATE_TOLERANCE = 0.01
GATE_COMMAND = "zhclaims eval ../shared/gold/dev --texts seeds --write-gate tests/dev_gold_scores.json"


class EvaluationInputError(ValueError):
    """The gold, texts or predictions cannot be scored as given; the message says what to fix."""


class GoldMismatchError(EvaluationInputError):
    """A gold file's ``text_sha256`` does not match the article text it labels."""


class MissingTextError(EvaluationInputError):
    """A gold file has no article text beside it in the texts folder."""


class GoldFormatError(EvaluationInputError):
    """A gold file's offsets or ids do not fit its article."""


# --------------------------------------------------------------------------- reading inputs


def read_raw(path: Path) -> str:
    """Read an article exactly as the gold counts offsets.

    Args:
        path: the article's ``.txt`` file.

    Returns:
        The text decoded as UTF-8 with no newline translation and no BOM strip.
    """
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes (the gold's ``text_sha256``)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def offset_problems(article: Article, raw: str, limit: int = 10) -> list[str]:
    """List the items whose ``text`` is not ``raw[start:end]`` and the ids that do not resolve.

    Args:
        article: a gold or predicted article.
        raw: the article's raw text.
        limit: stop after this many problems.

    Returns:
        Human-readable problem descriptions, empty when the article fits its text.
    """
    problems: list[str] = []
    for layer in ("entities", "quantities", "times"):
        for item in getattr(article, layer):
            if not (0 <= item.start <= item.end <= len(raw)) or raw[item.start:item.end] != item.text:
                problems.append(
                    f"{layer} {item.id} [{item.start}:{item.end}] text {item.text!r} "
                    f"but the article has {raw[item.start:item.end]!r} there"
                )
    entity_ids = {e.id for e in article.entities}
    quantity_ids = {q.id for q in article.quantities}
    time_ids = {t.id for t in article.times}
    for claim in article.claims:
        if claim.quantity not in quantity_ids:
            problems.append(f"claim {claim.id} names quantity {claim.quantity!r}, which does not exist")
        if claim.time is not None and claim.time not in time_ids:
            problems.append(f"claim {claim.id} names time {claim.time!r}, which does not exist")
    for relation in article.relations:
        for role in ("head", "tail"):
            if getattr(relation, role) not in entity_ids:
                problems.append(f"relation {relation.head}->{relation.tail} {role} is not an entity id")
    return problems[:limit]


def load_gold(gold_dir: Path | str, texts_dir: Path | str) -> list[tuple[Article, str]]:
    """Read every ``<doc_id>.json`` in ``gold_dir`` with its article ``<doc_id>.txt`` from ``texts_dir``.

    Each returned Article has ``source`` set to the text file that was read. A gold file
    without ``text_sha256`` (hand-made gold for a new article) skips the hash check; its
    offsets are still checked.

    Args:
        gold_dir: folder of gold annotation files (format 1).
        texts_dir: folder holding the articles the gold labels.

    Returns:
        ``(gold article, raw text)`` pairs sorted by doc_id.

    Raises:
        EvaluationInputError: ``gold_dir`` holds no gold files.
        MissingTextError: a gold file has no article text.
        GoldMismatchError: an article's SHA-256 differs from the gold's ``text_sha256``.
        GoldFormatError: a file is not valid gold, a ``text`` field differs from
            ``raw[start:end]``, or an id does not resolve.
    """
    gold_dir, texts_dir = Path(gold_dir), Path(texts_dir)
    gold_files = sorted(gold_dir.glob("*.json"))
    if not gold_files:
        raise EvaluationInputError(f"no gold files (*.json) in {gold_dir}: pass the folder that holds them")
    loaded = []
    for gold_path in gold_files:
        try:
            article = Article.model_validate_json(gold_path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise GoldFormatError(f"{gold_path} is not a gold file of format 1 (see the gold README): {error}") from error
        text_path = texts_dir / f"{article.doc_id}.txt"
        if not text_path.is_file():
            raise MissingTextError(
                f"{gold_path} labels {text_path}, which does not exist: "
                f"pass --texts the folder holding {article.doc_id}.txt"
            )
        digest = file_sha256(text_path)
        if article.text_sha256 and digest != article.text_sha256:
            raise GoldMismatchError(
                f"{gold_path} does not label {text_path}: text_sha256 is {article.text_sha256} in the gold "
                f"but {digest} for the text. Use the exact article the gold was made from "
                f"(no re-encoding or newline changes)."
            )
        raw = read_raw(text_path)
        problems = offset_problems(article, raw)
        if problems:
            raise GoldFormatError(f"{gold_path} does not fit {text_path}:\n  " + "\n  ".join(problems))
        loaded.append((article.model_copy(update={"source": str(text_path)}), raw))
    return sorted(loaded, key=lambda pair: pair[0].doc_id)


def load_predictions(path: Path | str) -> list[Article]:
    """Read predicted articles from a JSONL file (one :class:`Article` per line, as ``zhclaims extract`` writes).

    Raises:
        EvaluationInputError: a line is not a valid Article (the message names the line).
    """
    articles = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                articles.append(Article.model_validate_json(line))
            except ValueError as error:
                raise EvaluationInputError(f"{path}:{number} is not a valid Article: {error}") from error
    return articles


def run_pipeline_on_gold(gold_with_texts: Sequence[tuple[Article, str]], pipeline=None) -> list[Article]:
    """Run the pipeline on each gold article's text with the gold's doc_id and published date.

    Args:
        gold_with_texts: what :func:`load_gold` returns.
        pipeline: a built :class:`~pipeline.api.Pipeline`; ``Pipeline.load()`` when None.

    Returns:
        One predicted Article per gold article, in the same order.
    """
    from .api import Pipeline
    from .schema import InputDocument

    pipeline = pipeline or Pipeline.load()
    documents = [
        InputDocument(id=gold.doc_id, text=raw, published=gold.published, source=gold.source)
        for gold, raw in gold_with_texts
    ]
    return list(pipeline.pipe(documents))


# --------------------------------------------------------------------------- matching


Span = tuple[int, int]


def overlap(a: Span, b: Span) -> int:
    """Return the number of characters two ``(start, end)`` spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class Matching:
    """The outcome of matching one document's gold items to its predicted items.

    Attributes:
        pairs: matched ``(gold, predicted)`` items.
        missed: gold items without a match (false negatives).
        spurious: predicted items without a match (false positives).
    """

    pairs: list = field(default_factory=list)
    missed: list = field(default_factory=list)
    spurious: list = field(default_factory=list)


def match_exact(gold: Sequence, predicted: Sequence, key: Callable, predicted_key: Optional[Callable] = None) -> Matching:
    """Pair items with equal keys one-to-one, in the given order; an item whose key is None never matches.

    Args:
        gold: gold items.
        predicted: predicted items.
        key: gold item -> hashable key, or None when the item cannot be matched.
        predicted_key: the same for predicted items (default: ``key``).

    Returns:
        The :class:`Matching`.
    """
    predicted_key = predicted_key or key
    waiting: dict = defaultdict(list)
    for item in predicted:
        waiting[predicted_key(item)].append(item)
    result = Matching()
    for item in gold:
        k = key(item)
        if k is not None and waiting.get(k):
            result.pairs.append((item, waiting[k].pop(0)))
        else:
            result.missed.append(item)
    unmatched = {id(item) for items in waiting.values() for item in items}
    result.spurious = [item for item in predicted if id(item) in unmatched]
    return result


def match_overlapping(
    gold: Sequence,
    predicted: Sequence,
    span: Callable[[object], Optional[Span]],
    predicted_span: Optional[Callable[[object], Optional[Span]]] = None,
    compatible: Callable[[object, object], bool] = lambda g, p: True,
    preference: Callable[[object, object], int] = lambda g, p: 0,
) -> Matching:
    """Pair items whose spans overlap one-to-one, greedily by largest overlap.

    Args:
        gold: gold items.
        predicted: predicted items.
        span: gold item -> ``(start, end)``, or None when the item has no span (it never matches).
        predicted_span: the same for predicted items (default: ``span``).
        compatible: an extra condition a pair must meet (same label, subjects agree...).
        preference: among pairs with equal overlap, lower values are taken first.

    Returns:
        The :class:`Matching`; remaining ties are broken by gold then predicted spans and
        positions, so the result is deterministic.
    """
    predicted_span = predicted_span or span
    gold_spans = [span(g) for g in gold]
    pred_spans = [predicted_span(p) for p in predicted]
    candidates = []
    for gi, (g, gs) in enumerate(zip(gold, gold_spans)):
        if gs is None:
            continue
        for pi, (p, ps) in enumerate(zip(predicted, pred_spans)):
            if ps is None:
                continue
            shared = overlap(gs, ps)
            if shared > 0 and compatible(g, p):
                candidates.append((-shared, preference(g, p), gs, ps, gi, pi))
    candidates.sort()
    taken: dict[int, int] = {}
    matched_pred: set[int] = set()
    for *_, gi, pi in candidates:
        if gi not in taken and pi not in matched_pred:
            taken[gi] = pi
            matched_pred.add(pi)
    result = Matching()
    result.pairs = [(gold[gi], predicted[taken[gi]]) for gi in sorted(taken)]
    result.missed = [g for gi, g in enumerate(gold) if gi not in taken]
    result.spurious = [p for pi, p in enumerate(predicted) if pi not in matched_pred]
    return result


def item_span(item) -> Span:
    """Return an entity's, quantity's or time's ``(start, end)``."""
    return (item.start, item.end)


def numbers_agree(a: Optional[float], b: Optional[float], tolerance: float = RELATIVE_TOLERANCE) -> bool:
    """True when two numbers agree within ``tolerance`` relative to the larger magnitude (None only with None)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def values_agree(gold: Quantity, predicted: Quantity) -> bool:
    """True when ``value``, ``low`` and ``high`` all agree within 0.1%."""
    return all(numbers_agree(getattr(gold, f), getattr(predicted, f)) for f in ("value", "low", "high"))


class ArticleIndex:
    """Look up an article's entities, quantities and times by id."""

    def __init__(self, article: Article):
        self.article = article
        self.entities = {e.id: e for e in article.entities}
        self.quantities = {q.id: q for q in article.quantities}
        self.times = {t.id: t for t in article.times}

    def claim_quantity(self, claim: Claim) -> Optional[Quantity]:
        """The quantity a claim states, or None when its id does not resolve."""
        return self.quantities.get(claim.quantity)

    def claim_span(self, claim: Claim) -> Optional[Span]:
        """The raw span of the claim's quantity, or None."""
        quantity = self.claim_quantity(claim)
        return item_span(quantity) if quantity else None

    def claim_time_value(self, claim: Claim) -> Optional[str]:
        """The value of the time scoping the claim (``time_value`` when the id does not resolve), or None."""
        if claim.time is None:
            return None
        time = self.times.get(claim.time)
        return time.value if time is not None else claim.time_value

    def relation_key(self, relation: Relation) -> Optional[tuple]:
        """``(head span, relation, tail span)``, or None when an id does not resolve."""
        head, tail = self.entities.get(relation.head), self.entities.get(relation.tail)
        if head is None or tail is None:
            return None
        return (item_span(head), relation.relation, item_span(tail))


@dataclass
class DocumentMatchings:
    """Every layer's :class:`Matching` for one document."""

    doc_id: str
    gold: ArticleIndex
    predicted: ArticleIndex
    entities: Matching
    lenient: Matching
    quantities: Matching
    times: Matching
    claims: Matching
    relations: Matching


def _in_text_order(items: Iterable) -> list:
    return sorted(items, key=lambda x: (x.start, x.end, getattr(x, "label", "")))


def match_document(gold: Article, predicted: Article) -> DocumentMatchings:
    """Match every layer of one document's predictions to its gold.

    Args:
        gold: the gold article.
        predicted: the predicted article for the same doc_id.

    Returns:
        The :class:`DocumentMatchings`.
    """
    from .names import fold_name, names_agree

    g_index, p_index = ArticleIndex(gold), ArticleIndex(predicted)
    g_entities, p_entities = _in_text_order(gold.entities), _in_text_order(predicted.entities)

    def claims_in_order(index: ArticleIndex) -> list[Claim]:
        return sorted(index.article.claims, key=lambda c: (index.claim_span(c) or (-1, -1), c.subject, c.id))

    def relations_in_order(index: ArticleIndex) -> list[Relation]:
        return sorted(index.article.relations, key=lambda r: (index.relation_key(r) is None, index.relation_key(r) or ()))

    return DocumentMatchings(
        doc_id=gold.doc_id,
        gold=g_index,
        predicted=p_index,
        entities=match_exact(g_entities, p_entities, key=lambda e: (e.start, e.end, e.label)),
        lenient=match_overlapping(g_entities, p_entities, item_span, compatible=lambda g, p: g.label == p.label),
        quantities=match_overlapping(_in_text_order(gold.quantities), _in_text_order(predicted.quantities), item_span),
        times=match_overlapping(_in_text_order(gold.times), _in_text_order(predicted.times), item_span),
        claims=match_overlapping(
            claims_in_order(g_index),
            claims_in_order(p_index),
            span=g_index.claim_span,
            predicted_span=p_index.claim_span,
            compatible=lambda g, p: names_agree(g.subject, p.subject),
            preference=lambda g, p: 0 if fold_name(g.subject) == fold_name(p.subject) else 1,
        ),
        relations=match_exact(
            relations_in_order(g_index),
            relations_in_order(p_index),
            key=g_index.relation_key,
            predicted_key=p_index.relation_key,
        ),
    )


# --------------------------------------------------------------------------- scoring


def prf(true_positives: int, gold_count: int, predicted_count: int) -> dict:
    """Precision, recall and F1 from counts (1.0 when both sides are empty, 0.0 for another empty denominator).

    Args:
        true_positives: matched pairs.
        gold_count: gold items.
        predicted_count: predicted items.

    Returns:
        ``{"precision", "recall", "f1"}`` rounded to 4 decimals.
    """
    if gold_count == 0 and predicted_count == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    precision = true_positives / predicted_count if predicted_count else 0.0
    recall = true_positives / gold_count if gold_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def accuracy(correct: int, matched: int, gold_count: int, predicted_count: int) -> float:
    """Share of matched pairs that are correct (1.0 when both sides are empty, 0.0 with no pairs otherwise)."""
    if matched:
        return round(correct / matched, 4)
    return 1.0 if gold_count == 0 and predicted_count == 0 else 0.0


@dataclass
class LayerCounts:
    """Pooled counts of one layer over all documents: matched pairs, gold and predicted items, correct fields."""

    matched: int = 0
    gold: int = 0
    predicted: int = 0
    correct: Counter = field(default_factory=Counter)

    def add(self, matching: Matching) -> None:
        """Add one document's matching."""
        self.matched += len(matching.pairs)
        self.gold += len(matching.pairs) + len(matching.missed)
        self.predicted += len(matching.pairs) + len(matching.spurious)

    def prf(self) -> dict:
        """Precision, recall and F1 of these counts."""
        return prf(self.matched, self.gold, self.predicted)

    def accuracy(self, field_name: str) -> float:
        """Share of matched pairs whose ``field_name`` is right."""
        return accuracy(self.correct[field_name], self.matched, self.gold, self.predicted)


def quantity_fields(gold: Optional[Quantity], predicted: Optional[Quantity]) -> dict[str, bool]:
    """Which of value (value/low/high), unit and qualifier agree between two quantities."""
    if gold is None or predicted is None:
        return {"value": False, "unit": False, "qualifier": False}
    return {
        "value": values_agree(gold, predicted),
        "unit": gold.unit == predicted.unit,
        "qualifier": gold.qualifier == predicted.qualifier,
    }


def claim_fields(gold: Claim, predicted: Claim, gold_index: ArticleIndex, predicted_index: ArticleIndex) -> dict[str, bool]:
    """Which of value, unit, qualifier and time agree between two matched claims (through their referenced items)."""
    fields = quantity_fields(gold_index.claim_quantity(gold), predicted_index.claim_quantity(predicted))
    fields["time"] = gold_index.claim_time_value(gold) == predicted_index.claim_time_value(predicted)
    return fields


def match_all(gold: Sequence[Article], predicted: Sequence[Article]) -> list[DocumentMatchings]:
    """Match each gold article to the predicted article with its doc_id (an empty one when there is none).

    Args:
        gold: gold articles.
        predicted: predicted articles; those whose doc_id is not in the gold are ignored.

    Returns:
        One :class:`DocumentMatchings` per gold article, sorted by doc_id.

    Raises:
        EvaluationInputError: two gold (or two predicted) articles share a doc_id.
    """
    for name, articles in (("gold", gold), ("predicted", predicted)):
        repeated = sorted(doc_id for doc_id, n in Counter(a.doc_id for a in articles).items() if n > 1)
        if repeated:
            raise EvaluationInputError(f"{name} articles repeat doc_id {', '.join(repeated)}: give each document once")
    by_id = {article.doc_id: article for article in predicted}
    return [
        match_document(g, by_id.get(g.doc_id) or Article(doc_id=g.doc_id))
        for g in sorted(gold, key=lambda a: a.doc_id)
    ]


def score(gold: Sequence[Article], predicted: Sequence[Article]) -> dict:
    """Score predicted articles against gold, matched per doc_id (see the module docstring for the rules).

    Args:
        gold: gold articles.
        predicted: predicted articles.

    Returns:
        ``{"entities": {"micro", "by_label", "lenient", "linking"}, "quantities": {"span",
        "value_accuracy", "unit_accuracy", "qualifier_accuracy"}, "times": {"span",
        "value_accuracy"}, "claims": {"precision", "recall", "f1", "field_accuracy"},
        "relations": {"precision", "recall", "f1"}, "documents": N}`` with pooled counts
        under each layer's ``counts``.
    """
    return score_matchings(match_all(gold, predicted))


def score_matchings(documents: Sequence[DocumentMatchings]) -> dict:
    """Turn per-document matchings into the score report (see :func:`score`)."""
    strict, lenient = LayerCounts(), LayerCounts()
    quantities, times, claims, relations = LayerCounts(), LayerCounts(), LayerCounts(), LayerCounts()
    label_counts: dict[str, LayerCounts] = defaultdict(LayerCounts)
    lenient_labels: dict[str, LayerCounts] = defaultdict(LayerCounts)
    linking = Counter()
    for doc in documents:
        strict.add(doc.entities)
        lenient.add(doc.lenient)
        _count_by_label(label_counts, doc.entities)
        _count_by_label(lenient_labels, doc.lenient)
        linking.update(_linking_counts(doc.entities))
        quantities.add(doc.quantities)
        for g, p in doc.quantities.pairs:
            quantities.correct.update(k for k, ok in quantity_fields(g, p).items() if ok)
        times.add(doc.times)
        times.correct["value"] += sum(g.value == p.value for g, p in doc.times.pairs)
        claims.add(doc.claims)
        for g, p in doc.claims.pairs:
            claims.correct.update(k for k, ok in claim_fields(g, p, doc.gold, doc.predicted).items() if ok)
        relations.add(doc.relations)
    labels = list(ENTITY_LABELS) + sorted(set(label_counts) - set(ENTITY_LABELS))
    return {
        "entities": {
            "micro": strict.prf(),
            "by_label": {label: _with_support(label_counts[label]) for label in labels},
            "lenient": {
                **lenient.prf(),
                "by_label": {label: _with_support(lenient_labels[label]) for label in labels},
            },
            "linking": {
                "adcode_accuracy": accuracy(linking["adcode_right"], linking["adcode_gold"], linking["adcode_gold"], 0),
                "adcode_support": linking["adcode_gold"],
                "name_accuracy": accuracy(linking["name_right"], linking["name_gold"], linking["name_gold"], 0),
                "name_support": linking["name_gold"],
            },
            "counts": _counts(strict),
        },
        "quantities": {
            "span": quantities.prf(),
            "value_accuracy": quantities.accuracy("value"),
            "unit_accuracy": quantities.accuracy("unit"),
            "qualifier_accuracy": quantities.accuracy("qualifier"),
            "counts": _counts(quantities),
        },
        "times": {
            "span": times.prf(),
            "value_accuracy": times.accuracy("value"),
            "counts": _counts(times),
        },
        "claims": {
            **claims.prf(),
            "field_accuracy": {name: claims.accuracy(name) for name in ("value", "unit", "qualifier", "time")},
            "counts": _counts(claims),
        },
        "relations": {**relations.prf(), "counts": _counts(relations)},
        "documents": len(documents),
    }


def _count_by_label(counts: dict[str, LayerCounts], matching: Matching) -> None:
    for g, _ in matching.pairs:
        counts[g.label].matched += 1
        counts[g.label].gold += 1
        counts[g.label].predicted += 1
    for g in matching.missed:
        counts[g.label].gold += 1
    for p in matching.spurious:
        counts[p.label].predicted += 1


def _with_support(counts: LayerCounts) -> dict:
    return {**counts.prf(), "support": counts.gold}


def _counts(counts: LayerCounts) -> dict:
    return {"gold": counts.gold, "predicted": counts.predicted, "matched": counts.matched}


def _linking_counts(matching: Matching) -> Counter:
    """Count gold places with an adcode / a name, and those whose strictly matched prediction agrees."""
    from .s1_normalize import normalize_text

    matched = {id(g): p for g, p in matching.pairs}
    counts = Counter()
    for g in [g for g, _ in matching.pairs] + list(matching.missed):
        if g.label not in PLACE_LABELS:
            continue
        p = matched.get(id(g))
        counts["name_gold"] += 1
        counts["name_right"] += p is not None and normalize_text(p.name) == normalize_text(g.name)
        if g.label in ADCODE_LABELS and g.adcode:
            counts["adcode_gold"] += 1
            counts["adcode_right"] += p is not None and p.adcode == g.adcode
    return counts


# --------------------------------------------------------------------------- error listing


def context(raw: Optional[str], start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """Return ``width`` characters either side of ``raw[start:end]`` with the span in brackets, newlines as ⏎."""
    if not raw:
        return ""
    text = f"{raw[max(0, start - width):start]}[{raw[start:end]}]{raw[end:end + width]}"
    return text.replace("\r", "").replace("\n", "⏎").replace("\t", " ")


def _entity_detail(entity: Entity) -> dict:
    return {"label": entity.label, "name": entity.name, "adcode": entity.adcode}


def _quantity_detail(quantity: Quantity) -> dict:
    return {f: getattr(quantity, f) for f in ("value", "low", "high", "unit", "qualifier")}


def _time_detail(time: TimeExpression) -> dict:
    return {"value": time.value, "as_of": time.as_of}


def _claim_detail(claim: Claim, index: ArticleIndex) -> dict:
    quantity = index.claim_quantity(claim)
    return {
        "subject": claim.subject,
        "subject_label": claim.subject_label,
        "predicate": claim.predicate,
        **(_quantity_detail(quantity) if quantity else {"quantity": claim.quantity}),
        "time": index.claim_time_value(claim),
    }


def _relation_detail(relation: Relation, index: ArticleIndex) -> dict:
    head, tail = index.entities.get(relation.head), index.entities.get(relation.tail)
    return {
        "relation": relation.relation,
        "head": head.text if head else relation.head,
        "tail": tail.text if tail else relation.tail,
        "tail_span": list(item_span(tail)) if tail else None,
    }


def errors(gold: Sequence[Article], predicted: Sequence[Article], texts: Optional[dict[str, str]] = None) -> list[dict]:
    """List every false positive and false negative of every layer, and matched pairs with a wrong field.

    Args:
        gold: gold articles.
        predicted: predicted articles (matched per doc_id as in :func:`score`).
        texts: doc_id -> raw text, for the ``context`` column (empty without it).

    Returns:
        Records ``{"layer", "kind", "doc_id", "start", "end", "text", "detail", "context"}``
        where kind is ``false_positive``, ``false_negative`` or ``wrong_<field>`` (detail then
        holds ``gold`` and ``predicted``). Claims and relations are placed at their quantity's
        and head's span. Sorted by document, layer, offsets.
    """
    texts = texts or {}
    records: list[dict] = []
    for doc in match_all(gold, predicted):
        raw = texts.get(doc.doc_id)

        def record(layer: str, kind: str, span: Optional[Span], detail: dict) -> None:
            start, end = span if span else (-1, -1)
            records.append({
                "layer": layer,
                "kind": kind,
                "doc_id": doc.doc_id,
                "start": start,
                "end": end,
                "text": raw[start:end] if raw and span else "",
                "detail": detail,
                "context": context(raw, start, end) if span else "",
            })

        layers = (
            ("entities", doc.entities, item_span, item_span, lambda e, _: _entity_detail(e)),
            ("quantities", doc.quantities, item_span, item_span, lambda q, _: _quantity_detail(q)),
            ("times", doc.times, item_span, item_span, lambda t, _: _time_detail(t)),
            ("claims", doc.claims, doc.gold.claim_span, doc.predicted.claim_span, _claim_detail),
            ("relations", doc.relations, _head_span(doc.gold), _head_span(doc.predicted), _relation_detail),
        )
        for layer, matching, gold_span, pred_span, detail in layers:
            for item in matching.missed:
                record(layer, "false_negative", gold_span(item), detail(item, doc.gold))
            for item in matching.spurious:
                record(layer, "false_positive", pred_span(item), detail(item, doc.predicted))
        for g, p in doc.quantities.pairs:
            _record_wrong_fields(record, "quantities", item_span(p), quantity_fields(g, p), _quantity_detail(g), _quantity_detail(p))
        for g, p in doc.times.pairs:
            _record_wrong_fields(record, "times", item_span(p), {"value": g.value == p.value}, _time_detail(g), _time_detail(p))
        for g, p in doc.claims.pairs:
            _record_wrong_fields(
                record, "claims", doc.predicted.claim_span(p), claim_fields(g, p, doc.gold, doc.predicted),
                _claim_detail(g, doc.gold), _claim_detail(p, doc.predicted),
            )
    layer_order = {name: i for i, name in enumerate(("entities", "quantities", "times", "claims", "relations"))}
    records.sort(key=lambda r: (r["doc_id"], layer_order[r["layer"]], r["start"], r["end"], r["kind"]))
    return records


def _head_span(index: ArticleIndex) -> Callable[[Relation], Optional[Span]]:
    def span(relation: Relation) -> Optional[Span]:
        head = index.entities.get(relation.head)
        return item_span(head) if head else None

    return span


def _record_wrong_fields(record: Callable, layer: str, span: Optional[Span], fields: dict[str, bool], gold: dict, predicted: dict) -> None:
    for name, ok in fields.items():
        if not ok:
            record(layer, f"wrong_{name}", span, {"gold": gold, "predicted": predicted})


ERROR_COLUMNS = ("layer", "kind", "doc_id", "start", "end", "text", "detail", "context")


def write_errors(records: Sequence[dict], path: Path | str) -> None:
    """Write error records as TSV when ``path`` ends in ``.tsv``, else as JSONL.

    Args:
        records: what :func:`errors` returns.
        path: the output file.
    """
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".tsv":
            handle.write("\t".join(ERROR_COLUMNS) + "\n")
            for r in records:
                handle.write("\t".join(_tsv_cell(r[c]) for c in ERROR_COLUMNS) + "\n")
        else:
            for r in records:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


def _tsv_cell(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
    return text.replace("\t", " ").replace("\r", "").replace("\n", "⏎")


# --------------------------------------------------------------------------- headline figures and the gate


def headline_figures(report: dict) -> dict[str, float]:
    """Return the figures the regression gate guards, by dotted path into the report.

    Args:
        report: what :func:`score` returns.

    Returns:
        ``{"entities.micro.f1": ..., "entities.by_label.CITY.f1": ..., ...}`` in a fixed order.
    """
    paths = ["entities.micro.f1"]
    paths += [f"entities.by_label.{label}.f1" for label in ("PROVINCE", "CITY", "DISTRICT", "STREET", "COMPANY")]
    paths += ["quantities.span.f1", "quantities.value_accuracy", "quantities.unit_accuracy", "quantities.qualifier_accuracy"]
    paths += ["times.span.f1", "times.value_accuracy", "claims.f1", "relations.f1"]
    return {path: _lookup(report, path) for path in paths}


def _lookup(report: dict, path: str) -> float:
    value = report
    for key in path.split("."):
        value = value[key]
    return value


def gate_failures(current: dict[str, float], committed: dict[str, float], tolerance: float = GATE_TOLERANCE) -> list[str]:
    """List the committed figures that ``current`` falls below by more than ``tolerance``.

    Args:
        current: today's :func:`headline_figures`.
        committed: the figures in the committed gate file.
        tolerance: how far a figure may fall before it counts.

    Returns:
        One line per fallen or missing figure, empty when the gate passes.
    """
    failures = []
    for path, floor in sorted(committed.items()):
        if path not in current:
            failures.append(f"{path}: committed {floor:.4f}, no longer reported")
        elif current[path] < floor - tolerance:
            failures.append(f"{path}: {current[path]:.4f} < committed {floor:.4f} (fell by {floor - current[path]:.4f})")
    return failures


def write_gate(report: dict, path: Path | str, command: str = GATE_COMMAND) -> None:
    """Write the report's headline figures as the regression gate file.

    Args:
        report: what :func:`score` returns.
        path: the gate file (``tests/dev_gold_scores.json``).
        command: the command that regenerates it (stored for the reader).
    """
    content = {"command": command, "tolerance": GATE_TOLERANCE, "documents": report["documents"], "figures": headline_figures(report)}
    Path(path).write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- table and CLI


def _row(cells: Iterable) -> str:
    return "| " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells) + " |"


def format_table(report: dict) -> str:
    """Render a score report as Markdown tables (entities by label, the other layers, claim fields).

    Args:
        report: what :func:`score` returns.

    Returns:
        The tables as text, ready to paste into a README.
    """
    entities = report["entities"]
    lines = [f"Documents: {report['documents']}", "", "| entities (exact span + label) | P | R | F1 | support |", "|---|---|---|---|---|"]
    for label, s in entities["by_label"].items():
        lines.append(_row([label, s["precision"], s["recall"], s["f1"], s["support"]]))
    micro, lenient = entities["micro"], entities["lenient"]
    lines.append(_row(["**micro**", micro["precision"], micro["recall"], micro["f1"], entities["counts"]["gold"]]))
    lines.append(_row(["lenient (overlap)", lenient["precision"], lenient["recall"], lenient["f1"], entities["counts"]["gold"]]))
    linking = entities["linking"]
    lines += [
        "",
        f"Place linking: adcode right for {linking['adcode_accuracy']:.3f} of {linking['adcode_support']} gold "
        f"PROVINCE/CITY/DISTRICT; canonical name right for {linking['name_accuracy']:.3f} of {linking['name_support']} gold places.",
        "",
        "| layer | P | R | F1 | gold | predicted | accuracy of matched |",
        "|---|---|---|---|---|---|---|",
    ]
    q, t, c, r = report["quantities"], report["times"], report["claims"], report["relations"]
    layers = (
        ("quantities (span overlap)", q["span"], q["counts"],
         f"value {q['value_accuracy']:.3f} · unit {q['unit_accuracy']:.3f} · qualifier {q['qualifier_accuracy']:.3f}"),
        ("times (span overlap)", t["span"], t["counts"], f"value {t['value_accuracy']:.3f}"),
        ("claims (quantity overlap + subject)", c, c["counts"],
         " · ".join(f"{name} {value:.3f}" for name, value in c["field_accuracy"].items())),
        ("relations (exact)", r, r["counts"], ""),
    )
    for name, s, counts, fields in layers:
        lines.append(_row([name, s["precision"], s["recall"], s["f1"], counts["gold"], counts["predicted"], fields]))
    return "\n".join(lines)


def warn_about_offsets(predicted: Sequence[Article], texts: dict[str, str], limit: int = 3) -> int:
    """Print to stderr the predicted items whose ``text`` is not ``raw[start:end]`` or whose ids do not resolve.

    Args:
        predicted: predicted articles.
        texts: doc_id -> raw text (articles without one are skipped).
        limit: problems shown per article.

    Returns:
        The number of articles with problems.
    """
    troubled = 0
    for article in sorted(predicted, key=lambda a: a.doc_id):
        raw = texts.get(article.doc_id)
        problems = offset_problems(article, raw, limit) if raw is not None else []
        if problems:
            troubled += 1
            print(f"zhclaims eval: warning: predictions for {article.doc_id} do not fit the text "
                  f"(offsets must be raw offsets):\n  " + "\n  ".join(problems), file=sys.stderr)
    return troubled


def parse_overrides(assignments: Sequence[str]) -> dict:
    """Turn ``KEY=VALUE`` strings into :meth:`Pipeline.load` keyword overrides (dots become ``__``).

    Args:
        assignments: e.g. ``["components.claims.mode=rules"]``; VALUE is read as JSON when it parses, else as a string.

    Returns:
        ``{"components__claims__mode": "rules"}``.

    Raises:
        EvaluationInputError: an assignment has no ``=``.
    """
    overrides = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key:
            raise EvaluationInputError(f"--set {assignment!r}: write KEY=VALUE, e.g. components.claims.mode=rules")
        try:
            overrides[key.strip().replace(".", "__")] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key.strip().replace(".", "__")] = value
    return overrides


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``zhclaims eval`` arguments."""
    parser.description = "Score the pipeline (or --pred predictions) against gold annotation files."
    parser.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of <doc_id>.json gold files")
    parser.add_argument("--texts", required=True, metavar="TEXT_DIR", help="folder of the <doc_id>.txt articles the gold labels")
    parser.add_argument("--pred", metavar="FILE.jsonl", help="score these predictions (one Article per line) instead of running the pipeline")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--errors", metavar="FILE", help="write every false positive/negative and wrong field (JSONL, or TSV when FILE ends in .tsv)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="pipeline config override, e.g. components.claims.mode=rules (repeatable; VALUE is JSON or a string)")
    parser.add_argument("--write-gate", metavar="FILE", help="also write the headline figures as the regression gate file (tests/dev_gold_scores.json)")


def run(args: argparse.Namespace) -> int:
    """Run ``zhclaims eval``: load gold and texts, predict or read predictions, score, print."""
    try:
        gold_with_texts = load_gold(args.gold_dir, args.texts)
        if args.pred:
            predicted = load_predictions(args.pred)
        else:
            from .api import Pipeline

            overrides = parse_overrides(args.overrides)
            predicted = run_pipeline_on_gold(gold_with_texts, Pipeline.load(**overrides))
        gold = [article for article, _ in gold_with_texts]
        report = score(gold, predicted)
    except (EvaluationInputError, FileNotFoundError) as error:
        print(f"zhclaims eval: error: {error}", file=sys.stderr)
        return 2
    texts = {article.doc_id: raw for article, raw in gold_with_texts}
    missing = sorted(set(texts) - {article.doc_id for article in predicted})
    if missing:
        print(f"zhclaims eval: warning: no prediction for {len(missing)} of {len(texts)} gold documents "
              f"(scored as predicting nothing): {', '.join(missing[:5])}", file=sys.stderr)
    warn_about_offsets(predicted, texts)
    if args.errors:
        write_errors(errors(gold, predicted, texts), args.errors)
    if args.write_gate:
        write_gate(report, args.write_gate)
    print(json.dumps(report, ensure_ascii=False) if args.json else format_table(report))
    return 0
