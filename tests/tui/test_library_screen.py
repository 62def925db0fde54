"""Pilot tests of the library screen: listing, fuzzy filter, open, import, search, seeding."""

from __future__ import annotations

import asyncio

import pytest

from store import Library
from tests.tui.pilot import settle
from tui.app import MarginApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_table import ArticleTable

SEED_TITLE = "Ilham Aliyev's visit to White House"


def drive(app: MarginApp, scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await scenario(pilot, app.screen)

    asyncio.run(main())


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ",": "comma", "/": "slash"}.get(c, c) for c in text])


def test_lists_every_article_with_counts(library: Library, seed_id: str):
    library.add_tags(seed_id, ["diplomacy"])
    library.add_note(seed_id, "a note")

    async def scenario(pilot, screen):
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one(ArticleTable)
        assert table.row_count == len(library.articles())
        row = next(i for i, s in enumerate(screen.shown) if s.article.id == seed_id)
        cells = table.rows[row]
        assert cells[0].startswith(SEED_TITLE)
        assert cells[3] == "diplomacy" and cells[5] == "1"

    drive(MarginApp(library), scenario)


def test_typing_filters_fuzzily_and_enter_opens(library: Library, seed_id: str):
    async def scenario(pilot, screen):
        await type_text(pilot, "aliev whte house")
        await pilot.pause()
        assert screen.shown and screen.shown[0].article.id == seed_id
        assert len(screen.shown) < len(library.articles())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        assert pilot.app.screen.article_id == seed_id

    drive(MarginApp(library), scenario)


def test_escape_clears_the_filter(library: Library):
    async def scenario(pilot, screen):
        await type_text(pilot, "zzzzqqq")
        await pilot.pause()
        assert screen.shown == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(screen.shown) == len(library.articles())
        assert screen.query_one(ArticleTable).has_focus

    drive(MarginApp(library), scenario)


def test_q_quits_from_the_library(library: Library):
    app = MarginApp(library)

    async def scenario(pilot, screen):
        await pilot.press("q")
        await pilot.pause()

    drive(app, scenario)
    assert app.return_code == 0


def test_empty_library_is_seeded_on_first_open(tmp_path):
    library = Library(tmp_path / "fresh")
    assert library.is_empty()

    async def scenario(pilot, screen):
        titles = [s.article.title for s in screen.shown]
        assert any(t.startswith(SEED_TITLE) for t in titles)

    drive(MarginApp(library), scenario)
    assert not library.is_empty()


def test_import_dialog_adds_a_file(library: Library, tmp_path):
    article = tmp_path / "note.txt"
    article.write_text(
        "Ministers meet in Geneva\n\nForeign ministers met in Geneva on Monday, officials said.\n",
        encoding="utf-8",
    )
    before = len(library.articles())

    async def scenario(pilot, screen):
        await pilot.press("i")
        await pilot.pause()
        pilot.app.screen.query_one("#import-target").value = str(article)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LibraryScreen)
        assert any(s.article.title.startswith("Ministers meet") for s in screen.shown)

    drive(MarginApp(library), scenario)
    assert len(library.articles()) == before + 1


def test_import_of_a_missing_file_is_a_notification(library: Library, tmp_path):
    async def scenario(pilot, screen):
        await pilot.press("i")
        await pilot.pause()
        pilot.app.screen.query_one("#import-target").value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "ImportDialog"
        assert any("missing.txt" in n.message for n in pilot.app._notifications)

    drive(MarginApp(library), scenario)


def test_search_finds_a_misspelled_name_and_opens_the_article(library: Library, seed_id: str):
    pytest.importorskip("store.search")

    async def scenario(pilot, screen):
        await pilot.press("slash")
        await settle(pilot)
        await type_text(pilot, "Pashinian")
        await settle(pilot)
        search = pilot.app.screen
        assert search.hits, "results appear as you type"
        assert any("Pashinyan" in h.text for h in search.hits[:5])
        index = next(i for i, t in enumerate(search._targets) if "Pashinyan" in t[2])
        search._open(index)
        await settle(pilot)
        reader = pilot.app.screen
        assert isinstance(reader, ReaderScreen)
        text = reader.view.text
        assert text[reader.view.cursor :].startswith("Pashinyan") or "Pashinyan" in text

    drive(MarginApp(library), scenario)


