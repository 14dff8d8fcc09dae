"""Turn raw bytes into text without mojibake, and refuse what is not text at all.

Order of trust: a byte-order mark, then valid multi-byte UTF-8, then a declared charset (HTTP header or
<meta>) that decodes cleanly or with only a few invalid bytes, then statistical detection
(charset-normalizer).
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from charset_normalizer import from_bytes

from extractors.errors import ExtractionError
from extractors.limits import LIMITS

# Magic numbers of binary formats that show up under misleading names (.html, .txt) in crawls and dumps.
BINARY_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"RIFF", "RIFF media (WebP/WAV/AVI)"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"SQLite format 3\x00", "SQLite database"),
]

BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*+=\s*+(?:["']\s*+)?([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*+<\?xml[^<>]+encoding\s*+=\s*+["']([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*+=\s*+[\"']?([\w.:-]+)", re.IGNORECASE)
# An encoding attribute on the document's opening tag, as archived and wrapped pages carry it:
# '<text id="..." encoding="gb2312">'.
_OPENING_TAG_ENCODING = re.compile(rb"""^\s*+<[a-zA-Z][^<>]*?\sencoding\s*+=\s*+["']([\w.:-]+)["']""")

# Labels that pages use for an encoding of which a superset is what they really hold, as browsers read
# them (the WHATWG encoding standard): a "gb2312" page may use any GBK character, a "shift_jis" page
# Microsoft's extensions.
SUPERSET_ENCODINGS = {"gb2312": "gb18030", "gbk": "gb18030", "euc_cn": "gb18030", "shift_jis": "cp932",
                      "euc_kr": "cp949", "big5": "big5hkscs"}

# A page in a clear encoding may still hold a few invalid bytes (a character cut in two by an editor, a
# stray byte pasted in): up to this share of its characters (and at least MIN_INVALID_BYTES) are read as
# replacement characters instead of failing the page.
MAX_INVALID_BYTE_SHARE, MIN_INVALID_BYTES = 0.001, 16
# Control characters other than tab, newline, carriage return and form feed: text has almost none.
_CONTROL_BYTES = bytes(code for code in range(32) if code not in (9, 10, 12, 13, 27))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data` if it starts like one."""
    for signature, name in BINARY_SIGNATURES:
        if data.startswith(signature):
            return name
    return None


def gunzip_bounded(data: bytes, limit: int | None = None) -> bytes:
    """Decompress gzip data, refusing to expand past `limit` bytes (a gzip bomb stops early)."""
    limit = limit or LIMITS.max_decompressed_bytes
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as error:
        raise ExtractionError(f"corrupt gzip data ({error})", stage="decode") from None
    if len(out) > limit:
        raise ExtractionError(f"gzip data expands beyond the {limit:,}-byte limit", stage="decode")
    return out


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the Content-Type header, an XML declaration, a <meta> tag or the opening tag's
    encoding attribute, if Python knows it; a label whose pages use a superset (SUPERSET_ENCODINGS) as that."""
    candidates: list[str] = []
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            candidates.append(match.group(1))
    head = data[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET, _OPENING_TAG_ENCODING):
        match = pattern.search(head)
        if match:
            candidates.append(match.group(1).decode("ascii", "ignore"))
    for name in candidates:
        try:
            found = codecs.lookup(name).name
        except LookupError:
            continue
        return SUPERSET_ENCODINGS.get(found, found)
    return None


def _multibyte_utf8(data: bytes) -> str | None:
    """`data` decoded as UTF-8 when it is valid UTF-8 with at least one multi-byte character."""
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes, content_type: str | None = None) -> DecodedText:
    """Decode `data` to text, or raise ExtractionError with a one-line reason."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip_bounded(data)
    if not data.strip():
        raise ExtractionError("empty input (no bytes or only whitespace)", stage="decode")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data[len(bom):].decode(encoding), encoding)
            except UnicodeDecodeError:
                raise ExtractionError(f"byte-order mark says {encoding} but the bytes do not decode", stage="decode") from None
    binary = sniff_binary(data)
    if binary:
        raise ExtractionError(f"binary content ({binary}), not a page", stage="decode")
    sample = data[:65536]
    if sample.count(b"\x00") > len(sample) // 10:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise ExtractionError("binary content (many NUL bytes), not text", stage="decode")

    # Text in any encoding has almost no C0 control bytes besides whitespace; binary data has about 11%.
    control_bytes = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if control_bytes > max(16, len(sample) // 50):
        raise ExtractionError("binary content (unrecognised format, many control bytes), not text", stage="decode")

    declared = declared_charset(data, content_type)
    # A page that is valid multi-byte UTF-8 is UTF-8 whatever it declares: a single-byte label on it
    # would turn every accented letter into mojibake ("Ã¤"), and valid UTF-8 by accident is vanishingly rare.
    utf8 = _multibyte_utf8(data)
    if utf8 is not None:
        return _checked(utf8, "utf-8")
    if declared and declared not in ("utf-8",):
        try:
            return _checked(data.decode(declared), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    if declared:  # a page declared UTF-8 that is not valid UTF-8 (tried above) may still be, but for a few bytes
        nearly = _with_few_invalid_bytes(data, declared)
        if nearly is not None:
            return nearly
    if data.isascii():
        return _checked(data.decode("ascii"), "ascii")
    best = from_bytes(data[:262144]).best()
    if best is None or best.encoding is None:
        raise ExtractionError("undecodable bytes (no character encoding fits)", stage="decode")
    return _checked(data.decode(best.encoding, errors="replace"), best.encoding)


def _with_few_invalid_bytes(data: bytes, encoding: str) -> DecodedText | None:
    """`data` decoded as `encoding` with its invalid bytes as replacement characters, when they are few
    (see MAX_INVALID_BYTE_SHARE): the page is in that encoding, a few of its bytes are broken."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    invalid = text.count("\ufffd")
    if invalid > max(MIN_INVALID_BYTES, int(len(text) * MAX_INVALID_BYTE_SHARE)):
        return None
    if encoding == "utf-8" and invalid and sum(not char.isascii() for char in text) - invalid <= invalid:
        # Hardly any valid multi-byte character beside the broken ones: a single-byte page (Latin-1,
        # Windows-1252) labelled UTF-8, whose every accented letter is an invalid byte. Detection reads it.
        return None
    return _checked(text, encoding)


def _utf16_without_bom(data: bytes) -> DecodedText | None:
    even_nuls = data[0:4096:2].count(0)
    odd_nuls = data[1:4096:2].count(0)
    encoding = "utf-16-le" if odd_nuls > even_nuls * 4 else "utf-16-be" if even_nuls > odd_nuls * 4 else None
    if encoding is None:
        return None
    try:
        return _checked(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        return None


def _checked(text: str, encoding: str) -> DecodedText:
    """Reject decoded 'text' that is mostly control or replacement characters, and drop stray NULs."""
    sample = text[:100000]
    junk = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if sample and junk > max(8, len(sample) // 20):
        raise ExtractionError(f"binary or undecodable content ({junk} control/replacement characters "
                              f"in the first {len(sample):,})", stage="decode")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return DecodedText(text, encoding)
