"""analyze(): structure + entities + the user's corrections + quotes."""

import sys

from analysis import Taught, analyze
from analysis.pipeline import ANALYSIS_VERSION

TEXT = (
    "EN\n\n"
    "Harbour talks in Lisbon end without a deal\n\n"
    "Prime Minister Karin Dahlberg met Tomas Varga in Lisbon. Varga said the "
    "Quayside Group would wait. The Orbis project was not discussed.\n"
)


def by_text(a):
    return {e.text: e for e in a.entities}


def test_title_blocks_and_entities():
    a = analyze(TEXT)
    assert a.title == "Harbour talks in Lisbon end without a deal"
    assert a.blocks[0].kind == "noise"
    found = by_text(a)
    assert found["Karin Dahlberg"].type == "PERSON"
    assert found["Varga"].canonical == "Tomas Varga"


def test_version_is_a_string():
    assert isinstance(ANALYSIS_VERSION, str) and ANALYSIS_VERSION


def test_taught_add_finds_every_occurrence_with_word_boundaries():
    text = TEXT + "Orbis again, but not Orbisville.\n"
    a = analyze(text, [Taught("add", "Orbis", type="MISC")])
    hits = [e for e in a.entities if e.text == "Orbis"]
    assert len(hits) == 2 and all(e.type == "MISC" for e in hits)
    assert not any(e.text == "Orbisville" and e.type == "MISC" for e in a.entities)


def test_taught_add_replaces_overlapping_entities():
    a = analyze(TEXT, [Taught("add", "Prime Minister Karin Dahlberg", type="PERSON")])
    found = by_text(a)
    assert "Prime Minister Karin Dahlberg" in found
    assert "Karin Dahlberg" not in found


def test_taught_reject_removes_text_and_its_short_forms():
    a = analyze(TEXT, [Taught("reject", "Tomas Varga")])
    found = by_text(a)
    assert "Tomas Varga" not in found and "Varga" not in found


def test_taught_retype_and_rename():
    a = analyze(
        TEXT,
        [
            Taught("retype", "Quayside Group", type="MISC"),
            Taught("rename", "Karin Dahlberg", canonical="K. Dahlberg"),
        ],
    )
    found = by_text(a)
    assert found["Quayside Group"].type == "MISC"
    assert found["Karin Dahlberg"].canonical == "K. Dahlberg"


def test_taught_merge_is_case_insensitive():
    a = analyze(TEXT, [Taught("merge", "lisbon", canonical="Lisboa")])
    assert all(e.canonical == "Lisboa" for e in a.entities if e.text == "Lisbon")


def test_bad_taught_rules_are_ignored():
    a = analyze(TEXT, [Taught("add", "   ", type="PERSON"), Taught("add", "Orbis", type="NOPE")])
    assert a.entities == analyze(TEXT).entities


def test_quotes_fall_back_to_empty_when_the_module_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "analysis.quotes", None)
    a = analyze('He said "we will wait" today.\n')
    assert a.quotes == []


def test_empty_and_blank_text():
    for text in ("", "\n\n  \n", "\x00\x01"):
        a = analyze(text)
        assert a.entities == [] or all(0 <= e.start < e.end <= len(text) for e in a.entities)
