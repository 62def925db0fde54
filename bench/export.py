"""Export benchmark: Markdown export of a whole annotated library.

Builds a library of N articles (default 10,000) through ``Library.import_records``:
the bundled sample articles, each copy made unique by a closing line, with three
tags, two notes and two highlights (one with a note and tags) per article. Then:

- cold: the first export of every article, which also runs the analysis of each
  (entities, quotes) and fills the library's analysis cache; measured once;
- export: ``export_articles`` of all articles into a fresh, empty folder, with the
  analysis cached (the everyday case); median of ``--runs``;
- re-export: the same into the folder already holding identical files (nothing is
  rewritten); median of ``--runs``.

The first export always runs in this process (so the analyses it runs are counted);
``--workers`` applies to the timed runs. With workers, "CPU s" is only this process's.

Usage::

    python bench/export.py                          # 10,000 articles, obsidian
    python bench/export.py --articles 500 --runs 3 --profile plain
    python bench/export.py --library lib10k         # keep the library for the next run
    python bench/export.py --workers 2              # share the export between 2 processes
    python bench/export.py --json                   # one line: {"articles": n, "export_s": x, ...}

The target is export <= 10 s for 10,000 articles. Timings depend on the disk and on
whatever else the machine is doing; file creation dominates on slow filesystems.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.anchoring import selector  # noqa: E402
from store.export import PROFILES, export_articles  # noqa: E402
from store.library import Library, text_sha256  # noqa: E402
from store.models import Annotations, Article, Highlight, Note  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500
TAGS = ["energy policy", "South Caucasus", "2025", "diplomacy", "to read", "quotes", "US/politics"]
STAMP = "2026-01-01T00:00:00Z"


def _samples() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "sample_articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next(
            (line.strip() for line in text.splitlines() if len(line.strip()) > 20), path.stem
        )
        out.append((title, text))
    return out


def _record(samples: list[tuple[str, str]], i: int) -> tuple[Article, str, Annotations]:
    title, base = samples[i % len(samples)]
    text = f"{base.rstrip()}\n\nCopy {i} of this article, for the export benchmark.\n"
    sha = text_sha256(text)
    article = Article(
        id=sha[:12],
        title=f"{title} ({i})",
        source=f"https://example.org/news/{i}",
        sha256=sha,
        added=STAMP,
        chars=len(text),
        site="example.org",
    )
    highlights = []
    for k, frac in enumerate((0.2, 0.6)):
        start = int(len(text) * frac)
        start = text.find(" ", start) + 1
        anchor = selector(text, start, min(len(text), start + 120))
        highlights.append(
            Highlight(
                id=f"hl-{i:06x}{k}",
                start=anchor.start,
                end=anchor.end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                note="Worth checking against other sources." if k == 0 else "",
                tags=["claim", "follow up"] if k == 0 else [],
                created=STAMP,
            )
        )
    notes = [
        Note(id=f"n-{i:06x}a", text=f"First impression of article {i}.", created=STAMP),
        Note(
            id=f"n-{i:06x}b",
            text="Open questions:\n- who is the source?\n- what changed since?",
            created=STAMP,
        ),
    ]
    tags = [TAGS[i % len(TAGS)], TAGS[(i + 2) % len(TAGS)], TAGS[(i + 5) % len(TAGS)]]
    return article, text, Annotations(article.id, tags, notes, highlights, 0)


def build(root: Path, n: int) -> float:
    """Fill ``root`` with ``n`` annotated articles (skipped when already there)."""
    lib = Library(root)
    have = len(lib.articles())
    if have >= n:
        return 0.0
    samples = _samples()
    t0 = time.perf_counter()
    for first in range(have, n, BATCH):
        lib.import_records([_record(samples, i) for i in range(first, min(n, first + BATCH))])
    return time.perf_counter() - t0


ANALYSES = [0]


def _count_analyses() -> None:
    """Count the analyses actually run, so a timing that included some (a stale
    cache) is visible in the table rather than silently slower."""
    import analysis

    real = analysis.analyze

    def counted(*args, **kwargs):
        ANALYSES[0] += 1
        return real(*args, **kwargs)

    analysis.analyze = counted


def timed_export(
    lib: Library, ids: list[str], profile: str, out: Path, workers: int | None = 1
) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, analyses run in it) of one export."""
    before = ANALYSES[0]
    t0, c0 = time.perf_counter(), time.process_time()
    export_articles(lib, ids, profile=profile, out_dir=out, workers=workers)
    return time.perf_counter() - t0, time.process_time() - c0, ANALYSES[0] - before


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table, or one JSON line with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10_000, metavar="N")
    parser.add_argument("--runs", type=int, default=3, metavar="R")
    parser.add_argument("--profile", choices=PROFILES, default="obsidian")
    parser.add_argument("--library", metavar="DIR", help="build here and keep it (reused)")
    parser.add_argument(
        "--workers", type=int, default=1, metavar="W", help="processes (0: export_articles' choice)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    workers = args.workers or None
    log = sys.stderr if args.json else sys.stdout

    scratch = Path(tempfile.mkdtemp(prefix="margin-bench-export-"))
    try:
        root = Path(args.library) if args.library else scratch / "library"
        print(f"building a library of {args.articles} articles in {root} ...", file=log)
        build_s = build(root, args.articles)
        lib = Library(root)
        ids = sorted(a.id for a in lib.articles())[: args.articles]

        print("cold export (runs the analysis of articles not cached yet) ...", file=log)
        _count_analyses()
        cold = timed_export(lib, ids, args.profile, scratch / "cold")
        shutil.rmtree(scratch / "cold")

        fresh, again = [], []
        for run in range(args.runs):
            out = scratch / f"run{run}"
            fresh.append(timed_export(lib, ids, args.profile, out, workers))
            again.append(timed_export(lib, ids, args.profile, out, workers))
            files = sum(1 for _ in out.iterdir())
            size = sum(p.stat().st_size for p in out.iterdir())
            shutil.rmtree(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    n = len(ids)

    def med(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
        return (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
            max(r[2] for r in runs),
        )

    export, reexport = med(fresh), med(again)
    if args.json:
        print(
            json.dumps(
                {
                    "articles": n,
                    "profile": args.profile,
                    "workers": args.workers,
                    "export_s": round(export[0], 3),
                    "export_cpu_s": round(export[1], 3),
                    "reexport_s": round(reexport[0], 3),
                    "cold_export_s": round(cold[0], 3),
                    "cold_analyses": cold[2],
                    "build_s": round(build_s, 3),
                    "runs": args.runs,
                }
            )
        )
        return 0
    rows = [
        ("build library (import_records)", (build_s, float("nan"), 0), "once"),
        ("first export (uncached analyses run)", cold, "once"),
        ("export, analysis cached, empty folder", export, f"median of {args.runs}"),
        ("re-export, files unchanged", reexport, f"median of {args.runs}"),
    ]
    print(
        f"\n{n} articles, profile {args.profile}, workers {args.workers or 'auto'}, "
        f"{files} files, {size / 1e6:.1f} MB"
    )
    print(f"{'step':<40} {'wall s':>8} {'CPU s':>8} {'ms/article':>11} {'analyses':>9}  note")
    for label, (wall, cpu, analyses), note in rows:
        per = 1000 * wall / max(n, 1)
        print(f"{label:<40} {wall:>8.2f} {cpu:>8.2f} {per:>11.2f} {analyses:>9}  {note}")
    rate = export[0] * 10_000 / max(n, 1)
    verdict = "met" if rate <= 10 else "NOT met"
    print(f"target: export of 10,000 articles <= 10 s: {verdict} ({rate:.1f} s at this rate)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
