"""Re-analysis benchmark: what one taught correction costs a big library.

Builds a library of N annotated articles (default 10,000: the bundled samples, each
copy made unique, as ``bench/export.py`` builds it), analyses every article once (the
cold pass: a library in use has its analyses cached), then for each correction:

- teach it (``Library.teach``), as the reader's ``c`` key does;
- stale check: ``stale_analyses()`` on a new Library object (what ``margin
  reanalyze`` and the app's background worker start with): which cached analyses
  the correction makes out of date. Only articles whose text the rule can reach
  are stale (``analysis.relevant_rules``);
- re-analyse: ``reanalyze()`` of those articles (one core);
- forget the correction and re-analyse again (not timed), so every run starts
  from the same state.

Medians of ``--runs``. The corrections name things the samples mention: one name
few of them mention (a narrow correction) and one that many mention (a wide one).

Usage::

    python bench/reanalysis.py                      # 10,000 articles
    python bench/reanalysis.py --articles 1000 --runs 5
    python bench/reanalysis.py --library lib10k     # keep the library for the next run
    python bench/reanalysis.py --json               # one line (the narrow correction)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.library import Library  # noqa: E402

# (label, action, text, type): a place a few samples name, and a country many do.
CORRECTIONS = (
    ("narrow: reject “Armenia”", "reject", "Armenia", None),
    ("wide: retype “United States” as ORG", "retype", "United States", "ORG"),
)


def _export_bench():
    spec = importlib.util.spec_from_file_location("export_bench", ROOT / "bench" / "export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(root: Path, action: str, text: str, type: str | None, runs: int) -> dict:
    """Teach, check, re-analyse and forget ``runs`` times; medians."""
    checks, redos, stale = [], [], []
    for _ in range(runs):
        taught = Library(root).teach(action, text, type)
        fresh = Library(root)
        t0 = time.perf_counter()
        ids = fresh.stale_analyses()
        checks.append(time.perf_counter() - t0)
        stale.append(len(ids))
        t0 = time.perf_counter()
        fresh.reanalyze(ids)
        redos.append(time.perf_counter() - t0)
        fresh.forget(taught.id)
        fresh.reanalyze()
    redo = statistics.median(redos)
    count = int(statistics.median(stale))
    return {
        "stale": count,
        "stale_check_s": round(statistics.median(checks), 3),
        "reanalyze_s": round(redo, 3),
        "articles_per_s": round(count / redo) if redo else None,
    }


def run(root: Path, articles: int, runs: int) -> dict:
    built = _export_bench().build(root, articles)
    library = Library(root)
    t0 = time.perf_counter()
    cold = library.reanalyze()
    cold_s = time.perf_counter() - t0
    rows = {label: measure(root, *rest, runs) for label, *rest in CORRECTIONS}
    return {
        "articles": len(library.articles()),
        "build_s": round(built, 2),
        "cold_articles": cold,
        "cold_s": round(cold_s, 2),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, metavar="N")
    parser.add_argument("--runs", type=int, default=3, metavar="R")
    parser.add_argument("--library", type=Path, metavar="DIR", help="build here and keep it")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    if args.library:
        result = run(args.library, args.articles, args.runs)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(Path(tmp) / "library", args.articles, args.runs)
    if args.json:
        narrow = result["rows"][CORRECTIONS[0][0]]
        print(json.dumps({"articles": result["articles"], **narrow}))
        return 0
    print(f"{result['articles']:,} articles; analysing every article (cold): ", end="")
    print(f"{result['cold_s']:.1f} s for {result['cold_articles']:,}")
    print(f"median of {args.runs} runs")
    print("| correction | stale articles | stale check | re-analysis | articles/s |")
    print("|---|---:|---:|---:|---:|")
    for label, row in result["rows"].items():
        print(
            f"| {label} | {row['stale']:,} | {row['stale_check_s']:.2f} s "
            f"| {row['reanalyze_s']:.2f} s | {row['articles_per_s']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
