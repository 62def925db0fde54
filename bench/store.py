"""Store benchmark: durable save, open + list, and import throughput.

Builds libraries of synthetic ~5 KB articles with ~10 annotations each (3 tags,
4 notes, 3 highlights) through ``Library.import_records``, then measures through
the public Library API:

- save: one durable ``add_tags``, ``add_note`` or ``add_highlight`` on a random
  article (lock, read, write, fsync, replace, fsync of the directory);
- open: constructing a ``Library`` and calling ``summaries()`` (the library list);
- import: ``add_article`` one article per call into an empty library, and
  ``add_articles`` for a whole batch (a folder import).

Usage::

    python bench/store.py                       # table for 100, 1,000, 10,000
    python bench/store.py --articles 100 1000 --runs 3
    python bench/store.py --articles 100 1000 10000 --json

Every figure is a median over several runs; timings depend on the disk's fsync
latency, which is shared with whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.anchoring import selector  # noqa: E402
from store.library import Library, text_sha256  # noqa: E402
from store.models import Annotations, Article, Highlight, Note  # noqa: E402

WORDS_PER_ARTICLE = 850  # about 5 KB of text
BATCH = 1000
TAGS = ["politics", "economy", "caucasus", "energy", "diplomacy", "to read", "quotes"]


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < 3000:
        words.add("".join(rng.choices(letters, k=rng.randint(2, 10))))
    return sorted(words)


def synthetic_text(rng: random.Random, vocab: list[str], i: int) -> str:
    """About 5 KB of sentences and paragraphs, unique per ``i``."""
    words = rng.choices(vocab, k=WORDS_PER_ARTICLE)
    out = [f"Synthetic article {i}\n\n"]
    for start in range(0, len(words), 12):
        sentence = " ".join(words[start : start + 12])
        out.append(sentence[:1].upper() + sentence[1:] + ". ")
        if start % 96 == 84:
            out.append("\n\n")
    return "".join(out).rstrip() + "\n"


def _record(rng: random.Random, vocab: list[str], i: int) -> tuple[Article, str, Annotations]:
    text = synthetic_text(rng, vocab, i)
    sha = text_sha256(text)
    stamp = "2026-01-01T00:00:00Z"
    article = Article(
        id=sha[:10],
        title=f"Synthetic article {i}",
        source=f"bench-{i}.txt",
        sha256=sha,
        added=stamp,
    )
    highlights = []
    for k in range(3):
        start = rng.randrange(0, len(text) - 200)
        anchor = selector(text, start, start + rng.randint(20, 150))
        highlights.append(
            Highlight(
                id=f"hl-{i:04x}{k:04x}"[-11:],
                start=anchor.start,
                end=anchor.end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                created=stamp,
            )
        )
    notes = [
        Note(id=f"n-{i:05x}{k:03x}"[-10:], text=f"note {k} on {i}", created=stamp) for k in range(4)
    ]
    annotations = Annotations(article.id, rng.sample(TAGS, 3), notes, highlights, 0)
    return article, text, annotations


def build(root: Path, n: int, seed: int = 1) -> float:
    """Fill ``root`` with ``n`` annotated articles; returns seconds taken."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    lib = Library(root)
    t0 = time.perf_counter()
    for first in range(0, n, BATCH):
        batch = [_record(rng, vocab, i) for i in range(first, min(n, first + BATCH))]
        lib.import_records(batch)
    return time.perf_counter() - t0


def measure_saves(root: Path, runs: int, per_kind: int, seed: int = 2) -> dict[str, float]:
    """Median ms of durable saves, overall and per kind, and of the disk floor
    (:func:`disk_floor_once`) measured between them."""
    rng = random.Random(seed)
    lib = Library(root)
    ids = [a.id for a in lib.articles()]
    times: dict[str, list[float]] = {"tag": [], "note": [], "highlight": []}
    floor: list[float] = []
    for run in range(runs):
        for k in range(per_kind):
            for kind in times:
                aid = rng.choice(ids)
                t0 = time.perf_counter()
                if kind == "tag":
                    lib.add_tags(aid, [f"bench {run} {k}"])
                elif kind == "note":
                    lib.add_note(aid, f"bench note {run} {k}")
                else:
                    start = rng.randrange(0, 4000)
                    lib.add_highlight(aid, start, start + 40)
                times[kind].append((time.perf_counter() - t0) * 1000)
                # Interleaved, so that both see the same load on a shared disk.
                floor.append(disk_floor_once(root.parent))
    medians = {kind: statistics.median(v) for kind, v in times.items()}
    medians["all"] = statistics.median([x for v in times.values() for x in v])
    medians["floor"] = statistics.median(floor)
    return medians


