"""Numbers and times: this pipeline's stages vs cn2an alone and jionlp, on the same gold spans.

For every gold quantity and time of the dev gold, each system reads the same raw span:

* quantities - this stage (its prediction overlapping the gold span), ``cn2an.cn2an(core, "smart")``
  on the span's numeral core (the longest run of numeral characters, cn2an's best case), and
  ``jio.ner.extract_money(span, with_parsing=True)`` on the money spans (unit 元);
* times - this stage, and ``jio.parse_time(span, time_base=published)``. jionlp returns a
  datetime interval, so both systems are compared as day intervals (the gold value ``2025`` is
  2025-01-01..2025-12-31, ``2025-01/2025-11`` is 2025-01-01..2025-11-30); this stage is also
  scored on the exact gold string.

``--msra`` also measures the speed of the two stages (CPU time of the process, so other jobs on
the machine do not distort it) on the text of MSRA NER (one sentence per line).

Usage::

    python benchmarks/numbers_vs_baselines.py --gold ../shared/gold/dev --texts seeds \\
        --msra ../shared/corpora/msra_ner/train.txt
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import time
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from pipeline.evaluate import numbers_agree, read_raw

NUMBER_STAGES = ["normalize", "layout", "furniture", "sentences", "times", "quantities"]
NUMERAL_RUN = re.compile(r"[0-9.零〇一二两三四五六七八九十百千万亿]+")


def amount_agrees(pred: tuple, gold: dict) -> bool:
    """(value, low, high) agree with the gold quantity."""
    value, low, high = pred
    return numbers_agree(value, gold["value"]) and numbers_agree(low, gold["low"]) and numbers_agree(high, gold["high"])


def cn2an_amount(span: str) -> tuple:
    """cn2an alone: the numeral core of the span through ``cn2an.cn2an(..., "smart")``."""
    import cn2an

    runs = NUMERAL_RUN.findall(span)
    if not runs:
        return (None, None, None)
    core = max(runs, key=len)
    try:
        return (float(cn2an.cn2an(core, "smart")), None, None)
    except (ValueError, KeyError, IndexError):
        return (None, None, None)


def jionlp_money(span: str) -> tuple:
    import jionlp as jio

    try:
        found = jio.ner.extract_money(span, with_parsing=True)
    except Exception:  # jionlp raises bare exceptions on text it cannot read
        return (None, None, None)
    if not found:
        return (None, None, None)
    num = found[0]["detail"]["num"]
    if isinstance(num, list):
        return (None, float(num[0]), float(num[1]))
    return (float(num), None, None)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _bound(text: str, end: bool) -> Optional[date]:
    """First (or last) day of an ISO-like bound: 2025, 2025-11, 2025-11-30."""
    parts = text.split("-")
    if not parts[0].isdigit():
        return None
    year = int(parts[0])
    if len(parts) == 1:
        return date(year, 12, 31) if end else date(year, 1, 1)
    month = int(parts[1])
    if len(parts) == 2:
        return _month_end(year, month) if end else date(year, month, 1)
    return date(year, month, int(parts[2]))


def value_interval(value: Optional[str]) -> Optional[tuple[date, date]]:
    """The day interval a gold-format time value covers (clock times have none)."""
    if not value or value.startswith("T"):
        return None
    first, _, last = value.partition("/")
    start, stop = _bound(first, False), _bound(last or first, True)
    return (start, stop) if start and stop else None


def published_timestamp(published: str) -> float:
    """jionlp's time base: the middle of the publication period (the 15th for a month)."""
    parts = [int(p) for p in published.split("-")]
    day = date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 15 if len(parts) > 1 else 1)
    return time.mktime(day.timetuple())


def jionlp_time(span: str, published: str) -> Optional[tuple[date, date]]:
    import jionlp as jio

    try:
        parsed = jio.parse_time(span, time_base=published_timestamp(published))
    except Exception:  # "can not parse the string"
        return None
    stamps = parsed.get("time")
    if not isinstance(stamps, list) or len(stamps) != 2 or not all(isinstance(s, str) for s in stamps):
        return None
    try:
        first, last = (datetime.strptime(s, "%Y-%m-%d %H:%M:%S").date() for s in stamps)
    except ValueError:  # open ends come back as "inf"
        return None
    return first, last


def overlapping(items, gold: dict):
    return next((p for p in items if p.start < gold["end"] and gold["start"] < p.end), None)


