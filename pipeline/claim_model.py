"""The claims stage's candidate scorer: features, training, cross-validation and the ablation.

For every quantity the stage (:mod:`pipeline.s9_claims`) gathers candidate subjects; this module
describes each candidate by a few dozen positional and lexical features
(:func:`candidate_features`) and scores it with an L2-regularised logistic regression (numpy, no
other dependency). The best-scoring candidate becomes the subject when its probability clears a
threshold; below it the quantity gets no claim.

Two variants are trained: ``combined`` (the rules' choice is one feature) and ``model`` (no rule
feature). Both are stored in ``models/claims/scorer.json``.

Training data are the gold files: the pipeline runs up to sentences and the gold entities,
quantities and times are filled in (:func:`oracle_doc`), so the scorer learns subject choice
given correct mentions. Cross-validation is by document (leave one document out): no document
is ever scored by a model that saw it.

Commands::

    python -m pipeline.claim_model train   # fit on all gold docs, write models/claims/scorer.json
    python -m pipeline.claim_model cv      # leave-one-document-out ablation: rules / model / combined
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .names import fold_name, names_agree
from .resources import MODELS_DIR, model_path
from .schema import Article, Entity, Quantity, TimeExpression

SCORER_VERSION = "2"
ORACLE_PRODUCER = "rule:gold-oracle"
DEFAULT_GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "gold" / "dev"
DEFAULT_TEXTS = Path(__file__).resolve().parent.parent / "seeds"
L2_CHOICES = (3.0, 10.0, 30.0, 100.0)
THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)

LABELS = ("PROVINCE", "CITY", "DISTRICT", "STREET", "COMMUNITY", "COMPANY", "OTHER")
KINDS = ("entity", "phrase", "quoted", "person", "collective")
FEATURE_NAMES = (
    [f"label_{label}" for label in LABELS]
    + [f"kind_{kind}" for kind in KINDS]
    + [
        "only_topic", "only_carry",
        "in_clause_before", "in_clause_after", "in_sentence_before", "in_sentence_after",
        "in_previous_sentences", "log_distance", "nearest_before", "first_in_sentence",
        "clause_initial", "list_member", "counted_by_quantity", "prefix_of_next", "followed_by_de",
        "counted_noun", "collective_in_clause", "collective_in_sentence", "previous_subject",
        "previous_in_sentence", "previous_in_paragraph", "qizhong_previous", "trigger_between",
        "delimiters_between", "log_mentions_doc", "log_mentions_paragraph", "person_age",
        "after_locative", "has_entity_mention", "adjacent_before", "encloses_other", "most_specific_place",
        "after_place_prefix", "quoted_modifier", "described_after",
        "name_in_subject_position", "entity_in_subject_position", "clause_subject_before",
        "speaker_before_quote", "main_entity",
        "rule_chosen_in_clause", "rule_chosen_in_sentence", "rule_chosen_from_context",
    ]
)
# The rules' choice, split by how much the rule that made it reads (how far it trusts the text).
RULE_TIERS = {
    "enum-respectively": "rule_chosen_in_clause", "described-after": "rule_chosen_in_clause",
    "qizhong-carry": "rule_chosen_in_clause", "collective": "rule_chosen_in_clause",
    "clause-subject": "rule_chosen_in_clause",
    "sentence-carry": "rule_chosen_in_sentence", "collective-sentence": "rule_chosen_in_sentence", "sentence-subject": "rule_chosen_in_sentence",
    "carry-over": "rule_chosen_from_context", "topic": "rule_chosen_from_context",
}
RULE_FEATURES = tuple(sorted(set(RULE_TIERS.values())))


# --------------------------------------------------------------------------- features


def candidate_features(context, site, candidate, rule_chosen: Optional[str], previous,
                       paragraph_counts: Optional[dict] = None) -> dict[str, float]:
    """Describe one candidate subject of one quantity.

    Args:
        context: the document's :class:`~pipeline.s9_claims.DocContext`.
        site: the quantity's :class:`~pipeline.s9_claims.QuantitySite`.
        candidate: the :class:`~pipeline.s9_claims.Candidate`.
        rule_chosen: the id of the rule that picked this candidate, or None.
        previous: ``(site, candidate)`` of the previous quantity's subject, or None.
        paragraph_counts: folded name -> mentions in the paragraph before the quantity
            (computed here when not given).

    Returns:
        Feature name -> value (names from :data:`FEATURE_NAMES`).
    """
    from . import s9_claims as rules

    text = context.text
    m = candidate.mention
    s_start, s_end = context.sentences[site.sentence]
    c_start, c_end = site.clause
    before = m.end <= site.start
    in_sentence = s_start <= m.start < s_end
    in_clause = c_start <= m.start < c_end
    f = dict.fromkeys(FEATURE_NAMES, 0.0)
    f[f"label_{candidate.label}"] = 1.0
    f[f"kind_{m.kind}"] = 1.0
    f["only_topic"] = float(candidate.sources == {"topic"})
    f["only_carry"] = float(candidate.sources == {"carry"})
    f["in_clause_before"] = float(in_clause and before)
    f["in_clause_after"] = float(in_clause and not before)
    f["in_sentence_before"] = float(in_sentence and not in_clause and before)
    f["in_sentence_after"] = float(in_sentence and not in_clause and not before)
    f["in_previous_sentences"] = float(not in_sentence)
    distance = site.start - m.end if before else m.start - site.end
    f["log_distance"] = math.log1p(max(distance, 0)) / 5.0
    f["clause_initial"] = float(context.fact(rules.clause_initial, m))
    f["list_member"] = float(rules.is_list_member(text, m))
    f["counted_by_quantity"] = float(rules.counted_by(text, m, site))
    f["prefix_of_next"] = float(m.kind == "entity" and context.fact(rules.is_prefix_of_next, m))
    f["followed_by_de"] = float(text[m.end:m.end + 1] == "的")
    f["counted_noun"] = float(not before and m.start - site.end <= 1)
    if candidate.collective is not None:
        f["collective_in_clause"] = float(c_start <= candidate.collective.start < site.start)
        f["collective_in_sentence"] = float(s_start <= candidate.collective.start < site.start)
    if previous is not None and previous[1].key == candidate.key:
        f["previous_subject"] = 1.0
        f["previous_in_sentence"] = float(previous[0].sentence == site.sentence)
        f["previous_in_paragraph"] = float(previous[0].paragraph == site.paragraph)
        f["qizhong_previous"] = float(text.startswith("其中", c_start))
    if before and in_sentence:
        f["trigger_between"] = float(rules.trigger_between(text, m.end, site.start))
        between = text[m.end:site.start]
        f["delimiters_between"] = min(sum(between.count(ch) for ch in rules.CLAUSE_DELIMITERS), 3) / 3
    f["log_mentions_doc"] = math.log1p(context.mention_counts.get(candidate.key, 0)) / 3.0
    if paragraph_counts is None:
        paragraph_counts = mentions_in_paragraph(context, site)
    f["log_mentions_paragraph"] = math.log1p(paragraph_counts.get(candidate.key, 0)) / 3.0
    f["person_age"] = float(m.kind == "person" and site.quantity.unit == "岁")
    f["after_locative"] = float(text[max(0, m.start - 2):m.start].endswith(("在", "走进", "位于", "地处")))
    f["has_entity_mention"] = float(candidate.entity_mention is not None)
    f["adjacent_before"] = float(before and site.start - m.end <= 1)
    f["encloses_other"] = float(rules.encloses_other(context, m, s_start, site.start))
    f["after_place_prefix"] = float(context.fact(rules.after_place_prefix, m))
    f["quoted_modifier"] = float(rules.quoted_modifier(context, m))
    other_name = m.kind in ("phrase", "quoted", "person")
    f["name_in_subject_position"] = float(other_name and f["clause_initial"] and before and in_sentence)
    f["entity_in_subject_position"] = float(m.kind == "entity" and f["clause_initial"] and before and in_sentence)
    f["clause_subject_before"] = float(f["clause_initial"] and f["in_clause_before"])
    f["speaker_before_quote"] = float(before and in_sentence and rules.quote_opens_between(text, m.end, site.start))
    f["main_entity"] = float(context.main_entity is not None and fold_name(context.main_entity) == candidate.key)
    if rule_chosen in RULE_TIERS:
        f[RULE_TIERS[rule_chosen]] = 1.0
    return f


def mentions_in_paragraph(context, site) -> dict[str, int]:
    """Return folded name -> how often it is mentioned in the quantity's paragraph before it."""
    counts: dict[str, int] = {}
    for x in context.mentions_between(site.paragraph_start, site.start):
        key = fold_name(x.name)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _nearest_flags(rows: list[dict], candidates, site) -> None:
    """Mark the nearest and the first in-sentence candidate before the quantity (relative features)."""
    before = [(c.mention.end, i) for i, c in enumerate(candidates)
              if rows[i]["in_clause_before"] or rows[i]["in_sentence_before"]]
    depth = {label: i for i, label in enumerate(("PROVINCE", "CITY", "DISTRICT", "STREET", "COMMUNITY"))}
    places = [(depth[c.label], i) for i, c in enumerate(candidates)
              if c.label in depth and (rows[i]["in_clause_before"] or rows[i]["in_sentence_before"])]
    if places:
        rows[max(places)[1]]["most_specific_place"] = 1.0
    if before:
        rows[max(before)[1]]["nearest_before"] = 1.0
        rows[min((c.mention.start, i) for _, i in before for c in [candidates[i]])[1]]["first_in_sentence"] = 1.0


