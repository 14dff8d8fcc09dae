"""Web archives (warcio): WARC and ARC files, gzipped or not, read record by record into replay inputs with
bounded memory and resumable from a checkpoint; and WARC/1.1 written from what a crawl fetched and from the
raw inputs kept in the corpus."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zlib
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from warcio.archiveiterator import ARCIterator, WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extractors import Document
from extractors.limits import LIMITS
from extractors.rules.page_types import HTML_START_BYTES
from newsdesk.corpus.ingest import describe_error, not_html_reason
from newsdesk.corpus.inputs import ReplayFilters, ReplayInput, Revisit
from newsdesk.corpus.store import ReplayCheckpoint, Store
from newsdesk.corpus.urls import is_http_url

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# The first bytes of an archive identify it in its checkpoint (a file replaced under the same name starts over).
HEAD_BYTES = 65_536
# Where a damaged archive is searched for the next record, this much at a time.
RESYNC_CHUNK_BYTES = 1_048_576
# Files written by `crawl --warc-out` are closed and a new one begun past this size (the usual 1 GB).
WARC_MAX_BYTES = 1_000_000_000
# A resource record with this type (or none) holds content of unknown type: the extractor sniffs it.
UNKNOWN_CONTENT_TYPE = "application/octet-stream"
# HTTP headers that describe how the bytes travelled, not what they are: left out where the payload is
# written already decoded.
TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}

SKIP_ARCHIVE_DONE = "archive already replayed to its end (--from-start reads it again)"

T = TypeVar("T")


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def iso_date(warc_date: str | None) -> str | None:
    """A WARC-Date ('2024-03-01T10:00:00Z', maybe with fractions) as the corpus writes times (UTC, seconds)."""
    if not warc_date:
        return None
    try:
        moment = datetime.fromisoformat(warc_date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def warc_date(iso: str | None) -> str:
    """A corpus time as a WARC-Date."""
    moment = datetime.fromisoformat(iso) if iso else datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading -------------------------------------------------------------------------------------


def archive_identity(path: Path) -> tuple[str, int, str]:
    """The key, size and head hash an archive's checkpoint is kept under. Raises OSError."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = hashlib.sha256(handle.read(HEAD_BYTES)).hexdigest()
    return str(path.resolve()), size, head


def archive_inputs(path: Path, store: Store, filters: ReplayFilters, *, from_start: bool = False) -> Iterator[ReplayInput]:
    """Every record of the archive at `path` as a ReplayInput, from where its last replay stopped (unless
    from_start), each carrying the checkpoint to keep once it is settled; then an uncounted end marker."""
    try:
        key, size, head = archive_identity(path)
    except OSError as error:
        yield ReplayInput(str(path), reason=f"unreadable: {error.strerror or error}")
        return
    start = 0
    previous = None if from_start else store.checkpoint(key)
    if previous is not None and previous.head_hash == head and previous.size <= size:
        if previous.finished and previous.size == size:
            yield ReplayInput(str(path), reason=SKIP_ARCHIVE_DONE, skipped=True)
            return
        start = previous.offset
    with open(path, "rb") as handle:
        yield from _ArchiveReader(path, handle, ReplayCheckpoint(key, size, head, start, False), filters).inputs()


@dataclass
class _Content:
    """What one record gave before its place in the file is known."""

    document: Document | None = None
    reason: str | None = None
    skipped: bool = False
    stage: str = "read"
    articles_only: bool = False
    revisit: Revisit | None = None
    payload_digest: str | None = None


