"""``zhclaims bench``: time the whole pipeline on a corpus, with ``jieba.lcut`` as a yardstick.

The corpus is cut into articles; each ``--workers`` value runs them through the same engine as
``zhclaims extract`` (worker processes, each loading the pipeline once; Article JSON and
store rows built in the workers; the driver writing a throw-away DuckDB store). Reported per
run: characters per second per worker, peak RSS per worker (``VmHWM``), and the speed-up over
the first ``--workers`` value. ``jieba.lcut`` over the same articles in one process gives the
yardstick ratio. ``--profile-stages`` times every stage in this process instead (plus Doc
creation, Article building and row flattening), to show where the time goes.

Corpus formats: a CoNLL-style file (``char<TAB>tag`` lines, blank line between sentences —
MSRA NER; ``--sentences-per-article`` sentences make one article), a JSONL file (``text``
field), a folder of ``*.txt`` articles, or a plain text file (one article per blank-line
separated block).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

from .resources import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "msra_ner" / "train.txt"
SEEDS_DIR = PROJECT_ROOT / "seeds"
SEED_REPEAT_CHARS = 1_000_000


def conll_articles(path: Path, sentences_per_article: int) -> Iterator[str]:
    """Yield articles from a ``char<TAB>tag`` file: the first column joined per sentence, sentences joined by newlines."""
    sentences: list[str] = []
    chars: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            token = line.rstrip("\n").split("\t")[0].split(" ")[0]
            if token:
                chars.append(token)
                continue
            if chars:
                sentences.append("".join(chars))
                chars = []
            if len(sentences) >= sentences_per_article:
                yield "\n".join(sentences)
                sentences = []
    if chars:
        sentences.append("".join(chars))
    if sentences:
        yield "\n".join(sentences)


def _is_conll(path: Path) -> bool:
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = [line.rstrip("\n") for _, line in zip(range(50), handle)]
    tagged = [line for line in lines if line]
    return bool(tagged) and all(len(line.split("\t")) == 2 and len(line.split("\t")[0]) == 1 for line in tagged)


def load_corpus(corpus: Optional[str], sentences_per_article: int = 40) -> tuple[list[str], str]:
    """Return the benchmark articles and a description of where they came from.

    Args:
        corpus: a corpus path (see the module doc), or None for the default MSRA NER train text,
            or the seeds repeated to about a million characters when that is absent.
        sentences_per_article: sentences per article for a CoNLL-style corpus.
    """
    if corpus is None:
        if DEFAULT_CORPUS.exists():
            corpus = str(DEFAULT_CORPUS)
        else:
            seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
            if not seeds:
                raise FileNotFoundError(f"no corpus given, and neither {DEFAULT_CORPUS} nor {SEEDS_DIR} exists")
            repeat = max(1, SEED_REPEAT_CHARS // sum(map(len, seeds)))
            return seeds * repeat, f"seeds/*.txt x{repeat}"
    path = Path(corpus)
    if path.is_dir():
        return [p.read_text(encoding="utf-8") for p in sorted(path.rglob("*.txt"))], str(path)
    if path.suffix in (".jsonl", ".ndjson"):
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line)["text"] for line in handle if line.strip()], str(path)
    if _is_conll(path):
        return list(conll_articles(path, sentences_per_article)), f"{path} ({sentences_per_article} sentences/article)"
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    return [block for block in blocks if block.strip()], str(path)


def limit_articles(articles: list[str], limit_chars: Optional[int]) -> list[str]:
    """Return the leading articles holding about ``limit_chars`` characters (all when None)."""
    if not limit_chars:
        return articles
    kept, total = [], 0
    for article in articles:
        if total >= limit_chars:
            break
        kept.append(article)
        total += len(article)
    return kept


def time_jieba(articles: list[str]) -> float:
    """Return the seconds ``jieba.lcut`` takes over ``articles`` (dictionary loading excluded)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    for article in articles:
        jieba.lcut(article)
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> Optional[float]:
    """Return the peak resident set size (``VmHWM``) of process ``pid`` in MB, or None when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _sources(articles: list[str]):
    from .readers import input_hash
    from .readers import SourceDocument
    from .schema import InputDocument

    for i, text in enumerate(articles):
        document = InputDocument(id=f"bench{i:06d}", text=text, published="2026-01", source="bench")
        yield SourceDocument(document, "bench", i + 1, "utf-8", input_hash(document))


def run_workers(articles: list[str], workers: int, config: Optional[str] = None, store: bool = True) -> dict:
    """Run ``articles`` through ``workers`` worker processes (as ``extract --workers`` does).

    Returns:
        ``seconds`` (wall time after every worker has loaded the pipeline), ``chars``, ``failed``
        and ``peak_rss_mb`` (the largest worker's).
    """
    from .batch import CHUNK_CHARS, CHUNK_DOCS, COMMIT_EVERY, ProcessEngine, chunked, ordered_map
    from .store import Store

    engine = ProcessEngine(workers, config)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        writer = Store(Path(tmp) / "bench.duckdb") if store else None
        try:
            # One task per worker first, so start-up is outside the timing.
            for wait in [engine.pool.submit(time.sleep, 0.5) for _ in range(workers)]:
                wait.result()
            engine.version()
            started = time.perf_counter()
            batch, run_id = [], 1
            for results in ordered_map(engine, chunked(_sources(articles), CHUNK_DOCS, CHUNK_CHARS), window=2 * workers + 1):
                for result in results:
                    if hasattr(result, "article_json"):
                        batch.append(result)
                    else:
                        failed += 1
                if writer is not None and len(batch) >= COMMIT_EVERY:
                    writer.write(batch, [], run_id)
                    batch = []
            if writer is not None:
                writer.write(batch, [], run_id)
            seconds = time.perf_counter() - started
            peaks = [peak_rss_mb(pid) for pid in engine.worker_pids()]
        finally:
            engine.close()
            if writer is not None:
                writer.close()
    return {"workers": workers, "seconds": seconds, "chars": sum(map(len, articles)), "failed": failed,
            "peak_rss_mb": max((p for p in peaks if p is not None), default=None)}


def profile_stages(articles: list[str], config: Optional[str] = None) -> list[tuple[str, float]]:
    """Time each part of the per-document work in this process (after three untimed warm-up articles).

    Returns:
        ``(part, seconds)`` in pipeline order: ``make_doc``, every stage, ``doc_to_article``,
        ``article_json`` (serialization) and ``store_rows`` (flattening for the store).
    """
    from .api import Pipeline
    from .output import doc_to_article
    from .schema import InputDocument
    from .store import article_rows

    pipeline = Pipeline.load(config)
    version = pipeline.version
    for text in articles[:3]:  # untimed: lazy one-time loads (gazetteers, models) happen here
        pipeline(text)
    totals = {"make_doc": 0.0, **{name: 0.0 for name in pipeline.stage_names},
              "doc_to_article": 0.0, "article_json": 0.0, "store_rows": 0.0}
    clock = time.perf_counter
    for i, text in enumerate(articles):
        t0 = clock()
        doc = pipeline.make_doc(InputDocument(id=f"bench{i}", text=text, published="2026-01"))
        t1 = clock()
        totals["make_doc"] += t1 - t0
        for name, component in pipeline.nlp.pipeline:
            doc = component(doc)
            t2 = clock()
            totals[name] += t2 - t1
            t1 = t2
        article = doc_to_article(doc, version)
        t2 = clock()
        article.model_dump_json()
        t3 = clock()
        article_rows(article)
        t4 = clock()
        totals["doc_to_article"] += t2 - t1
        totals["article_json"] += t3 - t2
        totals["store_rows"] += t4 - t3
    return list(totals.items())


def format_profile(parts: list[tuple[str, float]], chars: int) -> str:
    """Render the per-part timing as a Markdown table."""
    total = sum(seconds for _, seconds in parts) or 1e-9
    lines = ["| part | seconds | share | chars/s if alone |", "|---|---:|---:|---:|"]
    for name, seconds in parts:
        alone = f"{chars / seconds / 1000:,.0f}k" if seconds > 0 else "-"
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.0%} | {alone} |")
    lines.append(f"| **total** | {total:.2f} | 100% | {chars / total / 1000:,.0f}k |")
    return "\n".join(lines)


def format_runs(runs: list[dict], jieba_seconds: float, chars: int) -> str:
    """Render the benchmark runs as a Markdown table (speed per worker, RSS, ratio to jieba, speed-up)."""
    jieba_rate = chars / jieba_seconds
    base = runs[0]["chars"] / runs[0]["seconds"]
    lines = ["| workers | wall s | chars/s total | chars/s per worker | ratio to jieba.lcut | speed-up | peak RSS/worker | failed |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        rate = run["chars"] / run["seconds"]
        per_worker = rate / run["workers"]
        rss = f"{run['peak_rss_mb']:.0f} MB" if run["peak_rss_mb"] is not None else "?"
        lines.append(f"| {run['workers']} | {run['seconds']:.1f} | {rate / 1000:,.0f}k | {per_worker / 1000:,.0f}k | "
                     f"{per_worker / jieba_rate:.2f} | {rate / base:.2f}x | {rss} | {run['failed']} |")
    lines.append(f"| jieba.lcut (1 process) | {jieba_seconds:.1f} | {jieba_rate / 1000:,.0f}k | | 1.00 | | | |")
    return "\n".join(lines)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[0]
    parser.add_argument("corpus", nargs="?", help=f"corpus (default: {DEFAULT_CORPUS}, else the seeds repeated)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], metavar="N",
                        help="worker counts to run, e.g. --workers 1 2 (speed-up is relative to the first)")
    parser.add_argument("--limit-chars", type=int, metavar="N", help="use only the first N characters' articles")
    parser.add_argument("--sentences-per-article", type=int, default=40, metavar="N",
                        help="sentences per article for a CoNLL-style corpus (default 40, about 2,000 characters)")
    parser.add_argument("--profile-stages", action="store_true",
                        help="time each stage in this process instead of the worker runs")
    parser.add_argument("--no-store", action="store_true", help="do not write results to a throw-away store")
    parser.add_argument("--config", help="pipeline config file (default: pipeline/default.cfg)")


def run(args: argparse.Namespace) -> int:
    try:
        articles, origin = load_corpus(args.corpus, args.sentences_per_article)
    except (OSError, ValueError, KeyError) as err:
        print(f"zhclaims bench: cannot read the corpus: {err}", file=sys.stderr)
        return 2
    articles = limit_articles(articles, args.limit_chars)
    chars = sum(map(len, articles))
    print(f"corpus: {origin}: {len(articles):,} articles, {chars:,} characters; {os.cpu_count()} CPUs", flush=True)
    if args.profile_stages:
        print(format_profile(profile_stages(articles, args.config), chars))
        return 0
    jieba_seconds = time_jieba(articles)
    runs = []
    for workers in args.workers:
        runs.append(run_workers(articles, workers, args.config, store=not args.no_store))
        print(f"  {workers} worker(s): {runs[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    print(format_runs(runs, jieba_seconds, chars))
    return 1 if any(run["failed"] for run in runs) else 0
