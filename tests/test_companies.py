"""Stage 6, companies: the name grammar, lists, aliases, branches, exclusions and the rule/model merge.

The stage is run on crafted sentences after the real normalize/layout/furniture/sentences stages;
place entities, where a test needs them, are put in by hand so these tests do not depend on the
places stage.
"""

from __future__ import annotations

import pytest
from thinc.api import Config

from pipeline.api import DEFAULT_CONFIG, build_nlp
from pipeline.ner_models import NerSpan
from pipeline.resources import MODELS_DIR
from pipeline.s6_companies import CompanyTagger, TextContext, find_rule_mentions, load_rules
from pipeline.schema import Entity, Relation

PRE_STAGES = ("normalize", "layout", "furniture", "sentences")


@pytest.fixture(scope="module")
def pre_nlp(tmp_path_factory):
    """The stages that run before places and companies, built from the default config."""
    config = Config().from_disk(DEFAULT_CONFIG)
    config["nlp"]["pipeline"] = list(PRE_STAGES)
    for name in list(config["components"]):
        if name not in PRE_STAGES:
            del config["components"][name]
    path = tmp_path_factory.mktemp("cfg") / "pre.cfg"
    config.to_disk(path)
    return build_nlp(path)


@pytest.fixture(scope="module")
def tagger():
    return CompanyTagger(use_model=False)


def run(pre_nlp, tagger, text, places=(), relations=()):
    """Run the companies stage on ``text``; ``places`` are (surface, label, occurrence) put in first."""
    doc = pre_nlp(text)
    entities = []
    for surface, label, occurrence in places:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(surface, start + 1)
        entities.append(Entity(id=f"e{start}", start=start, end=start + len(surface), text=surface, label=label, name=surface))
    doc._.entities = entities
    doc._.relations = list(relations)
    return tagger(doc)


def companies(doc):
    return [(e.text, e.name) for e in doc._.entities if e.label == "COMPANY"]


def test_legal_form_grammar_takes_trade_name_industry_and_region(pre_nlp, tagger):
    doc = run(pre_nlp, tagger, "前进街道联合强村公司组建前品味农业科技公司，杭州中美华东制药有限公司2026年将持续加大研发投入。")
    assert companies(doc) == [("前品味农业科技公司", "前品味农业科技公司"), ("杭州中美华东制药有限公司", "杭州中美华东制药有限公司")]


def test_function_words_and_kinds_are_not_trade_names(pre_nlp, tagger):
    text = "广场旁寸土寸金，很难有公司能在这里开设。物业公司和强村公司也来了，1200余家企业受益，结合农场经营实际。"
    assert companies(run(pre_nlp, tagger, text)) == []


def test_bracketed_region_and_declared_short_name_in_traditional_text(pre_nlp, tagger):
    text = "數字扁擔（浙江）科技有限公司（簡稱數字扁擔）是國家級高新技術企業。長假期間，數字扁擔副總經理依然很忙。"
    doc = run(pre_nlp, tagger, text)
    found = [e for e in doc._.entities if e.label == "COMPANY"]
    assert [(e.text, e.name) for e in found] == [
        ("數字扁擔（浙江）科技有限公司", "数字扁担"),
        ("數字扁擔", "数字扁担"),
        ("數字扁擔", "数字扁担"),
    ]
    for entity in found:
        assert text[entity.start : entity.end] == entity.text
        assert entity.id == f"e{entity.start}"
    assert found[0].provenance.producer == "rule:companies/legal-form"
    assert found[2].provenance.producer == "rule:companies/alias-declared"


def test_trade_name_of_a_full_name_is_a_short_name_elsewhere(pre_nlp, tagger):
    text = "通过银行与省农担公司合作的担保模式完成授信。该行加强与地方财政、省农担、兴农担保等机构的协作。"
    assert companies(run(pre_nlp, tagger, text)) == [
        ("省农担公司", "省农担公司"),
        ("省农担", "省农担公司"),
        ("兴农担保", "兴农担保"),
    ]


def test_branch_is_one_span_and_the_place_inside_is_removed(pre_nlp, tagger):
    text = "长安福特杭州分公司的钳工高级技师。禾城农商银行王江泾支行客户经理走访了农场。"
    relation = Relation(head="e4", tail="e0", evidence=[0, 10])
    doc = run(pre_nlp, tagger, text, places=[("杭州", "CITY", 0), ("王江泾", "STREET", 0)], relations=[relation])
    assert [(e.text, e.label) for e in doc._.entities] == [
        ("长安福特杭州分公司", "COMPANY"),
        ("禾城农商银行王江泾支行", "COMPANY"),
    ]
    assert doc._.relations == []
    assert doc._.entities[1].provenance.producer == "rule:companies/branch"


def test_place_written_before_a_farm_is_its_location(pre_nlp, tagger):
    text = "在秀洲区王江泾俞果生态农场，负责人正在栽苗。还有南湖区新丰镇曙光家庭农场。"
    places = [("秀洲区", "DISTRICT", 0), ("王江泾", "STREET", 0), ("南湖区", "DISTRICT", 0), ("新丰镇", "STREET", 0)]
    doc = run(pre_nlp, tagger, text, places=places)
    assert companies(doc) == [("俞果生态农场", "俞果生态农场"), ("曙光家庭农场", "曙光家庭农场")]
    assert [e.text for e in doc._.entities if e.label != "COMPANY"] == ["秀洲区", "王江泾", "南湖区", "新丰镇"]


def test_region_prefix_of_a_legal_name_is_part_of_it(pre_nlp, tagger):
    doc = run(pre_nlp, tagger, "原杭州重机厂宿舍区块拆迁安置房项目圆满收官。", places=[("杭州", "CITY", 0)])
    assert companies(doc) == [("杭州重机厂", "杭州重机厂")]
    assert [e.label for e in doc._.entities] == ["COMPANY"]