@dataclass
class _ArchiveReader:
    path: Path
    handle: io.BufferedReader
    checkpoint: ReplayCheckpoint
    filters: ReplayFilters
    gzipped: bool = field(init=False)
    arc: bool = field(init=False)

    def __post_init__(self) -> None:
        self.handle.seek(0)
        self.gzipped = self.handle.read(2) == b"\x1f\x8b"
        self.arc = self.path.name.lower().endswith((".arc", ".arc.gz"))

    def _at(self, offset: int, *, finished: bool = False) -> ReplayCheckpoint:
        return ReplayCheckpoint(self.checkpoint.archive, self.checkpoint.size, self.checkpoint.head_hash, offset, finished)

    def inputs(self) -> Iterator[ReplayInput]:
        position = self.checkpoint.offset
        size = self.checkpoint.size
        while position < size:
            self.handle.seek(position)
            # One format per file: an iterator left to guess each record's format takes garbage for ARC records.
            records = ARCIterator(self.handle, arc2warc=True) if self.arc else WARCIterator(self.handle)
            damaged: str | None = None
            try:
                while True:
                    record = _quietly(partial(next, records, None))
                    if record is None:
                        break
                    content = self._read(record)
                    offset = _quietly(records.get_record_offset)
                    position = records.offset
                    origin = f"{self.path}#{offset}"
                    if content.reason:
                        content.reason = content.reason.replace("{offset}", str(offset))
                    document = content.document
                    if document is not None:
                        document.origin = origin
                    yield ReplayInput(origin, document=document, reason=content.reason, skipped=content.skipped,
                                      stage=content.stage, articles_only=content.articles_only, revisit=content.revisit,
                                      payload_digest=content.payload_digest, checkpoint=self._at(position))
            except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, TypeError, IndexError) as error:
                damaged = describe_error(error)
            if position >= size:
                break
            # Bytes left that are not a record: a truncated last record, or damage. Report it at its offset,
            # then go on from the next record start after it, if there is one.
            following = self._next_record_start(position + 1)
            reason = (f"truncated record at offset {position} (the file ends inside it)" if following is None
                      else f"corrupt record at offset {position}; replay went on at offset {following}")
            if damaged:
                reason += f" ({damaged})"
            yield ReplayInput(f"{self.path}#{position}", reason=reason, stage="read",
                              checkpoint=self._at(following if following is not None else size))
            if following is None:
                break
            position = following
        yield ReplayInput(str(self.path), checkpoint=self._at(size, finished=True), counted=False)

    def _next_record_start(self, start: int) -> int | None:
        """Offset of the next gzip member (gzipped archives) or WARC header line after `start`, or None."""
        marker = b"\x1f\x8b\x08" if self.gzipped else b"filedesc:" if self.arc else b"WARC/1."
        self.handle.seek(start)
        position = start
        while True:
            chunk = self.handle.read(RESYNC_CHUNK_BYTES + len(marker))
            if len(chunk) < len(marker):
                return None
            found = chunk.find(marker)
            while found >= 0:
                at = position + found
                if self.gzipped or found == 0 or chunk[found - 1:found] == b"\n":
                    return at
                found = chunk.find(marker, found + 1)
            position += RESYNC_CHUNK_BYTES
            self.handle.seek(position)

    def _read(self, record) -> _Content:
        """The record's content as a Document to extract, a revisit, or why it is skipped or failed."""
        kind = record.rec_type
        url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
        fetched_at = iso_date(record.rec_headers.get_header("WARC-Date"))
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if kind == "revisit":
            return _Content(revisit=Revisit(url, record.rec_headers.get_header("WARC-Refers-To-Target-URI"), digest, fetched_at))
        if kind not in ("response", "resource"):
            return _Content(reason=f"not a page ({kind} record)", skipped=True)
        web_page = is_http_url(url) if url else False
        headers: dict[str, str] = {}
        if kind == "response" and record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            if status != "200":
                try:
                    phrase = HTTPStatus(int(status)).phrase
                except ValueError:
                    phrase = "unknown status"
                return _Content(reason=f"HTTP {status} ({phrase})", skipped=True)
            for name, value in record.http_headers.headers:
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            content_type = record.http_headers.get_header("Content-Type")
        elif kind == "response":
            return _Content(reason="response record without HTTP headers", skipped=True)
        else:
            content_type = record.rec_headers.get_header("Content-Type")
            if content_type and content_type.split(";")[0].strip().lower() == UNKNOWN_CONTENT_TYPE:
                content_type = None
        filtered = self.filters.before_extraction(url if web_page else None, fetched_at)
        if filtered:
            return _Content(reason=filtered, skipped=True)
        try:
            stream = record.content_stream()
            # The first bytes decide whether a response is a page at all, so a video is never read into memory.
            content = _quietly(lambda: stream.read(HTML_START_BYTES))
            not_html = not_html_reason(content_type, content) if kind == "response" else None
            if not_html:
                return _Content(reason=not_html, skipped=True)
            if record.length is not None and record.length > LIMITS.max_input_bytes:
                return _Content(reason=f"record of {record.length:,} bytes exceeds the {LIMITS.max_input_bytes:,}-byte limit")
            content += _quietly(lambda: stream.read(LIMITS.max_decompressed_bytes + 1 - len(content)))
        except Exception as error:  # a body that does not decode as its headers say (chunks, gzip)
            return _Content(reason=f"undecodable record body: {describe_error(error)}", stage="decode")
        if len(content) > LIMITS.max_decompressed_bytes:
            return _Content(reason=f"record body expands beyond the {LIMITS.max_decompressed_bytes:,}-byte limit", stage="decode")
        missing = getattr(record.raw_stream, "limit", 0)
        if missing:
            reason = f"truncated record at offset {{offset}}: {missing:,} bytes of its {record.length:,}-byte block missing"
            return _Content(reason=reason)
        document = Document(content=content, url=url if web_page else None, headers=headers,
                            source="replay", content_type=None if kind == "response" else content_type, fetched_at=fetched_at)
        return _Content(document=document, articles_only=web_page and kind == "response", payload_digest=digest)


