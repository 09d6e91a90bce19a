"""Batch extraction (placeholder until issue 8: files/dirs to JSONL with -o)."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--published")


def run(args: argparse.Namespace) -> int:
    from .api import Pipeline
    from .schema import InputDocument

    files = []
    for p in map(Path, args.paths):
        files.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    docs = [InputDocument(id=f.stem, text=f.read_text(encoding="utf-8"), published=args.published, source=str(f)) for f in files]
    pipeline = Pipeline.load()
    with open(args.output, "w", encoding="utf-8") as out:
        for article in pipeline.pipe(docs):
            out.write(article.model_dump_json() + "\n")
    return 0
