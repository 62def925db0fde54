"""JSON backup and restore of a whole library through the real Library."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import Annotations, Library, StoreError
from store.anchoring import selector
from store.backup import (
    BACKUP_SCHEMA,
    BackupInvalid,
    BackupTooNew,
    LibraryNotEmpty,
    _newer,
    _reanchored,
    backup,
    merge_annotations,
    restore,
)
from store.library import normalize_tags
from store.models import Highlight, Note

SEED = Path(__file__).resolve().parents[2] / "sample_articles" / "aliyev_white_house.txt"
OTHER = Path(__file__).resolve().parents[2] / "sample_articles" / "GUM_news_nasa.txt"
PASSAGE = "a strategic gesture confirming that U.S.–Azerbaijan relations have entered a new phase"


def filled_library(root: Path) -> Library:
    lib = Library(root)
    text = SEED.read_text(encoding="utf-8")
    seed, _ = lib.add_article(
        text,
        title="Ilham Aliyev's visit to White House",
        source="https://apa.az/en/x",
        site="apa.az",
        tags=["energy policy", "South Caucasus", "2025"],
    )
    lib.add_note(seed.id, "Compare with last year's coverage.\n\n# not a heading")
    start = text.index(PASSAGE)
    hl = lib.add_highlight(
        seed.id, start, start + len(PASSAGE), note="key claim", tags=["diplomacy", "US relations"]
    )
    lib.add_note(seed.id, "follow up on this", highlight_id=hl.id)
    lib.set_position(seed.id, 1200)
    other, _ = lib.add_article(
        OTHER.read_text(encoding="utf-8"), title="NASA ünïcode ✓", source="nasa.txt"
    )
    lib.add_tags(other.id, ["space"])
    lib.teach("add", "Zaur Mammadov", type="PERSON")
    lib.teach("reject", "News")
    return lib


def test_backup_restore_backup_is_identical(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    first = tmp_path / "first.json"
    counts = backup(lib, first)
    assert counts == {"articles": 2, "highlights": 1, "notes": 2, "taught": 2}

    fresh = Library(tmp_path / "fresh")
    restored = restore(fresh, first)
    assert restored == {
        "articles": 2,
        "merged": 0,
        "skipped": 0,
        "highlights": 1,
        "notes": 2,
        "updated": 0,
        "tags": 0,
        "taught": 2,
    }
    second = tmp_path / "second.json"
    backup(fresh, second)
    assert second.read_bytes() == first.read_bytes()


def test_restore_brings_back_everything(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    path = tmp_path / "b.json"
    backup(lib, path)
    fresh = Library(tmp_path / "fresh")
    restore(fresh, path)
    assert sorted(a.id for a in fresh.articles()) == sorted(a.id for a in lib.articles())
    for article in lib.articles():
        assert fresh.get(article.id) == article
        assert fresh.text(article.id) == lib.text(article.id)
        assert fresh.annotations(article.id) == lib.annotations(article.id)
    assert [t.to_dict() for t in fresh.taught()] == [t.to_dict() for t in lib.taught()]


def test_backup_is_deterministic_json_with_versions(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    backup(lib, a)
    backup(lib, b)
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text(encoding="utf-8"))
    assert doc["format"] == "margin-backup"
    assert doc["schema"] == BACKUP_SCHEMA
    assert isinstance(doc["margin_version"], str)
    assert [r["article"]["id"] for r in doc["articles"]] == sorted(
        r["article"]["id"] for r in doc["articles"]
    )
    assert list(doc) == sorted(doc)


def test_restore_refuses_a_non_empty_library_unless_merge(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    path = tmp_path / "b.json"
    backup(lib, path)
    target = Library(tmp_path / "target")
    target.add_article("Someone else's article.\n\nWith a body.", title="Other", source="o.txt")
    before = [a.id for a in target.articles()]
    with pytest.raises(LibraryNotEmpty, match="already has 1 article;.*--merge"):
        restore(target, path)
    assert [a.id for a in target.articles()] == before

    counts = restore(target, path, merge=True)
    assert counts["articles"] == 2 and counts["skipped"] == 0
    assert len(target.articles()) == 3
    again = restore(target, path, merge=True)
    assert again == dict.fromkeys(again, 0) | {"skipped": 2}


def _refused(tmp_path: Path, content: bytes, error: type[StoreError], match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    fresh = Library(tmp_path / f"fresh-{error.__name__}")
    with pytest.raises(error, match=match) as caught:
        restore(fresh, path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    assert fresh.is_empty()
    assert isinstance(caught.value, StoreError)


def test_restore_refuses_damaged_json(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    good = tmp_path / "good.json"
    backup(lib, good)
    data = good.read_bytes()
    _refused(tmp_path, data[: len(data) // 2], BackupInvalid, "damaged JSON")
    _refused(tmp_path, b"\xff\xfe\x00garbage", BackupInvalid, "not a margin backup")


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ([], "not a margin backup"),
        ({"format": "something-else", "schema": 1, "articles": []}, "not a margin backup"),
        ({"format": "margin-backup", "schema": "1", "articles": []}, "bad schema"),
        ({"format": "margin-backup", "schema": 1, "articles": {}}, "must be lists"),
        ({"format": "margin-backup", "schema": 1, "articles": [{"text": "x"}]}, "metadata"),
    ],
)
def test_restore_refuses_wrong_shape(tmp_path: Path, doc: object, match: str) -> None:
    _refused(tmp_path, json.dumps(doc).encode(), BackupInvalid, match)


def test_restore_refuses_tampered_text_and_bad_records(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    good = tmp_path / "good.json"
    backup(lib, good)
    doc = json.loads(good.read_text(encoding="utf-8"))
    doc["articles"][1]["text"] += " edited"
    _refused(tmp_path, json.dumps(doc).encode(), BackupInvalid, "checksum")

    doc = json.loads(good.read_text(encoding="utf-8"))
    seed = next(r for r in doc["articles"] if r["annotations"]["highlights"])
    seed["annotations"]["highlights"][0]["start"] = "ten"
    _refused(tmp_path, json.dumps(doc).encode(), BackupInvalid, "highlight #1")


def test_restore_refuses_a_newer_schema(tmp_path: Path) -> None:
    doc = {"format": "margin-backup", "schema": BACKUP_SCHEMA + 1, "articles": [], "taught": []}
    _refused(tmp_path, json.dumps(doc).encode(), BackupTooNew, "a newer margin .*upgrade")


def test_backup_into_a_folder_is_refused(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    with pytest.raises(StoreError, match="is a folder"):
        backup(lib, tmp_path)


def test_backup_leaves_no_temp_files(tmp_path: Path) -> None:
    lib = filled_library(tmp_path / "lib")
    out = tmp_path / "out"
    out.mkdir()
    backup(lib, out / "b.json")
    backup(lib, out / "b.json")
    assert [p.name for p in out.iterdir()] == ["b.json"]


# --- restore --merge into articles that already exist ----------------------------

LATER = "2099-01-01T00:00:00Z"
EARLIER = "2000-01-01T00:00:00Z"


def _shard_bytes(lib: Library) -> dict[str, bytes]:
    folder = lib.root / "annotations"
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy(source: Library, root: Path, tmp_path: Path) -> Library:
    """A second library restored from ``source``'s backup (same ids everywhere)."""
    path = tmp_path / f"{root.name}.json"
    backup(source, path)
    target = Library(root)
    restore(target, path)
    return target


