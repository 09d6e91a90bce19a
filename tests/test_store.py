"""The DuckDB store: flat tables, replacement per document, error rows, lossless export."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import store
from pipeline.schema import Article, Claim, Entity, Provenance, Quantity, Relation, Sentence, TimeExpression
from pipeline.store import DocumentResult, ErrorRecord, Store, StoreError, article_rows

RAW = "\ufeff截至2025年底，杭州市累计建成充电桩55.4万把。"


def make_article(doc_id: str, raw: str = RAW, with_claim: bool = True) -> Article:
    """A small article whose items point into ``raw`` (built by hand, no pipeline)."""
    def prov(start, end, producer="rule:test/x"):
        return Provenance(doc_id=doc_id, start=start, end=end, sentence=0, producer=producer, version="1", confidence=0.9)

    city, qty, time_ = raw.index("杭州市"), raw.index("55.4万把"), raw.index("2025年底")
    article = Article(
        doc_id=doc_id, source=f"{doc_id}.txt", text_sha256="x", published="2026-01",
        sentences=[Sentence(index=0, start=0, end=len(raw), text=raw)],
        entities=[Entity(id=f"e{city}", start=city, end=city + 3, text="杭州市", label="CITY", name="杭州市",
                         adcode="330100", parents=["浙江省"], provenance=prov(city, city + 3))],
        quantities=[Quantity(id=f"q{qty}", start=qty, end=qty + 6, text="55.4万把", value=554000.0, unit="把",
                             provenance=prov(qty, qty + 6))],
        times=[TimeExpression(id=f"t{time_}", start=time_, end=time_ + 6, text="2025年底", value="2025-12-31",
                              as_of=True, provenance=prov(time_, time_ + 6))],
        relations=[Relation(head=f"e{city}", tail=f"e{city}", evidence=[0, len(raw)])],
        pipeline_version="test-1",
    )
    if with_claim:
        article.claims.append(Claim(id="c1", subject="杭州市", subject_label="CITY", subject_entity=f"e{city}",
                                    predicate="累计建成充电桩", quantity=f"q{qty}", time=f"t{time_}",
                                    evidence=[0, len(raw)], value=554000.0, unit="把",
                                    parts={"subject": "rule:x", "predicate": "model:y@1"},
                                    provenance=prov(0, len(raw), "model:claims@1")))
    return article


def result_for(article: Article, raw: str = RAW, path: str | None = None, line: int | None = None) -> DocumentResult:
    return DocumentResult(
        doc_id=article.doc_id, path=path or f"{article.doc_id}.txt", line=line, encoding="utf-8-bom",
        input_hash=f"h-{article.doc_id}-{len(article.claims)}", text=raw, article_json=article.model_dump_json(),
        pipeline_version=article.pipeline_version, source=article.source, published=article.published,
        rows=article_rows(article),
    )


def test_tables_are_flat_with_provenance_columns(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        run = db.start_run("test-1", "inline", 1, ["x"])
        db.write([result_for(make_article("b")), result_for(make_article("a"))], [], run)
        db.finish_run(run, 2, 0, 0, 2 * len(RAW))
    documents = store.read_table(path, "documents")
    assert list(documents["doc_id"]) == ["a", "b"]  # deterministic order
    assert documents.loc[0, "text"] == RAW and documents.loc[0, "chars"] == len(RAW)
    entities = store.read_table(path, "entities")
    assert list(entities.loc[0, ["text", "label", "adcode", "prov_producer", "prov_confidence"]]) == \
        ["杭州市", "CITY", "330100", "rule:test/x", 0.9]
    assert list(entities.loc[0, "parents"]) == ["浙江省"]
    claims = store.read_table(path, "claims")
    assert json.loads(claims.loc[0, "parts"]) == {"predicate": "model:y@1", "subject": "rule:x"}
    assert list(claims.loc[0, "evidence"]) == [0, len(RAW)]
    for table in ("entities", "quantities", "times"):
        frame = store.read_table(path, table)
        assert all(RAW[s:e] == t for s, e, t in zip(frame["start"], frame["end"], frame["text"]))
    runs = store.read_table(path, "runs")
    assert list(runs.loc[0, ["status", "processed", "engine"]]) == ["finished", 2, "inline"]


def test_articles_round_trip_losslessly(tmp_path):
    path = tmp_path / "s.duckdb"
    originals = [make_article("a"), make_article("b", with_claim=False)]
    with Store(path) as db:
        db.write([result_for(a) for a in originals], [], 1)
    assert list(store.articles(path)) == originals


def test_rewriting_a_document_replaces_all_its_rows(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.write([result_for(make_article("a")), result_for(make_article("b"))], [], 1)
        db.write([result_for(make_article("a", with_claim=False))], [], 2)
        assert db.known_documents()["a"] == ("h-a-0", "test-1")
    claims = store.read_table(path, "claims")
    assert list(claims["doc_id"]) == ["b"]
    assert list(store.read_table(path, "entities")["doc_id"]) == ["a", "b"]
    assert list(store.read_table(path, "documents")["run_id"]) == [2, 1]


def test_a_document_stored_by_an_earlier_run_is_replaced_after_reopening(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.write([result_for(make_article("a"))], [], 1)
    with Store(path) as db:  # a new process: what is stored must be read back, not assumed new
        db.write([result_for(make_article("a", with_claim=False))], [], 2)
    assert list(store.read_table(path, "documents")["doc_id"]) == ["a"]
    assert list(store.read_table(path, "claims")["doc_id"]) == []


def test_error_rows_are_replaced_and_cleared_by_success(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.write([], [ErrorRecord("feed.jsonl", 3, "malformed JSON"), ErrorRecord("bad.txt", None, "binary file")], 1)
        db.write([], [ErrorRecord("bad.txt", None, "empty file")], 2)
        db.write([result_for(make_article("x"), path="feed.jsonl", line=3)], [], 3)
    errors = store.read_table(path, "errors")
    assert list(errors[["source", "reason", "run_id"]].itertuples(index=False, name=None)) == [("bad.txt", "empty file", 2)]
    assert pd.isna(errors.loc[0, "line"])


def test_exports(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.write([result_for(make_article("b")), result_for(make_article("a"))], [], 1)
    out = tmp_path / "out.jsonl"
    with open(out, "w", encoding="utf-8") as handle:
        assert store.export_jsonl(path, handle) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [Article.model_validate_json(line).doc_id for line in lines] == ["a", "b"]
    files = store.export_parquet(path, tmp_path / "pq")
    assert {f.stem for f in files} == set(store.TABLES)
    assert pd.read_parquet(tmp_path / "pq" / "claims.parquet")["doc_id"].tolist() == ["a", "b"]


def test_new_schema_fields_are_added_to_an_existing_store(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.con.execute("ALTER TABLE entities DROP COLUMN candidates")  # a store from before that field
    with Store(path) as db:
        db.write([result_for(make_article("a"))], [], 1)
    assert "candidates" in store.read_table(path, "entities").columns


def test_helpful_errors(tmp_path):
    with pytest.raises(StoreError, match="zhclaims extract"):
        store.read_table(tmp_path / "none.duckdb", "claims")
    with Store(tmp_path / "s.duckdb"):
        pass
    with pytest.raises(ValueError, match="documents"):
        store.read_table(tmp_path / "s.duckdb", "claimz")
