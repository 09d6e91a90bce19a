"""zhclaims: Chinese news information extraction with exact provenance.

The stages run in the order of their modules' names (``s1_normalize`` ... ``s9_claims``).
Typical use::

    from pipeline import Pipeline
    p = Pipeline.load()
    article = p("截至2025年底，杭州市累计建成各类充电桩约55.4万把。", published="2026-01")
    for claim in article.claims:
        print(claim.render())
"""

__version__ = "0.1.0"

from .schema import Article, Claim, Entity, InputDocument, Quantity, Relation, TimeExpression  # noqa: E402


def __getattr__(name):
    # Pipeline pulls in spaCy; import it on first use so `import pipeline.schema` stays light.
    if name == "Pipeline":
        from .api import Pipeline

        return Pipeline
    raise AttributeError(name)


__all__ = ["Pipeline", "Article", "Claim", "Entity", "InputDocument", "Quantity", "Relation", "TimeExpression", "__version__"]
