"""The analysis cache: compact files that load back equal, keys that follow the
text, the taught rules and the analysis code's contents (not file times), and
damaged cache files that are recomputed rather than trusted."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis
from analysis.types import Analysis, Block, Entity, Quote
from store import analysis_cache
from store.library import Library
from store.models import Article

TEXT = (
    "President Ilham Aliyev met Peter Tase in Baku.\n\n"
    '"The corridor matters," Mammadov noted. Tase said: "We agree."\n'
)


@pytest.fixture(autouse=True)
def fresh_code_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprint the analysis code afresh for each test: others may edit it
    while a long test session runs, which rightly turns the cache off."""
    monkeypatch.setattr(analysis_cache, "_STARTED_NS", time.time_ns())
    analysis_cache.analysis_code.cache_clear()


@pytest.fixture
def article(library: Library) -> Article:
    art, _ = library.add_article(TEXT, title="Talks in Baku", source="https://example.org/t")
    return art


def _sample() -> Analysis:
    return Analysis(
        title="Ünïcode — “title”",
        blocks=[Block(0, 10, "title"), Block(12, 40, "paragraph")],
        entities=[
            Entity(0, 4, "PERSON", "Ilham", "Ilham Aliyev"),
            Entity(5, 9, "PLACE", "Bakı", "Bakı"),
        ],
        quotes=[
            Quote(12, 30, "Zaur Mammadov", 0.9, 31, 39),
            Quote(32, 40, None),
        ],
    )


def test_encode_decode_round_trip() -> None:
    result = _sample()
    raw = analysis_cache.encode("k", result)
    assert analysis_cache.decode(raw, "k") == result
    data = json.loads(raw)
    # one array per object, fields in declaration order
    assert data["entities"][0] == [0, 4, "PERSON", "Ilham", "Ilham Aliyev"]
    assert data["quotes"][1] == [32, 40, None, 0.0, None, None]


_names = st.text(min_size=0, max_size=20)


@given(
    title=st.none() | _names,
    entities=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.sampled_from(["PERSON", "ORG", "PLACE", "MISC"]),
            _names,
            _names,
        ),
        max_size=8,
    ),
    speakers=st.lists(st.none() | _names, max_size=4),
)
def test_round_trip_of_any_text(title, entities, speakers) -> None:
    result = Analysis(
        title=title,
        blocks=[Block(0, 1, "paragraph")],
        entities=[Entity(*row) for row in entities],
        quotes=[Quote(i, i + 1, s, 0.5) for i, s in enumerate(speakers)],
    )
    assert analysis_cache.decode(analysis_cache.encode("key", result), "key") == result


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"\xff\xfe not utf-8",
        b"[]",
        b'{"key": "k"}',
        b'{"key": "k", "format": 1, "title": null, "blocks": [], "entities": [], "quotes": []}',
        b'{"key": "k", "format": 2, "title": 5, "blocks": [], "entities": [], "quotes": []}',
        b'{"key": "k", "format": 2, "title": null, "blocks": [[0, 1]], "entities": [], "quotes": []}',
        b'{"key": "k", "format": 2, "title": null, "blocks": [], "entities": [7], "quotes": []}',
        b'{"key": "k", "format": 2, "title": null, "blocks": {}, "entities": [], "quotes": 3}',
    ],
)
def test_damaged_cache_files_are_not_trusted(raw: bytes) -> None:
    assert analysis_cache.decode(raw, "k") is None


def test_another_key_is_a_miss() -> None:
    raw = analysis_cache.encode("old", _sample())
    assert analysis_cache.decode(raw, "new") is None


def test_a_hit_runs_no_analysis(library: Library, article: Article, counted: list[str]) -> None:
    first = library.analysis(article.id)
    assert counted == [TEXT]
    again = library.analysis(article.id)
    assert again == first
    assert counted == [TEXT]
    # and so does another Library object (another process) on the same folder
    other = Library(library.root)
    assert other.analysis(article.id) == first
    assert counted == [TEXT]


def test_damaged_cache_is_recomputed_and_rewritten(
    library: Library, article: Article, counted: list[str]
) -> None:
    first = library.analysis(article.id)
    path = library.paths.analysis_cache(article.id)
    path.write_bytes(path.read_bytes()[:40])
    assert library.analysis(article.id) == first
    assert len(counted) == 2
    assert analysis_cache.decode(path.read_bytes(), json.loads(path.read_bytes())["key"]) == first


def test_teaching_elsewhere_invalidates_this_objects_cache(
    library: Library, article: Article, counted: list[str]
) -> None:
    before = library.analysis(article.id)
    assert any(e.text == "Baku" for e in before.entities)
    # another process teaches; this object notices through library.json
    Library(library.root).teach("reject", "Baku")
    after = library.analysis(article.id)
    assert len(counted) == 2
    assert not any(e.text == "Baku" for e in after.entities)
    # forgetting the rule brings back the first key, and its result
    taught = library.taught()
    library.forget(taught[0].id)
    assert library.analysis(article.id) == before


