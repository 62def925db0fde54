"""Every key of the screen it was opened from, on one page."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.commands import _key_label, own_actions


def _rows(node: DOMNode) -> list[tuple[str, str, str]]:
    rows: dict[str, tuple[list[str], str, str]] = {}
    own = own_actions(node)
    for bindings in node._bindings.key_to_bindings.values():
        for binding in bindings:
            if not binding.description or binding.action not in own:
                continue
            keys, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.tooltip))
            label = _key_label(binding.key)
            if label not in keys:
                keys.append(label)
    return [(", ".join(keys), description, tooltip) for keys, description, tooltip in rows.values()]


class HelpScreen(ModalScreen[None]):
    """Lists the keys of ``screen``, its widgets and the app."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help"),
    ]
    """Help keys."""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """(title, rows of key, action, explanation) for each group of keys."""
        own = _rows(self.source)
        if self.source.__class__.__name__ == "LibraryScreen":
            own.append(
                ("letters", "Filter", "Type to filter fuzzily; escape clears, ↓ back to the list")
            )
        sections = [(self.source.__class__.__name__.removesuffix("Screen"), own)]
        widgets = (
            ("ArticleView", "Article"),
            ("AnnotationPanel", "Margin"),
            ("ArticleTable", "List"),
        )
        for selector, title in widgets:
            for widget in self.source.query(selector):
                sections.append((title, _rows(widget)))
        everywhere = _rows(self.app)
        everywhere.append(("ctrl+q", "Quit", "Leave margin from anywhere"))
        sections.append(("Everywhere", everywhere))
        return [(title, rows) for title, rows in sections if rows]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            for title, rows in self.sections():
                table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
                table.add_column(style="bold", width=18, no_wrap=True)
                table.add_column(width=18)
                table.add_column(style="dim", ratio=1)
                for keys, description, tooltip in rows:
                    table.add_row(keys, description, tooltip)
                yield Static(Text(title, style="bold underline"), classes="help-section")
                yield Static(table)
            yield Label("escape closes · ctrl+p finds any action by name", classes="dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
