"""The margin beside the article: tags, notes, highlights, entities and quotes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, TabbedContent, TabPane
from textual.widgets.option_list import Option

from analysis.types import Analysis
from store.models import Annotations

TABS = ("tags", "notes", "highlights", "entities", "quotes")


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


QUOTE_MARKS = "\"'“”‘’«»„"


def _quoted(text: str, width: int) -> str:
    """``text`` clipped and set in curly quotes, without doubling the marks of a
    passage that is itself a quotation."""
    return f"“{_clip(' '.join(text.split()).strip(QUOTE_MARKS), width)}”"


@dataclass(frozen=True)
class Item:
    """What one option in the panel stands for."""

    kind: str  # tag | note | highlight | entity | quote
    key: str  # tag, note id, highlight id, canonical name, or quote index
    spans: tuple[tuple[int, int], ...] = ()  # where it is in the text


class AnnotationPanel(Widget):
    """Tabs listing what is on the article; selecting an item jumps to it."""

    BINDINGS = [
        Binding(
            "d,delete", "delete", "Delete", tooltip="Delete the selected tag, note or highlight"
        ),
        # The lists bind down themselves, so this fires only on the tab row.
        Binding("down", "enter_list", "Into the list", show=False),
    ]
    """Panel keys (the reader's keys work here too)."""

    class Jump(Message):
        """Move the article cursor to ``[start, end)``."""

        def __init__(self, start: int, end: int) -> None:
            super().__init__()
            self.start = start
            self.end = end

    class Delete(Message):
        """The user asked to delete an item (tag, note or highlight)."""

        def __init__(self, item: Item) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: dict[str, list[Item]] = {tab: [] for tab in TABS}
        self._cycle: dict[Item, int] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(id="panel-tabs"):
            for tab in TABS:
                with TabPane(tab.title(), id=f"tab-{tab}"):
                    yield OptionList(id=f"list-{tab}")

    def show(self, annotations: Annotations, analysis: Analysis | None, text: str) -> None:
        """Fill every tab from the article's annotations and analysis."""
        items: dict[str, list[tuple[Item, Text | str]]] = {tab: [] for tab in TABS}
        for tag in annotations.tags:
            items["tags"].append((Item("tag", tag), f"#{tag}"))
        highlights = {h.id: h for h in annotations.highlights}
        for note in annotations.notes:
            hl = highlights.get(note.highlight_id or "")
            spans = ((hl.start, hl.end),) if hl and not hl.orphan else ()
            label = Text(_clip(note.text))
            if hl is not None:
                label.append(f"\n  on {_quoted(hl.exact, 40)}", style="dim")
            items["notes"].append((Item("note", note.id, spans), label))
        for hl in sorted(annotations.highlights, key=lambda h: (h.orphan, h.start)):
            label = Text()
            if hl.orphan:
                label.append("orphan ", style="bold reverse")
            label.append(_quoted(hl.exact, 56))
            if hl.note:
                label.append(f"\n  {_clip(hl.note, 54)}", style="italic")
            if hl.tags:
                label.append("\n  " + " ".join(f"#{t}" for t in hl.tags), style="dim")
            spans = () if hl.orphan else ((hl.start, hl.end),)
            items["highlights"].append((Item("highlight", hl.id, spans), label))
        if analysis is not None:
            groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
            for entity in analysis.entities:
                groups[(entity.canonical, entity.type)].append((entity.start, entity.end))
            ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0].lower()))
            for (canonical, etype), spans in ranked:
                label = Text.assemble(
                    (f"{len(spans):>3} ", "dim"), canonical, (f"  {etype.lower()}", "dim italic")
                )
                items["entities"].append(
                    (Item("entity", f"{etype}:{canonical}", tuple(sorted(spans))), label)
                )
            for index, quote in enumerate(sorted(analysis.quotes, key=lambda q: q.start)):
                speaker = quote.speaker or "unknown speaker"
                label = Text.assemble(
                    (speaker, "bold"), ("\n  " + _clip(text[quote.start : quote.end], 56), "italic")
                )
                items["quotes"].append(
                    (Item("quote", str(index), ((quote.start, quote.end),)), label)
                )
        for tab in TABS:
            option_list = self.query_one(f"#list-{tab}", OptionList)
            highlighted = option_list.highlighted
            option_list.clear_options()
            self._items[tab] = [item for item, _ in items[tab]]
            option_list.add_options(
                [Option(label, id=f"{tab}-{n}") for n, (_, label) in enumerate(items[tab])]
                or [Option(Text(f"No {tab} yet", style="dim italic"), disabled=True)]
            )
            if highlighted is not None and highlighted < len(items[tab]):
                option_list.highlighted = highlighted
        self._cycle.clear()

    def items(self, tab: str) -> list[Item]:
        """The items listed in ``tab``."""
        return list(self._items[tab])

    def selected(self) -> Item | None:
        """The highlighted item of the active tab."""
        tab = (self.query_one(TabbedContent).active or "tab-tags").removeprefix("tab-")
        index = self.query_one(f"#list-{tab}", OptionList).highlighted
        items = self._items.get(tab, [])
        return items[index] if index is not None and index < len(items) else None

    def show_tab(self, tab: str) -> None:
        """Bring ``tab`` to the front."""
        self.query_one(TabbedContent).active = f"tab-{tab}"

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        tab = (event.option_list.id or "").removeprefix("list-")
        items = self._items.get(tab, [])
        if event.option_index >= len(items):
            return
        item = items[event.option_index]
        if not item.spans:
            if item.kind == "highlight":
                self.notify("This highlight is an orphan: its text is no longer in the article.")
            return
        # Selecting an entity again moves on to its next mention.
        turn = self._cycle.get(item, -1) + 1
        self._cycle[item] = turn
        start, end = item.spans[turn % len(item.spans)]
        if len(item.spans) > 1:
            self.notify(f"Mention {turn % len(item.spans) + 1} of {len(item.spans)}", timeout=2)
        self.post_message(self.Jump(start, end))

    def action_enter_list(self) -> None:
        """From the tab row, move into the active tab's list (tab alone never got there)."""
        tab = (self.query_one(TabbedContent).active or "tab-tags").removeprefix("tab-")
        options = self.query_one(f"#list-{tab}", OptionList)
        options.focus()
        if options.option_count and options.highlighted is None:
            options.highlighted = 0

    def action_delete(self) -> None:
        item = self.selected()
        if item is None or item.kind not in ("tag", "note", "highlight"):
            self.notify("Select a tag, note or highlight to delete.", severity="warning")
            return
        self.post_message(self.Delete(item))
