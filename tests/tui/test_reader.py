"""Pilot tests of the reader: every action, asserting the screen and what was saved."""

from __future__ import annotations

import pytest

from store.errors import LibraryBusy, SaveFailed
from tests.tui.pilot import open_reader, settle
from tui.dialogs.note import NoteDialog
from tui.dialogs.tag import TagDialog
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ",": "comma"}.get(c, c) for c in text])


def test_reader_shows_the_seed_with_entities_quotes_and_structure(library, seed_id):
    async def scenario(pilot, reader):
        view = reader.view
        assert view.text == library.text(seed_id)
        assert view.entities.spans, "entities are styled"
        assert view.quotes.spans, "quotes are styled"
        kinds = set(view._para_kind)
        assert "noise" in kinds and "heading" in kinds
        names = {getattr(s.ref, "canonical", "") for s in view.entities.spans}
        assert "Ilham Aliyev" in names
        assert reader.panel.items("entities")
        assert any(i.kind == "quote" for i in reader.panel.items("quotes"))

    open_reader(library, seed_id, scenario)


def test_tag_several_at_once(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TagDialog)
        await type_text(pilot, "diplomacy, energy policy")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        assert {"diplomacy", "energy policy"} <= set(library.annotations(seed_id).tags)
        assert [i.key for i in reader.panel.items("tags")] == library.annotations(seed_id).tags

    open_reader(library, seed_id, scenario)


def test_escape_cancels_the_tag_dialog(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("t")
        await type_text(pilot, "nothing")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        assert library.annotations(seed_id).tags == []

    open_reader(library, seed_id, scenario)


def test_note_on_the_article_saves_with_ctrl_s(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NoteDialog)
        await type_text(pilot, "Read with the Shusha speech")
        await pilot.press("ctrl+s")
        await settle(pilot)
        notes = library.annotations(seed_id).notes
        assert [n.text for n in notes] == ["Read with the Shusha speech"]
        assert notes[0].highlight_id is None
        assert len(reader.panel.items("notes")) == 1

    open_reader(library, seed_id, scenario)


def test_failed_note_save_keeps_the_text_in_the_dialog(library, seed_id, monkeypatch):
    def fail(*args, **kwargs):
        raise SaveFailed("disk full while writing the annotations")

    monkeypatch.setattr(library, "add_note", fail)

    async def scenario(pilot, reader):
        await pilot.press("n")
        await type_text(pilot, "precious words")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, NoteDialog)
        assert dialog.text == "precious words"
        messages = [n.message for n in pilot.app._notifications]
        assert any("disk full" in m and "Nothing was lost" in m for m in messages)

    open_reader(library, seed_id, scenario)


def select_first_word_of_body(reader) -> tuple[int, int]:
    text = reader.view.text
    start = text.index("President Ilham Aliyev")
    return start, start + len("President")


def test_keyboard_selection_and_highlight(library, seed_id):
    async def scenario(pilot, reader):
        start, end = select_first_word_of_body(reader)
        reader.view.move_cursor(start)
        await pilot.press("v", *["right"] * (end - start - 1), "h")
        await settle(pilot)
        highlights = library.annotations(seed_id).highlights
        assert [(h.start, h.end, h.exact) for h in highlights] == [(start, end, "President")]
        assert reader.view.selection is None
        assert [(s.start, s.end) for s in reader.view.highlights.spans] == [(start, end)]

    open_reader(library, seed_id, scenario)


def test_note_on_a_selection_highlights_it_with_the_note(library, seed_id):
    async def scenario(pilot, reader):
        start, end = select_first_word_of_body(reader)
        reader.view.select(start, end)
        await pilot.press("n")
        await type_text(pilot, "the title matters")
        await pilot.press("ctrl+s")
        await settle(pilot)
        highlights = library.annotations(seed_id).highlights
        assert [(h.exact, h.note) for h in highlights] == [("President", "the title matters")]

    open_reader(library, seed_id, scenario)


def test_undo_and_redo_of_a_highlight_and_a_tag(library, seed_id):
    async def scenario(pilot, reader):
        start, end = select_first_word_of_body(reader)
        reader.view.select(start, end)
        await pilot.press("h")
        await settle(pilot)
        reader.add_tags(["later"])
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert library.annotations(seed_id).tags == []
        assert len(library.annotations(seed_id).highlights) == 1
        await pilot.press("u")
        await settle(pilot)
        assert library.annotations(seed_id).highlights == []
        assert reader.view.highlights.spans == []
        await pilot.press("U")
        await settle(pilot)
        assert [h.exact for h in library.annotations(seed_id).highlights] == ["President"]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert library.annotations(seed_id).tags == ["later"]

    open_reader(library, seed_id, scenario)


