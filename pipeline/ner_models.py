"""Run-time interface to the NER models this project trains for itself (``models/ner-*``).

Usage::

    from pipeline.ner_models import load_ner
    ner = load_ner("hanlp")                      # or "spacy"; cached, loaded from models/
    spans = ner.predict(["浙商银行企业信贷部叶老桂博士"])  # [[NerSpan(0, 4, 'COMPANY', 0.98), ...]]
    producer = f"model:{ner.name}@{ner.version}"

Offsets are character offsets into each given text (pass ``doc._.view.text`` slices and map back
with ``view.to_raw``); other text is normalized like stage 1 before tagging. Labels: COMPANY, ORG, GOV, ADDRESS, PER (see
``pipeline/training/corpora.py`` and models/README.md). Both backends tag characters, so they fit
the pipeline's one-token-per-character Doc; long texts are cut into chunks of at most
:data:`MAX_CHUNK` characters at sentence ends (commas, then anywhere, when a sentence is longer).

``score`` is, for HanLP, the mean over the span's characters of the CRF's posterior (marginal)
probability of the decoded tag; for spaCy (whose transition-based NER has no per-span probability) it is the label's
precision on CLUENER dev, recorded in the model's ``meta.json``.

Nothing is downloaded: both backends load only local files, and the hub clients are put in
offline mode before HanLP is imported.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol

import regex

from .resources import model_path
from .s1_normalize import normalize_text

BACKENDS = {"hanlp": "ner-hanlp", "spacy": "ner-spacy"}
DEFAULT_BACKEND = "hanlp"
MAX_CHUNK = 200
_SENTENCE_PIECE = regex.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;\n]+|$)")
_CLAUSE_PIECE = regex.compile(r"[^，,、：:\s]*(?:[，,、：:\s]+|$)")


class NerSpan(NamedTuple):
    """An entity found by a model: ``text[start:end]`` is a ``label`` with confidence ``score``."""

    start: int
    end: int
    label: str
    score: float


class NerModel(Protocol):
    """What every NER backend offers."""

    name: str
    version: str

    def predict(self, texts: list[str]) -> list[list[NerSpan]]:
        """Return the entity spans of each text, sorted by start offset."""
        ...


def _pieces(text: str, start: int, end: int, pattern: regex.Pattern) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into consecutive non-empty pieces matched by ``pattern``."""
    return [
        (start + m.start(), start + m.end())
        for m in pattern.finditer(text[start:end])
        if m.end() > m.start()
    ]