def compare(gold_dir: Path, text_dir: Path) -> dict:
    """Run the three systems over every gold quantity and time span; return the counts."""
    from pipeline import Pipeline

    pipeline = Pipeline.load(nlp__pipeline=NUMBER_STAGES)
    counts = {key: 0 for key in (
        "quantities", "ours_found", "ours_amount", "ours_all", "cn2an_amount",
        "money", "ours_money", "jionlp_money", "cn2an_money",
        "times", "ours_time_found", "ours_time_exact", "ours_time_interval", "intervals",
        "jionlp_time_interval", "jionlp_time_parsed",
    )}
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        raw = read_raw(text_dir / f"{gold['doc_id']}.txt")
        article = pipeline(raw, published=gold["published"], doc_id=gold["doc_id"])
        for g in gold["quantities"]:
            counts["quantities"] += 1
            pred = overlapping(article.quantities, g)
            ours = (pred.value, pred.low, pred.high) if pred else (None, None, None)
            counts["ours_found"] += pred is not None
            counts["ours_amount"] += pred is not None and amount_agrees(ours, g)
            counts["ours_all"] += pred is not None and amount_agrees(ours, g) and pred.unit == g["unit"] and pred.qualifier == g["qualifier"]
            cn = cn2an_amount(g["text"])
            counts["cn2an_amount"] += amount_agrees(cn, g)
            if g["unit"] == "元":
                counts["money"] += 1
                counts["ours_money"] += pred is not None and amount_agrees(ours, g)
                counts["jionlp_money"] += amount_agrees(jionlp_money(g["text"]), g)
                counts["cn2an_money"] += amount_agrees(cn, g)
        for g in gold["times"]:
            counts["times"] += 1
            pred = overlapping(article.times, g)
            counts["ours_time_found"] += pred is not None
            counts["ours_time_exact"] += pred is not None and pred.value == g["value"]
            wanted = value_interval(g["value"])
            if wanted is None:
                continue  # clock times: no day interval to compare
            counts["intervals"] += 1
            counts["ours_time_interval"] += pred is not None and value_interval(pred.value) == wanted
            theirs = jionlp_time(g["text"], gold["published"])
            counts["jionlp_time_parsed"] += theirs is not None
            counts["jionlp_time_interval"] += theirs == wanted
    return counts


def speed(msra_path: Path, limit: int) -> dict:
    """CPU-time chars/s of the times and quantities stages on MSRA NER text."""
    from pipeline.s1_normalize import normalize_text
    from pipeline.s7_times import TimeTagger
    from pipeline.s8_quantities import QuantityTagger

    sentences, current = [], []
    with open(msra_path, encoding="utf-8") as handle:
        for line in handle:
            token = line.rstrip("\n").split("\t")[0]
            if token:
                current.append(token[0])
            elif current:
                sentences.append("".join(current))
                current = []
    text = normalize_text("\n".join(sentences))[:limit]
    # articles of ~5,000 characters, cut at sentence ends
    chunks, start = [], 0
    while start < len(text):
        cut = text.find("\n", start + 5000)
        cut = len(text) if cut < 0 else cut + 1
        chunks.append(text[start:cut])
        start = cut
    times, quantities = TimeTagger(), QuantityTagger()
    best = None
    for _ in range(3):
        t0 = time.process_time()
        found_times = [times.find(chunk, "2000-06") for chunk in chunks]
        t1 = time.process_time()
        found_quantities = [quantities.find(chunk, [(s, e) for s, e, *_ in ts]) for chunk, ts in zip(chunks, found_times)]
        t2 = time.process_time()
        run = (t1 - t0, t2 - t1)
        best = run if best is None or sum(run) < sum(best) else best
    return {
        "chars": len(text),
        "times_chars_per_s": len(text) / best[0],
        "quantities_chars_per_s": len(text) / best[1],
        "both_chars_per_s": len(text) / sum(best),
        "times_found": sum(len(t) for t in found_times),
        "quantities_found": sum(len(q) for q in found_quantities),
    }


def report(counts: dict, speeds: Optional[dict]) -> str:
    def pct(n: int, d: int) -> str:
        return f"{n}/{d} ({100 * n / d:.1f}%)" if d else "-"

    c = counts
    lines = [
        "| on the dev gold spans | this stage | cn2an alone | jionlp |",
        "|---|---|---|---|",
        f"| quantities found (span overlap) | {pct(c['ours_found'], c['quantities'])} | (given the span) | - |",
        f"| quantity value/low/high right | {pct(c['ours_amount'], c['quantities'])} | {pct(c['cn2an_amount'], c['quantities'])} | - |",
        f"| value + unit + qualifier right | {pct(c['ours_all'], c['quantities'])} | 0 (no unit or hedge) | - |",
        f"| money amounts (unit 元) right | {pct(c['ours_money'], c['money'])} | {pct(c['cn2an_money'], c['money'])} | {pct(c['jionlp_money'], c['money'])} (extract_money) |",
        f"| times found (span overlap) | {pct(c['ours_time_found'], c['times'])} | - | (given the span) |",
        f"| time value exact (gold string) | {pct(c['ours_time_exact'], c['times'])} | - | - |",
        f"| time as a day interval right | {pct(c['ours_time_interval'], c['intervals'])} | - | {pct(c['jionlp_time_interval'], c['intervals'])} (parse_time; parsed at all: {c['jionlp_time_parsed']}) |",
    ]
    if speeds:
        lines += [
            "",
            f"Speed on MSRA NER train text ({speeds['chars']:,} chars, CPU time, one core): "
            f"times {speeds['times_chars_per_s']:,.0f} chars/s, quantities {speeds['quantities_chars_per_s']:,.0f} chars/s, "
            f"both stages {speeds['both_chars_per_s']:,.0f} chars/s "
            f"({speeds['times_found']:,} times, {speeds['quantities_found']:,} quantities).",
        ]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=Path("../shared/gold/dev"), help="folder of gold <doc_id>.json files")
    parser.add_argument("--texts", type=Path, default=Path("seeds"), help="folder of the <doc_id>.txt articles")
    parser.add_argument("--msra", type=Path, help="MSRA NER train.txt: also measure speed on its text")
    parser.add_argument("--limit", type=int, default=3_000_000, help="characters of MSRA text to time (default 3M)")
    parser.add_argument("--json", action="store_true", help="print the raw counts as JSON")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    counts = compare(args.gold, args.texts)
    speeds = speed(args.msra, args.limit) if args.msra else None
    if args.json:
        print(json.dumps({"counts": counts, "speed": speeds}, ensure_ascii=False, indent=1))
    else:
        print(report(counts, speeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
