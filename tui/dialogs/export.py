"""Export articles as Markdown: a profile, a folder, and progress for many files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from store.export import ExportResult

PROFILES = (
    ("Obsidian", "obsidian"),
    ("Logseq", "logseq"),
    ("Plain CommonMark", "plain"),
)


class ExportDialog(ModalScreen[list[Path] | None]):
    """Export ``article_ids``; dismisses with the written files."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without exporting")]
    """Dialog keys."""

    def __init__(self, article_ids: list[str], folder: str | None = None) -> None:
        super().__init__()
        self.article_ids = article_ids
        self.folder = folder
        self._chosen = ""

    def compose(self) -> ComposeResult:
        if self.folder is None:
            # The folder last exported into: exporting again goes to the same vault.
            self.folder = getattr(self.app, "last_export_folder", None) or "margin-export"
        count = len(self.article_ids)
        with Vertical(id="export-dialog", classes="dialog"):
            what = "this article" if count == 1 else f"{count} articles"
            yield Label(f"Export {what} as Markdown", classes="dialog-title")
            yield Select(PROFILES, value="obsidian", allow_blank=False, id="export-profile")
            yield Input(value=self.folder, placeholder="Folder to write into", id="export-folder")
            yield ProgressBar(total=count, id="export-progress", show_eta=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")
            yield Label("Enter exports · escape cancels", classes="dialog-hint", id="export-hint")

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#export-folder", Input).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "export")
        self.dismiss(None)

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-folder")
    def start(self) -> None:
        """Begin the export with the chosen profile and folder."""
        try:
            from store.export import export_articles  # noqa: F401
        except ImportError:
            self.notify("Export is not available in this build.", severity="error")
            return
        folder = self.query_one("#export-folder", Input).value.strip()
        if not folder:
            self.notify("Type a folder to export into.", severity="warning")
            return
        profile = str(self.query_one("#export-profile", Select).value)
        self._chosen = folder
        for widget in self.query("Input, Select, #export"):
            widget.disabled = True
        self.query_one("#export-progress").display = True
        self.run_export(profile, Path(folder).expanduser())

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, profile: str, out_dir: Path) -> None:
        """Write the files off the UI thread, reporting progress."""
        from store.errors import StoreError
        from store.export import export_folder

        worker = get_current_worker()
        last = [0.0]

        class Cancelled(Exception):
            """Raised from the progress callback to stop export_folder."""

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise Cancelled
            # One UI round trip per tenth of a second, not per file (10k files).
            now = time.monotonic()
            if done == total or now - last[0] >= 0.1:
                last[0] = now
                self.app.call_from_thread(self._progress, done, total)

        try:
            result = export_folder(
                self.app.library,
                self.article_ids,
                profile=profile,
                out_dir=out_dir,
                progress=progress,
            )
        except Cancelled:
            return
        except (StoreError, OSError, ValueError) as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, error)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._finished, result, out_dir)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _failed(self, error: BaseException) -> None:
        from tui.screens.errors import report

        report(self, error, "export")
        for widget in self.query("Input, Select, #export"):
            widget.disabled = False

    def _finished(self, result: ExportResult, out_dir: Path) -> None:
        # The full path: a relative folder is relative to wherever margin was started.
        where = out_dir.resolve()
        self.app.last_export_folder = self._chosen
        paths = result.written
        message = f"Exported {len(paths)} file{'s' if len(paths) != 1 else ''} to {where}"
        if result.removed:
            message += f"; removed {len(result.removed)} left by renamed or deleted articles"
        self.notify(message)
        if result.kept:
            names = ", ".join(p.name for p in result.kept[:3])
            more = f" and {len(result.kept) - 3} more" if len(result.kept) > 3 else ""
            self.notify(
                f"Kept {names}{more}: edited since export, though the article was renamed or deleted",
                severity="warning",
            )
        if result.skipped_edited:
            # Never overwritten from here: `margin export --force` does that.
            names = ", ".join(p.name for p in result.skipped_edited[:3])
            extra = len(result.skipped_edited) - 3
            more = f" and {extra} more" if extra > 0 else ""
            self.notify(
                f"Kept {names}{more}: edited since export, so not overwritten "
                "(margin export --force overwrites)",
                severity="warning",
            )
        for warning in result.warnings:
            self.notify(warning, severity="warning")
        self.dismiss(paths)