def chunk_text(text: str, max_len: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive chunks of at most ``max_len`` characters.

    Chunks end at sentence ends where possible, else at clause marks, else every ``max_len``.

    Args:
        text: the text to cut.
        max_len: the longest chunk.

    Returns:
        ``(start, end)`` pairs covering the whole text in order.
    """
    units: list[tuple[int, int]] = []
    for s_start, s_end in _pieces(text, 0, len(text), _SENTENCE_PIECE):
        if s_end - s_start <= max_len:
            units.append((s_start, s_end))
            continue
        for c_start, c_end in _pieces(text, s_start, s_end, _CLAUSE_PIECE):
            units.extend((i, min(i + max_len, c_end)) for i in range(c_start, c_end, max_len))
    chunks: list[tuple[int, int]] = []
    for u_start, u_end in units:
        if chunks and u_end - chunks[-1][0] <= max_len:
            chunks[-1] = (chunks[-1][0], u_end)
        else:
            chunks.append((u_start, u_end))
    return chunks


def _read_meta(directory: Path) -> dict:
    """Read ``meta.json`` (name, version, labels, scores) written beside a model by its trainer."""
    with open(directory / "meta.json", encoding="utf-8") as handle:
        return json.load(handle)


class _ChunkedModel:
    """Shared chunking: subclasses tag a list of short texts in :meth:`_predict_chunks`."""

    name: str
    version: str
    batch_size = 64

    def predict(self, texts: list[str]) -> list[list[NerSpan]]:
        """Return the entity spans of each text (offsets into that text), sorted by start.

        Texts are normalized like stage 1 first (the models were trained on normalized text); the
        normalization keeps the length, so offsets hold for the given text.

        Args:
            texts: the texts to tag (any length; empty texts give no spans).

        Returns:
            One sorted list of :class:`NerSpan` per text.
        """
        texts = [normalize_text(text) for text in texts]
        jobs = [(t_index, c_start, c_end) for t_index, text in enumerate(texts)
                for c_start, c_end in chunk_text(text) if text[c_start:c_end].strip()]
        chunk_texts = [texts[t][s:e] for t, s, e in jobs]
        results: list[list[NerSpan]] = [[] for _ in texts]
        for (t_index, c_start, _), spans in zip(jobs, self._predict_chunks(chunk_texts)):
            results[t_index].extend(NerSpan(c_start + s.start, c_start + s.end, s.label, s.score) for s in spans)
        for spans in results:
            spans.sort()
        return results

    def _predict_chunks(self, texts: list[str]) -> list[list[NerSpan]]:
        raise NotImplementedError


def _offline_hubs() -> None:
    """Make sure no hub client tries the network (a saved local model never needs it)."""
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(variable, "1")
    os.environ.setdefault("HANLP_VERBOSE", "0")


def hanlp_recognizer_class():
    """Return HanLP's RNN NER with its CRF fixed to batch-first (hanlp 2.1.x builds it sequence-first).

    ``RNNTaggingModel`` calls ``CRF(n_out, crf_constraints)`` whose second argument is
    ``batch_first``, so with the default ``None`` the CRF reads batch-first emissions as
    sequence-first and training converges to garbage. The subclass sets ``batch_first`` after the
    model is built, for training and loading alike; the weights are unchanged.
    """
    _offline_hubs()
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class BatchFirstCrfRNNNamedEntityRecognizer(RNNNamedEntityRecognizer):
        def build_model(self, rnn_input, rnn_hidden, drop, crf, **kwargs):
            model = super().build_model(rnn_input, rnn_hidden, drop, crf, **kwargs)
            if model.crf is not None:
                model.crf.batch_first = True
            return model

    return BatchFirstCrfRNNNamedEntityRecognizer


class HanlpNer(_ChunkedModel):
    """HanLP character BiLSTM-CRF tagger (IOBES tags), run directly on its torch module."""

    batch_size = 128

    def __init__(self, directory: Path):
        import torch

        self._torch = torch
        meta = _read_meta(directory)
        self.name, self.version = meta["name"], meta["version"]
        self.labels = tuple(meta["labels"])
        self.component = hanlp_recognizer_class()()
        self.component.load(str(directory), devices=-1, verbose=False)
        self.model = self.component.model.eval()
        token_vocab = self.component.vocabs["token"]
        self._char_ids = dict(token_vocab.token_to_idx)
        self._unk_id = token_vocab.unk_idx
        self._tags = list(self.component.vocabs["tag"].idx_to_token)

    def _ids(self, text: str) -> list[int]:
        get = self._char_ids.get
        return [get("<SP>" if ch.isspace() else ch, self._unk_id) for ch in text]

    def _tag_marginals(self, emissions, mask):
        """Posterior probability of every tag at every position under the CRF (forward-backward).

        Args:
            emissions: ``[batch, length, tags]`` scores from the BiLSTM.
            mask: ``[batch, length]`` booleans, True on real characters (a prefix of each row).

        Returns:
            ``[batch, length, tags]`` marginal probabilities (rows past a text's end are meaningless).
        """
        torch = self._torch
        crf = self.model.crf
        transitions = crf.transitions.unsqueeze(0)
        length = emissions.size(1)
        alphas = [crf.start_transitions + emissions[:, 0]]
        for t in range(1, length):
            step = torch.logsumexp(alphas[-1].unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
            alphas.append(torch.where(mask[:, t].unsqueeze(1), step, alphas[-1]))
        end = crf.end_transitions.expand_as(alphas[0])
        betas = [end]
        for t in range(length - 2, -1, -1):
            step = torch.logsumexp(transitions + (emissions[:, t + 1] + betas[-1]).unsqueeze(1), dim=2)
            betas.append(torch.where(mask[:, t + 1].unsqueeze(1), step, end))
        betas.reverse()
        log_z = torch.logsumexp(alphas[-1] + end, dim=1).view(-1, 1, 1)
        return (torch.stack(alphas, 1) + torch.stack(betas, 1) - log_z).exp()

    def _predict_chunks(self, texts: list[str]) -> list[list[NerSpan]]:
        from .training.corpora import iobes_to_spans

        torch = self._torch
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        results: list[list[NerSpan]] = [[] for _ in texts]
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                batch = order[b:b + self.batch_size]
                width = len(texts[batch[0]])
                ids = torch.zeros((len(batch), width), dtype=torch.long)
                for row, index in enumerate(batch):
                    ids[row, :len(texts[index])] = torch.tensor(self._ids(texts[index]), dtype=torch.long)
                logits, mask = self.model(ids)
                paths = self.model.crf.decode(logits, mask)
                probs = self._tag_marginals(logits, mask)
                for row, (index, path) in enumerate(zip(batch, paths)):
                    spans = iobes_to_spans([self._tags[t] for t in path])
                    if not spans:
                        continue
                    chosen = probs[row, torch.arange(len(path)), torch.tensor(path)].tolist()
                    results[index] = [
                        NerSpan(s.start, s.end, s.label, round(sum(chosen[s.start:s.end]) / (s.end - s.start), 4))
                        for s in spans
                    ]
        return results


class SpacyNer(_ChunkedModel):
    """spaCy transition-based NER over character tokens."""

    def __init__(self, directory: Path):
        import spacy

        from . import api  # noqa: F401  registers zhclaims.CharTokenizer.v1 used by the model's config

        meta = _read_meta(directory)
        self.name, self.version = meta["name"], meta["version"]
        self.labels = tuple(meta["labels"])
        self._label_precision = {label: scores["precision"] for label, scores in meta["dev_scores"].items()}
        self.nlp = spacy.load(directory / "model")

    def _predict_chunks(self, texts: list[str]) -> list[list[NerSpan]]:
        docs = (self.nlp.make_doc(text) for text in texts)
        return [
            [NerSpan(e.start_char, e.end_char, e.label_, self._label_precision.get(e.label_, 0.5)) for e in doc.ents]
            for doc in self.nlp.pipe(docs, batch_size=self.batch_size)
        ]


_BACKEND_CLASSES = {"hanlp": HanlpNer, "spacy": SpacyNer}


@lru_cache(maxsize=None)
def load_ner(backend: str = DEFAULT_BACKEND) -> NerModel:
    """Load (once per process) the committed NER model of ``backend`` from ``models/``.

    Args:
        backend: ``"hanlp"`` or ``"spacy"``.

    Returns:
        The loaded model.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown NER backend {backend!r}; choose one of {sorted(BACKENDS)}")
    directory = model_path(BACKENDS[backend])
    if not (directory / "meta.json").exists():
        raise FileNotFoundError(
            f"{directory} holds no trained model (meta.json missing); rebuild it with "
            f"'zhclaims train ner --backend {backend}' (see models/README.md)"
        )
    return _BACKEND_CLASSES[backend](directory)