def _quietly(call: Callable[[], T]) -> T:
    """Run a warcio call with its warnings (a record not followed by a newline, a URI with spaces) kept off
    the screen: damage is reported once, as a failure with its offset."""
    with redirect_stderr(io.StringIO()):
        level = _WARCIO_LOG.level
        if _WARCIO_LOG.getEffectiveLevel() >= logging.ERROR:
            return call()  # already quiet (the command line quiets it): setLevel() would empty every logger's cache
        _WARCIO_LOG.setLevel(logging.ERROR)
        try:
            return call()
        finally:
            _WARCIO_LOG.setLevel(level)


_WARCIO_LOG = logging.getLogger("warcio")


# --- writing -------------------------------------------------------------------------------------


@dataclass
class HttpExchange:
    """One fetched response and the request that asked for it, as written to a WARC."""

    url: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    fetched_at: str | None = None  # ISO 8601; None: now


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class RotatingWarcWriter:
    """WARC/1.1 files (gzipped per record) in `folder`, each begun with a warcinfo record and closed past
    `max_bytes`. A file is named *.warc.gz.open while it is written and renamed when closed."""

    def __init__(self, folder: str | Path, *, max_bytes: int = WARC_MAX_BYTES, prefix: str = "newsdesk"):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.serial = 0
        self.handle: io.BufferedWriter | None = None
        self.path: Path | None = None
        self.writer: WARCWriter | None = None
        self.written: list[Path] = []

    def _open(self) -> WARCWriter:
        if self.writer is None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
            self.path = self.folder / f"{self.prefix}-{stamp}-{os.getpid()}-{self.serial:05d}.warc.gz"
            self.serial += 1
            self.handle = open(self.path.with_name(self.path.name + ".open"), "wb")
            self.writer = WARCWriter(self.handle, gzip=True, warc_version="1.1")
            self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, {
                "software": "newsdesk", "format": "WARC File Format 1.1"}))
        return self.writer

    def write_exchange(self, exchange: HttpExchange) -> None:
        writer = self._open()
        date = warc_date(exchange.fetched_at)
        response_headers = [(name, value) for name, value in exchange.response_headers if name.lower() != "transfer-encoding"]
        response = writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body), length=len(exchange.body),
            http_headers=StatusAndHeaders(_status_line(exchange.status), response_headers, protocol=exchange.protocol),
            warc_headers_dict={"WARC-Date": date})
        target = exchange.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        request = writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(exchange.request_body), length=len(exchange.request_body),
            http_headers=StatusAndHeaders(f"{exchange.method} {path} {exchange.protocol}", exchange.request_headers,
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": date})
        writer.write_request_response_pair(request, response)
        if self.handle.tell() >= self.max_bytes:
            self.close()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            os.replace(self.path.with_name(self.path.name + ".open"), self.path)
            self.written.append(self.path)
            self.handle = self.writer = None


def export_warc(store: Store, target: str | Path) -> int:
    """Write every raw input kept in the corpus to a WARC/1.1 file (gzipped if its name ends in .gz): fetched
    pages as response records with their URL, headers and fetch time, replayed files as resource records
    (their file: URI). Returns the number of records written besides the warcinfo."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    partial = target.with_name(target.name + ".open")
    with open(partial, "wb") as handle:
        writer = WARCWriter(handle, gzip=target.name.lower().endswith(".gz"), warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(target.name, {"software": "newsdesk", "format": "WARC File Format 1.1",
                                                                         "description": f"raw inputs of {store.path}"}))
        for row, content in store.raw_documents_with_content():
            date = {"WARC-Date": warc_date(row["fetched_at"])}
            url = row["url"]
            if url and is_http_url(url):
                kept = json.loads(row["headers"] or "{}")
                headers = [(name, value) for name, value in kept.items() if name.lower() not in TRANSFER_HEADERS]
                if row["content_type"] and not any(name.lower() == "content-type" for name, _ in headers):
                    headers.append(("Content-Type", row["content_type"]))
                headers.append(("Content-Length", str(len(content))))
                record = writer.create_warc_record(url, "response", payload=io.BytesIO(content), length=len(content),
                                                   http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                                                   warc_headers_dict=date)
            else:
                origin = row["origin"] or ""
                uri = (Path(origin).absolute().as_uri() if origin and not origin.startswith("raw:")
                       else f"urn:sha256:{row['raw_hash']}")
                record = writer.create_warc_record(uri, "resource", payload=io.BytesIO(content), length=len(content),
                                                   warc_content_type=row["content_type"] or UNKNOWN_CONTENT_TYPE,
                                                   warc_headers_dict=date)
            writer.write_record(record)
            count += 1
    os.replace(partial, target)
    return count
