"""Entity corrections: retype, rename or reject a mention, or add a missed one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from analysis.types import ENTITY_TYPES

Result = tuple[str, str | None, str | None]  # (action, type, canonical)


class EntityDialog(ModalScreen[Result | None]):
    """With ``type`` given, correct an existing entity; without, add ``text`` as one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without changes")]
    """Dialog keys."""

    def __init__(self, text: str, type: str | None = None, canonical: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.type = type
        self.canonical = canonical

    def compose(self) -> ComposeResult:
        adding = self.type is None
        with Vertical(id="entity-dialog", classes="dialog"):
            title = f"Add “{self.text}” as an entity" if adding else f"Correct “{self.text}”"
            yield Label(title, classes="dialog-title")
            if not adding:
                yield Label(f"Now: {self.type} · {self.canonical}", classes="dialog-hint")
            yield Select(
                [(t.title(), t) for t in ENTITY_TYPES],
                value=self.type or "PERSON",
                allow_blank=False,
                id="entity-type",
            )
            yield Input(
                value=self.canonical or self.text,
                placeholder="Full name it stands for",
                id="entity-canonical",
            )
            with Horizontal(classes="dialog-buttons"):
                if adding:
                    yield Button("Add", id="add", variant="primary")
                else:
                    yield Button("Retype", id="retype", variant="primary")
                    yield Button("Rename", id="rename")
                    yield Button("Not an entity", id="reject", variant="error")
                yield Button("Cancel", id="cancel")
            yield Label("Corrections apply to every article, old and new.", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Select).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = event.button.id or "cancel"
        if action == "cancel":
            self.dismiss(None)
            return
        etype = self.query_one(Select).value
        canonical = " ".join(self.query_one(Input).value.split()) or None
        if action == "reject":
            self.dismiss(("reject", None, None))
        elif action == "retype":
            self.dismiss(("retype", str(etype), None))
        elif action == "rename":
            if not canonical:
                self.notify("Type the full name.", severity="warning")
                return
            self.dismiss(("rename", None, canonical))
        else:
            self.dismiss(("add", str(etype), canonical))

    @on(Input.Submitted, "#entity-canonical")
    def _submitted(self) -> None:
        self.query_one("#add, #rename", Button).press()

    def action_cancel(self) -> None:
        self.dismiss(None)
