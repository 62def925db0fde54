"""JSON backup and restore of a whole library through the real Library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import Library, StoreError
from store.backup import (
    BACKUP_SCHEMA,
    BackupInvalid,
    BackupTooNew,
    LibraryNotEmpty,
    backup,
    restore,
)

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
    assert restored == {"articles": 2, "skipped": 0, "highlights": 1, "notes": 2, "taught": 2}
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
    assert again == {"articles": 0, "skipped": 2, "highlights": 0, "notes": 0, "taught": 0}


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
