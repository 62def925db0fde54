"""The Textual app: screens, theme, command palette and the entry point the CLI calls."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.worker import get_current_worker

from store.errors import StoreError
from tui.messages import LibraryChanged, OpenArticle, ReanalysisProgress

if TYPE_CHECKING:
    from store import Library


def _commands_provider():
    """The palette provider, imported when the palette first opens (not at start-up)."""
    from tui.commands import MarginCommands

    return MarginCommands


COMPACT_BELOW = 110
"""Terminal width under which footers drop the padding around their keys."""

PROGRESS_EVERY = 0.1
"""Seconds between two progress messages of the background re-analysis."""

INDEX_EVERY = 0.5
"""Seconds between two batches of re-analysed articles sent to the search index."""

OUTSIDE_EVERY = 2.0
"""Seconds between two looks at the library's change counter, for changes that
another process (``margin import`` in another terminal, say) made."""


class MarginApp(App[int]):
    """margin: read articles, and write in their margins."""

    CSS_PATH = "app.tcss"
    TITLE = "margin"
    COMMANDS = App.COMMANDS | {_commands_provider}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key, on one page", id="help"),
        Binding("slash", "search", "Search", tooltip="Search the whole library", id="search"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette"),
    ]
    """Keys available on every screen."""

    def __init__(
        self,
        library: Library | None = None,
        open_article: str | None = None,
        *,
        root: Path | None = None,
    ) -> None:
        """Open ``library``, or the library at ``root`` (default: the user's), which
        is then read in the background so that the first frame does not wait for it."""
        super().__init__()
        self._library = library
        self._root = root
        self._open_lock = threading.Lock()
        self.open_error: StoreError | None = None
        self.open_article = open_article
        self.search_index = None  # built on first use, in the background
        self._index_pending: set[str] = set()
        self._index_lock = threading.Lock()
        self.reanalysis_progress: tuple[int, int] | None = None
        """``(done, total)`` of the background re-analysis; None while none runs."""
        self._reanalysis_run = 0
        self.last_export_folder: str | None = None
        """The folder typed for the last export that finished, offered for the next."""
        self._seen_version: int | None = None
        """The library's change counter when this app last took in its changes."""

    @property
    def library(self) -> Library:
        """The library; opened on first use (from a worker at start-up)."""
        if self._library is None:
            with self._open_lock:
                if self._library is None:
                    from store import Library

                    try:
                        self._library = Library(self._root or Library.default_root())
                    except StoreError as error:
                        self.open_error = error
                        raise
        return self._library

    def on_mount(self) -> None:
        from tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.open_article:
            self.post_message(OpenArticle(self.open_article))
        self.set_interval(OUTSIDE_EVERY, self._check_outside_changes)

    def on_resize(self, event: Resize) -> None:
        self.fit_footers()

    def fit_footers(self) -> None:
        """In narrow terminals, footers drop their padding and the ctrl+p label (help
        lists it), so that the reader's keys up to ? and / fit from 90 columns."""
        narrow = self.size.width < COMPACT_BELOW
        for screen in self.screen_stack:
            for footer in screen.query(Footer):
                footer.compact = narrow
                footer.show_command_palette = not narrow

    def on_open_article(self, message: OpenArticle) -> None:
        from tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(message.article_id, message.offset, find=message.find))

    def on_library_changed(self, message: LibraryChanged) -> None:
        if self._library is not None:
            # This app's own change (or one it has just taken in): no need to
            # look for it again.
            self._seen_version = self._library.version()
        for screen in self.screen_stack:
            screen.post_message(LibraryChanged(message.article_ids, message.analysis_only))
        if self.search_index is not None and message.article_ids:
            with self._index_lock:
                self._index_pending.update(message.article_ids)
            self.refresh_search_index()

    @work(thread=True, exclusive=True, group="search-index")
    def refresh_search_index(self) -> None:
        """Keep the search index in step with the library (updated, never rebuilt
        here): re-index the articles changed since, until none is left. A newer
        call takes over the ones this one has not reached."""
        index = self.search_index
        worker = get_current_worker()
        while index is not None and not worker.is_cancelled:
            with self._index_lock:
                pending = sorted(self._index_pending)
                self._index_pending.clear()
            if not pending:
                return
            for i, article_id in enumerate(pending):
                if worker.is_cancelled:
                    with self._index_lock:
                        self._index_pending.update(pending[i:])
                    return
                try:
                    index.update_article(self.library, article_id)
                except StoreError:
                    index.remove_article(article_id)

    def _check_outside_changes(self) -> None:
        # One small file read; the library is opened by the first screen's
        # worker, never here on the UI thread.
        if self._library is None:
            return
        version = self._library.version()
        if self._seen_version is None:
            self._seen_version = version
        elif version != self._seen_version:
            self._seen_version = version
            self._take_in_outside_changes()

    @work(thread=True, exclusive=True, group="outside-changes", exit_on_error=False)
    def _take_in_outside_changes(self) -> None:
        """Another process changed the library: the lists reload, and the search
        index re-reads the articles whose state it holds is out of date."""
        ids: list[str] = []
        index = self.search_index
        if index is not None:
            from store import search_cache

            try:
                ids = search_cache.changed_articles(index, self.library)
            except StoreError:
                ids = []
        self.post_message(LibraryChanged(tuple(ids)))

    # --- re-analysis after a taught correction -----------------------------
    def start_reanalysis(self, announce: bool = False) -> None:
        """Bring every stale analysis up to date in the background, with progress on
        each screen; a newer call restarts the run. ``announce`` also says so when
        there was nothing to do."""
        self._reanalysis_run += 1
        self._reanalyse(self._reanalysis_run, announce)

    @work(thread=True, exclusive=True, group="reanalysis", exit_on_error=False)
    def _reanalyse(self, run: int, announce: bool) -> None:
        worker = get_current_worker()
        batch: list[str] = []
        sent = [0.0, time.monotonic()]  # last progress message, last index batch
        counts = [0, 0]

        def flush() -> None:
            if batch:
                self.post_message(LibraryChanged(tuple(batch), analysis_only=True))
                batch.clear()

        def progress(done: int, total: int) -> None:
            counts[:] = [done, total]
            now = time.monotonic()
            if now - sent[0] >= PROGRESS_EVERY:
                sent[0] = now
                self.post_message(ReanalysisProgress(run, done, total))
            if now - sent[1] >= INDEX_EVERY:
                sent[1] = now
                flush()

        analysed = 0
        failed = False
        try:
            # In this thread, not a child process: measured with 1,000 and 10,000
            # articles, a child made no difference to how soon a key in the reader
            # reaches the screen once the progress line redraws without a layout.
            analysed = self.library.reanalyze(
                progress=progress, cancel=lambda: worker.is_cancelled, analysed=batch.append
            )
        except Exception as error:  # analysis is derived: the app goes on without it
            from tui.screens.errors import report

            report(self, error, "re-analyse the library")
            failed = True
        finally:
            flush()
            if not worker.is_cancelled:
                self.post_message(
                    ReanalysisProgress(run, *counts, finished=True, analysed=analysed)
                )
            if announce and not (counts[1] or failed or worker.is_cancelled):
                self.notify("Every article's analysis is up to date.", timeout=3)

    def on_reanalysis_progress(self, message: ReanalysisProgress) -> None:
        if message.run != self._reanalysis_run:
            return  # from a run a newer correction replaced
        progress = None if message.finished else (message.done, message.total)
        self.reanalysis_progress = progress
        from tui.widgets.reanalysis_bar import ReanalysisBar

        for screen in self.screen_stack:
            for bar in screen.query(ReanalysisBar):
                bar.show_progress(progress)
        if message.finished and message.analysed:
            plural = "s" if message.analysed != 1 else ""
            self.notify(f"Re-analysed {message.analysed:,} article{plural}.", timeout=3)

    def action_reanalyse(self) -> None:
        """Re-analyse every article whose analysis predates a taught correction."""
        self.start_reanalysis(announce=True)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())


def run(library_root: Path | None = None, open_article: str | None = None) -> int:
    """Open the app on the library (Library(library_root or Library.default_root())); seed
    sample articles when the library is empty; if open_article (an article id) is given,
    open it in the reader. Returns an exit code; a library that cannot be opened is
    reported in one line on stderr (exit code 1)."""
    app = MarginApp(root=library_root, open_article=open_article)
    result = app.run()
    if app.open_error is not None:
        print(f"margin: {' '.join(str(app.open_error).split())}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else (app.return_code or 0)
