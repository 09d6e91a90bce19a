"""The store's column-by-column rows and its cached lookups against the plain definitions they replace.

:func:`pipeline.store.article_rows` is compared with one row per item built field by field, the
cached JSON text of ``parts`` with ``json.dumps``, and the writer's in-memory list of failed inputs
with what the ``errors`` table holds after a reopen.
"""

from __future__ import annotations

import json

from pipeline import store
from pipeline.schema import Article, Claim, Entity, Provenance, Quantity, Relation, Sentence
from pipeline.store import DocumentResult, ErrorRecord, Store, article_rows

RAW = "杭州市累计建成充电桩55.4万把，宁波市12万把。"


def sample_article(doc_id: str = "a") -> Article:
    """Items with and without provenance, lists, a dict field, None and default values."""
    def prov(start, end, sentence=0):
        return Provenance(doc_id=doc_id, start=start, end=end, sentence=sentence, producer="rule:test/x",
                          version="1", confidence=0.5)

    return Article(
        doc_id=doc_id, pipeline_version="test-1",
        sentences=[Sentence(index=0, start=0, end=len(RAW), text=RAW)],
        entities=[Entity(id="e0", start=0, end=3, text="杭州市", label="CITY", name="杭州市", adcode="330100",
                         parents=["浙江省"], provenance=prov(0, 3)),
                  Entity(id="e19", start=19, end=22, text="宁波市", label="CITY", name="宁波市", former=True,
                         candidates=["330200", "330201"])],
        quantities=[Quantity(id="q10", start=10, end=16, text="55.4万把", value=554000.0, unit="把",
                             provenance=prov(10, 16, sentence=None)),
                    Quantity(id="q22", start=22, end=26, text="12万把", low=1.0, high=2.0, qualifier="approx")],
        claims=[Claim(id="c1", subject="杭州市", subject_label="CITY", predicate="累计建成充电桩", quantity="q10",
                      evidence=[0, len(RAW)], value=554000.0, parts={"subject": "rule:x", "predicate": "model:y@1"},
                      provenance=prov(0, len(RAW))),
                Claim(id="c2", subject="宁波市", subject_label="CITY", predicate="建成", quantity="q22",
                      evidence=[0, len(RAW)], parts={"predicate": "model:y@1", "subject": "rule:x"})],
        relations=[Relation(head="e0", tail="e19", evidence=[0, 3])],
    )


def rows_reference(article: Article, table: str) -> list[tuple]:
    """One row per item, column by column from the item's fields (the layout of ``ITEM_COLUMNS``)."""
    attribute, _ = store.ITEM_TABLES[table]
    rows = []
    for position, item in enumerate(getattr(article, attribute)):
        row = [article.doc_id, position]
        for name, sql_type in store.ITEM_COLUMNS[table][2:]:
            if name.startswith("prov_"):
                row.append(getattr(item.provenance, name[5:]) if item.provenance is not None else None)
            elif sql_type == "JSON_TEXT":
                value = getattr(item, name)
                row.append(json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else None)
            else:
                row.append(getattr(item, name))
        rows.append(tuple(row))
    return rows


def test_article_rows_are_the_item_rows_column_by_column():
    article = sample_article()
    columns = article_rows(article)
    for table in store.ITEM_TABLES:
        expected = rows_reference(article, table)
        if not expected:
            assert table not in columns  # tables without items are left out
            continue
        assert len(columns[table]) == len(store.ITEM_COLUMNS[table])
        assert list(zip(*columns[table])) == expected


def test_parts_json_text_is_json_dumps_whatever_the_key_order():
    first, second = article_rows(sample_article())["claims"], article_rows(sample_article("b"))["claims"]
    parts = [name for name, _ in store.ITEM_COLUMNS["claims"]].index("parts")
    expected = json.dumps({"predicate": "model:y@1", "subject": "rule:x"}, ensure_ascii=False, sort_keys=True)
    assert first[parts] == second[parts] == [expected, expected]


def result_for(article: Article, path: str, line: int | None) -> DocumentResult:
    return DocumentResult(doc_id=article.doc_id, path=path, line=line, encoding="utf-8", input_hash="h", text=RAW,
                          article_json=article.model_dump_json(), pipeline_version="test-1",
                          rows=article_rows(article))


def test_errors_of_an_earlier_run_are_cleared_after_reopening(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.write([], [ErrorRecord("feed.jsonl", 3, "malformed JSON"), ErrorRecord("bad.txt", None, "binary file"),
                      ErrorRecord("feed.jsonl", 4, "too long")], 1)
    with Store(path) as db:  # a new process: the failed inputs must be read back from the store
        db.write([result_for(sample_article("x"), "feed.jsonl", 3)], [], 2)
        db.write([result_for(sample_article("y"), "bad.txt", None)],
                 [ErrorRecord("feed.jsonl", 4, "still too long")], 3)
        db.write([result_for(sample_article("z"), "feed.jsonl", 4)], [ErrorRecord("feed.jsonl", 3, "now failing")], 4)
    errors = store.read_table(path, "errors")
    assert list(errors[["source", "line", "reason"]].itertuples(index=False, name=None)) == \
        [("feed.jsonl", 3, "now failing")]
    assert list(store.read_table(path, "documents")["doc_id"]) == ["x", "y", "z"]
