"""Train the spaCy character-token NER model (``models/ner-spacy``) on CLUENER2020.

Uses the committed config ``pipeline/training/spacy_ner.cfg`` and spaCy's own training loop
(``spacy.cli.train.train``, the function behind ``spacy train``). The CLUENER sentences become
``DocBin`` files with one token per character, like the pipeline's Doc.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from ..ner_models import SpacyNer
from .corpora import NER_LABELS, TaggedSentence, read_cluener
from .evaluation import file_digest, rescore_ner, score_ner_artifact, write_meta
from .evaluation import ner_headline as headline  # noqa: F401  used by ``zhclaims train``

NAME = "ner-spacy"
CONFIG_PATH = Path(__file__).with_name("spacy_ner.cfg")
TINY_MAX_STEPS = 30


def to_docbin(sentences: Sequence[TaggedSentence], path: Path) -> Path:
    """Write sentences as a spaCy ``DocBin`` with one token per character and their entity spans.

    Args:
        sentences: the labelled sentences.
        path: the ``.spacy`` file to write.

    Returns:
        ``path``.
    """
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"])
    for sentence in sentences:
        doc = Doc(vocab, words=list(sentence.text), spaces=[False] * len(sentence.text))
        doc.ents = [doc.char_span(start, end, label=label) for start, end, label in sentence.spans]
        docbin.add(doc)
    docbin.to_disk(path)
    return path


def train(corpora: Path, out_dir: Path, epochs: int = 0, limit: Optional[int] = None, seed: int = 1,
          build_dir: Optional[Path] = None, command: str = "", max_steps: Optional[int] = None) -> dict:
    """Train with ``spacy_ner.cfg``, keep the best checkpoint on CLUENER dev, save and score it.

    Args:
        corpora: the corpora folder (holds ``cluener2020/``).
        out_dir: where the artifact goes (replaced); the model itself is in ``out_dir/model``.
        epochs: if > 0, train for this many epochs instead of the config's ``max_steps``.
        limit: use only the first ``limit`` train and dev sentences, and few steps (tiny test runs).
        seed: random seed.
        build_dir: where DocBins and checkpoints go (default: a temporary folder).
        command: the command line that rebuilds this artifact.
        max_steps: if given, overrides ``training.max_steps`` of the config.

    Returns:
        The metadata written to ``out_dir/meta.json``.
    """
    import torch
    from spacy.cli.train import train as spacy_train

    from .. import api  # noqa: F401  registers zhclaims.CharTokenizer.v1 named in the config

    torch.set_num_threads(1)
    train_set = read_cluener(corpora / "cluener2020" / "train.jsonl", limit)
    dev_set = read_cluener(corpora / "cluener2020" / "dev.jsonl", limit)
    overrides = {"system.seed": seed}
    if epochs > 0:
        overrides.update({"training.max_epochs": epochs, "training.max_steps": 0})
    if max_steps:
        overrides["training.max_steps"] = max_steps
    if limit is not None:
        overrides.update({"training.max_steps": TINY_MAX_STEPS, "training.eval_frequency": 10})
    with tempfile.TemporaryDirectory(dir=build_dir) as scratch:
        scratch_dir = Path(scratch)
        overrides["paths.train"] = str(to_docbin(train_set, scratch_dir / "train.spacy"))
        overrides["paths.dev"] = str(to_docbin(dev_set, scratch_dir / "dev.spacy"))
        spacy_train(CONFIG_PATH, scratch_dir / "output", overrides=overrides)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        shutil.copytree(scratch_dir / "output" / "model-best", out_dir / "model")
    shutil.copy2(CONFIG_PATH, out_dir / "training.cfg")
    meta = {
        "name": NAME,
        "version": f"1-{file_digest(out_dir / 'model' / 'ner' / 'model')}",
        "backend": "spacy",
        "labels": list(NER_LABELS),
        "hyper_parameters": {"config": "training.cfg (copy of pipeline/training/spacy_ner.cfg)",
                             "overrides": {k: v for k, v in overrides.items() if not k.startswith("paths.")},
                             "limit": limit},
        "data": {"train": "cluener2020/train.jsonl", "dev": "cluener2020/dev.jsonl",
                 "train_sentences": len(train_set), "dev_sentences": len(dev_set)},
        "command": command,
        "dev_scores": {},
    }
    write_meta(out_dir, meta)
    return score_artifact(out_dir, dev_set, meta)


def score_artifact(out_dir: Path, dev_set: Sequence[TaggedSentence], meta: Optional[dict] = None) -> dict:
    """Score and time the saved artifact (see :func:`.evaluation.score_ner_artifact`)."""
    return score_ner_artifact(out_dir, dev_set, SpacyNer, meta)


def rescore(corpora: Path, out_dir: Path, limit: Optional[int] = None) -> dict:
    """Re-score and re-time the saved artifact in ``out_dir`` without training (``--score-only``)."""
    return rescore_ner(corpora, out_dir, SpacyNer, limit)
