"""Command palette: every action bound on the current screen, searchable by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


def _key_label(key: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "quotation_mark": '"',
        "right_square_bracket": "]",
        "left_square_bracket": "[",
        "space": "space",
    }
    return ", ".join(names.get(k, k) for k in key.split(","))


def own_actions(node: DOMNode) -> set[str]:
    """Actions bound by margin's own classes (not Textual's scrolling and focus keys)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            action = binding.action if isinstance(binding, Binding) else binding[1]
            actions.add(action)
    return actions


PALETTE_ONLY = (
    (
        "Re-analyse the library",
        "Analyse again every article that predates a taught correction",
        "reanalyse",
    ),
)
"""App actions without a key: (title, help, action)."""


class MarginCommands(Provider):
    """Offers each binding of the screen the palette was opened from (and its widgets),
    and the app's actions that have no key."""

    def _commands(self) -> Iterator[tuple[str, str, DOMNode, str]]:
        seen: set[str] = set()
        for node in self.screen.focused.ancestors_with_self if self.screen.focused else ():
            yield from self._from_node(node, seen)
        for node in [self.screen, *self.screen.query("ArticleView, AnnotationPanel")]:
            yield from self._from_node(node, seen)
        yield from self._from_node(self.app, seen)
        for title, help_text, action in PALETTE_ONLY:
            if hasattr(self.app, f"action_{action}"):
                yield title, help_text, self.app, action

    def _from_node(self, node: DOMNode, seen: set[str]) -> Iterator[tuple[str, str, DOMNode, str]]:
        own = own_actions(node)
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if not binding.description or binding.action in seen or binding.action not in own:
                    continue
                if binding.action == "command_palette":
                    continue
                seen.add(binding.action)
                help_text = binding.tooltip or f"Key: {_key_label(binding.key)}"
                yield binding.description, help_text, node, binding.action

    async def discover(self) -> Hits:
        for title, help_text, node, action in self._commands():
            yield DiscoveryHit(title, partial(node.run_action, action), help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for title, help_text, node, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(node.run_action, action),
                    help=help_text,
                )
