"""The NER models: corpora readers, chunking, the committed artifacts, and a tiny end-to-end training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import resources
from pipeline.ner_models import MAX_CHUNK, NerSpan, chunk_text, hanlp_recognizer_class, load_ner
from pipeline.training.corpora import (
    NER_LABELS,
    LabelledSpan,
    TaggedSentence,
    bio_to_spans,
    iobes_tags,
    iobes_to_spans,
    read_cluener,
    span_scores,
)

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
# Invented sentences (not from the training data) with unmistakable company and government names.
COMPANY_SENTENCE = "昨天，浙江新华制药股份有限公司与杭州市人民政府签署了合作协议。"
COMPANY = "浙江新华制药股份有限公司"


# ---------------------------------------------------------------- corpora and tags


def test_iobes_tags_round_trip():
    sentence = TaggedSentence("浙商银行叶老桂在北京", (LabelledSpan(0, 4, "COMPANY"), LabelledSpan(4, 7, "PER"), LabelledSpan(8, 9, "ADDRESS")))
    tags = iobes_tags(sentence)
    assert tags[:4] == ["B-COMPANY", "I-COMPANY", "I-COMPANY", "E-COMPANY"]
    assert tags[8] == "S-ADDRESS"
    assert iobes_to_spans(tags) == list(sentence.spans)


def test_iobes_decoding_drops_ill_formed_spans():
    assert iobes_to_spans(["B-COMPANY", "I-COMPANY", "O", "I-GOV", "E-GOV", "B-ORG", "E-PER"]) == []


def test_bio_to_spans_handles_adjacent_and_stray_tags():
    assert bio_to_spans(["B-ORG", "I-ORG", "B-LOC", "O", "I-PER", "I-PER"]) == [
        LabelledSpan(0, 2, "ORG"), LabelledSpan(2, 3, "LOC"), LabelledSpan(4, 6, "PER")]


def test_read_cluener_maps_labels_and_normalizes(tmp_path):
    line = {"text": "ＡＢＣ銀行與海淀區", "label": {"company": {"ＡＢＣ銀行": [[0, 4]]}, "address": {"海淀區": [[6, 8]]},
                                              "game": {"海淀": [[6, 7]]}}}
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    [sentence] = read_cluener(path)
    assert sentence.text == "ABC银行与海淀区"
    assert sentence.spans == (LabelledSpan(0, 5, "COMPANY"), LabelledSpan(6, 9, "ADDRESS"))


def test_span_scores_counts_exact_matches():
    gold = [[(0, 4, "COMPANY"), (5, 7, "GOV")]]
    pred = [[(0, 4, "COMPANY", 0.9), (5, 8, "GOV", 0.5)]]
    assert span_scores(gold, pred, "COMPANY").f1 == 1.0
    assert span_scores(gold, pred).f1 == 0.5


# ---------------------------------------------------------------- chunking


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="公司。，！\n 银行a", max_size=700), st.integers(min_value=5, max_value=60))
def test_chunks_cover_text_in_order_and_respect_the_limit(text, max_len):
    chunks = chunk_text(text, max_len)
    assert "".join(text[s:e] for s, e in chunks) == text
    assert all(0 < e - s <= max_len for s, e in chunks)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))


def test_chunks_end_at_sentence_ends():
    text = "甲公司成立。" * 50
    assert all(text[e - 1] == "。" for _, e in chunk_text(text))


# ---------------------------------------------------------------- committed models


@pytest.fixture(scope="module", params=["hanlp", "spacy"])
def ner(request):
    return load_ner(request.param)


def test_committed_model_has_name_version_and_labels(ner):
    assert ner.name in ("ner-hanlp", "ner-spacy")
    assert ner.version.startswith("1-")
    assert set(ner.labels) == set(NER_LABELS)


def test_default_model_finds_a_company_and_a_government_body():
    [spans] = load_ner().predict([COMPANY_SENTENCE])
    start = COMPANY_SENTENCE.index(COMPANY)
    assert NerSpan(start, start + len(COMPANY), "COMPANY", spans[0].score)[:3] in [s[:3] for s in spans]
    assert not any(s.label == "COMPANY" and "政府" in COMPANY_SENTENCE[s.start:s.end] for s in spans)
    assert any(s.label == "GOV" and COMPANY_SENTENCE[s.start:s.end] == "杭州市人民政府" for s in spans)


def test_committed_model_finds_a_government_body(ner):
    [spans] = ner.predict([COMPANY_SENTENCE])
    assert any(s.label == "GOV" and COMPANY_SENTENCE[s.start:s.end] == "杭州市人民政府" for s in spans)


def test_predictions_are_well_formed_and_chunked_offsets_hold(ner):
    long_text = COMPANY_SENTENCE * (3 * MAX_CHUNK // len(COMPANY_SENTENCE))
    single, repeated, empty = ner.predict([COMPANY_SENTENCE, long_text, ""])
    assert empty == []
    for spans, text in ((single, COMPANY_SENTENCE), (repeated, long_text)):
        assert spans == sorted(spans)
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
            assert span.label in NER_LABELS
            assert 0.0 < span.score <= 1.0
    found = [s for s in repeated if s.label == "GOV" and long_text[s.start:s.end] == "杭州市人民政府"]
    assert len(found) >= long_text.count("杭州市人民政府") - 1  # one may be cut at a chunk edge at most


def test_committed_hanlp_crf_is_batch_first():
    assert load_ner("hanlp").model.crf.batch_first is True


def test_load_ner_explains_unknown_backend_and_missing_model(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="hanlp"):
        load_ner("bert")
    monkeypatch.setattr(resources, "MODELS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="zhclaims train"):
        load_ner.__wrapped__("hanlp")


def test_committed_model_cards_state_scores_and_terms():
    for name in ("ner-hanlp", "ner-spacy", "segmenter"):
        card = (resources.MODELS_DIR / name / "MODEL_CARD.md").read_text(encoding="utf-8")
        assert "research" in card and "zhclaims train" in card
        meta = json.loads((resources.MODELS_DIR / name / "meta.json").read_text(encoding="utf-8"))
        assert meta["size_mb"] < 20


# ---------------------------------------------------------------- training, end to end


def test_hanlp_crf_patch_applies_to_new_models():
    recognizer = hanlp_recognizer_class()()
    recognizer.vocabs["token"] = _vocab(["<pad>", "<unk>", "公", "司"])
    recognizer.vocabs["tag"] = _vocab(["O", "S-COMPANY"], pad=None)
    recognizer.config.embed = 4
    recognizer.config.token_key = "token"
    model = recognizer.build_model(rnn_input=None, rnn_hidden=4, drop=0.0, crf=True)
    assert model.crf.batch_first is True


def _vocab(tokens, pad="<pad>"):
    from hanlp.common.vocab import Vocab

    vocab = Vocab(pad_token=pad, unk_token="<unk>" if pad else None)
    for token in tokens:
        vocab.add(token)
    vocab.lock()
    return vocab


@pytest.mark.skipif(not (CORPORA / "cluener2020").is_dir(), reason="../shared/corpora is not beside this checkout")
def test_tiny_hanlp_training_saves_reloads_and_predicts(tmp_path):
    from pipeline.cli import main
    from pipeline.ner_models import HanlpNer

    out = tmp_path / "ner"
    assert main(["train", "ner", "--backend", "hanlp", "--limit", "60", "--epochs", "1", "--out", str(out),
                 "--corpora", str(CORPORA)]) == 0
    assert {"config.json", "vocabs.json", "model.pt", "meta.json", "MODEL_CARD.md"} <= {p.name for p in out.iterdir()}
    model = HanlpNer(out)
    assert model.model.crf.batch_first is True
    [spans] = model.predict([COMPANY_SENTENCE])
    assert all(0 <= s.start < s.end <= len(COMPANY_SENTENCE) and s.label in NER_LABELS for s in spans)
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["data"]["train_sentences"] == 60 and "COMPANY" in meta["dev_scores"]


def test_read_msra_bio_keeps_its_own_labels(tmp_path):
    from pipeline.training.corpora import read_msra_bio

    path = tmp_path / "msra.txt"
    path.write_text("中\tB-ORG\n行\tI-ORG\n在\tO\n京\tB-LOC\n\n张\tB-PER\n三\tI-PER\n", encoding="utf-8")
    first, second = read_msra_bio(path)
    assert first.text == "中行在京" and first.spans == (LabelledSpan(0, 2, "MSRA_ORG"), LabelledSpan(3, 4, "MSRA_LOC"))
    assert second.spans == (LabelledSpan(0, 2, "PER"),)
