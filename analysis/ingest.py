"""Import: bytes from a file, stdin or a URL become a ``Document`` (text + metadata).

The text is kept exactly as decoded: no newline conversion, no control characters
removed (``display_safe`` is what keeps them from the terminal). For HTML the text
is the page's extracted main content. Anything that is not text is refused with an
``IngestError`` whose message is one line naming the input.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.html import declared_charset, extract_html, normalise_charset
from analysis.sanitize import display_safe, title_from_text

__all__ = [
    "MAX_BYTES",
    "TEXT_SUFFIXES",
    "Document",
    "IngestError",
    "decode",
    "display_safe",
    "fetch_url",
    "iter_paths",
    "read_bytes",
    "read_path",
    "read_stdin",
    "title_from_text",
]

MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
# The suffixes a folder import picks up (DESIGN: txt, md, html).
_FOLDER_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
_USER_AGENT = "margin/0.1 (terminal article reader; +https://pypi.org/project/margin/)"


@dataclass(slots=True)
class Document:
    """One imported text and what is known about it."""

    text: str  # as decoded, no silent edits; for HTML the extracted main text
    title: str | None
    source: str  # absolute path for files, the URL, or "-" for stdin
    format: str  # "txt" | "md" | "html"
    site: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date "YYYY-MM-DD" when known


class IngestError(ValueError):
    """An input that cannot be imported. ``str(err)`` is one line naming the input."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.message = " ".join(message.split())
        self.source = source
        super().__init__(f"{source}: {self.message}" if source else self.message)

    def named(self, source: str) -> IngestError:
        """The same error naming ``source`` (kept if it already names one)."""
        return self if self.source else IngestError(self.message, source)


