"""relevant_rules(): the taught rules that can change one text's analysis."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import ENTITY_TYPES, RuleScope, Taught, analyze, relevant_rules
from analysis.rule_scope import fold

SAMPLES = Path(__file__).resolve().parents[2] / "sample_articles"

# Names in several spellings, so that rules and texts meet: case, the Turkish
# dotted and dotless i, the German sharp s, possessives, hyphens, odd spacing.
NAMES = [
    "Karin Dahlberg",
    "Dahlberg",
    "Tomas Varga",
    "Varga",
    "Lisbon",
    "Quayside Group",
    "Orbis",
    "İstanbul",
    "ISTANBUL",
    "Istanbul",
    "ıstanbul",
    "Straße",
    "STRASSE",
    "Kelvin",
    "O'Brien",
    "O’Brien",
    "Magna International Inc",
    "Magna",
    "Al",
]
FILLER = [
    "said",
    "on Monday",
    "the",
    "talks",
    "in",
    "met",
    "with",
    "and",
    "'s",
    "-led",
    ".",
    ",",
    "\n\n",
    "  ",
    "Also",
    "Irani",
]
# Names no text contains: they reach a text only as another rule's canonical.
ELSEWHERE = ["Lisboa", "Capital City", "Nowhere Land"]
ACTIONS = ["add", "reject", "retype", "rename", "merge"]


def variant(name: str, how: int) -> str:
    return [name, name.upper(), name.lower(), name.title(), name.casefold()][how % 5]


names = st.builds(variant, st.sampled_from(NAMES), st.integers(0, 4))
texts = st.lists(st.one_of(names, st.sampled_from(FILLER)), max_size=16).map(
    lambda parts: "Talks end\n\n" + " ".join(parts) + "\n"
)
rules = st.lists(
    st.builds(
        Taught,
        st.sampled_from(ACTIONS),
        st.one_of(names, st.sampled_from(["", " ", *ELSEWHERE])),
        st.sampled_from([*ENTITY_TYPES, None]),
        st.one_of(st.none(), st.just(""), names, st.sampled_from(ELSEWHERE)),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, rules)
def test_analysis_with_relevant_rules_equals_analysis_with_all(text: str, taught) -> None:
    kept = relevant_rules(text, taught)
    assert [r for r in taught if r in kept] == kept  # a subset, in the rules' order
    assert analyze(text, kept) == analyze(text, taught)


# Rules that mostly name what no text contains, so that chains form: an add
# whose canonical is renamed, a rename whose new name is retyped.
CHAIN_POOL = [
    Taught("add", "Lisbon", "PLACE", "Lisboa"),
    Taught("add", "lisbon", "ORG"),
    Taught("add", "Varga", "PERSON", "Capital City"),
    Taught("add", "Capital City", "ORG"),
    Taught("rename", "Lisboa", canonical="Capital City"),
    Taught("merge", "LISBOA", canonical="Lisbon"),
    Taught("rename", "Lisbon", canonical="Capital City"),
    Taught("rename", "Capital City", canonical="Lisboa"),
    Taught("rename", "Tomas Varga", canonical="Lisboa"),
    Taught("retype", "Capital City", "ORG"),
    Taught("retype", "lisboa", "MISC"),
    Taught("retype", "Lisbon", "ORG"),
    Taught("reject", "Lisbon"),
    Taught("reject", "Lisboa"),
    Taught("reject", "capital city"),
]
chained = st.lists(st.sampled_from(CHAIN_POOL), min_size=2, max_size=6)
chain_texts = st.lists(
    st.sampled_from(["Tomas Varga met Varga in Lisbon.", "Orbis said no.", "LISBON"]),
    min_size=1,
    max_size=3,
).map(lambda parts: "Talks end\n\n" + " ".join(parts) + "\n")


@settings(max_examples=200, deadline=None)
@given(chain_texts, chained)
def test_chained_rules_in_scope(text: str, taught) -> None:
    assert analyze(text, relevant_rules(text, taught)) == analyze(text, taught)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_every_entity_and_canonical_is_found_in_the_folded_text(text: str) -> None:
    # What relevant_rules relies on for reject, retype and rename.
    folded = fold(text)
    for e in analyze(text).entities:
        assert fold(e.text) in folded
        assert fold(e.canonical) in folded


def _sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]


def test_sample_articles_with_rules_about_their_own_entities() -> None:
    texts = _sample_texts()
    assert texts
    analyses = [analyze(t) for t in texts]
    pool = sorted({name for a in analyses for e in a.entities for name in (e.text, e.canonical)})
    rng = random.Random(7)
    for text, base in zip(texts, analyses, strict=True):
        folded = fold(text)
        for e in base.entities:
            assert fold(e.canonical) in folded, (e, text[:60])
        own = sorted({name for e in base.entities for name in (e.text, e.canonical)})
        if not own:
            continue
        taught = []
        for _ in range(40):
            name = rng.choice(own) if rng.random() < 0.5 else rng.choice(pool)
            action = rng.choice(ACTIONS)
            taught.append(
                Taught(
                    action,
                    variant(name, rng.randrange(5)),
                    rng.choice(ENTITY_TYPES),
                    rng.choice(own + pool[:50]) if action != "reject" else None,
                )
            )
        kept = relevant_rules(text, taught)
        assert len(kept) < len(taught)  # rules about other articles' names go
        assert analyze(text, kept) == analyze(text, taught)


TEXT = "Talks\n\nKarin Dahlberg met Tomas Varga in Lisbon. Varga said no.\n"


def test_rules_about_names_the_text_lacks_are_left_out() -> None:
    taught = [
        Taught("reject", "Lisbon"),
        Taught("retype", "Porto", "ORG"),
        Taught("rename", "varga", canonical="T. Varga"),
        Taught("add", "Orbis", "MISC"),
        Taught("reject", "Orbis"),
    ]
    assert relevant_rules(TEXT, taught) == [taught[0], taught[2]]


def test_an_add_needs_a_whole_word_match() -> None:
    assert relevant_rules(TEXT, [Taught("add", "Lisb", "PLACE")]) == []
    assert relevant_rules(TEXT, [Taught("add", "LISBON", "PLACE")]) != []


def test_chains_through_an_added_canonical_and_a_renamed_canonical() -> None:
    taught = [
        Taught("add", "Lisbon", "PLACE", canonical="Lisboa"),
        Taught("rename", "Lisboa", canonical="Capital City"),
        Taught("retype", "Capital City", "ORG"),
        Taught("retype", "Lisboa", "MISC"),
        Taught("reject", "Capital City"),  # rejects act on found entities only
    ]
    assert relevant_rules(TEXT, taught) == taught[:4]
    assert analyze(TEXT, taught[:4]) == analyze(TEXT, taught)


def test_a_reject_cancelling_an_add_is_kept() -> None:
    taught = [Taught("reject", "LISBON"), Taught("add", "Lisbon", "ORG")]
    assert relevant_rules("Nothing here", taught) == []
    assert relevant_rules(TEXT, taught) == taught


def test_dotted_capital_i_and_sharp_s() -> None:
    text = "News\n\nİSTANBUL and Straße.\n"
    for name in ("istanbul", "ISTANBUL", "ıstanbul", "i̇stanbul", "STRASSE", "strasse"):
        assert relevant_rules(text, [Taught("reject", name)]), name
    # re.IGNORECASE lets "i" match "İ": the add is in scope.
    taught = [Taught("add", "istanbul", "PLACE")]
    assert re.search("istanbul", text, re.IGNORECASE)
    assert relevant_rules(text, taught) == taught


def test_scope_prepared_once_answers_like_the_function() -> None:
    taught = [Taught("reject", "Varga"), Taught("retype", "Porto", "ORG")]
    scope = RuleScope(taught)
    for text in (TEXT, "Porto", "", "nothing"):
        assert scope.relevant(text) == relevant_rules(text, taught)
    assert RuleScope([]).relevant(TEXT) == []


def _cased_chars() -> list[str]:
    out = []
    for i in range(0x20000):
        c = chr(i)
        if 0xD800 <= i < 0xE000:
            continue
        if c.lower() != c or c.upper() != c or c.casefold() != c or c.title() != c:
            out.append(c)
    return out


def test_fold_equates_what_casefold_case_mappings_and_ignorecase_equate() -> None:
    for c in _cased_chars():
        f = fold(c)
        for other in (c.lower(), c.upper(), c.title(), c.casefold()):
            assert fold(other) == f, (hex(ord(c)), other)
            if len(other) == 1 and re.fullmatch(re.escape(c), other, re.IGNORECASE):
                assert fold(other) == f


@pytest.mark.skipif(sys.version_info < (3, 11), reason="re._casefix is new in 3.11")
def test_fold_equates_the_extra_ignorecase_pairs() -> None:
    casefix = pytest.importorskip("re._casefix")
    for low, others in casefix._EXTRA_CASES.items():
        for other in others:
            assert fold(chr(low)) == fold(chr(other)), (hex(low), hex(other))
