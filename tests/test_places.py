"""The places stage: tagging, exclusions, short forms, linking, former units and located_in.

Sentences here are written for the tests (not copied from the seeds); the pipeline runs only the
stages up to places, so these tests do not depend on the later stages.
"""

from __future__ import annotations

import pytest

from pipeline import Pipeline
from pipeline.api import build_nlp

STAGES_UP_TO_PLACES = ["normalize", "layout", "furniture", "sentences", "places"]


@pytest.fixture(scope="module")
def places_pipeline() -> Pipeline:
    return Pipeline(build_nlp(overrides={"nlp.pipeline": STAGES_UP_TO_PLACES}))


def run(pipeline: Pipeline, text: str):
    """Return (entities, relations) of ``text`` with entities keyed by their raw text."""
    article = pipeline(text, doc_id="test")
    for entity in article.entities:
        assert text[entity.start:entity.end] == entity.text
    return article.entities, article.relations


def labelled(entities) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in entities]


# ---------------------------------------------------------------------------------------------
# Linking and ambiguity
# ---------------------------------------------------------------------------------------------


def test_ambiguous_street_is_resolved_by_the_parents_written_before_it(places_pipeline):
    entities, _ = run(places_pipeline, "杭州市钱塘区前进街道举办招聘会。")
    street = next(e for e in entities if e.text == "前进街道")
    assert street.label == "STREET"
    assert street.code == "330114007"
    assert street.parents == ["浙江省", "杭州市", "钱塘区"]
    assert street.adcode is None and street.candidates == []


def test_the_same_street_name_under_another_city_links_there(places_pipeline):
    entities, _ = run(places_pipeline, "沈阳市大东区前进街道开展义诊。")
    street = next(e for e in entities if e.text == "前进街道")
    assert street.code.startswith("210104")
    assert street.parents[-1] == "大东区"


def test_ambiguous_street_without_context_keeps_its_candidates(places_pipeline):
    entities, _ = run(places_pipeline, "前进街道举办招聘会。")
    (street,) = entities
    assert street.label == "STREET" and street.name == "前进街道"
    assert street.code is None
    assert len(street.candidates) >= 10
    assert "330114007" in street.candidates


def test_ambiguous_street_is_resolved_by_the_document_context(places_pipeline):
    text = "钱塘区今年新建三所学校。另外，前进街道新增一处公园。"
    entities, _ = run(places_pipeline, text)
    street = next(e for e in entities if e.text == "前进街道")
    assert street.code == "330114007"


def test_city_and_province_get_adcodes_and_canonical_names(places_pipeline):
    entities, _ = run(places_pipeline, "浙江杭州持续推进城市更新。")
    assert labelled(entities) == [("浙江", "PROVINCE"), ("杭州", "CITY")]
    assert [(e.name, e.adcode) for e in entities] == [("浙江省", "330000"), ("杭州市", "330100")]


# ---------------------------------------------------------------------------------------------
# What is not a place
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "杭州市建委召开工作会议。",
    "拱墅区委书记出席活动。",
    "他获得浙江省技术能手称号。",
    "钱江新城夜景璀璨。",
    "新天地商务社区组织活动。",
    "持续推进未来社区、完整社区建设。",
])
def test_places_inside_names_and_generic_words_are_not_labelled(places_pipeline, text):
    entities, _ = run(places_pipeline, text)
    assert entities == []


def test_a_street_named_after_a_district_is_one_street(places_pipeline):
    entities, _ = run(places_pipeline, "杭州余杭街道凤凰家园完成改造。")
    assert labelled(entities) == [("杭州", "CITY"), ("余杭街道", "STREET")]


def test_a_place_written_before_a_standalone_name_is_its_location(places_pipeline):
    entities, _ = run(places_pipeline, "仓前街道青年会客厅开放。米市巷街道武林壹号商务社区举办活动。")
    assert labelled(entities) == [("仓前街道", "STREET"), ("米市巷街道", "STREET")]


def test_short_form_inside_a_zone_name_is_not_labelled(places_pipeline):
    entities, _ = run(places_pipeline, "嘉兴市海盐经开区引进项目。")
    assert labelled(entities) == [("嘉兴市", "CITY")]


def test_compound_named_like_a_village_is_not_a_community(places_pipeline):
    entities, _ = run(places_pipeline, "朝晖街道的浙工新村小区完成改造。")
    assert labelled(entities) == [("朝晖街道", "STREET")]


# ---------------------------------------------------------------------------------------------
# Short forms need the document's licence
# ---------------------------------------------------------------------------------------------


def test_district_short_form_is_read_when_its_city_is_mentioned(places_pipeline):
    entities, _ = run(places_pipeline, "杭州城市建设加快。在拱墅，老旧小区改造全面铺开。")
    district = next(e for e in entities if e.text == "拱墅")
    assert (district.label, district.name, district.adcode) == ("DISTRICT", "拱墅区", "330105")


def test_district_short_form_alone_is_not_read(places_pipeline):
    entities, _ = run(places_pipeline, "在拱墅，老旧小区改造全面铺开。")
    assert entities == []


def test_one_character_city_abbreviation_needs_context_and_the_city(places_pipeline):
    entities, _ = run(places_pipeline, "杭州推出青荷驿站，面向来杭求职的青年。")
    assert ("杭", "CITY") in labelled(entities)
    entities, _ = run(places_pipeline, "面向来杭求职的青年。")
    assert entities == []