def measure_open(root: Path, runs: int) -> float:
    """Median ms of Library(root) + summaries()."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        lib = Library(root)
        rows = lib.summaries()
        times.append((time.perf_counter() - t0) * 1000)
        assert rows
    return statistics.median(times)


def disk_floor_once(folder: Path) -> float:
    """Ms for the bare minimum a durable replace costs on this disk: write 2 KB to
    a temp file, fsync it, rename it over the target, fsync the folder."""
    target, tmp = folder / "floor.json", folder / "floor.tmp"
    t0 = time.perf_counter()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b"x" * 2048)
    os.fsync(fd)
    os.close(fd)
    os.replace(tmp, target)
    dfd = os.open(folder, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
    return (time.perf_counter() - t0) * 1000


def measure_import(base: Path, runs: int, count: int = 200, seed: int = 3) -> tuple[float, float]:
    """Median MB/s importing ``count`` articles: one call each, and one batch."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    single, batch = [], []
    for run in range(runs):
        texts = [synthetic_text(rng, vocab, run * 100_000 + i) for i in range(count)]
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        lib = Library(base / f"single-{run}")
        t0 = time.perf_counter()
        for i, text in enumerate(texts):
            lib.add_article(text, title=f"a {i}", source=f"single-{run}-{i}.txt")
        single.append(mb / (time.perf_counter() - t0))
        texts = [synthetic_text(rng, vocab, run * 100_000 + 50_000 + i) for i in range(count)]
        lib = Library(base / f"batch-{run}")
        t0 = time.perf_counter()
        lib.add_articles(
            {"text": t, "title": f"b {i}", "source": f"batch-{run}-{i}.txt"}
            for i, t in enumerate(texts)
        )
        batch.append(mb / (time.perf_counter() - t0))
    return statistics.median(single), statistics.median(batch)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table, or one JSON line with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    parser.add_argument("--saves", type=int, default=10, help="saves of each kind per run")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--dir", type=Path, default=None, help="where to build (a temp dir)")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="margin-bench-", dir=args.dir))
    log = sys.stderr if args.json else sys.stdout
    rows = []
    try:
        for n in args.articles:
            root = base / f"lib-{n}"
            built = build(root, n)
            t0 = time.perf_counter()
            Library(root).summaries()
            first_open = (time.perf_counter() - t0) * 1000
            saves = measure_saves(root, args.runs, args.saves)
            opened = measure_open(root, args.runs)
            # A library at rest (its folders' last changes over two seconds old, as
            # when the app starts well after the last save) skips unchanged folders.
            time.sleep(2.1)
            Library(root).summaries()
            settled = measure_open(root, args.runs)
            size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
            rows.append((n, built, size, first_open, opened, settled, saves))
            print(f"built {n} articles in {built:.1f} s ({size:.1f} MB)", file=log, flush=True)
            shutil.rmtree(root, ignore_errors=True)
        single, batch = measure_import(base, args.runs)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    if args.json:
        print(
            json.dumps(
                {
                    "save_ms": {str(r[0]): round(r[6]["all"], 3) for r in rows},
                    "open_ms": {str(r[0]): round(r[4], 1) for r in rows},
                    "import_mb_s": round(single, 2),
                }
            )
        )
        return 0
    print()
    print(
        f"{'articles':>9} {'save ms':>8} {'tag':>6} {'note':>6} {'hl':>6} {'floor':>6} "
        f"{'open+list ms':>13} {'at rest':>8} {'1st open ms':>12} {'build s':>8} {'MB':>6}"
    )
    for n, built, size, first_open, opened, settled, s in rows:
        print(
            f"{n:>9,} {s['all']:>8.2f} {s['tag']:>6.2f} {s['note']:>6.2f} {s['highlight']:>6.2f} "
            f"{s['floor']:>6.2f} "
            f"{opened:>13.1f} {settled:>8.1f} {first_open:>12.1f} {built:>8.1f} {size:>6.1f}"
        )
    print()
    print(f"import, one add_article per file: {single:.2f} MB/s")
    print(f"import, one add_articles batch:   {batch:.2f} MB/s")
    print(f"(medians of {args.runs} runs; save = {args.saves} saves of each kind per run)")
    print("floor: write 2 KB + fsync + rename + fsync of the folder, between the saves")
    print("open+list: Library(root) + summaries() right after the saves; at rest: 2 s later;")
    print("1st open: right after the library was built (every folder new)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
