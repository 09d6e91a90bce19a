"""The ``zhclaims`` command line.

Each subcommand lives in the module that owns its work; that module provides
``configure_parser(parser)`` and ``run(args) -> int``. Modules are imported only when their
subcommand runs, so ``zhclaims schema`` does not load models.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

SUBCOMMANDS = {
    "extract": ("pipeline.batch", "run the pipeline over files, folders or JSONL into the store (or -o JSONL)"),
    "export": ("pipeline.store", "write the store's results as JSONL or Parquet"),
    "eval": ("pipeline.evaluate", "score the pipeline (or --pred) against gold annotation files"),
    "bench": ("pipeline.bench", "time the whole pipeline on a corpus, with jieba.lcut as a yardstick"),
    "train": ("pipeline.training", "rebuild a model in models/ from ../shared/corpora"),
    "gazetteer": ("pipeline.gazetteer", "rebuild the derived gazetteer in rules/ from the NBS codes"),
}


def _schema_command(args: argparse.Namespace) -> int:
    from .schema import json_schema

    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """Build the parser; only the subcommand named in ``argv`` has its module imported."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="zhclaims", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"zhclaims {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    schema = sub.add_parser("schema", help="print the JSON Schema of one output line")
    schema.set_defaults(handler=_schema_command)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.configure_parser(sub_parser)
            sub_parser.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``zhclaims`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
