"""The staged pipeline's contract checks and the Python API."""

import pytest

from pipeline.api import PipelineConfigError, build_nlp


def test_stage_order_follows_the_module_names(nlp_pipeline):
    assert nlp_pipeline.stage_names == [
        "normalize", "layout", "furniture", "sentences", "places", "companies", "times", "quantities", "claims",
    ]


def test_building_with_a_stage_before_its_requirements_fails_early():
    with pytest.raises(PipelineConfigError, match="sentences.*requires doc._.view"):
        build_nlp(overrides={"nlp.pipeline": ["normalize", "layout", "sentences", "furniture"]})


def test_every_emitted_span_maps_back_to_raw_text(nlp_pipeline, seed_texts):
    for doc_id, raw in seed_texts.items():
        article = nlp_pipeline(raw, doc_id=doc_id)
        for item in article.entities + article.quantities + article.times:
            assert raw[item.start:item.end] == item.text
        assert article.sentences, doc_id


def test_train_command_offers_every_trained_artifact():
    from pipeline.cli import build_parser

    argv = ["train", "claims", "cv", "--end-to-end"]
    args = build_parser(argv).parse_args(argv)
    assert (args.model, args.action, args.end_to_end) == ("claims", "cv", True)
    argv = ["train", "ner", "--backend", "spacy", "--limit", "5"]
    args = build_parser(argv).parse_args(argv)
    assert (args.model, args.backend, args.limit) == ("ner", "spacy", 5)


def test_the_same_document_twice_gives_the_same_article(nlp_pipeline, seed_texts):
    # Caches inside stages must never hand out objects a later step changes.
    for text in list(seed_texts.values())[:2] + ["浙江省乐清市和乐清贫的人。杭州市钱塘区前进街道新增停车位300个。"]:
        first = nlp_pipeline(text).model_dump_json()
        assert nlp_pipeline(text).model_dump_json() == first
