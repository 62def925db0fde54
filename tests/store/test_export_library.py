"""Export through the real Library and the real analysis: files on disk, stdout,
determinism, re-export after an edit, and the structure of each profile."""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from store import Library
from store.export import (
    MANIFEST,
    PROFILES,
    UnknownProfile,
    export_article,
    export_articles,
    export_folder,
    export_to_stream,
    file_name,
)

SEED = Path(__file__).resolve().parents[2] / "sample_articles" / "aliyev_white_house.txt"
OTHER = Path(__file__).resolve().parents[2] / "sample_articles" / "GUM_news_nasa.txt"
PASSAGE = "a strategic gesture confirming that U.S.–Azerbaijan relations have entered a new phase"


def valid_obsidian_tag(tag: str) -> bool:
    """Letters, digits, combining marks, "_", "-" and "/"; not digits (and "/") only."""
    allowed = all(
        ch in "_-/" or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd"
        for ch in tag
    )
    return bool(tag) and allowed and not re.fullmatch(r"[\d/]+", tag)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, str, str]:
    """A library with the seed (tags, a note, a highlight with note and tags) and one
    more article; analysis is computed once and cached for the module."""
    lib = Library(tmp_path_factory.mktemp("lib"))
    text = SEED.read_text(encoding="utf-8")
    seed, _ = lib.add_article(
        text,
        title="Ilham Aliyev's visit to White House: a new signal from Caucasus to world-Analysis",
        source="https://apa.az/en/analytics/visit",
        site="apa.az",
        tags=["energy policy", "South Caucasus", "2025"],
    )
    lib.add_note(seed.id, "Compare with the coverage of last year.")
    start = text.index(PASSAGE)
    lib.add_highlight(
        seed.id, start, start + len(PASSAGE), note="key claim", tags=["diplomacy", "US relations"]
    )
    other, _ = lib.add_article(OTHER.read_text(encoding="utf-8"), title="NASA", source="nasa.txt")
    return lib, seed.id, other.id


def _front_matter(markdown: str) -> dict:
    assert markdown.startswith("---\n")
    return yaml.safe_load(markdown[4 : markdown.index("\n---\n", 4)])


def test_obsidian_on_real_analysis(seeded) -> None:
    lib, seed_id, _ = seeded
    name, md = export_article(lib, seed_id)
    assert name == file_name(lib.get(seed_id))
    data = _front_matter(md)
    assert data["id"] == seed_id
    assert data["title"] == lib.get(seed_id).title
    assert data["tags"] == ["energy-policy", "South-Caucasus", "y2025"]
    assert all(valid_obsidian_tag(t) for t in data["tags"])
    assert all(re.fullmatch(r"\[\[[^\[\]|#^]+\]\]", e) for e in data["entities"])
    assert re.search(r"^> .*" + re.escape(PASSAGE) + r" \^hl-[A-Za-z0-9-]+$", md, flags=re.M)
    speakers = set(re.findall(r"^> \[!quote\] (.+)$", md, flags=re.M))
    assert {"Zaur Mammadov", "Peter Tase"} <= speakers


def test_logseq_on_real_analysis(seeded) -> None:
    lib, seed_id, _ = seeded
    _, md = export_article(lib, seed_id, "logseq")
    assert "tags:: #[[energy policy]], #[[South Caucasus]], #2025\n" in md
    assert re.search(r"^\t  id:: [0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-", md, flags=re.M)
    assert "\t- **Zaur Mammadov**\n" in md and "\t- **Peter Tase**\n" in md


def test_plain_on_real_analysis(seeded) -> None:
    lib, seed_id, _ = seeded
    _, md = export_article(lib, seed_id, "plain")
    assert not md.startswith("---")
    assert "[[" not in md and "[!quote]" not in md and "^hl-" not in md
    assert "**Zaur Mammadov:**" in md and "**Peter Tase:**" in md
    assert f"> {PASSAGE}\n" in md