def test_key_follows_text_rules_and_code() -> None:
    base = analysis_cache.cache_key("a" * 64, analysis_cache.rules_digest([]))
    assert base == analysis_cache.cache_key("a" * 64, analysis_cache.rules_digest([]))
    assert base != analysis_cache.cache_key("b" * 64, analysis_cache.rules_digest([]))
    taught = [analysis.Taught("reject", "Baku")]
    assert base != analysis_cache.cache_key("a" * 64, analysis_cache.rules_digest(taught))
    assert analysis_cache.rules_digest(taught) != analysis_cache.rules_digest(
        [analysis.Taught("reject", "Bakü")]
    )


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    analysis_cache.hash_files(digest, [folder])
    return digest.hexdigest()


def test_code_fingerprint_follows_contents_not_times(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "rules.py").write_text("LIMIT = 3\n")
    (pkg / "data" / "places.txt").write_text("Baku\nGanja\n")
    (pkg / "README.md").write_text("docs are not code\n")
    first = _fingerprint(pkg)

    os.utime(pkg / "rules.py", ns=(1, 1))
    (pkg / "README.md").write_text("changed docs\n")
    assert _fingerprint(pkg) == first

    (pkg / "data" / "places.txt").write_text("Baku\nGanja\nShusha\n")
    changed = _fingerprint(pkg)
    assert changed != first
    (pkg / "data" / "places.txt").rename(pkg / "data" / "cities.txt")
    assert _fingerprint(pkg) not in (first, changed)


def test_code_fingerprint_covers_the_analysis_package() -> None:
    digest = hashlib.sha256()
    assert analysis_cache.hash_files(digest, analysis.__path__) >= 5
    assert len(analysis_cache.code_fingerprint()) == 64


def test_read_all_is_what_the_single_reads_give(
    library: Library, article: Article, counted: list[str]
) -> None:
    library.add_note(article.id, "Check the corridor claim.")
    library.add_tags(article.id, ["energy policy"])
    got = library.read_all(article.id[:6])
    assert got == (
        library.get(article.id),
        library.text(article.id),
        library.annotations(article.id),
        library.analysis(article.id),
    )
    assert counted == [TEXT]  # analysed once, by read_all; the rest were hits


def test_annotation_records_with_newer_keys_still_load(library: Library, article: Article) -> None:
    note = library.add_note(article.id, "A thought.")
    highlight = library.add_highlight(article.id, 0, 9, note="Who?")
    path = library.paths.shard(article.id)
    data = json.loads(path.read_bytes())
    doc = data["annotations"][article.id]
    doc["notes"][0]["colour"] = "red"
    doc["highlights"][0]["colour"] = "red"
    path.write_text(json.dumps(data), encoding="utf-8")
    got = library.annotations(article.id)
    assert got.notes == [note]
    assert got.highlights == [highlight]


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300_000])
def test_read_file_reads_every_byte(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert analysis_cache.read_file(path) == data


def test_read_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        analysis_cache.read_file(tmp_path / "missing")
    with pytest.raises(OSError):
        analysis_cache.read_file(tmp_path)


def _package(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "rules.py").write_text("LIMIT = 3\n")
    (pkg / "words.txt").write_text("Baku\n")
    return pkg


def test_code_watch_trusts_files_unchanged_since_the_start(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    watch = analysis_cache.CodeWatch([pkg], b"", time.time_ns())
    assert watch.files == 2 and watch.usable and watch.unchanged()
    assert watch.fingerprint == analysis_cache.CodeWatch([pkg], b"", 0).fingerprint


def test_code_watch_stops_writes_once_a_file_changes(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    watch = analysis_cache.CodeWatch([pkg], b"", time.time_ns())
    st = (pkg / "words.txt").stat()
    os.utime(pkg / "words.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    # the content is the same, so another process keeps the same key, but this
    # one can no longer tell what it has loaded
    assert not watch.unchanged()
    assert analysis_cache.CodeWatch([pkg], b"", 0).fingerprint == watch.fingerprint


def test_code_watch_distrusts_files_changed_after_the_start(tmp_path: Path) -> None:
    started = time.time_ns()
    pkg = _package(tmp_path)  # written after the process "started"
    watch = analysis_cache.CodeWatch([pkg], b"", started)
    assert not watch.usable and not watch.unchanged()


def test_no_cache_when_the_code_changed_while_running(
    library: Library, article: Article, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = library.analysis(article.id)
    path = library.paths.analysis_cache(article.id)
    watch = analysis_cache.analysis_code()
    monkeypatch.setattr(watch, "usable", False)
    # neither read (the analysis runs) nor written (the file is as it was)
    assert library.analysis(article.id) == first
    assert len(counted) == 2
    path.unlink()
    library.analysis(article.id)
    assert not path.exists()


def test_code_watch_notices_a_removed_file(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    watch = analysis_cache.CodeWatch([pkg], b"", time.time_ns())
    (pkg / "words.txt").unlink()
    assert not watch.unchanged()