def test_a_library_damaged_after_opening_is_reported_not_a_traceback(library: Library, tmp_path):
    root = tmp_path / "library"
    damaged = (root / "library.json").read_bytes()[:-40] + b"\x00garbage"
    (root / "library.json").write_bytes(damaged)
    app = MarginApp(library)

    async def scenario(pilot, screen):
        status = str(screen.query_one("#library-status").render())
        messages = [n.message for n in pilot.app._notifications]
        assert "could not be read" in status or any("library.json" in m for m in messages)

    drive(app, scenario)
    assert (root / "library.json").read_bytes() == damaged, "a damaged file is never overwritten"


def test_run_reports_a_damaged_library_in_one_line(tmp_path, capsys):
    from tui.app import run

    root = tmp_path / "library"
    Library(root)
    (root / "library.json").write_text("{not json", encoding="utf-8")
    assert run(root) == 1
    err = capsys.readouterr().err
    assert err.startswith("margin: ") and len(err.strip().splitlines()) == 1


def test_entity_page_lists_mentions_and_opens_one(library: Library, seed_id: str):
    pytest.importorskip("store.search")
    from textual.widgets import OptionList

    from tui.screens.entity_page import EntityPageScreen

    async def scenario(pilot, screen):
        await pilot.press("slash")
        await settle(pilot)
        await type_text(pilot, "Mammadov")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        page_screen = pilot.app.screen
        assert isinstance(page_screen, EntityPageScreen)
        assert page_screen.page.name == "Zaur Mammadov"
        targets = page_screen._targets
        index = next(i for i, t in enumerate(targets) if t and t[0] == seed_id and t[1])
        page_screen.query_one(OptionList).highlighted = index
        page_screen.query_one(OptionList).action_select()
        await settle(pilot)
        reader = pilot.app.screen
        assert isinstance(reader, ReaderScreen)
        offset = targets[index][1]
        assert reader.view.cursor == offset
        assert reader.view.text[offset:].startswith(("Zaur", "Mammadov"))

    drive(MarginApp(library), scenario)


def test_changes_another_process_makes_reach_the_list_and_the_search(
    library: Library, seed_id: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("tui.app.OUTSIDE_EVERY", 0.05)
    other = Library(library.root)  # as `margin import` in another terminal opens it

    def found(index, query: str, scope: str) -> set[str]:
        hits = index.search(query, scope=scope, limit=20)
        return {ref.id for hit in hits for ref in hit.articles} | {
            hit.article_id for hit in hits if getattr(hit, "article_id", None)
        }

    async def scenario(pilot, screen):
        await pilot.press("slash")
        await settle(pilot)  # the search index is built
        await pilot.press("escape")
        added, status = other.add_article(
            "Zebulon Quartermaine opened the Reykjavik harbour fair on Tuesday.\n",
            title="Harbour fair opens in Reykjavik",
            source="elsewhere.txt",
        )
        assert status == "added"
        other.add_note(seed_id, "checked against the ministry transcript")
        for _ in range(60):
            await pilot.pause(0.05)
            if any(s.article.id == added.id for s in screen.summaries):
                break
        await settle(pilot)
        assert any(s.article.id == added.id for s in screen.summaries)
        index = pilot.app.search_index
        assert added.id in found(index, "Harbour fair opens in Reykjavik", "all")
        assert seed_id in found(index, "ministry transcript", "notes")

    drive(MarginApp(library), scenario)


def test_search_says_how_many_more_articles_a_hit_has(library: Library):
    for i in range(9):
        library.add_article(
            f"Zebulon Quartermaine opened harbour fair number {i} in Reykjavik.\n",
            title=f"Harbour fair {i}",
            source=f"fair-{i}.txt",
        )

    async def scenario(pilot, screen):
        await pilot.press("slash")
        await settle(pilot)
        await type_text(pilot, "Zebulon Quartermaine")
        await settle(pilot)
        results = pilot.app.screen.query_one("#search-results")
        lines = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        more = [line for line in lines if "more articles" in line]
        assert more and "and 3 more articles" in more[0], lines
        assert sum("Harbour fair" in line for line in lines) >= 6

    drive(MarginApp(library), scenario)