def test_export_articles_writes_identical_files_twice(seeded, tmp_path: Path) -> None:
    lib, seed_id, other_id = seeded
    calls: list[tuple[int, int]] = []
    for profile in PROFILES:
        first = export_articles(
            lib, [seed_id, other_id], profile, tmp_path / profile, lambda d, t: calls.append((d, t))
        )
        before = {p.name: p.read_bytes() for p in first}
        second = export_articles(lib, [seed_id, other_id], profile, tmp_path / profile)
        assert first == second
        assert {p.name: p.read_bytes() for p in second} == before
        assert sorted(p.name for p in (tmp_path / profile).iterdir()) == sorted([*before, MANIFEST])
    assert calls == [(1, 2), (2, 2)] * len(PROFILES)


def test_export_articles_takes_prefixes_and_writes_each_article_once(
    seeded, tmp_path: Path
) -> None:
    lib, seed_id, other_id = seeded
    paths = export_articles(lib, [seed_id, seed_id[:6], other_id, seed_id], out_dir=tmp_path)
    assert [p.name for p in paths] == [file_name(lib.get(seed_id)), file_name(lib.get(other_id))]


def test_export_in_processes_writes_the_same_files(seeded, tmp_path: Path, monkeypatch) -> None:
    from store import export_parallel

    lib, seed_id, other_id = seeded
    serial = export_articles(lib, [seed_id, other_id], "logseq", tmp_path / "serial", workers=1)
    monkeypatch.setattr(export_parallel, "CHUNK", 1)  # one task per article
    calls: list[tuple[int, int]] = []
    shared = export_articles(
        lib,
        [seed_id, other_id],
        "logseq",
        tmp_path / "shared",
        lambda d, t: calls.append((d, t)),
        2,
    )
    assert [p.name for p in shared] == [p.name for p in serial]
    assert [p.read_bytes() for p in shared] == [p.read_bytes() for p in serial]
    # the workers' checksums land in the manifest as the serial export's do
    manifest = (tmp_path / "shared" / MANIFEST).read_bytes()
    assert manifest == (tmp_path / "serial" / MANIFEST).read_bytes()
    assert calls == [(1, 2), (2, 2)]


def test_reexport_after_an_edit_changes_only_that_file(seeded, tmp_path: Path) -> None:
    lib, seed_id, other_id = seeded
    seed_path, other_path = export_articles(lib, [seed_id, other_id], out_dir=tmp_path)
    seed_before = seed_path.read_text(encoding="utf-8")
    other_stat = other_path.stat()
    note = lib.add_note(seed_id, "A second thought.")
    try:
        export_articles(lib, [seed_id, other_id], out_dir=tmp_path)
        seed_after = seed_path.read_text(encoding="utf-8")
        assert seed_after != seed_before
        added = [line for line in seed_after.splitlines() if line not in seed_before.splitlines()]
        assert added == ["- A second thought."]
        assert other_path.stat().st_mtime_ns == other_stat.st_mtime_ns
    finally:
        lib.delete_note(seed_id, note.id)


def test_export_to_stream(seeded) -> None:
    lib, seed_id, other_id = seeded
    one = io.StringIO()
    export_to_stream(lib, [seed_id], "obsidian", one)
    assert one.getvalue() == export_article(lib, seed_id)[1]
    both = io.StringIO()
    export_to_stream(lib, [seed_id, other_id], "plain", both)
    out = both.getvalue()
    names = re.findall(r"^<!-- margin: (\S+\.md) -->$", out, flags=re.M)
    assert names == [file_name(lib.get(seed_id)), file_name(lib.get(other_id))]
    assert export_article(lib, other_id, "plain")[1] in out


def test_unknown_profile_and_id(seeded, tmp_path: Path) -> None:
    lib, seed_id, _ = seeded
    with pytest.raises(UnknownProfile):
        export_articles(lib, [seed_id], "roam", tmp_path)
    with pytest.raises(Exception, match="zzzz"):
        export_article(lib, "zzzz")


# --- stale files of renamed and deleted articles (the folder's manifest) --------


def _small_library(root: Path) -> tuple[Library, str, str]:
    lib = Library(root)
    a, _ = lib.add_article(
        "Baku hosted the talks on Monday.\n", title="Talks in Baku", source="a.txt"
    )
    b, _ = lib.add_article(
        "Ganja opened a new library.\n", title="A library in Ganja", source="b.txt"
    )
    lib.add_note(a.id, "Check the date.")
    return lib, a.id, b.id


