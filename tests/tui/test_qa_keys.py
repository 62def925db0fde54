"""Keys as a terminal delivers them: in one burst, without waiting for each to be handled."""

from __future__ import annotations

import asyncio

from textual import events

from tests.tui.pilot import open_reader, settle
from tui.app import MarginApp
from tui.dialogs.note import NoteDialog
from tui.dialogs.tag import TagDialog
from tui.screens.reader import ReaderScreen


def burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a paste or a fast typist's keys arrive."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


def test_ctrl_s_right_after_typing_saves_every_character(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, NoteDialog)
        burst(pilot.app, [*"ending note", "ctrl+s"])
        await settle(pilot)
        assert [n.text for n in library.annotations(seed_id).notes] == ["ending note"]

    open_reader(library, seed_id, scenario)


def test_tab_right_after_typing_completes_what_was_typed(library, seed_id):
    library.add_tags(seed_id, ["diplomacy", "dinosaurs"])

    async def scenario(pilot, reader):
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TagDialog)
        burst(pilot.app, [*"dip", "tab"])
        await settle(pilot)
        assert pilot.app.screen.query_one("#tag-input").value == "diplomacy"

    open_reader(library, seed_id, scenario)


def test_every_builtin_theme_draws_the_reader(library, seed_id):
    """The ANSI themes give colours as "ansi_default 50%"; choosing one drew a traceback."""

    async def scenario(pilot, reader):
        for theme in sorted(pilot.app.available_themes):
            pilot.app.theme = theme
            await pilot.pause()
            reader.view.palette  # noqa: B018 - built from the theme's variables
            assert reader.view.render_line(0).cell_length > 0
        assert pilot.app.theme == sorted(pilot.app.available_themes)[-1]

    open_reader(library, seed_id, scenario)


def test_escape_during_a_folder_import_keeps_what_was_imported_listed(library, tmp_path):
    """Escape stopped the import, but the articles already saved never reached the list."""
    import threading

    from tui.screens.library import LibraryScreen

    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a.txt").write_text("Quiet harbour\n\nBoats rested in the harbour.\n", "utf-8")
    (folder / "b.txt").write_text("Second story\n\nNothing happened at all.\n", "utf-8")
    release = threading.Event()
    first_saved = threading.Event()
    real_import = library.import_document

    def slow_second(doc, tags=()):
        if first_saved.is_set():
            release.wait(10)
        result = real_import(doc, tags)
        first_saved.set()
        return result

    library.import_document = slow_second
    app = MarginApp(library)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one("#import-target").value = str(folder)
            await pilot.press("enter")
            while not app.screen.imported:
                await pilot.pause()
            await pilot.press("escape")
            release.set()
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            assert any(s.article.title == "Quiet harbour" for s in screen.shown)

    asyncio.run(main())


def test_a_taught_rejection_reaches_the_search_index(library, seed_id):
    """A rejection applies to every article, but the search kept offering the name
    from the articles that were not open."""
    import pytest

    pytest.importorskip("store.search")

    async def scenario(pilot, reader):
        await pilot.press("slash")
        await settle(pilot)
        index = pilot.app.search_index
        assert index is not None
        await pilot.press("escape")
        await settle(pilot)
        assert "Roberto Maroni" in [h.text for h in index.search("Maroni", scope="entities")]
        reader.teach("Roberto Maroni", "reject", None, None)
        await settle(pilot)
        assert "Roberto Maroni" not in [h.text for h in index.search("Maroni", scope="entities")]

    open_reader(library, seed_id, scenario)


def test_adding_blank_selection_as_an_entity_is_a_message_not_a_crash(library, seed_id):
    async def scenario(pilot, reader):
        text = reader.view.text
        blank = text.index("\n\n")
        reader.view.select(blank, blank + 2)
        await pilot.press("c")
        await settle(pilot)
        assert pilot.app.screen is reader, "no dialog for a blank selection"
        assert any("empty" in n.message for n in pilot.app._notifications)
        reader.teach("  ", "add", "ORG", None)  # had it reached the library: a message too
        await settle(pilot)
        assert library.taught() == []
        assert any(n.message.startswith("Not taught") for n in pilot.app._notifications)

    open_reader(library, seed_id, scenario)


