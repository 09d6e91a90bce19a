"""Shared fixtures: the built pipeline (once per session) and the seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluate import read_raw  # noqa: F401  reads an article the way gold counts offsets

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
GOLD_DEV = SHARED / "gold" / "dev"


@pytest.fixture(scope="session")
def nlp_pipeline():
    from pipeline import Pipeline

    return Pipeline.load()


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.stem: read_raw(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def gold_dev_dir() -> Path:
    if not GOLD_DEV.is_dir():
        pytest.skip("../shared/gold/dev is not beside this checkout")
    return GOLD_DEV
