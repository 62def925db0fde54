"""A large export shared between processes.

Rendering and writing thousands of files is CPU work that one Python process does
on one core; each worker process opens the same library folder read-only (reads
take no lock) and writes its share of the files. Processes are started with
"spawn", which is safe from a program that runs threads (the TUI exports from a
worker thread) and is what Windows and macOS use anyway.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from store.models import Article

PARALLEL_MIN = 2000  # below this, starting processes costs more than it saves
MAX_WORKERS = 4
CHUNK = 250  # articles per task: progress granularity vs. task overhead

_libraries: dict[str, object] = {}  # per worker process: library root -> Library


def auto_workers(library, total: int) -> int:
    """How many processes an export of ``total`` articles should use."""
    if total < PARALLEL_MIN or not can_share(library):
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def can_share(library) -> bool:
    """True when other processes can open the same library (it has a folder)."""
    return isinstance(getattr(library, "root", None), (str, Path))


def _export_chunk(
    root: str, profile: str, jobs: list[tuple[str, str, str | None]]
) -> list[str | None]:
    from store.export import _renderer, export_one
    from store.library import Library

    library = _libraries.get(root)
    if library is None:
        library = _libraries[root] = Library(root, create=False)
    renderer = _renderer(profile)
    return [
        export_one(library, library.get(article_id), renderer, Path(path), guard)
        for article_id, path, guard in jobs
    ]


def export_in_processes(
    library,
    articles: list[Article],
    paths: list[Path],
    profile: str,
    progress: Callable[[int, int], None] | None,
    workers: int,
    guards: list[str | None] | None = None,
) -> list[str | None]:
    """Export ``articles`` to ``paths`` with ``workers`` processes, each file as
    ``export_one`` writes it with its ``guards`` entry (default: overwrite);
    returns what ``export_one`` returned for each, in the order of ``articles``.
    An error in any of them (a StoreError with its one-line message) is raised
    here, and the tasks not yet started are cancelled."""
    if guards is None:
        guards = [None] * len(articles)
    jobs = [(a.id, str(p), g) for a, p, g in zip(articles, paths, guards, strict=True)]
    if not jobs:
        return []
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    context = multiprocessing.get_context("spawn")
    root = str(library.root)
    done = 0
    digests: list[list[str | None]] = [[] for _ in chunks]
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
        futures = {
            pool.submit(_export_chunk, root, profile, chunk): n for n, chunk in enumerate(chunks)
        }
        try:
            for future in as_completed(futures):
                digests[futures[future]] = future.result()
                done += len(digests[futures[future]])
                if progress is not None:
                    progress(done, len(jobs))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [digest for chunk in digests for digest in chunk]
