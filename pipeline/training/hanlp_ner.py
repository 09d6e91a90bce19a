"""Train the HanLP character BiLSTM-CRF NER model (``models/ner-hanlp``) on CLUENER2020.

The tagger is ``hanlp.components.ner.rnn_ner.RNNNamedEntityRecognizer`` with randomly initialised
character embeddings (nothing is downloaded) and its CRF fixed to batch-first (see
:func:`pipeline.ner_models.hanlp_recognizer_class`). Tags are IOBES over the labels of
:data:`pipeline.training.corpora.NER_LABELS`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from ..ner_models import HanlpNer, hanlp_recognizer_class
from .corpora import NER_LABELS, TaggedSentence, read_cluener, write_tsv
from .evaluation import file_digest, rescore_ner, score_ner_artifact, write_meta
from .evaluation import ner_headline as headline  # noqa: F401  used by ``zhclaims train``

NAME = "ner-hanlp"
HYPER_PARAMETERS = {
    "embed": 100,
    "rnn_hidden": 200,
    "drop": 0.5,
    "lr": 0.001,
    "batch_size": 32,
    "crf": True,
    "optimizer": "adam",
    "patience": 5,
    "anneal_factor": 0.5,
    "anneal_patience": 2,
    "tagging_scheme": "IOBES",
}
KEPT_FILES = ("config.json", "vocabs.json", "model.pt")


def train(corpora: Path, out_dir: Path, epochs: int = 12, limit: Optional[int] = None, seed: int = 1,
          build_dir: Optional[Path] = None, command: str = "") -> dict:
    """Train on CLUENER train, keep the best epoch on CLUENER dev, save to ``out_dir`` and score it.

    Args:
        corpora: the corpora folder (holds ``cluener2020/``).
        out_dir: where the artifact goes (replaced).
        epochs: the most epochs to train (early stopping on dev span F1).
        limit: use only the first ``limit`` train and dev sentences (tiny test runs).
        seed: random seed.
        build_dir: where converted TSV files and checkpoints go (default: a temporary folder).
        command: the command line that rebuilds this artifact (recorded in meta.json).

    Returns:
        The metadata written to ``out_dir/meta.json``.
    """
    import torch

    torch.set_num_threads(1)
    train_set = read_cluener(corpora / "cluener2020" / "train.jsonl", limit)
    dev_set = read_cluener(corpora / "cluener2020" / "dev.jsonl", limit)
    with tempfile.TemporaryDirectory(dir=build_dir) as scratch:
        scratch_dir = Path(scratch)
        trn_file = write_tsv(train_set, scratch_dir / "train.tsv")
        dev_file = write_tsv(dev_set, scratch_dir / "dev.tsv")
        save_dir = scratch_dir / "model"
        recognizer = hanlp_recognizer_class()()
        recognizer.fit(str(trn_file), str(dev_file), str(save_dir), epochs=epochs, seed=seed, devices=-1,
                       verbose=False, **HYPER_PARAMETERS)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        for filename in KEPT_FILES:
            shutil.copy2(save_dir / filename, out_dir / filename)
    meta = {
        "name": NAME,
        "version": f"1-{file_digest(out_dir / 'model.pt')}",
        "backend": "hanlp",
        "labels": list(NER_LABELS),
        "tagging_scheme": "IOBES",
        "hyper_parameters": dict(HYPER_PARAMETERS, epochs=epochs, seed=seed, limit=limit),
        "data": {"train": "cluener2020/train.jsonl", "dev": "cluener2020/dev.jsonl",
                 "train_sentences": len(train_set), "dev_sentences": len(dev_set)},
        "command": command,
    }
    write_meta(out_dir, dict(meta, dev_scores={}))
    return score_artifact(out_dir, dev_set, meta)


def score_artifact(out_dir: Path, dev_set: Sequence[TaggedSentence], meta: Optional[dict] = None) -> dict:
    """Score and time the saved artifact (see :func:`.evaluation.score_ner_artifact`)."""
    return score_ner_artifact(out_dir, dev_set, HanlpNer, meta)


def rescore(corpora: Path, out_dir: Path, limit: Optional[int] = None) -> dict:
    """Re-score and re-time the saved artifact in ``out_dir`` without training (``--score-only``)."""
    return rescore_ner(corpora, out_dir, HanlpNer, limit)
