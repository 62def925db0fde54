"""The export's faster paths give exactly what the plain ones give: front matter
from nodes built directly versus PyYAML's representer, the entity index versus a
direct count, and a library export reading each article once (order, progress,
errors)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.types import Analysis, Entity
from store import export
from store.errors import StoreError
from store.export_markdown import EntityCount, ExportItem, entity_index, one_line
from store.export_obsidian import _Dumper, dump_front_matter
from store.library import Library
from store.models import Annotations, Article

SCALARS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["2025", "yes", "null", "~", "1e3", "- x", "a: b", "[[Baku]]", "#tag", ""]),
)
FRONT = st.dictionaries(
    st.sampled_from(["id", "title", "source", "tags", "aliases", "entities", "null"]),
    st.one_of(SCALARS, st.lists(SCALARS, max_size=5)),
    max_size=7,
)


def _represented(data: dict) -> str:
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=2**31 - 1,
        default_flow_style=False,
    )
    return f"---\n{body}---\n"


@settings(max_examples=150, deadline=None)
@given(FRONT)
def test_front_matter_is_what_the_representer_writes(data: dict) -> None:
    text = dump_front_matter(data)
    assert text == _represented(data)
    assert yaml.safe_load(text[4:-4]) == data


def test_front_matter_of_other_types_uses_the_representer() -> None:
    data = {"id": "x", "count": 3, "flag": True, "tags": ["a", 2025]}
    text = dump_front_matter(data)
    assert text == _represented(data)
    assert yaml.safe_load(text[4:-4]) == data


def _reference_index(entities: list[Entity]) -> list[EntityCount]:
    rank = {"PERSON": 0, "ORG": 1, "PLACE": 2, "MISC": 3}
    by_name: dict[str, dict[str, int]] = {}
    for e in entities:
        name = one_line(e.canonical or e.text)
        if name:
            types = by_name.setdefault(name, {})
            types[e.type] = types.get(e.type, 0) + 1
    out = [
        EntityCount(
            name,
            min(types, key=lambda t: (-types[t], rank.get(t, 4), t)),
            sum(types.values()),
        )
        for name, types in by_name.items()
    ]
    return sorted(out, key=lambda e: (-e.count, e.name))


NAMES = st.sampled_from(["Ilham Aliyev", "Aliyev", " Aliyev ", "Baku", "", "Peter\nTase", "UN"])


@given(
    st.lists(
        st.tuples(NAMES, NAMES, st.sampled_from(["PERSON", "ORG", "PLACE", "MISC", "EVENT"])),
        max_size=30,
    )
)
def test_entity_index_counts_like_a_direct_count(rows) -> None:
    entities = [Entity(0, 1, etype, text, canonical) for text, canonical, etype in rows]
    article = Article(id="a1", title="t", source="-", sha256="0", added="2025-01-01")
    item = ExportItem(article, "x", Annotations("a1"), Analysis(entities=entities))
    assert entity_index(item) == _reference_index(entities)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_slugs_follow_the_general_rule(title: str) -> None:
    assert export._words(title) == export._unicode_words(title)


def test_slugs() -> None:
    assert export._slug("Ilham Aliyev's visit to the White House") == (
        "ilham-aliyevs-visit-to-the-white-house"
    )
    assert export._slug("Путин и Алиев: встреча") == "путин-и-алиев-встреча"
    assert export._slug("--- ") == ""


@pytest.fixture
def filled(library: Library) -> tuple[Library, list[str]]:
    ids = []
    for i in range(150):
        art, _ = library.add_article(
            f"Article number {i} about Baku and Ganja.\n", title=f"Story {i}", source=f"s{i}"
        )
        ids.append(art.id)
    library.add_note(ids[3], "A note on the fourth.")
    return library, ids


def test_export_writes_every_file_in_order(filled, tmp_path: Path) -> None:
    lib, ids = filled
    calls: list[tuple[int, int]] = []
    paths = export.export_articles(
        lib, ids, "plain", tmp_path / "out", progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(n, len(ids)) for n in range(1, len(ids) + 1)]
    assert len(set(paths)) == len(ids)
    for article_id, path in zip(ids, paths, strict=True):
        assert (
            path.read_text(encoding="utf-8") == export.export_article(lib, article_id, "plain")[1]
        )
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_a_failed_write_stops_the_export_with_its_path(filled, tmp_path: Path) -> None:
    lib, ids = filled
    out = tmp_path / "out"
    names = export._unique_names([lib.get(i) for i in ids])
    (out / names[100]).mkdir(parents=True)  # a folder where a file should go
    (out / names[100] / "keep").write_text("x")
    with pytest.raises(StoreError, match=names[100]):
        export.export_articles(lib, ids, "plain", out)
    assert all((out / name).is_file() for name in names[:100])
    assert (out / names[100] / "keep").read_text() == "x"


def test_progress_that_raises_stops_the_export(filled, tmp_path: Path) -> None:
    lib, ids = filled
    out = tmp_path / "out"

    def progress(done: int, total: int) -> None:
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.export_articles(lib, ids, "plain", out, progress=progress)
    written = sum(1 for p in out.iterdir() if p.suffix == ".md")
    assert written == 10
