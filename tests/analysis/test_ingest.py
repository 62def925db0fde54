"""Import: decoding, refusal of non-text input, HTML extraction, titles, URLs."""

from __future__ import annotations

import codecs
import gzip
import http.server
import io
import os
import random
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import html as html_module
from analysis import ingest
from analysis.ingest import (
    Document,
    IngestError,
    decode,
    display_safe,
    fetch_url,
    iter_paths,
    read_bytes,
    read_path,
    read_stdin,
    title_from_text,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_articles"


def error_of(data: bytes, source: str = "doc.txt") -> str:
    with pytest.raises(IngestError) as info:
        read_bytes(data, source)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{source}: ")
    return message


# --- refusing what is not text -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (gzip.compress(b"hello world", mtime=0), "gzip archive"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"\x7fELF\x02\x01\x01", "ELF executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "Windows executable"),
        (b"SQLite format 3\x00\x10\x00", "SQLite database"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP image"),
        (b"ID3\x04\x00\x00\x00\x00", "MP3 audio"),
        (b"\x00\x00\x00\x18ftypmp42", "MP4/QuickTime media"),
        (b"BZh91AY&SY", "bzip2 archive"),
        (b"\xfd7zXZ\x00\x00", "xz archive"),
    ],
)
def test_binary_signatures_are_refused(data: bytes, kind: str) -> None:
    assert error_of(data, "photo.png") == f"photo.png: not a text file ({kind})"


def test_zip_based_documents_are_named(tmp_path: Path) -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert "Office document" in error_of(docx.getvalue(), "letter.docx")
    epub = io.BytesIO()
    with zipfile.ZipFile(epub, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("mimetype", "application/epub+zip")
    assert "EPUB" in error_of(epub.getvalue(), "book.epub")


def test_nul_bytes_are_refused() -> None:
    assert error_of(b"plain text\x00with a NUL") == "doc.txt: not a text file (contains NUL bytes)"


def test_text_starting_with_mz_is_not_an_executable() -> None:
    assert read_bytes(b"MZ Wallace opened a shop.", "a.txt").text == "MZ Wallace opened a shop."


def test_empty_and_whitespace_only_are_refused() -> None:
    assert error_of(b"") == "doc.txt: empty file"
    assert error_of(b" \n\r\n\t  \n") == "doc.txt: contains only whitespace"
    assert error_of("\u3000\n".encode()) == "doc.txt: contains only whitespace"


def test_undecodable_bytes_are_refused_not_turned_into_mojibake() -> None:
    # Random bytes with 0x81/0x8d/0x8f/0x90/0x9d, which even cp1252 leaves undefined,
    # and control bytes that no text has: no honest decoding exists.
    rng = random.Random(3)
    data = bytes(rng.randrange(1, 256) for _ in range(300))
    message = error_of(data)
    assert "not valid UTF-8" in message and "no other text encoding fits" in message
    with pytest.raises(IngestError):
        decode(data)


def test_decodes_yet_full_of_controls_is_refused() -> None:
    # Valid cp1252 byte for byte, Western-looking words, but a third C0 controls.
    data = b"caf\xe9\x01\x02\x03 na\xefve\x04\x05 " * 40
    assert "no other text encoding fits" in error_of(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "a.md", "a.html", "-"]))
def test_any_bytes_give_a_document_or_a_one_line_error(data: bytes, source: str) -> None:
    try:
        doc = read_bytes(data, source)
    except IngestError as err:
        assert "\n" not in str(err) and str(err).startswith(f"{source}: ")
    else:
        assert doc.text.strip() and doc.format in ("txt", "md", "html")


def test_too_large_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_BYTES", 2 * 2**20)
    message = error_of(b"a" * (3 * 2**20))
    assert message == "doc.txt: too large (3 MB > 2 MB)"
    # stdin and URLs read one byte past the cap, so the real size is unknown.
    with pytest.raises(IngestError, match=r"^-: too large \(more than 2 MB\)$"):
        read_stdin(io.BytesIO(b"a" * (5 * 2**20)))


