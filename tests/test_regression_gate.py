"""Regression gate: the pipeline's dev-gold headline figures must not fall below the committed ones.

``tests/dev_gold_scores.json`` holds the figures of the last deliberate raise. When scores
improve, raise it on purpose with the command stored in the file::

    zhclaims eval ../shared/gold/dev --texts seeds --write-gate tests/dev_gold_scores.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate import GATE_COMMAND, gate_failures, headline_figures, load_gold, run_pipeline_on_gold, score

ROOT = Path(__file__).resolve().parent.parent
GATE_FILE = ROOT / "tests" / "dev_gold_scores.json"


def test_dev_gold_scores_do_not_fall(gold_dev_dir, nlp_pipeline):
    if not GATE_FILE.is_file():
        pytest.fail(f"{GATE_FILE} is missing: create it with `{GATE_COMMAND}`")
    committed = json.loads(GATE_FILE.read_text(encoding="utf-8"))
    gold_with_texts = load_gold(gold_dev_dir, ROOT / "seeds")
    report = score([gold for gold, _ in gold_with_texts], run_pipeline_on_gold(gold_with_texts, nlp_pipeline))
    current = headline_figures(report)
    failures = gate_failures(current, committed["figures"], committed.get("tolerance", 0.01))
    assert not failures, (
        "dev-gold scores fell below tests/dev_gold_scores.json:\n  "
        + "\n  ".join(failures)
        + "\nFix the regression. If the drop is intended, rewrite the file deliberately (run from the project"
        f" root; the same command raises it when scores improve) and say why in the commit:\n  {GATE_COMMAND}"
    )