def test_delete_from_the_panel_then_undo(library, seed_id):
    library.add_tags(seed_id, ["keep", "drop"])

    async def scenario(pilot, reader):
        reader.panel.show_tab("tags")
        await pilot.pause()
        options = reader.panel.query_one("#list-tags")
        options.focus()
        options.highlighted = 1
        await pilot.press("d")
        await settle(pilot)
        assert library.annotations(seed_id).tags == ["keep"]
        reader.view.focus()
        await pilot.press("u")
        await settle(pilot)
        assert set(library.annotations(seed_id).tags) == {"keep", "drop"}

    open_reader(library, seed_id, scenario)


def test_jump_keys_follow_the_spans(library, seed_id):
    async def scenario(pilot, reader):
        view: ArticleView = reader.view
        view.move_cursor(0)
        entity_starts = [s.start for s in view.entities.spans]
        await pilot.press("e")
        assert view.cursor == min(s for s in entity_starts if s > 0)
        first = view.cursor
        await pilot.press("e")
        assert view.cursor == min(s for s in entity_starts if s > first)
        await pilot.press("E")
        assert view.cursor == first
        await pilot.press("quotation_mark")
        assert view.cursor == view.quotes.spans[0].start
        status = str(reader.query_one("#status").render())
        assert "Quote" in status
        view.move_cursor(len(view.text) // 2)
        start, end = select_first_word_of_body(reader)
        library.add_highlight(seed_id, start, end)
        reader.refresh_annotations()
        await pilot.press("right_square_bracket")
        assert view.cursor == start, "wraps around to the first highlight"
        await pilot.press("left_square_bracket")
        assert view.cursor == start

    open_reader(library, seed_id, scenario)


def test_cursor_keys_and_pages(library, seed_id):
    async def scenario(pilot, reader):
        view: ArticleView = reader.view
        view.move_cursor(0)
        await pilot.press("j", "j")
        assert view.line_of(view.cursor) == 2
        await pilot.press("k")
        assert view.line_of(view.cursor) == 1
        await pilot.press("space")
        assert view.line_of(view.cursor) > 20
        await pilot.press("b")
        assert view.line_of(view.cursor) < 5
        await pilot.press("G")
        assert view.cursor == len(view.text)

    open_reader(library, seed_id, scenario)


def test_reading_position_is_saved_and_restored(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("space", "space")
        reader.saved = reader.view.cursor
        await pilot.press("q")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "LibraryScreen"

    app = open_reader(library, seed_id, scenario)
    position = library.annotations(seed_id).position
    assert position > 0

    async def reopen(pilot, reader):
        assert reader.view.cursor == position

    open_reader(library, seed_id, reopen)
    assert app.return_code in (None, 0)


def test_entity_rejection_is_taught(library, seed_id):
    async def scenario(pilot, reader):
        view = reader.view
        view.move_cursor(0)
        await pilot.press("e")
        span = view.spans_at()["entity"][0]
        mention = view.text[span.start : span.end]
        await pilot.press("c")
        await pilot.pause()
        await pilot.click("#reject")
        await settle(pilot)
        taught = library.taught()
        assert [(t.action, t.text) for t in taught] == [("reject", mention)]
        await pilot.press("u")
        await settle(pilot)
        assert library.taught() == []

    open_reader(library, seed_id, scenario)


def test_selection_added_as_an_entity(library, seed_id):
    async def scenario(pilot, reader):
        text = reader.view.text
        start = text.index("Truth Social")
        reader.view.select(start, start + len("Truth Social"))
        await pilot.press("c")
        await pilot.pause()
        await pilot.click("#add")
        await settle(pilot)
        taught = library.taught()
        assert [(t.action, t.text) for t in taught] == [("add", "Truth Social")]

    open_reader(library, seed_id, scenario)


def test_a_selection_overshooting_into_punctuation_adds_the_name_alone(library, seed_id):
    async def scenario(pilot, reader):
        text = reader.view.text
        start = text.index("White House:")
        reader.view.select(start, start + len("White House: "))
        await pilot.press("c")
        await pilot.pause()
        await pilot.click("#add")
        await settle(pilot)
        assert [(t.action, t.text) for t in library.taught()] == [("add", "White House")]

    open_reader(library, seed_id, scenario)


def test_store_errors_become_notifications(library, seed_id, monkeypatch):
    def busy(*args, **kwargs):
        raise LibraryBusy("the library is locked by another process")

    monkeypatch.setattr(library, "add_tags", busy)

    async def scenario(pilot, reader):
        reader.add_tags(["x"])
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        messages = [n.message for n in pilot.app._notifications]
        assert any("locked" in m and "try again" in m for m in messages)

    open_reader(library, seed_id, scenario)


def test_help_lists_every_reader_key(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = {row[1] for _, rows in help_screen.sections() for row in rows}
        for description in ("Highlight", "Note", "Tag", "Undo", "Redo", "Next entity", "Search"):
            assert description in listed
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReaderScreen)

    open_reader(library, seed_id, scenario)


def test_command_palette_runs_reader_actions(library, seed_id):
    async def scenario(pilot, reader):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Tag")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TagDialog)

    open_reader(library, seed_id, scenario)


@pytest.mark.parametrize("key", ["x"])
def test_export_dialog_writes_markdown(library, seed_id, tmp_path, key):
    pytest.importorskip("store.export")
    out = tmp_path / "out"

    async def scenario(pilot, reader):
        await pilot.press(key)
        await pilot.pause()
        folder = pilot.app.screen.query_one("#export-folder")
        folder.value = str(out)
        folder.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)

    open_reader(library, seed_id, scenario)
    files = list(out.rglob("*.md"))
    assert len(files) == 1
    assert "Aliyev" in files[0].read_text(encoding="utf-8")


def test_tag_dialog_completes_a_misspelled_known_tag(library, seed_id):
    other = next(a.id for a in library.articles() if a.id != seed_id)
    library.add_tags(other, ["South Caucasus", "energy policy"])

    async def scenario(pilot, reader):
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "diplomacy, Suth Caucsus")
        await pilot.press("tab")
        await pilot.pause()
        assert pilot.app.screen.query_one("#tag-input").value == "diplomacy, South Caucasus"
        await pilot.press("enter")
        await settle(pilot)
        assert set(library.annotations(seed_id).tags) == {"diplomacy", "South Caucasus"}

    open_reader(library, seed_id, scenario)


