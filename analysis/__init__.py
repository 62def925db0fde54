"""Pure text work: import and cleaning, structure, entities, quotes and speakers.

Headless: never imports textual, rich, tui or store.
"""

from analysis.rule_scope import RuleScope, relevant_rules
from analysis.types import ENTITY_TYPES, Analysis, Block, Entity, Quote, Taught

__all__ = [
    "ENTITY_TYPES",
    "Analysis",
    "Block",
    "Entity",
    "Quote",
    "RuleScope",
    "Taught",
    "analyze",
    "relevant_rules",
]


def analyze(text: str, taught: "list[Taught] | tuple[Taught, ...]" = ()) -> Analysis:
    """Analyse ``text``: blocks (title, headings, noise), entities and quotes."""
    from analysis.pipeline import analyze as _analyze

    return _analyze(text, taught)
