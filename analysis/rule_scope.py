"""Which of the user's taught rules can change the analysis of a given text.

``analyze(text, rules)`` applies each rule by the name it is about (see
``analysis.pipeline.apply_taught``): a reject, retype, rename or merge acts on
the entities whose mention or canonical name equals the rule's text once
whitespace is collapsed and case folded; an add acts where its text occurs in
the article between word boundaries, ignoring case as ``re.IGNORECASE`` does. A
rule about a name the text never contains therefore changes nothing, except
through another rule that is in scope:

- a reject also cancels an add of the same name;
- an add's canonical name (its text when it has none) becomes the canonical of
  what it adds, so a retype or rename of that name acts too;
- a rename's new canonical can be retyped by a retype of that name.

The test for "the text contains the name" is deliberately loose, so that it can
only err by including a rule: both sides are compared under ``fold``, which
makes equal every pair of strings that case folding, ``re.IGNORECASE``,
upper-casing or title-casing make equal, and it looks for the name anywhere,
not only between word boundaries (a canonical name made from the text may start
or end inside a word). An add is also run as its own pattern to confirm it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from analysis.types import Taught

__all__ = ["RuleScope", "fold", "relevant_rules"]

# What "İ" folds to with full case folding ("i" and a combining dot above),
# where re.IGNORECASE and lower() without the special casing give a plain "i".
_DOT_ABOVE = "\u0307"
_KEYED = ("reject", "retype", "rename", "merge")


def fold(s: str) -> str:
    """``s`` with whitespace runs made one space, upper-cased, case folded and
    without combining dots above: a per-character mapping under which two
    strings are equal whenever ``casefold``, ``upper``, ``title`` or
    ``re.IGNORECASE`` matching make them equal (the dotted and dotless i
    included), and which keeps a substring a substring."""
    return " ".join(s.split()).upper().casefold().replace(_DOT_ABOVE, "")


def _add_pattern(text: str) -> re.Pattern[str]:
    # The pattern apply_taught finds an added name with.
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE)


class RuleScope:
    """The taught rules prepared once for asking, of many texts, which of them
    can change each text's analysis (see :func:`relevant_rules`)."""

    def __init__(self, rules: Sequence[Taught]) -> None:
        self.rules: tuple[Taught, ...] = tuple(rules)
        self._folded = [fold(r.text) for r in self.rules]
        self._needles = tuple(dict.fromkeys(self._folded))
        self._adds = [i for i, r in enumerate(self.rules) if r.action == "add"]
        self._patterns: dict[str, re.Pattern[str]] = {}

    def relevant(self, text: str) -> list[Taught]:
        """The rules (in their order) that could change ``analyze(text, rules)``;
        analysing with only these gives the same analysis."""
        if not self.rules:
            return []
        folded_text = fold(text)
        present = {n for n in self._needles if n in folded_text}
        if not present:
            return []
        rules, folded = self.rules, self._folded
        keep = [False] * len(rules)
        added_canonicals: set[str] = set()
        for i in self._adds:
            if folded[i] in present and self._pattern(rules[i].text).search(text):
                keep[i] = True
                added_canonicals.add(fold(rules[i].canonical or rules[i].text))
        renamed_to: set[str] = set()
        for i, rule in enumerate(rules):
            if rule.action == "add":
                continue
            name = folded[i]
            if rule.action == "reject":
                # An add this reject cancels matched the text, so the name is present.
                keep[i] = name in present
            elif rule.action in ("rename", "merge"):
                keep[i] = name in present or name in added_canonicals
                if keep[i] and rule.canonical:
                    renamed_to.add(fold(rule.canonical))
            elif rule.action not in _KEYED:
                # Not an action apply_taught knows: kept when it names the text.
                keep[i] = name in present
        for i, rule in enumerate(rules):
            if rule.action == "retype":
                name = folded[i]
                keep[i] = name in present or name in added_canonicals or name in renamed_to
        return [rule for rule, k in zip(rules, keep, strict=True) if k]

    def _pattern(self, text: str) -> re.Pattern[str]:
        pattern = self._patterns.get(text)
        if pattern is None:
            pattern = self._patterns[text] = _add_pattern(text)
        return pattern


@functools.lru_cache(maxsize=8)
def _scope(rules: tuple[Taught, ...]) -> RuleScope:
    return RuleScope(rules)


def relevant_rules(text: str, rules: Sequence[Taught]) -> list[Taught]:
    """The subset of ``rules``, in their order, that could change
    ``analyze(text, rules)``: ``analyze(text, relevant_rules(text, rules))``
    equals ``analyze(text, rules)``. Conservative: a rule is left out only when
    it cannot act on this text. For many texts under the same rules,
    ``RuleScope(rules).relevant(text)`` prepares the rules once."""
    return _scope(tuple(rules)).relevant(text)
