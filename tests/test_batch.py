"""``zhclaims extract`` end to end: bad inputs beside good ones, incremental re-runs, kill -9 and
resume, and identical output from one worker, a process pool and a Dask LocalCluster.

``ZHCLAIMS_BATCH_TEST_CONFIG`` runs these tests on another pipeline config (default: the default).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import opencc
import pandas as pd
import pytest

from pipeline import batch, cli, store
from pipeline.schema import Article

CONFIG = os.environ.get("ZHCLAIMS_BATCH_TEST_CONFIG") or None
ROOT = Path(__file__).resolve().parent.parent
VOLATILE_COLUMNS = ("run_id", "processed_at", "at")


class QuietProgress(batch.Progress):
    """Progress without output, for tests."""

    def __init__(self):
        super().__init__(stream=open(os.devnull, "w"), tty=False, interval=1e9)


def run_extract(paths, **options) -> dict:
    options.setdefault("config", CONFIG)
    return batch.extract([str(p) for p in paths], progress=QuietProgress(), **options)


def store_contents(path) -> dict[str, list[tuple]]:
    """Every table but ``runs``, without the columns that name the run or the time, in store order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        contents = {}
        for table in store.TABLES:
            if table == "runs":
                continue
            columns = [c for c, _ in store.TABLE_COLUMNS[table] if c not in VOLATILE_COLUMNS]
            select = ", ".join(f'"{c}"' for c in columns)
            contents[table] = con.execute(f"SELECT {select} FROM {table} ORDER BY {store.TABLE_ORDER[table]}").fetchall()
        return contents
    finally:
        con.close()


def big5_text(text: str) -> str:
    converted = opencc.OpenCC("s2t").convert(text)
    return "".join(ch for ch in converted if ch.encode("big5hkscs", errors="ignore"))


