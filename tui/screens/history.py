"""Undo and redo of annotation actions (tag, untag, note, highlight, delete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Step:
    """One action the user took: ``undo`` reverts it, ``redo`` performs it again."""

    label: str
    undo: Callable[[], None]
    redo: Callable[[], None]


class History:
    """Two stacks of steps. A new step clears what could be redone."""

    def __init__(self, limit: int = 200) -> None:
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._limit = limit

    def push(self, step: Step) -> None:
        """Record a step that has just been performed."""
        self._done.append(step)
        del self._done[: -self._limit]
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self) -> Step | None:
        """Revert the last step; it stays on the stack when reverting raises."""
        if not self._done:
            return None
        step = self._done[-1]
        step.undo()
        self._undone.append(self._done.pop())
        return step

    def redo(self) -> Step | None:
        """Perform the last undone step again."""
        if not self._undone:
            return None
        step = self._undone[-1]
        step.redo()
        self._done.append(self._undone.pop())
        return step