def test_an_unknown_type_filter_is_a_hint_not_a_crash(library, seed_id):
    """Typing 'type:B' (on the way to anything) brought the app down with a traceback."""
    import pytest

    pytest.importorskip("store.search")
    from textual.widgets import Label

    async def scenario(pilot, reader):
        await pilot.press("slash")
        await settle(pilot)
        search = pilot.app.screen
        search.query_one("#search-input").value = "type:BOGUS Aliyev"
        await settle(pilot)
        assert pilot.app.screen is search
        assert search.hits == []
        assert "BOGUS" in str(search.query_one("#search-hint", Label).content)
        search.query_one("#search-input").value = "type:PERSON Aliyev"
        await settle(pilot)
        assert any("Aliyev" in h.text for h in search.hits)

    open_reader(library, seed_id, scenario)


def test_results_of_an_older_query_never_replace_newer_ones(library, seed_id):
    import pytest

    pytest.importorskip("store.search")

    async def scenario(pilot, reader):
        await pilot.press("slash")
        await settle(pilot)
        search = pilot.app.screen
        search.query_one("#search-input").value = "Zangazur"
        await settle(pilot)
        newer = list(search.hits)
        assert newer
        search._show("type:B", [], "unknown entity type 'B'")  # arrives late
        search._show("Zang", [])
        assert search.hits == newer

    open_reader(library, seed_id, scenario)


def test_at_80_columns_titles_stay_readable_and_q_and_help_are_in_the_footer(library, seed_id):
    """At 80x24 the title column was 11 characters wide and the reader's footer ended
    before q Back and ? Help."""
    from textual.widgets import Footer

    from tui.screens.library import LibraryScreen
    from tui.widgets.article_table import ArticleTable

    app = MarginApp(library)

    def footer_text(screen) -> str:
        footer = screen.query_one(Footer)
        keys = [k for k in footer.query("FooterKey") if k.region.right <= app.size.width]
        return " ".join(f"{k.key_display} {k.description}" for k in keys if k.region.width)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            assert screen.query_one(ArticleTable)._widths()[0] >= 25
            screen.query_one(ArticleTable).move_cursor(
                next(i for i, s in enumerate(screen.shown) if s.article.id == seed_id)
            )
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ReaderScreen)
            text = footer_text(app.screen)
            assert "q Back" in text and "? Help" in text

    asyncio.run(main())


def test_at_200_columns_the_text_keeps_a_readable_measure(library, seed_id):
    """At 200x50 the article ran 150 characters a line."""
    app = MarginApp(library, open_article=seed_id)

    async def main() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            assert reader.view.size.width <= 120
            assert reader.panel.size.width > 50, "the margin gets the room instead"

    asyncio.run(main())


def test_a_highlighted_quotation_is_listed_without_doubled_quote_marks(library, seed_id):
    from textual.widgets import OptionList

    text = library.text(seed_id)
    start = text.index("“For many years")
    library.add_highlight(seed_id, start, start + 40)

    async def scenario(pilot, reader):
        options = reader.panel.query_one("#list-highlights", OptionList)
        label = str(options.get_option_at_index(0).prompt)
        assert label.startswith("“For many years")

    open_reader(library, seed_id, scenario)


def test_export_says_the_full_path_of_the_folder(library, seed_id, tmp_path, monkeypatch):
    """'Exported 1 file to margin-export' left the user guessing where that was."""
    import pytest

    pytest.importorskip("store.export")
    monkeypatch.chdir(tmp_path)

    async def scenario(pilot, reader):
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "margin-export").is_dir()
        assert any(str(tmp_path / "margin-export") in n.message for n in pilot.app._notifications)

    open_reader(library, seed_id, scenario)


def test_keyboard_reaches_the_margin_lists(library, seed_id):
    """tab reached the panel's tab row, but no key went on into its list, so notes
    could be neither jumped to nor deleted without a mouse."""
    from textual.widgets import OptionList

    library.add_note(seed_id, "first thought")

    async def scenario(pilot, reader):
        await pilot.press("tab", "right")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        focused = pilot.app.focused
        assert isinstance(focused, OptionList) and focused.id == "list-notes"
        assert focused.highlighted == 0
        await pilot.press("d")
        await settle(pilot)
        assert library.annotations(seed_id).notes == []

    open_reader(library, seed_id, scenario)


def test_filter_then_enter_in_one_burst_opens_the_best_match(library, seed_id):
    """Typing a filter and Enter faster than the screen settles opens the article the
    whole filter picks, not the row the cursor was on before."""
    app = MarginApp(library)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.screen.current_id != seed_id  # the seed is not the first row
            burst(app, [*"aliyev", "enter"])
            await settle(pilot)
            assert isinstance(app.screen, ReaderScreen)
            assert app.screen.article_id == seed_id

    asyncio.run(main())
