"""Property tests: any Unicode in titles, notes and tags gives front matter that
parses back to the same title and tags, Markdown whose only headings are the
exporter's own, and notes whose text can be recovered from the file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from store import export
from store.export_markdown import (
    ExportItem,
    normalise_user_text,
    obsidian_tags,
    unescape_line,
)
from store.models import Annotations, Article, Highlight, Note

TEXT = "The first paragraph of the article.\n\nA second paragraph, highlighted here.\n"

# Markdown's own structure characters, so that the examples try to break it often.
MARKDOWNY = st.sampled_from(
    list("#>-=*_`~<$%^:[]|\\!+.)1 \t\n\r") + ["---", "```", "%%", "::", " ^hl-x", "\u2028"]
)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
USER_TEXT = st.lists(st.one_of(MARKDOWNY, ANY_TEXT), max_size=12).map("".join)

MD = MarkdownIt("commonmark")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_obsidian_tag(tag: str) -> bool:
    """Letters, digits, combining marks, "_", "-" and "/"; not digits (and "/") only."""
    allowed = all(
        ch in "_-/" or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd"
        for ch in tag
    )
    return bool(tag) and allowed and not re.fullmatch(r"[\d/]+", tag)


def build(title: str, tags: list[str], notes: list[str], hl_note: str) -> ExportItem:
    article = Article(id="abc123def4", title=title, source="-", sha256="0", added="2025-01-01")
    start = TEXT.index("A second")
    highlight = Highlight(
        id="hl-1", start=start, end=len(TEXT) - 1, exact=TEXT[start:-1], note=hl_note, tags=tags
    )
    annotations = Annotations(
        article_id=article.id,
        tags=tags,
        notes=[Note(id=f"n-{i:03d}", text=t, created="2025-01-02") for i, t in enumerate(notes)],
        highlights=[highlight],
    )
    return ExportItem(article, TEXT, annotations, None)


def split_front_matter(md: str) -> tuple[dict, str]:
    assert md.startswith("---\n")
    end = md.index("\n---\n", 4)
    return yaml.safe_load(md[4:end]), md[end + 5 :]


def recovered_notes(body: str, profile: str) -> list[str]:
    """The article notes read back from the ``## Notes`` list of a rendered body."""
    if "\n## Notes\n" not in body:
        return []
    section = body.split("\n## Notes\n\n", 1)[1].split("\n## ", 1)[0]
    notes: list[list[str]] = []
    for line in section.rstrip("\n").split("\n"):
        if line.startswith("- "):
            notes.append([line[2:]])
        else:
            assert line == "" or line.startswith("  "), line
            notes[-1].append(line[2:])
    return ["\n".join(unescape_line(x, profile) for x in lines) for lines in notes]


def headings(md: str) -> list[tuple[str, str]]:
    tokens = MD.parse(md)
    return [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]


@SETTINGS
@given(title=USER_TEXT, tags=st.lists(USER_TEXT, max_size=5))
def test_obsidian_front_matter_round_trips_title_and_tags(title: str, tags: list[str]) -> None:
    data, _ = split_front_matter(export.render(build(title, tags, [], ""), "obsidian"))
    assert data["title"] == title
    assert data["tags"] == obsidian_tags(tags)
    assert all(valid_obsidian_tag(t) for t in data["tags"])


@SETTINGS
@given(title=USER_TEXT, notes=st.lists(USER_TEXT, max_size=4), hl_note=USER_TEXT)
@example(title="", notes=["\t#"], hl_note="- #")  # found by this test: tabs, nested items
@example(title="#", notes=["1. > q\n- ```", "x\n-", "\\# a"], hl_note="* * *\n$$")
def test_notes_round_trip_and_cannot_add_headings(
    title: str, notes: list[str], hl_note: str
) -> None:
    item = build(title, ["t"], notes, hl_note)
    expected = [normalise_user_text(n) for n in notes if normalise_user_text(n)]
    for profile in ("obsidian", "plain"):
        md = export.render(item, profile)
        body = split_front_matter(md)[1] if profile == "obsidian" else md
        assert recovered_notes(body, profile) == expected
        levels = [tag for tag, _ in headings(body)]
        sections = ["h2"] * (1 if not expected else 2)
        assert levels == ["h1", *sections], (profile, levels)


@SETTINGS
@given(notes=st.lists(USER_TEXT, min_size=1, max_size=3), tags=st.lists(USER_TEXT, max_size=3))
def test_logseq_notes_stay_inside_their_blocks(notes: list[str], tags: list[str]) -> None:
    md = export.render(build("T", tags, notes, ""), "logseq")
    head, body = md.split("\n\n", 1) if "\n\n" in md else (md, "")
    for line in head.splitlines():
        assert re.fullmatch(r"[a-z-]+:: \S.*", line), line
    expected = [normalise_user_text(n) for n in notes if normalise_user_text(n)]
    got: list[list[str]] = []
    in_notes = False
    for line in body.split("\n"):
        if line.startswith("- "):
            in_notes = line == "- ## Notes"
        elif in_notes and line.startswith("\t- "):
            got.append([line[3:]])
        elif in_notes:
            assert line == "" or line.startswith("\t  "), line
            got[-1].append(line[3:])
    assert ["\n".join(unescape_line(x, "logseq") for x in g) for g in got] == expected