# --- binary detection ----------------------------------------------------------

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"BZh", "bzip2 archive"),
    (0, b"\xfd7zXZ\x00", "xz archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"\xfe\xed\xfa\xce", "Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xca\xfe\xba\xbe", "Mach-O universal binary or Java class"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office document (OLE)"),
    (0, b"ID3", "MP3 audio"),
    (0, b"OggS", "Ogg media"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM video"),
    (0, b"wOFF", "WOFF font"),
    (0, b"wOF2", "WOFF2 font"),
    (0, b"\x00asm", "WebAssembly module"),
    (4, b"ftyp", "MP4/QuickTime media"),
)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}
_BOMS = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _binary_kind(data: bytes) -> str | None:
    """A name for a known binary format, or None."""
    for offset, magic, kind in _SIGNATURES:
        if data.startswith(magic, offset):
            return kind
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        head = data[:2048]
        if b"mimetypeapplication/epub+zip" in head:
            return "EPUB e-book"
        if b"word/" in head or b"[Content_Types].xml" in head:
            return "Office document (ZIP)"
        return "ZIP archive"
    if data.startswith(b"RIFF") and len(data) >= 12:
        return _RIFF_KINDS.get(data[8:12], "RIFF media")
    # "MZ" could begin a text; a real executable header has NUL bytes right after.
    if data.startswith(b"MZ") and b"\x00" in data[2:64]:
        return "Windows executable"
    if data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "MP3 audio"
    return None


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of BOM-less UTF-16 text (mostly ASCII: every other byte NUL), if so."""
    head = data[:8192]
    if len(head) < 4 or len(data) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        other = even if zeros is odd else odd
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) == 0:
            return codec
    return None


# --- decoding ------------------------------------------------------------------

# Non-ASCII characters that Western text (cp1252) has inside or around words.
_WESTERN_PUNCT = set("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u2022\u00b7")
_WESTERN_SYMBOLS = set("\u20ac\u00a3\u00a5\u00a9\u00ae\u2122\u00b0\u00b1\u00d7\u00f7\u00a7"
                       "\u00b6\u00ab\u00bb\u00a1\u00bf\u00a0\u2020\u2021\u2030\u00a2")  # fmt: skip
# Letters that cp1252 has but that mostly show up when Turkish (cp1254) or another
# Latin code page is misread as cp1252.
_RARE_LETTERS = set("\u00f0\u00d0\u00fe\u00de\u00fd\u00dd")
_TOKEN = re.compile(r"\S+")


def _looks_western(text: str) -> bool:
    """True when text decoded as cp1252 reads like Western European text.

    Cyrillic, Greek, Hebrew, Arabic or CJK bytes read as cp1252 give words made only
    of accented letters ("Ïðèâåò"); Central European ones give symbols inside words
    ("gêœl¹"). Western text has accented letters among ASCII ones ("café", "à"),
    and typographic punctuation around words.
    """
    good = bad = 0
    # The head of the text is evidence enough and keeps a 50 MB file fast.
    for match in _TOKEN.finditer(text, 0, 50_000):
        word = match.group()
        if word.isascii():
            continue
        ascii_letters = sum(ch.isascii() and ch.isalpha() for ch in word)
        letters = [ch for ch in word if ch.isalpha()]
        for i, ch in enumerate(word):
            if ch.isascii():
                continue
            inside = 0 < i < len(word) - 1 and word[i - 1].isalpha() and word[i + 1].isalpha()
            if ch.isalpha():
                if ch in _RARE_LETTERS or (ascii_letters == 0 and len(letters) > 1):
                    bad += 1
                else:
                    good += 1
            elif ch in _WESTERN_PUNCT:
                good += 1
            elif ch in _WESTERN_SYMBOLS:
                bad += inside
                good += not inside
            else:
                bad += 1
    return good + bad == 0 or bad <= 0.1 * (good + bad)


_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def _plausible(text: str) -> bool:
    """False when a decoding is full of control or unassigned characters."""
    if not text:
        return True
    controls = len(_BAD_CONTROLS.findall(text))
    sample = text[:20000]
    unassigned = sum(unicodedata.category(ch) in ("Cn", "Co") for ch in sample)
    return controls <= 0.01 * len(text) and unassigned <= 0.01 * len(sample)


# An undecodable byte under surrogateescape becomes U+DC80..U+DCFF; this reads each
# one as Windows-1252 instead (Latin-1 for the five bytes cp1252 leaves undefined).
_STRAY_BYTES = {
    0xDC00 + b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0x100)
}
_STRAY = re.compile("[\udc80-\udcff]")


def _utf8_with_strays(data: bytes) -> str | None:
    """UTF-8 text with a few stray single-byte characters (files pasted together,
    a cp1252 quote typed into a UTF-8 file), or None when the data is not mostly
    UTF-8. Real UTF-8 multibyte characters must outnumber the strays."""
    # A sample first: a text in a single-byte code page fails it at once.
    if len(data) > 65536:
        strays, utf8 = _count_strays(data[:65536].decode("utf-8", "surrogateescape"))
        if strays and 2 * strays >= utf8:
            return None
    text = data.decode("utf-8", errors="surrogateescape")
    strays, utf8 = _count_strays(text)
    if strays == 0 or 2 * strays >= utf8:
        return None
    return text.translate(_STRAY_BYTES)


def _count_strays(text: str) -> tuple[int, int]:
    """(undecodable bytes, real non-ASCII characters) in a surrogateescape decoding."""
    strays = len(_STRAY.findall(text))
    return strays, len(text) - len(text.encode("ascii", "ignore")) - strays


# Mac and DOS code pages: rare in articles, yet they tie with the Windows page of the
# same script on short texts (mac_cyrillic and cp1251 differ in a few letters).
_RARE_CODEC = re.compile(r"^(?:mac_|cp(?:437|7\d\d|8[0-6]\d|1125)$)")


def _best_match(matches: list):
    """charset-normalizer's best guess; among guesses it scores (nearly) the same,
    prefer a Windows, ISO or KOI8 code page to a Mac or DOS one."""
    if not matches:
        return None
    best = matches[0]
    ties = [
        m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.1
    ]
    return min(ties, key=lambda m: (_RARE_CODEC.match(m.encoding) is not None, matches.index(m)))


def _decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, codec). Raises IngestError without a source."""
    bom = _bom(data)
    if bom is not None:
        codec, skip = bom
        try:
            return data[skip:].decode(codec), codec
        except UnicodeDecodeError as err:
            raise IngestError(
                f"starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()}"
                f" (byte {err.start + skip})"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err.start
    mixed = _utf8_with_strays(data)
    if mixed is not None:
        return mixed, "utf-8+cp1252"
    if declared and declared != "utf_8":
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if _plausible(text):
                return text, declared
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible(text) and _looks_western(text):
            return text, "cp1252"
    from charset_normalizer import from_bytes

    best = _best_match(list(from_bytes(data)))
    if best is not None:
        text = str(best)
        if _plausible(text):
            return text, best.encoding
    raise IngestError(f"not valid UTF-8 (bad byte at {utf8_error}) and no other text encoding fits")


def decode(data: bytes) -> str:
    """Decode bytes to text.

    In order: a BOM (UTF-8/16/32); strict UTF-8; UTF-8 with a few stray single
    bytes (read as Windows-1252 when real UTF-8 characters clearly outnumber them);
    Windows-1252 when the result reads like Western text (short cp1252 texts defeat
    statistical detectors); then charset-normalizer, preferring Windows and ISO code
    pages to Mac and DOS ones on a tie. A decoding full of control or unassigned
    characters is never accepted: such data raises ``IngestError`` (with no source
    named) rather than turning into mojibake.
    """
    return _decode(data)[0]


# --- documents -----------------------------------------------------------------

_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:p|div|article|br|h[1-6]|meta|title)[\s/>]", re.I)
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_ATX_TITLE = re.compile(r"#[ \t]+(.+?)[ \t#]*")
_FENCE = re.compile(r"(```|~~~)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def _sniff_format(text: str) -> str:
    head = text[:4096]
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    if _FRONT_MATTER.match(head) or head.lstrip().startswith("# "):
        return "md"
    return "txt"


def _url_suffix(url: str) -> str:
    return Path(urllib.parse.urlsplit(url).path).suffix.lower()


def _format_of(source: str, url: str | None, text: str) -> str:
    if url:
        suffix = _url_suffix(url)
    else:
        suffix = Path(source).suffix.lower() if source != "-" else ""
    return TEXT_SUFFIXES.get(suffix) or _sniff_format(text)


def _iso_date(value) -> str | None:
    """'YYYY-MM-DD' from a YAML date, datetime or string, else None."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", str(value))
    return match.group(1) if match else None


def _text_field(value) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v)
    if value is None or isinstance(value, dict):
        return None
    value = " ".join(str(value).split())
    return display_safe(value) or None


def _first_heading(text: str) -> str | None:
    """The text of the first level-1 ATX heading outside code fences, unformatted."""
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        opener = _FENCE.match(stripped)
        if opener:
            fence = None if fence == opener.group(1) else (fence or opener.group(1))
            continue
        if fence is None and not line.startswith((" " * 4, "\t")):
            match = _ATX_TITLE.fullmatch(stripped)
            if match:
                plain = _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", match.group(1)))
                return _text_field(plain)
    return None


def _markdown(text: str, source: str) -> Document:
    meta: dict = {}
    body_start = 0
    match = _FRONT_MATTER.match(text)
    if match:
        import yaml

        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, dict):
            meta = {str(k).lower(): v for k, v in loaded.items()}
            body_start = match.end()
    title = _text_field(meta.get("title")) or _first_heading(text[body_start:])
    return Document(
        text=text,
        title=title or title_from_text(text[body_start:]),
        source=source,
        format="md",
        site=_text_field(meta.get("site") or meta.get("sitename") or meta.get("publisher")),
        author=_text_field(meta.get("author") or meta.get("authors")),
        published=_iso_date(meta.get("date") or meta.get("published")),
    )


def read_bytes(
    data: bytes,
    source: str,
    format: str | None = None,
    *,
    charset: str | None = None,
    url: str | None = None,
) -> Document:
    """Make a Document from raw bytes. ``format`` ("txt", "md", "html") comes from
    ``source``'s extension or from sniffing when None; ``charset`` is a declared
    encoding (an HTTP header) tried after a BOM and strict UTF-8; ``url`` helps
    HTML metadata. Raises IngestError naming ``source``.
    """
    try:
        return _read_bytes(data, source, format, charset, url)
    except IngestError as err:
        raise err.named(source) from None


def _read_bytes(
    data: bytes, source: str, format: str | None, charset: str | None, url: str | None
) -> Document:
    if len(data) > MAX_BYTES:
        raise IngestError(_too_large(len(data)))
    if not data:
        raise IngestError("empty file")
    kind = _binary_kind(data)
    if kind is not None:
        raise IngestError(f"not a text file ({kind})")
    bom = _bom(data)
    if bom is None:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            try:
                text = data.decode(utf16)
            except UnicodeDecodeError:
                raise IngestError("not a text file (contains NUL bytes)") from None
            return _document(text, source, format, url)
        if b"\x00" in data[:8192]:
            raise IngestError("not a text file (contains NUL bytes)")
    declared = normalise_charset(charset)
    if declared is None and format in (None, "html"):
        declared = declared_charset(data)
    text, _codec = _decode(data, declared)
    return _document(text, source, format, url)


def _document(text: str, source: str, format: str | None, url: str | None) -> Document:
    if not text.strip():
        raise IngestError("contains only whitespace")
    fmt = format or _format_of(source, url, text)
    if fmt not in ("txt", "md", "html"):
        raise IngestError(f"unknown format {fmt!r} (expected txt, md or html)")
    if fmt == "md":
        return _markdown(text, source)
    if fmt == "html":
        found = extract_html(text, url)
        if not found.text.strip():
            raise IngestError("no readable text in the page")
        site = found.site
        if site is None and url:
            site = urllib.parse.urlsplit(url).hostname
        return Document(
            text=found.text,
            title=_text_field(found.title) or title_from_text(found.text),
            source=source,
            format="html",
            site=_text_field(site),
            author=_text_field(found.author),
            published=found.published,
        )
    return Document(text=text, title=title_from_text(text), source=source, format="txt")


def _too_large(size: int) -> str:
    size_mb, cap_mb = round(size / 2**20), MAX_BYTES // 2**20
    if size_mb <= cap_mb:
        # Only the first cap + 1 bytes were read (stdin, a URL): the real size is unknown.
        return f"too large (more than {cap_mb} MB)"
    return f"too large ({size_mb} MB > {cap_mb} MB)"


def read_path(path: str | os.PathLike) -> Document:
    """Read a .txt, .md or .html file. ``Document.source`` is the absolute path;
    errors name the path as given."""
    shown = os.fspath(path)
    p = Path(shown)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IngestError("is a folder, not a file", shown)
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or device would block or never end; "-" is the way to pipe text.
            raise IngestError("not a regular file", shown)
        if st.st_size > MAX_BYTES:
            raise IngestError(_too_large(st.st_size), shown)
        with p.open("rb") as fh:
            # Read one byte past the cap: a file that grew since stat is still caught.
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise IngestError("no such file", shown) from None
    except PermissionError:
        raise IngestError("permission denied", shown) from None
    except IsADirectoryError:
        raise IngestError("is a folder, not a file", shown) from None
    except OSError as err:
        raise IngestError(f"cannot read: {err.strerror or err}", shown) from None
    doc = read_bytes(data, shown)
    doc.source = str(p.resolve())
    return doc


def read_stdin(stream=None) -> Document:
    """Read a document from a binary stream (standard input by default); source "-"."""
    if stream is None:
        stream = sys.stdin.buffer
    data = stream.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return read_bytes(data, "-")


# --- URLs ----------------------------------------------------------------------


def _opener():
    """An opener for http(s) only: no file://, ftp:// or data: handlers, and
    redirects followed only to http(s) (urllib's default follows one to ftp://)."""
    import urllib.error
    import urllib.request

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            scheme = urllib.parse.urlsplit(newurl).scheme.lower()
            if scheme not in ("http", "https"):
                raise urllib.error.URLError(f"redirect to a {scheme or 'relative'} URL refused")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


_CONTENT_FORMATS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
}


def fetch_url(url: str, timeout: float = 20.0) -> Document:
    """Download an http(s) page (at most 50 MB) and extract its main text.

    The charset comes from the Content-Type header, then the page's ``<meta>``, then
    detection. Errors are one line: "URL: HTTP 404 Not Found", "URL: could not
    connect: ...", "URL: timed out after 20 s".
    """
    # Imported here: only a URL import pays for urllib.request and http.client.
    import http.client
    import urllib.error
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise IngestError("not an http(s) URL", url)
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": _USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9",
            "Accept-Encoding": "identity",
        },
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise IngestError(_too_large(int(length)), url)
            data = response.read(MAX_BYTES + 1)
            has_type = response.headers.get("Content-Type") is not None
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            final_url = response.geturl() or url
    except IngestError:
        raise
    except urllib.error.HTTPError as err:
        reason = f" {err.reason}" if err.reason else ""
        raise IngestError(f"HTTP {err.code}{reason}", url) from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            raise IngestError(f"timed out after {timeout:g} s", url) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise IngestError(f"could not connect: {text}", url) from None
    except TimeoutError:
        raise IngestError(f"timed out after {timeout:g} s", url) from None
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise IngestError(f"could not fetch: {err}", url) from None
    fmt = _CONTENT_FORMATS.get(content_type) if has_type else None
    if content_type.split("/")[0] in ("image", "audio", "video", "font"):
        raise IngestError(f"not a text page ({content_type})", url)
    if fmt == "txt" and _url_suffix(final_url) in (".md", ".markdown"):
        fmt = "md"
    return read_bytes(data, url, fmt, charset=charset, url=final_url)


# --- folders -------------------------------------------------------------------


def iter_paths(paths: Iterable[str]) -> Iterator[Path]:
    """Expand folders into the text files they hold, recursively and sorted
    (*.txt, *.md, *.markdown, *.html, *.htm; hidden files and folders skipped).
    Anything else is yielded as given, so ``read_path`` reports on it.
    """
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        found: list[tuple[tuple[str, ...], Path]] = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith(".") or Path(name).suffix.lower() not in _FOLDER_SUFFIXES:
                    continue
                full = Path(folder, name)
                found.append((full.relative_to(path).parts, full))
        found.sort(key=lambda item: item[0])
        for _parts, full in found:
            yield full
