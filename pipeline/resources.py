"""Where the project's data lives: ``rules/`` (patterns, gazetteers, tables) and ``models/``.

Both folders sit beside the ``pipeline`` package in a checkout (the package is installed in
editable mode). ``ZHCLAIMS_HOME`` points elsewhere when they have been moved.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("ZHCLAIMS_HOME", Path(__file__).resolve().parent.parent))
RULES_DIR = PROJECT_ROOT / "rules"
MODELS_DIR = PROJECT_ROOT / "models"


class MissingResourceError(FileNotFoundError):
    """A rules or models file the pipeline needs is not where it should be."""


def rules_path(*parts: str) -> Path:
    """Return the path of a file under ``rules/``, raising a helpful error when it is missing."""
    path = RULES_DIR.joinpath(*parts)
    if not path.exists():
        raise MissingResourceError(
            f"{path} is missing. It is part of the zhclaims checkout; restore it with "
            f"'git checkout -- rules/' or set ZHCLAIMS_HOME to the project folder."
        )
    return path


def model_path(*parts: str) -> Path:
    """Return the path of an artifact under ``models/``, raising a helpful error when it is missing."""
    path = MODELS_DIR.joinpath(*parts)
    if not path.exists():
        raise MissingResourceError(
            f"{path} is missing. Models are committed in models/; rebuild with "
            f"'zhclaims train ...' (see models/README.md) or set ZHCLAIMS_HOME."
        )
    return path


@lru_cache(maxsize=None)
def load_json(*parts: str):
    """Load and cache a JSON file under ``rules/``."""
    with open(rules_path(*parts), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def load_lines(*parts: str) -> tuple[str, ...]:
    """Load a one-item-per-line list under ``rules/``, skipping blank lines and ``#`` comments."""
    with open(rules_path(*parts), encoding="utf-8") as handle:
        return tuple(
            line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")
        )
