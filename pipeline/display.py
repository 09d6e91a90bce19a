"""displaCy views for notebooks: entities with their codes and parents, and claims in context.

Both functions return HTML (``jupyter=False``) or display it inline in Jupyter (``jupyter=True``).
They work on an :class:`~pipeline.schema.Article` plus the raw text it was extracted from, so a
result read back from the store renders the same as a fresh one.
"""

from __future__ import annotations

from typing import Optional

from spacy import displacy

from .schema import Article, Claim

LABEL_COLOURS = {
    "PROVINCE": "#f4a261",
    "CITY": "#e9c46a",
    "DISTRICT": "#a8dadc",
    "STREET": "#b5e48c",
    "COMMUNITY": "#d8f3dc",
    "COMPANY": "#cdb4db",
    "SUBJECT": "#a8dadc",
    "QUANTITY": "#ffb4a2",
    "TIME": "#e9c46a",
}


def entity_description(entity) -> str:
    """Return the text shown after an entity's label: its code and parent chain, or its candidates."""
    if entity.code or entity.adcode:
        chain = " › ".join(entity.parents + [entity.name])
        former = " (former)" if entity.former else ""
        return f"{entity.code or entity.adcode} {chain}{former}"
    if entity.candidates:
        return f"{entity.name}: unresolved, {len(entity.candidates)} candidates"
    return entity.name


def entities_html(article: Article, raw: str, *, start: int = 0, end: Optional[int] = None, jupyter: bool = False):
    """Render the article's entities over ``raw[start:end]`` with displaCy's entity style.

    Args:
        article: the extraction result.
        raw: the raw text the article's offsets point into.
        start: first raw offset to show.
        end: raw offset to stop at (default: end of text).
        jupyter: display inline instead of returning HTML.
    """
    end = len(raw) if end is None else end
    ents = [
        {
            "start": e.start - start,
            "end": e.end - start,
            "label": e.label,
            "kb_id": entity_description(e),
        }
        for e in article.entities
        if e.start >= start and e.end <= end
    ]
    data = {"text": raw[start:end], "ents": ents, "title": article.doc_id}
    return displacy.render(data, style="ent", manual=True, jupyter=jupyter, options={"colors": LABEL_COLOURS})


def claim_spans(article: Article, claim: Claim) -> list[dict]:
    """Return the subject, quantity and time spans of ``claim`` relative to its evidence start."""
    ev_start, ev_end = claim.evidence
    by_id = {q.id: q for q in article.quantities}
    by_id.update({t.id: t for t in article.times})
    by_id.update({e.id: e for e in article.entities})
    spans = []
    for label, ref in (("SUBJECT", claim.subject_entity), ("QUANTITY", claim.quantity), ("TIME", claim.time)):
        item = by_id.get(ref) if ref else None
        if item is not None and ev_start <= item.start and item.end <= ev_end:
            spans.append({"start_char": item.start - ev_start, "end_char": item.end - ev_start, "label": label})
    return spans


def claims_html(article: Article, raw: str, *, claims: Optional[list[Claim]] = None, jupyter: bool = False):
    """Render each claim's evidence with its subject, quantity and time highlighted (displaCy span style).

    A subject mentioned outside the evidence (carried over from an earlier sentence) is named in
    the title line instead.
    """
    pages = []
    for claim in claims if claims is not None else article.claims:
        ev_start, ev_end = claim.evidence
        text = raw[ev_start:ev_end]
        token_starts = list(range(len(text)))
        spans = [
            {"start_token": s["start_char"], "end_token": s["end_char"], "label": s["label"]}
            for s in claim_spans(article, claim)
        ]
        pages.append(
            {
                "text": text,
                "tokens": list(text),
                "spans": spans,
                "title": claim.render(),
                "token_starts": token_starts,
            }
        )
    return displacy.render(
        pages, style="span", manual=True, jupyter=jupyter, options={"colors": LABEL_COLOURS}
    )
