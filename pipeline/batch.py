"""``zhclaims extract``: run the pipeline over many articles into the store (or ``-o`` JSONL).

Inputs are read by :mod:`pipeline.readers` (files, folders, globs, JSONL, stdin); documents
whose id, text, metadata and pipeline version are already in the store are skipped. The rest go
in chunks to an *engine* — in this process (``--workers 1``), a pool of processes
(``--workers N``) or a Dask cluster (``--engine dask``) — and come back in input order. Each
worker process loads the pipeline once. Only this (driver) process writes the store, one
transaction per batch of ``--commit-every`` documents.

Exit status: 0 all inputs processed or unchanged; 1 some inputs or documents failed (see the
``errors`` table or the messages); 2 bad command line; 3 the store, pipeline or cluster could not
be used at all.
"""

from __future__ import annotations

import argparse
import collections
from concurrent.futures.process import BrokenProcessPool
import os
import signal
import sys
import threading
import time
from typing import Callable, Iterable, Iterator, Optional, Union

from .readers import DEFAULT_MAX_CHARS, InputError, SourceDocument, iter_inputs, normalize_published
from .store import DEFAULT_STORE, DocumentResult, ErrorRecord, StoreError

EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE, EXIT_FATAL = 0, 1, 2, 3
#: Test hook: the driver kills itself with SIGKILL after this many documents came back.
KILL_AFTER_ENV = "ZHCLAIMS_KILL_AFTER_DOCS"
COMMIT_EVERY = 256  # documents per store transaction (what a killed run may have to redo)
CHUNK_DOCS, CHUNK_CHARS = 16, 200_000  # one worker task: at most this many documents and characters

WorkerResult = Union[DocumentResult, ErrorRecord]

# ---------------------------------------------------------------- worker side

_PIPELINES: dict = {}
_PIPELINE_LOCK = threading.Lock()


class PipelineLoadError(RuntimeError):
    """The pipeline could not be built (in this process or on a worker)."""


def worker_pipeline(config: Optional[str] = None):
    """Return this process's pipeline for ``config`` (None: the default), loading it once per process."""
    if config not in _PIPELINES:
        with _PIPELINE_LOCK:
            if config not in _PIPELINES:
                from .api import Pipeline

                try:
                    _PIPELINES[config] = Pipeline.load(config)
                except Exception as err:
                    raise PipelineLoadError(
                        f"cannot build the pipeline ({type(err).__name__}: {err}); check the stage named "
                        f"in the message, or pass another --config"
                    ) from err
    return _PIPELINES[config]


def init_worker(config: Optional[str] = None) -> None:
    """Process-pool initializer: one thread per worker for numeric libraries, then load the pipeline."""
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        worker_pipeline(config)
    except PipelineLoadError:
        pass  # reported to the driver by pipeline_version()


def pipeline_version(config: Optional[str] = None) -> str:
    """Return the version string of the pipeline loaded in this process."""
    return worker_pipeline(config).version


def process_document(pipeline, source: SourceDocument, version: Optional[str] = None) -> WorkerResult:
    """Run the pipeline on one document; a stage's exception becomes an :class:`ErrorRecord`.

    Args:
        pipeline: a loaded :class:`~pipeline.api.Pipeline`.
        source: the document and where it came from.
        version: ``pipeline.version``, when the caller has it (it is rebuilt from every stage on each read).

    Returns:
        The rows to store, or the error.
    """
    from .output import doc_to_article
    from .store import article_rows

    try:
        doc = pipeline.process(source.document)
        article = doc_to_article(doc, version or pipeline.version)
        article_json = article.model_dump_json()
        rows = article_rows(article)
    except Exception as err:  # a failing stage must not stop the batch
        return ErrorRecord(source.path, source.line, f"pipeline failed: {type(err).__name__}: {err}", source.doc_id)
    return DocumentResult(
        doc_id=article.doc_id, path=source.path, line=source.line, encoding=source.encoding,
        input_hash=source.input_hash, text=source.document.text, article_json=article_json,
        pipeline_version=article.pipeline_version or "", source=article.source, text_sha256=article.text_sha256,
        published=article.published, published_source=article.published_source, rows=rows,
    )


def process_chunk(chunk: list[SourceDocument], config: Optional[str] = None) -> list[WorkerResult]:
    """Process a chunk of documents with this process's pipeline (the unit of work sent to workers)."""
    pipeline = worker_pipeline(config)
    version = pipeline.version
    return [process_document(pipeline, source, version) for source in chunk]


