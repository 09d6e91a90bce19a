"""Readers for the training corpora in ``../shared/corpora`` and the project's NER label scheme.

Label scheme (what our NER models emit; see models/README.md):

========  ==========================  =======================================================
label     CLUENER2020 source label    meaning / use in the companies stage
========  ==========================  =======================================================
COMPANY   company                     a business (full or short name): positive evidence
ORG       organization                clubs, schools, associations, teams: negative evidence
GOV       government                  government bodies and agencies: negative evidence
ADDRESS   address                     places and addresses: negative evidence, place hints
PER       name                        person names: negative evidence for short names
========  ==========================  =======================================================

The other CLUENER labels (book, game, movie, position, scene) are trained as ``O``.
MSRA NER's ``ORG`` lumps companies, government bodies and organizations together, and its
``LOC`` is a coarser notion than CLUENER's ``address``, so it cannot teach the COMPANY/GOV/ORG
distinction and is not mixed into training; :func:`read_msra_bio` reads it under its own labels
(:data:`MSRA_LABELS`) for experiments and throughput text.

All readers return texts normalized exactly like stage 1 (Simplified, half-width), which is the
text the models see at run time; the normalization preserves length, so spans carry over.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional

from ..resources import PROJECT_ROOT
from ..s1_normalize import normalize_text

CLUENER_LABELS = {
    "company": "COMPANY",
    "organization": "ORG",
    "government": "GOV",
    "address": "ADDRESS",
    "name": "PER",
}
NER_LABELS = tuple(sorted(set(CLUENER_LABELS.values())))
MSRA_LABELS = {"ORG": "MSRA_ORG", "LOC": "MSRA_LOC", "PER": "PER"}


class LabelledSpan(NamedTuple):
    """An entity span: ``text[start:end]`` (end exclusive) carries ``label``."""

    start: int
    end: int
    label: str


class TaggedSentence(NamedTuple):
    """A training sentence: normalized text and its non-overlapping entity spans, sorted."""

    text: str
    spans: tuple[LabelledSpan, ...]


def corpora_dir(explicit: Optional[str] = None) -> Path:
    """Return the corpora folder: ``explicit``, else ``$ZHCLAIMS_CORPORA``, else ``../shared/corpora``.

    Args:
        explicit: a folder given on the command line, or None.

    Returns:
        The folder path; raises FileNotFoundError with a hint when it does not exist.
    """
    folder = Path(explicit or os.environ.get("ZHCLAIMS_CORPORA") or PROJECT_ROOT.parent / "shared" / "corpora")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"corpora folder {folder} not found; pass --corpora DIR or set ZHCLAIMS_CORPORA "
            f"(it must hold cluener2020/, msra_ner/ and icwb2/)"
        )
    return folder


def _non_overlapping(spans: Iterable[LabelledSpan]) -> tuple[LabelledSpan, ...]:
    """Sort spans and drop any that overlaps an earlier (longer-first) one."""
    kept: list[LabelledSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), s.label)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return tuple(kept)


def read_cluener(path: Path, limit: Optional[int] = None, labels: dict[str, str] = CLUENER_LABELS) -> list[TaggedSentence]:
    """Read a CLUENER2020 jsonl file (inclusive ``[start, end]`` spans per label and surface).

    Args:
        path: ``train.jsonl`` or ``dev.jsonl``.
        limit: read at most this many lines (None: all).
        labels: CLUENER label -> our label; labels not in it are dropped (trained as O).

    Returns:
        The sentences with normalized text and exclusive-end spans.
    """
    sentences = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(sentences) >= limit:
                break
            record = json.loads(line)
            text = record["text"]
            spans = [
                LabelledSpan(start, end + 1, labels[source_label])
                for source_label, surfaces in record.get("label", {}).items()
                if source_label in labels
                for positions in surfaces.values()
                for start, end in positions
            ]
            sentences.append(TaggedSentence(normalize_text(text), _non_overlapping(spans)))
    return sentences


def bio_to_spans(tags: list[str]) -> list[LabelledSpan]:
    """Turn BIO tags (``B-X``, ``I-X``, ``O``) into spans; a stray ``I-X`` opens a span."""
    spans, start, label = [], None, None
    for index, tag in enumerate(list(tags) + ["O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and kind == label and start is not None
        if start is not None and not continues:
            spans.append(LabelledSpan(start, index, label))
            start, label = None, None
        if prefix in ("B", "I") and not continues:
            start, label = index, kind
    return spans


def read_msra_bio(path: Path, limit: Optional[int] = None, labels: dict[str, str] = MSRA_LABELS) -> list[TaggedSentence]:
    """Read MSRA NER (one ``char<TAB>BIO-tag`` per line, blank line between sentences).

    Args:
        path: ``train.txt`` or ``test.txt``.
        limit: read at most this many sentences.
        labels: MSRA label -> our label; others are dropped.

    Returns:
        The sentences with normalized text and spans.
    """
    sentences: list[TaggedSentence] = []

    def flush(chars: list[str], tags: list[str]) -> None:
        if chars:
            spans = [LabelledSpan(s.start, s.end, labels[s.label]) for s in bio_to_spans(tags) if s.label in labels]
            sentences.append(TaggedSentence(normalize_text("".join(chars)), tuple(spans)))

    chars: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(sentences) >= limit:
                break
            line = line.rstrip("\r\n")
            if not line.strip():
                flush(chars, tags)
                chars, tags = [], []
                continue
            char, _, tag = line.partition("\t")
            chars.append(char[:1] or " ")
            tags.append(tag.strip() or "O")
    if limit is None or len(sentences) < limit:
        flush(chars, tags)
    return sentences


def read_sighan_gold(path: Path) -> list[list[str]]:
    """Read a SIGHAN 2005 gold file: one sentence per line, words separated by spaces (CRLF ok).

    Args:
        path: e.g. ``icwb2/pku_test_gold.utf8``.

    Returns:
        One list of words per non-empty line.
    """
    with open(path, encoding="utf-8", newline="") as handle:
        return [words for words in (line.split() for line in handle) if words]


def split_held_out(lines: list, held_out_fraction: float = 0.1) -> tuple[list, list]:
    """Split a list into (train, held-out): the held-out part is the LAST fraction of lines.

    Args:
        lines: the items in file order.
        held_out_fraction: share kept for evaluation.

    Returns:
        ``(train, held_out)``.
    """
    cut = len(lines) - max(1, int(round(len(lines) * held_out_fraction)))
    return lines[:cut], lines[cut:]


def iobes_tags(sentence: TaggedSentence) -> list[str]:
    """Tag every character of ``sentence`` with IOBES tags (``S-X`` single, ``B/I/E-X``, ``O``)."""
    tags = ["O"] * len(sentence.text)
    for start, end, label in sentence.spans:
        if end - start == 1:
            tags[start] = f"S-{label}"
            continue
        tags[start] = f"B-{label}"
        for index in range(start + 1, end - 1):
            tags[index] = f"I-{label}"
        tags[end - 1] = f"E-{label}"
    return tags


def iobes_to_spans(tags: list[str]) -> list[LabelledSpan]:
    """Decode IOBES tags into spans, tolerating ill-formed sequences (a span needs a B..E or S)."""
    spans, start, label = [], None, None
    for index, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if prefix == "S":
            spans.append(LabelledSpan(index, index + 1, kind))
            start = None
        elif prefix == "B":
            start, label = index, kind
        elif prefix == "I":
            if start is None or kind != label:
                start = None
        elif prefix == "E":
            if start is not None and kind == label:
                spans.append(LabelledSpan(start, index + 1, kind))
            start = None
        else:
            start = None
    return spans


def write_tsv(sentences: Iterable[TaggedSentence], path: Path) -> Path:
    """Write sentences as HanLP's TSV tagging format (``char<TAB>tag``, blank line between sentences).

    Whitespace characters are written as ``<SP>`` since the TSV reader splits on whitespace; the
    same substitution is applied at prediction time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for sentence in sentences:
            for char, tag in zip(sentence.text, iobes_tags(sentence)):
                handle.write(f"{visible_char(char)}\t{tag}\n")
            handle.write("\n")
    return path


