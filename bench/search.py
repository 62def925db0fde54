"""Benchmark the library search on a synthetic library.

Builds ``--articles`` articles of realistic names (people from the given-name and
surname lists that ship with ``analysis.data``, organisations from cue words, places
from the place list), at least 10 names per article, then runs misspelled queries
(substitution, transposition, deletion, insertion, word swap, surname only).

Measured:
- build_s: ``SearchIndex.from_records`` over all articles (median of ``--runs``);
- p50_ms / p95_ms: one ``search(query, scope="all", limit=20)`` call;
- recall_at_10: candidate generation against an exhaustive ranking. For each query,
  rapidfuzz WRatio ranks every indexed name, and the index ranks its own candidates
  with the same WRatio. recall_at_10 is the fraction of queries whose exhaustive
  best name (any name tied with it) is in the index's top 10;
- overlap_at_10: the stricter mean over queries of |index top 10 within the
  exhaustive top 10| / 10, ties at the exhaustive 10th score counted as inside.
  WRatio rates any short name found inside the query at 90 ("jn" in "rajna"),
  so the exhaustive top 10 is often mostly such names, which the index's
  candidate generation does not look for;
- prod_overlap_at_10: the same overlap for the search's own scorer (``name_score``)
  against ranking every name with it, counting only names above the score the
  search shows at all (NAME_CUTOFF), on ``--prod-queries`` queries;
- found_at_5: fraction of queries whose intended entity is among the first five
  entity hits of ``search(..., scope="entities")`` (the production scorer);
- update_ms: ``add_record`` of one new article (median), and remove_ms;
- the saved index (``store.search_cache``), each the median of ``--runs``:
  save_s (encode and write the file), load_s (read it and decode it into an
  index), first_query_ms (the first ``search`` after a load, in a new process,
  where the collector first meets the loaded objects), file_mb; cold_build_s is
  ``from_records`` in a new process, for comparison with load_s;
- with ``--library DIR``, ``margin search QUERY --json`` on that library in a new
  process: cli_cold_s without a saved index (it builds one and saves it; the
  saved index in DIR's ``derived/`` is deleted first, which only costs that
  rebuild), then cli_warm_s, the median of ``--runs`` runs that load it.

    python bench/search.py --articles 10000
    python bench/search.py --articles 10000 --json
    python bench/search.py --articles 100 --library ~/news --query Aliev
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from store import search_cache  # noqa: E402
from store.search import NAME_CUTOFF, ArticleRecord, SearchIndex, name_score  # noqa: E402
from store.search_text import clear_cache, normalize  # noqa: E402
from store.storage import write_atomic  # noqa: E402

ORG_CUES = [
    "Club", "Union", "Academy", "Institute", "Council", "Ministry", "Party", "Bank",
    "Foundation", "Association", "Committee", "Agency", "University", "Corporation",
    "Group", "Holdings", "Federation", "Commission", "Front", "Alliance",
]  # fmt: skip
ORG_WORDS = [
    "National", "Political", "Scientists", "Energy", "Public", "Administration",
    "Democratic", "Security", "Development", "Trade", "Central", "Regional", "Caspian",
    "Atlantic", "Mining", "Petroleum", "Maritime", "Agricultural", "Medical", "Justice",
    "Media", "Digital", "Green", "Workers", "Farmers", "Veterans", "Youth", "Heritage",
]  # fmt: skip
TITLE_WORDS = [
    "talks", "visit", "election", "summit", "deal", "crisis", "vote", "reform",
    "protest", "border", "energy", "strategy", "report", "trial", "budget", "storm",
]  # fmt: skip
QUOTE_WORDS = [
    "we", "will", "never", "accept", "this", "the", "people", "deserve", "better",
    "security", "cooperation", "is", "our", "priority", "today", "future", "peace",
]  # fmt: skip


def _load(name: str) -> list[str]:
    text = resources.files("analysis.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class Names:
    """Draws realistic person, organisation and place names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.given = [g for g in _load("given_names.txt") if g.isalpha()]
        self.surnames = [s for s in _load("surnames.txt") if s.replace("-", "").isalpha()]
        self.places = [p for p in _load("places.txt") if not p.startswith("'")]

    def person(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return f"{rng.choice(self.given)} {rng.choice(self.given)} {rng.choice(self.surnames)}"
        return f"{rng.choice(self.given)} {rng.choice(self.surnames)}"

    def org(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return f"{rng.choice(self.places)} {rng.choice(ORG_WORDS)} {rng.choice(ORG_CUES)}"
        if roll < 0.7:
            return f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_WORDS)} {rng.choice(ORG_CUES)}"
        return f"{rng.choice(self.surnames)} {rng.choice(ORG_CUES)}"

    def place(self) -> str:
        return self.rng.choice(self.places)

    def any(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.6:
            return self.person(), "PERSON"
        if roll < 0.8:
            return self.org(), "ORG"
        return self.place(), "PLACE"


def make_records(n_articles: int, seed: int = 7, prefix: str = "a") -> list[ArticleRecord]:
    """``n_articles`` articles of 12-16 names each; most names are new, some recur."""
    rng = random.Random(seed)
    names = Names(rng)
    seen: list[tuple[str, str]] = []
    records = []
    for i in range(n_articles):
        entities = []
        pos = 0
        for _ in range(rng.randint(12, 16)):
            if seen and rng.random() < 0.12:
                name, etype = seen[min(int(rng.paretovariate(1.2)) - 1, len(seen) - 1)]
            else:
                name, etype = names.any()
                seen.append((name, etype))
            for _ in range(rng.randint(1, 3)):
                entities.append((name, etype, name, pos, pos + len(name)))
                pos += len(name) + 40
            if etype == "PERSON" and rng.random() < 0.3:
                surname = name.split()[-1]
                entities.append((surname, etype, name, pos, pos + len(surname)))
                pos += len(surname) + 40
        speaker = next((e[2] for e in entities if e[1] == "PERSON"), None)
        quotes = [
            (" ".join(rng.choices(QUOTE_WORDS, k=12)), speaker, pos, pos + 80),
            (" ".join(rng.choices(QUOTE_WORDS, k=8)), None, pos + 100, pos + 150),
        ]
        title = f"{entities[0][2]} {rng.choice(TITLE_WORDS)} {rng.choice(TITLE_WORDS)}"
        tags = rng.sample(["politics", "economy", "caucasus", "energy", "world"], k=2)
        records.append(
            ArticleRecord(
                id=f"{prefix}{i:06d}", title=title, tags=tags, entities=entities, quotes=quotes
            )
        )
    return records


def misspell(name: str, etype: str, rng: random.Random) -> str:
    """One realistic error: substitution, transposition, deletion, insertion,
    word swap, or (people only) the surname alone with a typo."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = name.split()
    kind = rng.choice(["sub", "swap", "del", "ins", "order", "surname"])
    if kind == "order" and len(words) > 1:
        return " ".join(words[1:] + words[:1])
    if kind == "surname" and len(words) > 1 and etype == "PERSON":
        name, kind = words[-1], rng.choice(["sub", "swap", "del", "ins"])
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    if kind == "sub":
        return name[:i] + rng.choice(letters) + name[i + 1 :]
    if kind == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "del":
        return name[:i] + name[i + 1 :]
    return name[:i] + rng.choice(letters) + name[i:]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(n_articles: int, n_queries: int, runs: int, seed: int, prod_queries: int) -> dict:
    records = make_records(n_articles, seed)
    build_times, build_cpu = [], []
    index = None
    for _ in range(runs):
        index = None
        clear_cache()  # every build starts cold, as at start-up
        t0, c0 = time.perf_counter(), time.process_time()
        index = SearchIndex.from_records(records)
        build_times.append(time.perf_counter() - t0)
        build_cpu.append(time.process_time() - c0)
    assert index is not None
    names = index.names()

    rng = random.Random(seed + 1)
    people = [(e[2], e[1]) for r in records for e in r.entities]
    targets = [people[rng.randrange(len(people))] for _ in range(n_queries)]
    queries = [misspell(name, etype, rng) for name, etype in targets]

    for q in queries[:5]:  # warm caches
        index.search(q)
    times, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        index.search(q, scope="all", limit=20)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)

    recall, overlap = [], []
    for q in queries:
        text = normalize(q)
        exhaustive = process.extract(text, names, scorer=fuzz.WRatio, processor=None, limit=10)
        if not exhaustive:
            continue
        mine = index.rank_names(q, limit=10, scorer=fuzz.WRatio)
        top = exhaustive[0][1]
        recall.append(1.0 if any(score >= top for _, score in mine) else 0.0)
        cut = exhaustive[-1][1]
        overlap.append(sum(1 for _, score in mine if score >= cut) / len(exhaustive))

    prod_overlap = []
    for q in queries[:prod_queries]:
        text = normalize(q)
        words = text.split()
        best = sorted((name_score(text, words, n) for n in names), reverse=True)[:10]
        shown = [score for score in best if score >= NAME_CUTOFF]
        if not shown:
            continue
        mine = index.rank_names(q, limit=10)
        found = sum(1 for _, score in mine if score >= shown[-1])
        prod_overlap.append(min(found, len(shown)) / len(shown))

    found5 = 0
    for q, (name, _etype) in zip(queries, targets, strict=True):
        want = normalize(name)
        for hit in index.search(q, scope="entities", limit=5):
            page = index.entity_page(hit.key)
            if want in {normalize(a) for a in page.aliases}:
                found5 += 1
                break

    fresh = make_records(30, seed + 2, prefix="new")
    add_ms, remove_ms = [], []
    for record in fresh:
        t0 = time.perf_counter()
        index.add_record(record)
        add_ms.append((time.perf_counter() - t0) * 1000)
    for record in fresh:
        t0 = time.perf_counter()
        index.remove_article(record.id)
        remove_ms.append((time.perf_counter() - t0) * 1000)

    saved = saved_index(index, records, queries[0], runs)
    return {
        "names": len(names),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(pct(times, 0.95), 2),
        "p95_cpu_ms": round(pct(cpu, 0.95), 2),
        "recall_at_10": round(statistics.mean(recall), 4) if recall else 0.0,
        "build_s": round(statistics.median(build_times), 3),
        "build_cpu_s": round(statistics.median(build_cpu), 3),
        "overlap_at_10": round(statistics.mean(overlap), 4) if overlap else 0.0,
        "prod_overlap_at_10": round(statistics.mean(prod_overlap), 4) if prod_overlap else 0.0,
        "found_at_5": round(found5 / len(queries), 4),
        "update_ms": round(statistics.median(add_ms), 3),
        "remove_ms": round(statistics.median(remove_ms), 3),
        "articles": n_articles,
        "queries": len(queries),
        **saved,
    }


def saved_index(index: SearchIndex, records, query: str, runs: int) -> dict:
    """Timings of the saved index of ``index`` (see the module docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / search_cache.FILE_NAME
        save = []
        for _ in range(runs):
            t0 = time.perf_counter()
            data = search_cache.encode(index)
            write_atomic(path, data, durable=False)
            save.append(time.perf_counter() - t0)
        children = [_child("load", str(path), query) for _ in range(runs)]
        builds = [_child("build", str(path), query, records) for _ in range(runs)]
    return {
        "save_s": round(statistics.median(save), 3),
        "load_s": round(statistics.median(c["load_s"] for c in children), 3),
        "first_query_ms": round(statistics.median(c["first_query_ms"] for c in children), 2),
        "file_mb": round(len(data) / 1e6, 1),
        "cold_build_s": round(statistics.median(c["build_s"] for c in builds), 3),
        "cold_first_query_ms": round(statistics.median(c["first_query_ms"] for c in builds), 2),
    }


def cli_times(root: Path, query: str, runs: int) -> dict:
    """Wall seconds of ``margin search QUERY --json`` on the library at ``root``,
    without and with its saved index."""
    from store import Library

    library = Library(root, create=False)
    articles = len(library.articles())
    command = [sys.executable, "-m", "tui", "search", query, "--json", "--library", str(root)]

    def once() -> float:
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - t0

    search_cache.index_path(library).unlink(missing_ok=True)
    cold = once()
    warm = [once() for _ in range(runs)]
    return {
        "cli_articles": articles,
        "cli_cold_s": round(cold, 3),
        "cli_warm_s": round(statistics.median(warm), 3),
    }


def _child(mode: str, path: str, query: str, records=None) -> dict:
    """Run one load (or one build from ``records``) and first query in a new
    process, as ``margin search`` does."""
    payload = None
    if records is not None:
        payload = json.dumps(
            [[r.id, r.title, r.tags, r.entities, r.quotes, r.notes, r.highlights] for r in records]
        )
    command = [sys.executable, __file__, "--child", mode, path, query]
    done = subprocess.run(command, input=payload, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(mode: str, path: str, query: str) -> int:
    if mode == "load":
        t0 = time.perf_counter()
        index = search_cache.decode(Path(path).read_bytes(), search_cache.header())
        elapsed = {"load_s": time.perf_counter() - t0}
        if index is None:
            raise SystemExit("the saved index did not load")
    else:
        rows = json.loads(sys.stdin.read())
        records = [
            ArticleRecord(r[0], r[1], r[2], *[list(map(tuple, f)) for f in r[3:]]) for r in rows
        ]
        t0 = time.perf_counter()
        index = SearchIndex.from_records(records)
        elapsed = {"build_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    index.search(query, scope="all", limit=20)
    elapsed["first_query_ms"] = (time.perf_counter() - t0) * 1000
    print(json.dumps(elapsed))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="index builds to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--prod-queries", type=int, default=20, help="queries ranked exhaustively by name_score"
    )
    parser.add_argument("--json", action="store_true", help="one JSON line")
    parser.add_argument("--library", type=Path, help="also time `margin search` on this library")
    parser.add_argument("--query", default="Aliev", help="the query for --library")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    result = run(args.articles, args.queries, args.runs, args.seed, args.prod_queries)
    if args.library:
        result.update(cli_times(args.library.expanduser(), args.query, args.runs))
    if args.json:
        print(json.dumps(result))
        return 0
    rows = [
        ("articles", result["articles"], ""),
        ("distinct names", result["names"], ""),
        ("build", result["build_s"], f"s wall (median of {args.runs})"),
        ("build cpu", result["build_cpu_s"], "s process CPU"),
        ("query p50", result["p50_ms"], "ms"),
        ("query p95", result["p95_ms"], "ms wall"),
        ("query p95 cpu", result["p95_cpu_ms"], "ms process CPU"),
        ("recall_at_10", result["recall_at_10"], "exhaustive WRatio best in top 10"),
        ("overlap_at_10", result["overlap_at_10"], "top 10 vs exhaustive WRatio top 10"),
        ("prod_overlap_at_10", result["prod_overlap_at_10"], "same, search's own scorer"),
        ("found_at_5", result["found_at_5"], "intended entity in top 5"),
        ("update one article", result["update_ms"], "ms (median)"),
        ("remove one article", result["remove_ms"], "ms (median)"),
        ("cold build", result["cold_build_s"], "s, new process"),
        ("first query", result["cold_first_query_ms"], "ms after the cold build"),
        ("save index", result["save_s"], "s encode + write"),
        ("saved file", result["file_mb"], "MB"),
        ("load index", result["load_s"], "s read + decode, new process"),
        ("first query", result["first_query_ms"], "ms after the load"),
    ]
    if args.library:
        rows += [
            ("library articles", result["cli_articles"], str(args.library)),
            ("margin search cold", result["cli_cold_s"], "s, builds and saves the index"),
            ("margin search", result["cli_warm_s"], f"s, loads it (median of {args.runs})"),
        ]
    for label, value, unit in rows:
        print(f"{label:<20} {value!s:>10}  {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
