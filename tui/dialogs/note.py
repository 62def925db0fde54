"""The note editor: a TextArea that saves with ctrl+s and keeps the text if saving fails."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from store.errors import StoreError
from tui.screens.errors import report


class NoteDialog(ModalScreen[str | None]):
    """Write a note; ``save`` is called with the text and may raise StoreError."""

    BINDINGS = [
        # Not a priority binding: a priority key jumps ahead of the keys still queued for
        # the editor, so ctrl+s pressed right after typing saved the note without them.
        Binding("ctrl+s", "save", "Save", tooltip="Save the note"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving"),
    ]
    """Editor keys."""

    def __init__(self, save: Callable[[str], None], *, title: str = "Note", text: str = "") -> None:
        super().__init__()
        self._save = save
        self._title = title
        self._initial = text

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield TextArea(self._initial, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s saves · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def text(self) -> str:
        """What is typed in the editor."""
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        text = self.text.strip()
        if not text:
            self.notify(
                "The note is empty: type something, or escape to cancel.", severity="warning"
            )
            return
        try:
            self._save(text)
        except StoreError as error:
            # The dialog stays open with the text, so nothing typed is lost.
            report(self, error, "save the note")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