def visible_char(char: str) -> str:
    """Return ``char``, or ``<SP>`` for whitespace (which TSV files cannot hold as a token)."""
    return "<SP>" if char.isspace() else char


class SpanScores(NamedTuple):
    """Precision, recall, F1 and the counts they come from."""

    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int
    correct: int


def span_scores(gold: Iterable[Iterable[tuple]], predicted: Iterable[Iterable[tuple]], label: Optional[str] = None) -> SpanScores:
    """Exact-match span P/R/F1 over parallel lists of ``(start, end, label, ...)`` per sentence.

    Args:
        gold: gold spans per sentence.
        predicted: predicted spans per sentence.
        label: score only this label (None: all labels, micro-averaged).

    Returns:
        The scores.
    """
    n_gold = n_pred = n_correct = 0
    for gold_spans, pred_spans in zip(gold, predicted):
        gold_set = {tuple(s[:3]) for s in gold_spans if label is None or s[2] == label}
        pred_set = {tuple(s[:3]) for s in pred_spans if label is None or s[2] == label}
        n_gold += len(gold_set)
        n_pred += len(pred_set)
        n_correct += len(gold_set & pred_set)
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SpanScores(round(precision, 4), round(recall, 4), round(f1, 4), n_gold, n_pred, n_correct)


def iter_texts(sentences: Iterable[TaggedSentence]) -> Iterator[str]:
    """Yield the text of each sentence."""
    for sentence in sentences:
        yield sentence.text