def test_street_short_form_is_read_when_the_full_name_is_in_the_document(places_pipeline):
    text = "仓前街道打造青年社区。余杭区推动仓前、瓶窑等镇街建设，瓶窑镇也在行动。"
    entities, _ = run(places_pipeline, text)
    shorts = [(e.text, e.name, e.label) for e in entities if e.text in ("仓前", "瓶窑")]
    assert shorts == [("仓前", "仓前街道", "STREET"), ("瓶窑", "瓶窑镇", "STREET")]


def test_common_word_is_not_read_as_a_street_short_form(places_pipeline):
    text = "前进街道召开会议。队伍不断向前进，以前进步很快。"
    entities, _ = run(places_pipeline, text)
    assert [e.text for e in entities] == ["前进街道"]


def test_street_short_form_written_after_its_district(places_pipeline):
    entities, relations = run(places_pipeline, "嘉兴市秀洲区王江泾的农场迎来春耕。")
    street = next(e for e in entities if e.text == "王江泾")
    assert (street.label, street.name) == ("STREET", "王江泾镇")
    by_id = {e.id: e.text for e in entities}
    assert ("王江泾", "秀洲区") in {(by_id[r.head], by_id[r.tail]) for r in relations}


# ---------------------------------------------------------------------------------------------
# Traditional script, former units, communities
# ---------------------------------------------------------------------------------------------


def test_traditional_text_links_and_keeps_raw_spans(places_pipeline):
    text = "浙江省杭州市拱墅區朝暉街道德勝社區舉辦活動。"
    entities, _ = run(places_pipeline, text)
    by_text = {e.text: e for e in entities}
    assert by_text["拱墅區"].name == "拱墅区" and by_text["拱墅區"].adcode == "330105"
    assert by_text["朝暉街道"].name == "朝晖街道" and by_text["朝暉街道"].code.startswith("330105")
    assert by_text["德勝社區"].label == "COMMUNITY" and by_text["德勝社區"].name == "德胜社区"
    assert text[by_text["拱墅區"].start:by_text["拱墅區"].end] == "拱墅區"


def test_former_units_are_recognised(places_pipeline):
    entities, _ = run(places_pipeline, "2001年撤销县级余杭市，设立杭州市余杭区；2021年下城区并入拱墅区。")
    by_text = {e.text: e for e in entities}
    assert by_text["余杭市"].former and by_text["余杭市"].label == "DISTRICT"
    assert by_text["余杭市"].adcode is None
    assert by_text["下城区"].former and by_text["下城区"].parents[-1] == "杭州市"
    assert not by_text["余杭区"].former and by_text["余杭区"].adcode == "330110"


def test_community_after_a_street_and_its_later_mentions(places_pipeline):
    text = "东新街道新颜苑社区完成加装电梯。新颜苑社区居民点赞。"
    entities, relations = run(places_pipeline, text)
    communities = [e for e in entities if e.label == "COMMUNITY"]
    assert [e.text for e in communities] == ["新颜苑社区", "新颜苑社区"]
    assert communities[0].parents[-1] == "东新街道"
    by_id = {e.id: e.text for e in entities}
    assert [(by_id[r.head], by_id[r.tail]) for r in relations] == [("新颜苑社区", "东新街道")]


# ---------------------------------------------------------------------------------------------
# located_in
# ---------------------------------------------------------------------------------------------


def pairs(entities, relations) -> set[tuple[str, str]]:
    by_id = {e.id: e.text for e in entities}
    return {(by_id[r.head], by_id[r.tail]) for r in relations}


def test_units_written_inside_their_parents_give_adjacent_pairs_only(places_pipeline):
    entities, relations = run(places_pipeline, "杭州市钱塘区前进街道开展活动。")
    assert pairs(entities, relations) == {("前进街道", "钱塘区"), ("钱塘区", "杭州市")}
    for relation in relations:
        assert relation.evidence[0] <= relation.evidence[1]


def test_membership_statements_give_located_in(places_pipeline):
    text = "米市巷街道是典型的杭州主城区核心街道。作为杭州市中心城区，拱墅人口密集。"
    entities, relations = run(places_pipeline, text)
    assert pairs(entities, relations) == {("米市巷街道", "杭州"), ("拱墅", "杭州市")}


def test_located_at_needs_the_place_right_after_the_verb(places_pipeline):
    entities, relations = run(places_pipeline, "拱墅位于京杭大运河浙江杭州段起点。")
    assert pairs(entities, relations) == {("杭州", "浙江")}
    entities, relations = run(places_pipeline, "杭州位于浙江北部。")
    assert pairs(entities, relations) == {("杭州", "浙江")}


def test_a_statement_against_the_gazetteer_gives_no_relation(places_pipeline):
    entities, relations = run(places_pipeline, "杭州位于江苏南部。")
    assert labelled(entities) == [("杭州", "CITY"), ("江苏", "PROVINCE")]
    assert relations == []


# ---------------------------------------------------------------------------------------------
# Generalization audit: titles and common-word short forms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "《北京市公共租赁房管理办法》已经获得原则通过。",  # a document title
    "电影《南京！南京！》上映。",  # a film title with punctuation inside
])
def test_places_inside_titles_are_not_labelled(places_pipeline, text):
    entities, _ = run(places_pipeline, text)
    assert entities == []


def test_a_title_that_is_only_the_place_keeps_it(places_pipeline):
    entities, _ = run(places_pipeline, "他主编了《杭州》一书。")
    assert labelled(entities) == [("杭州", "CITY")]


def test_common_word_city_short_forms_need_the_full_name(places_pipeline):
    entities, _ = run(places_pipeline, "发展朝阳产业，欢迎各位来宾，主力中卫受伤。")
    assert entities == []
    entities, _ = run(places_pipeline, "来宾市新增企业120家，来宾今年GDP增长5%。")
    assert labelled(entities) == [("来宾市", "CITY"), ("来宾", "CITY")]
