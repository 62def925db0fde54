"""Store errors turned into notifications that say what to do, never a traceback."""

from __future__ import annotations

from textual.dom import DOMNode

from store.errors import LibraryBusy, LibraryCorrupt, LibraryTooNew, SaveFailed, StoreError

_ADVICE: list[tuple[type[StoreError], str]] = [
    (LibraryCorrupt, "The file was left untouched; restore it from its .bak copy or a backup."),
    (LibraryTooNew, "Upgrade margin to open this library."),
    (LibraryBusy, "Another margin is writing to this library; try again in a moment."),
    (SaveFailed, "Nothing was lost; free some disk space or check permissions, then retry."),
]


def advice_for(error: BaseException) -> str:
    """A one-line hint for ``error`` (empty when there is nothing more to say)."""
    for kind, advice in _ADVICE:
        if isinstance(error, kind):
            return advice
    return ""


def report(node: DOMNode, error: BaseException, action: str = "") -> None:
    """Notify the user of ``error`` while doing ``action``, with what to do about it."""
    prefix = f"Could not {action}: " if action else ""
    message = f"{prefix}{str(error).splitlines()[0] if str(error) else type(error).__name__}"
    advice = advice_for(error)
    node.notify(f"{message}\n{advice}" if advice else message, severity="error", timeout=8)