def _rename(lib: Library, article_id: str, title: str) -> None:
    """Re-import the article's source with new text and a new title."""
    article = lib.get(article_id)
    _, status = lib.add_article(
        lib.text(article_id) + "Updated later.\n", title=title, source=article.source
    )
    assert status == "updated" and lib.get(article_id).title == title


def _md_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.md"))


def test_reexport_after_a_rename_removes_the_old_file(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    old_a, path_b = export_folder(lib, [a, b], out_dir=out).paths
    b_stat = path_b.stat()
    _rename(lib, a, "Talks in Baku end without a deal")
    result = export_folder(lib, [a, b], out_dir=out)
    new_a = result.paths[0]
    assert new_a != old_a and new_a.name == file_name(lib.get(a))
    assert result.removed == [old_a] and result.kept == [] and result.warnings == []
    assert _md_files(out) == sorted([new_a.name, path_b.name])
    assert path_b.stat().st_mtime_ns == b_stat.st_mtime_ns  # untouched
    # Nothing is left to do the next time.
    again = export_folder(lib, [a, b], out_dir=out)
    assert again.removed == [] and again.kept == []
    assert _md_files(out) == sorted([new_a.name, path_b.name])


def test_a_deleted_articles_file_goes_even_when_not_selected(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], out_dir=out)
    lib.delete_article(b)
    result = export_folder(lib, [a], out_dir=out)
    assert result.removed == [path_b]
    assert _md_files(out) == [path_a.name]
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert [e["id"] for e in entries.values()] == [a]


def test_articles_outside_the_selection_keep_their_files(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], out_dir=out)
    _rename(lib, b, "Ganja's library opens its doors")
    result = export_folder(lib, [a], out_dir=out)
    assert result.removed == [] and result.kept == []
    assert _md_files(out) == sorted([path_a.name, path_b.name])
    # Its own export later removes the old name.
    result = export_folder(lib, [b], out_dir=out)
    assert result.removed == [path_b]


def test_edited_and_foreign_files_are_never_removed(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], "plain", out_dir=out)
    edited = path_a.read_bytes() + b"\nMy own line.\n"
    path_a.write_bytes(edited)
    own = out / "my-notes.md"
    own.write_text("mine\n", encoding="utf-8")
    _rename(lib, a, "Talks in Baku, day two")
    _rename(lib, b, "Ganja, day two")
    path_b.unlink()
    path_b.mkdir()  # no longer a plain file: left alone as well
    result = export_folder(lib, [a, b], "plain", out_dir=out)
    assert result.removed == []
    assert result.kept == sorted([path_a, path_b])
    assert path_a.read_bytes() == edited and own.read_text(encoding="utf-8") == "mine\n"
    assert path_b.is_dir()
    # Reported once: margin no longer counts them as its own.
    again = export_folder(lib, [a, b], "plain", out_dir=out)
    assert again.removed == [] and again.kept == []
    assert path_a.read_bytes() == edited