def group_features(context, site, candidates, decision, previous) -> list[dict]:
    """Return the feature rows of all candidates of one quantity (``decision``: the rules' :class:`RuleDecision`)."""
    counts = mentions_in_paragraph(context, site)
    rows = [candidate_features(context, site, c, decision.rule if decision.index == i else None, previous, counts)
            for i, c in enumerate(candidates)]
    _nearest_flags(rows, candidates, site)
    from .s9_claims import described_after

    described = described_after(context, site, candidates)
    if described is not None:
        rows[described]["described_after"] = 1.0
    return rows


# --------------------------------------------------------------------------- the scorer


@dataclass
class Scorer:
    """A logistic-regression candidate scorer over named features.

    Attributes:
        feature_names: the features it reads, in weight order.
        weights: one weight per feature (on standardised values).
        bias: the intercept.
        mean: feature means used for standardising.
        scale: feature standard deviations used for standardising.
        threshold: the lowest best-candidate probability that still makes a claim.
        version: model version string.
        l2: the regularisation strength it was fitted with.
    """

    feature_names: list[str]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    version: str = SCORER_VERSION
    l2: float = 0.0


    def score(self, rows: Sequence[dict]) -> list[float]:
        """Return the probability that each candidate of one quantity is its subject (softmax over the group).

        Standardising shifts every candidate's score by the same constant, which the softmax
        cancels, so only the non-zero features of a row are read (weights divided by the scales).
        """
        if not rows:
            return []
        weights = self.unscaled_weights
        z = [sum(value * weights[name] for name, value in row.items() if value and name in weights) for row in rows]
        top = max(z)
        exps = [math.exp(v - top) for v in z]
        total = sum(exps)
        return [v / total for v in exps]

    @cached_property
    def unscaled_weights(self) -> dict[str, float]:
        """Feature name -> weight divided by the feature's scale, for the non-zero weights."""
        return {name: float(w / s) for name, w, s in zip(self.feature_names, self.weights, self.scale) if w}

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "feature_names": self.feature_names,
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "threshold": self.threshold,
            "l2": self.l2,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Scorer":
        return cls(list(data["feature_names"]), np.array(data["weights"]), float(data["bias"]),
                   np.array(data["mean"]), np.array(data["scale"]), float(data["threshold"]), data["version"],
                   float(data.get("l2", 0.0)))