# ---------------------------------------------------------------- engines


class InlineEngine:
    """Run the pipeline in this process."""

    name = "inline"
    workers = 1

    def __init__(self, config: Optional[str] = None):
        self.config = config

    def version(self) -> str:
        return pipeline_version(self.config)

    def submit(self, chunk: list[SourceDocument]) -> Callable[[], list[WorkerResult]]:
        return lambda: process_chunk(chunk, self.config)

    def close(self) -> None:
        pass


class ProcessEngine:
    """Run the pipeline in ``workers`` processes (forked from a fork server), each loading it once.

    A worker that dies (out of memory, a crash in native code) makes the run stop with
    :class:`~concurrent.futures.process.BrokenProcessPool` instead of hanging; what was committed
    stays, and re-running resumes.
    """

    name = "processes"

    def __init__(self, workers: int, config: Optional[str] = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.config = config
        # A fork server imports spaCy and the stages once; workers fork from it (a clean,
        # single-threaded parent), so N workers do not each pay the imports.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipeline.api", "pipeline.batch"])
        self.pool = ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=(config,))

    def version(self) -> str:
        return self.pool.submit(pipeline_version, self.config).result()

    def submit(self, chunk: list[SourceDocument]) -> Callable[[], list[WorkerResult]]:
        return self.pool.submit(process_chunk, chunk, self.config).result

    def worker_pids(self) -> list[int]:
        """The process ids of the workers started so far."""
        return sorted(getattr(self.pool, "_processes", None) or {})

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Run the pipeline on a Dask distributed cluster (a LocalCluster when no scheduler is given).

    Every Dask worker process needs zhclaims installed (same version); it loads the pipeline on
    its first chunk and keeps it (:func:`worker_pipeline`).
    """

    name = "dask"

    def __init__(self, scheduler: Optional[str], workers: int, config: Optional[str] = None):
        from dask.distributed import Client, LocalCluster

        self.config = config
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0")
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def version(self) -> str:
        return self.client.submit(pipeline_version, self.config, pure=False).result()

    def submit(self, chunk: list[SourceDocument]) -> Callable[[], list[WorkerResult]]:
        return self.client.submit(process_chunk, chunk, self.config, pure=False).result

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(engine: str, workers: int, scheduler: Optional[str] = None, config: Optional[str] = None):
    """Return the engine named by ``--engine`` / ``--workers`` / ``--scheduler``; ``config`` is the pipeline config."""
    if engine == "dask":
        return DaskEngine(scheduler, workers, config)
    if workers > 1:
        return ProcessEngine(workers, config)
    return InlineEngine(config)


def ordered_map(engine, chunks: Iterable[list[SourceDocument]], window: int) -> Iterator[list[WorkerResult]]:
    """Send ``chunks`` to ``engine`` keeping at most ``window`` in flight; yield results in input order."""
    pending: collections.deque = collections.deque()
    for chunk in chunks:
        pending.append(engine.submit(chunk))
        if len(pending) >= window:
            yield pending.popleft()()
    while pending:
        yield pending.popleft()()


def chunked(items: Iterable[SourceDocument], max_docs: int, max_chars: int) -> Iterator[list[SourceDocument]]:
    """Group documents into chunks of at most ``max_docs`` documents or about ``max_chars`` characters."""
    chunk, size = [], 0
    for item in items:
        chunk.append(item)
        size += len(item.document.text)
        if len(chunk) >= max_docs or size >= max_chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# ---------------------------------------------------------------- progress


class Progress:
    """A tqdm bar with documents/s and characters/s on a terminal, plain log lines every ``interval`` s otherwise."""

    def __init__(self, stream=None, interval: float = 10.0, tty: Optional[bool] = None):
        self.stream = stream or sys.stderr
        self.interval = interval
        self.started = self.last_log = time.monotonic()
        self.processed = self.skipped = self.failed = self.chars = 0
        self.bar = None
        if self.stream.isatty() if tty is None else tty:
            from tqdm import tqdm

            self.bar = tqdm(file=self.stream, unit="doc", dynamic_ncols=True, desc="extract")

    def start(self) -> None:
        """Restart the clock (after start-up, so rates count processing only)."""
        self.started = self.last_log = time.monotonic()

    def update(self, processed: int = 0, skipped: int = 0, failed: int = 0, chars: int = 0) -> None:
        self.processed += processed
        self.skipped += skipped
        self.failed += failed
        self.chars += chars
        now = time.monotonic()
        if self.bar is not None:
            self.bar.update(processed + skipped + failed)
            self.bar.set_postfix_str(f"{self.chars / max(now - self.started, 1e-9) / 1000:.0f}k chars/s, "
                                     f"{self.skipped} unchanged, {self.failed} failed", refresh=False)
        elif now - self.last_log >= self.interval:
            self.last_log = now
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (f"processed {self.processed}, unchanged {self.skipped}, failed {self.failed}; "
                f"{self.processed / elapsed:.1f} docs/s, {self.chars / elapsed / 1000:.0f}k chars/s, {elapsed:.1f} s")

    def close(self) -> str:
        if self.bar is not None:
            self.bar.close()
        summary = "done: " + self.line()
        print(summary, file=self.stream, flush=True)
        return summary


# ---------------------------------------------------------------- driver


class BatchWriter:
    """Collect results in input order and write them to the store (batched transactions) and/or JSONL."""

    def __init__(self, store, run_id: Optional[int], output, commit_every: int, progress: Progress,
                 version: str, error_stream=None):
        self.store, self.run_id, self.output = store, run_id, output
        self.commit_every = commit_every
        self.progress = progress
        self.version = version
        self.error_stream = error_stream or sys.stderr
        self.results: list[DocumentResult] = []
        self.errors: list[ErrorRecord] = []
        self.kill_after = int(os.environ.get(KILL_AFTER_ENV, "0") or 0)
        self.returned = 0

    def add_error(self, error: ErrorRecord) -> None:
        where = error.source if error.line is None else f"{error.source}:{error.line}"
        print(f"error: {where}: {error.reason}", file=self.error_stream)
        self.errors.append(error)
        self.progress.update(failed=1)
        self._maybe_flush()

    def add(self, result: WorkerResult) -> None:
        if isinstance(result, ErrorRecord):
            self.add_error(result)
            return
        if result.pipeline_version != self.version:
            self.add_error(ErrorRecord(result.path, result.line, f"worker runs pipeline {result.pipeline_version}, "
                                       f"the run {self.version}: install the same zhclaims on every worker",
                                       result.doc_id))
            return
        if self.output is not None:
            self.output.write(result.article_json + "\n")
        self.results.append(result)
        self.progress.update(processed=1, chars=len(result.text))
        self.returned += 1
        if self.kill_after and self.returned >= self.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.results) + len(self.errors) >= self.commit_every:
            self.flush()

    def flush(self) -> None:
        if self.store is not None:
            self.store.write(self.results, self.errors, self.run_id)
        self.results, self.errors = [], []


def documents_to_process(items: Iterable[Union[SourceDocument, InputError]], known: dict[str, tuple[str, str]],
                         version: str, writer: BatchWriter) -> Iterator[SourceDocument]:
    """Yield the documents that need processing; report input errors, duplicates and unchanged documents.

    Args:
        items: what :func:`pipeline.readers.iter_inputs` yields.
        known: ``{doc_id: (input_hash, pipeline_version)}`` already in the store.
        version: the pipeline version of this run.
        writer: receives errors and counts skips.
    """
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, InputError):
            writer.add_error(ErrorRecord(item.source, item.line, item.reason))
            continue
        if item.doc_id in seen:
            writer.add_error(ErrorRecord(item.path, item.line, f"duplicate document id {item.doc_id!r}, already read "
                                         f"from {seen[item.doc_id]}: give each article its own id", item.doc_id))
            continue
        seen[item.doc_id] = item.origin
        if known.get(item.doc_id) == (item.input_hash, version):
            writer.progress.update(skipped=1)
            continue
        yield item


def extract(paths: list[str], *, store_path: Optional[str] = DEFAULT_STORE, output: Optional[str] = None,
            published: Optional[str] = None, workers: int = 1, engine: str = "processes",
            scheduler: Optional[str] = None, commit_every: int = COMMIT_EVERY, chunk_docs: int = CHUNK_DOCS,
            chunk_chars: int = CHUNK_CHARS, max_chars: int = DEFAULT_MAX_CHARS, force: bool = False,
            config: Optional[str] = None, progress: Optional[Progress] = None, stdin=None) -> dict:
    """Run the pipeline over ``paths`` into the store and/or a JSONL file.

    Args:
        paths: files, folders, globs or ``-`` (JSONL on stdin).
        store_path: the DuckDB store, or None for none.
        output: a JSONL file to write every processed Article to (input order), or None.
        published: publication date for inputs without one.
        workers: worker processes (or LocalCluster workers with ``engine="dask"``).
        engine: ``processes`` or ``dask``.
        scheduler: a Dask scheduler address; None starts a LocalCluster.
        commit_every: documents/errors per store transaction.
        chunk_docs: documents per unit of work sent to a worker.
        chunk_chars: characters per unit of work (whichever limit comes first).
        max_chars: the longest article accepted.
        force: reprocess documents even when unchanged.
        config: the pipeline config file (None: ``pipeline/default.cfg``).
        progress: where progress goes (default: stderr, bar on a TTY).
        stdin: the stream ``-`` reads.

    Returns:
        Counts: ``processed``, ``skipped``, ``failed``, ``chars``, and ``run_id``.
    """
    from .store import Store

    progress = progress or Progress()
    store = Store(store_path) if store_path else None
    runner = writer = out = run_id = None
    status = "failed"
    try:
        runner = make_engine(engine, workers, scheduler, config)
        version = runner.version()
        progress.start()  # rates count processing, not start-up
        known = store.known_documents() if store is not None and not force else {}
        if store is not None:
            run_id = store.start_run(version, runner.name, runner.workers, list(paths))
        out = open(output, "w", encoding="utf-8") if output else None
        writer = BatchWriter(store, run_id, out, commit_every, progress, version)
        todo = documents_to_process(iter_inputs(paths, published, max_chars, stdin=stdin), known, version, writer)
        for results in ordered_map(runner, chunked(todo, chunk_docs, chunk_chars), window=2 * runner.workers + 1):
            for result in results:
                writer.add(result)
        writer.flush()
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if writer is not None and status != "finished":
            try:  # keep the documents already done when a worker dies or on Ctrl-C
                writer.flush()
            except Exception as err:
                print(f"zhclaims extract: could not save the last batch ({err}); re-run to redo it", file=sys.stderr)
        if out is not None:
            out.close()
        if runner is not None:
            runner.close()
        progress.close()
        if store is not None:
            if run_id is not None:
                store.finish_run(run_id, progress.processed, progress.skipped, progress.failed, progress.chars, status)
            store.close()
    return {"processed": progress.processed, "skipped": progress.skipped, "failed": progress.failed,
            "chars": progress.chars, "run_id": run_id}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[0]
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, folders (recursive: *.txt, *.text, *.jsonl, *.ndjson), globs, or - for JSONL on stdin")
    parser.add_argument("-o", "--output", metavar="OUT.jsonl",
                        help="also write every processed Article as one JSON line here; without --store, only here")
    parser.add_argument("--store", help=f"the DuckDB store (default: {DEFAULT_STORE}, or none with -o)")
    parser.add_argument("--published", metavar="DATE", help="publication date (YYYY[-MM[-DD]]) for inputs without one")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1: in this process)")
    parser.add_argument("--engine", choices=("processes", "dask"), default="processes")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786 (default: a LocalCluster)")
    parser.add_argument("--commit-every", type=int, default=COMMIT_EVERY, metavar="N", help="documents per store transaction")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, metavar="N", help="longest article accepted")
    parser.add_argument("--force", action="store_true", help="reprocess documents even when unchanged")
    parser.add_argument("--config", help="pipeline config file (default: pipeline/default.cfg)")


def run(args: argparse.Namespace) -> int:
    try:
        published = normalize_published(args.published)
    except ValueError as err:
        print(f"zhclaims extract: {err}", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1 or args.commit_every < 1:
        print("zhclaims extract: --workers and --commit-every must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    store_path = args.store or (None if args.output else DEFAULT_STORE)
    try:
        counts = extract(args.paths, store_path=store_path, output=args.output, published=published,
                         workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                         commit_every=args.commit_every, max_chars=args.max_chars, force=args.force,
                         config=args.config)
    except (StoreError, PipelineLoadError, OSError) as err:
        print(f"zhclaims extract: {err}", file=sys.stderr)
        return EXIT_FATAL
    except BrokenProcessPool:
        print("zhclaims extract: a worker process died (out of memory?). Committed results are kept: "
              "re-run the same command to resume, with fewer --workers or a smaller --max-chars.", file=sys.stderr)
        return EXIT_FATAL
    return EXIT_FAILED_INPUTS if counts["failed"] else EXIT_OK