def test_list_members_closed_or_opened_by_a_company_noun(pre_nlp, tagger):
    text = "长安福特、吉利汽车、西子势必锐等68家知名企业在这一汇聚。三大片区综合运营商绿城、万科、七彩均已进场。成功入驻盒马等大型商超。"
    assert [t for t, _ in companies(run(pre_nlp, tagger, text))] == ["长安福特", "吉利汽车", "西子势必锐", "绿城", "万科", "七彩", "盒马"]


def test_government_bodies_zones_projects_and_malls_are_not_companies(pre_nlp, tagger):
    text = (
        "杭州市建委、区数据局与海盐经开区联合推进。推动新盛总部等重点项目早开工，英特医药、货拉拉智汇云谷等项目快建设。"
        "今年恒隆广场、嘉里城等商场开业，新天地商务社区组织活动，引进品牌首店、旗舰店100家以上。"
    )
    assert companies(run(pre_nlp, tagger, text)) == []


def test_latin_name_media_outlet_and_bounded_brand(pre_nlp, tagger):
    text = "DeepSeek的員工準時開始練搏擊操。中国城市报记者展开报道。傳統街坊昇華為都市客廳，与华为合作。"
    assert [t for t, _ in companies(run(pre_nlp, tagger, text))] == ["DeepSeek", "中国城市报", "华为"]


class FakeModel:
    """A stand-in NER model: returns fixed spans for sentences containing given strings."""

    name = "fake-ner"
    version = "0.1"

    def __init__(self, spans_by_string, blind_to: str = ""):
        self.spans_by_string = spans_by_string
        self.blind_to = blind_to  # sentences containing this get no spans
        self.seen: list[str] = []

    def predict(self, texts):
        self.seen.extend(texts)
        result = []
        for text in texts:
            spans = []
            for surface, (label, score) in self.spans_by_string.items() if not (self.blind_to and self.blind_to in text) else ():
                at = text.find(surface)
                if at >= 0:
                    spans.append(NerSpan(at, at + len(surface), label, score))
            result.append(sorted(spans))
        return result


def test_merge_rules_win_model_fills_gaps_above_threshold(pre_nlp):
    tagger = CompanyTagger(use_model=False, model_threshold=0.6, cue_sentences_only=False)
    tagger.use_model = True
    tagger._ner = FakeModel(
        {
            "中美华东制药": ("COMPANY", 0.99),  # inside a rule span: the rule span wins
            "朗骏电子": ("COMPANY", 0.9),  # no rule found it: accepted, then found again by alias
            "杭钢云": ("COMPANY", 0.95),  # excluded head (a platform, not a firm)
            "西溪科创": ("COMPANY", 0.4),  # below the threshold
            "拱墅区政府": ("ORG", 0.99),  # not a company label
        },
        blind_to="做得好",
    )
    text = "杭州中美华东制药有限公司加大研发投入，朗骏电子帮扶新居民员工，杭钢云提供算力，西溪科创也是企业。拱墅区政府表示，朗骏电子做得好。"
    doc = run(pre_nlp, tagger, text)
    found = [e for e in doc._.entities if e.label == "COMPANY"]
    assert [(e.text, e.provenance.producer) for e in found] == [
        ("杭州中美华东制药有限公司", "rule:companies/legal-form"),
        ("朗骏电子", "model:fake-ner@0.1"),
        ("朗骏电子", "rule:companies/repeat-name"),
    ]
    assert all(0 < e.provenance.confidence <= 1 for e in found)


def test_model_reads_only_sentences_with_a_cue_the_rules_left_open(pre_nlp):
    tagger = CompanyTagger(use_model=False)
    tagger.use_model = True
    tagger._ner = FakeModel({})
    text = "居民们即将住进新房。朗骏电子科技有限公司帮扶新居民。西溪科创等企业也来了。大家都很高兴。"
    run(pre_nlp, tagger, text)
    assert tagger._ner.seen == ["西溪科创等企业也来了。"]


def test_rules_read_the_view_without_places():
    ctx = TextContext("与省农担公司合作", load_rules())
    candidates, projects = find_rule_mentions(ctx)
    assert [(m.start, m.end) for m in candidates] == [(1, 6)] and projects == []


@pytest.mark.skipif(
    not (MODELS_DIR / "ner-hanlp" / "meta.json").exists(),
    reason="no committed HanLP NER model in models/ner-hanlp",
)
def test_stage_runs_with_the_committed_model(pre_nlp):
    tagger = CompanyTagger(use_model=True, backend="hanlp")
    doc = run(pre_nlp, tagger, "禾城农商银行主动践行普惠金融使命。朗骏电子科技有限公司主动帮扶新居民员工。")
    found = [e for e in doc._.entities if e.label == "COMPANY"]
    assert [e.text for e in found] == ["禾城农商银行", "朗骏电子科技有限公司"]
    assert tagger.version.startswith("1+ner-hanlp@")
    assert all(e.provenance.producer.startswith(("rule:companies/", "model:ner-hanlp@")) for e in found)


def test_company_written_after_its_township_is_located_in_it(nlp_pipeline):
    raw = "在秀洲區王江涇俞果生态农场，负责人介绍了扩种计划。"
    article = nlp_pipeline(raw, published="2026-03")
    by_id = {e.id: e for e in article.entities}
    pairs = {(by_id[r.head].text, by_id[r.tail].text) for r in article.relations}
    assert ("俞果生态农场", "王江涇") in pairs
    assert ("王江涇", "秀洲區") in pairs
    assert all(by_id[r.head].label != "COMPANY" or by_id[r.tail].label == "STREET" for r in article.relations)
