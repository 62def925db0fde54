"""Export benchmark: Markdown export of a whole annotated library.

Builds a library of N articles (default 10,000) through ``Library.import_records``:
the bundled sample articles, each copy made unique by a closing line, with three
tags, two notes and two highlights (one with a note and tags) per article. Then:

- cold: the library's analysis cache (``derived/analysis``, rebuildable) is
  deleted, then the first export of every article runs the analysis of each
  (entities, quotes) and so fills the cache; measured once, in a child process
  (see ``cold_export``). ``--keep-cache`` skips the deletion (then the analyses
  column shows how many still ran);
- export: ``export_articles`` of all articles into a fresh, empty folder, with the
  analysis cache warmed by that first export (the everyday case): the cache is
  read from disk for every article, nothing is kept in memory between runs
  beyond what one Library object keeps (its index); median of ``--runs``;
- re-export: the same into the folder already holding identical files (nothing is
  rewritten); median of ``--runs``;
- CLI: ``margin export -o DIR`` of the whole library in a new process (start-up,
  opening the library, warm cache), into an empty folder; measured once;
- exported folders are all removed at the end, not between runs: deleting
  thousands of files makes the filesystem slow to create new ones for a while
  afterwards (ext4 with online discard: creating 10,000 files took 0.08-0.10 ms
  each, then 0.5 ms each right after two such folders were deleted), which
  would charge the benchmark's own clean-up to the next export;
- phases (``--phases``): one pass over all articles timing each step of one
  article's export separately (index look-up, text, annotations, cached
  analysis, rendering, file write), per article.

The first export always runs in one process (so the analyses it runs are counted);
``--workers`` applies to the timed runs. With workers, "CPU s" is only this process's.

Usage::

    python bench/export.py                          # 10,000 articles, obsidian
    python bench/export.py --articles 500 --runs 3 --profile plain
    python bench/export.py --library lib10k         # keep the library for the next run
    python bench/export.py --workers 2              # share the export between 2 processes
    python bench/export.py --library lib10k --keep-cache   # skip the cold analyses
    python bench/export.py --phases                 # also time each step per article
    python bench/export.py --json                   # one line: {"articles": n, "export_s": x, ...}

The target is export <= 10 s for 10,000 articles. Timings depend on the disk and on
whatever else the machine is doing; file creation dominates on slow filesystems.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import analysis_cache  # noqa: E402
from store import export as export_module  # noqa: E402
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


def cold_export(root: Path, n: int, profile: str, out: Path) -> tuple[float, float, int]:
    """timed_export in a child process. Analysing thousands of texts leaves the
    analysis modules' caches (many objects) in the process that did it, which
    slows every later garbage collection; the timed exports stand for a process
    that reads a warm cache, so they must not run in that one."""
    command = [sys.executable, __file__, "--cold-child", str(root), str(out), profile, str(n)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall, cpu, analyses = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, cpu, analyses


def _cold_child(root: str, out: str, profile: str, n: str) -> int:
    _count_analyses()
    lib = Library(root)
    ids = sorted(a.id for a in lib.articles())[: int(n)]
    print(json.dumps(list(timed_export(lib, ids, profile, Path(out)))))
    return 0


def analysis_code() -> str:
    """A fingerprint of the analysis package's files as they are on disk now. If
    it changes during a run, later steps may re-run analyses (the cache follows
    the code), which the table then says."""
    import analysis

    digest = hashlib.sha256()
    analysis_cache.hash_files(digest, analysis.__path__)
    return digest.hexdigest()


def cli_export(root: Path, profile: str, out: Path) -> float:
    """Wall seconds of ``margin export`` of the whole library in a new process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "tui", "export", "--library", str(root)]
    command += ["--profile", profile, "-o", str(out)]
    t0 = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


PHASES = ("look-up", "text", "annotations", "analysis", "render", "write")


