"""Batch inputs: files, folders (recursive), globs and JSONL streams (stdin too), decoded safely.

:func:`iter_inputs` turns the paths given to ``zhclaims extract`` into a stream of
:class:`SourceDocument` (one article to process) and :class:`InputError` (one input that could
not be read, with the file, line and reason). It never raises for a bad input: the batch goes on
and the error becomes a row in the store.

The raw text of a plain-text file is its decoded content exactly: no newline translation (gold
offsets count ``\\r\\n`` as two characters) and no BOM strip (a UTF-8 or UTF-16 byte-order mark
stays as U+FEFF at offset 0, as the gold format says). Encodings, in the order tried:

1. a byte-order mark: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE;
2. strict UTF-8;
3. BOM-less UTF-16 when NUL bytes fall (almost) only on odd or only on even positions;
4. GB18030 / Big5-HKSCS / UTF-16 chosen by ``charset_normalizer`` (coherence of the decoded text).

Anything else with NUL bytes or many control characters is reported as binary. Plain-text files
above ``max_bytes`` are refused without being read (one article is never 50 MB: split the file or
feed it as JSONL, which is streamed line by line with ``max_chars`` per line).
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Optional, Union

from .schema import InputDocument, default_doc_id

TEXT_SUFFIXES = (".txt", ".text")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
DEFAULT_MAX_CHARS = 1_000_000
BYTES_PER_CHAR_LIMIT = 4  # a UTF-8/GB18030 character takes at most 4 bytes
STDIN = "-"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le-bom"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be-bom"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-bom"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le-bom"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be-bom"),
)
_DETECTABLE = ["gb18030", "big5hkscs", "utf_16_le", "utf_16_be"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.+\-Z]*)?$")
_GLOB_CHARS = re.compile(r"[*?\[]")


class DecodeError(ValueError):
    """The bytes of an input are not text in any encoding we accept."""


@dataclass(frozen=True)
class SourceDocument:
    """One article to process.

    Attributes:
        document: text and metadata handed to the pipeline.
        path: the file it was read from (``-`` for stdin).
        line: its 1-based line in a JSONL input, else None.
        encoding: the detected encoding (``utf-8``, ``utf-8-bom``, ``gb18030``, ``jsonl``...).
        input_hash: SHA-256 of the id, text and metadata; a change means the result may change.
    """

    document: InputDocument
    path: str
    line: Optional[int]
    encoding: str
    input_hash: str

    @property
    def doc_id(self) -> str:
        return self.document.id or ""

    @property
    def origin(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class InputError:
    """An input that could not be turned into a document.

    Attributes:
        source: the file (or ``-`` for stdin) the problem is in.
        line: the 1-based line of a JSONL input, else None.
        reason: what is wrong and, where possible, what to do.
    """

    source: str
    line: Optional[int]
    reason: str

    @property
    def origin(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


InputItem = Union[SourceDocument, InputError]


def input_hash(document: InputDocument) -> str:
    """Return the SHA-256 over everything of an input that can change its result."""
    payload = json.dumps([document.id, document.text, document.published, document.source], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalize_published(value: Optional[str]) -> Optional[str]:
    """Return ``value`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a time of day is dropped).

    Args:
        value: a date string such as ``2026-01``, ``2026-01-05`` or ``2026-01-05T08:00:00+08:00``.

    Returns:
        The date part, or None for an empty value.

    Raises:
        ValueError: the value is not such a date.
    """
    if value is None or str(value).strip() == "":
        return None
    match = _PUBLISHED.match(str(value).strip())
    if not match:
        raise ValueError(f"published {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise ValueError(f"published {value!r} is not a valid date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return "-".join(part for part in (year, month, day) if part)


def _utf16_without_bom(data: bytes) -> Optional[tuple[str, str]]:
    """Decode BOM-less UTF-16 or return None.

    ASCII characters put their NUL byte second (LE) or first (BE), so the parity holding more
    NULs gives the byte order; the decoded text must then look like Chinese or ASCII text.
    """
    if len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    if odd_nuls == even_nuls:
        return None
    encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _looks_binary(text) or _plain_share(text) < 0.95:
        return None
    return text, encoding


_PLAIN = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _plain_share(text: str) -> float:
    """Return the share of characters that are ASCII, Latin-1, CJK, CJK or general punctuation, or full-width forms."""
    sample = text[:100_000]
    return len(_PLAIN.findall(sample)) / max(1, len(sample))


def _looks_binary(text: str) -> bool:
    """Return True when decoded text has NULs or more than 1% control characters."""
    if "\x00" in text:
        return True
    controls = len(_CONTROL.findall(text[:100_000]))
    return controls > max(2, len(text[:100_000]) // 100)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of one text file, keeping every character (BOM included).

    Args:
        data: the file's bytes.

    Returns:
        ``(text, encoding)``; ``encoding`` names what was detected, with ``-bom`` when a
        byte-order mark was present.

    Raises:
        DecodeError: the bytes are empty, binary or in no encoding we recognise.
    """
    if not data:
        raise DecodeError("empty file")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = bom.decode(codec) + data[len(bom):].decode(codec)
            except UnicodeDecodeError as err:
                raise DecodeError(f"starts with a {name} byte-order mark but is not valid {codec}: {err.reason} at byte {err.start + len(bom)}") from None
            break
    else:
        try:
            text, name = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, name = None, None
        if text is None or "\x00" in text:
            utf16 = _utf16_without_bom(data)
            if utf16 is not None:
                text, name = utf16
            elif b"\x00" in data:
                raise DecodeError("binary file: contains NUL bytes and is not UTF-16 text")
            else:
                text, name = _detect(data)
    if _looks_binary(text):
        raise DecodeError(f"binary file: decoded as {name} it is full of control characters")
    if not text.strip().strip("\ufeff"):
        raise DecodeError("empty file (only whitespace)")
    return text, name


def _detect(data: bytes) -> tuple[str, str]:
    """Pick GB18030, Big5-HKSCS or UTF-16 by the coherence of the decoded text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_DETECTABLE).best()
    if best is None:
        raise DecodeError("not text in UTF-8, UTF-16, GB18030 or Big5; convert it to UTF-8")
    name = best.encoding.replace("_", "-")
    return data.decode(best.encoding), name


def read_text_file(path: str, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[str, str]:
    """Read and decode one plain-text article.

    Args:
        path: the file.
        max_chars: the longest article accepted; larger files are refused before reading.

    Returns:
        ``(text, encoding)``.

    Raises:
        DecodeError: the file is too large, empty, binary or undecodable.
        OSError: the file cannot be opened.
    """
    size = os.stat(path).st_size
    max_bytes = max_chars * BYTES_PER_CHAR_LIMIT
    if size > max_bytes:
        raise DecodeError(
            f"file is {size / 1e6:.1f} MB, more than one article can be ({max_chars:,} characters, "
            f"--max-chars): split it into articles, or give it as JSONL with one article per line"
        )
    with open(path, "rb") as handle:
        text, encoding = decode_bytes(handle.read())
    if len(text) > max_chars:
        raise DecodeError(f"article has {len(text):,} characters, more than --max-chars {max_chars:,}: split it")
    return text, encoding


def iter_jsonl(stream: BinaryIO, source: str, published: Optional[str] = None,
               max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Read a JSONL stream of ``{"id", "text", "published", "source"}`` objects, one per line.

    Args:
        stream: a binary stream (read line by line, so any size works).
        source: the name reported for the stream (its path, or ``-``).
        published: the date for lines that do not give one.
        max_chars: the longest ``text`` accepted.

    Yields:
        A :class:`SourceDocument` per good line, an :class:`InputError` (with the line number)
        per bad one. Blank lines are skipped.
    """
    for number, raw_line in enumerate(stream, start=1):
        if number == 1 and raw_line.startswith(codecs.BOM_UTF8):
            raw_line = raw_line[len(codecs.BOM_UTF8):]
        if not raw_line.strip():
            continue
        try:
            item = json.loads(raw_line.decode("utf-8"))
        except UnicodeDecodeError as err:
            yield InputError(source, number, f"line is not UTF-8 ({err.reason} at byte {err.start}); JSONL must be UTF-8")
            continue
        except json.JSONDecodeError as err:
            yield InputError(source, number, f"malformed JSON ({err.msg}, column {err.colno})")
            continue
        problem = _jsonl_problem(item, max_chars)
        if problem:
            yield InputError(source, number, problem)
            continue
        try:
            date = normalize_published(item.get("published")) or published
        except ValueError as err:
            yield InputError(source, number, str(err))
            continue
        text = item["text"]
        document = InputDocument(
            id=str(item["id"]) if item.get("id") not in (None, "") else default_doc_id(text),
            text=text,
            published=date,
            source=str(item["source"]) if item.get("source") else f"{source}:{number}",
        )
        yield SourceDocument(document, source, number, "jsonl", input_hash(document))


def _jsonl_problem(item, max_chars: int) -> Optional[str]:
    """Return what is wrong with one decoded JSONL object, or None."""
    if not isinstance(item, dict):
        return f"expected a JSON object with a \"text\" field, got {type(item).__name__}"
    text = item.get("text")
    if not isinstance(text, str):
        return "missing \"text\" string field"
    if not text.strip():
        return "empty \"text\""
    if len(text) > max_chars:
        return f"\"text\" has {len(text):,} characters, more than --max-chars {max_chars:,}"
    if "\x00" in text:
        return "\"text\" contains NUL characters"
    return None


def read_file(path: str, published: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Read one input file: JSONL by its suffix, otherwise one plain-text article.

    A plain-text article's id is the file name without its suffix, its source the path.
    """
    try:
        if path.lower().endswith(JSONL_SUFFIXES):
            with open(path, "rb") as handle:
                yield from iter_jsonl(handle, path, published, max_chars)
            return
        text, encoding = read_text_file(path, max_chars)
    except DecodeError as err:
        yield InputError(path, None, str(err))
        return
    except IsADirectoryError:
        yield InputError(path, None, "is a directory, not a file")
        return
    except FileNotFoundError:
        reason = "dangling symbolic link" if os.path.islink(path) else "no such file"
        yield InputError(path, None, reason)
        return
    except OSError as err:
        yield InputError(path, None, f"cannot read: {err.strerror or err}")
        return
    document = InputDocument(id=Path(path).stem, text=text, published=published, source=path)
    yield SourceDocument(document, path, None, encoding, input_hash(document))


def _is_input_name(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES + JSONL_SUFFIXES)


def walk_directory(root: str) -> Iterator[Union[str, InputError]]:
    """Yield the input files under ``root`` (``*.txt``, ``*.text``, ``*.jsonl``, ``*.ndjson``) recursively, by path.

    Entries are visited in name order, folders where their name sorts, so the order is the
    sorted order of the paths. Symbolic links to files are listed (a dangling one too, so it is
    reported); symbolic links to folders are not followed (no loops); hidden entries (``.name``)
    are skipped. A folder that cannot be listed yields an :class:`InputError`.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as err:
        yield InputError(root, None, f"cannot list folder: {err.strerror or err}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from walk_directory(entry.path)
        elif _is_input_name(entry.name):
            yield entry.path


def expand_path(path: str) -> Iterator[Union[str, InputError]]:
    """Expand one command-line path into input files: a file, a folder (recursive) or a glob."""
    if path == STDIN:
        yield path
    elif os.path.isdir(path):
        yield from walk_directory(path)
    elif os.path.lexists(path):
        yield path
    elif _GLOB_CHARS.search(path):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            yield InputError(path, None, "no file matches this pattern")
        for match in matches:
            if os.path.isdir(match):
                yield from walk_directory(match)
            else:
                yield match
    else:
        yield InputError(path, None, "no such file or directory")


def iter_inputs(paths: Iterable[str], published: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS,
                stdin: Optional[BinaryIO] = None) -> Iterator[InputItem]:
    """Read every input named by ``paths``, in order; never raises for a bad input.

    Args:
        paths: files, folders, globs, or ``-`` for JSONL on standard input.
        published: the publication date for inputs that do not carry one.
        max_chars: the longest article accepted.
        stdin: the stream ``-`` reads (default: ``sys.stdin.buffer``).

    Yields:
        :class:`SourceDocument` and :class:`InputError` items. A file reached twice (e.g.
        named and inside a named folder) is read once.
    """
    seen: set[str] = set()
    for path in paths:
        for entry in expand_path(path):
            if isinstance(entry, InputError):
                yield entry
                continue
            if entry == STDIN:
                yield from iter_jsonl(stdin or sys.stdin.buffer, STDIN, published, max_chars)
                continue
            key = os.path.abspath(entry)
            if key in seen:
                continue
            seen.add(key)
            yield from read_file(entry, published, max_chars)