@pytest.fixture()
def mixed_inputs(tmp_path, seed_texts):
    """A folder of good articles in many encodings beside bad inputs.

    Returns:
        ``(folder, good, bad)``: the expected raw text by doc id, and the bad inputs' names.
    """
    seeds = [seed_texts[name] for name in sorted(seed_texts)]
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    good = {
        "utf8": seeds[0],
        "bom": "\ufeff" + seeds[1],
        "plain": seeds[1],
        "gb": seeds[2],
        "big5": big5_text(seeds[3]),
        "utf16": "\ufeff" + seeds[4],
        "utf16nobom": seeds[0][: len(seeds[0]) // 2],
        "crlf": seeds[3].replace("\r\n", "\n").replace("\n", "\r\n"),
        "j1": seeds[2][:3000],
        "j2": seeds[4][:3000],
    }
    encodings = {"utf8": "utf-8", "bom": "utf-8", "plain": "utf-8", "gb": "gb18030", "big5": "big5hkscs",
                 "utf16": "utf-16-le", "utf16nobom": "utf-16-le", "crlf": "utf-8"}
    for name, encoding in encodings.items():
        (folder / ("sub" if name.startswith("utf16") else "") / f"{name}.txt").write_bytes(good[name].encode(encoding))
    feed = [json.dumps({"id": "j1", "text": good["j1"], "published": "2025-12-30"}, ensure_ascii=False),
            '{"id": "broken", "text": "半行',
            json.dumps({"id": "j3", "title": "no text"}),
            json.dumps({"id": "j2", "text": good["j2"], "source": "https://example.com/j2"}, ensure_ascii=False)]
    (folder / "feed.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "nul.txt").write_bytes(seeds[0][:200].encode("utf-8") + b"\x00" * 64)
    (folder / "empty.txt").write_bytes(b"")
    os.symlink(tmp_path / "deleted.txt", folder / "dangling.txt")
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    bad = {"feed.jsonl:2", "feed.jsonl:3", "binary.txt", "nul.txt", "empty.txt", "dangling.txt", "huge.txt", "missing.txt"}
    return folder, good, bad


def error_names(path) -> set[str]:
    errors = store.read_table(path, "errors")
    return {Path(source).name + ("" if pd.isna(line) else f":{int(line)}")
            for source, line in zip(errors["source"], errors["line"])}


def test_bad_inputs_beside_good_ones(tmp_path, mixed_inputs):
    folder, good, bad = mixed_inputs
    db = tmp_path / "s.duckdb"
    argv = ["extract", str(folder), str(tmp_path / "missing.txt"), "--store", str(db), "--published", "2026-01"]
    assert cli.main(argv + (["--config", CONFIG] if CONFIG else [])) == batch.EXIT_FAILED_INPUTS

    documents = store.read_table(db, "documents").set_index("doc_id")
    assert set(documents.index) == set(good)
    for doc_id, text in good.items():
        assert documents.loc[doc_id, "text"] == text, doc_id
    assert documents.loc["bom", "encoding"] == "utf-8-bom" and documents.loc["gb", "encoding"] == "gb18030"
    assert documents.loc["big5", "encoding"].startswith("big5")
    assert documents.loc["utf16nobom", "encoding"] == "utf-16-le"
    assert documents.loc["j1", "published"] == "2025-12-30" and documents.loc["j2", "published"] == "2026-01"
    assert error_names(db) == bad
    runs = store.read_table(db, "runs")
    assert list(runs.loc[0, ["status", "processed", "failed"]]) == ["finished", len(good), len(bad)]

    # Offsets are raw offsets into the stored text, BOM and \r\n included.
    for article in store.articles(db):
        raw = good[article.doc_id]
        for item in [*article.entities, *article.quantities, *article.times]:
            assert raw[item.start:item.end] == item.text, (article.doc_id, item)
        for sentence in article.sentences:
            assert 0 <= sentence.start < sentence.end <= len(raw)


def test_a_byte_order_mark_shifts_offsets_by_one(tmp_path, mixed_inputs):
    folder, good, _ = mixed_inputs
    db = tmp_path / "s.duckdb"
    run_extract([folder / "bom.txt", folder / "plain.txt"], store_path=db)
    by_id = {a.doc_id: a for a in store.articles(db)}
    with_bom, plain = by_id["bom"], by_id["plain"]
    for kind in ("entities", "quantities", "times"):
        shifted = [(i.start - 1, i.end - 1, i.text) for i in getattr(with_bom, kind)]
        assert shifted == [(i.start, i.end, i.text) for i in getattr(plain, kind)], kind


def test_rerun_processes_only_new_or_changed_documents(tmp_path, mixed_inputs, monkeypatch):
    folder, good, bad = mixed_inputs
    db = tmp_path / "s.duckdb"
    first = run_extract([folder], store_path=db)
    assert (first["processed"], first["skipped"]) == (len(good), 0)
    before = store_contents(db)

    again = run_extract([folder], store_path=db)
    assert (again["processed"], again["skipped"], again["failed"]) == (0, len(good), len(bad) - 1)
    assert store_contents(db) == before

    (folder / "utf8.txt").write_text(good["utf8"] + "\n新增一段。", encoding="utf-8")
    (folder / "empty.txt").write_text("上海市新增充电站3座。", encoding="utf-8")
    changed = run_extract([folder], store_path=db)
    assert changed["processed"] == 2 and "empty.txt" not in error_names(db)

    # A new stage version makes every document stale.
    component = batch.worker_pipeline(CONFIG).nlp.get_pipe("normalize")
    monkeypatch.setattr(component, "version", str(getattr(component, "version", "")) + "+changed", raising=False)
    rerun = run_extract([folder], store_path=db)
    assert rerun["processed"] == len(good) + 1 and rerun["skipped"] == 0
    assert set(store.read_table(db, "documents")["pipeline_version"]) == {batch.pipeline_version(CONFIG)}


def test_output_jsonl_without_store(tmp_path, mixed_inputs):
    folder, good, _ = mixed_inputs
    out = tmp_path / "out.jsonl"
    counts = run_extract([folder / "plain.txt", folder / "feed.jsonl", folder / "crlf.txt"], store_path=None,
                         output=str(out), published="2026-01")
    lines = out.read_text(encoding="utf-8").splitlines()
    articles = [Article.model_validate_json(line) for line in lines]
    assert [a.doc_id for a in articles] == ["plain", "j1", "j2", "crlf"]  # one line per document, input order
    assert [a.published for a in articles] == ["2026-01", "2025-12-30", "2026-01", "2026-01"]
    assert counts["failed"] == 2
    assert not (tmp_path / store.DEFAULT_STORE).exists()


@pytest.fixture(scope="module")
def article_folder(tmp_path_factory):
    """Twelve short articles: the first and last third of each seed, and two JSONL lines."""
    from conftest import SEEDS, read_raw

    folder = tmp_path_factory.mktemp("articles")
    for path in sorted(SEEDS.glob("*.txt")):
        raw = read_raw(path)
        for suffix, text in (("_a", raw[: len(raw) // 3]), ("_b", raw[-len(raw) // 3:])):
            (folder / f"{path.stem}{suffix}.txt").write_text(text, encoding="utf-8", newline="")
    (folder / "more.jsonl").write_text(
        "\n".join(json.dumps({"id": f"q{i}", "text": read_raw(p)[len(read_raw(p)) // 3: len(read_raw(p)) // 2]}, ensure_ascii=False)
                  for i, p in enumerate(sorted(SEEDS.glob("*.txt"))[:2])) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def baseline_store(tmp_path_factory, article_folder):
    """The store of one uninterrupted run in this process."""
    db = tmp_path_factory.mktemp("baseline") / "s.duckdb"
    counts = run_extract([article_folder], store_path=db, published="2026-01")
    assert counts["processed"] == 12 and counts["failed"] == 0
    return db


def test_killed_run_resumed_equals_an_uninterrupted_run(tmp_path, article_folder, baseline_store):
    db = tmp_path / "s.duckdb"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(article_folder), "--store", str(db),
               "--published", "2026-01", "--commit-every", "2"] + (["--config", CONFIG] if CONFIG else [])
    killed = subprocess.run(command, cwd=ROOT, env={**os.environ, batch.KILL_AFTER_ENV: "5"},
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    partial = store_contents(db)
    assert len(partial["documents"]) == 4  # two committed batches; the fifth document was lost with the process
    assert store.read_table(db, "runs")["status"].tolist() == ["running"]

    resumed = run_extract([article_folder], store_path=db, published="2026-01", commit_every=2)
    assert (resumed["processed"], resumed["skipped"]) == (8, 4)
    assert store_contents(db) == store_contents(baseline_store)


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_parallel_engines_give_the_single_worker_output(tmp_path, article_folder, baseline_store, engine):
    db = tmp_path / "s.duckdb"
    counts = run_extract([article_folder], store_path=db, published="2026-01", workers=2, engine=engine,
                         chunk_docs=2)
    assert counts["processed"] == 12 and counts["failed"] == 0
    assert store_contents(db) == store_contents(baseline_store)
    assert store.read_table(db, "runs")["engine"].tolist() == [engine]


def test_progress_without_a_terminal_logs_plain_lines_and_a_summary():
    import io

    stream = io.StringIO()
    progress = batch.Progress(stream=stream, tty=False, interval=0)
    progress.update(processed=2, chars=3000)
    progress.update(skipped=1)
    progress.update(failed=1)
    summary = progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in stream.getvalue()
    assert summary.startswith("done: processed 2, unchanged 1, failed 1;") and "chars/s" in summary and "docs/s" in summary


def test_bench_cuts_a_conll_corpus_into_articles(tmp_path):
    from pipeline import bench

    corpus = tmp_path / "ner.txt"
    sentences = ["杭州市新增充电桩", "上海市发布数据", "北京市召开会议"]
    corpus.write_text("\n\n".join("\n".join(f"{ch}\tO" for ch in s) for s in sentences) + "\n", encoding="utf-8")
    articles, origin = bench.load_corpus(str(corpus), sentences_per_article=2)
    assert articles == ["杭州市新增充电桩\n上海市发布数据", "北京市召开会议"]
    assert bench.limit_articles(articles, 5) == articles[:1]
    table = bench.format_runs([{"workers": 1, "seconds": 2.0, "chars": 400_000, "failed": 0, "peak_rss_mb": 300.0},
                               {"workers": 2, "seconds": 1.0, "chars": 400_000, "failed": 0, "peak_rss_mb": None}],
                              jieba_seconds=1.0, chars=400_000)
    assert "| 1 | 2.0 | 200k | 200k | 0.50 | 1.00x | 300 MB | 0 |" in table
    assert "| 2 | 1.0 | 400k | 200k | 0.50 | 2.00x | ? | 0 |" in table