def phases(lib: Library, ids: list[str], profile: str, out: Path) -> dict[str, float]:
    """Milliseconds per article of each step of an export, over one pass."""
    render = export_module._renderer(profile)
    total = dict.fromkeys(PHASES, 0.0)
    clock = time.perf_counter
    out.mkdir()
    for aid in ids:
        t0 = clock()
        article = lib.get(aid)
        t1 = clock()
        text = lib.text(aid)
        t2 = clock()
        annotations = lib.annotations(aid)
        t3 = clock()
        analysis = lib.analysis(aid)
        t4 = clock()
        data = export_module._encode(
            render(export_module.ExportItem(article, text, annotations, analysis))
        )
        t5 = clock()
        export_module._write_if_changed(out / f"{aid}.md", data)
        t6 = clock()
        for name, a, b in zip(
            PHASES, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6), strict=True
        ):
            total[name] += b - a
    return {name: 1000 * value / max(len(ids), 1) for name, value in total.items()}


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
    parser.add_argument(
        "--keep-cache", action="store_true", help="do not clear the analysis cache first"
    )
    parser.add_argument("--phases", action="store_true", help="also time each step")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--cold-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_child:
        return _cold_child(*args.cold_child)
    workers = args.workers or None
    log = sys.stderr if args.json else sys.stdout

    scratch = Path(tempfile.mkdtemp(prefix="margin-bench-export-"))
    try:
        root = Path(args.library) if args.library else scratch / "library"
        print(f"building a library of {args.articles} articles in {root} ...", file=log)
        build_s = build(root, args.articles)
        if not args.keep_cache:
            shutil.rmtree(root / "derived" / "analysis", ignore_errors=True)
        lib = Library(root)
        ids = sorted(a.id for a in lib.articles())[: args.articles]

        print("cold export (runs the analysis of articles not cached yet) ...", file=log)
        _count_analyses()
        code = analysis_code()
        cold = cold_export(root, len(ids), args.profile, scratch / "cold")

        fresh, again = [], []
        for run in range(args.runs):
            out = scratch / f"run{run}"
            fresh.append(timed_export(lib, ids, args.profile, out, workers))
            again.append(timed_export(lib, ids, args.profile, out, workers))
            # the Markdown files only, not the folder's manifest
            files = sum(1 for _ in out.glob("*.md"))
            size = sum(p.stat().st_size for p in out.glob("*.md"))
        cli = float("nan")
        if len(ids) == len(lib.articles()):
            print("margin export in a new process ...", file=log)
            cli = cli_export(root, args.profile, scratch / "cli")
        before = ANALYSES[0]
        steps = phases(lib, ids, args.profile, scratch / "phases") if args.phases else {}
        phase_analyses = ANALYSES[0] - before
        code_changed = analysis_code() != code
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
                    "cold_cache_cleared": not args.keep_cache,
                    "cli_export_s": None if cli != cli else round(cli, 3),
                    "phases_ms": {k: round(v, 4) for k, v in steps.items()},
                    "analysis_code_changed": code_changed,
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
        ("margin export, new process", (cli, float("nan"), 0), "once"),
    ]
    print(
        f"\n{n} articles, profile {args.profile}, workers {args.workers or 'auto'}, "
        f"{files} files, {size / 1e6:.1f} MB"
    )
    print(f"{'step':<40} {'wall s':>8} {'CPU s':>8} {'ms/article':>11} {'analyses':>9}  note")
    for label, (wall, cpu, analyses), note in rows:
        per = 1000 * wall / max(n, 1)
        print(f"{label:<40} {wall:>8.2f} {cpu:>8.2f} {per:>11.2f} {analyses:>9}  {note}")
    if steps:
        print("\nper article, one pass: " + ", ".join(f"{k} {v:.3f} ms" for k, v in steps.items()))
        print(f"(analyses run in that pass: {phase_analyses})")
    if code_changed:
        print("WARNING: the analysis package changed during the run; steps after the change")
        print("re-ran analyses (the cache follows the code), so their timings include them")
    warm = "cache cleared first" if not args.keep_cache else "cache kept from earlier runs"
    print(f"first export: {warm}; the timed exports read the cache it filled")
    rate = export[0] * 10_000 / max(n, 1)
    verdict = "met" if rate <= 10 else "NOT met"
    print(f"target: export of 10,000 articles <= 10 s: {verdict} ({rate:.1f} s at this rate)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
