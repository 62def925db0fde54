"""Library facade: articles, annotations, re-anchoring, taught entities, caches."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from filelock import FileLock

from store.errors import LibraryBusy, LibraryCorrupt, NotFound
from store.library import Library, normalize_tags
from store.models import Annotations, Article, Highlight, Note, TaughtEntity

ARTICLE = (
    "EN\n"
    "Leaders meet in Washington\n"
    "\n"
    "President Ilham Aliyev met officials in Washington on Monday. "
    '"We are ready to cooperate," Aliyev said after the talks.\n'
    "\n"
    "Analysts called the visit a new signal from the Caucasus.\n"
)


@pytest.fixture
def article(library: Library) -> Article:
    """A saved article (and its library)."""
    art, status = library.add_article(ARTICLE, title="Leaders meet", source="leaders.txt")
    assert status == "added"
    return art


def test_add_article_ids_and_statuses(library: Library) -> None:
    art, status = library.add_article(ARTICLE, title="  Leaders \n meet ", source="a.txt")
    assert status == "added"
    assert art.id == hashlib.sha256(ARTICLE.encode()).hexdigest()[:10]
    assert art.title == "Leaders meet"
    assert art.chars == len(ARTICLE)
    assert art.added.endswith("Z") and len(art.added) == 20
    assert library.text(art.id) == ARTICLE
    again, status = library.add_article(ARTICLE, title="Other", source="b.txt", tags=["x"])
    assert status == "exists"
    assert again == art
    assert library.annotations(art.id).tags == []
    assert [a.id for a in library.articles()] == [art.id]


def test_empty_text_is_refused(library: Library) -> None:
    with pytest.raises(ValueError, match="empty"):
        library.add_article(" \n\t", title="t", source="s")
    assert library.is_empty()


def test_title_falls_back_to_the_first_real_line(library: Library) -> None:
    art, _ = library.add_article(ARTICLE, title="", source="a.txt")
    assert art.title == "Leaders meet in Washington"


def test_get_by_prefix(library: Library, article: Article) -> None:
    assert library.get(article.id[:4]) == article
    assert library.get(article.id) == article
    with pytest.raises(NotFound):
        library.get("zzzz")
    with pytest.raises(NotFound):
        library.get("")
    other = next(t for i in range(1000) if (t := f"text {i}\n") and _sha(t)[0] == article.id[0])
    library.add_article(other, title="o", source="o.txt")
    with pytest.raises(NotFound, match="matches 2"):
        library.get(article.id[0])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_tags_are_normalised() -> None:
    assert normalize_tags(["  war ", "War", "peace  talks", "", "Peace\ttalks", "é"]) == [
        "war",
        "peace talks",
        "é",
    ]


def test_tag_untag_and_filter(library: Library, article: Article) -> None:
    assert library.add_tags(article.id, ["Caucasus", " politics  news"]) == [
        "Caucasus",
        "politics news",
    ]
    assert library.add_tags(article.id, ["caucasus", "usa"]) == ["Caucasus", "politics news", "usa"]
    assert library.remove_tags(article.id, ["CAUCASUS"]) == ["politics news", "usa"]
    other, _ = library.add_article("Another text entirely.", title="o", source="o", tags=["usa"])
    assert {a.id for a in library.articles(tag="USA")} == {article.id, other.id}
    assert [a.id for a in library.articles(tag="politics   news")] == [article.id]
    rows = {s.article.id: s for s in library.summaries()}
    assert rows[article.id].tags == ["politics news", "usa"]


def test_notes(library: Library, article: Article) -> None:
    note = library.add_note(article.id, "First thought\nsecond line")
    assert note.id.startswith("n-") and len(note.id) == 10
    edited = library.update_note(article.id, note.id, "Better thought")
    assert edited.text == "Better thought" and edited.updated
    second = library.add_note(article.id, "Another")
    assert [n.id for n in library.annotations(article.id).notes] == [note.id, second.id]
    library.delete_note(article.id, note.id)
    assert [n.text for n in library.annotations(article.id).notes] == ["Another"]
    with pytest.raises(NotFound):
        library.delete_note(article.id, note.id)
    with pytest.raises(ValueError):
        library.add_note(article.id, "   ")
    with pytest.raises(NotFound):
        library.add_note(article.id, "on a highlight", highlight_id="hl-00000000")


def test_highlight_stores_a_quote_selector(library: Library, article: Article) -> None:
    start = ARTICLE.index("Ilham Aliyev")
    end = start + len("Ilham Aliyev")
    hl = library.add_highlight(article.id, start, end, note="who", tags=["person"])
    assert hl.id.startswith("hl-") and len(hl.id) == 11
    assert hl.exact == "Ilham Aliyev"
    assert hl.prefix == ARTICLE[start - 32 : start]
    assert hl.suffix == ARTICLE[end : end + 32]
    assert library.add_highlight(article.id, start, end).id == hl.id
    note = library.add_note(article.id, "about him", highlight_id=hl.id)
    updated = library.update_highlight(article.id, hl.id, note="the president", tags=["a", "A"])
    assert (updated.note, updated.tags) == ("the president", ["a"])
    library.delete_highlight(article.id, hl.id)
    ann = library.annotations(article.id)
    assert ann.highlights == []
    assert [(n.id, n.highlight_id) for n in ann.notes] == [(note.id, None)]


@pytest.mark.parametrize("span", [(-1, 3), (5, 5), (6, 2), (0, len(ARTICLE) + 1), (0.5, 3)])
def test_highlight_offsets_are_checked(library: Library, article: Article, span) -> None:
    with pytest.raises(ValueError):
        library.add_highlight(article.id, *span)
    assert library.annotations(article.id).highlights == []


def test_position(library: Library, article: Article) -> None:
    library.set_position(article.id, 42)
    assert library.annotations(article.id).position == 42
    with pytest.raises(ValueError):
        library.set_position(article.id, len(ARTICLE) + 1)


def test_update_reanchors_highlights_and_keeps_orphans(library: Library, article: Article) -> None:
    text = ARTICLE

    def span(s: str, occurrence: int = 0) -> tuple[int, int]:
        pos = -1
        for _ in range(occurrence + 1):
            pos = text.index(s, pos + 1)
        return pos, pos + len(s)

    moved = library.add_highlight(article.id, *span("ready to cooperate"))
    second_aliyev = library.add_highlight(article.id, *span("Aliyev", 1))
    doomed = library.add_highlight(article.id, *span("a new signal from the Caucasus"))
    note = library.add_note(article.id, "kept", highlight_id=doomed.id)
    new_text = (
        "EN\nBREAKING\nLeaders meet in Washington, D.C.\n\n"
        "President Ilham Aliyev met officials in Washington on Monday. "
        '"We are ready to cooperate," Aliyev said after the talks.\n\n'
        "Analysts were unimpressed.\n"
    )
    updated, status = library.add_article(new_text, title="Leaders meet", source="leaders.txt")
    assert status == "updated"
    assert updated.id == article.id and updated.added == article.added
    assert library.text(article.id) == new_text
    ann = library.annotations(article.id)
    by_id = {h.id: h for h in ann.highlights}
    for hl in (moved, second_aliyev):
        got = by_id[hl.id]
        assert not got.orphan
        assert new_text[got.start : got.end] == hl.exact
    # The second "Aliyev" (the speaker), not the first one in "Ilham Aliyev".
    assert by_id[second_aliyev.id].start == new_text.index("Aliyev said")
    assert by_id[doomed.id].orphan
    assert by_id[doomed.id].exact == "a new signal from the Caucasus"
    assert [n.id for n in ann.notes] == [note.id]
    # Restoring the passage re-attaches the orphan.
    library.add_article(ARTICLE, title="Leaders meet", source="leaders.txt")
    again = {h.id: h for h in library.annotations(article.id).highlights}
    assert not again[doomed.id].orphan
    assert ARTICLE[again[doomed.id].start : again[doomed.id].end] == doomed.exact


def test_interrupted_reanchoring_is_finished_on_read(library: Library, article: Article) -> None:
    start = ARTICLE.index("Analysts")
    hl = library.add_highlight(article.id, start, start + 8)
    new_text = "Preface.\n" + ARTICLE
    # Simulate a crash after the index was updated but before the shard was.
    shard = library.paths.shard(article.id)
    before = shard.read_bytes()
    library.add_article(new_text, title="t", source="leaders.txt")
    shard.write_bytes(before)
    got = library.annotations(article.id).highlights[0]
    assert (got.id, got.start, got.orphan) == (hl.id, start + 9, False)


def test_second_instance_sees_changes(tmp_path: Path) -> None:
    one, two = Library(tmp_path / "lib"), Library(tmp_path / "lib")
    art, _ = one.add_article(ARTICLE, title="t", source="s")
    assert two.summaries()[0].notes == 0
    one.add_note(art.id, "n1")
    one.add_highlight(art.id, 0, 2)
    row = two.summaries()[0]
    assert (row.notes, row.highlights) == (1, 1)
    two.add_tags(art.id, ["from two"])
    assert one.summaries()[0].tags == ["from two"]
    v = one.version()
    two.add_note(art.id, "n2")
    assert one.version() != v
    assert one.taught() == []
    taught = two.teach("reject", "Monday")
    assert one.taught() == [taught]
    two.delete_article(art.id)
    assert one.is_empty()


def test_summary_cache_is_derived(library: Library, article: Article) -> None:
    library.add_note(article.id, "n")
    assert library.summaries()[0].notes == 1
    assert library.paths.summary_cache.exists()
    library.paths.summary_cache.write_bytes(b"garbage")
    fresh = Library(library.root)
    assert fresh.summaries()[0].notes == 1
    fresh.add_note(article.id, "m")
    assert fresh.summaries()[0].notes == 2


def test_delete_moves_annotations_to_trash(library: Library, article: Article) -> None:
    library.add_note(article.id, "keep me somewhere")
    library.delete_article(article.id)
    assert library.is_empty()
    with pytest.raises(NotFound):
        library.get(article.id)
    trashed = list(library.paths.trash.iterdir())
    assert len(trashed) == 1 and "keep me somewhere" in trashed[0].read_text(encoding="utf-8")
    assert not library.paths.body(article.sha256).exists()


def test_import_record_keeps_ids_and_dates(library: Library, tmp_path: Path) -> None:
    art = Article(
        id="abc123def0",
        title="Restored",
        source="old.txt",
        sha256="stale",
        added="2020-01-02T03:04:05Z",
    )
    text = "Restored text with a highlight."
    ann = Annotations(
        article_id=art.id,
        tags=["old"],
        notes=[Note(id="n-11111111", text="old note", created="2020-01-02T03:04:06Z")],
        highlights=[Highlight(id="hl-22222222", start=0, end=8, exact="Restored")],
        position=5,
    )
    assert library.import_record(art, text, ann) == "added"
    got = library.get(art.id)
    assert (got.added, got.sha256) == (art.added, _sha(text))
    back = library.annotations(art.id)
    assert back.notes == ann.notes and back.highlights == ann.highlights
    assert (back.tags, back.position) == (["old"], 5)
    assert library.import_record(art, text, ann) == "exists"
    with pytest.raises(ValueError):
        library.import_record(Article("../x", "t", "s", "", ""), "x", Annotations("../x"))


def test_taught_entities(library: Library) -> None:
    first = library.teach("add", " Ilham  Aliyev ", type="PERSON")
    assert first.text == "Ilham Aliyev" and first.id.startswith("t-")
    library.teach("merge", "Aliyev", canonical="Ilham Aliyev")
    library.teach("reject", "ilham aliyev")  # replaces the "add" above
    assert [(t.action, t.text) for t in library.taught()] == [
        ("merge", "Aliyev"),
        ("reject", "ilham aliyev"),
    ]
    rules = library.taught_rules()
    assert rules[0].canonical == "Ilham Aliyev"
    with pytest.raises(ValueError):
        library.teach("add", "X", type="ANIMAL")
    with pytest.raises(ValueError):
        library.teach("rename", "X")
    with pytest.raises(ValueError):
        library.teach("explode", "X")
    library.forget(library.taught()[0].id)
    assert [t.action for t in library.taught()] == ["reject"]
    with pytest.raises(NotFound):
        library.forget("t-nothere")
    kept = TaughtEntity("t-abc", "add", "NATO", "ORG", None, "2021-01-01T00:00:00Z")
    library.add_taught_entity(kept)
    assert library.taught()[-1] == kept


def test_busy_library(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib", lock_timeout=0.1)
    art, _ = lib.add_article(ARTICLE, title="t", source="s")
    other = FileLock(str(lib.paths.lock))
    with other:
        with pytest.raises(LibraryBusy, match="another margin process"):
            lib.add_note(art.id, "blocked")
    assert lib.annotations(art.id).notes == []
    lib.add_note(art.id, "after")


def test_damaged_shard_is_reported_and_kept(library: Library, article: Article) -> None:
    library.add_note(article.id, "precious")
    library.add_tags(article.id, ["kept"])
    shard = library.paths.shard(article.id)
    damaged = shard.read_bytes()[:-7]
    shard.write_bytes(damaged)
    with pytest.raises(LibraryCorrupt, match=article.id):
        library.annotations(article.id)
    with pytest.raises(LibraryCorrupt):
        library.add_note(article.id, "would overwrite")
    assert shard.read_bytes() == damaged
    assert library.summaries()[0].article.id == article.id  # the list still opens
    # The previous version is there to recover from.
    bak = shard.parent / (shard.name + ".bak")
    assert "precious" in bak.read_text(encoding="utf-8")


def test_missing_library_without_create(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Library(tmp_path / "nope", create=False)
    assert not (tmp_path / "nope").exists()


def test_default_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MARGIN_LIBRARY", str(tmp_path / "env-lib"))
    assert Library.default_root() == tmp_path / "env-lib"
    monkeypatch.delenv("MARGIN_LIBRARY")
    assert Library.default_root().name == "margin"


def test_seed_samples(library: Library) -> None:
    added = library.seed_samples()
    assert added >= 20
    assert library.seed_samples() == 0
    titles = [a.title for a in library.articles()]
    assert all(t and t != "EN" for t in titles)
    assert all(a.source.startswith("sample_articles/") for a in library.articles())


def test_import_document(library: Library) -> None:
    class Doc:
        text = "Body of a fetched page.\n"
        title = "Fetched"
        source = "https://example.org/a"
        format = "html"
        site = "example.org"
        author = "A. Writer"
        published = "2024-05-01"

    art, status = library.import_document(Doc(), tags=["web"])
    assert status == "added"
    assert (art.format, art.site, art.author, art.published) == (
        "html",
        "example.org",
        "A. Writer",
        "2024-05-01",
    )
    assert library.annotations(art.id).tags == ["web"]


def test_analysis_is_cached(
    library: Library, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("analysis.pipeline")
    from store import analysis_cache

    # A fresh fingerprint: an edit of analysis/ during a long session rightly
    # turns the cache off for the process that saw it.
    monkeypatch.setattr(analysis_cache, "_STARTED_NS", time.time_ns())
    analysis_cache.analysis_code.cache_clear()
    first = library.analysis(article.id)
    cache = library.paths.analysis_cache(article.id)
    assert cache.exists()
    assert library.analysis(article.id) == first
    cached = json.loads(cache.read_bytes())
    library.teach("reject", "Washington")
    library.analysis(article.id)
    assert json.loads(cache.read_bytes())["key"] != cached["key"]


def test_update_keeps_metadata_the_new_version_lacks(library: Library) -> None:
    first, _ = library.add_article(
        "Version one.", title="v1", source="https://example.org/a", site="example.org"
    )
    second, status = library.add_article(
        "Version two.", title="v2", source="https://example.org/a", author="B. Writer"
    )
    assert status == "updated"
    assert (second.id, second.title, second.site, second.author) == (
        first.id,
        "v2",
        "example.org",
        "B. Writer",
    )
    assert library.get(first.id) == second


def test_shard_from_a_newer_margin_is_refused_and_kept(library: Library, article: Article) -> None:
    from store.errors import LibraryTooNew

    library.add_note(article.id, "written by the future")
    shard = library.paths.shard(article.id)
    data = json.loads(shard.read_bytes())
    data["meta"]["1"]["schema"] = 99
    raw = json.dumps(data).encode()
    shard.write_bytes(raw)
    with pytest.raises(LibraryTooNew, match="newer margin"):
        library.annotations(article.id)
    with pytest.raises(LibraryTooNew):
        library.add_tags(article.id, ["x"])
    assert shard.read_bytes() == raw


def test_batches_write_everything(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [
        {"text": f"Batch article {i}.\n", "title": f"b{i}", "source": f"b{i}.txt", "tags": ["b"]}
        for i in range(20)
    ]
    results = library.add_articles(items)
    assert [s for _, s in results] == ["added"] * 20
    assert len(library.articles(tag="b")) == 20
    records = []
    for i in range(12):
        text = f"Restored article {i}.\n"
        art = Article(id=f"r{i:09d}", title=f"r{i}", source=f"r{i}", sha256="", added="x")
        ann = Annotations(art.id, tags=["r"], notes=[Note(f"n-{i:08d}", "n", "x")])
        records.append((art, text, ann))
    assert library.import_records(records) == ["added"] * 12
    # The list of a freshly opened library comes from the cache the restore wrote.
    fresh = Library(library.root)
    monkeypatch.setattr(fresh, "_read_shard", lambda aid: pytest.fail(f"re-read {aid}"))
    rows = {r.article.id: r for r in fresh.summaries()}
    assert len(rows) == 32
    assert all(rows[a.id].notes == 1 and rows[a.id].tags == ["r"] for a, _, _ in records)


def test_failed_index_write_changes_nothing(
    library: Library, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import SaveFailed

    def full(data):
        raise SaveFailed("library.json: could not save (disk full)")

    monkeypatch.setattr(library._storage, "write", full)
    with pytest.raises(SaveFailed):
        library.add_article("Never saved.", title="n", source="n.txt")
    with pytest.raises(SaveFailed):
        library.teach("reject", "Monday")
    monkeypatch.undo()
    assert [a.id for a in library.articles()] == [article.id]
    assert library.taught() == []
    _, status = library.add_article("Saved now.", title="n", source="n.txt")
    assert status == "added"
    assert len(Library(library.root).articles()) == 2


def test_list_looks_only_into_changed_folders(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import store.library as library_mod

    arts = [library.add_article(f"Text {i}.", title=f"t{i}", source=f"{i}")[0] for i in range(6)]
    for art in arts:
        library.add_note(art.id, "n")
    library.summaries()
    # Treat every folder as settled (as it is two seconds after its last change).
    monkeypatch.setattr(library_mod, "_RACY_NS", -(10**18))
    reader = Library(library.root)
    reader.summaries()
    calls: list[str] = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        if str(path).endswith(".json") and "annotations" in str(path):
            calls.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(library_mod.os, "stat", counting_stat)
    assert [r.notes for r in reader.summaries()] == [1] * 6
    assert calls == []  # only the folders were looked at
    library.add_note(arts[0].id, "second")
    calls.clear()
    rows = {r.article.id: r.notes for r in reader.summaries()}
    assert rows[arts[0].id] == 2
    assert sum(c.endswith(".json") for c in calls) == sum(a.id[:2] == arts[0].id[:2] for a in arts)


def test_files_are_tinydb_databases(library: Library, article: Article) -> None:
    from store.storage import KeyedDatabase

    library.add_note(article.id, "through TinyDB")
    library.teach("reject", "Monday")
    index = KeyedDatabase(library.paths.db)
    assert [d["title"] for d in index.table("articles").all()] == [article.title]
    assert [d["text"] for d in index.table("taught").all()] == ["Monday"]
    shard = KeyedDatabase(library.paths.shard(article.id))
    doc = shard.table("annotations").get(doc_id=article.id)
    assert [n["text"] for n in doc["notes"]] == ["through TinyDB"]
