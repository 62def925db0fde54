"""Export through the real Library and the real analysis: files on disk, stdout,
determinism, re-export after an edit, and the structure of each profile."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from store import Library
from store.export import (
    PROFILES,
    UnknownProfile,
    export_article,
    export_articles,
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
        assert sorted(p.name for p in (tmp_path / profile).iterdir()) == sorted(before)
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
