"""ArticleTable: the library list on the Line API, so 10,000 rows cost nothing to show.

Textual's DataTable measures every cell of every row when rows are added (seconds at
10k rows); this table renders only the rows on screen, cropping cells to fixed widths.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

GAP = 2
MIN_FIXED = 8
"""Narrowest a fixed column gets when the terminal is narrow."""


class ArticleTable(ScrollView, can_focus=True):
    """Rows of cells under fixed-width columns; the first column takes the spare width."""

    COMPONENT_CLASSES = {
        "article-table--header",
        "article-table--cursor",
        "article-table--odd",
        "article-table--count",
    }

    DEFAULT_CSS = """
    ArticleTable { background: $surface; scrollbar-gutter: stable; }
    ArticleTable > .article-table--header { color: $text-muted; text-style: bold; }
    ArticleTable > .article-table--cursor { background: $block-cursor-blurred-background; }
    ArticleTable:focus > .article-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ArticleTable > .article-table--odd { background: $surface-lighten-1; }
    ArticleTable > .article-table--count { color: $text-accent; }
    """

    BINDINGS: list[BindingType] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("pageup,b", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]
    """Moving the row cursor."""

    class RowMessage(Message):
        """A message about the row at ``index``."""

        def __init__(self, table: ArticleTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> ArticleTable:
            return self.table

    class Selected(RowMessage):
        """The user chose the row at ``index`` (Enter or a double click)."""

    class Highlighted(RowMessage):
        """The row cursor moved to ``index``."""

    def __init__(
        self,
        columns: Sequence[tuple[str, int]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)  # (label, width); width 0 = takes the rest
        self.rows: Sequence[Sequence[str]] = ()
        self.cursor_row = 0

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: Sequence[Sequence[str]], cursor: int = 0) -> None:
        """Replace every row. ``rows`` may be a lazy sequence: only the rows on screen
        are ever read."""
        self.rows = rows
        self.cursor_row = max(0, min(cursor, len(self.rows) - 1))
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.cursor_row))

    def _widths(self) -> list[int]:
        total = self.scrollable_content_region.width - 1
        widths = [w for _, w in self.columns]
        fixed = sum(widths) + GAP * (len(widths) - 1)
        # In a narrow terminal the wide fixed columns give way (down to MIN_FIXED) until
        # the flexible one (the title) has a third of the row.
        want = total // 3
        while total - fixed < want:
            widest = max(range(len(widths)), key=lambda i: widths[i])
            if widths[widest] <= MIN_FIXED:
                break
            widths[widest] -= 1
            fixed -= 1
        return [w or max(10, total - fixed) for w in widths]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            cells = [label for label, _ in self.columns]
            return self._strip(cells, self.get_component_rich_style("article-table--header"), width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = base
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("article-table--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("article-table--odd")
        return self._strip(self.rows[index], style, width)

    def _strip(self, cells: Sequence[str], style, width: int) -> Strip:
        segments = [Segment(" ", style)]
        for n, (cell, cell_width) in enumerate(zip(cells, self._widths(), strict=False)):
            text = " ".join(str(cell).split())
            if len(text) > cell_width:
                text = text[: cell_width - 1] + "…"
            segments.append(Segment(set_cell_size(text, cell_width), style))
            if n < len(self.columns) - 1:
                segments.append(Segment(" " * GAP, style))
        return Strip(segments).crop_extend(0, width, style)

    def _scroll_to_cursor(self) -> None:
        # The header is line 0 of the view and never scrolls away.
        height = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def move_cursor(self, index: int) -> None:
        """Put the row cursor on ``index`` (clamped) and scroll it into view."""
        if not self.rows:
            return
        old = self.cursor_row
        self.cursor_row = max(0, min(index, len(self.rows) - 1))
        if old != self.cursor_row:
            self.refresh()
            self._scroll_to_cursor()
            self.post_message(self.Highlighted(self, self.cursor_row))

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_select(self) -> None:
        """Choose the row under the cursor."""
        if self.rows:
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        point = event.get_content_offset(self)
        if point is None or point.y == 0:
            return
        index = self.scroll_offset.y + point.y - 1
        if index < len(self.rows):
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_select()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.refresh()