def feature_names_for(mode: str) -> list[str]:
    """Return the features of a scorer variant: ``combined`` has the rule features, ``model`` not."""
    return [n for n in FEATURE_NAMES if mode == "combined" or n not in RULE_FEATURES]


def fit_ranker(groups: Sequence[tuple[np.ndarray, np.ndarray]], l2: float, iterations: int = 30) -> np.ndarray:
    """Fit a conditional-logit ranker (softmax over each quantity's candidates) by Newton's method.

    The loss of a group is ``-log`` of the softmax mass on its gold candidates; groups without a
    gold candidate are skipped. An L2 penalty keeps the weights small.

    Args:
        groups: ``(standardised features, 0/1 labels)`` per quantity.
        l2: regularisation strength.
        iterations: Newton steps.

    Returns:
        The weights, one per feature.
    """
    usable = [(x, y) for x, y in groups if y.any() and len(y) > 1]
    d = usable[0][0].shape[1] if usable else 0
    w = np.zeros(d)
    for _ in range(iterations):
        gradient, hessian = l2 * w, l2 * np.eye(d)
        for x, y in usable:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            q = p * y
            q = q / q.sum() if q.sum() > 0 else y / y.sum()  # gold candidates scored to zero: weigh them evenly
            mean_p, mean_q = p @ x, q @ x
            gradient += mean_p - mean_q
            hessian += (x * p[:, None]).T @ x - np.outer(mean_p, mean_p)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(d), gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return w


