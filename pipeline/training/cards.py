"""Write an artifact's ``MODEL_CARD.md`` from the ``meta.json`` its trainer produced."""

from __future__ import annotations

import json
from pathlib import Path

from .evaluation import scores_table

TERMS = {
    "cluener": "CLUENER2020 (Sina News sentences, CLUEbenchmark): no license stated; research use only, "
               "do not redistribute the data. See ../shared/corpora/cluener2020/SOURCE.md.",
    "icwb2": "SIGHAN 2005 icwb2-data (PKU, MSR): provided \"for the purposes of this competition only\" / "
             "non-commercial research use; do not ship the data in a product. See ../shared/corpora/icwb2/SOURCE.md.",
}
DESCRIPTIONS = {
    "hanlp": "HanLP 2.1.5 `RNNNamedEntityRecognizer`: character embeddings (random init, no pretrained "
             "vectors), one BiLSTM layer, CRF output over IOBES tags. hanlp 2.1.x builds the CRF "
             "sequence-first by mistake; `pipeline.ner_models.hanlp_recognizer_class()` sets it batch-first "
             "for training and loading. Run time: `load_ner(\"hanlp\")`.",
    "spacy": "spaCy 3.8 `tok2vec` (hash embeddings of ORTH+SHAPE, maxout CNN) + transition-based `ner` "
             "over one token per character, trained by spaCy's own loop from "
             "`pipeline/training/spacy_ner.cfg` (copied here as `training.cfg`). Run time: `load_ner(\"spacy\")`.",
    "spacy-pkuseg": "spacy-pkuseg 1.0.2 CRF word segmenter (pkuseg features, ADF training), trained from "
                    "scratch. Run time: `pipeline.segmenter.load_segmenter()`, or spaCy's Chinese tokenizer via "
                    "`pipeline.segmenter.spacy_word_pipeline()`.",
}


def _ner_card(meta: dict) -> list[str]:
    company = meta["dev_scores"]["COMPANY"]
    return [
        f"Labels: {', '.join(meta['labels'])} (CLUENER company, organization, government, address, name; "
        "the other CLUENER types are trained as O). See models/README.md for the label scheme.",
        "",
        "## Data and terms",
        "",
        f"- Train: `{meta['data']['train']}` ({meta['data']['train_sentences']:,} sentences); "
        f"dev (model selection and the scores below): `{meta['data']['dev']}` ({meta['data']['dev_sentences']:,}).",
        "- Texts normalized like stage 1 (Simplified, half-width) before training, as at run time.",
        f"- Terms: {TERMS['cluener']} The weights are derived from research-only data: research use.",
        "",
        "## Scores (CLUENER dev, exact span match)",
        "",
        f"Headline: **COMPANY F1 {company['f1']:.4f}** (P {company['precision']:.4f}, R {company['recall']:.4f}).",
        "",
        scores_table(meta["dev_scores"]),
        "",
        "## Speed and size",
        "",
        f"- {meta['chars_per_second']:,} chars/s on CLUENER dev text, one torch thread, batch of all dev sentences "
        "(shared, busy 2-core machine: treat as a lower bound; models/README.md has a side-by-side run).",
        f"- {meta['size_mb']} MB on disk.",
    ]


def _segmenter_card(meta: dict) -> list[str]:
    lines = [
        "## Data and terms",
        "",
        "The full SIGHAN 2005 training files are not available here, so the model is trained on the first 90% "
        "of the lines of each gold *test* file and scored on the last 10% (held out, never seen in training):",
        "",
    ]
    for source, data in sorted(meta["data"].items()):
        lines.append(f"- `{data['file']}`: {data['train_lines']:,} lines train, {data['held_out_lines']:,} held out")
    lines += [
        "",
        f"Terms: {TERMS['icwb2']} The weights are derived from research-only data: research use.",
        "",
        "## Scores (held-out lines, word P/R/F1, SIGHAN measure)",
        "",
        "| part | precision | recall | F1 | gold words | chars/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for source, s in sorted(meta["held_out_scores"].items()):
        lines.append(f"| {source} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {s['gold_words']:,} | "
                     f"{meta['chars_per_second'][source]:,} |")
    lines += ["", f"Size: {meta['size_mb']} MB on disk (`features.msgpack`, `weights.npz`)."]
    return lines


def write_model_card(folder: Path, meta: dict) -> Path:
    """Write ``folder/MODEL_CARD.md`` describing the artifact whose metadata is ``meta``.

    Args:
        folder: the artifact folder.
        meta: the trainer's metadata (as in ``meta.json``).

    Returns:
        The card's path.
    """
    lines = [f"# {meta['name']} (version {meta['version']})", "", DESCRIPTIONS[meta["backend"]], ""]
    lines += _segmenter_card(meta) if meta["backend"] == "spacy-pkuseg" else _ner_card(meta)
    lines += [
        "",
        "## Hyper-parameters",
        "",
        "```json",
        json.dumps(meta["hyper_parameters"], ensure_ascii=False, indent=2, sort_keys=True),
        "```",
        "",
        "## Rebuild",
        "",
        "```",
        meta["command"] or "zhclaims train ...",
        "```",
        "",
        "Needs `../shared/corpora` (or `--corpora DIR`); fixed seed, single thread. `meta.json` beside this card "
        "holds every figure above.",
        "",
    ]
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
