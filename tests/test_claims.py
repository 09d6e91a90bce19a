"""The claims stage: subject choice, time, predicate and provenance on crafted documents.

Each document runs through the pipeline up to sentences; entities, quantities and times are then
set by hand, so these tests do not depend on the upstream stages' quality.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import claim_model
from pipeline.names import names_agree
from pipeline.s9_claims import extract_claims
from pipeline.schema import Entity, Quantity, TimeExpression

MODES = ("rules", "combined")


def _find(text: str, surface: str, occurrence: int = 0) -> int:
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(surface, start + 1)
        assert start >= 0, f"{surface!r} not in the crafted text"
    return start


def crafted_doc(nlp_pipeline, text, entities=(), quantities=(), times=(), relations=(), published="2026-01"):
    """Build a Doc up to sentences and set its mentions.

    Args:
        entities: ``(surface, label, name[, occurrence])``.
        quantities: ``(surface, value, unit[, qualifier[, occurrence]])``.
        times: ``(surface, value[, as_of])``.
    """
    doc = nlp_pipeline.make_doc(text, published=published, doc_id="crafted")
    for name, component in nlp_pipeline.nlp.pipeline:
        doc = component(doc)
        if name == "sentences":
            break
    doc._.entities = []
    for surface, label, name, *rest in entities:
        start = _find(text, surface, rest[0] if rest else 0)
        doc._.entities.append(Entity(id=f"e{start}", start=start, end=start + len(surface), text=surface, label=label, name=name))
    doc._.quantities = []
    for surface, value, unit, *rest in quantities:
        start = _find(text, surface, rest[1] if len(rest) > 1 else 0)
        doc._.quantities.append(Quantity(id=f"q{start}", start=start, end=start + len(surface), text=surface,
                                         value=value, unit=unit, qualifier=rest[0] if rest else None))
    doc._.times = []
    for surface, value, *rest in times:
        start = _find(text, surface)
        doc._.times.append(TimeExpression(id=f"t{start}", start=start, end=start + len(surface), text=surface,
                                          value=value, as_of=bool(rest and rest[0])))
    doc._.relations = list(relations)
    return doc


@pytest.fixture(scope="module")
def scorer():
    return claim_model.load_scorer("claims/scorer.json", "combined")


def claims_of(doc, mode, scorer):
    return extract_claims(doc, mode, scorer if mode != "rules" else None)


def subjects_by_quantity(claims):
    return {c.quantity: c.subject for c in claims}


@pytest.mark.parametrize("mode", MODES)
def test_the_readme_example_gives_subject_predicate_value_and_cutoff(nlp_pipeline, scorer, mode):
    text = "截至2025年底，杭州市累计建成各类充电桩约55.4万把。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州市", "CITY", "杭州市")],
                      quantities=[("约55.4万把", 554000, "把", "approx")], times=[("2025年底", "2025-12-31", True)])
    [claim] = claims_of(doc, mode, scorer)
    assert (claim.subject, claim.subject_label, claim.subject_entity) == ("杭州市", "CITY", "e9")
    assert claim.predicate == "累计建成各类充电桩"
    assert (claim.value, claim.unit, claim.qualifier) == (554000, "把", "approx")
    assert (claim.time, claim.time_value, claim.as_of) == ("t2", "2025-12-31", True)
    assert text[claim.subject_span[0]:claim.subject_span[1]] == "杭州市"
    assert claim.evidence[0] <= 0 and claim.evidence[1] >= len(text) - 1
    assert claim.provenance.doc_id == "crafted" and 0 < claim.provenance.confidence <= 1
    assert set(claim.parts) == {"subject", "predicate", "time"}
    assert claim.parts["subject"].startswith(("rule:claims/", "model:claims-scorer@"))


@pytest.mark.parametrize("mode", MODES)
def test_a_sentence_with_two_subjects_and_two_figures(nlp_pipeline, scorer, mode):
    text = "2025年，杭州市新建绿道167公里，宁波市新建绿道95公里。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("杭州市", "CITY", "杭州市"), ("宁波市", "CITY", "宁波市")],
                      quantities=[("167公里", 167, "公里"), ("95公里", 95, "公里")], times=[("2025年", "2025")])
    claims = claims_of(doc, mode, scorer)
    assert [(c.subject, c.value) for c in claims] == [("杭州市", 167), ("宁波市", 95)]
    assert [c.id for c in claims] == ["c1", "c2"]
    assert all(c.time_value == "2025" for c in claims)


@pytest.mark.parametrize("mode", MODES)
def test_the_subject_carries_over_to_a_sentence_that_names_none(nlp_pipeline, scorer, mode):
    text = "前进街道位于钱塘区东部。今年前进街道新增公共停车位300个。此外还完成断头路改造6条。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("前进街道", "STREET", "前进街道"), ("钱塘区", "DISTRICT", "钱塘区"),
                                ("前进街道", "STREET", "前进街道", 1)],
                      quantities=[("300个", 300, "个"), ("6条", 6, "条")], times=[("今年", "2026")])
    claims = claims_of(doc, mode, scorer)
    assert [c.subject for c in claims] == ["前进街道", "前进街道"]
    second = claims[1]
    assert second.subject_entity == f"e{text.index('前进街道', 1)}"  # the nearest earlier mention
    assert second.time is None  # 今年 is in the previous sentence


@pytest.mark.parametrize("mode", MODES)
def test_a_collective_subject_resolves_to_the_unit_it_means(nlp_pipeline, scorer, mode):
    text = "杭州市是浙江省的省会。2025年，全市改造老旧小区356个。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("杭州市", "CITY", "杭州市"), ("浙江省", "PROVINCE", "浙江省")],
                      quantities=[("356个", 356, "个")], times=[("2025年", "2025")])
    [claim] = claims_of(doc, mode, scorer)
    assert (claim.subject, claim.subject_entity) == ("杭州市", "e0")
    assert text[claim.subject_span[0]:claim.subject_span[1]] in ("全市", "杭州市")


@pytest.mark.parametrize("mode", MODES)
def test_qizhong_keeps_the_subject_of_the_figure_it_breaks_down(nlp_pipeline, scorer, mode):
    text = "杭州市累计建成充电桩55.4万把，其中公共充电桩5.1万个。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州市", "CITY", "杭州市")],
                      quantities=[("55.4万把", 554000, "把"), ("5.1万个", 51000, "个")])
    assert [c.subject for c in claims_of(doc, mode, scorer)] == ["杭州市", "杭州市"]


def test_respectively_lists_pair_subjects_and_figures_in_order(nlp_pipeline):
    text = "余杭区、拱墅区分别新增停车位300个、200个。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("余杭区", "DISTRICT", "余杭区"), ("拱墅区", "DISTRICT", "拱墅区")],
                      quantities=[("300个", 300, "个"), ("200个", 200, "个")])
    claims = extract_claims(doc, "rules")
    assert [(c.subject, c.value) for c in claims] == [("余杭区", 300), ("拱墅区", 200)]
    assert all(c.parts["subject"] == "rule:claims/enum-respectively" for c in claims)


@pytest.mark.parametrize("mode", MODES)
def test_items_a_figure_counts_are_not_its_subject(nlp_pipeline, scorer, mode):
    text = "在前进街道，长安福特、吉利汽车等68家知名企业在这里汇聚。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("前进街道", "STREET", "前进街道"), ("长安福特", "COMPANY", "长安福特"),
                                ("吉利汽车", "COMPANY", "吉利汽车")],
                      quantities=[("68家", 68, "家")])
    [claim] = claims_of(doc, mode, scorer)
    assert claim.subject == "前进街道"


@pytest.mark.parametrize("mode", MODES)
def test_a_company_that_builds_a_listed_thing_is_still_its_subject(nlp_pipeline, scorer, mode):
    text = "在滨江区，海信集团建设“和谐公寓”等人才公寓1200套。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("滨江区", "DISTRICT", "滨江区"), ("海信集团", "COMPANY", "海信集团")],
                      quantities=[("1200套", 1200, "套")])
    [claim] = claims_of(doc, mode, scorer)
    assert claim.subject == "海信集团"


@pytest.mark.parametrize("mode", MODES)
def test_a_figure_describing_the_name_after_it_is_about_that_name(nlp_pipeline, scorer, mode):
    text = "西湖区翠苑街道组织居民议事。由9人组成的楼道议事会，收集建议120条。92岁的张桂芳笑着说，住得很舒心。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("西湖区", "DISTRICT", "西湖区"), ("翠苑街道", "STREET", "翠苑街道")],
                      quantities=[("9人", 9, "人"), ("120条", 120, "条"), ("92岁", 92, "岁")])
    claims = claims_of(doc, mode, scorer)
    subjects = [c.subject for c in claims]
    assert subjects[0] == "楼道议事会" and subjects[2] == "张桂芳"
    if mode == "rules":
        assert claims[0].parts["subject"] == "rule:claims/described-after"


@pytest.mark.parametrize("mode", MODES)
def test_an_anaphor_in_subject_position_beats_the_sentence_opening_place(nlp_pipeline, scorer, mode):
    text = "滨江区“星光集市”开市。滨江区介绍，该集市带动300余人就业，累计增收超200万元。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("滨江区", "DISTRICT", "滨江区"), ("滨江区", "DISTRICT", "滨江区", 1)],
                      quantities=[("300余人", 300, "人", "over"), ("超200万元", 2000000, "元", "over")])
    claims = claims_of(doc, mode, scorer)
    assert [names_agree(c.subject, "星光集市") for c in claims] == [True, True]


@pytest.mark.parametrize("mode", MODES)
def test_a_named_market_is_an_other_subject(nlp_pipeline, scorer, mode):
    text = "前进街道“7080共富集市”开市。截至目前，该市集带动200余人就业。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("前进街道", "STREET", "前进街道")],
                      quantities=[("200余人", 200, "人", "over")], times=[("目前", "2026-01", True)])
    [claim] = claims_of(doc, mode, scorer)
    assert claim.subject_label == "OTHER" and names_agree(claim.subject, "7080共富集市")
    assert claim.subject_entity is None


def test_traditional_text_gives_the_simplified_canonical_subject(nlp_pipeline, scorer):
    text = "拱墅區累計建成充電樁5萬個。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("拱墅區", "DISTRICT", "拱墅区")], quantities=[("5萬個", 50000, "个")])
    [claim] = claims_of(doc, "combined", scorer)
    assert claim.subject == "拱墅区" and claim.predicate == "累计建成充电桩"


def test_a_figure_without_any_subject_gets_no_claim(nlp_pipeline):
    doc = crafted_doc(nlp_pipeline, "全年新增停车位300个。", quantities=[("300个", 300, "个")])
    assert extract_claims(doc, "rules") == []


def test_the_stage_in_the_pipeline_fills_doc_claims(nlp_pipeline):
    doc = nlp_pipeline.process("杭州市新建绿道167公里。", doc_id="x")
    assert isinstance(doc._.claims, list)  # whatever the upstream stages found, the stage ran


def test_the_ranker_learns_which_feature_marks_the_subject():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(4, 3))
        gold = int(rng.integers(4))
        x[gold, 0] += 3.0  # feature 0 marks the subject; the others are noise
        y = np.zeros(4)
        y[gold] = 1
        groups.append((x, y))
    weights = claim_model.fit_ranker(groups, l2=3.0)
    assert weights[0] > 1.0 and abs(weights[0]) > 3 * max(abs(weights[1]), abs(weights[2]))


def test_oracle_doc_fills_gold_mentions_with_oracle_provenance(nlp_pipeline, gold_dev_dir, seed_texts):
    from pipeline.evaluate import load_gold

    gold, raw = load_gold(gold_dev_dir, gold_dev_dir.parent.parent / "seeds")[3]
    doc = claim_model.oracle_doc(nlp_pipeline, gold, raw)
    assert len(doc._.entities) == len(gold.entities) and len(doc._.quantities) == len(gold.quantities)
    assert {e.provenance.producer for e in doc._.entities} == {claim_model.ORACLE_PRODUCER}
    claims = extract_claims(doc, "rules")
    assert claims and all(raw[c.evidence[0]:c.evidence[1]] for c in claims)
    quantity_ids = {q.id for q in gold.quantities}
    assert all(c.quantity in quantity_ids for c in claims)


@pytest.mark.parametrize("mode", MODES)
def test_a_pronoun_subject_resolves_to_the_person_named_with_a_title(nlp_pipeline, scorer, mode):
    text = "长安福特杭州分公司的钳工高级技师戴学臣便是其中的代表。从业15年来，他参加竞赛与培训二十多次。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("长安福特杭州分公司", "COMPANY", "长安福特杭州分公司")],
                      quantities=[("二十多次", 20, "次", "over")])
    [claim] = claims_of(doc, mode, scorer)
    assert (claim.subject, claim.subject_label) == ("戴学臣", "OTHER")


def test_he_in_other_words_and_they_are_not_pronoun_subjects(nlp_pipeline):
    text = "社区书记王晓燕介绍了情况。其他居民和他们一起完成改造30户。"
    doc = crafted_doc(nlp_pipeline, text, quantities=[("30户", 30, "户")])
    assert all(c.subject != "王晓燕" for c in extract_claims(doc, "rules"))


@pytest.mark.parametrize("mode", MODES)
def test_a_question_states_no_claim(nlp_pipeline, scorer, mode):
    text = "浙工新村完成改造。“最大户型是3居室还是4居室？”"
    doc = crafted_doc(nlp_pipeline, text, quantities=[("3居室", 3, "居室"), ("4居室", 4, "居室")])
    assert claims_of(doc, mode, scorer) == []


def test_the_speaker_of_a_quotation_is_not_the_subject_of_its_figures(nlp_pipeline):
    text = "拱墅区完成楼宇改造。居民代表邱明华说，“7栋楼房地基的桩打了1017根。”"
    doc = crafted_doc(nlp_pipeline, text, entities=[("拱墅区", "DISTRICT", "拱墅区")],
                      quantities=[("1017根", 1017, "根")])
    assert all(c.subject != "邱明华" for c in extract_claims(doc, "rules"))


def test_a_counted_group_before_its_figure_is_the_subject_and_carries_through_the_sentence(nlp_pipeline):
    text = "杭州推进乡村人才振兴融合发展集聚区建设，2个集聚区首批落地重点项目25个，吸引64个创业团队入驻。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州", "CITY", "杭州市")],
                      quantities=[("2个", 2, "个"), ("25个", 25, "个"), ("64个", 64, "个")])
    subjects = subjects_by_quantity(extract_claims(doc, "rules"))
    assert names_agree(subjects[f"q{text.find('25个')}"], "集聚区")
    assert names_agree(subjects[f"q{text.find('64个')}"], "集聚区")


def test_a_place_written_before_a_named_compound_only_locates_it(nlp_pipeline):
    text = "今年春天开始，朝晖街道的浙工新村小区内，548把新房钥匙陆续归位。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("朝晖街道", "STREET", "朝晖街道")],
                      quantities=[("548把", 548, "把")], times=[("今年春天", "2026-03/2026-05")])
    [claim] = extract_claims(doc, "rules")
    assert claim.subject == "浙工新村"


def test_a_bound_that_defines_a_counted_group_is_not_a_claim(nlp_pipeline):
    text = "杭州市共招引落地总投资亿元以上产业项目86个。杭州市新增绿道95%以上。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州市", "CITY", "杭州市"), ("杭州市", "CITY", "杭州市", 1)],
                      quantities=[("亿元以上", 100000000, "元", "over"), ("86个", 86, "个"), ("95%以上", 95, "%", "over")])
    claimed = set(subjects_by_quantity(extract_claims(doc, "rules")))
    assert claimed == {f"q{text.find('86个')}", f"q{text.find('95%以上')}"}


def test_a_bare_compound_word_refers_back_to_the_named_compound(nlp_pipeline):
    # 都 inside 金都华庭 is part of the name, not the adverb 都 that would end it.
    text = "商品房小区金都华庭的居民吃上了月饼。小区每年经营性收入上百万元。"
    doc = crafted_doc(nlp_pipeline, text, quantities=[("百万元", 1000000, "元")])
    [claim] = extract_claims(doc, "rules")
    assert names_agree(claim.subject, "金都华庭") and claim.subject_label == "OTHER"
    assert text[claim.subject_span[0]:claim.subject_span[1]] == "小区"


def test_a_frame_is_not_a_subject(nlp_pipeline):
    text = "在“住有宜居”方面，杭州推出服务，提供不超过7天的免费住宿。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州", "CITY", "杭州市")],
                      quantities=[("不超过7天", 7, "天", "up_to")])
    assert [c.subject for c in extract_claims(doc, "rules")] == ["杭州市"]


@pytest.mark.parametrize("mode", MODES)
def test_a_subject_only_an_earlier_paragraph_names_is_too_far(nlp_pipeline, scorer, mode):
    text = "杭州市召开会议。\n天气晴好，游客超过3万人次。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("杭州市", "CITY", "杭州市")],
                      quantities=[("超过3万人次", 30000, "人次", "over")])
    assert claims_of(doc, mode, scorer) == []
    joined = crafted_doc(nlp_pipeline, text.replace("\n", ""), entities=[("杭州市", "CITY", "杭州市")],
                         quantities=[("超过3万人次", 30000, "人次", "over")])
    assert [c.subject for c in extract_claims(joined, "rules")] == ["杭州市"]


def test_combined_mode_keeps_sentence_rules_and_lets_the_scorer_decide_carried_subjects(nlp_pipeline, scorer):
    text = "前进街道位于钱塘区东部。今年前进街道新增公共停车位300个。此外还完成断头路改造6条。"
    doc = crafted_doc(nlp_pipeline, text,
                      entities=[("前进街道", "STREET", "前进街道"), ("钱塘区", "DISTRICT", "钱塘区"),
                                ("前进街道", "STREET", "前进街道", 1)],
                      quantities=[("300个", 300, "个"), ("6条", 6, "条")], times=[("今年", "2026")])
    first, second = extract_claims(doc, "combined", scorer)
    assert first.parts["subject"] == "rule:claims/clause-subject"
    assert second.parts["subject"].startswith("model:claims-scorer@")
    assert 0 < second.provenance.confidence <= 1


def test_the_predicate_trims_whole_function_words_only(nlp_pipeline):
    text = "仓前街道可预约场地219个，累计预约7121次。"
    doc = crafted_doc(nlp_pipeline, text, entities=[("仓前街道", "STREET", "仓前街道")],
                      quantities=[("219个", 219, "个"), ("7121次", 7121, "次")])
    predicates = [c.predicate for c in extract_claims(doc, "rules")]
    assert predicates[1] == "累计预约"  # the 约 of 预约 is not the hedge 约
