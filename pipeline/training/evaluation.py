"""Scoring and timing shared by the trainers, and the artifact metadata they write."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from .corpora import NER_LABELS, TaggedSentence, span_scores


def ner_dev_scores(predict: Callable[[list[str]], list[list[tuple]]], dev: Sequence[TaggedSentence]) -> dict:
    """Score a predictor on labelled sentences: exact-span P/R/F1 per label and micro-averaged.

    Args:
        predict: maps a list of texts to spans ``(start, end, label, ...)`` per text.
        dev: the labelled sentences.

    Returns:
        ``{label: {"precision", "recall", "f1", "gold", "predicted", "correct"}, ..., "ALL": {...}}``.
    """
    predicted = predict([s.text for s in dev])
    gold = [s.spans for s in dev]
    scores = {label: span_scores(gold, predicted, label)._asdict() for label in NER_LABELS}
    scores["ALL"] = span_scores(gold, predicted)._asdict()
    return scores


def chars_per_second(run: Callable[[list[str]], object], texts: list[str], repeats: int = 1) -> int:
    """Time ``run(texts)`` on one torch thread; return characters per CPU second (best of ``repeats``).

    CPU time (``time.process_time``) rather than wall time, so that other jobs on a shared machine
    do not distort the figure; with one thread it equals the wall time of an idle core.

    Args:
        run: the function to time.
        texts: its input.
        repeats: how many timed runs; the fastest counts.

    Returns:
        Characters per second, rounded to an integer.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        n_chars = sum(len(t) for t in texts)
        best = float("inf")
        for _ in range(repeats):
            started = time.process_time()
            run(texts)
            best = min(best, time.process_time() - started)
    finally:
        torch.set_num_threads(threads)
    return int(n_chars / best) if best > 0 else 0


def file_digest(path: Path) -> str:
    """Return the first 8 hex digits of a file's sha256 (used in model versions)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:8]


def folder_size_mb(folder: Path) -> float:
    """Return the total size of the files under ``folder`` in MB (1e6 bytes)."""
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 2)


def read_meta(folder: Path) -> dict:
    """Read an artifact's ``meta.json``."""
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def write_meta(folder: Path, meta: dict) -> Path:
    """Write ``meta.json`` (sorted keys, UTF-8) into ``folder``."""
    path = folder / "meta.json"
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def scores_table(scores: dict) -> str:
    """Render per-label scores as a Markdown table."""
    lines = ["| label | precision | recall | F1 | gold | predicted |", "|---|---:|---:|---:|---:|---:|"]
    for label in sorted(scores):
        s = scores[label]
        lines.append(f"| {label} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {s['gold']} | {s['predicted']} |")
    return "\n".join(lines)


def ner_headline(meta: dict) -> str:
    """One line of the figures that matter for a NER artifact."""
    company = meta["dev_scores"]["COMPANY"]
    return (f"CLUENER dev COMPANY F1 {company['f1']:.4f} (P {company['precision']:.4f} "
            f"R {company['recall']:.4f}), {meta['chars_per_second']:,} chars/s")


def score_ner_artifact(out_dir: Path, dev_set: Sequence[TaggedSentence], load_model: Callable[[Path], object],
                       meta: Optional[dict] = None) -> dict:
    """Score a saved NER artifact on CLUENER dev, time it, and (re)write its ``meta.json``.

    The scores are written before the timing run because a run-time model may read them from
    ``meta.json`` (the spaCy backend uses each label's dev precision as its span score).

    Args:
        out_dir: the artifact folder.
        dev_set: the labelled dev sentences.
        load_model: builds the run-time model (``HanlpNer``, ``SpacyNer``) from ``out_dir``.
        meta: the metadata to complete (default: the folder's ``meta.json``).

    Returns:
        The completed metadata.
    """
    meta = dict(meta or read_meta(out_dir))
    meta["dev_scores"] = ner_dev_scores(load_model(out_dir).predict, dev_set)
    write_meta(out_dir, meta)
    model = load_model(out_dir)
    meta["chars_per_second"] = chars_per_second(model.predict, [s.text for s in dev_set], repeats=2)
    meta["size_mb"] = folder_size_mb(out_dir)
    write_meta(out_dir, meta)
    return meta


def rescore_ner(corpora: Path, out_dir: Path, load_model: Callable[[Path], object], limit: Optional[int] = None) -> dict:
    """Re-score and re-time the saved NER artifact in ``out_dir`` without training (``--score-only``)."""
    from .corpora import read_cluener

    return score_ner_artifact(out_dir, read_cluener(corpora / "cluener2020" / "dev.jsonl", limit), load_model)
