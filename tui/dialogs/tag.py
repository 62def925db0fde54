"""The tag prompt: one line, several tags separated by commas, known tags suggested."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label


def split_tags(value: str) -> list[str]:
    """Tags typed as ``a, b, c`` (blank ones dropped, order kept, no repeats)."""
    seen: list[str] = []
    for part in value.split(","):
        tag = " ".join(part.split()).lstrip("#")
        if tag and tag not in seen:
            seen.append(tag)
    return seen


class FuzzyTagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from the library's tags."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = tags

    async def get_suggestion(self, value: str) -> str | None:
        head, _, current = value.rpartition(",")
        typed = current.lstrip()
        if not typed or not self.tags:
            return None
        lowered = typed.lower()
        for tag in self.tags:
            if tag.lower().startswith(lowered) and tag != typed:
                return value + tag[len(typed) :]
        from rapidfuzz import fuzz, process

        match = process.extractOne(typed, self.tags, scorer=fuzz.WRatio, score_cutoff=75)
        if match is None or match[0] == typed:
            return None
        # Input only shows suggestions that extend what is typed, so a fuzzy match
        # replaces the typed fragment when the suggestion is accepted.
        return None if not match[0].lower().startswith(lowered) else value + match[0][len(typed) :]


class TagDialog(ModalScreen[list[str] | None]):
    """Ask for tags; Enter submits, escape cancels."""

    # No priority bindings: a priority key jumps ahead of the keys still queued for the
    # input, so tab right after typing completed a fragment without its last letters.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without tagging"),
        Binding(
            "tab",
            "complete",
            "Complete",
            tooltip="Replace the tag being typed with the best match",
        ),
    ]
    """Prompt keys."""

    def __init__(self, known: list[str]) -> None:
        super().__init__()
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog", classes="dialog"):
            yield Label("Tag this article", classes="dialog-title")
            yield Input(
                placeholder="energy policy, South Caucasus, 2025",
                suggester=FuzzyTagSuggester(self.known),
                id="tag-input",
            )
            hint = "Enter saves · tab completes a known tag · escape cancels"
            if self.known:
                hint = f"Known: {', '.join(self.known[:8])}{'…' if len(self.known) > 8 else ''}\n{hint}"
            yield Label(hint, classes="dialog-hint", id="tag-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#tag-input")
    def _changed(self, event: Input.Changed) -> None:
        typed = event.value.rpartition(",")[2].strip()
        if not typed or not self.known:
            return
        from rapidfuzz import fuzz, process

        matches = process.extract(typed, self.known, scorer=fuzz.WRatio, score_cutoff=60, limit=5)
        if matches:
            names = ", ".join(m[0] for m in matches)
            self.query_one("#tag-hint", Label).update(
                f"Did you mean: {names}\nEnter saves · escape cancels"
            )

    def best_match(self, typed: str) -> str | None:
        """The known tag closest to ``typed`` (prefix first, then fuzzy)."""
        typed = typed.strip()
        if not typed or not self.known:
            return None
        lowered = typed.lower()
        for tag in self.known:
            if tag.lower().startswith(lowered):
                return tag
        from rapidfuzz import fuzz, process

        match = process.extractOne(typed, self.known, scorer=fuzz.WRatio, score_cutoff=60)
        return match[0] if match else None

    def action_complete(self) -> None:
        field = self.query_one(Input)
        head, comma, current = field.value.rpartition(",")
        best = self.best_match(current)
        if best is None:
            return
        field.value = f"{head}{comma}{' ' if comma else ''}{best}"
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#tag-input")
    def _submitted(self, event: Input.Submitted) -> None:
        tags = split_tags(event.value)
        if not tags:
            self.notify("Type a tag, or escape to cancel.", severity="warning")
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)