# --- decoding ------------------------------------------------------------------


def test_cp1252_curly_quotes_dashes_and_euro() -> None:
    data = b"He said \x93hello\x94 \x96 it\x92s \x80" + b"5\x85"
    assert decode(data) == "He said \u201chello\u201d \u2013 it\u2019s \u20ac5\u2026"


@pytest.mark.parametrize(
    "text",
    [
        "Le gar\u00e7on a mang\u00e9 une pomme \u00e0 la f\u00eate. C'est tr\u00e8s bien.",
        "Die Gr\u00f6\u00dfe der Stra\u00dfe \u00fcberrascht M\u00fcller aus K\u00f6ln.",
        "\u00bfQu\u00e9 pas\u00f3? El ni\u00f1o comi\u00f3 paella en Espa\u00f1a. \u00a1Ol\u00e9!",
        "A educa\u00e7\u00e3o \u00e9 importante. N\u00e3o h\u00e1 raz\u00e3o, disse Jo\u00e3o.",
        "Sm\u00f6rg\u00e5sbord \u00e4r gott, sa Bj\u00f6rn.",
        "It\u2019s a \u201ctest\u201d \u2013 it costs \u00a35 or \u20ac6\u2026 \u00a9 2024",
    ],
)
def test_western_cp1252_texts_decode_right(text: str) -> None:
    assert decode(text.encode("cp1252")) == text


def test_read_bytes_decodes_cp1252_file() -> None:
    doc = read_bytes(
        "Caf\u00e9 \u201cLe Monde\u201d opens\n\nBody \u20ac".encode("cp1252"), "a.txt"
    )
    assert doc.text == "Caf\u00e9 \u201cLe Monde\u201d opens\n\nBody \u20ac"
    assert doc.title == "Caf\u00e9 \u201cLe Monde\u201d opens"


def test_utf8_with_a_stray_cp1252_byte() -> None:
    # Mostly UTF-8 (many real multibyte characters) with one pasted cp1252 quote pair.
    body = "Caf\u00e9 na\u00efve \u201cquoted\u201d text. " * 10
    data = body.encode() + b" he said \x93hi\x94 and \x81" + body.encode()
    assert decode(data) == body + " he said \u201chi\u201d and \x81" + body
    # The same when the strays come late in a long file.
    long_body = body * 300
    assert decode(long_body.encode() + b" \x93late\x94") == long_body + " \u201clate\u201d"


def test_other_code_pages_go_to_detection() -> None:
    # Long enough for charset-normalizer; must not be taken for cp1252.
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? " * 8
    assert decode(text.encode("cp1251")) == text
    # Short: Mac Cyrillic scores as well as cp1251 here, and is far rarer.
    short = (
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? "
        "\u042d\u0442\u043e \u0442\u0435\u0441\u0442. \u041c\u043e\u0441\u043a\u0432\u0430 "
        "\u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430 \u0420\u043e\u0441\u0441\u0438\u0438."
    )
    assert decode(short.encode("cp1251")) == short
    greek = "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5. " * 8
    assert decode(greek.encode("cp1253")) == greek


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_with_and_without_bom(bom: bool) -> None:
    text = "Na\u00efve caf\u00e9 \u2014 \u65e5\u672c \U0001f600"
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    assert decode(data) == text
    assert read_bytes(data, "a.txt").text == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    text = "Title line\r\n\r\n\u00c9t\u00e9 \u2014 \u0645\u0631\u062d\u0628\u0627 \U0001f600"
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }.get(codec, b"")
    data = bom + text.encode(codec)
    doc = read_bytes(data, "a.txt")
    assert doc.text == text
    assert doc.title == "Title line"


def test_utf16_without_bom_mostly_ascii() -> None:
    text = "A report written by a Windows tool\r\nsecond line"
    assert read_bytes(text.encode("utf-16-le"), "r.txt").text == text


