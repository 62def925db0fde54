"""Re-analysis after teaching: which cached analyses are stale, and bringing them
up to date with progress, cancelling, and other writers at work meanwhile."""

from __future__ import annotations

import time

import pytest

import analysis
from store import analysis_cache
from store.errors import StoreError
from store.library import Library

TEXTS = [
    "Talks in Baku\n\nPresident Ilham Aliyev met the delegation in Baku on Monday.\n",
    "Trade in Tbilisi\n\nThe ministers from Baku and Tbilisi signed a trade deal.\n",
    "Weather in Paris\n\nIt rained in Paris, said Marie Dupont of the weather office.\n",
]


@pytest.fixture(autouse=True)
def fresh_code_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprint the analysis code afresh for each test: others may edit it
    while a long test session runs, which rightly turns the cache off."""
    monkeypatch.setattr(analysis_cache, "_STARTED_NS", time.time_ns())
    analysis_cache.analysis_code.cache_clear()


@pytest.fixture
def ids(library: Library) -> list[str]:
    """Three articles, each analysed once (as a library in use has them)."""
    out = []
    for i, text in enumerate(TEXTS):
        article, _ = library.add_article(text, title=None, source=f"a{i}.txt")
        library.analysis(article.id)
        out.append(article.id)
    return out


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts that analysis.analyze was really run on."""
    calls: list[str] = []
    real = analysis.analyze

    def analyze(text, taught=()):
        calls.append(text)
        return real(text, taught)

    monkeypatch.setattr(analysis, "analyze", analyze)
    return calls


def _names(library: Library, article_id: str) -> set[str]:
    return {e.text for e in library.analysis(article_id).entities}


def test_cached_analyses_are_fresh_until_something_is_taught(library, ids) -> None:
    assert library.stale_analyses() == []
    library.teach("reject", "Baku")
    # The rules are part of every article's key: newest first, as the list shows them.
    assert library.stale_analyses() == [a.id for a in library.articles()]
    assert sorted(library.stale_analyses()) == sorted(ids)


def test_reanalyze_brings_every_stale_article_up_to_date(library, ids, counted) -> None:
    assert "Baku" in _names(library, ids[0])
    library.teach("reject", "Baku")
    assert library.reanalyze() == 3
    assert len(counted) == 3
    assert library.stale_analyses() == []
    # Opening the articles now reads the caches the run wrote.
    assert "Baku" not in _names(library, ids[0]) | _names(library, ids[1])
    assert "Paris" in _names(library, ids[2])
    assert len(counted) == 3
    assert library.reanalyze() == 0


def test_articles_never_analysed_are_stale(library) -> None:
    article, _ = library.add_article(TEXTS[0], title=None, source="x.txt")
    assert library.stale_analyses() == [article.id]
    assert library.reanalyze() == 1
    assert library.stale_analyses() == []


def test_a_damaged_or_foreign_cache_file_is_stale(library, ids) -> None:
    path = library.paths.analysis_cache(ids[1])
    path.write_bytes(b'{"key":"' + b"0" * 64 + b'","format":2,"title":null}')
    other = library.paths.analysis_cache(ids[2])
    other.write_bytes(b"not json at all")
    assert set(library.stale_analyses()) == {ids[1], ids[2]}
    assert library.reanalyze() == 2
    assert library.stale_analyses() == []


def test_stored_key_reads_the_key_of_a_cache_file(tmp_path) -> None:
    result = analysis.analyze(TEXTS[0])
    key = "ab" * 32
    path = tmp_path / "c.json"
    path.write_bytes(analysis_cache.encode(key, result))
    assert analysis_cache.stored_key(path) == key
    path.write_bytes(analysis_cache.encode(key, result)[:40])
    assert analysis_cache.stored_key(path) is None
    assert analysis_cache.stored_key(tmp_path / "missing.json") is None


def test_only_the_ids_given_are_reanalysed(library, ids) -> None:
    library.teach("reject", "Paris")
    assert library.stale_analyses([ids[2], "nosuchid"]) == [ids[2]]
    assert library.reanalyze([ids[2]]) == 1
    assert set(library.stale_analyses()) == {ids[0], ids[1]}


def test_progress_counts_up_to_the_total_and_names_each_article(library, ids) -> None:
    library.teach("retype", "Baku", type="ORG")
    calls: list[tuple[int, int]] = []
    names: list[str] = []
    library.reanalyze(
        progress=lambda done, total: calls.append((done, total)), analysed=names.append
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert names == [a.id for a in library.articles()]


def test_cancel_stops_the_run_and_leaves_the_rest_stale(library, ids) -> None:
    library.teach("reject", "Baku")
    calls: list[tuple[int, int]] = []
    analysed = library.reanalyze(
        progress=lambda done, total: calls.append((done, total)), cancel=lambda: bool(calls)
    )
    assert analysed == 1
    assert calls == [(1, 3)]
    assert len(library.stale_analyses()) == 2


def test_an_article_deleted_during_the_run_is_skipped(library, ids) -> None:
    library.teach("reject", "Baku")
    order = library.stale_analyses()
    victim = order[-1]

    def progress(done: int, total: int) -> None:
        if done == 1:
            library.delete_article(victim)

    assert library.reanalyze(progress=progress) == 2
    assert library.stale_analyses() == []
    assert not library.paths.analysis_cache(victim).exists()


def test_rules_taught_by_another_process_mid_run_are_applied(library, ids) -> None:
    library.teach("reject", "Baku")
    other = Library(library.root)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 1 and total == 3:
            other.teach("reject", "Paris")

    analysed = library.reanalyze(progress=progress)
    # The article done before the second rule was analysed again under it.
    assert analysed == 4
    assert calls[-1] == (4, 4)
    assert library.stale_analyses() == []
    assert other.stale_analyses() == []
    for aid in ids:
        names = _names(other, aid)
        assert "Baku" not in names and "Paris" not in names


def test_annotations_are_not_touched(library, ids) -> None:
    aid = ids[0]
    library.add_note(aid, "my note")
    library.add_highlight(aid, 0, 5, note="hl")
    shard = library.paths.shard(aid)
    before = shard.read_bytes(), shard.stat().st_mtime_ns
    library.teach("reject", "Baku")
    library.reanalyze()
    assert (shard.read_bytes(), shard.stat().st_mtime_ns) == before


def test_no_run_when_the_analysis_code_changed_under_the_process(library, ids, monkeypatch) -> None:
    library.teach("reject", "Baku")
    monkeypatch.setattr(analysis_cache.analysis_code(), "usable", False)
    with pytest.raises(StoreError, match="restart margin"):
        library.reanalyze()
