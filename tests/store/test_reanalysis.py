"""Re-analysis after teaching: which cached analyses are stale, and bringing them
up to date with progress, cancelling, and other writers at work meanwhile."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _names(library: Library, article_id: str) -> set[str]:
    return {e.text for e in library.analysis(article_id).entities}


def _newest_first(library: Library, wanted) -> list[str]:
    return [a.id for a in library.articles() if a.id in set(wanted)]


def test_teaching_makes_stale_only_the_articles_that_mention_the_name(library, ids) -> None:
    assert library.stale_analyses() == []
    library.teach("reject", "Baku")
    # Newest first, as the list shows them; the Paris article does not mention Baku.
    assert library.stale_analyses() == _newest_first(library, ids[:2])
    library.teach("retype", "TBILISI", type="ORG")
    assert library.stale_analyses() == _newest_first(library, ids[:2])
    library.reanalyze()
    assert library.stale_analyses() == []
    library.teach("rename", "paris", canonical="City of Light")
    assert library.stale_analyses() == [ids[2]]
    library.teach("reject", "Nowhere")
    assert library.stale_analyses() == [ids[2]]


def test_forgetting_a_rule_makes_stale_the_same_articles(library, ids) -> None:
    library.teach("reject", "Tbilisi")
    library.teach("reject", "Paris")
    library.reanalyze()
    rule = next(t for t in library.taught() if t.text == "Tbilisi")
    library.forget(rule.id)
    assert library.stale_analyses() == [ids[1]]
    library.reanalyze()
    assert "Tbilisi" in _names(library, ids[1])
    # Teaching it again brings back the key of the analysis made under it.
    library.teach("reject", "Tbilisi")
    assert library.stale_analyses() == [ids[1]]


def test_a_retype_reaches_articles_through_a_renamed_name(library, ids) -> None:
    library.teach("rename", "Paris", canonical="City of Light")
    library.reanalyze()
    # No article says "City of Light": the retype reaches the Paris article
    # through the rename.
    library.teach("retype", "city of light", type="ORG")
    assert library.stale_analyses() == [ids[2]]
    library.reanalyze()
    paris = [e for e in library.analysis(ids[2]).entities if e.text == "Paris"]
    assert paris and {(e.type, e.canonical) for e in paris} == {("ORG", "City of Light")}


def test_reanalyze_brings_every_stale_article_up_to_date(library, ids, counted) -> None:
    assert "Baku" in _names(library, ids[0])
    library.teach("reject", "Baku")
    assert library.reanalyze() == 2
    assert len(counted) == 2
    assert library.stale_analyses() == []
    # Opening the articles now reads the caches the run wrote.
    assert "Baku" not in _names(library, ids[0]) | _names(library, ids[1])
    assert "Paris" in _names(library, ids[2])
    assert len(counted) == 2
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
    assert analysis_cache.stored_keys(path) == (key, key)
    path.write_bytes(analysis_cache.encode(key, result, "cd" * 32))
    assert analysis_cache.stored_keys(path) == (key, "cd" * 32)
    raw = path.read_bytes()
    for either in (key, "cd" * 32):
        assert analysis_cache.decode(raw, "ef" * 32, either) == result
        assert analysis_cache.decode(raw, either) == result
    assert analysis_cache.decode(raw, "ef" * 32) is None
    path.write_bytes(analysis_cache.encode(key, result)[:40])
    assert analysis_cache.stored_key(path) is None
    assert analysis_cache.stored_key(tmp_path / "missing.json") is None


def test_only_the_ids_given_are_reanalysed(library, ids) -> None:
    library.teach("reject", "Baku")
    assert library.stale_analyses([ids[1], "nosuchid", ids[2]]) == [ids[1]]
    assert library.reanalyze([ids[1]]) == 1
    assert library.stale_analyses() == [ids[0]]


def test_progress_counts_up_to_the_total_and_names_each_article(library, ids) -> None:
    library.teach("retype", "Baku", type="ORG")
    calls: list[tuple[int, int]] = []
    names: list[str] = []
    library.reanalyze(
        progress=lambda done, total: calls.append((done, total)), analysed=names.append
    )
    assert calls == [(1, 2), (2, 2)]
    assert names == _newest_first(library, ids[:2])


def test_cancel_stops_the_run_and_leaves_the_rest_stale(library, ids) -> None:
    library.teach("reject", "Baku")
    calls: list[tuple[int, int]] = []
    analysed = library.reanalyze(
        progress=lambda done, total: calls.append((done, total)), cancel=lambda: bool(calls)
    )
    assert analysed == 1
    assert calls == [(1, 2)]
    assert len(library.stale_analyses()) == 1


def test_an_article_deleted_during_the_run_is_skipped(library, ids) -> None:
    library.teach("reject", "Baku")
    order = library.stale_analyses()
    victim = order[-1]

    def progress(done: int, total: int) -> None:
        if done == 1:
            library.delete_article(victim)

    assert library.reanalyze(progress=progress) == 1
    assert library.stale_analyses() == []
    assert not library.paths.analysis_cache(victim).exists()


def test_rules_taught_by_another_process_mid_run_are_applied(library, ids) -> None:
    library.teach("reject", "Baku")
    other = Library(library.root)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 1 and total == 2:
            # About both Baku articles (one done, one not yet) and the Paris one.
            other.teach("rename", "Baku", canonical="Baki")
            other.teach("reject", "Paris")

    analysed = library.reanalyze(progress=progress)
    # The article done before the new rules was analysed again under them, and
    # the Paris article, which they reached, too.
    assert analysed == 4
    assert calls[-1] == (4, 4)
    assert library.stale_analyses() == []
    assert other.stale_analyses() == []
    for aid in ids:
        assert not _names(other, aid) & {"Baku", "Paris"}


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


RULE_POOL = [
    ("reject", "Baku", None, None),
    ("reject", "PARIS", None, None),
    ("retype", "Tbilisi", "ORG", None),
    ("retype", "Baki", "PERSON", None),
    ("retype", "City of Light", "ORG", None),
    ("rename", "Baku", None, "Baki"),
    ("merge", "paris", None, "City of Light"),
    ("rename", "Marie Dupont", None, "M. Dupont"),
    ("add", "delegation", "ORG", None),
    ("add", "weather office", "ORG", None),
    ("add", "Nowhere", "PLACE", None),
    ("reject", "Ilham Aliyev", None, None),
]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("teach"), st.sampled_from(RULE_POOL)),
        st.tuples(st.just("forget"), st.integers(0, 5)),
        st.tuples(st.just("reanalyze"), st.none()),
        st.tuples(st.just("open"), st.integers(0, len(TEXTS) - 1)),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_after_any_teaching_an_article_reads_as_analysed_under_all_rules(actions) -> None:
    analysis_cache.analysis_code.cache_clear()
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder) / "lib")
        try:
            ids = [
                library.add_article(t, title=None, source=f"{i}.txt")[0].id
                for i, t in enumerate(TEXTS)
            ]
            for aid in ids:
                library.analysis(aid)
            for action, arg in actions:
                if action == "teach":
                    library.teach(*arg)
                elif action == "forget" and library.taught():
                    taught = library.taught()
                    library.forget(taught[arg % len(taught)].id)
                elif action == "reanalyze":
                    library.reanalyze()
                elif action == "open":
                    library.analysis(ids[arg])
            rules = library.taught_rules()
            stale = set(library.stale_analyses())
            for aid, text in zip(ids, TEXTS, strict=True):
                expected = analysis.analyze(text, rules)
                if aid not in stale:
                    # What a fresh cache file holds, read without the library.
                    path = library.paths.analysis_cache(aid)
                    key = analysis_cache.stored_key(path)
                    assert analysis_cache.decode(path.read_bytes(), key) == expected
                assert library.analysis(aid) == expected
            assert library.stale_analyses() == []
        finally:
            library.close()


def test_string_paths_are_the_layouts(library, ids) -> None:
    for aid in ids:
        article = library.get(aid)
        assert library._cache_file(aid) == str(library.paths.analysis_cache(aid))
        assert library.paths.body(article.sha256).exists()
        assert library._read_body(article) == library.text(aid)