def test_broken_bom_text_is_refused() -> None:
    data = codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    assert "not valid UTF-16-LE" in error_of(data)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_decode_round_trips_any_utf8(text: str) -> None:
    # A leading U+FEFF is read as a byte-order mark, as every BOM-aware reader does.
    if text.startswith("\ufeff"):
        text = "x" + text
    assert decode(text.encode("utf-8")) == text


# --- text kept exactly as decoded ------------------------------------------------


def test_escape_sequences_are_kept_and_made_safe_for_display() -> None:
    raw = "Title \x1b[31mred\x1b[0m\n\nbell\x07 csi\x9b2J osc\x1b]0;owned\x07 del\x7f end\r"
    doc = read_bytes(raw.encode("utf-8"), "a.txt")
    assert doc.text == raw
    shown = display_safe(doc.text)
    assert len(shown) == len(raw)
    for ch in "\x1b\x07\x9b\x7f\r":
        assert ch not in shown
    assert shown.startswith("Title \u241b[31mred")
    assert "\x1b" not in doc.title and "\u241b" in doc.title


def test_crlf_and_lone_cr_are_kept_and_titles_cope() -> None:
    crlf = "EN\r\n\r\nA headline over CRLF lines\r\n\r\nBody text here.\r\n"
    doc = read_bytes(crlf.encode(), "a.txt")
    assert doc.text == crlf
    assert doc.title == "A headline over CRLF lines"
    old_mac = "A headline over lone CRs\r\rBody text.\r"
    assert read_bytes(old_mac.encode(), "b.txt").text == old_mac
    assert title_from_text(old_mac) == "A headline over lone CRs"


def test_one_megabyte_single_line() -> None:
    line = ("All words and no newline here. " * 40_000)[: 2**20]
    doc = read_bytes(line.encode(), "long.txt")
    assert doc.text == line
    assert doc.title is not None
    assert len(doc.title) <= 161 and doc.title.endswith("\u2026")
    assert line.startswith(doc.title[:-1])
    assert display_safe(line) is line  # nothing to replace: the very same object


def test_rtl_bidi_and_combining_characters_are_kept() -> None:
    text = (
        "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 "
        "\u202eevil\u202c \u2067iso\u2069\n\n"
        "cafe\u0301 Z\u0351\u0353\u0334algo n\u0303 \u05e9\u05dc\u05d5\u05dd\n"
    )
    doc = read_bytes(text.encode("utf-8"), "rtl.txt")
    assert doc.text == text  # no normalisation: combining marks stay separate
    shown = display_safe(text)
    assert len(shown) == len(text)
    assert not any(ch in shown for ch in "\u202e\u202c\u2067\u2069")
    assert "\u0301" in shown and "\u05e9" in shown
    assert "\u202e" not in doc.title


_UNSAFE = {chr(c) for c in range(0x20) if c not in (9, 10)} | {chr(c) for c in range(0x7F, 0xA0)}
_UNSAFE |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_display_safe_keeps_length_and_maps_every_control(text: str) -> None:
    shown = display_safe(text)
    assert len(shown) == len(text)
    for before, after in zip(text, shown, strict=True):
        if before in _UNSAFE or "\ud800" <= before <= "\udfff":
            assert after != before
            assert after not in _UNSAFE and len(after) == 1
        else:
            assert after == before


def test_display_safe_uses_control_pictures() -> None:
    assert display_safe("\x00\x1b\r\x7f\t\n") == "\u2400\u241b\u240d\u2421\t\n"


