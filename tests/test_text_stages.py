"""The text stages: normalize, layout repair, furniture (+ publication date), sentences.

Stage tests run a pipeline of the four text stages only, so they do not depend on the models of
later stages; the dev-gold checks say what the gold README's furniture and evidence conventions
require of the view and the sentences.
"""

from __future__ import annotations

import json

import pytest

from pipeline import Pipeline
from pipeline.published import detect_published, parse_date
from pipeline.s1_normalize import normalize_text
from pipeline.s2_layout import layout_segments
from pipeline.s3_furniture import find_furniture
from pipeline.s4_sentences import split_sentences
from pipeline.textview import TextView

TEXT_STAGES = ["normalize", "layout", "furniture", "sentences"]
SEED_000 = "000_d4a59bdcebf6770c"
SEED_001 = "001_ed928f1bd4ec254a"
SEED_002 = "002_b923dc41b19232f5"
SEED_003 = "003_c0caba9bac2da58f"


@pytest.fixture(scope="module")
def text_pipeline():
    return Pipeline.load(nlp__pipeline=TEXT_STAGES)


@pytest.fixture(scope="module")
def seed_docs(text_pipeline, seed_texts):
    return {name: text_pipeline.process(text) for name, text in seed_texts.items()}


def view_of(text: str) -> TextView:
    normalized = normalize_text(text)
    return TextView.from_segments(normalized, layout_segments(normalized))


def sentence_texts(pipeline, text: str) -> list[str]:
    return [s.text for s in pipeline.process(text)._.sentences]


# --- normalize -------------------------------------------------------------------------------


def test_normalize_folds_script_width_dashes_and_spaces_one_for_one():
    raw = "\u2003\u2003拱墅區１２３，“測試”—～\u00a0ＡＢ"
    normalized = normalize_text(raw)
    assert len(normalized) == len(raw)
    assert normalized == "  拱墅区123,“测试”-~ AB"


def test_normalize_rejects_a_conversion_that_changes_length():
    with pytest.raises(ValueError, match="does not preserve length"):
        normalize_text("軟體", conversion="tw2sp")


# --- layout ----------------------------------------------------------------------------------


def test_column_break_inside_a_word_is_joined():
    view = view_of("第一段到此为止。\n\n沿江景观带公\n\n园入选住建部全国城市更新典型案例。")
    assert "公园入选" in view.text
    assert "为止。\n" in view.text  # the genuine paragraph break stays


def test_break_after_a_comma_is_joined_but_a_heading_stays_apart():
    view = view_of("促更新提品质 雕琢城市有机生命体\n\n2025年，借势产业发展东风，东二路\n\n等6条断头路完工。")
    assert "东二路等6条" in view.text
    assert "生命体\n2025年" in view.text


def test_caption_and_credit_inside_a_broken_sentence_follow_the_joined_sentence():
    raw = ("截至目前，全市已累计完成365个城中村改造，腾出土地超10万亩，实现“5年以上未安置户动态清\n\n"
           "钱江新城二期\n\n图片由杭州市建委提供\n\n零”，让更多百姓共享发展红利。")
    view = view_of(raw)
    assert "动态清零”" in view.text
    assert view.text.index("共享发展红利。") < view.text.index("钱江新城二期")


def test_a_finished_caption_between_halves_is_not_taken_as_the_continuation():
    raw = ("成绩背后，拱墅仍面临着成长的烦恼：要素供给的制约尚未完全破除，\n\n"
           "杭州大武林商圈再添一家高端商场。\n\n"
           "土地、算力等资源的保障能力，仍需适配产业发展的速度；公共服务供给与群众对美好生活的期盼还有距离。")
    view = view_of(raw)
    assert "尚未完全破除,土地" in view.text
    assert "\n杭州大武林商圈再添一家高端商场。" in view.text


def test_seed_000_column_break_word_lies_inside_one_sentence(seed_docs, seed_texts):
    doc, raw = seed_docs[SEED_000], seed_texts[SEED_000]
    cut = raw.index("公\n\n园入选")
    holding = [s for s in doc._.sentences if s.start <= cut and cut + 4 <= s.end]
    assert len(holding) == 1
    assert "公园入选" in holding[0].text