# --------------------------------------------------------------------------- data


def oracle_doc(pipeline, gold_article: Article, raw: str):
    """Run the pipeline up to sentences, then fill entities, quantities and times from gold.

    Args:
        pipeline: a :class:`pipeline.Pipeline`.
        gold_article: the gold :class:`~pipeline.schema.Article` of ``raw``.
        raw: the article's raw text.

    Returns:
        The spaCy ``Doc`` ready for the claims stage, every gold item with provenance
        ``rule:gold-oracle`` (claims given gold mentions, for training and the ablation).
    """
    from .extensions import provenance

    doc = pipeline.make_doc(raw, published=gold_article.published, doc_id=gold_article.doc_id,
                            source=gold_article.source)
    for name, component in pipeline.nlp.pipeline:
        doc = component(doc)
        if name == "sentences":
            break

    def with_provenance(items, model):
        return [model.model_validate({**item.model_dump(exclude={"provenance"}),
                                      "provenance": provenance(doc, item.start, item.end, ORACLE_PRODUCER, "gold")})
                for item in items]

    doc._.entities = with_provenance(gold_article.entities, Entity)
    doc._.quantities = with_provenance(gold_article.quantities, Quantity)
    doc._.times = with_provenance(gold_article.times, TimeExpression)
    doc._.relations = list(gold_article.relations)
    doc._.claims = []
    return doc


@dataclass
class Group:
    """The candidates of one quantity with their features and gold labels."""

    doc_id: str
    rows: list[dict]
    labels: list[int]
    has_gold: bool


def gold_subjects(gold_article: Article) -> dict[str, str]:
    """Return quantity id -> gold subject name."""
    return {c.quantity: c.subject for c in gold_article.claims}


def training_groups(doc, gold_article: Article) -> list[Group]:
    """Build the candidate groups of one oracle doc, labelled against gold (teacher-forced carry-over).

    Args:
        doc: an oracle doc (:func:`oracle_doc`).
        gold_article: its gold.

    Returns:
        One :class:`Group` per quantity with at least one candidate.
    """
    from . import s9_claims as rules

    subjects = gold_subjects(gold_article)
    context = rules.build_context(doc)
    groups, previous = [], None
    for site in rules.quantity_sites(context):
        candidates = rules.candidates_for(context, site, previous[1] if previous else None)
        gold = subjects.get(site.quantity.id)
        labels = [int(gold is not None and names_agree(gold, c.name)) for c in candidates]
        decision = rules.rule_choice(context, site, candidates, previous)
        site.decided_by = decision.rule
        if candidates:
            rows = group_features(context, site, candidates, decision, previous)
            groups.append(Group(gold_article.doc_id, rows, labels, gold is not None))
        if candidates and decision.index is not None:
            previous = (site, candidates[decision.index])
    return groups