def _edit_backup(path: Path, edit) -> Path:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _seed_record(doc: dict) -> dict:
    return next(r for r in doc["articles"] if r["annotations"]["highlights"])


def test_merge_brings_new_annotations_into_an_existing_article(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    target = _copy(source, tmp_path / "target", tmp_path)
    seed = next(a for a in source.articles() if source.annotations(a.id).highlights)
    text = source.text(seed.id)
    # Both sides go on writing after the copy.
    source_note = source.add_note(seed.id, "written on the laptop")
    start = text.index("Washington")
    source_hl = source.add_highlight(seed.id, start, start + len("Washington"), tags=["usa"])
    source.add_tags(seed.id, ["read later"])
    target_note = target.add_note(seed.id, "written on the desktop")
    path = tmp_path / "laptop.json"
    backup(source, path)

    counts = restore(target, path, merge=True)
    assert counts == {
        "articles": 0,
        "merged": 1,
        "skipped": 1,
        "highlights": 1,
        "notes": 1,
        "updated": 0,
        "tags": 1,
        "taught": 0,
    }
    merged = target.annotations(seed.id)
    assert [n.id for n in merged.notes] == [
        *[n.id for n in source.annotations(seed.id).notes if n.id != source_note.id],
        target_note.id,
        source_note.id,
    ]
    assert source_hl in merged.highlights and len(merged.highlights) == 2
    assert merged.tags == ["energy policy", "South Caucasus", "2025", "read later"]
    assert merged.position == 1200

    files = _shard_bytes(target)
    again = restore(target, path, merge=True)
    assert again == dict.fromkeys(again, 0) | {"skipped": 2}
    assert _shard_bytes(target) == files
    assert target.annotations(seed.id) == merged


def test_merge_matches_an_article_by_its_text_when_ids_differ(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    path = tmp_path / "b.json"
    backup(source, path)
    seed = next(a for a in source.articles() if source.annotations(a.id).highlights)
    target = Library(tmp_path / "target")
    # The same text under another id (ids come from the text, so made by hand).
    mine = dataclasses.replace(seed, id="elsewhere1", title="Same text", source="elsewhere")
    target.import_records([(mine, source.text(seed.id), Annotations(article_id=mine.id))])
    target.add_note(mine.id, "my own note")

    counts = restore(target, path, merge=True)
    assert counts["articles"] == 1 and counts["merged"] == 1
    assert len(target.articles()) == 2
    assert target.get(mine.id).title == "Same text"  # the library's metadata stays
    merged = target.annotations(mine.id)
    wanted = source.annotations(seed.id)
    assert [n.text for n in merged.notes] == ["my own note", *[n.text for n in wanted.notes]]
    assert merged.highlights == wanted.highlights
    assert merged.tags == wanted.tags


def test_merge_reanchors_highlights_against_a_changed_text(tmp_path: Path) -> None:
    source = Library(tmp_path / "source")
    text = SEED.read_text(encoding="utf-8")
    art, _ = source.add_article(text, title="Seed", source="seed.txt")
    start = text.index(PASSAGE)
    kept = source.add_highlight(art.id, start, start + len(PASSAGE), note="key claim")
    gone_quote = "Washington swamp"
    assert gone_quote in text
    g = text.index(gone_quote)
    gone = source.add_highlight(art.id, g, g + len(gone_quote))
    path = tmp_path / "b.json"
    backup(source, path)

    # The target has the same article (same id) in a newer version of its text.
    target = Library(tmp_path / "target")
    target.import_records([(source.get(art.id), text, Annotations(article_id=art.id))])
    changed = "An editor's note added on top.\n\n" + text.replace(gone_quote, "capital")
    _, status = target.add_article(changed, title="Seed", source="seed.txt")
    assert status == "updated"

    counts = restore(target, path, merge=True)
    assert counts["merged"] == 1 and counts["highlights"] == 2
    by_id = {h.id: h for h in target.annotations(art.id).highlights}
    moved = by_id[kept.id]
    assert changed[moved.start : moved.end] == PASSAGE and not moved.orphan
    assert moved.start == changed.index(PASSAGE) and moved.note == "key claim"
    assert by_id[gone.id].orphan and by_id[gone.id].exact == gone_quote
    again = restore(target, path, merge=True)
    assert again["merged"] == 0 and again["highlights"] == 0


def test_merge_keeps_the_newer_version_of_a_note_or_highlight(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    target = _copy(source, tmp_path / "target", tmp_path)
    path = tmp_path / "b.json"
    backup(source, path)
    seed = next(a for a in source.articles() if source.annotations(a.id).highlights)
    note_id = source.annotations(seed.id).notes[0].id
    hl_id = source.annotations(seed.id).highlights[0].id

    def newer(doc: dict) -> None:
        ann = _seed_record(doc)["annotations"]
        ann["notes"][0].update(text="rewritten later", updated=LATER)
        ann["highlights"][0].update(note="newer note", created=LATER)

    restore(target, _edit_backup(path, newer), merge=True)
    ann = target.annotations(seed.id)
    assert next(n for n in ann.notes if n.id == note_id).text == "rewritten later"
    assert next(h for h in ann.highlights if h.id == hl_id).note == "newer note"
    assert len(ann.notes) == 2 and len(ann.highlights) == 1

    backup(source, path)

    def older(doc: dict) -> None:
        ann = _seed_record(doc)["annotations"]
        ann["notes"][0].update(text="an old draft", created=EARLIER, updated=EARLIER)
        ann["highlights"][0].update(note="old", created=EARLIER)

    counts = restore(target, _edit_backup(path, older), merge=True)
    assert counts["updated"] == 0 and counts["merged"] == 0
    assert target.annotations(seed.id) == ann


def test_merge_treats_a_highlight_on_the_same_span_as_the_same(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    start = text.index(PASSAGE)
    source = Library(tmp_path / "source")
    art, _ = source.add_article(text, title="Seed", source="seed.txt")
    theirs = source.add_highlight(art.id, start, start + len(PASSAGE), tags=["laptop"], note="n")
    attached = source.add_note(art.id, "on their highlight", highlight_id=theirs.id)
    target = Library(tmp_path / "target")
    target.import_records([(art, text, Annotations(article_id=art.id))])
    ours = target.add_highlight(art.id, start, start + len(PASSAGE), tags=["desktop"])
    assert ours.id != theirs.id
    path = tmp_path / "b.json"
    backup(source, path)

    counts = restore(target, path, merge=True)
    assert counts["highlights"] == 0 and counts["updated"] == 1 and counts["notes"] == 1
    ann = target.annotations(art.id)
    assert len(ann.highlights) == 1
    assert ann.highlights[0].id == ours.id
    assert ann.highlights[0].tags == ["desktop", "laptop"] and ann.highlights[0].note == "n"
    assert [(n.id, n.highlight_id) for n in ann.notes] == [(attached.id, ours.id)]
    again = restore(target, path, merge=True)
    assert again["merged"] == 0 and target.annotations(art.id) == ann


def test_merge_applies_the_latest_word_on_taught_entities(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    path = tmp_path / "b.json"
    backup(source, path)
    target = Library(tmp_path / "target")
    mine = target.teach("add", "News", type="ORG")  # contradicts the backup's "reject News"
    target.teach("merge", "Mammadov", canonical="Zaur Mammadov")  # another group: no conflict

    def stamp(when: str):
        def edit(doc: dict) -> None:
            for t in doc["taught"]:
                t["created"] = when

        return edit

    counts = restore(target, _edit_backup(path, stamp(EARLIER)), merge=True)
    assert counts["taught"] == 1  # "add Zaur Mammadov"; the older "reject News" is left out
    assert {(t.action, t.text) for t in target.taught()} == {
        ("add", "News"),
        ("merge", "Mammadov"),
        ("add", "Zaur Mammadov"),
    }

    backup(source, path)
    counts = restore(target, _edit_backup(path, stamp(LATER)), merge=True)
    assert counts["taught"] == 1  # the later "reject News" replaces the library's "add"
    taught = {(t.action, t.text) for t in target.taught()}
    assert ("reject", "News") in taught and ("add", "News") not in taught
    assert mine.id not in {t.id for t in target.taught()}
    assert restore(target, path, merge=True)["taught"] == 0


def test_merge_into_an_empty_library_is_a_restore(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    first = tmp_path / "first.json"
    backup(source, first)
    fresh = Library(tmp_path / "fresh")
    counts = restore(fresh, first, merge=True)
    assert counts["articles"] == 2 and counts["merged"] == 0 and counts["taught"] == 2
    second = tmp_path / "second.json"
    backup(fresh, second)
    assert second.read_bytes() == first.read_bytes()


def test_merge_of_a_damaged_backup_changes_nothing(tmp_path: Path) -> None:
    source = filled_library(tmp_path / "source")
    target = _copy(source, tmp_path / "target", tmp_path)
    path = tmp_path / "b.json"
    backup(source, path)

    def damage(doc: dict) -> None:
        _seed_record(doc)["annotations"]["notes"].append({"id": "n-1", "text": "x"})

    files = _shard_bytes(target)
    with pytest.raises(BackupInvalid, match="note #3"):
        restore(target, _edit_backup(path, damage), merge=True)
    assert _shard_bytes(target) == files


# --- merge_annotations on generated annotations ----------------------------------

TEXT = "The minister met the envoy in Baku. The envoy left for Ganja on Monday. "
EDITED = "Breaking: " + TEXT.replace("Monday", "Tuesday") + "More later."
STAMPS = st.sampled_from(["", "not a date", EARLIER, "2026-05-01T10:00:00Z", LATER])
WORDS = [(m.start(), m.end()) for m in re.finditer(r"\w+(?: \w+)?", TEXT)]


@st.composite
def highlights(draw, ids: list[str]) -> list[dict]:
    out = []
    for hid in ids:
        start, end = draw(st.sampled_from(WORDS))
        anchor = selector(TEXT, start, end)
        out.append(
            Highlight(
                id=hid,
                start=start,
                end=end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                note=draw(st.sampled_from(["", "a", "b"])),
                tags=draw(st.lists(st.sampled_from(["x", "y", "Z", "z"]), max_size=3)),
                created=draw(STAMPS),
                orphan=draw(st.booleans()),
            ).to_dict()
        )
    return out


@st.composite
def annotation_docs(draw) -> dict:
    hl_ids = draw(st.lists(st.sampled_from(["hl-1", "hl-2", "hl-3", "hl-4"]), unique=True))
    note_ids = draw(st.lists(st.sampled_from(["n-1", "n-2", "n-3"]), unique=True))
    notes = [
        Note(
            id=nid,
            text=draw(st.sampled_from(["one", "two", "three"])),
            created=draw(STAMPS),
            updated=draw(STAMPS),
            highlight_id=draw(st.sampled_from([None, "hl-1", "hl-2", "hl-3", "hl-4"])),
        ).to_dict()
        for nid in note_ids
    ]
    tags = draw(st.lists(st.sampled_from(["energy", "Energy", "baku", "2025"]), max_size=3))
    return {"tags": normalize_tags(tags), "notes": notes, "highlights": draw(highlights(hl_ids))}


def _as_annotations(doc: dict) -> Annotations:
    return Annotations(
        article_id="a",
        tags=list(doc["tags"]),
        notes=[Note.from_dict(n) for n in doc["notes"]],
        highlights=[Highlight.from_dict(h) for h in doc["highlights"]],
    )


@settings(max_examples=200, deadline=None)
@given(annotation_docs(), annotation_docs(), st.sampled_from([None, EDITED]))
def test_merge_annotations_is_an_idempotent_union(target: dict, theirs: dict, text) -> None:
    incoming = _as_annotations(theirs)
    once = copy.deepcopy(target)
    counts = merge_annotations(once, incoming, text)
    twice = copy.deepcopy(once)
    assert merge_annotations(twice, incoming, text) == dict.fromkeys(counts, 0)
    assert twice == once

    for kind in ("notes", "highlights"):
        ids = [r["id"] for r in once[kind]]
        assert len(ids) == len(set(ids))
        assert {r["id"] for r in target[kind]} <= set(ids)
        assert len(ids) == len(target[kind]) + counts[kind]
    assert {n["id"] for n in theirs["notes"]} <= {n["id"] for n in once["notes"]}
    spans = {(h["start"], h["end"]) for h in once["highlights"] if not h["orphan"]}
    for h in theirs["highlights"]:
        # each of theirs is there by id, or merged into the one on the span it anchors to
        mine = h if text is None else _reanchored(h, text)
        assert h["id"] in {r["id"] for r in once["highlights"]} or (
            not mine["orphan"] and (mine["start"], mine["end"]) in spans
        )
    assert once["tags"][: len(target["tags"])] == target["tags"]
    assert once["tags"] == normalize_tags([*target["tags"], *theirs["tags"]])
    # a version of ours is given up only for a strictly newer one of theirs
    ours = {n["id"]: n for n in target["notes"]}
    for note in once["notes"]:
        if note["id"] in ours and note != ours[note["id"]]:
            mine = ours[note["id"]]
            assert _newer(note["updated"] or note["created"], mine["updated"] or mine["created"])
    # every highlight re-anchored against the library's text, or an orphan
    if text is not None:
        for h in once["highlights"]:
            if not h["orphan"] and h["id"] not in {r["id"] for r in target["highlights"]}:
                assert text[h["start"] : h["end"]] == h["exact"]
