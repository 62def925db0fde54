"""The saved search index: a loaded index answers as a fresh build does, only
changed articles are read again, and a damaged, foreign or newer file is
rebuilt without an error."""

from __future__ import annotations

import json
import threading
import zlib
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import Library, analysis_cache, search_cache
from store.search import ArticleRecord, SearchIndex

ARTICLES = [
    (
        "Aliyev receives Pashinyan",
        "President Ilham Aliyev received Prime Minister Nikol Pashinyan in Baku on Monday. "
        "“The Zangezur corridor will open,” Aliyev said. Pashinyan answered that "
        "Armenia wants peace. The European Union welcomed the talks.\n",
    ),
    (
        "Armenia and the corridor",
        "Nikol Pashinian told the parliament in Yerevan that the Zangazur route stays "
        "closed. “We will not accept this,” Pashinian said. Ilham Aliev did not comment.\n",
    ),
    (
        "Gas exports grow",
        "Zaur Mammadov of the Baku Political Scientists Club said exports to Italy grew. "
        "“Energy security is our priority,” Mammadov noted. The State Oil Company of "
        "Azerbaijan agreed.\n",
    ),
    (
        "Washington visit",
        "Donald Trump met Ilham Aliyev at the White House. Trump praised the peace "
        "talks, and Senator Jason Chaffetz asked about the corridor in Washington.\n",
    ),
]
QUERIES = [
    "Aliev",
    "Ilham Aliyev",
    "Pashinyan",
    "Zangazur",
    "Mammadov",
    "Trmp",
    "corridor",
    "peace",
    "lachin",
    "tag:energy",
    "type:PERSON",
    "speaker:Aliyev",
    "baku club",
]


def answers(index: SearchIndex, queries: list[str] = QUERIES) -> list:
    """Everything the index answers to ``queries``, entity pages included."""
    out = []
    for query in queries:
        hits = index.search(query, limit=50)
        out.append([h.to_json() for h in hits])
        for hit in hits:
            if hit.kind == "entity":
                page = index.entity_page(hit.key)
                out.append(
                    [
                        page.key,
                        page.name,
                        page.aliases,
                        [(a.id, a.count) for a in page.articles],
                        [(m.article_id, m.start, m.end, m.text) for m in page.mentions],
                        [h.to_json() for h in page.quotes + page.notes],
                    ]
                )
    out.append(index.stats())
    return out


@pytest.fixture(autouse=True)
def steady_analysis_code(monkeypatch) -> None:
    """The analysis code as this process found it, even if its files are edited
    while the tests run (a process that sees them change stops loading and
    saving derived data, which analysis_cache's own tests cover)."""
    real = analysis_cache.analysis_code()
    steady = SimpleNamespace(fingerprint=real.fingerprint, usable=True, unchanged=lambda: True)
    monkeypatch.setattr(analysis_cache, "analysis_code", lambda: steady)


@pytest.fixture
def library(tmp_path) -> Library:
    """ARTICLES and twice as many short ones: a few edits leave most of it
    unchanged (a library that mostly changed is built again whole)."""
    lib = Library(tmp_path / "lib")
    for i, (title, text) in enumerate(ARTICLES):
        lib.add_article(text, title=title, source=f"test:{i}")
    for i in range(2 * len(ARTICLES)):
        lib.add_article(f"Heydar Aliyev in Baku, part {i}.\n", title=f"Brief {i}", source=f"b:{i}")
    return lib