def _decisions(scorer: Scorer, groups: Sequence[Group]) -> list[str]:
    """Return ``tp``/``fp``/``skip`` for the scorer's decision on each group."""
    outcomes = []
    for g in groups:
        scores = scorer.score(g.rows)
        best = int(np.argmax(scores))
        if scores[best] < scorer.threshold:
            outcomes.append("skip")
        else:
            outcomes.append("tp" if g.labels[best] else "fp")
    return outcomes


def _f1_of(outcomes: Sequence[str], groups: Sequence[Group]) -> float:
    tp, fp = outcomes.count("tp"), outcomes.count("fp")
    gold_total = sum(g.has_gold for g in groups)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / gold_total if gold_total else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit_scorer(groups: Sequence[Group], mode: str, l2: float, threshold: float = 0.0) -> Scorer:
    """Fit a scorer variant on labelled groups (no threshold search).

    Args:
        groups: training groups.
        mode: ``combined`` or ``model``.
        l2: regularisation strength.
        threshold: the threshold to store.
    """
    names = feature_names_for(mode)
    rows = [row for g in groups for row in g.rows]
    raw = np.array([[row[n] for n in names] for row in rows], dtype=float)
    mean, scale = raw.mean(axis=0), raw.std(axis=0)
    scale[scale == 0] = 1.0
    def standardised(group_rows: list[dict]) -> np.ndarray:
        return (np.array([[row[n] for n in names] for row in group_rows], dtype=float) - mean) / scale

    weights = fit_ranker([(standardised(g.rows), np.array(g.labels, dtype=float)) for g in groups], l2)
    return Scorer(names, weights, 0.0, mean, scale, threshold, l2=l2)


def train_scorer(groups: Sequence[Group], mode: str) -> Scorer:
    """Fit a scorer variant, choosing its L2 strength and claim threshold by inner leave-one-document-out CV.

    The pair chosen maximises the decision F1 over the inner held-out documents, so neither is
    ever tuned on scores of documents the model was fitted to.

    Args:
        groups: training groups (several documents).
        mode: ``combined`` or ``model``.
    """
    doc_ids = sorted({g.doc_id for g in groups})
    held_out: dict[tuple[float, float], list] = {(l2, t): [] for l2 in L2_CHOICES for t in THRESHOLDS}
    if len(doc_ids) > 1:
        for held in doc_ids:
            test = [g for g in groups if g.doc_id == held]
            for l2 in L2_CHOICES:
                inner = fit_scorer([g for g in groups if g.doc_id != held], mode, l2)
                for t in THRESHOLDS:
                    inner.threshold = t
                    held_out[(l2, t)].extend(_decisions(inner, test))
    l2, threshold = max(held_out, key=lambda key: (round(_f1_of(held_out[key], groups), 6), key[0], -key[1]))
    return fit_scorer(groups, mode, l2, threshold)


def load_scorer(path: str = "claims/scorer.json", mode: str = "combined") -> Scorer:
    """Load a scorer variant (``combined`` or ``model``) from ``models/<path>``."""
    with open(model_path(*Path(path).parts), encoding="utf-8") as handle:
        data = json.load(handle)
    if mode not in data["variants"]:
        raise KeyError(f"{path} has no '{mode}' scorer: retrain with 'python -m pipeline.claim_model train'")
    return Scorer.from_json(data["variants"][mode])


# --------------------------------------------------------------------------- evaluation


def load_dev(gold_dir: Path, texts_dir: Path):
    """Return ``(gold article, raw)`` pairs via the evaluator's loader."""
    from .evaluate import load_gold

    return load_gold(gold_dir, texts_dir)


def predict_articles(pipeline, gold_pairs, mode: str, scorers: dict[str, Optional[Scorer]],
                     end_to_end: bool = False) -> list[Article]:
    """Run the claims stage on each document (oracle mentions unless ``end_to_end``).

    Args:
        pipeline: a :class:`pipeline.Pipeline`.
        gold_pairs: ``(gold article, raw)`` pairs.
        mode: ``rules``, ``model`` or ``combined``.
        scorers: doc_id -> the scorer to use on that document (a model that never saw it).
        end_to_end: run the upstream stages instead of filling gold mentions.
    """
    from .output import doc_to_article
    from .s9_claims import extract_claims

    articles = []
    for gold, raw in gold_pairs:
        if end_to_end:
            doc = pipeline.make_doc(raw, published=gold.published, doc_id=gold.doc_id)
            for name, component in pipeline.nlp.pipeline:
                if name == "claims":
                    break
                doc = component(doc)
        else:
            doc = oracle_doc(pipeline, gold, raw)
        doc._.claims = extract_claims(doc, mode, scorers.get(gold.doc_id))
        articles.append(doc_to_article(doc))
    return articles


