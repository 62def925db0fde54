"""The library: every saved article, filtered fuzzily as you type."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from store.errors import StoreError
from store.models import ArticleSummary
from tui.messages import LibraryChanged, OpenArticle
from tui.screens.errors import report
from tui.widgets.article_table import ArticleTable
from tui.widgets.reanalysis_bar import ReanalysisBar


def _date(summary: ArticleSummary) -> str:
    article = summary.article
    return (article.published or article.added or "")[:10]


def _site(summary: ArticleSummary) -> str:
    article = summary.article
    if article.site:
        return article.site
    source = article.source.rstrip("/")
    if source in ("", "-"):
        return "stdin"
    if source.startswith(("http://", "https://")):
        return source.split("/")[2].removeprefix("www.")
    if source.startswith("sample_articles/"):
        return "sample"
    return source.rsplit("/", 1)[-1]


def _haystack(summary: ArticleSummary) -> str:
    article = summary.article
    return " ".join([article.title, article.site or "", *summary.tags])


class _Rows(Sequence[tuple[str, ...]]):
    """Table rows made on demand: only the rows on screen are ever formatted."""

    def __init__(self, summaries: list[ArticleSummary]) -> None:
        self.summaries = summaries

    def __len__(self) -> int:
        return len(self.summaries)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        s = self.summaries[index]
        return (
            s.article.title,
            _site(s),
            _date(s),
            ", ".join(s.tags),
            str(s.highlights or ""),
            str(s.notes or ""),
        )


class LibraryScreen(Screen):
    """Articles with their source, date, tags and counts; Enter opens one."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="Read the article under the cursor", id="open"),
        Binding("i", "import", "Import", tooltip="Import a file, a folder or a URL", id="import"),
        Binding(
            "x", "export", "Export", tooltip="Export the listed articles as Markdown", id="export"
        ),
        Binding("q", "quit", "Quit", tooltip="Leave margin", id="quit"),
    ]
    """Library keys; any other letter starts filtering."""

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[ArticleSummary] = []
        self.shown: list[ArticleSummary] = []
        self._choices: dict[int, str] | None = None
        self._typing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="library"):
            yield Static("margin", id="library-title")
            yield Input(placeholder="Type to filter: title, site or tag", id="filter")
            yield ArticleTable(
                [("Title", 0), ("Site", 18), ("Date", 10), ("Tags", 18), ("HL", 3), ("Notes", 5)],
                id="articles",
            )
            yield ReanalysisBar()
            yield Static("Loading the library…", id="library-status")
        yield Footer()

    def on_mount(self) -> None:
        self.app.fit_footers()
        self.query_one("#articles", ArticleTable).focus()
        # Draw the (empty) screen first; the list fills in from a worker.
        self.call_after_refresh(self.load)
        if os.environ.get("MARGIN_FIRST_FRAME"):
            # bench/reader.py: the wall-clock time of this screen's first frame.
            self.call_after_refresh(self._mark, os.environ["MARGIN_FIRST_FRAME"])

    def _list_mark(self, path: str) -> None:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(f"list {time.time()}\n")
        if os.environ.get("MARGIN_EXIT_WHEN_LISTED"):
            self.app.exit(0)

    @staticmethod
    def _mark(path: str) -> None:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(f"frame {time.time()}\n")

    @work(thread=True, exclusive=True, group="library-load")
    def load(self) -> None:
        """Read the article list off the UI thread (seeding an empty library first)."""
        try:
            library = self.app.library  # opened here, off the first frame, at start-up
            seeded = 0
            if library.is_empty():
                self.app.call_from_thread(self._status, "Importing the sample articles…")
                seeded = library.seed_samples()
            summaries = library.summaries()
        except StoreError as error:
            if self.app.open_error is not None:
                # Nothing to show without a library: leave, and run() says why.
                self.app.call_from_thread(self.app.exit, 1)
                return
            self.app.call_from_thread(report, self, error, "read the library")
            self.app.call_from_thread(self._status, f"The library could not be read: {error}")
            return
        self.app.call_from_thread(self._loaded, summaries, seeded)

    def _status(self, text: str) -> None:
        self.query_one("#library-status", Static).update(text)

    def _loaded(self, summaries: list[ArticleSummary], seeded: int) -> None:
        summaries.sort(key=lambda s: s.article.added, reverse=True)
        self.summaries = summaries
        self._choices = None
        if os.environ.get("MARGIN_FIRST_FRAME"):
            self.call_after_refresh(self._list_mark, os.environ["MARGIN_FIRST_FRAME"])
        if seeded:
            self.notify(f"Added {seeded} sample articles to start with.")
        self.apply_filter(self.query_one("#filter", Input).value)

    def apply_filter(self, query: str) -> None:
        """Show the articles matching ``query`` (best first), or all of them."""
        query = query.strip()
        if not query:
            shown = self.summaries
        else:
            from rapidfuzz import fuzz, process, utils

            if self._choices is None:
                self._choices = {
                    i: utils.default_process(_haystack(s)) for i, s in enumerate(self.summaries)
                }
            matches = process.extract(
                utils.default_process(query),
                self._choices,
                scorer=fuzz.partial_ratio,
                processor=None,
                score_cutoff=70,
                limit=None,
            )
            shown = [self.summaries[i] for _, _, i in matches]
        self.shown = shown
        table = self.query_one("#articles", ArticleTable)
        current = self.current_id
        rows = _Rows(shown)
        cursor = next((i for i, s in enumerate(shown) if s.article.id == current), 0)
        table.set_rows(rows, cursor)
        total = len(self.summaries)
        self._status(
            f"{len(shown)} of {total} articles" if query else f"{total} articles · Enter opens"
        )

    @property
    def current_id(self) -> str | None:
        """The id of the article under the table cursor."""
        table = self.query_one("#articles", ArticleTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row].article.id

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    @on(ArticleTable.Selected, "#articles")
    def _row_selected(self) -> None:
        self.action_open()

    def on_key(self, event: Key) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            self._typing = False
            if event.key in ("down", "escape"):
                if event.key == "escape":
                    filter_input.value = ""
                self.query_one("#articles", ArticleTable).focus()
                event.stop()
            return
        printable = event.is_printable and event.character is not None
        if self._typing and event.key == "enter":
            # Enter typed right after the filter text, before focus reached the
            # filter: open the best match for all of that text, not the old row.
            self.apply_filter(filter_input.value)
            self.action_open()
            event.stop()
            event.prevent_default()
            return
        if self._typing and printable:
            # Focus moves on the next tick: keys typed before that still belong to the filter.
            filter_input.insert_text_at_cursor(event.character)
            event.stop()
            return
        if event.key in self.active_bindings:
            return
        if printable and event.character.isalnum():
            # Type-to-filter: a letter that is not a key binding starts the filter.
            self._typing = True
            filter_input.focus()
            filter_input.insert_text_at_cursor(event.character)
            event.stop()

    def on_library_changed(self, message: LibraryChanged) -> None:
        if not message.analysis_only:  # the list shows no entity or quote
            self.load()

    @on(Input.Blurred, "#filter")
    def _filter_blurred(self) -> None:
        self._typing = False

    def on_screen_resume(self) -> None:
        # Back from the reader, keys are commands again (q quits), not filter text.
        self.query_one("#articles", ArticleTable).focus()

    def action_open(self) -> None:
        article_id = self.current_id
        if article_id is not None:
            self.post_message(OpenArticle(article_id))

    def action_import(self) -> None:
        from tui.dialogs.import_dialog import ImportDialog

        def done(ids: list[str] | None) -> None:
            if ids:
                self.app.post_message(LibraryChanged(tuple(ids)))

        self.app.push_screen(ImportDialog(), done)

    def action_export(self) -> None:
        from tui.dialogs.export import ExportDialog

        ids = [s.article.id for s in self.shown]
        if not ids:
            self.notify("Nothing to export.", severity="warning")
            return
        self.app.push_screen(ExportDialog(ids))

    def action_quit(self) -> None:
        self.app.exit(0)
