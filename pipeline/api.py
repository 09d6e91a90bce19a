"""The Python API: build the staged spaCy pipeline from its config and run it on articles.

>>> from pipeline import Pipeline
>>> p = Pipeline.load()                                   # doctest: +SKIP
>>> article = p("杭州市钱塘区前进街道……", published="2026-01")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Config

from . import __version__
from .extensions import RAW_TEXT_KEY, register_extensions
from .schema import Article, InputDocument, default_doc_id

DEFAULT_CONFIG = Path(__file__).with_name("default.cfg")

# Importing a stage module registers its factory with spaCy. The order here is the stage order.
STAGE_MODULES = (
    "pipeline.s1_normalize",
    "pipeline.s2_layout",
    "pipeline.s3_furniture",
    "pipeline.s4_sentences",
    "pipeline.s5_places",
    "pipeline.s6_companies",
    "pipeline.s7_times",
    "pipeline.s8_quantities",
    "pipeline.s9_claims",
)


class PipelineConfigError(ValueError):
    """The configured stages cannot run in the configured order."""


class CharTokenizer:
    """Make a ``Doc`` with one token per character, so every character offset is a token boundary.

    The ``Doc``'s text is the raw text unchanged; normalization lives in ``token.norm_`` and
    ``doc._.norm_text`` (see ``s1_normalize``).

    Each character's string id (orth) is interned once and kept in a table indexed by code point,
    so a ``Doc`` is built from a list of ids looked up in one vectorized step: ``Doc(words=ids)``
    makes the same tokens and lexemes as ``Doc(words=list(text))`` without hashing a string per
    character.
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self._orth_of_code = numpy.zeros(0x10000, dtype=numpy.uint64)
        """``_orth_of_code[ord(char)]`` is ``char``'s orth in ``vocab.strings``; 0 until interned."""

    def __call__(self, text: str) -> Doc:
        spaces = [False] * len(text)
        try:
            doc = Doc(self.vocab, words=self.orths(text), spaces=spaces)
        except KeyError:  # the vocab's strings were replaced (a vocab loaded from disk): intern again
            self._orth_of_code[:] = 0
            doc = Doc(self.vocab, words=self.orths(text), spaces=spaces)
        doc.user_data[RAW_TEXT_KEY] = text  # see extensions.raw_text: doc.text is rebuilt per call
        return doc

    def orths(self, text: str) -> list[int]:
        """Return the orth (string id) of each character of ``text``, interning new characters.

        Characters are interned permanently (not in a memory zone's transient strings), so an id
        in the table stays valid; a lexeme dropped at the end of a memory zone is made again from
        its string when a ``Doc`` next uses it.
        """
        codes = numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32)
        if not codes.size:
            return []
        highest = int(codes.max())
        if highest >= len(self._orth_of_code):
            grown = numpy.zeros((highest // 0x10000 + 1) * 0x10000, dtype=numpy.uint64)  # whole planes
            grown[: len(self._orth_of_code)] = self._orth_of_code
            self._orth_of_code = grown
        orths = self._orth_of_code[codes]
        if not orths.all():
            add = self.vocab.strings.add
            for code in numpy.unique(codes[orths == 0]).tolist():
                self._orth_of_code[code] = add(chr(code), allow_transient=False)
            orths = self._orth_of_code[codes]
        return orths.tolist()

    # spaCy serialises tokenizers with the pipeline; this one has no state (the id table is a cache).
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "CharTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, **kwargs) -> "CharTokenizer":
        return self


@registry.tokenizers("zhclaims.CharTokenizer.v1")
def create_char_tokenizer():
    def make(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return make


def import_stages() -> None:
    """Import every stage module so its spaCy factory is registered."""
    register_extensions()
    for module in STAGE_MODULES:
        importlib.import_module(module)


def check_contracts(nlp: Language) -> None:
    """Raise :class:`PipelineConfigError` when a stage requires what no earlier stage assigns.

    spaCy only warns about this (``nlp.analyze_pipes``); a batch that would fail on its first
    document should fail when it is built instead, with a message saying what to change.
    """
    analysis = nlp.analyze_pipes()
    problems = {name: missing for name, missing in analysis["problems"].items() if missing}
    if problems:
        lines = []
        for name, missing in problems.items():
            providers = [
                other
                for other in nlp.pipe_names
                if set(missing) & set(nlp.get_pipe_meta(other).assigns)
            ]
            hint = (
                f"move '{providers[0]}' before '{name}'"
                if providers
                else "add the stage that assigns it (see pipeline/default.cfg)"
            )
            lines.append(f"stage '{name}' requires {', '.join(missing)}, which no earlier stage assigns: {hint}")
        raise PipelineConfigError("Invalid pipeline order:\n  " + "\n  ".join(lines))


def build_nlp(config_path: Union[str, Path, None] = None, overrides: Optional[dict] = None) -> Language:
    """Build the spaCy ``Language`` from a config file (default: ``pipeline/default.cfg``).

    Args:
        config_path: a spaCy-style config; its ``[nlp] pipeline`` lists the stages in order.
        overrides: dotted config overrides, e.g. ``{"components.companies.backend": "spacy"}``.
    """
    import_stages()
    config = Config().from_disk(config_path or DEFAULT_CONFIG, overrides=overrides or {})
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    check_contracts(nlp)
    return nlp


class Pipeline:
    """The zhclaims pipeline: raw article in, :class:`~pipeline.schema.Article` out.

    Use :meth:`load` to build it; call it on one text or :meth:`pipe` many.
    """

    def __init__(self, nlp: Language):
        self.nlp = nlp

    @classmethod
    def load(cls, config: Union[str, Path, None] = None, **overrides) -> "Pipeline":
        """Build the pipeline from ``config`` (default config when None).

        Keyword overrides use ``__`` for dots: ``Pipeline.load(components__companies__backend="spacy")``.
        """
        dotted = {key.replace("__", "."): value for key, value in overrides.items()}
        return cls(build_nlp(config, dotted))

    @property
    def stage_names(self) -> list[str]:
        """The stages in the order they run."""
        return list(self.nlp.pipe_names)

    @property
    def version(self) -> str:
        """A string that changes whenever the code, rules or models of any stage change."""
        parts = [f"zhclaims-{__version__}"]
        for name, component in self.nlp.pipeline:
            parts.append(f"{name}={getattr(component, 'version', '0')}")
        return ";".join(parts)

    def make_doc(self, document: Union[str, InputDocument], *, published: Optional[str] = None,
                 doc_id: Optional[str] = None, source: Optional[str] = None) -> Doc:
        """Tokenize one input and attach its metadata, without running the stages."""
        if isinstance(document, str):
            document = InputDocument(text=document, published=published, id=doc_id, source=source)
        doc = self.nlp.make_doc(document.text)
        extensions = doc._  # each ``doc._`` makes an accessor object: make it once
        extensions.doc_id = document.id or default_doc_id(document.text)
        extensions.source = document.source
        extensions.published = document.published
        extensions.published_source = "metadata" if document.published else None
        return doc

    def process(self, document: Union[str, InputDocument], **metadata) -> Doc:
        """Run every stage on one input and return the annotated spaCy ``Doc``."""
        return self.nlp(self.make_doc(document, **metadata))

    def __call__(self, document: Union[str, InputDocument], **metadata) -> Article:
        """Run the pipeline on one text (or :class:`InputDocument`) and return its :class:`Article`."""
        from .output import doc_to_article

        return doc_to_article(self.process(document, **metadata), self.version)

    def pipe_docs(self, documents: Iterable[Union[str, InputDocument]], batch_size: int = 8) -> Iterator[Doc]:
        """Run the pipeline over many inputs, yielding annotated ``Doc`` objects in input order."""
        docs = (self.make_doc(d) for d in documents)
        yield from self.nlp.pipe(docs, batch_size=batch_size)

    def pipe(self, documents: Iterable[Union[str, InputDocument]], batch_size: int = 8) -> Iterator[Article]:
        """Run the pipeline over many inputs, yielding :class:`Article` results in input order."""
        from .output import doc_to_article

        version = self.version
        for doc in self.pipe_docs(documents, batch_size=batch_size):
            yield doc_to_article(doc, version)
