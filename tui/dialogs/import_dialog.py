"""Import a file, a folder or a URL, in a worker, with progress."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar
from textual.worker import get_current_worker

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def expand(target: str) -> list[str]:
    """The sources behind what the user typed: a URL, a file, or a folder's articles."""
    if target.startswith(("http://", "https://")):
        return [target]
    path = Path(target).expanduser()
    if path.is_dir():
        return [str(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in SUFFIXES]
    return [str(path)]


class ImportDialog(ModalScreen[list[str] | None]):
    """Ask for a path or URL and import it; dismisses with the new article ids."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close (an import in progress stops)")
    ]
    """Dialog keys."""

    def __init__(self) -> None:
        super().__init__()
        self.imported: list[str] = []
        """Ids saved so far: kept when the import is cancelled, since they are in the library."""

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog", classes="dialog"):
            yield Label("Import an article", classes="dialog-title")
            yield Input(placeholder="A file, a folder, or an https:// URL", id="import-target")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Label("Enter imports · escape cancels", classes="dialog-hint", id="import-hint")

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one(Input).focus()

    @on(Input.Submitted, "#import-target")
    def _submitted(self, event: Input.Submitted) -> None:
        target = event.value.strip()
        if not target:
            self.notify("Type a path or a URL.", severity="warning")
            return
        sources = expand(target)
        if not sources:
            self.notify(f"No articles (txt, md, html) in {target}", severity="warning")
            return
        self.query_one(Input).disabled = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=len(sources), progress=0)
        self.run_import(sources)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, sources: list[str]) -> None:
        """Read, analyse and save each source; errors are reported one line each."""
        from analysis import ingest
        from store.errors import StoreError

        library = self.app.library
        ids: list[str] = []
        failures = 0
        worker = get_current_worker()
        for done, source in enumerate(sources, 1):
            if worker.is_cancelled:
                return
            try:
                if source.startswith(("http://", "https://")):
                    doc = ingest.fetch_url(source)
                else:
                    doc = ingest.read_path(source)
                article, status = library.import_document(doc)
                ids.append(article.id)
                note = "already in the library" if status == "exists" else status
                self.app.call_from_thread(
                    self._progress, done, f"{article.title[:50]}: {note}", article.id
                )
            except (StoreError, OSError, ValueError) as error:
                failures += 1
                self.app.call_from_thread(self._failed, done, source, error)
            except Exception as error:  # a reader bug must not lose the dialog or the app
                failures += 1
                self.app.call_from_thread(self._failed, done, source, error)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._finished, ids, failures)

    def _progress(self, done: int, text: str, article_id: str) -> None:
        self.imported.append(article_id)
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#import-hint", Label).update(text)

    def _failed(self, done: int, source: str, error: BaseException) -> None:
        self.query_one(ProgressBar).update(progress=done)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        self.notify(f"Could not import {Path(source).name or source}: {message}", severity="error")

    def _finished(self, ids: list[str], failures: int) -> None:
        if ids:
            self.notify(f"Imported {len(ids)} article{'s' if len(ids) != 1 else ''}.")
        if failures and not ids:
            self.query_one(Input).disabled = False
            self.query_one(Input).focus()
            return
        self.dismiss(ids)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "import")
        # What was saved before escape stays in the library: the list and the search
        # index must hear of it.
        if self.imported:
            self.notify(f"Import stopped after {len(self.imported)} article(s).")
        self.dismiss(list(self.imported) or None)
