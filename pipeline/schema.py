"""The data model shared by predictions and gold.

Every model here is a superset of the gold annotation format (``../shared/gold/README.md``,
format 1): a gold file validates as an :class:`Article`, and a pipeline result serialises to a
file the evaluator reads the same way. Offsets are Python ``str`` indices into the article's raw
text, ``start`` inclusive, ``end`` exclusive, and every ``text`` field equals ``raw[start:end]``.

Provenance is optional on every item so that gold (which has none) fits the same models; the
pipeline always fills it.
"""

from __future__ import annotations

import hashlib
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1

EntityLabel = Literal["PROVINCE", "CITY", "DISTRICT", "STREET", "COMMUNITY", "COMPANY"]
PLACE_LABELS = ("PROVINCE", "CITY", "DISTRICT", "STREET", "COMMUNITY")
Qualifier = Literal["approx", "over", "under", "up_to"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Provenance(_Model):
    """Where an item came from and what produced it.

    Args:
        doc_id: the document the item belongs to.
        start: raw-text start offset of the item's span.
        end: raw-text end offset (exclusive).
        sentence: index into the document's ``sentences``, or None outside any sentence.
        producer: ``rule:<id>`` or ``model:<name>``.
        version: version of the rule set or model that produced the item.
        confidence: the producer's confidence in [0, 1].
    """

    doc_id: str
    start: int
    end: int
    sentence: Optional[int] = None
    producer: str
    version: str
    confidence: float = 1.0


class Sentence(_Model):
    """A sentence of the article body: raw offsets and its normalized (Simplified) text."""

    index: int
    start: int
    end: int
    text: str


class Entity(_Model):
    """A place or company mention.

    ``name`` is the canonical Simplified full name; ``adcode`` the 6-digit GB/T 2260 code for
    PROVINCE/CITY/DISTRICT. ``code`` is the most specific statistical code known (9 digits for a
    township), ``parents`` the canonical names of the enclosing units from the top down,
    ``candidates`` the codes still possible when a name could not be resolved to one unit.
    """

    id: str
    start: int
    end: int
    text: str
    label: EntityLabel
    name: str
    adcode: Optional[str] = None
    code: Optional[str] = None
    level: Optional[str] = None
    parents: list[str] = Field(default_factory=list)
    parent_codes: list[str] = Field(default_factory=list)
    former: bool = False
    candidates: list[str] = Field(default_factory=list)
    provenance: Optional[Provenance] = None


class Quantity(_Model):
    """A measured number: value with its multiplier applied, or a ``low``-``high`` range."""

    id: str
    start: int
    end: int
    text: str
    value: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    unit: str = ""
    qualifier: Optional[Qualifier] = None
    provenance: Optional[Provenance] = None


class TimeExpression(_Model):
    """A date, period or relative time, resolved to an ISO-like value (``2025-12-31``, ``2025-01/2025-11``)."""

    id: str
    start: int
    end: int
    text: str
    value: Optional[str] = None
    as_of: bool = False
    provenance: Optional[Provenance] = None


class Claim(_Model):
    """One quantity stated about one subject.

    ``quantity``, ``time`` and ``subject_entity`` are ids of items in the same article.
    ``evidence`` is the raw ``[start, end]`` of the sentence or clause that states the claim.
    The denormalised fields after ``evidence`` repeat the referenced items' values so a claim
    can be read (and tabulated) on its own; ``parts`` names the extractor of each part.
    """

    id: str
    subject: str
    subject_label: str
    subject_entity: Optional[str] = None
    predicate: str
    quantity: str
    time: Optional[str] = None
    evidence: list[int]
    subject_span: Optional[list[int]] = None
    value: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    unit: Optional[str] = None
    qualifier: Optional[str] = None
    time_value: Optional[str] = None
    as_of: Optional[bool] = None
    parts: dict[str, str] = Field(default_factory=dict)
    provenance: Optional[Provenance] = None

    def render(self) -> str:
        """Return the claim as one readable line: ``subject · predicate · value unit · time``."""
        if self.value is not None:
            amount = f"{self.value:g}"
        elif self.low is not None and self.high is not None:
            amount = f"{self.low:g}–{self.high:g}"
        else:
            amount = "?"
        if self.qualifier:
            amount = f"{amount} ({self.qualifier})"
        line = f"{self.subject} · {self.predicate} · {amount} {self.unit or ''}".rstrip()
        if self.time_value:
            line += f" · {'as of ' if self.as_of else ''}{self.time_value}"
        return line


class Relation(_Model):
    """A ``located_in`` relation between two entities of the same article, by id."""

    head: str
    relation: Literal["located_in"] = "located_in"
    tail: str
    evidence: list[int]
    provenance: Optional[Provenance] = None


class FurnitureSpan(_Model):
    """A stretch of raw text that is not article body (navigation, byline, credit...)."""

    start: int
    end: int
    reason: str


class Article(_Model):
    """One article: gold annotation or pipeline output (a superset of gold format 1)."""

    format: int = FORMAT_VERSION
    doc_id: str
    source: Optional[str] = None
    text_sha256: Optional[str] = None
    published: Optional[str] = None
    published_source: Optional[str] = None
    entities: list[Entity] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    times: list[TimeExpression] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)
    furniture_spans: list[FurnitureSpan] = Field(default_factory=list)
    pipeline_version: Optional[str] = None

    def to_dataframe(self, kind: str = "claims"):
        """Return this article's ``kind`` items as a pandas DataFrame (see :func:`pipeline.frames.to_dataframe`)."""
        from .frames import to_dataframe

        return to_dataframe(self, kind)


class InputDocument(_Model):
    """One article to process: its text and whatever metadata came with it."""

    id: Optional[str] = None
    text: str
    published: Optional[str] = None
    source: Optional[str] = None


def text_sha256(raw: str) -> str:
    """Return the SHA-256 hex digest of ``raw`` encoded as UTF-8 (the gold's ``text_sha256``)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def default_doc_id(raw: str) -> str:
    """Return a stable id for a text without one: the first 16 hex digits of its SHA-256."""
    return text_sha256(raw)[:16]


def json_schema() -> dict:
    """Return the JSON Schema of one output line (an :class:`Article`)."""
    return Article.model_json_schema()
