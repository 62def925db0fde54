"""DurableStorage: atomic writes, backups, damaged and newer files, migrations."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from store import storage as storage_mod
from store.errors import LibraryCorrupt, LibraryTooNew, SaveFailed
from store.library import Library
from store.storage import SCHEMA_VERSION, DurableStorage


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".baktmp")))


def test_round_trip_is_sorted_utf8_and_carries_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    assert s.read() is None
    s.write({"b": {"1": {"name": "Ильхам Əliyev 🙂"}}, "a": {}})
    raw = path.read_bytes()
    assert "Ильхам Əliyev 🙂".encode() in raw  # not \u-escaped
    data = json.loads(raw)
    assert list(data) == sorted(data)
    assert data["meta"] == {"1": {"schema": SCHEMA_VERSION}}
    assert DurableStorage(path).read()["b"] == {"1": {"name": "Ильхам Əliyev 🙂"}}


def test_previous_version_is_kept_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": 1}}})
    first = path.read_bytes()
    s.write({"t": {"1": {"v": 2}}})
    assert (tmp_path / "db.json.bak").read_bytes() == first
    assert json.loads(path.read_bytes())["t"]["1"]["v"] == 2
    assert _leftovers(tmp_path) == []


def test_reads_see_another_writers_changes(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    one, two = TinyDB(path, storage=DurableStorage), TinyDB(path, storage=DurableStorage)
    one.table("t").insert({"x": 1})
    assert two.table("t").all() == [{"x": 1}]
    two.table("t").insert({"x": 2})
    assert [d["x"] for d in one.table("t").all()] == [1, 2]


def test_lone_surrogates_survive(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    DurableStorage(path).write({"t": {"1": {"s": "a\ud800b"}}})
    assert DurableStorage(path).read()["t"]["1"]["s"] == "a\ud800b"


def test_unserialisable_value_never_touches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": 1}}})
    before = path.read_bytes()
    with pytest.raises((TypeError, ValueError)):
        s.write({"t": {"1": {"v": object()}}})
    with pytest.raises(ValueError):
        s.write({"t": {"1": {"v": float("nan")}}})
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


GOOD = json.dumps({"articles": {"a": {"title": "x"}}, "meta": {"1": {"schema": 1}}}).encode()

DAMAGED = {
    "empty": b"",
    "truncated": GOOD[: len(GOOD) // 2],
    "trailing garbage": GOOD + b"}garbage",
    "nul bytes": GOOD[:10] + b"\x00\x00\x00" + GOOD[10:],
    "zeroed (lost blocks)": b"\x00" * len(GOOD),
    "invalid utf-8": GOOD.replace(b'"x"', b'"\xff\xfe"'),
    "top level is a list": b'[{"articles": {}}]',
    "table is not an object": b'{"articles": [1, 2, 3]}',
    "record is not an object": b'{"articles": {"a": "title"}}',
    "not json": b"articles: {a: title}\n",
    "whitespace only": b"   \n\t  \n",
    "non-standard constant": b'{"articles": {"a": {"n": NaN}}}',
    "bad schema version": b'{"meta": {"1": {"schema": "one"}}}',
}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_damaged_file_is_refused_and_left_byte_identical(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(DAMAGED[kind])
    db = TinyDB(path, storage=DurableStorage)
    with pytest.raises(LibraryCorrupt) as err:
        db.table("articles").all()
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(LibraryCorrupt):
        db.table("articles").insert({"title": "new"})
    with pytest.raises(LibraryCorrupt):
        # A write that does not read first must not clobber it either.
        DurableStorage(path).write({"articles": {}})
    assert path.read_bytes() == DAMAGED[kind]
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["truncated", "nul bytes", "top level is a list"])
def test_library_refuses_a_damaged_index(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "library.json").write_bytes(DAMAGED[kind])
    with pytest.raises(LibraryCorrupt, match="library.json"):
        Library(root)
    assert (root / "library.json").read_bytes() == DAMAGED[kind]


def test_file_damaged_after_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": 1}}})
    s.read()
    path.write_bytes(b'{"t": {"1": ')
    with pytest.raises(LibraryCorrupt):
        s.write({"t": {"1": {"v": 2}}})
    assert path.read_bytes() == b'{"t": {"1": '


def test_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    raw = json.dumps({"meta": {"1": {"schema": SCHEMA_VERSION + 1}}, "t": {}}).encode()
    path.write_bytes(raw)
    with pytest.raises(LibraryTooNew, match="newer margin"):
        DurableStorage(path).read()
    with pytest.raises(LibraryTooNew):
        TinyDB(path, storage=DurableStorage).table("t").insert({"x": 1})
    assert path.read_bytes() == raw


def test_file_without_schema_is_version_zero_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_text('{"_default": {"1": {"x": 1}}}', encoding="utf-8")
    db = TinyDB(path, storage=DurableStorage)
    assert db.all() == [{"x": 1}]
    db.insert({"x": 2})
    assert json.loads(path.read_bytes())["meta"]["1"]["schema"] == SCHEMA_VERSION


def test_fake_migration_runs_step_by_step(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_text('{"people": {"1": {"name": "Ada Lovelace"}}}', encoding="utf-8")
    calls = []

    def v0_to_v1(data):
        calls.append(0)
        return data

    def v1_to_v2(data):
        calls.append(1)
        for rec in data["people"].values():
            first, _, last = rec.pop("name").partition(" ")
            rec.update(first=first, last=last)
        return data

    s = DurableStorage(path, schema=2, migrations={0: v0_to_v1, 1: v1_to_v2})
    data = s.read()
    assert calls == [0, 1]
    assert data["people"]["1"] == {"first": "Ada", "last": "Lovelace"}
    assert path.read_text(encoding="utf-8") == '{"people": {"1": {"name": "Ada Lovelace"}}}'
    s.write(data)
    assert json.loads(path.read_bytes())["meta"]["1"]["schema"] == 2
    # Once migrated, a version 1 reader refuses it rather than misreading it.
    with pytest.raises(LibraryTooNew):
        DurableStorage(path, schema=1).read()


@pytest.mark.parametrize(
    "failing, err",
    [
        ("fsync", errno.EIO),
        ("write", errno.ENOSPC),
        ("replace", errno.EACCES),
    ],
)
def test_failed_write_raises_save_failed_and_keeps_old_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, err: int
) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": "old"}}})
    before = path.read_bytes()
    real = getattr(os, failing)

    def broken(*args, **kwargs):
        if failing == "replace" and not str(args[1]).endswith("db.json"):
            return real(*args, **kwargs)
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(storage_mod.os, failing, broken)
    with pytest.raises(SaveFailed) as caught:
        s.write({"t": {"1": {"v": "new"}}})
    monkeypatch.undo()
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tables=st.dictionaries(
        st.text(min_size=1).filter(lambda s: s != "meta"),
        st.dictionaries(st.text(), st.dictionaries(st.text(), json_values, max_size=4), max_size=3),
        max_size=3,
    )
)
def test_any_unicode_document_round_trips(tmp_path: Path, tables) -> None:
    path = tmp_path / "prop.json"
    DurableStorage(path).write(tables)
    back = DurableStorage(path).read()
    back.pop("meta")
    assert back == tables


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 256 KiB tmpfs, mounted when the test may (root, mount allowed)."""
    if os.geteuid() != 0:
        pytest.skip("disk-full test needs root to mount a small tmpfs")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_keeps_old_data_and_says_so(small_tmpfs: Path) -> None:
    lib = Library(small_tmpfs / "lib")
    art, _ = lib.add_article("A short article about a full disk.\n" * 5, title="t", source="s")
    note = lib.add_note(art.id, "written before the disk filled up")
    lib.add_tags(art.id, ["kept"])
    shard = lib.paths.shard(art.id)
    index_before = lib.paths.db.read_bytes()
    shard_before = shard.read_bytes()
    fd = os.open(small_tmpfs / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        with pytest.raises(OSError) as full:
            while True:
                os.write(fd, b"\xff" * 4096)
        assert full.value.errno == errno.ENOSPC
    finally:
        os.close(fd)
    with pytest.raises(SaveFailed, match="disk full") as caught:
        lib.add_note(art.id, "x" * 20000)
    assert "\n" not in str(caught.value)
    with pytest.raises(SaveFailed):
        lib.add_article("Another article that cannot fit.\n" * 3000, title="t2", source="s2")
    assert shard.read_bytes() == shard_before
    assert lib.paths.db.read_bytes() == index_before
    (small_tmpfs / "filler").unlink()
    again = Library(small_tmpfs / "lib")
    assert [n.text for n in again.annotations(art.id).notes] == [note.text]
    assert again.annotations(art.id).tags == ["kept"]
    assert [a.id for a in again.articles()] == [art.id]
    for folder in (shard.parent, lib.paths.root):
        assert _leftovers(folder) == []


def test_damage_message_points_to_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": 1}}})
    s.write({"t": {"1": {"v": 2}}})
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(LibraryCorrupt, match=r"previous version is kept in .*db\.json\.bak"):
        DurableStorage(path).read()
    assert DurableStorage(tmp_path / "db.json.bak").read()["t"]["1"]["v"] == 1


def test_only_old_temp_files_are_cleaned_up(tmp_path: Path) -> None:
    old, young, other = (
        tmp_path / ".db.json.ab12.tmp",
        tmp_path / ".db.json.cd34.tmp",
        tmp_path / "x.tmp",
    )
    for p in (old, young, other):
        p.write_bytes(b"partial")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(other, (1_000_000, 1_000_000))
    assert storage_mod.remove_stale_temp_files(tmp_path) == 1
    assert not old.exists() and young.exists() and other.exists()


def test_backup_is_copied_where_hard_links_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    s = DurableStorage(path)
    s.write({"t": {"1": {"v": 1}}})
    first = path.read_bytes()

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(storage_mod.os, "link", no_links)
    s.write({"t": {"1": {"v": 2}}})
    assert (tmp_path / "db.json.bak").read_bytes() == first
    assert DurableStorage(path).read()["t"]["1"]["v"] == 2
    assert _leftovers(tmp_path) == []


def test_other_records_in_the_meta_table_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=DurableStorage)
    db.table("t").insert({"x": 1})
    db.table("meta").insert({"note": "mine"})
    db.table("t").insert({"x": 2})
    meta = json.loads(path.read_bytes())["meta"]
    assert meta["1"] == {"schema": SCHEMA_VERSION}
    assert {"note": "mine"} in meta.values()