def test_seed_000_caption_is_its_own_sentence_after_the_joined_one(seed_docs):
    texts = [s.text for s in seed_docs[SEED_000]._.sentences]
    joined = next(i for i, t in enumerate(texts) if "动态清零”" in t)
    assert texts[joined + 1] == "钱江新城二期"
    assert not any("图片由" in t for t in texts)


def test_seed_003_sentence_broken_around_two_captions_is_whole(seed_docs):
    texts = [s.text for s in seed_docs[SEED_003]._.sentences]
    assert any("全面推进青年入乡实践站点建设" in t for t in texts)


# --- furniture -------------------------------------------------------------------------------


def furniture_lines(raw: str, doc) -> set[str]:
    """The raw lines that furniture spans cover completely."""
    covered = set()
    for span in doc._.furniture:
        for line in raw[span.start:span.end].split("\n"):
            if line.strip():
                covered.add(line.strip())
    return covered


def test_seed_001_has_no_sentence_after_the_byline(seed_docs, seed_texts):
    raw, doc = seed_texts[SEED_001], seed_docs[SEED_001]
    byline = raw.index("■中国城市报记者 胡安华")
    assert doc._.sentences, "the article body must yield sentences"
    assert all(s.end <= byline for s in doc._.sentences)
    assert not any("分享至" in s.text for s in doc._.sentences)


def test_seed_002_page_chrome_is_furniture(seed_docs, seed_texts):
    raw, doc = seed_texts[SEED_002], seed_docs[SEED_002]
    covered = furniture_lines(raw, doc)
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    assert lines[0] in covered and lines[0].endswith("-新華網")  # page-title line
    for chrome in ("新華網 > 時政 > 正文", "2025 11/05 09:58:17", "來源:新華每日電訊", "字體:",
                   "【糾錯】 【責任編輯:薛濤】"):
        assert chrome in covered
    headline = lines[4]
    assert headline not in covered
    assert any(s.text == normalize_text(headline) for s in doc._.sentences)


def test_bylines_and_credits_are_furniture_but_captions_are_body(seed_docs):
    view = seed_docs[SEED_000]._.view.text
    assert "杭建宣" not in view and "图片由" not in view
    assert "前进街道前悦社区" in view and "钱江新城二期" in view
    view_002 = seed_docs[SEED_002]._.view.text
    assert "浙工新村新貌。" in view_002 and "供图" not in view_002 and "刘婧宇" not in view_002


def test_furniture_patterns_generalise_beyond_the_seeds():
    raw = ("首页 > 财经 > 正文\n2024-03-08 10:20\n某市经济稳中有进\n"
           "今年一季度全市生产总值增长5%。\n记者 王小明 摄\n（本报记者 李四）\n"
           "责任编辑：赵五\n猜你喜欢\n另一条新闻标题\n")
    furniture, page = find_furniture(normalize_text(raw))
    covered = {raw[f.start:f.end].split("\n")[0] for f in furniture}
    assert {"首页 > 财经 > 正文", "2024-03-08 10:20", "记者 王小明 摄", "（本报记者 李四）",
            "责任编辑：赵五", "猜你喜欢"} <= covered
    assert "今年一季度全市生产总值增长5%。" not in covered
    assert furniture[-1].reason == "recommendations" and furniture[-1].end == len(raw.rstrip())
    assert detect_published(page.lines, page.datelines, page.tail_from) == "2024-03-08"


def test_every_dev_gold_item_lies_in_the_view(seed_docs, seed_texts, gold_dev_dir):
    for name, doc in seed_docs.items():
        gold = json.loads((gold_dev_dir / f"{name}.json").read_text(encoding="utf-8"))
        raw, view = seed_texts[name], doc._.view
        for kind in ("entities", "quantities", "times"):
            for item in gold[kind]:
                outside = [r for r in range(item["start"], item["end"])
                           if view.to_view(r) is None and not raw[r].isspace()]
                assert not outside, f"{name}: gold {kind[:-1]} {item['text']!r} falls in furniture"


# --- publication date ------------------------------------------------------------------------


