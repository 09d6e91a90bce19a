"""Train the spacy-pkuseg word segmenter (``models/segmenter``) on SIGHAN 2005 PKU and MSR gold.

The full SIGHAN training files are not in ``../shared/corpora`` (see icwb2/SOURCE.md), so the
model learns from the gold test files: the first 90% of the lines of each of PKU and MSR train it,
the last 10% of each are held out and scored (word P/R/F1, the SIGHAN measure). Texts are
normalized like stage 1 first (half-width digits and letters), which is what the pipeline feeds
the segmenter.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Optional, Sequence

from ..s1_normalize import normalize_text
from .corpora import read_sighan_gold, split_held_out
from .evaluation import file_digest, folder_size_mb, read_meta, write_meta

NAME = "segmenter"
SOURCES = ("pku", "msr")
HELD_OUT_FRACTION = 0.1
KEPT_FILES = ("features.msgpack", "weights.npz")


def normalized_words(words: Sequence[str]) -> list[str]:
    """Normalize each word like stage 1 (length-preserving, so boundaries are unchanged)."""
    return [normalize_text(w) for w in words]


def load_splits(corpora: Path, limit: Optional[int] = None) -> dict[str, tuple[list[list[str]], list[list[str]]]]:
    """Read each SIGHAN gold file and split it into (train, held-out) line lists.

    Args:
        corpora: the corpora folder (holds ``icwb2/``).
        limit: use only the first ``limit`` lines of each file before splitting.

    Returns:
        ``{"pku": (train, held_out), "msr": (...)}``, each a list of word lists.
    """
    splits = {}
    for source in SOURCES:
        lines = [normalized_words(words) for words in read_sighan_gold(corpora / "icwb2" / f"{source}_test_gold.utf8")]
        splits[source] = split_held_out(lines[:limit] if limit else lines, HELD_OUT_FRACTION)
    return splits


def word_spans(words: Sequence[str]) -> set[tuple[int, int]]:
    """Return the ``(start, end)`` character spans of a word sequence."""
    spans, position = set(), 0
    for word in words:
        spans.add((position, position + len(word)))
        position += len(word)
    return spans


def segmentation_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Word precision, recall and F1 (a word counts when both its boundaries match).

    Args:
        gold: gold word lists.
        predicted: predicted word lists for the same texts.

    Returns:
        ``{"precision", "recall", "f1", "gold_words", "predicted_words"}``.
    """
    n_gold = n_pred = n_correct = 0
    for gold_words, pred_words in zip(gold, predicted):
        gold_spans, pred_spans = word_spans(gold_words), word_spans(pred_words)
        n_gold, n_pred, n_correct = n_gold + len(gold_spans), n_pred + len(pred_spans), n_correct + len(gold_spans & pred_spans)
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "gold_words": n_gold, "predicted_words": n_pred}


def write_words_file(lines: Sequence[Sequence[str]], path: Path) -> Path:
    """Write pkuseg's training format: one sentence per line, words separated by single spaces."""
    with open(path, "w", encoding="utf-8") as handle:
        for words in lines:
            handle.write(" ".join(words) + "\n")
    return path


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[Path]:
    """Run the body with ``path`` as the current directory (pkuseg writes scratch files there)."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous)


def compress_weights(path: Path) -> Path:
    """Rewrite pkuseg's ``weights.npz`` compressed (about 35% smaller; ``numpy.load`` reads both)."""
    import numpy

    with numpy.load(path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    numpy.savez_compressed(path, **arrays)
    return path


def train(corpora: Path, out_dir: Path, epochs: int = 10, limit: Optional[int] = None, seed: int = 1,
          build_dir: Optional[Path] = None, command: str = "") -> dict:
    """Train pkuseg on the training part of PKU+MSR gold, save to ``out_dir`` and score the held-out part.

    Args:
        corpora: the corpora folder.
        out_dir: where the artifact goes (replaced).
        epochs: pkuseg training iterations.
        limit: use only the first ``limit`` lines of each gold file (tiny test runs).
        seed: random seed (pkuseg shuffles with numpy's global generator).
        build_dir: where scratch files go (default: a temporary folder).
        command: the command line that rebuilds this artifact.

    Returns:
        The metadata written to ``out_dir/meta.json``.
    """
    import random

    import numpy
    import spacy_pkuseg

    random.seed(seed)
    numpy.random.seed(seed)
    splits = load_splits(corpora, limit)
    train_lines = [words for source in SOURCES for words in splits[source][0]]
    with tempfile.TemporaryDirectory(dir=build_dir) as scratch:
        scratch_dir = Path(scratch)
        train_file = write_words_file(train_lines, scratch_dir / "train.txt")
        test_file = write_words_file(splits["pku"][1] + splits["msr"][1], scratch_dir / "held_out.txt")
        with working_directory(scratch_dir):
            spacy_pkuseg.train(str(train_file), str(test_file), str(scratch_dir / "model"), train_iter=epochs)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        for filename in KEPT_FILES:
            shutil.copy2(scratch_dir / "model" / filename, out_dir / filename)
    compress_weights(out_dir / "weights.npz")
    meta = {
        "name": NAME,
        "version": f"1-{file_digest(out_dir / 'weights.npz')}",
        "backend": "spacy-pkuseg",
        "hyper_parameters": {"train_iter": epochs, "seed": seed, "limit": limit, "held_out_fraction": HELD_OUT_FRACTION},
        "data": {source: {"file": f"icwb2/{source}_test_gold.utf8", "train_lines": len(splits[source][0]),
                          "held_out_lines": len(splits[source][1])} for source in SOURCES},
        "command": command,
    }
    return score_artifact(out_dir, splits, meta)


def score_artifact(out_dir: Path, splits: dict, meta: Optional[dict] = None) -> dict:
    """Score the saved segmenter on each held-out part, time it, and (re)write ``meta.json``.

    Args:
        out_dir: the artifact folder.
        splits: ``{source: (train, held_out)}`` from :func:`load_splits`.
        meta: the metadata to complete (default: the folder's ``meta.json``).

    Returns:
        The completed metadata.
    """
    from ..segmenter import Segmenter, chars_per_second

    meta = dict(meta or read_meta(out_dir))
    segmenter = Segmenter(out_dir)
    scores, speeds = {}, {}
    for source in SOURCES:
        held_out = splits[source][1]
        texts = ["".join(words) for words in held_out]
        scores[source] = segmentation_scores(held_out, [segmenter.cut(t) for t in texts])
        speeds[source] = chars_per_second(segmenter, texts)
    meta.update(held_out_scores=scores, chars_per_second=speeds, size_mb=folder_size_mb(out_dir))
    write_meta(out_dir, meta)
    return meta


def rescore(corpora: Path, out_dir: Path, limit: Optional[int] = None) -> dict:
    """Re-score and re-time the saved segmenter in ``out_dir`` without training (``--score-only``)."""
    return score_artifact(out_dir, load_splits(corpora, limit))


def headline(meta: dict) -> str:
    """One line of the figures that matter."""
    scores = meta["held_out_scores"]
    return " ".join(f"{s} held-out F1 {scores[s]['f1']:.4f} ({meta['chars_per_second'][s]:,} chars/s)" for s in SOURCES)