def cross_validate(pipeline, gold_pairs, end_to_end: bool = False) -> dict[str, dict]:
    """Leave-one-document-out ablation of rules-only, model-only and combined subject choice.

    Returns:
        mode -> the evaluator's claims scores (precision, recall, f1, field_accuracy).
    """
    from .evaluate import score

    groups = {gold.doc_id: training_groups(oracle_doc(pipeline, gold, raw), gold) for gold, raw in gold_pairs}
    results = {}
    for mode in ("rules", "model", "combined"):
        scorers = {}
        if mode != "rules":
            for held_out in groups:
                train = [g for doc_id, gs in groups.items() if doc_id != held_out for g in gs]
                scorers[held_out] = train_scorer(train, mode)
        predicted = predict_articles(pipeline, gold_pairs, mode, scorers, end_to_end)
        results[mode] = score([g for g, _ in gold_pairs], predicted)["claims"]
    return results


def train_release(pipeline, gold_pairs, out: Path) -> dict:
    """Fit both scorer variants on every gold document and write them to ``out``."""
    groups = [g for gold, raw in gold_pairs for g in training_groups(oracle_doc(pipeline, gold, raw), gold)]
    variants = {mode: train_scorer(groups, mode).to_json() for mode in ("combined", "model")}
    data = {
        "model": "claims-scorer",
        "version": SCORER_VERSION,
        "trained_on": sorted(gold.doc_id for gold, _ in gold_pairs),
        "candidates": len([r for g in groups for r in g.rows]),
        "quantities": len(groups),
        "variants": variants,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


# --------------------------------------------------------------------------- command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``train``/``cv`` arguments (for ``zhclaims train claims`` too)."""
    parser.add_argument("action", choices=("train", "cv"), help="train: fit and write the scorer; cv: leave-one-document-out ablation")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="folder of gold files (default ../shared/gold/dev)")
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS, help="folder of the articles (default seeds/)")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / "claims" / "scorer.json", help="where train writes the scorer")
    parser.add_argument("--end-to-end", action="store_true", help="cv on the upstream stages' mentions instead of gold ones")
    parser.add_argument("--json", action="store_true", help="print cv results as JSON")


def _format_row(mode: str, result: dict) -> str:
    fields = result["field_accuracy"]
    return (f"| {mode} | {result['precision']:.3f} | {result['recall']:.3f} | {result['f1']:.3f} | "
            f"{fields['value']:.3f} | {fields['unit']:.3f} | {fields['qualifier']:.3f} | {fields['time']:.3f} |")


def run(args: argparse.Namespace) -> int:
    """Run ``train`` or ``cv``; return the exit status."""
    from . import Pipeline

    stages = None if args.end_to_end else ["normalize", "layout", "furniture", "sentences"]
    pipeline = Pipeline.load(nlp__pipeline=stages) if stages else Pipeline.load(components__claims__mode="rules")
    gold_pairs = load_dev(args.gold, args.texts)
    if args.action == "train":
        data = train_release(pipeline, gold_pairs, args.out)
        print(f"wrote {args.out}: {data['quantities']} quantities, {data['candidates']} candidates, "
              f"thresholds " + ", ".join(f"{m}={v['threshold']}" for m, v in data["variants"].items()))
        return 0
    results = cross_validate(pipeline, gold_pairs, args.end_to_end)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("| subject choice | precision | recall | F1 | value | unit | qualifier | time |")
        print("|---|---|---|---|---|---|---|---|")
        for mode, result in results.items():
            print(_format_row(mode, result))
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.claim_model", description=__doc__.split("\n\n")[0])
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
