"""The search index over a real Library: the bundled sample articles, analysed by
the built-in recogniser, then kept current through imports, notes, taught
entities and deletions."""

from __future__ import annotations

import shutil

import pytest

from store import Library
from store.search import SearchIndex
from store.search_text import normalize

NEW_ARTICLE = (
    "Brussels talks\n\n"
    "Prime Minister Nikol Pashinian met President Ilham Aliyev in Brussels on Monday. "
    "“We are closer to peace than ever,” Pashinian told reporters after the meeting.\n"
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library(tmp_path_factory.mktemp("library"))
    assert library.seed_samples() > 20
    return library


@pytest.fixture
def library(tmp_path, seeded: Library) -> Library:
    """A private copy of the seeded library, so a test may change it."""
    root = tmp_path / "copy"
    shutil.copytree(seeded.root, root)
    return Library(root)


def first_entity(index: SearchIndex, query: str):
    return next(h for h in index.search(query, scope="entities") if h.kind == "entity")


def seed_id(library: Library) -> str:
    return next(a.id for a in library.articles() if "Aliyev" in a.title)


def test_seed_aliases_and_misspellings(seeded: Library) -> None:
    index = SearchIndex.build(seeded)
    seed = seed_id(seeded)
    for query in ("Aliev", "Ilham Aliev", "Aliyev Ilham", "Əliyev"):
        hit = first_entity(index, query)
        assert hit.text == "Ilham Aliyev", query
        assert seed in {a.id for a in hit.articles}
    page = index.entity_page(first_entity(index, "Aliev").key)
    # The recogniser's mentions ("President Ilham Aliyev", "Aliyev", ...) are one entity.
    assert len([m for m in page.mentions if m.article_id == seed]) >= 10
    for query in ("Pashinian", "Pahsinyan", "Pashinan"):
        assert first_entity(index, query).text == "Nikol Pashinyan", query
    zangezur = index.entity_page(first_entity(index, "Zangazur").key)
    # The seed writes both transliterations (the recogniser keeps "corridor").
    first_words = {normalize(a).split()[0] for a in zangezur.aliases}
    assert {"zangezur", "zangazur"} <= first_words


def test_wikinews_entities_across_articles(seeded: Library) -> None:
    index = SearchIndex.build(seeded)
    trump = first_entity(index, "Donald Trmp")
    assert trump.text == "Donald Trump"
    assert len(trump.articles) >= 2  # the seed and a Wikinews article
    assert first_entity(index, "Andy Warhl").text == "Andy Warhol"
    quotes = index.search("speaker:Mammadov")
    assert quotes and all(h.kind == "quote" for h in quotes)


def test_updates_follow_the_library_without_rebuild(library: Library) -> None:
    index = SearchIndex.build(library)
    article, status = library.add_article(NEW_ARTICLE, title="Brussels talks", source="test")
    assert status == "added"
    index.update_article(library, article.id)
    # "Pashinian" in the new article and "Pashinyan" in the seed: one entity.
    hit = first_entity(index, "Pashinyan")
    assert hit.text == "Nikol Pashinyan"
    assert {article.id, seed_id(library)} <= {a.id for a in hit.articles}

    library.add_note(article.id, "Ask about the Lachin corridor next time")
    index.update_article(library, article.id)
    note = next(h for h in index.search("lachin coridor") if h.kind == "note")
    assert note.article_id == article.id

    library.add_tags(article.id, ["brussels"])
    index.update_article(library, article.id)
    assert {h.article_id for h in index.search("tag:brussels") if h.kind == "title"} == {article.id}

    library.delete_article(article.id)
    index.update_article(library, article.id)
    assert article.id not in {a.id for a in first_entity(index, "Pashinyan").articles}
    assert not [h for h in index.search("lachin coridor") if h.kind == "note"]


def test_taught_merge_split_and_reject_stick(library: Library) -> None:
    index = SearchIndex.build(library)
    trump = first_entity(index, "Donald Trump")
    aliyev = first_entity(index, "Ilham Aliyev")
    index.merge(library, trump.key, aliyev.key)
    merged = first_entity(index, "Donald Trump")
    assert {a.id for a in merged.articles} >= {a.id for a in trump.articles}
    assert first_entity(index, "Ilham Aliyev").key == merged.key
    # It sticks: a fresh index built from the library sees the same cluster.
    rebuilt = SearchIndex.build(library)
    assert first_entity(rebuilt, "Ilham Aliyev").key == first_entity(rebuilt, "Donald Trump").key

    index.split(library, "Donald Trump")
    assert first_entity(index, "Donald Trump").key != first_entity(index, "Ilham Aliyev").key

    library.teach("reject", "Zaur Mammadov")
    index.update_taught(library.taught())
    assert not any(
        normalize(h.text) == "zaur mammadov" for h in index.search("Mammadov", scope="entities")
    )