def test_entity_rename_is_taught(library, seed_id):
    async def scenario(pilot, reader):
        view = reader.view
        start = view.text.index("Trump administration")
        view.move_cursor(start)
        await pilot.pause()
        assert view.spans_at()["entity"], "the seed's 'Trump' is an entity"
        await pilot.press("c")
        await pilot.pause()
        field = pilot.app.screen.query_one("#entity-canonical")
        field.value = "Donald J. Trump"
        await pilot.click("#rename")
        await settle(pilot)
        taught = library.taught()
        assert [(t.action, t.text, t.canonical) for t in taught] == [
            ("rename", "Trump", "Donald J. Trump")
        ]

    open_reader(library, seed_id, scenario)


def test_orphan_highlights_are_listed_not_dropped(library, seed_id):
    article = library.get(seed_id)
    text = library.text(seed_id)
    gone = "Peter Tase noted that this meeting"
    start = text.index(gone)
    library.add_highlight(seed_id, start, start + len(gone), note="about the meeting")
    edited = text.replace(gone, "The analyst said that the summit")
    _, status = library.add_article(edited, title=article.title, source=article.source)
    assert status == "updated"
    orphans = [h for h in library.annotations(seed_id).highlights if h.orphan]
    assert [h.exact for h in orphans] == [gone]

    async def scenario(pilot, reader):
        items = reader.panel.items("highlights")
        assert [(i.key, i.spans) for i in items] == [(orphans[0].id, ())]
        assert reader.view.highlights.spans == [], "an orphan has no place in the new text"
        reader.panel.show_tab("highlights")
        await pilot.pause()
        options = reader.panel.query_one("#list-highlights")
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert any("orphan" in n.message for n in pilot.app._notifications)

    open_reader(library, seed_id, scenario)


def test_export_dialog_keeps_and_reports_an_edited_file(library, seed_id, tmp_path):
    from store.export import export_folder

    out = tmp_path / "out"
    (path,) = export_folder(library, [seed_id], out_dir=out).paths
    edited = path.read_bytes() + b"\nMy own line.\n"
    path.write_bytes(edited)
    library.add_note(seed_id, "Added in margin later.")

    async def scenario(pilot, reader):
        await pilot.press("x")
        await pilot.pause()
        folder = pilot.app.screen.query_one("#export-folder")
        folder.value = str(out)
        folder.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        warnings = [n.message for n in pilot.app._notifications if n.severity == "warning"]
        assert any(path.name in m and "not overwritten" in m for m in warnings), warnings

    open_reader(library, seed_id, scenario)
    assert path.read_bytes() == edited


def test_export_dialog_offers_the_folder_of_the_last_export(library, seed_id, tmp_path):
    out = tmp_path / "vault"

    async def scenario(pilot, reader):
        await pilot.press("x")
        await pilot.pause()
        folder = pilot.app.screen.query_one("#export-folder")
        assert folder.value == "margin-export"
        folder.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        await pilot.press("x")
        await pilot.pause()
        assert pilot.app.screen.query_one("#export-folder").value == str(out)
        await pilot.press("escape")
        await pilot.pause()

    open_reader(library, seed_id, scenario)
    assert len(list(out.rglob("*.md"))) == 1
