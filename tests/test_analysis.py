"""Cross-article claim grouping, DataFrame views and displaCy views, on crafted articles."""

import doctest

import pipeline.analysis
import pipeline.names
from pipeline.analysis import compare_claims, group_claims, predicate_similarity
from pipeline.display import claim_spans, claims_html, entities_html
from pipeline.frames import to_dataframe
from pipeline.schema import Article, Claim, Entity, Provenance, Quantity, TimeExpression


def make_article(doc_id, raw, subject, predicate, number_text, value, unit, time_text=None, time_value=None):
    """Build an article with one subject, quantity, optional time and the claim linking them."""
    s = raw.index(subject)
    q = raw.index(number_text)
    entity = Entity(id=f"e{s}", start=s, end=s + len(subject), text=subject, label="CITY", name=subject,
                    adcode="330100", code="330100", parents=["浙江省"],
                    provenance=Provenance(doc_id=doc_id, start=s, end=s + len(subject), producer="rule:test", version="1"))
    quantity = Quantity(id=f"q{q}", start=q, end=q + len(number_text), text=number_text, value=value, unit=unit)
    times, time_id = [], None
    if time_text:
        t = raw.index(time_text)
        time_id = f"t{t}"
        times.append(TimeExpression(id=time_id, start=t, end=t + len(time_text), text=time_text, value=time_value))
    claim = Claim(id="c1", subject=subject, subject_label="CITY", subject_entity=entity.id, predicate=predicate,
                  quantity=quantity.id, time=time_id, evidence=[0, len(raw)], value=value, unit=unit,
                  time_value=time_value,
                  provenance=Provenance(doc_id=doc_id, start=0, end=len(raw), producer="rule:test", version="1", confidence=0.9))
    return Article(doc_id=doc_id, entities=[entity], quantities=[quantity], times=times, claims=[claim])


RAW_A = "截至目前，杭州已累计创建未来社区576个。"
RAW_B = "杭州市省级未来社区建设项目总数已达576个。"
RAW_C = "杭州市创建未来社区580个。"
RAW_D = "2026年杭州盘活国有存量用房330处。"
RAW_E = "2025年杭州盘活国有存量用房330处。"


def test_doctests_pass():
    assert doctest.testmod(pipeline.names).failed == 0
    assert doctest.testmod(pipeline.analysis).failed == 0


def test_predicate_similarity_is_symmetric_and_bounded():
    assert predicate_similarity("累计创建未来社区", "创建未来社区") == predicate_similarity("创建未来社区", "累计创建未来社区")
    assert predicate_similarity("新增公共停车位", "新增公共停车位") == 1.0
    assert predicate_similarity("新增公共停车位", "完成投资") == 0.0


def test_same_value_from_two_articles_is_a_corroboration():
    a = make_article("a", RAW_A, "杭州", "累计创建未来社区", "576个", 576, "个")
    b = make_article("b", RAW_B, "杭州市", "省级未来社区建设项目总数", "576个", 576, "个")
    pairs = compare_claims([a, b], min_similarity=0.3)
    assert list(pairs["relation"]) == ["corroboration"]


def test_different_values_for_the_same_measure_are_a_conflict():
    a = make_article("a", RAW_A, "杭州", "累计创建未来社区", "576个", 576, "个")
    c = make_article("c", RAW_C, "杭州市", "创建未来社区", "580个", 580, "个")
    pairs = compare_claims([a, c])
    assert list(pairs["relation"]) == ["conflict"]


def test_same_value_at_different_times_is_over_time_not_conflict():
    d = make_article("d", RAW_D, "杭州", "盘活国有存量用房", "330处", 330, "处", "2026年", "2026")
    e = make_article("e", RAW_E, "杭州", "盘活国有存量用房", "330处", 330, "处", "2025年", "2025")
    pairs = compare_claims([d, e])
    assert list(pairs["relation"]) == ["over_time"]


def test_unrelated_claims_are_not_grouped():
    a = make_article("a", RAW_A, "杭州", "累计创建未来社区", "576个", 576, "个")
    d = make_article("d", RAW_D, "杭州", "盘活国有存量用房", "330处", 330, "处", "2026年", "2026")
    grouped = group_claims([a, d])
    assert grouped["group"].nunique() == 2
    assert compare_claims([a, d]).empty


def test_dataframes_carry_provenance_columns():
    a = make_article("a", RAW_A, "杭州", "累计创建未来社区", "576个", 576, "个")
    claims = a.to_dataframe("claims")
    assert claims.loc[0, "producer"] == "rule:test" and claims.loc[0, "confidence"] == 0.9
    assert (claims.loc[0, "evidence_start"], claims.loc[0, "evidence_end"]) == (0, len(RAW_A))
    entities = to_dataframe([a, a], "entities")
    assert len(entities) == 2 and entities.loc[0, "adcode"] == "330100"


def test_views_highlight_the_claim_parts_inside_the_evidence():
    d = make_article("d", RAW_D, "杭州", "盘活国有存量用房", "330处", 330, "处", "2026年", "2026")
    spans = {s["label"]: RAW_D[s["start_char"]:s["end_char"]] for s in claim_spans(d, d.claims[0])}
    assert spans == {"SUBJECT": "杭州", "QUANTITY": "330处", "TIME": "2026年"}
    html = claims_html(d, RAW_D)
    assert all(label in html for label in ("SUBJECT", "QUANTITY", "TIME"))
    assert d.claims[0].render() in html
    assert "330100 浙江省 › 杭州" in entities_html(d, RAW_D)