def test_stale_files_go_whatever_profile_wrote_them(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    old_a, _ = export_articles(lib, [a, b], "logseq", out_dir=out)
    _rename(lib, a, "Talks in Baku end")
    result = export_folder(lib, [a, b], "obsidian", out_dir=out)
    assert result.removed == [old_a]
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert {e["profile"] for e in entries.values()} == {"obsidian"}


def test_manifest_records_what_was_written_and_is_deterministic(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    paths = export_articles(lib, [b, a], "logseq", out_dir=out)
    first = (out / MANIFEST).read_bytes()
    export_articles(lib, [a, b], "logseq", out_dir=out)
    assert (out / MANIFEST).read_bytes() == first
    doc = json.loads(first)
    assert doc["format"] == "margin-export" and doc["version"] == 1
    assert doc["files"] == {
        p.name: {
            "id": aid,
            "profile": "logseq",
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p, aid in zip(paths, [b, a], strict=True)
    }


@pytest.mark.parametrize(
    ("content", "warning", "rewritten"),
    [
        (b"{not json", "damaged export manifest", True),
        (b'{"format": "margin-export", "version": 1, "files": []}', "no file list", True),
        (b'{"format": "margin-export", "version": 9, "files": {}}', "newer margin", False),
    ],
)
def test_an_unusable_manifest_removes_nothing(
    tmp_path: Path, content: bytes, warning: str, rewritten: bool
) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    old_a, _ = export_articles(lib, [a, b], out_dir=out)
    (out / MANIFEST).write_bytes(content)
    _rename(lib, a, "Talks in Baku end")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.removed == [] and old_a.exists()
    assert len(result.warnings) == 1 and warning in result.warnings[0]
    assert str(out / MANIFEST) in result.warnings[0] and "\n" not in result.warnings[0]
    manifest = (out / MANIFEST).read_bytes()
    assert (manifest != content) == rewritten
    if rewritten:
        assert set(json.loads(manifest)["files"]) == {p.name for p in result.paths}


def test_manifest_names_outside_the_folder_are_ignored(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    export_articles(lib, [a, b], out_dir=out)
    outside = tmp_path / "outside.md"
    outside.write_text("keep me\n", encoding="utf-8")
    sha = hashlib.sha256(outside.read_bytes()).hexdigest()
    doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for name in ("../outside.md", str(outside), ".hidden.md"):
        doc["files"][name] = {"id": "gone", "profile": "obsidian", "sha256": sha}
    (out / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.removed == [] and outside.read_text(encoding="utf-8") == "keep me\n"
    assert set(json.loads((out / MANIFEST).read_bytes())["files"]) == {p.name for p in result.paths}


# --- files the user edited after an export are never overwritten (without force) --


def _manifest_files(out: Path) -> dict[str, dict[str, str]]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_reexport_keeps_a_file_the_user_edited(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], out_dir=out)
    sha_before = _manifest_files(out)[path_a.name]["sha256"]
    edited = path_a.read_bytes() + b"\nMy own thoughts, written in Obsidian.\n"
    path_a.write_bytes(edited)
    lib.add_note(a, "A note added in margin later.")
    lib.add_note(b, "And one on the other article.")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.paths == [path_a, path_b]
    assert result.skipped_edited == [path_a] and result.written == [path_b]
    assert result.removed == [] and result.kept == [] and result.warnings == []
    assert path_a.read_bytes() == edited
    assert "And one on the other article." in path_b.read_text(encoding="utf-8")
    # the manifest still holds what margin wrote, so the edit is recognised again
    files = _manifest_files(out)
    assert files[path_a.name]["sha256"] == sha_before
    assert files[path_b.name]["sha256"] == hashlib.sha256(path_b.read_bytes()).hexdigest()
    again = export_folder(lib, [a, b], out_dir=out)
    assert again.skipped_edited == [path_a] and path_a.read_bytes() == edited
    # force overwrites it, as an export did before, and margin owns it again
    forced = export_folder(lib, [a, b], out_dir=out, force=True)
    assert forced.skipped_edited == [] and forced.written == [path_a, path_b]
    assert path_a.read_text(encoding="utf-8") == export_article(lib, a)[1]
    assert (
        _manifest_files(out)[path_a.name]["sha256"]
        == hashlib.sha256(path_a.read_bytes()).hexdigest()
    )
    path_a.write_bytes(path_a.read_bytes() + b"edited again\n")
    assert export_folder(lib, [a], out_dir=out).skipped_edited == [path_a]


def test_an_unchanged_article_still_keeps_the_users_edit(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, _ = export_articles(lib, [a, b], "logseq", out_dir=out)
    edited = path_a.read_bytes().replace(b"Check the date.", b"Checked: Monday.")
    assert edited != path_a.read_bytes()
    path_a.write_bytes(edited)
    result = export_folder(lib, [a, b], "logseq", out_dir=out)
    assert result.skipped_edited == [path_a] and path_a.read_bytes() == edited
    # another profile's text does not overwrite it either
    assert export_folder(lib, [a], "plain", out_dir=out).skipped_edited == [path_a]
    assert path_a.read_bytes() == edited


def test_a_file_edited_back_to_the_new_text_is_not_reported(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, _ = export_articles(lib, [a, b], out_dir=out)
    lib.add_note(a, "Second note.")
    path_a.write_text(export_article(lib, a)[1], encoding="utf-8")
    stat_before = path_a.stat()
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.skipped_edited == []
    assert path_a.stat().st_mtime_ns == stat_before.st_mtime_ns  # not rewritten
    assert (
        _manifest_files(out)[path_a.name]["sha256"]
        == hashlib.sha256(path_a.read_bytes()).hexdigest()
    )


def test_a_foreign_file_under_an_articles_name(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    # A folder with a manifest that does not list the file: the user's own, kept.
    out = tmp_path / "out"
    export_folder(lib, [a], out_dir=out)
    path_b = out / file_name(lib.get(b))
    path_b.write_text("my own file under that name\n", encoding="utf-8")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.skipped_edited == [path_b]
    assert path_b.read_text(encoding="utf-8") == "my own file under that name\n"
    assert path_b.name not in _manifest_files(out)
    assert export_folder(lib, [b], out_dir=out).skipped_edited == [path_b]
    # A folder without any manifest was exported before margin kept one: its files
    # are overwritten as they always were, and the manifest starts.
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    old = legacy / file_name(lib.get(b))
    old.write_text("an export from an older margin\n", encoding="utf-8")
    result = export_folder(lib, [a, b], out_dir=legacy)
    assert result.skipped_edited == []
    assert old.read_text(encoding="utf-8") == export_article(lib, b)[1]
    assert set(_manifest_files(legacy)) == {p.name for p in result.paths}


def test_a_folder_at_an_articles_name_is_kept_and_reported(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], out_dir=out)
    path_a.unlink()
    path_a.mkdir()
    (path_a / "inside.md").write_text("x\n", encoding="utf-8")
    lib.add_note(b, "More.")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.skipped_edited == [path_a] and result.written == [path_b]
    assert (path_a / "inside.md").read_text(encoding="utf-8") == "x\n"


def test_with_an_unusable_manifest_changed_files_are_kept(tmp_path: Path) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, path_b = export_articles(lib, [a, b], out_dir=out)
    edited = path_a.read_bytes() + b"mine\n"
    path_a.write_bytes(edited)
    (out / MANIFEST).write_bytes(b"{not json")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.skipped_edited == [path_a] and path_a.read_bytes() == edited
    assert len(result.warnings) == 1 and "damaged export manifest" in result.warnings[0]
    assert set(_manifest_files(out)) == {path_b.name}  # path_b was unchanged: margin's


def test_export_in_processes_keeps_edited_files_as_the_serial_export_does(
    tmp_path: Path, monkeypatch
) -> None:
    from store import export_parallel

    lib, a, b = _small_library(tmp_path / "lib")
    monkeypatch.setattr(export_parallel, "CHUNK", 1)
    folders = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        path_a, path_b = export_articles(lib, [a, b], out_dir=out)
        path_b.write_bytes(path_b.read_bytes() + b"mine\n")
        folders[workers] = out
    lib.add_note(a, "Later.")
    lib.add_note(b, "Later too.")
    results = {w: export_folder(lib, [a, b], out_dir=folders[w], workers=w) for w in (1, 2)}
    assert [p.name for p in results[1].skipped_edited] == [path_b.name]
    assert [p.name for p in results[2].skipped_edited] == [path_b.name]
    for name in (path_a.name, path_b.name, MANIFEST):
        assert (folders[1] / name).read_bytes() == (folders[2] / name).read_bytes()
    forced = export_folder(lib, [a, b], out_dir=folders[2], workers=2, force=True)
    assert forced.skipped_edited == []
    assert (folders[2] / path_b.name).read_text(encoding="utf-8") == export_article(lib, b)[1]


def test_a_link_at_an_articles_name_is_kept_and_its_target_never_written(
    tmp_path: Path,
) -> None:
    lib, a, b = _small_library(tmp_path / "lib")
    out = tmp_path / "out"
    path_a, _ = export_articles(lib, [a, b], out_dir=out)
    elsewhere = tmp_path / "vault-note.md"
    elsewhere.write_text("the user's note, linked in\n", encoding="utf-8")
    path_a.unlink()
    try:
        path_a.symlink_to(elsewhere)
    except OSError:
        pytest.skip("no symbolic links here")
    result = export_folder(lib, [a, b], out_dir=out)
    assert result.skipped_edited == [path_a] and path_a.is_symlink()
    forced = export_folder(lib, [a, b], out_dir=out, force=True)
    assert forced.skipped_edited == [] and not path_a.is_symlink()
    assert path_a.read_text(encoding="utf-8") == export_article(lib, a)[1]
    assert elsewhere.read_text(encoding="utf-8") == "the user's note, linked in\n"
