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

Usage::

    python bench/export.py                          # 10,000 articles, obsidian
    python bench/export.py --articles 500 --runs 3 --profile plain
    python bench/export.py --library /tmp/lib10k    # keep the library for the next run
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


def timed_export(lib: Library, ids: list[str], profile: str, out: Path) -> float:
    t0 = time.perf_counter()
    export_articles(lib, ids, profile=profile, out_dir=out)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table, or one JSON line with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10_000, metavar="N")
    parser.add_argument("--runs", type=int, default=3, metavar="R")
    parser.add_argument("--profile", choices=PROFILES, default="obsidian")
    parser.add_argument("--library", metavar="DIR", help="build here and keep it (reused)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    log = sys.stderr if args.json else sys.stdout

    scratch = Path(tempfile.mkdtemp(prefix="margin-bench-export-"))
    try:
        root = Path(args.library) if args.library else scratch / "library"
        print(f"building a library of {args.articles} articles in {root} ...", file=log)
        build_s = build(root, args.articles)
        lib = Library(root)
        ids = sorted(a.id for a in lib.articles())[: args.articles]

        print("cold export (runs the analysis of articles not cached yet) ...", file=log)
        cold_s = timed_export(lib, ids, args.profile, scratch / "cold")
        shutil.rmtree(scratch / "cold")

        fresh, again = [], []
        for run in range(args.runs):
            out = scratch / f"run{run}"
            fresh.append(timed_export(lib, ids, args.profile, out))
            again.append(timed_export(lib, ids, args.profile, out))
            files = sum(1 for _ in out.iterdir())
            size = sum(p.stat().st_size for p in out.iterdir())
            shutil.rmtree(out)
        export_s = statistics.median(fresh)
        reexport_s = statistics.median(again)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    n = len(ids)
    if args.json:
        print(
            json.dumps(
                {
                    "articles": n,
                    "profile": args.profile,
                    "export_s": round(export_s, 3),
                    "reexport_s": round(reexport_s, 3),
                    "cold_export_s": round(cold_s, 3),
                    "build_s": round(build_s, 3),
                    "runs": args.runs,
                }
            )
        )
        return 0
    rows = [
        ("build library (import_records)", build_s, "once"),
        ("cold export (analysis not cached)", cold_s, "once"),
        ("export, analysis cached, empty folder", export_s, f"median of {args.runs}"),
        ("re-export, files unchanged", reexport_s, f"median of {args.runs}"),
    ]
    print(f"\n{n} articles, profile {args.profile}, {files} files, {size / 1e6:.1f} MB")
    print(f"{'step':<40} {'seconds':>9} {'ms/article':>11}  note")
    for label, secs, note in rows:
        print(f"{label:<40} {secs:>9.2f} {1000 * secs / max(n, 1):>11.2f}  {note}")
    print(
        f"target: export of 10,000 articles <= 10 s ({'met' if export_s * 10_000 / max(n, 1) <= 10 else 'NOT met'} at this rate)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
