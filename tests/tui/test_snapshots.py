"""SVG snapshots of the screens a user sees (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing: these pin layout and the highlight colours.
"""

from __future__ import annotations

import pytest

from store import Library
from tests.tui.pilot import settle as wait_for_workers
from tui.app import MarginApp

SIZE = (120, 40)


async def settle(pilot) -> None:
    await wait_for_workers(pilot)
    await pilot.wait_for_scheduled_animations()
    pilot.app.clear_notifications()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # a blinking cursor makes the picture depend on timing
    await pilot.pause()


def keys(*pressed: str):
    """A run_before that waits for the app, presses keys, and waits again."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)

    return run_before


@pytest.fixture
def annotated(library: Library, seed_id: str) -> Library:
    """The seed with tags, an article note and a highlight with a note."""
    text = library.text(seed_id)
    library.add_tags(seed_id, ["diplomacy", "South Caucasus"])
    library.add_note(seed_id, "Compare with the Shusha Forum remarks.")
    start = text.index("a strategic gesture")
    library.add_highlight(seed_id, start, start + len("a strategic gesture"), note="key claim")
    return library


def test_library(snap_compare, library):
    assert snap_compare(MarginApp(library), terminal_size=SIZE, run_before=keys())


def test_library_filtered(snap_compare, library):
    run_before = keys("a", "l", "i", "y", "e", "v")
    assert snap_compare(MarginApp(library), terminal_size=SIZE, run_before=run_before)


def test_reader_seed(snap_compare, annotated, seed_id):
    app = MarginApp(annotated, open_article=seed_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_reader_in_a_quote_shows_the_speaker(snap_compare, library, seed_id):
    app = MarginApp(library, open_article=seed_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("quotation_mark"))


def test_reader_selection(snap_compare, library, seed_id):
    app = MarginApp(library, open_article=seed_id)
    pressed = ("j", "j", "j", "j", "v", *["right"] * 14)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*pressed))


@pytest.mark.parametrize("tab", ["notes", "highlights", "entities", "quotes"])
def test_reader_panel_tabs(snap_compare, annotated, seed_id, tab):
    app = MarginApp(annotated, open_article=seed_id)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.panel.show_tab(tab)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("key", ["t", "n", "question_mark", "x"])
def test_reader_dialogs(snap_compare, annotated, seed_id, key):
    app = MarginApp(annotated, open_article=seed_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(key))


def test_entity_dialog(snap_compare, library, seed_id):
    app = MarginApp(library, open_article=seed_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("e", "e", "c"))


def test_reader_light_theme(snap_compare, annotated, seed_id):
    app = MarginApp(annotated, open_article=seed_id)

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
