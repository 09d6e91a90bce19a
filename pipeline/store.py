"""The results store: an embedded DuckDB database, and ``zhclaims export``.

Tables (one row per item, flat columns, provenance spread into ``prov_*`` columns):

=============  ==========================================================================
documents      one row per document: id, origin, encoding, input hash, raw text, the full
               Article JSON (``article_json``, so export is lossless), pipeline version, run
sentences      entities, quantities, times, claims, relations: the Article's lists; every row
entities       has ``doc_id`` and ``ord`` (its position in the Article's list); the other
quantities     columns are the fields of :mod:`pipeline.schema`'s models (lists as DuckDB
times          lists, ``parts`` as JSON text)
claims
relations
errors         the inputs that currently fail: source file, line (JSONL), doc_id, reason
runs           one row per ``zhclaims extract``: version, engine, counts, status
               (``running`` when a run was killed)
meta           ``store_format``
=============  ==========================================================================

Documents are keyed by ``doc_id``; ``input_hash`` (text + metadata) and ``pipeline_version``
decide whether a re-run must process a document again. Each :meth:`Store.write` is one
transaction, so a killed run loses at most its uncommitted batch and duplicates nothing.
An error row is replaced when the same input fails again and deleted when it succeeds.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Iterator, NamedTuple, Optional

from pydantic import BaseModel

from .schema import Article, Claim, Entity, Provenance, Quantity, Relation, Sentence, TimeExpression

STORE_FORMAT = "1"
DEFAULT_STORE = "zhclaims.duckdb"
CHECKPOINT_EVERY = "128MB"  # of write-ahead log between checkpoints (DuckDB's checkpoint_threshold)

#: Item tables: table name -> (Article field, item model).
ITEM_TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "sentences": ("sentences", Sentence),
    "entities": ("entities", Entity),
    "quantities": ("quantities", Quantity),
    "times": ("times", TimeExpression),
    "claims": ("claims", Claim),
    "relations": ("relations", Relation),
}
PROVENANCE_COLUMNS = (("prov_sentence", "BIGINT"), ("prov_producer", "VARCHAR"),
                      ("prov_version", "VARCHAR"), ("prov_confidence", "DOUBLE"))
DOCUMENT_COLUMNS = (
    ("doc_id", "VARCHAR"), ("origin", "VARCHAR"), ("source", "VARCHAR"), ("encoding", "VARCHAR"),
    ("input_hash", "VARCHAR"), ("text_sha256", "VARCHAR"), ("chars", "BIGINT"),
    ("published", "VARCHAR"), ("published_source", "VARCHAR"), ("pipeline_version", "VARCHAR"),
    ("run_id", "BIGINT"), ("processed_at", "TIMESTAMP"), ("text", "VARCHAR"), ("article_json", "VARCHAR"),
)
ERROR_COLUMNS = (("source", "VARCHAR"), ("line", "BIGINT"), ("doc_id", "VARCHAR"), ("reason", "VARCHAR"),
                 ("run_id", "BIGINT"), ("at", "TIMESTAMP"))
RUN_COLUMNS = (
    ("run_id", "BIGINT"), ("started_at", "TIMESTAMP"), ("finished_at", "TIMESTAMP"), ("status", "VARCHAR"),
    ("pipeline_version", "VARCHAR"), ("engine", "VARCHAR"), ("workers", "BIGINT"), ("inputs", "VARCHAR"),
    ("processed", "BIGINT"), ("skipped", "BIGINT"), ("failed", "BIGINT"), ("chars", "BIGINT"),
)
#: ORDER BY of each table, so every read and export is deterministic.
TABLE_ORDER = {"documents": "doc_id", "errors": "source, line NULLS FIRST", "runs": "run_id",
               **{name: "doc_id, ord" for name in ITEM_TABLES}}
TABLES = tuple(TABLE_ORDER)


class StoreError(RuntimeError):
    """The store cannot be opened or used as asked."""


def _sql_type(annotation) -> str:
    """Map a pydantic field annotation to a DuckDB column type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _sql_type(inner[0])
    if origin is typing.Literal:
        return "VARCHAR"
    if origin is list:
        return _sql_type(typing.get_args(annotation)[0]) + "[]"
    if origin is dict:
        return "JSON_TEXT"
    return {str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN"}.get(annotation, "VARCHAR")


def item_columns(model: type[BaseModel]) -> list[tuple[str, str]]:
    """Return the flat ``(column, type)`` list of an item table, from its pydantic model.

    ``doc_id`` and ``ord`` come first; a ``provenance`` field becomes the ``prov_*`` columns;
    a dict field is stored as JSON text (type ``JSON_TEXT`` here, VARCHAR in DuckDB).
    """
    columns = [("doc_id", "VARCHAR"), ("ord", "BIGINT")]
    for name, info in model.model_fields.items():
        if name == "provenance":
            columns.extend(PROVENANCE_COLUMNS)
        else:
            columns.append((name, _sql_type(info.annotation)))
    return columns


def _ddl_type(sql_type: str) -> str:
    return "VARCHAR" if sql_type == "JSON_TEXT" else sql_type


ITEM_COLUMNS = {table: item_columns(model) for table, (_, model) in ITEM_TABLES.items()}
TABLE_COLUMNS = {"documents": list(DOCUMENT_COLUMNS), "errors": list(ERROR_COLUMNS), "runs": list(RUN_COLUMNS),
                 **ITEM_COLUMNS}


_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps(..., same options), built once


_JSON_TEXTS: dict[tuple, str] = {}  # JSON text of the dicts seen (``parts`` takes a few dozen values), by items
_JSON_TEXTS_MAX = 10_000


def _json_text(value: dict) -> str:
    """Return ``value`` (a dict of strings) as JSON text, from the cache when the same dict was seen."""
    key = tuple(value.items())
    text = _JSON_TEXTS.get(key)
    if text is None:
        text = _JSON_TEXT.encode(value)
        if len(_JSON_TEXTS) < _JSON_TEXTS_MAX:
            _JSON_TEXTS[key] = text
    return text


class _ColumnSource(NamedTuple):
    """Where one item-table column after ``doc_id`` and ``ord`` comes from (see :func:`article_rows`)."""

    read: itemgetter  # reads the value from the item's ``__dict__``, or from its provenance's
    provenance: bool  # a ``prov_*`` column: read from the item's provenance (None when it has none)
    json: bool  # a JSON_TEXT column: the field's value as JSON text (None stays None)


def _column_sources(columns: list[tuple[str, str]]) -> tuple[_ColumnSource, ...]:
    return tuple(_ColumnSource(itemgetter(name[5:]), True, False) if name.startswith("prov_")
                 else _ColumnSource(itemgetter(name), False, sql_type == "JSON_TEXT")
                 for name, sql_type in columns[2:])


_COLUMN_SOURCES = {table: _column_sources(columns) for table, columns in ITEM_COLUMNS.items()}
_NO_PROVENANCE = dict.fromkeys(Provenance.model_fields)  # what the prov_* columns read for an item without one


def _item_columns(doc_id: str, items: list[BaseModel], sources: tuple[_ColumnSource, ...]) -> list[list]:
    """Return the columns of ``items``' rows (``doc_id``, ``ord``, then one per source), one list per column."""
    values = [item.__dict__ for item in items]
    provenances = None
    columns = [[doc_id] * len(items), list(range(len(items)))]
    for source in sources:
        if source.provenance:
            if provenances is None:
                provenances = [p.__dict__ if p is not None else _NO_PROVENANCE
                               for p in map(itemgetter("provenance"), values)]
            column = list(map(source.read, provenances))
        else:
            column = list(map(source.read, values))
            if source.json:
                column = [_json_text(value) if value is not None else None for value in column]
        columns.append(column)
    return columns


def article_rows(article: Article) -> dict[str, list[list]]:
    """Return the item-table rows of one Article, column by column.

    Returns:
        ``{table: [column, ...]}`` with the columns in ``ITEM_COLUMNS[table]`` order, each a list
        holding one value per item (the Article's list order); tables without items are left out.
    """
    rows = {}
    for table, (attribute, _) in ITEM_TABLES.items():
        items = getattr(article, attribute)
        if items:
            rows[table] = _item_columns(article.doc_id, items, _COLUMN_SOURCES[table])
    return rows


@dataclass
class DocumentResult:
    """What a worker returns for one processed document: the store's rows, ready to insert (column by column)."""

    doc_id: str
    path: str
    line: Optional[int]
    encoding: str
    input_hash: str
    text: str
    article_json: str
    pipeline_version: str
    source: Optional[str] = None
    text_sha256: Optional[str] = None
    published: Optional[str] = None
    published_source: Optional[str] = None
    rows: dict[str, list[list]] = field(default_factory=dict)  # article_rows(): columns per item table

    @property
    def origin(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass
class ErrorRecord:
    """One failing input (see :class:`pipeline.readers.InputError`), or a document the pipeline failed on."""

    source: str
    line: Optional[int]
    reason: str
    doc_id: Optional[str] = None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@functools.lru_cache(maxsize=None)
def _arrow_type(sql_type: str):
    import pyarrow as pa

    if sql_type.endswith("[]"):
        return pa.list_(_arrow_type(sql_type[:-2]))
    return {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
            "TIMESTAMP": pa.timestamp("us"), "JSON_TEXT": pa.string()}[sql_type]


def _arrow_table(columns: list[tuple[str, str]], data: list[list]):
    """Build a pyarrow table of ``columns`` from ``data``, one list of values per column, with the columns' types."""
    import pyarrow as pa

    return pa.table({name: pa.array(values, type=_arrow_type(sql_type))
                     for (name, sql_type), values in zip(columns, data)})


def _columns(rows: list[tuple]) -> list[list]:
    """Return ``rows`` column by column."""
    return [list(column) for column in zip(*rows)]


def _concatenated(parts: list[list[list]]) -> Optional[list[list]]:
    """Join several documents' columns (:func:`article_rows` of one table) into one list per column."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return [list(chain.from_iterable(column)) for column in zip(*parts)]


class Store:
    """A DuckDB results store, opened for writing by one process (the batch driver).

    Args:
        path: the database file; created with its tables when missing.
    """

    def __init__(self, path: str | Path = DEFAULT_STORE):
        import duckdb

        self.path = str(path)
        try:
            # One thread: the batch driver writes while the worker processes use every core.
            # Checkpoints (compressing the logged rows into the file) were the writer's largest
            # cost: one every 128 MB of log (about 3,000 documents) instead of DuckDB's 16 MB
            # takes fewer of them (half the CPU of commits and checkpoints per document).
            self.con = duckdb.connect(self.path, config={"threads": 1, "checkpoint_threshold": CHECKPOINT_EVERY})
        except duckdb.Error as err:
            raise StoreError(
                f"cannot open the store {self.path}: {err}. Is another zhclaims run using it? "
                f"Wait for it to finish, or give another file with --store."
            ) from None
        self._create_tables()
        # Every batch goes through arrow, whose first conversion imports pandas (a second or so):
        # load them with the store, not in the first batch.
        _arrow_table([("doc_id", "VARCHAR")], [[]])
        # The stored doc_ids and the (source, line) of the stored errors: read once, then kept up to date.
        self._stored_ids: Optional[set[str]] = None
        self._error_keys: Optional[set[tuple[str, Optional[int]]]] = None

    def _create_tables(self) -> None:
        """Create missing tables, add columns new in schema.py, and check the store format."""
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")
        found = con.execute("SELECT value FROM meta WHERE key = 'store_format'").fetchone()
        if found is None:
            con.execute("INSERT INTO meta VALUES ('store_format', ?)", [STORE_FORMAT])
        elif found[0] != STORE_FORMAT:
            raise StoreError(f"{self.path} is a store of format {found[0]}, this zhclaims writes format "
                             f"{STORE_FORMAT}: export it with the older version or start a new --store.")
        for table, columns in TABLE_COLUMNS.items():
            ddl = ", ".join(f'"{name}" {_ddl_type(t)}' for name, t in columns)
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})")
            existing = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
            for name, t in columns:
                if name not in existing:
                    con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {_ddl_type(t)}')

    def known_documents(self) -> dict[str, tuple[str, str]]:
        """Return ``{doc_id: (input_hash, pipeline_version)}`` of every stored document."""
        rows = self.con.execute("SELECT doc_id, input_hash, pipeline_version FROM documents").fetchall()
        return {doc_id: (h, v) for doc_id, h, v in rows}

    def start_run(self, pipeline_version: str, engine: str, workers: int, inputs: list[str]) -> int:
        """Record the start of a run and return its id."""
        run_id = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
        self.con.execute(
            "INSERT INTO runs (run_id, started_at, status, pipeline_version, engine, workers, inputs) "
            "VALUES (?, ?, 'running', ?, ?, ?, ?)",
            [run_id, _now(), pipeline_version, engine, workers, json.dumps(inputs, ensure_ascii=False)],
        )
        return run_id

    def finish_run(self, run_id: int, processed: int, skipped: int, failed: int, chars: int,
                   status: str = "finished") -> None:
        """Record the end of a run and its counts."""
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, processed = ?, skipped = ?, failed = ?, chars = ? "
            "WHERE run_id = ?", [_now(), status, processed, skipped, failed, chars, run_id])

    def write(self, results: list[DocumentResult], errors: list[ErrorRecord], run_id: int) -> None:
        """Write a batch of documents and errors in one transaction.

        A document's earlier rows (any table) are replaced; an error row replaces the earlier
        error of the same input; an input that now succeeds loses its error row.
        """
        if not results and not errors:
            return
        now = _now()
        con = self.con
        document_rows = [
            (r.doc_id, r.origin, r.source, r.encoding, r.input_hash, r.text_sha256, len(r.text), r.published,
             r.published_source, r.pipeline_version, run_id, now, r.text, r.article_json)
            for r in results
        ]
        error_rows = [(e.source, e.line, e.doc_id, e.reason, run_id, now) for e in errors]
        if self._stored_ids is None or self._error_keys is None:
            self._stored_ids = {row[0] for row in con.execute("SELECT doc_id FROM documents").fetchall()}
            self._error_keys = set(con.execute("SELECT source, line FROM errors").fetchall())
        replaced = [r.doc_id for r in results if r.doc_id in self._stored_ids]
        cleared = {(r.path, r.line) for r in results} | {(e.source, e.line) for e in errors}
        cleared_errors = list(cleared & self._error_keys)
        con.execute("BEGIN TRANSACTION")
        try:
            # Only documents stored before have rows to remove, and only inputs that failed before
            # have an error row to remove: no DELETE (and no table scan) otherwise.
            if replaced:
                con.register("batch_ids", _arrow_table([("doc_id", "VARCHAR")], [replaced]))
                for table in ("documents",) + tuple(ITEM_TABLES):
                    con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM batch_ids)")
                con.unregister("batch_ids")
            if cleared_errors:
                con.register("batch_keys", _arrow_table([("source", "VARCHAR"), ("line", "BIGINT")],
                                                        _columns(cleared_errors)))
                con.execute("DELETE FROM errors USING batch_keys k "
                            "WHERE errors.source = k.source AND errors.line IS NOT DISTINCT FROM k.line")
                con.unregister("batch_keys")
            if results:
                self._insert("documents", _columns(document_rows))
                for table in ITEM_TABLES:
                    self._insert(table, _concatenated([r.rows[table] for r in results if table in r.rows]))
            if errors:
                self._insert("errors", _columns(error_rows))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            self._stored_ids = self._error_keys = None  # read again from the store next time
            raise
        self._stored_ids.update(r.doc_id for r in results)
        self._error_keys -= cleared
        self._error_keys.update((e.source, e.line) for e in errors)

    def _insert(self, table: str, columns: Optional[list[list]]) -> None:
        """Append rows given column by column (``TABLE_COLUMNS[table]`` order) to ``table``."""
        if not columns or not columns[0]:
            return
        self.con.register("batch_rows", _arrow_table(TABLE_COLUMNS[table], columns))
        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch_rows")
        self.con.unregister("batch_rows")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _connect_read_only(path: str | Path):
    import duckdb

    if not Path(path).exists():
        raise StoreError(f"no store at {path}: run 'zhclaims extract PATHS...' first, or give --store")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        raise StoreError(f"cannot read the store {path}: {err}. Is a zhclaims extract still writing it?") from None


def read_table(path: str | Path, name: str):
    """Return one table of the store as a pandas DataFrame, in a deterministic order.

    Args:
        path: the store file (``zhclaims.duckdb`` by default).
        name: one of ``documents, sentences, entities, quantities, times, claims, relations, errors, runs``.
    """
    if name not in TABLE_ORDER:
        raise ValueError(f"unknown table {name!r}; the store has {', '.join(TABLES)}")
    con = _connect_read_only(path)
    try:
        return con.execute(f"SELECT * FROM {name} ORDER BY {TABLE_ORDER[name]}").df()
    finally:
        con.close()


def articles(path: str | Path, batch: int = 256) -> Iterator[Article]:
    """Yield every stored :class:`~pipeline.schema.Article`, ordered by ``doc_id``."""
    for line in _article_json_lines(path, batch):
        yield Article.model_validate_json(line)


def _article_json_lines(path: str | Path, batch: int = 256) -> Iterator[str]:
    con = _connect_read_only(path)
    try:
        cursor = con.execute("SELECT article_json FROM documents ORDER BY doc_id")
        while rows := cursor.fetchmany(batch):
            for (line,) in rows:
                yield line
    finally:
        con.close()


def export_jsonl(path: str | Path, out) -> int:
    """Write every stored Article as one JSON line to the text stream ``out``; return the count."""
    count = 0
    for line in _article_json_lines(path):
        out.write(line + "\n")
        count += 1
    return count


def export_parquet(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write each table of the store to ``out_dir/<table>.parquet``; return the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = _connect_read_only(path)
    written = []
    try:
        for table in TABLES:
            target = out_dir / f"{table}.parquet"
            con.execute(f"COPY (SELECT * FROM {table} ORDER BY {TABLE_ORDER[table]}) TO '{target.as_posix()}' "
                        f"(FORMAT parquet)")
            written.append(target)
    finally:
        con.close()
    return written


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=DEFAULT_STORE, help=f"the store to read (default: {DEFAULT_STORE})")
    parser.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl",
                        help="jsonl: one Article per line (lossless); parquet: one file per table in a folder")
    parser.add_argument("-o", "--output",
                        help="jsonl: the file to write (default: standard output); parquet: the folder "
                             "(default: zhclaims-export)")


def run(args: argparse.Namespace) -> int:
    try:
        if args.format == "parquet":
            files = export_parquet(args.store, args.output or "zhclaims-export")
            print(f"wrote {len(files)} Parquet files to {Path(files[0]).parent}", file=sys.stderr)
        elif args.output in (None, "-"):
            count = export_jsonl(args.store, sys.stdout)
            print(f"wrote {count} articles", file=sys.stderr)
        else:
            with open(args.output, "w", encoding="utf-8") as out:
                count = export_jsonl(args.store, out)
            print(f"wrote {count} articles to {args.output}", file=sys.stderr)
    except StoreError as err:
        print(f"zhclaims export: {err}", file=sys.stderr)
        return 3
    return 0