# --- titles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "EN\n\nIlham Aliyev's visit to White House\n\nBody.",
            "Ilham Aliyev's visit to White House",
        ),
        ("News\nCROSSMEDIA\n\nA real headline here\n", "A real headline here"),
        ("  \n* * *\n\nMonday, May 18, 2015\nStorm hits the coast\n", "Storm hits the coast"),
        ("# A Markdown Heading\n\ntext", "A Markdown Heading"),
        ("Spaced   out\ttitle  words\n", "Spaced out title words"),
        ("Hello\n", "Hello"),  # every line is noise: the first line with letters
        ("\n\n12 34\n---\n", None),
        ("", None),
    ],
)
def test_title_from_text(text: str, title: str | None) -> None:
    assert title_from_text(text) == title


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_titles_are_one_clean_line(text: str) -> None:
    title = title_from_text(text)
    if title is not None:
        assert title and len(title) <= 161
        assert not any(ch in _UNSAFE or ch == "\n" for ch in title)


def test_sample_articles_titles() -> None:
    seed = read_path(SAMPLES / "aliyev_white_house.txt")
    assert seed.title is not None and seed.title.startswith("Ilham Aliyev's visit to White House")
    for path in sorted(SAMPLES.glob("GUM_*.txt")):
        doc = read_path(path)
        first = path.read_text(encoding="utf-8").splitlines()[0].strip()
        assert doc.title == first, path.name


