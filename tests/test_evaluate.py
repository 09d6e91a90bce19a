"""The evaluator: crafted predictions with known answers, gold loading checks and the CLI.

Each test changes a copy of a small hand-made gold article and checks that exactly the
figures the change touches move, by the amount the counts say.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.evaluate import (
    GoldFormatError,
    GoldMismatchError,
    MissingTextError,
    errors,
    gate_failures,
    headline_figures,
    load_gold,
    load_predictions,
    match_overlapping,
    numbers_agree,
    prf,
    score,
)
from pipeline.schema import Article, Claim, Entity, Quantity, Relation, TimeExpression

RAW = (
    "截至2025年底，杭州市钱塘区累计建成充电桩约55.4万把。\r\n"
    "浙江省今年新增停车位600—1000个。嘉兴市也在推进。\r\n"
    "长安福特杭州分公司位于杭州。"
)
DOC_ID = "900_crafted"
APPROX = dict(abs=1e-4)


def span(text: str, nth: int = 0) -> tuple[int, int]:
    """Raw offsets of the ``nth`` occurrence of ``text`` in RAW."""
    start = -1
    for _ in range(nth + 1):
        start = RAW.index(text, start + 1)
    return start, start + len(text)


def entity(id_: str, text: str, label: str, name: str, adcode=None, nth: int = 0) -> Entity:
    start, end = span(text, nth)
    return Entity(id=id_, start=start, end=end, text=text, label=label, name=name, adcode=adcode)


def make_gold(doc_id: str = DOC_ID) -> Article:
    """A small gold article: 6 entities (3 CITY), 2 quantities, 2 times, 2 claims, 2 relations."""
    q1, q2 = span("约55.4万把"), span("600—1000个")
    t1, t2 = span("2025年底"), span("今年")
    return Article(
        doc_id=doc_id,
        published="2026-01",
        text_sha256=hashlib.sha256(RAW.encode("utf-8")).hexdigest(),
        entities=[
            entity("e1", "杭州市", "CITY", "杭州市", "330100"),
            entity("e2", "钱塘区", "DISTRICT", "钱塘区", "330114"),
            entity("e3", "浙江省", "PROVINCE", "浙江省", "330000"),
            entity("e4", "嘉兴市", "CITY", "嘉兴市", "330400"),
            entity("e5", "长安福特杭州分公司", "COMPANY", "长安福特杭州分公司"),
            entity("e6", "杭州", "CITY", "杭州市", "330100", nth=2),
        ],
        quantities=[
            Quantity(id="q1", start=q1[0], end=q1[1], text="约55.4万把", value=554000, unit="把", qualifier="approx"),
            Quantity(id="q2", start=q2[0], end=q2[1], text="600—1000个", low=600, high=1000, unit="个"),
        ],
        times=[
            TimeExpression(id="t1", start=t1[0], end=t1[1], text="2025年底", value="2025-12-31", as_of=True),
            TimeExpression(id="t2", start=t2[0], end=t2[1], text="今年", value="2026"),
        ],
        claims=[
            Claim(id="c1", subject="钱塘区", subject_label="DISTRICT", subject_entity="e2", predicate="累计建成充电桩",
                  quantity="q1", time="t1", evidence=[0, 31]),
            Claim(id="c2", subject="浙江省", subject_label="PROVINCE", subject_entity="e3", predicate="新增停车位",
                  quantity="q2", time="t2", evidence=[33, 55]),
        ],
        relations=[
            Relation(head="e2", tail="e1", evidence=[9, 15]),
            Relation(head="e5", tail="e6", evidence=[66, 81]),
        ],
    )


def copy(article: Article) -> Article:
    return article.model_copy(deep=True)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def all_scores(report: dict) -> dict[str, float]:
    """Every P/R/F1/accuracy figure in a report, by dotted path (counts and supports left out)."""
    flat = {}

    def walk(node, path):
        for key, value in node.items():
            if key in ("counts", "support", "documents") or key.endswith("_support"):
                continue
            if isinstance(value, dict):
                walk(value, f"{path}{key}.")
            else:
                flat[f"{path}{key}"] = value

    walk(report, "")
    return flat


def changed(before: dict, after: dict) -> dict[str, tuple[float, float]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


@pytest.fixture
def gold() -> Article:
    return make_gold()


@pytest.fixture
def perfect(gold) -> dict:
    return all_scores(score([gold], [copy(gold)]))


def test_the_crafted_gold_fits_its_text(gold):
    for item in gold.entities + gold.quantities + gold.times:
        assert RAW[item.start:item.end] == item.text


def test_gold_against_itself_scores_one_everywhere(gold, perfect):
    assert set(perfect.values()) == {1.0}
    report = score([gold], [copy(gold)])
    assert report["documents"] == 1
    assert report["entities"]["counts"] == {"gold": 6, "predicted": 6, "matched": 6}


def test_report_has_the_documented_keys(gold):
    report = score([gold], [copy(gold)])
    assert {"entities", "quantities", "times", "claims", "relations", "documents"} <= set(report)
    assert {"micro", "by_label", "lenient"} <= set(report["entities"])
    assert set(report["entities"]["micro"]) == {"precision", "recall", "f1"}
    assert set(report["entities"]["by_label"]["CITY"]) == {"precision", "recall", "f1", "support"}
    assert {"span", "value_accuracy", "unit_accuracy", "qualifier_accuracy"} <= set(report["quantities"])
    assert {"span", "value_accuracy"} <= set(report["times"])
    assert set(report["claims"]["field_accuracy"]) == {"value", "unit", "qualifier", "time"}
    assert {"precision", "recall", "f1"} <= set(report["relations"])


def test_dropping_one_city_lowers_city_and_micro_recall_only(gold, perfect):
    predicted = copy(gold)
    predicted.entities = [e for e in predicted.entities if e.id != "e4"]  # 嘉兴市: no claim or relation uses it
    after = all_scores(score([gold], [predicted]))
    city_recall = 2 / 3
    expected = {
        "entities.micro.recall": 5 / 6,
        "entities.micro.f1": f1(1.0, 5 / 6),
        "entities.by_label.CITY.recall": city_recall,
        "entities.by_label.CITY.f1": f1(1.0, city_recall),
        "entities.lenient.recall": 5 / 6,
        "entities.lenient.f1": f1(1.0, 5 / 6),
        "entities.lenient.by_label.CITY.recall": city_recall,
        "entities.lenient.by_label.CITY.f1": f1(1.0, city_recall),
        "entities.linking.adcode_accuracy": 4 / 5,  # 5 gold places with adcodes, one unmatched
        "entities.linking.name_accuracy": 4 / 5,
    }
    moved = changed(perfect, after)
    assert set(moved) == set(expected)
    for key, value in expected.items():
        assert after[key] == pytest.approx(value, **APPROX), key


def test_shifting_an_entity_fails_strict_but_not_lenient(gold, perfect):
    predicted = copy(gold)
    district = predicted.entities[1]
    predicted.entities[1] = district.model_copy(update={"end": district.end - 1, "text": district.text[:-1]})
    after = all_scores(score([gold], [predicted]))
    moved = changed(perfect, after)
    assert after["entities.micro.precision"] == pytest.approx(5 / 6, **APPROX)
    assert after["entities.micro.recall"] == pytest.approx(5 / 6, **APPROX)
    assert after["entities.by_label.DISTRICT.f1"] == 0.0
    assert after["entities.lenient.f1"] == 1.0
    # the strictly unmatched district also loses its linking and its relation (head span differs)
    assert after["relations.precision"] == pytest.approx(0.5, **APPROX)
    assert after["relations.recall"] == pytest.approx(0.5, **APPROX)
    assert all(k.startswith(("entities.micro", "entities.by_label.DISTRICT", "entities.linking", "relations")) for k in moved)


def test_relabelling_moves_precision_of_one_label_and_recall_of_the_other(gold, perfect):
    predicted = copy(gold)
    predicted.entities[3] = predicted.entities[3].model_copy(update={"label": "DISTRICT"})  # 嘉兴市 CITY -> DISTRICT
    after = all_scores(score([gold], [predicted]))
    assert after["entities.by_label.CITY.recall"] == pytest.approx(2 / 3, **APPROX)
    assert after["entities.by_label.CITY.precision"] == 1.0
    assert after["entities.by_label.DISTRICT.precision"] == pytest.approx(1 / 2, **APPROX)
    assert after["entities.by_label.DISTRICT.recall"] == 1.0
    assert after["entities.lenient.f1"] == pytest.approx(5 / 6, **APPROX)  # lenient needs the same label
    assert after["entities.by_label.PROVINCE.f1"] == 1.0


def test_a_duplicated_prediction_is_a_false_positive(gold):
    predicted = copy(gold)
    predicted.entities.append(predicted.entities[0].model_copy(update={"id": "dup"}))
    report = score([gold], [predicted])
    assert report["entities"]["micro"]["precision"] == pytest.approx(6 / 7, **APPROX)
    assert report["entities"]["micro"]["recall"] == 1.0
    assert report["entities"]["lenient"]["precision"] == pytest.approx(6 / 7, **APPROX)


def test_a_wrong_adcode_or_name_lowers_linking_only(gold, perfect):
    predicted = copy(gold)
    predicted.entities[0] = predicted.entities[0].model_copy(update={"adcode": "330102"})
    predicted.entities[5] = predicted.entities[5].model_copy(update={"name": "杭州"})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "entities.linking.adcode_accuracy": (1.0, pytest.approx(4 / 5, **APPROX)),
        "entities.linking.name_accuracy": (1.0, pytest.approx(4 / 5, **APPROX)),
    }


def test_misvaluing_a_quantity_lowers_value_accuracy_of_quantities_and_claims(gold, perfect):
    predicted = copy(gold)
    predicted.quantities[0] = predicted.quantities[0].model_copy(update={"value": 554000 * 1.002})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "quantities.value_accuracy": (1.0, 0.5),
        "claims.field_accuracy.value": (1.0, 0.5),
    }


def test_values_within_a_tenth_of_a_percent_still_agree(gold, perfect):
    predicted = copy(gold)
    predicted.quantities[0] = predicted.quantities[0].model_copy(update={"value": 554000 * 1.0009})
    predicted.quantities[1] = predicted.quantities[1].model_copy(update={"low": 600.5, "high": 999.2})
    assert all_scores(score([gold], [predicted])) == perfect


def test_a_range_matches_on_low_and_high(gold):
    predicted = copy(gold)
    predicted.quantities[1] = predicted.quantities[1].model_copy(update={"high": 1100})
    assert score([gold], [predicted])["quantities"]["value_accuracy"] == 0.5
    predicted.quantities[1] = predicted.quantities[1].model_copy(update={"low": None, "high": None, "value": 800})
    assert score([gold], [predicted])["quantities"]["value_accuracy"] == 0.5


def test_unit_and_qualifier_are_exact(gold, perfect):
    predicted = copy(gold)
    predicted.quantities[0] = predicted.quantities[0].model_copy(update={"unit": "万把", "qualifier": None})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "quantities.unit_accuracy": (1.0, 0.5),
        "quantities.qualifier_accuracy": (1.0, 0.5),
        "claims.field_accuracy.unit": (1.0, 0.5),
        "claims.field_accuracy.qualifier": (1.0, 0.5),
    }


def test_quantity_spans_match_on_overlap(gold, perfect):
    predicted = copy(gold)
    q = predicted.quantities[0]
    predicted.quantities[0] = q.model_copy(update={"start": q.start + 1, "text": q.text[1:]})  # without 约
    assert all_scores(score([gold], [predicted])) == perfect


def test_a_quantity_outside_any_gold_span_is_a_false_positive(gold):
    predicted = copy(gold)
    start, end = span("充电桩")
    predicted.quantities.append(Quantity(id="qx", start=start, end=end, text="充电桩", value=1))
    report = score([gold], [predicted])
    assert report["quantities"]["span"]["precision"] == pytest.approx(2 / 3, **APPROX)
    assert report["quantities"]["span"]["recall"] == 1.0
    assert report["quantities"]["value_accuracy"] == 1.0


def test_overlap_matching_is_one_to_one_and_prefers_the_larger_overlap():
    gold_items = [Quantity(id="g", start=10, end=20, text="x" * 10)]
    small = Quantity(id="small", start=18, end=25, text="x" * 7)
    large = Quantity(id="large", start=12, end=20, text="x" * 8)
    span_of = lambda q: (q.start, q.end)  # noqa: E731
    for order in ([small, large], [large, small]):
        matching = match_overlapping(gold_items, order, span_of)
        assert [(g.id, p.id) for g, p in matching.pairs] == [("g", "large")]
        assert [p.id for p in matching.spurious] == ["small"]


def test_times_match_on_overlap_then_value(gold, perfect):
    predicted = copy(gold)
    t = predicted.times[0]
    predicted.times[0] = t.model_copy(update={"end": t.end - 1, "text": t.text[:-1], "value": "2025"})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "times.value_accuracy": (1.0, 0.5),
        "claims.field_accuracy.time": (1.0, 0.5),
    }


def test_claim_subjects_agree_across_scripts_and_suffixes(gold, perfect):
    predicted = copy(gold)
    predicted.claims[0] = predicted.claims[0].model_copy(update={"subject": "錢塘"})
    predicted.claims[1] = predicted.claims[1].model_copy(update={"subject": "浙江"})
    assert all_scores(score([gold], [predicted])) == perfect


def test_a_claim_with_another_subject_does_not_match(gold, perfect):
    predicted = copy(gold)
    predicted.claims[0] = predicted.claims[0].model_copy(update={"subject": "嘉兴市"})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "claims.precision": (1.0, 0.5),
        "claims.recall": (1.0, 0.5),
        "claims.f1": (1.0, 0.5),
    }


def test_a_claim_on_a_missed_quantity_cannot_match(gold):
    predicted = copy(gold)
    predicted.quantities = predicted.quantities[1:]
    report = score([gold], [predicted])
    assert report["claims"]["recall"] == 0.5
    assert report["claims"]["precision"] == 0.5  # c1 names a quantity id the prediction lacks
    assert report["quantities"]["span"]["recall"] == 0.5


def test_claim_time_compares_values_not_ids(gold, perfect):
    predicted = copy(gold)
    predicted.times[1] = predicted.times[1].model_copy(update={"id": "t9"})
    predicted.claims[1] = predicted.claims[1].model_copy(update={"time": "t9"})
    assert all_scores(score([gold], [predicted])) == perfect
    predicted.claims[1] = predicted.claims[1].model_copy(update={"time": None})
    assert score([gold], [predicted])["claims"]["field_accuracy"]["time"] == 0.5


def test_relations_need_both_spans_and_direction(gold, perfect):
    predicted = copy(gold)
    predicted.relations[0] = predicted.relations[0].model_copy(update={"head": "e1", "tail": "e2"})
    after = all_scores(score([gold], [predicted]))
    assert changed(perfect, after) == {
        "relations.precision": (1.0, 0.5),
        "relations.recall": (1.0, 0.5),
        "relations.f1": (1.0, 0.5),
    }


def test_relations_compare_spans_not_entity_ids(gold, perfect):
    predicted = copy(gold)
    renamed = {e.id: f"x{e.start}" for e in predicted.entities}
    predicted.entities = [e.model_copy(update={"id": renamed[e.id]}) for e in predicted.entities]
    predicted.relations = [r.model_copy(update={"head": renamed[r.head], "tail": renamed[r.tail]}) for r in predicted.relations]
    assert all_scores(score([gold], [predicted])) == perfect


def test_empty_conventions():
    assert prf(0, 0, 0) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert prf(0, 3, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert prf(0, 0, 2) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    empty = Article(doc_id="empty")
    assert set(all_scores(score([empty], [empty])).values()) == {1.0}
    nothing_found = all_scores(score([make_gold()], []))  # a document without prediction predicts nothing
    unlabelled = {k for k in nothing_found if ".STREET." in k or ".COMMUNITY." in k}  # no gold, no prediction
    assert {nothing_found[k] for k in unlabelled} == {1.0}
    assert {v for k, v in nothing_found.items() if k not in unlabelled} == {0.0}
    report = score([empty], [make_gold("empty")])
    assert report["entities"]["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_counts_pool_over_documents_and_extra_predictions_are_ignored(gold):
    other = make_gold("901_other")
    predicted = [copy(gold), make_gold("999_not_in_gold")]  # 901_other has no prediction
    report = score([gold, other], predicted)
    assert report["documents"] == 2
    assert report["entities"]["micro"]["recall"] == 0.5
    assert report["entities"]["micro"]["precision"] == 1.0


def test_scores_do_not_depend_on_item_order(gold):
    predicted = copy(gold)
    predicted.quantities[0] = predicted.quantities[0].model_copy(update={"value": 1})
    predicted.entities[2] = predicted.entities[2].model_copy(update={"label": "CITY"})
    shuffled = copy(predicted)
    rng = random.Random(7)
    for layer in ("entities", "quantities", "times", "claims", "relations"):
        rng.shuffle(getattr(shuffled, layer))
    assert score([gold], [predicted]) == score([gold], [shuffled])
    assert errors([gold], [predicted], {DOC_ID: RAW}) == errors([gold], [shuffled], {DOC_ID: RAW})


def test_numbers_agree_within_relative_tolerance():
    assert numbers_agree(None, None)
    assert not numbers_agree(None, 0)
    assert numbers_agree(0, 0)
    assert not numbers_agree(0, 1e-9)
    assert numbers_agree(1000, 1000.9)
    assert not numbers_agree(1000, 1001.1)


def test_errors_list_false_positives_negatives_and_wrong_fields_with_context(gold):
    predicted = copy(gold)
    predicted.entities = [e for e in predicted.entities if e.id != "e4"]
    start, end = span("充电桩")
    predicted.quantities.append(Quantity(id="qx", start=start, end=end, text="充电桩", value=1))
    predicted.times[0] = predicted.times[0].model_copy(update={"value": "2025"})
    records = errors([gold], [predicted], {DOC_ID: RAW})
    kinds = sorted((r["layer"], r["kind"], r["text"]) for r in records)
    assert kinds == [
        ("claims", "wrong_time", "约55.4万把"),
        ("entities", "false_negative", "嘉兴市"),
        ("quantities", "false_positive", "充电桩"),
        ("times", "wrong_value", "2025年底"),
    ]
    missed = next(r for r in records if r["kind"] == "false_negative")
    assert missed["detail"]["label"] == "CITY"
    assert (missed["start"], missed["end"]) == span("嘉兴市")
    assert "[嘉兴市]" in missed["context"] and "\n" not in missed["context"]
    wrong = next(r for r in records if r["layer"] == "times")
    assert wrong["detail"] == {"gold": {"value": "2025-12-31", "as_of": True}, "predicted": {"value": "2025", "as_of": True}}


def test_gate_reports_figures_that_fell_by_more_than_the_tolerance():
    committed = {"claims.f1": 0.50, "times.span.f1": 0.80, "relations.f1": 0.30}
    current = {"claims.f1": 0.495, "times.span.f1": 0.70, "relations.f1": 0.90}
    failures = gate_failures(current, committed)
    assert len(failures) == 1 and failures[0].startswith("times.span.f1")
    assert gate_failures({}, {"claims.f1": 0.1}) == ["claims.f1: committed 0.1000, no longer reported"]


def test_headline_figures_cover_every_layer(gold):
    figures = headline_figures(score([gold], [copy(gold)]))
    assert {k.split(".")[0] for k in figures} == {"entities", "quantities", "times", "claims", "relations"}
    assert "entities.by_label.STREET.f1" in figures and set(figures.values()) == {1.0}


# --------------------------------------------------------------------------- files and CLI


def write_gold_set(root: Path, articles: list[Article]) -> tuple[Path, Path]:
    """Write gold JSON files and their texts (the raw text byte for byte) under ``root``."""
    gold_dir, texts_dir = root / "gold", root / "texts"
    gold_dir.mkdir()
    texts_dir.mkdir()
    for article in articles:
        (gold_dir / f"{article.doc_id}.json").write_text(article.model_dump_json(), encoding="utf-8")
        with open(texts_dir / f"{article.doc_id}.txt", "w", encoding="utf-8", newline="") as handle:
            handle.write(RAW)
    return gold_dir, texts_dir


def test_load_gold_reads_raw_text_without_newline_translation(tmp_path, gold):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    [(article, raw)] = load_gold(gold_dir, texts_dir)
    assert raw == RAW and "\r\n" in raw
    assert article.source == str(texts_dir / f"{DOC_ID}.txt")


def test_load_gold_refuses_a_changed_text(tmp_path, gold):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    text_path = texts_dir / f"{DOC_ID}.txt"
    text_path.write_bytes(text_path.read_bytes().replace(b"\r\n", b"\n"))
    with pytest.raises(GoldMismatchError, match="text_sha256"):
        load_gold(gold_dir, texts_dir)


def test_load_gold_refuses_offsets_that_do_not_fit(tmp_path, gold):
    broken = copy(gold)
    broken.entities[0] = broken.entities[0].model_copy(update={"start": 0, "end": 3})
    gold_dir, texts_dir = write_gold_set(tmp_path, [broken])
    with pytest.raises(GoldFormatError, match="entities e1"):
        load_gold(gold_dir, texts_dir)


def test_load_gold_refuses_a_missing_text(tmp_path, gold):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    (texts_dir / f"{DOC_ID}.txt").unlink()
    with pytest.raises(MissingTextError, match=f"{DOC_ID}.txt"):
        load_gold(gold_dir, texts_dir)


def test_cli_refuses_a_hash_mismatch_naming_both_files(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    (texts_dir / f"{DOC_ID}.txt").write_text(RAW + "x", encoding="utf-8", newline="")
    code = main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", str(tmp_path / "unused.jsonl")])
    message = capsys.readouterr().err
    assert code != 0
    assert "text_sha256" in message and f"{DOC_ID}.json" in message and f"{DOC_ID}.txt" in message


def test_cli_scores_predictions_as_json_and_writes_errors(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    predicted = copy(gold)
    predicted.entities = [e for e in predicted.entities if e.id != "e4"]
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text(predicted.model_dump_json() + "\n", encoding="utf-8")
    errors_path = tmp_path / "errors.jsonl"
    code = main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", str(pred_path), "--json", "--errors", str(errors_path)])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == score([gold], load_predictions(pred_path))
    assert report["entities"]["by_label"]["CITY"]["recall"] == pytest.approx(2 / 3, **APPROX)
    [record] = [json.loads(line) for line in errors_path.read_text(encoding="utf-8").splitlines()]
    assert (record["layer"], record["kind"], record["text"]) == ("entities", "false_negative", "嘉兴市")


def test_cli_prints_tables_and_writes_tsv_errors_and_the_gate(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text(Article(doc_id=DOC_ID).model_dump_json() + "\n", encoding="utf-8")
    errors_path, gate_path = tmp_path / "errors.tsv", tmp_path / "gate.json"
    code = main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", str(pred_path),
                 "--errors", str(errors_path), "--write-gate", str(gate_path)])
    assert code == 0
    table = capsys.readouterr().out
    assert "| CITY | 0.000 | 0.000 | 0.000 | 3 |" in table and "claims" in table
    lines = errors_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:3] == ["layer", "kind", "doc_id"]
    assert len(lines) == 1 + 6 + 2 + 2 + 2 + 2  # header + every gold item missed
    assert all(len(line.split("\t")) == 8 for line in lines)
    gate = json.loads(gate_path.read_text(encoding="utf-8"))
    assert gate["figures"]["claims.f1"] == 0.0 and "--write-gate" in gate["command"]


def test_run_pipeline_on_gold_passes_doc_id_and_published(nlp_pipeline, gold):
    from pipeline.evaluate import run_pipeline_on_gold

    [article] = run_pipeline_on_gold([(gold.model_copy(update={"source": "x.txt"}), RAW)], nlp_pipeline)
    assert (article.doc_id, article.published, article.source) == (DOC_ID, "2026-01", "x.txt")
    score([gold], [article])  # whatever the stages find today, the result scores without error


def test_the_dev_gold_scores_one_against_itself(gold_dev_dir):
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    gold_articles = [article for article, _ in load_gold(gold_dev_dir, seeds)]
    assert len(gold_articles) == 5
    assert set(all_scores(score(gold_articles, [copy(a) for a in gold_articles])).values()) == {1.0}


def test_cli_warns_about_predictions_whose_offsets_do_not_fit(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    predicted = copy(gold)
    predicted.entities[0] = predicted.entities[0].model_copy(update={"start": 0, "end": 3})  # text still 杭州市
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text(predicted.model_dump_json() + "\n", encoding="utf-8")
    assert main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", str(pred_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "entities e1 [0:3]" in captured.err
    assert json.loads(captured.out)["entities"]["micro"]["recall"] == pytest.approx(5 / 6, **APPROX)


def test_cli_warns_when_gold_documents_have_no_prediction(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text(make_gold("other_doc").model_dump_json() + "\n", encoding="utf-8")
    assert main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", str(pred_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "no prediction for 1 of 1 gold documents" in captured.err and DOC_ID in captured.err
    assert json.loads(captured.out)["entities"]["micro"]["recall"] == 0.0


def test_config_overrides_parse_json_or_strings():
    from pipeline.evaluate import EvaluationInputError, parse_overrides

    assert parse_overrides(["components.claims.mode=rules", "nlp.batch_size=4"]) == {
        "components__claims__mode": "rules", "nlp__batch_size": 4,
    }
    with pytest.raises(EvaluationInputError, match="KEY=VALUE"):
        parse_overrides(["components.claims.mode"])


def test_cli_refuses_invalid_gold_and_an_empty_gold_folder(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    (gold_dir / f"{DOC_ID}.json").write_text('{"doc_id": 3', encoding="utf-8")
    assert main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", "unused.jsonl"]) == 2
    assert "is not a gold file" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "nowhere"), "--texts", str(texts_dir), "--pred", "unused.jsonl"]) == 2
    assert "no gold files" in capsys.readouterr().err


def test_cli_refuses_a_missing_text(tmp_path, gold, capsys):
    gold_dir, texts_dir = write_gold_set(tmp_path, [gold])
    (texts_dir / f"{DOC_ID}.txt").unlink()
    assert main(["eval", str(gold_dir), "--texts", str(texts_dir), "--pred", "unused.jsonl"]) == 2
    message = capsys.readouterr().err
    assert "does not exist" in message and f"{DOC_ID}.txt" in message
