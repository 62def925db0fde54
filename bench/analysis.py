"""Benchmark analyze() on the bundled Wikinews articles and a 100k-word text.

    python bench/analysis.py            # a table
    python bench/analysis.py --json     # {"words_per_s": x, "ms_100k_words": y}

Medians of several runs in one process (one core), timed as CPU time of this
process so that other work on a shared machine does not inflate the numbers
(CPU time still grows when another process shares the core's caches; nine runs
keep one such burst from moving the median). The
word lists are loaded once before timing, as they are in a running app. The
recogniser shares the cut of names that hold in any text ("Donald Trump"
mid-sentence) across texts; that cache is emptied before every timed run, so the
main numbers are those of texts seen for the first time, and a separate row shows
the same articles analysed again (re-analysis after a taught correction).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import analyze  # noqa: E402
from analysis import entities as _entities  # noqa: E402
from analysis.entities import find_entities  # noqa: E402
from analysis.structure import split_blocks  # noqa: E402


def _articles() -> list[str]:
    return [
        p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("sample_articles/GUM_news_*.txt"))
    ]


def _big_text(articles: list[str], words: int = 100_000) -> str:
    parts: list[str] = []
    n = 0
    while n < words:
        for a in articles:
            parts.append(a)
            n += len(a.split())
            if n >= words:
                break
    return "\n\n".join(parts)


def _median_seconds(fn, runs: int, cold: bool = True) -> float:
    times = []
    for _ in range(runs):
        if cold:
            _entities._RUN_CACHE.clear()
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print a table or one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    articles = _articles()
    if not articles:
        sys.exit("no sample_articles/GUM_news_*.txt found")
    t = time.perf_counter()
    analyze("Warm-up text in Lisbon.")
    load_ms = (time.perf_counter() - t) * 1000
    corpus_words = sum(len(a.split()) for a in articles)
    big = _big_text(articles)
    big_words = len(big.split())

    corpus_s = _median_seconds(lambda: [analyze(a) for a in articles], args.runs)
    big_s = _median_seconds(lambda: analyze(big), args.runs)
    warm_s = _median_seconds(lambda: [analyze(a) for a in articles], args.runs, cold=False)
    words_per_s = corpus_words / corpus_s
    ms_100k = big_s * 1000 * 100_000 / big_words

    if args.json:
        print(json.dumps({"words_per_s": round(words_per_s), "ms_100k_words": round(ms_100k, 1)}))
        return
    blocks = split_blocks(big)
    struct_s = _median_seconds(lambda: split_blocks(big), args.runs)
    ent_s = _median_seconds(lambda: find_entities(big, blocks), args.runs)
    entities = find_entities(big, blocks)
    try:
        from analysis.quotes import find_quotes
    except ImportError:
        quotes_row = ("  of which quotes", "n/a", "")
    else:
        q_s = _median_seconds(lambda: find_quotes(big, blocks, entities), args.runs)
        quotes_row = ("  of which quotes", f"{q_s * 1000:.1f} ms", "")
    rows = [
        ("first call (word lists load)", f"{load_ms:.1f} ms", ""),
        (
            f"{len(articles)} Wikinews articles, analyze()",
            f"{corpus_s * 1000:.1f} ms",
            f"{words_per_s:,.0f} words/s",
        ),
        (
            "  the same articles analysed again",
            f"{warm_s * 1000:.1f} ms",
            f"{corpus_words / warm_s:,.0f} words/s",
        ),
        (
            f"{big_words:,}-word text, analyze()",
            f"{big_s * 1000:.1f} ms",
            f"{big_words / big_s:,.0f} words/s",
        ),
        ("  of which structure", f"{struct_s * 1000:.1f} ms", ""),
        ("  of which entities", f"{ent_s * 1000:.1f} ms", f"{big_words / ent_s:,.0f} words/s"),
        quotes_row,
        ("analyze() scaled to 100k words", f"{ms_100k:.1f} ms", ""),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"{'case':<{w}}  {'median':>10}  {'rate':>16}   (runs={args.runs})")
    for name, ms, rate in rows:
        print(f"{name:<{w}}  {ms:>10}  {rate:>16}")


if __name__ == "__main__":
    main()