def test_page_dates_are_found_with_their_source(seed_docs):
    assert (seed_docs[SEED_002]._.published, seed_docs[SEED_002]._.published_source) == ("2025-11-05", "page")
    # 001: the recommendation list carries other stories' dates; the article's own comes after it.
    assert (seed_docs[SEED_001]._.published, seed_docs[SEED_001]._.published_source) == ("2025-11-01", "page")
    assert seed_docs[SEED_000]._.published is None


def test_metadata_date_wins_over_the_page(text_pipeline, seed_texts):
    doc = text_pipeline.process(seed_texts[SEED_002], published="2025-11")
    assert (doc._.published, doc._.published_source) == ("2025-11", "metadata")


def test_list_item_dates_are_not_the_article_date():
    lines = ["某条推荐新闻的标题很长很长", "某某号", "2025-10-01 08:00:00", "正文第一句。"]
    assert detect_published(lines, [2], lists_from=0) is None
    assert detect_published(lines, [2], lists_from=None) == "2025-10-01"
    assert parse_date("2025 13/45 09:00") is None


# --- sentences -------------------------------------------------------------------------------


def test_traditional_sentences_are_simplified_and_map_back_to_raw(seed_docs, seed_texts):
    raw, doc = seed_texts[SEED_002], seed_docs[SEED_002]
    sentence = next(s for s in doc._.sentences if s.text.startswith("拱墅下辖18个街道"))
    assert raw[sentence.start:sentence.end].startswith("拱墅下轄18個街道")
    assert normalize_text(raw[sentence.start:sentence.end]) == sentence.text


def test_closing_quotes_stay_and_speech_is_split(text_pipeline):
    texts = sentence_texts(text_pipeline, "“小区无小事。要靠每一点努力。”陈吴说。他笑了！")
    assert texts == ["“小区无小事。", "要靠每一点努力。”", "陈吴说。", "他笑了!"]


def test_a_quote_in_mid_sentence_is_not_split(text_pipeline):
    texts = sentence_texts(text_pipeline, "会议要求“以推动发展为主线。全力确保开好头”，并部署工作。下一句。")
    assert texts == ["会议要求“以推动发展为主线。全力确保开好头”,并部署工作。", "下一句。"]


def test_headings_are_sentences_and_semicolons_do_not_split(text_pipeline):
    texts = sentence_texts(text_pipeline, "优设施促融合 夯实发展韧性基底\n\n累计参与39122人次；可预约场地219个。")
    assert texts == ["优设施促融合 夯实发展韧性基底", "累计参与39122人次;可预约场地219个。"]


def test_gold_evidence_lies_within_one_sentence(seed_docs, seed_texts, gold_dev_dir):
    for name, doc in seed_docs.items():
        gold = json.loads((gold_dev_dir / f"{name}.json").read_text(encoding="utf-8"))
        raw, view = seed_texts[name], doc._.view
        sentence_of = {}
        for sentence in doc._.sentences:
            for r in range(sentence.start, sentence.end):
                sentence_of.setdefault(r, set()).add(sentence.index)
        for claim in gold["claims"]:
            start, end = claim["evidence"]
            inside = [r for r in range(start, end) if view.to_view(r) is not None and not raw[r].isspace()]
            owners = {i for r in inside for i in sentence_of.get(r, ())}
            # a joined sentence's raw range may enclose a caption: count the sentence whose view
            # text holds the evidence characters.
            holders = [i for i in owners
                       if all(r in range(doc._.sentences[i].start, doc._.sentences[i].end) for r in inside)
                       and normalize_text(raw[inside[0]]) in doc._.sentences[i].text]
            assert holders, f"{name}: evidence {raw[start:end]!r} spans several sentences"


def test_split_sentences_trims_whitespace_and_keeps_raw_offsets():
    raw = "  第一句。  第二句！\n\n  标题  "
    normalized = normalize_text(raw)
    sentences = split_sentences(TextView.from_segments(normalized, layout_segments(normalized)))
    assert [(s.text, raw[s.start:s.end]) for s in sentences] == [
        ("第一句。", "第一句。"), ("第二句!", "第二句！"), ("标题", "标题")]