# --- an export folder over a library's life: renames, deletions, edits ----------


class _Articles:
    """A library as an export sees it (look-up, contents, the list), in memory."""

    def __init__(self) -> None:
        self.items: dict[str, Article] = {}

    def get(self, article_id: str) -> Article:
        return self.items[article_id]

    def read_all(self, article_id: str):
        article = self.items[article_id]
        return article, TEXT, Annotations(article_id=article_id), None

    def articles(self) -> list[Article]:
        return list(self.items.values())


IDS = ["a1b2c3d4e5", "f6a7b8c9d0", "0e1f2a3b4c"]
TITLES = ["Talks in Baku", "Talks in Baku end", "A library in Ganja", "Ganja", "Μια ιστορία"]
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("title"), st.sampled_from(IDS), st.sampled_from(TITLES)),
        st.tuples(st.just("delete"), st.sampled_from(IDS), st.none()),
        st.tuples(st.just("edit"), st.sampled_from(IDS), st.none()),
        st.tuples(st.just("own"), st.integers(0, 2), st.none()),
        st.tuples(st.just("squat"), st.sampled_from(IDS), st.none()),
        st.tuples(
            st.just("export"),
            st.sets(st.sampled_from(IDS)),
            st.tuples(st.sampled_from(export.PROFILES), st.booleans()),
        ),
    ),
    max_size=14,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
@example(  # an edited file, re-exported, then forced
    steps=[
        ("export", {IDS[0]}, ("obsidian", False)),
        ("edit", IDS[0], None),
        ("export", set(IDS), ("obsidian", False)),
        ("export", {IDS[0]}, ("plain", False)),
        ("export", {IDS[0]}, ("logseq", True)),
    ]
)
@example(  # the user's own file under an article's name, in a folder with a manifest
    steps=[
        ("export", set(), ("obsidian", False)),
        ("squat", IDS[1], None),
        ("export", set(IDS), ("logseq", False)),
        ("title", IDS[1], TITLES[3]),
        ("export", set(IDS), ("logseq", False)),
    ]
)
def test_an_export_folder_only_ever_loses_margins_own_stale_files(tmp_path_factory, steps) -> None:
    """No byte the user wrote is lost unless the export is forced, except in a
    folder that has no manifest yet (exported before margin kept one)."""
    out = tmp_path_factory.mktemp("out")
    library = _Articles()
    for n, article_id in enumerate(IDS):
        library.items[article_id] = Article(article_id, TITLES[n], "-", "0", "2025-01-01")
    mine: dict[Path, bytes] = {}  # files the user made or edited, as they left them
    written: dict[Path, str] = {}  # files margin wrote and nobody touched since -> article id
    for op, arg, extra in steps:
        if op == "title" and arg in library.items:
            library.items[arg].title = extra
        elif op == "delete":
            library.items.pop(arg, None)
        elif op == "edit":
            for path in [p for p, aid in written.items() if aid == arg and p.exists()]:
                path.write_bytes(path.read_bytes() + b"\nmy own line\n")
                mine[path] = path.read_bytes()
                del written[path]
        elif op == "own":
            path = out / f"zz-my-notes-{arg}.md"
            path.write_text(f"mine {arg}\n", encoding="utf-8")
            mine[path] = path.read_bytes()
            written.pop(path, None)
        elif op == "squat" and arg in library.items:
            # the user's own file under the name the article's export would take
            path = out / export.file_name(library.items[arg])
            if not path.is_dir():
                path.write_text(f"my file named like {arg}\n", encoding="utf-8")
                mine[path] = path.read_bytes()
                written.pop(path, None)
        elif op == "export":
            profile, force = extra
            selection = [i for i in IDS if i in arg and i in library.items]
            legacy = not (out / export.MANIFEST).exists()
            result = export.export_folder(library, selection, profile, out, force=force)
            assert not set(result.removed) & set(mine)
            assert set(result.kept) <= set(mine)
            if force or legacy:  # overwritten, as documented
                assert result.skipped_edited == []
                for path in result.paths:
                    mine.pop(path, None)
            else:
                assert result.skipped_edited == [p for p in result.paths if p in mine]
            for path in result.removed:
                written.pop(path)
            written.update(
                {
                    p: i
                    for p, i in zip(result.paths, selection, strict=True)
                    if p not in result.skipped_edited
                }
            )
            alive_elsewhere = {
                p for p, i in written.items() if i in library.items and i not in selection
            }
            on_disk = {p for p in out.iterdir() if p.suffix == ".md"}
            assert on_disk == set(result.paths) | set(mine) | alive_elsewhere
            # what is left of margin's own is current or belongs to an unselected article
            assert set(written) == set(result.written) | alive_elsewhere
        for path, data in mine.items():
            assert path.read_bytes() == data
