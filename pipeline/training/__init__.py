"""``zhclaims train``: rebuild the models in ``models/`` from ``../shared/corpora``.

Sub-commands::

    zhclaims train ner --backend hanlp      # models/ner-hanlp  (HanLP BiLSTM-CRF, CLUENER2020)
    zhclaims train ner --backend spacy      # models/ner-spacy  (spaCy NER from spacy_ner.cfg)
    zhclaims train segmenter                # models/segmenter  (spacy-pkuseg, SIGHAN 2005 gold)

Each writes ``meta.json`` (scores, speed, size, hyper-parameters, this command) and regenerates
the artifact's ``MODEL_CARD.md``. ``--limit N`` trains on the first N sentences only (seconds; for
tests), ``--out DIR`` writes elsewhere than ``models/``, ``--score-only`` re-scores and re-times an
existing artifact (e.g. on a quieter machine) and rewrites its metadata and card.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..resources import MODELS_DIR

DEFAULT_EPOCHS = {"hanlp": 12, "spacy": 0, "segmenter": 10}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``ner``, ``segmenter`` and ``claims`` sub-commands and their options to ``parser``."""
    sub = parser.add_subparsers(dest="model", metavar="MODEL", required=True)
    ner = sub.add_parser("ner", help="train a NER model (COMPANY, ORG, GOV, ADDRESS, PER) on CLUENER2020")
    ner.add_argument("--backend", choices=("hanlp", "spacy"), default="hanlp", help="which library (default hanlp)")
    ner.add_argument("--max-steps", type=int, help="spaCy only: override training.max_steps of spacy_ner.cfg")
    segmenter = sub.add_parser("segmenter", help="train the spacy-pkuseg word segmenter on SIGHAN 2005 PKU+MSR gold")
    for each in (ner, segmenter):
        each.add_argument("--corpora", help="corpora folder (default $ZHCLAIMS_CORPORA or ../shared/corpora)")
        each.add_argument("--out", help="output folder (default models/<name>)")
        each.add_argument("--epochs", type=int, help="training epochs (spaCy: 0 = use max_steps of the config)")
        each.add_argument("--limit", type=int, help="use only the first N sentences of each file (tiny runs)")
        each.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        each.add_argument("--no-card", action="store_true", help="do not write MODEL_CARD.md")
        each.add_argument("--score-only", action="store_true",
                          help="do not train: re-score and re-time the artifact already in --out (or models/)")
    from .. import claim_model

    claims = sub.add_parser("claims", help="train (or cross-validate) the claim subject ranker on gold files")
    claim_model.configure_parser(claims)


def _command_line() -> str:
    """The command as typed, for the model card."""
    return "zhclaims " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["train"] else ""


def run(args: argparse.Namespace) -> int:
    """Train the chosen model, write its metadata and card, and print the headline figures."""
    if args.model == "claims":
        from .. import claim_model

        return claim_model.run(args)
    from .cards import write_model_card
    from .corpora import corpora_dir

    corpora = corpora_dir(args.corpora)
    kind = args.backend if args.model == "ner" else "segmenter"
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[kind]
    command = _command_line() or f"zhclaims train {args.model}" + (f" --backend {kind}" if args.model == "ner" else "")
    if kind == "hanlp":
        from . import hanlp_ner as trainer
    elif kind == "spacy":
        from . import spacy_ner as trainer
    else:
        from . import segmenter as trainer
    out_dir = Path(args.out) if args.out else MODELS_DIR / trainer.NAME
    if args.score_only:
        meta = trainer.rescore(corpora, out_dir, limit=args.limit)
    else:
        extra = {"max_steps": args.max_steps} if kind == "spacy" and args.max_steps else {}
        meta = trainer.train(corpora, out_dir, epochs=epochs, limit=args.limit, seed=args.seed, command=command, **extra)
    if not args.no_card:
        write_model_card(out_dir, meta)
    print(f"{out_dir}: {trainer.headline(meta)}")
    return 0
