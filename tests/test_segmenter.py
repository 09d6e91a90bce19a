"""The pkuseg word segmenter: the committed model, its user dictionary, spaCy use, and tiny training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.segmenter import load_segmenter, spacy_word_pipeline
from pipeline.training.corpora import split_held_out
from pipeline.training.segmenter import segmentation_scores

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
SENTENCE = "截至去年年底，杭州市累计建成充电桩五十五万个，比上年增长三成。"


def test_segmentation_scores_count_words_by_both_boundaries():
    scores = segmentation_scores([["杭州市", "累计", "建成"]], [["杭州", "市", "累计", "建成"]])
    assert scores["precision"] == 0.5 and scores["recall"] == round(2 / 3, 4)


def test_held_out_part_is_the_last_tenth():
    train, held_out = split_held_out(list(range(20)))
    assert train == list(range(18)) and held_out == [18, 19]


def test_committed_segmenter_cuts_news_text_sensibly():
    words = load_segmenter().cut(SENTENCE)
    assert "".join(words) == SENTENCE
    assert {"累计", "建成", "增长"} <= set(words)
    assert 10 <= len(words) <= 25


def test_user_words_are_kept_whole():
    name = "数字扁担科技有限公司"
    text = f"{name}今天成立"
    assert name not in load_segmenter().cut(text)  # the model alone splits a company name
    assert name in load_segmenter(user_words=[name]).cut(text)


def test_spacy_tokenizer_uses_the_committed_model():
    nlp = spacy_word_pipeline()
    assert [t.text for t in nlp(SENTENCE)] == load_segmenter().cut(SENTENCE)


@pytest.mark.skipif(not (CORPORA / "icwb2").is_dir(), reason="../shared/corpora is not beside this checkout")
def test_tiny_segmenter_training_saves_reloads_and_cuts(tmp_path):
    from pipeline.cli import main
    from pipeline.segmenter import Segmenter

    out = tmp_path / "seg"
    assert main(["train", "segmenter", "--limit", "80", "--epochs", "1", "--out", str(out), "--corpora", str(CORPORA)]) == 0
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["data"]["pku"]["held_out_lines"] == 8
    assert 0.0 < meta["held_out_scores"]["pku"]["f1"] <= 1.0
    assert "".join(Segmenter(out).cut(SENTENCE)) == SENTENCE
