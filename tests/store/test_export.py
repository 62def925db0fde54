"""Markdown export: golden files for each profile on the seed article, and the rules
every profile keeps (valid front matter and tags, block ids, escaping, determinism).

The golden files test the exporter, not the recogniser: the seed's entities and
quotes come from a fixed, hand-built Analysis. Regenerate them after a deliberate
change with ``MARGIN_UPDATE_GOLDEN=1 pytest tests/store/test_export.py`` and read
the diff before committing.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from analysis.types import Analysis, Entity, Quote
from store import export
from store.export_logseq import block_uuid, tag_ref
from store.export_markdown import (
    ExportItem,
    escape_line,
    normalise_user_text,
    obsidian_tag,
    obsidian_tags,
    unescape_line,
)
from store.models import Annotations, Article, Highlight, Note

GOLDEN = Path(__file__).parent / "golden"
SEED = Path(__file__).resolve().parents[2] / "sample_articles" / "aliyev_white_house.txt"
HIGHLIGHT_TEXT = (
    "a strategic gesture confirming that U.S.–Azerbaijan relations have entered a new phase"
)


def valid_obsidian_tag(tag: str) -> bool:
    """Letters, digits, combining marks, "_", "-" and "/"; not digits (and "/") only."""
    allowed = all(
        ch in "_-/" or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd"
        for ch in tag
    )
    return bool(tag) and allowed and not re.fullmatch(r"[\d/]+", tag)


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]


def _quote(text: str, opening: str, closing: str, speaker: str | None) -> Quote:
    start = text.index(opening)
    end = text.index(closing, start) + len(closing)
    return Quote(start, end, speaker, 0.9 if speaker else 0.0)


def seed_item() -> ExportItem:
    """The seed article with tags (one with a space, one all digits), a note, and a
    highlight with a note and tags; analysis fixed by hand."""
    text = SEED.read_text(encoding="utf-8")
    article = Article(
        id="a1b2c3d4e5f60718293a4b5c6d7e8f90",
        title="Ilham Aliyev's visit to White House: a new signal from Caucasus to world-Analysis",
        source="https://apa.az/en/analytics/ilham-aliyevs-visit-to-white-house",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        added="2025-11-03T09:15:00+00:00",
        chars=len(text),
        site="apa.az",
        published="2025-08-07",
    )
    start = text.index(HIGHLIGHT_TEXT)
    highlight = Highlight(
        id="hl-5f2a9c01",
        start=start,
        end=start + len(HIGHLIGHT_TEXT),
        exact=HIGHLIGHT_TEXT,
        prefix=text[max(0, start - 32) : start],
        suffix=text[start + len(HIGHLIGHT_TEXT) : start + len(HIGHLIGHT_TEXT) + 32],
        note="The framing every outlet picked up.",
        tags=["diplomacy", "US relations"],
        created="2025-11-03T09:20:00+00:00",
    )
    notes = [
        Note(
            id="n-0001",
            text="Compare with the Biden-era coverage: the same analysts, the opposite tone.",
            created="2025-11-03T09:18:00+00:00",
        ),
        Note(
            id="n-0002",
            text="Open questions:\n- who is APA's source?\n# not a heading\n---\n> not a quote",
            created="2025-11-03T09:25:00+00:00",
        ),
        Note(
            id="n-0003",
            text="Check the Zangezur claims against another source.",
            created="2025-11-03T09:22:00+00:00",
            highlight_id="hl-5f2a9c01",
        ),
    ]
    annotations = Annotations(
        article_id=article.id,
        tags=["energy policy", "South Caucasus", "2025"],
        notes=notes,
        highlights=[highlight],
    )
    entities = []
    for needle, etype, canonical in [
        ("Ilham Aliyev", "PERSON", "Ilham Aliyev"),
        ("Donald Trump", "PERSON", "Donald Trump"),
        ("Zaur Mammadov", "PERSON", "Zaur Mammadov"),
        ("Peter Tase", "PERSON", "Peter Tase"),
        ("Nikol Pashinyan", "PERSON", "Nikol Pashinyan"),
        ("APA", "ORG", "APA"),
        ("Baku Political Scientists Club", "ORG", "Baku Political Scientists Club"),
        ("White House", "PLACE", "White House"),
        ("Azerbaijan", "PLACE", "Azerbaijan"),
        ("Armenia", "PLACE", "Armenia"),
        ("Zangezur", "PLACE", "Zangezur"),
        ("Trans-Caspian", "MISC", "Trans-Caspian"),
    ]:
        for s, e in _spans(text, needle):
            entities.append(Entity(s, e, etype, text[s:e], canonical))
    entities.sort(key=lambda e: (e.start, e.end))
    quotes = [
        _quote(text, "“For many years", "role,”", "Zaur Mammadov"),
        _quote(text, "“During his leadership", "in recent years.", "Peter Tase"),
        _quote(text, "“Azerbaijan has become", "internationally,”", "Peter Tase"),
        _quote(text, "“The peace process between", "stability,”", "Zaur Mammadov"),
    ]
    return ExportItem(article, text, annotations, Analysis(entities=entities, quotes=quotes))


def front_matter(markdown: str) -> dict:
    assert markdown.startswith("---\n")
    end = markdown.index("\n---\n", 4)
    return yaml.safe_load(markdown[4:end])


# --- golden files -------------------------------------------------------------


@pytest.mark.parametrize("profile", export.PROFILES)
def test_golden(profile: str) -> None:
    rendered = export.render(seed_item(), profile)
    path = GOLDEN / f"seed.{profile}.md"
    if os.environ.get("MARGIN_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden file {path.name}: run with MARGIN_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", export.PROFILES)
def test_render_is_deterministic(profile: str) -> None:
    assert export.render(seed_item(), profile) == export.render(seed_item(), profile)


def test_unknown_profile_is_a_store_error() -> None:
    with pytest.raises(export.UnknownProfile, match="unknown export profile 'roam'"):
        export.render(seed_item(), "roam")


# --- obsidian -------------------------------------------------------------------


def test_obsidian_front_matter_parses_with_valid_tags() -> None:
    item = seed_item()
    data = front_matter(export.render(item, "obsidian"))
    assert data["id"] == item.article.id
    assert data["title"] == item.article.title
    assert data["source"] == item.article.source
    assert data["saved"] == item.article.added
    assert data["tags"] == ["energy-policy", "South-Caucasus", "y2025"]
    assert all(valid_obsidian_tag(t) for t in data["tags"])
    assert data["aliases"] == []
    assert "[[Ilham Aliyev]]" in data["entities"]
    assert data["entities"][0] == "[[Azerbaijan]]"  # most mentioned first


def test_obsidian_highlight_is_a_blockquote_with_block_id_then_note_and_tags() -> None:
    md = export.render(seed_item(), "obsidian")
    assert f"> {HIGHLIGHT_TEXT} ^hl-5f2a9c01\n\nThe framing every outlet picked up.\n" in md
    assert "\nCheck the Zangezur claims against another source.\n\n#diplomacy #US-relations\n" in md


def test_obsidian_quotes_are_callouts_with_speakers() -> None:
    md = export.render(seed_item(), "obsidian")
    assert md.count("> [!quote] Zaur Mammadov\n> “") == 2
    assert "> [!quote] Peter Tase\n> “During his leadership" in md
    assert "> [!quote] Peter Tase\n> “Azerbaijan has become" in md


def test_quote_without_speaker_is_unattributed() -> None:
    item = seed_item()
    start = item.text.index("“Washington swamp”")
    item.analysis.quotes = [Quote(start, start + len("“Washington swamp”"), None)]
    assert "> [!quote] Unattributed\n> “Washington swamp”\n" in export.render(item, "obsidian")
    assert "**Unattributed:**\n\n> “Washington swamp”\n" in export.render(item, "plain")
    assert "\t- **Unattributed**\n\t\t- > “Washington swamp”\n" in export.render(item, "logseq")


def test_obsidian_entity_index_groups_by_type_with_counts() -> None:
    md = export.render(seed_item(), "obsidian")
    section = md[md.index("## Entities") :]
    assert section.index("### People") < section.index("### Organisations")
    assert section.index("### Organisations") < section.index("### Places")
    people = section[section.index("### People") : section.index("### Organisations")]
    assert "- [[Ilham Aliyev]] (" in people
    assert "[[Azerbaijan]]" not in people


def test_user_text_cannot_open_a_heading_quote_or_rule() -> None:
    for profile in export.PROFILES:
        md = export.render(seed_item(), profile)
        if md.startswith("---\n"):
            md = md[md.index("\n---\n", 4) + 5 :]
        for bad in ("\n# not a heading", "\n---\n", "\n> not a quote"):
            assert bad not in md, (profile, bad)


@pytest.mark.parametrize(
    ("tag", "clean"),
    [
        ("energy policy", "energy-policy"),
        ("2025", "y2025"),
        ("#news", "news"),
        ("##a  b", "a-b"),
        ("U.S. politics", "U-S-politics"),
        ("region/South Caucasus", "region/South-Caucasus"),
        ("a//b/", "a/b"),
        ("2025/10", "y2025/10"),
        ("Azərbaycan", "Azərbaycan"),
        ("!!!", ""),
        ("  ", ""),
    ],
)
def test_obsidian_tag(tag: str, clean: str) -> None:
    assert obsidian_tag(tag) == clean
    if clean:
        assert valid_obsidian_tag(clean)


def test_obsidian_tags_drop_empties_and_duplicates() -> None:
    assert obsidian_tags(["a b", "a-b", "#a b", "?", "b"]) == ["a-b", "b"]


def test_highlight_block_id_is_valid_for_any_id() -> None:
    item = seed_item()
    item.annotations.highlights[0].id = "hl_ü/7 x"
    md = export.render(item, "obsidian")
    assert re.findall(r" \^(\S+)$", md, flags=re.M) == ["hl-7-x"]


# --- logseq ---------------------------------------------------------------------


def test_logseq_properties_tags_and_block_ids() -> None:
    md = export.render(seed_item(), "logseq")
    head = md.split("\n\n", 1)[0].splitlines()
    props = dict(line.split(":: ", 1) for line in head)
    assert props["title"] == seed_item().article.title
    assert props["tags"] == "#[[energy policy]], #[[South Caucasus]], #2025"
    expected = str(uuid.uuid5(uuid.UUID("6d1c55f2-0b8e-5c3a-9a57-6b1d2f3e4a10"), "hl-5f2a9c01"))
    assert f"\t  id:: {expected}\n" in md
    assert block_uuid("hl-5f2a9c01") == expected
    assert "\t\t- #diplomacy #[[US relations]]" in md


@pytest.mark.parametrize(
    ("tag", "ref"),
    [
        ("news", "#news"),
        ("multi word", "#[[multi word]]"),
        ("#x", "#x"),
        ("a,b", "#[[a,b]]"),
        ("[]", ""),
    ],
)
def test_logseq_tag_ref(tag: str, ref: str) -> None:
    assert tag_ref(tag) == ref


def test_logseq_blocks_are_bullets_under_the_properties() -> None:
    md = export.render(seed_item(), "logseq")
    body = md.split("\n\n", 1)[1]
    for line in body.splitlines():
        assert line == "" or re.match(r"\t*(- |  )", line), line


# --- plain ----------------------------------------------------------------------


def test_plain_has_no_obsidian_or_logseq_syntax() -> None:
    md = export.render(seed_item(), "plain")
    assert not md.startswith("---")
    assert "[[" not in md and "]]" not in md
    assert "[!quote]" not in md
    assert not re.search(r"\^hl-", md)
    assert not re.search(r"(^|\s)#[^\s#]", md, flags=re.M)
    assert "::" not in md
    assert "- Tags: energy policy, South Caucasus, 2025" in md
    assert "**Zaur Mammadov:**" in md and "**Peter Tase:**" in md


def test_plain_is_commonmark_with_only_our_headings() -> None:
    md = export.render(seed_item(), "plain")
    tokens = MarkdownIt("commonmark").parse(md)
    headings = [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings == [
        ("h1", "Ilham Aliyev's visit to White House: a new signal from Caucasus to world-Analysis"),
        ("h2", "Notes"),
        ("h2", "Highlights"),
        ("h2", "Quotes"),
        ("h2", "Entities"),
        ("h3", "People"),
        ("h3", "Organisations"),
        ("h3", "Places"),
        ("h3", "Other"),
    ]


# --- escaping -------------------------------------------------------------------


@pytest.mark.parametrize("profile", export.PROFILES)
@pytest.mark.parametrize(
    "line",
    [
        "# h",
        "\\# h",
        "> q",
        "---",
        "===",
        "```py",
        "<div>",
        "$$",
        "100%% sure ^abc",
        "a:: b",
        "  - x",
        "\\",
    ],
)
def test_escape_line_round_trips(profile: str, line: str) -> None:
    assert unescape_line(escape_line(line, profile), profile) == line


def test_normalise_user_text_keeps_inner_blank_lines() -> None:
    assert normalise_user_text("\n\r\na\r\n\r\nb\rc\n  \n") == "a\n\nb\nc"


# --- file names -----------------------------------------------------------------


def _article(title: str, article_id: str = "a1b2c3d4e5f6a7b8") -> Article:
    return Article(id=article_id, title=title, source="-", sha256="0", added="2025-01-01")


def test_file_name_is_slug_plus_short_id() -> None:
    name = export.file_name(_article(seed_item().article.title))
    assert name == "ilham-aliyevs-visit-to-white-house-a-new-signal-from-a1b2c3d4e5.md"


@pytest.mark.parametrize(
    "title",
    [
        'CON: <a>/b\\c:"d"|e?f*',
        "..",
        "",
        "Путин и Алиев: встреча",
        "東京の天気" * 40,
        "x" * 500,
        "e\u0301" * 200,
        "\x00\x1f\u202e",
    ],
)
def test_file_name_is_safe_everywhere(title: str) -> None:
    name = export.file_name(_article(title))
    assert re.fullmatch(r"[\w-]+\.md", name), name
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name)
    assert len(name.encode("utf-8")) <= 200
    assert name.endswith("-a1b2c3d4e5.md") or name == "a1b2c3d4e5.md"
    assert export.file_name(_article(title)) == name


def test_colliding_file_names_get_longer_ids() -> None:
    a = _article("Same title", "abcdef0123aaaa")
    b = _article("Same title", "ABCDEF0123bbbb")
    c = _article("Other", "abcdef0123cccc")
    names = export._unique_names([a, b, c])
    assert len({n.casefold() for n in names}) == 3
    assert names[2] == "other-abcdef0123.md"
    assert names[0] != names[1] and names[0].startswith("same-title-abcdef0123")


def test_orphan_highlights_and_dangling_notes_are_kept() -> None:
    item = seed_item()
    item.annotations.highlights[0].orphan = True
    item.annotations.notes.append(
        Note(
            id="n-0009",
            text="On a deleted highlight.",
            created="2025-11-04",
            highlight_id="hl-gone",
        )
    )
    for profile in export.PROFILES:
        md = export.render(item, profile)
        assert "no longer in the article's text" in md, profile
        notes = md[md.index("Notes") : md.index("Highlights")]
        assert "On a deleted highlight." in notes, profile