SIZE = 3 * len(ARTICLES)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The ids of the articles a build reads from the library."""
    seen: list[str] = []
    real = search_cache.record_from_library

    def counted(library, article_id):
        seen.append(article_id)
        return real(library, article_id)

    monkeypatch.setattr(search_cache, "record_from_library", counted)
    return seen


def ids(library: Library) -> list[str]:
    """The ids of ARTICLES, in that order."""
    by_title = {a.title: a.id for a in library.articles()}
    return [by_title[title] for title, _ in ARTICLES]


# --------------------------------------------------------------------------- library


def test_first_build_saves_and_the_next_reads_no_article(library: Library, reads) -> None:
    path = search_cache.index_path(library)
    assert not path.exists()
    first = SearchIndex.build(library)
    assert path.exists() and len(reads) == SIZE
    reads.clear()
    loaded = SearchIndex.build(library)
    assert reads == []
    assert loaded._packed  # articles stay in saved form until needed
    assert answers(loaded) == answers(first) == answers(SearchIndex.build(library, saved=False))


def test_after_edits_only_changed_articles_are_read_and_results_match(
    library: Library, reads
) -> None:
    SearchIndex.build(library)
    a, b, c, d = ids(library)
    library.add_note(a, "Ask about the Lachin corridor next time")
    library.add_tags(b, ["energy", "caucasus"])
    text = library.text(c)
    start = text.index("Energy security")
    library.add_highlight(c, start, start + len("Energy security"), note="key claim", tags=["gas"])
    library.delete_article(d)
    new, _ = library.add_article(
        "Heydar Aliyev founded the party. Nikol Pashinyan spoke in Brussels.\n",
        title="History",
        source="test:new",
    )
    reads.clear()
    loaded = SearchIndex.build(library)
    assert sorted(reads) == sorted([a, b, c, new.id])
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))
    assert [h.article_id for h in loaded.search("lachin") if h.kind == "note"] == [a]


def test_changed_articles_names_what_another_library_object_changed(library: Library) -> None:
    index = SearchIndex.build(library)
    assert search_cache.changed_articles(index, library) == []
    other = Library(library.root)  # another process on the same folder
    a, b, _, d = ids(library)
    other.add_note(a, "Ask about the Lachin corridor next time")
    other.delete_article(d)
    new, _ = other.add_article("Nikol Pashinyan spoke in Brussels.\n", title="New", source="n")
    changed = search_cache.changed_articles(index, library)
    assert sorted(changed) == sorted([a, d, new.id])
    for aid in changed:
        index.update_article(library, aid)
    assert search_cache.changed_articles(index, library) == []
    assert answers(index) == answers(SearchIndex.build(library, saved=False))
    assert b not in changed


def test_a_retitled_article_is_read_again(library: Library, reads) -> None:
    SearchIndex.build(library)
    first = ids(library)[0]
    title, text = ARTICLES[0]
    library.add_article(text + "More later.\n", title=title + " (updated)", source="test:0")
    reads.clear()
    loaded = SearchIndex.build(library)
    assert reads == [first]
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))
    assert loaded.search(title + " updated", scope="all")[0].text == title + " (updated)"


def test_few_changes_are_not_saved_until_enough_accumulate(
    library: Library, reads, monkeypatch
) -> None:
    monkeypatch.setattr(search_cache, "SAVE_AFTER", 3)
    path = search_cache.index_path(library)
    SearchIndex.build(library)
    saved = path.read_bytes()
    library.add_note(ids(library)[0], "first thought")
    SearchIndex.build(library)
    assert path.read_bytes() == saved  # one changed article: read again, not saved
    reads.clear()
    SearchIndex.build(library)
    assert len(reads) == 1
    for i in range(2):
        library.add_article(f"Article {i} about Ilham Aliyev.\n", title=f"t{i}", source=f"s{i}")
    reads.clear()
    SearchIndex.build(library)
    assert len(reads) == 3  # the three changes since the save, then saved
    assert path.read_bytes() != saved
    reads.clear()
    loaded = SearchIndex.build(library)
    assert reads == []
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))


def test_a_mostly_changed_library_is_built_again_whole(library: Library, reads) -> None:
    SearchIndex.build(library)
    briefs = [a.id for a in library.articles() if a.title.startswith("Brief")]
    for aid in ids(library) + briefs[:3]:
        library.add_tags(aid, ["reviewed"])
    reads.clear()
    loaded = SearchIndex.build(library)
    assert len(reads) == SIZE
    assert loaded._packed == {}  # built, not loaded
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))


def test_taught_entities_change_make_a_fresh_build(library: Library, reads) -> None:
    SearchIndex.build(library)
    library.teach("reject", "Zaur Mammadov")
    reads.clear()
    loaded = SearchIndex.build(library)
    assert len(reads) == SIZE
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))
    assert not [h for h in loaded.search("Zaur Mammadov", scope="entities") if h.kind == "entity"]


def test_updates_on_a_loaded_index_match_the_same_updates_in_memory(library: Library) -> None:
    SearchIndex.build(library)
    loaded = SearchIndex.build(library)
    memory = SearchIndex.build(library, saved=False)
    assert answers(loaded) == answers(memory)
    a, b, *_ = ids(library)
    library.add_note(b, "Pashinian again")
    library.delete_article(a)
    for index in (loaded, memory):
        index.update_article(library, b)
        index.update_article(library, a)
    assert answers(loaded) == answers(memory) == answers(SearchIndex.build(library, saved=False))
    library.teach("merge", "Donald Trump", canonical="Ilham Aliyev")
    for index in (loaded, memory):
        index.update_taught(library.taught())
    assert answers(loaded) == answers(memory)


def test_a_save_after_updates_keeps_what_update_article_read(library: Library, reads) -> None:
    index = SearchIndex.build(library)
    a, b = ids(library)[:2]
    library.add_tags(a, ["energy"])
    index.update_article(library, a)
    # An article indexed from a record, not from the library: read again.
    index.add_record(ArticleRecord(b, "Another title"))
    assert index.save(library)
    reads.clear()
    loaded = SearchIndex.build(library)
    # update_article noted the state it read the article at: only b is read.
    assert reads == [b]
    assert answers(loaded) == answers(SearchIndex.build(library, saved=False))


def test_an_index_that_cannot_be_saved_still_answers(library: Library, reads) -> None:
    path = search_cache.index_path(library)
    path.mkdir(parents=True)  # a folder where the file should be
    index = SearchIndex.build(library)
    assert not index.save(library)
    assert path.is_dir() and len(reads) == SIZE
    assert answers(index) == answers(SearchIndex.build(library, saved=False))


def test_search_code_change_rebuilds(library: Library, reads, monkeypatch) -> None:
    SearchIndex.build(library)
    monkeypatch.setattr(search_cache, "search_code", lambda: "another version")
    reads.clear()
    SearchIndex.build(library)
    assert len(reads) == SIZE


# --------------------------------------------------------------------------- damage


def _rewrite(path, fn) -> None:
    path.write_bytes(fn(path.read_bytes()))


def _reheader(raw: bytes, **changes) -> bytes:
    head, _, body = raw.partition(b"\n")
    header = json.loads(head)
    header.update(changes)
    return json.dumps(header).encode() + b"\n" + body


DAMAGE = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "flipped byte": lambda raw: raw[:-20] + bytes([raw[-20] ^ 0x01]) + raw[-19:],
    "not json": lambda raw: b"\x00\xff garbage \n" * 50,
    "foreign json": lambda raw: b'{"hello": "world"}\n[1, 2, 3]\n',
    "json list header": lambda raw: b"[1]\n" + raw.partition(b"\n")[2],
    "newer format": lambda raw: _reheader(raw, format=search_cache.FORMAT + 1),
    "other analysis": lambda raw: _reheader(raw, analysis="0" * 64),
    "bad utf-8": lambda raw: raw.replace(b"Aliyev", b"Ali\xffev"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_or_foreign_file_is_rebuilt_without_error(library: Library, damage) -> None:
    expected = answers(SearchIndex.build(library))
    path = search_cache.index_path(library)
    _rewrite(path, DAMAGE[damage])
    assert answers(SearchIndex.build(library)) == expected
    # ... and replaced by a whole one.
    assert search_cache.decode(path.read_bytes(), _header(library), library.taught())


def _header(library: Library) -> dict:
    return search_cache.header(library.taught())


def test_consistent_checksum_but_inconsistent_content_is_rebuilt(library: Library) -> None:
    expected = answers(SearchIndex.build(library))
    path = search_cache.index_path(library)

    def forge(raw: bytes, line_no: int, fn) -> bytes:
        head, _, body = raw.partition(b"\n")
        lines = body.split(b"\n")
        lines[line_no] = fn(lines[line_no])
        tables = json.loads(lines[0])
        tables["sizes"] = [len(line) for line in lines[1:]]
        lines[0] = json.dumps(tables).encode()
        body = b"\n".join(lines)
        header = json.loads(head)
        header.update(size=len(body), crc32=zlib.crc32(body))
        return json.dumps(header).encode() + b"\n" + body

    # A node that no table knows, in the shared tables: refused when loading.
    def unknown_node(line: bytes) -> bytes:
        tables = json.loads(line)
        tables["terms"][0][2] = [10**9, 1]
        return json.dumps(tables).encode()

    _rewrite(path, lambda raw: forge(raw, 0, unknown_node))
    assert search_cache.decode(path.read_bytes(), _header(library), library.taught()) is None
    assert answers(SearchIndex.build(library)) == expected

    # An article's part that does not fit: found only when it is unpacked, and
    # then the index starts again from the library.
    _rewrite(path, lambda raw: forge(raw, 1, lambda line: b'["x"]'))
    loaded = SearchIndex.build(library)
    assert loaded._packed
    for aid in ids(library):
        loaded.update_article(library, aid)
    assert answers(loaded) == expected

    # Word postings naming passages that do not exist, or not base64 at all:
    # those words find nothing, and nothing fails.
    def bad_postings(line: bytes) -> bytes:
        tables = json.loads(line)
        for row in tables["words"]:
            if row[1] == "peace":
                row[2] = search_cache._pack_ids([10**9, 10**9 + 1])
            elif row[1] == "corridor":
                row[2] = "not base64!"
        return json.dumps(tables).encode()

    _rewrite(path, lambda raw: forge(raw, 0, bad_postings))
    loaded = search_cache.decode(path.read_bytes(), _header(library), library.taught())
    assert loaded is not None
    assert not [h for h in loaded.search("peace corridor") if h.kind in ("quote", "note")]


def test_concurrent_saves_leave_one_whole_file(library: Library) -> None:
    index = SearchIndex.build(library)
    other = SearchIndex.build(library, saved=False)
    other.add_record(ArticleRecord("zz", "Another title", tags=["x"]))
    path = search_cache.index_path(library)
    header = _header(library)
    failures: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            if search_cache.decode(path.read_bytes(), header, library.taught()) is None:
                failures.append("torn")

    def writer(ix: SearchIndex) -> None:
        for _ in range(15):
            assert ix.save(library)

    threads = [threading.Thread(target=writer, args=(ix,)) for ix in (index, other, index)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert failures == []
    final = search_cache.decode(path.read_bytes(), header, library.taught())
    assert final is not None and final.stats()["articles"] in (SIZE, SIZE + 1)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- codec


names = st.sampled_from(
    ["Ilham Aliyev", "Aliyev", "Ilham Aliev", "Nikol Pashinyan", "Pashinyan", "Zangezur",
     "Zangazur", "Baku Club", "Heydar Aliyev", "Zaur Mammadov", "Əliyev", "Donald Trump"]
)  # fmt: skip
passages = st.text(alphabet="abc Aliyev“”é\n", max_size=30)


@st.composite
def records(draw, prefix: str = "a") -> list[ArticleRecord]:
    out = []
    for i in range(draw(st.integers(1, 5))):
        entities = []
        for j, name in enumerate(draw(st.lists(names, max_size=6))):
            etype = draw(st.sampled_from(["PERSON", "PERSON", "PLACE", "MISC"]))
            canonical = draw(st.sampled_from([None, name, "Ilham Aliyev"]))
            entities.append((name, etype, canonical, 10 * j, 10 * j + len(name)))
        quotes = [
            (q, draw(st.sampled_from([None, "Aliyev"])), 0, len(q))
            for q in draw(st.lists(passages, max_size=2))
        ]
        notes = [
            (f"n{k}", n, None, None) for k, n in enumerate(draw(st.lists(passages, max_size=2)))
        ]
        highlights = [
            (f"h{k}", h, draw(passages), 0, len(h), draw(st.lists(st.sampled_from(["x", "Y z"]), max_size=2)))
            for k, h in enumerate(draw(st.lists(passages, max_size=2)))
        ]  # fmt: skip
        tags = draw(st.lists(st.sampled_from(["energy", "Caucasus", "x"]), max_size=2))
        out.append(
            ArticleRecord(
                f"{prefix}{i}",
                draw(passages),
                tags=tags,
                entities=entities,
                quotes=quotes,
                notes=notes,
                highlights=highlights,
            )
        )
    return out


def _codec_answers(index: SearchIndex) -> list:
    return answers(index, [*QUERIES, "abc", "tag:x", "tag:Y z", "speaker:Aliyev abc"])


@settings(max_examples=40, deadline=None)
@given(records(), records("b"), st.data())
def test_encode_decode_round_trip_and_later_updates(first, second, data) -> None:
    original = SearchIndex.from_records(first)
    header = search_cache.header()
    loaded = search_cache.decode(search_cache.encode(original), header)
    assert loaded is not None
    assert _codec_answers(loaded) == _codec_answers(original)
    # The same updates on both: identical again (ids carry on from the saved ones).
    gone = data.draw(st.sampled_from([r.id for r in first]))
    for ix in (original, loaded):
        ix.remove_article(gone)
        for record in second:
            ix.add_record(record)
    assert _codec_answers(loaded) == _codec_answers(original)
    # A loaded index saves again without unpacking what it did not touch.
    again = search_cache.decode(search_cache.encode(loaded), header)
    assert again is not None and _codec_answers(again) == _codec_answers(original)
