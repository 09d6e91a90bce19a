"""Batch inputs: encoding detection, bad files, JSONL line errors, folders and globs."""

from __future__ import annotations

import codecs
import io
import json
import os

import opencc
import pytest

from pipeline.readers import (
    DecodeError,
    InputError,
    SourceDocument,
    decode_bytes,
    iter_inputs,
    iter_jsonl,
    normalize_published,
)

SIMPLIFIED = "截至2025年底，杭州市累计建成各类充电桩约55.4万把。\r\n钱塘区前进街道新增公共充电站12座（含快充桩）。\n"


def traditional_big5_text(text: str) -> str:
    """The text in Traditional characters, keeping only what Big5 can encode."""
    converted = opencc.OpenCC("s2t").convert(text)
    return "".join(ch for ch in converted if ch.encode("big5hkscs", errors="ignore"))


@pytest.mark.parametrize(
    ("data", "expected_encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), "utf-16-le-bom"),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be-bom"),
        (SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decodes_the_common_encodings_exactly(data, expected_encoding):
    text, encoding = decode_bytes(data)
    assert encoding == expected_encoding
    assert text.lstrip("\ufeff") == SIMPLIFIED  # \r\n kept: no newline translation


def test_decodes_big5():
    original = traditional_big5_text(SIMPLIFIED * 3)
    text, encoding = decode_bytes(original.encode("big5hkscs"))
    assert encoding.startswith("big5")
    assert text == original


def test_byte_order_mark_stays_as_the_first_character():
    text, encoding = decode_bytes(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    assert encoding == "utf-8-bom"
    assert text == "\ufeff" + SIMPLIFIED
    text16, _ = decode_bytes(codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"))
    assert text16 == text  # one rule for every BOM: offsets count it


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t\n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        ("正文\x00\x00\x00填充".encode("utf-8") * 3, "NUL"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "binary"),
    ],
)
def test_refuses_empty_and_binary_data(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026", "2026"), ("2026-01", "2026-01"), ("2026-01-05", "2026-01-05"),
     ("2026-01-05T08:30:00+08:00", "2026-01-05"), ("", None), (None, None)],
)
def test_normalize_published(value, expected):
    assert normalize_published(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2026-13", "20260105", "2026/01/05"])
def test_normalize_published_refuses_non_dates(value):
    with pytest.raises(ValueError, match="YYYY"):
        normalize_published(value)


def test_jsonl_reports_bad_lines_with_numbers_and_keeps_going():
    lines = [
        json.dumps({"id": "a", "text": "杭州市新增充电桩12座。", "published": "2026-01-05", "source": "http://x/a"}),
        "",
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps(["text"]),
        json.dumps({"text": "无编号的文章。"}),
        json.dumps({"id": "c", "text": "日期错。", "published": "soon"}),
    ]
    stream = io.BytesIO(("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe{}\n")
    items = list(iter_jsonl(stream, "feed.jsonl", published="2026-02"))
    errors = {item.line: item.reason for item in items if isinstance(item, InputError)}
    documents = [item for item in items if isinstance(item, SourceDocument)]
    assert sorted(errors) == [3, 4, 5, 7, 8]
    assert "malformed JSON" in errors[3] and "text" in errors[4] and "object" in errors[5]
    assert "published" in errors[7] and "UTF-8" in errors[8]
    assert [d.document.id for d in documents][0] == "a"
    first, second = documents
    assert (first.document.published, first.document.source, first.line) == ("2026-01-05", "http://x/a", 1)
    assert second.document.published == "2026-02"  # --published fills what the line lacks
    assert second.document.id and second.document.source == "feed.jsonl:6"


def test_folders_globs_and_unreadable_paths(tmp_path):
    (tmp_path / "news" / "2026").mkdir(parents=True)
    (tmp_path / "news" / "b.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "news" / "2026" / "a.txt").write_bytes(SIMPLIFIED.encode("gb18030"))
    (tmp_path / "news" / "notes.csv").write_text("ignored", encoding="utf-8")
    (tmp_path / "news" / ".hidden.txt").write_text("ignored", encoding="utf-8")
    os.symlink(tmp_path / "gone.txt", tmp_path / "news" / "dangling.txt")
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, never read

    items = list(iter_inputs([str(tmp_path / "news"), str(tmp_path / "news" / "b.txt"), str(tmp_path / "missing.txt"),
                              str(tmp_path / "*.nothing"), str(tmp_path / "huge.txt")]))
    documents = [item for item in items if isinstance(item, SourceDocument)]
    errors = {os.path.basename(item.source): item.reason for item in items if isinstance(item, InputError)}
    assert [d.document.id for d in documents] == ["a", "b"]  # sorted walk, b.txt read once
    assert [d.encoding for d in documents] == ["gb18030", "utf-8"]
    assert all(d.document.text == SIMPLIFIED for d in documents)
    assert set(errors) == {"dangling.txt", "missing.txt", "*.nothing", "huge.txt"}
    assert "dangling" in errors["dangling.txt"] and "no such" in errors["missing.txt"]
    assert "no file matches" in errors["*.nothing"] and "MB" in errors["huge.txt"]


def test_stdin_dash_reads_jsonl():
    stream = io.BytesIO(json.dumps({"id": "s", "text": "上海市。"}, ensure_ascii=False).encode("utf-8") + b"\n")
    [item] = list(iter_inputs(["-"], stdin=stream))
    assert item.document.id == "s" and item.origin == "-:1"


def test_input_hash_follows_text_and_metadata(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SIMPLIFIED, encoding="utf-8")
    [first] = iter_inputs([str(path)], published="2026-01")
    [same] = iter_inputs([str(path)], published="2026-01")
    [other_date] = iter_inputs([str(path)], published="2026-02")
    path.write_text(SIMPLIFIED + "。", encoding="utf-8")
    [changed] = iter_inputs([str(path)], published="2026-01")
    assert first.input_hash == same.input_hash
    assert len({first.input_hash, other_date.input_hash, changed.input_hash}) == 3