# --- formats -------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour bridge reopens after repairs | The Coastal Times</title>
<meta property="og:site_name" content="The Coastal Times">
<meta name="author" content="Maria Lopez">
<meta property="article:published_time" content="2023-06-14T08:30:00+00:00">
<style>body { font-family: serif } .ad { display: block } STYLE_MARKER</style>
<script>window.tracker = "SCRIPT_MARKER";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Tuesday after eighteen months of repairs,
the city council said, ending long detours for thousands of commuters.</p>
<script>document.write("INLINE_SCRIPT_MARKER")</script>
<p>\u201cWe are proud of the work,\u201d said the mayor, Ana Silva, at the ceremony.
Engineers replaced the cables and resurfaced the deck.</p>
<noscript>NOSCRIPT_MARKER</noscript>
<p>The repairs cost 40 million euros, more than twice the first estimate, and the
opposition has asked for an inquiry into the overrun.</p>
</article>
<footer>Copyright 2023 The Coastal Times</footer>
</body></html>
"""


def test_html_main_text_without_scripts_or_styles() -> None:
    doc = read_bytes(ARTICLE_HTML.encode("utf-8"), "bridge.html")
    assert doc.format == "html"
    for marker in ("SCRIPT_MARKER", "STYLE_MARKER", "font-family", "NOSCRIPT_MARKER", "<p>"):
        assert marker not in doc.text
    paragraphs = doc.text.split("\n\n")
    assert any(p.startswith("The harbour bridge reopened") for p in paragraphs)
    assert any(p.startswith("\u201cWe are proud of the work") for p in paragraphs)
    assert "Home World Sport" not in doc.text


def test_html_metadata() -> None:
    doc = read_bytes(ARTICLE_HTML.encode("utf-8"), "bridge.html")
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.site == "The Coastal Times"
    assert doc.author == "Maria Lopez"
    assert doc.published == "2023-06-14"


def test_html_fallback_when_extractor_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "_trafilatura", lambda html, url: None)
    doc = read_bytes(ARTICLE_HTML.encode("utf-8"), "bridge.html")
    assert "SCRIPT_MARKER" not in doc.text and "font-family" not in doc.text
    assert "The harbour bridge reopened" in doc.text
    assert doc.title == "Harbour bridge reopens after repairs | The Coastal Times"
    assert "\n\n" in doc.text


def test_html_with_no_text_is_refused() -> None:
    page = b"<html><head><title>x</title><script>var a = 1;</script></head><body></body></html>"
    assert error_of(page, "empty.html") == "empty.html: no readable text in the page"


def test_html_declared_charset_is_honoured() -> None:
    page = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        b"<title>Caf\xe9</title></head><body><p>\x93Quoted\x94 na\xefve caf\xe9 text, long enough"
        b" to be a paragraph of the main content of this page.</p></body></html>"
    )
    doc = read_bytes(page, "p.html")
    # Declared Latin-1 is read as windows-1252, as browsers do: 0x93 is a curly quote.
    assert "\u201cQuoted\u201d na\u00efve caf\u00e9" in doc.text


def test_html_is_sniffed_without_extension() -> None:
    doc = read_bytes(ARTICLE_HTML.encode("utf-8"), "-")
    assert doc.format == "html" and "SCRIPT_MARKER" not in doc.text


def test_markdown_title_from_heading_and_text_kept() -> None:
    text = "Some intro line that is long\n\n# The Real Title #\n\nBody **bold**.\n"
    doc = read_bytes(text.encode(), "note.md")
    assert doc.format == "md" and doc.text == text and doc.title == "The Real Title"


def test_markdown_front_matter() -> None:
    text = (
        '---\ntitle: "Front: matter title"\nauthor: [Ann, Bo]\ndate: 2021-02-03\n'
        "site: Blog\n---\n# Heading\n\nBody\n"
    )
    doc = read_bytes(text.encode(), "post.markdown")
    assert doc.text == text
    assert doc.title == "Front: matter title"
    assert (doc.author, doc.published, doc.site) == ("Ann, Bo", "2021-02-03", "Blog")


def test_markdown_bad_front_matter_does_not_fail() -> None:
    text = "---\ntitle: [unclosed\n---\nJust some words in a line\n"
    doc = read_bytes(text.encode(), "post.md")
    assert doc.text == text and doc.title is not None


def test_markdown_heading_skips_code_and_formatting() -> None:
    text = "```sh\n# not a title\n```\n\n# The **[Linked](https://x.org)** `title`\n"
    assert read_bytes(text.encode(), "a.md").title == "The Linked title"


def test_markdown_without_heading_uses_first_line() -> None:
    doc = read_bytes(b"EN\n\nA plain markdown file title\n\ntext\n", "x.md")
    assert doc.title == "A plain markdown file title"


# --- paths, folders, stdin -------------------------------------------------------


def test_read_path_source_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("A title for a file\n\nbody", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = read_path("a.txt")
    assert isinstance(doc, Document)
    assert doc.source == str((tmp_path / "a.txt").resolve())
    assert (doc.format, doc.title) == ("txt", "A title for a file")


def test_read_path_errors_name_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IngestError, match=r"^missing\.txt: no such file$"):
        read_path("missing.txt")
    (tmp_path / "dir").mkdir()
    with pytest.raises(IngestError, match=r"^dir: is a folder, not a file$"):
        read_path("dir")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(IngestError, match=r"^pipe: not a regular file$"):
        read_path("pipe")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(IngestError, match=r"^photo\.png: not a text file \(PNG image\)$"):
        read_path("photo.png")
    monkeypatch.setattr(ingest, "MAX_BYTES", 2 * 2**20)
    (tmp_path / "big.txt").write_bytes(b"x" * 3 * 2**20)
    with pytest.raises(IngestError, match=r"^big\.txt: too large \(3 MB > 2 MB\)$"):
        read_path("big.txt")


def test_iter_paths_expands_folders(tmp_path: Path) -> None:
    for rel in (
        "b.txt", "a.md", "sub/c.html", "sub/d.HTM", "sub/e.markdown", "z/y.txt",
        ".hidden.txt", ".git/x.txt", "sub/.secret/f.txt", "image.png", "notes.docx",
    ):  # fmt: skip
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([str(tmp_path)])]
    assert found == ["a.md", "b.txt", "sub/c.html", "sub/d.HTM", "sub/e.markdown", "z/y.txt"]
    # Files and missing paths pass through for read_path to judge.
    assert list(iter_paths([str(tmp_path / "image.png"), "nope.txt"])) == [
        tmp_path / "image.png",
        Path("nope.txt"),
    ]


def test_read_stdin() -> None:
    doc = read_stdin(io.BytesIO("EN\n\nStdin headline text\n\nbody \u201cq\u201d".encode()))
    assert doc.source == "-" and doc.format == "txt"
    assert doc.title == "Stdin headline text"
    with pytest.raises(IngestError, match=r"^-: empty file$"):
        read_stdin(io.BytesIO(b""))


# --- URLs ----------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {
        "/article.html": (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode()),
        "/plain.txt": (
            200,
            {"Content-Type": "text/plain; charset=windows-1252"},
            b"EN\n\nPlain \x93text\x94 headline\n\n<p>not html</p> <div> <br> body",
        ),
        "/notes.md": (200, {"Content-Type": "text/plain"}, b"# Served markdown\n\nbody"),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + bytes(64)),
        "/sniff": (200, {}, ARTICLE_HTML.encode()),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/secret.txt"}, b""),
        "/to-article": (301, {"Location": "/article.html"}, b""),
    }

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/slow":
            time.sleep(1.0)
        status, headers, body = self.routes.get(
            self.path, (404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>")
        )
        type(self).seen_agents.append(self.headers.get("User-Agent", ""))
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass

    seen_agents: list[str] = []


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_html_page(server: str) -> None:
    doc = fetch_url(f"{server}/article.html")
    assert doc.source == f"{server}/article.html"
    assert doc.format == "html"
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.site == "The Coastal Times" and doc.published == "2023-06-14"
    assert "SCRIPT_MARKER" not in doc.text and "The harbour bridge reopened" in doc.text
    assert _Handler.seen_agents[-1].startswith("margin/")


def test_fetch_follows_http_redirects(server: str) -> None:
    doc = fetch_url(f"{server}/to-article")
    assert doc.source == f"{server}/to-article" and doc.format == "html"


def test_fetch_404(server: str) -> None:
    with pytest.raises(IngestError) as info:
        fetch_url(f"{server}/missing")
    assert str(info.value) == f"{server}/missing: HTTP 404 Not Found"


def test_fetch_plain_text_uses_header_charset(server: str) -> None:
    doc = fetch_url(f"{server}/plain.txt")
    assert doc.format == "txt"
    assert doc.text.startswith("EN\n\nPlain \u201ctext\u201d headline")
    assert "<p>not html</p>" in doc.text  # text/plain is never parsed as HTML
    assert doc.title == "Plain \u201ctext\u201d headline"


def test_fetch_markdown_served_as_text(server: str) -> None:
    doc = fetch_url(f"{server}/notes.md")
    assert (doc.format, doc.title) == ("md", "Served markdown")


def test_fetch_without_content_type_sniffs(server: str) -> None:
    assert fetch_url(f"{server}/sniff").format == "html"


def test_fetch_refuses_images_and_other_schemes(server: str) -> None:
    with pytest.raises(IngestError, match=r"not a text page \(image/png\)$"):
        fetch_url(f"{server}/image.png")
    with pytest.raises(IngestError, match=r"^file:///etc/passwd: not an http\(s\) URL$"):
        fetch_url("file:///etc/passwd")
    with pytest.raises(IngestError, match="redirect to a ftp URL refused"):
        fetch_url(f"{server}/to-ftp")


def test_fetch_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(IngestError) as info:
        fetch_url(url, timeout=5)
    assert str(info.value).startswith(f"{url}: could not connect: ")
    assert "\n" not in str(info.value)


def test_fetch_timeout(server: str) -> None:
    with pytest.raises(IngestError, match=r"/slow: timed out after 0\.2 s$"):
        fetch_url(f"{server}/slow", timeout=0.2)


def test_errors_are_value_errors() -> None:
    assert issubclass(IngestError, ValueError)
    err = IngestError("bad thing\nover lines", "f.txt")
    assert str(err) == "f.txt: bad thing over lines"
    assert str(err.named("other.txt")) == "f.txt: bad thing over lines"
    assert str(IngestError("no source").named("g.txt")) == "g.txt: no source"
