"""Typed records that flow through newsdesk: a fetched or replayed Document in, an Article out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from extractors.text import count_words


@dataclass(frozen=True)
class Removal:
    """One line or block the extractor dropped, and why."""

    text: str
    reason: str


@dataclass
class Document:
    """Raw input exactly as fetched or read: the unit every source hands to the ingest core.

    Kept serializable (bytes + plain strings) so it can cross process boundaries (the extraction workers).
    """

    content: bytes
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # file path for replay, fetched URL for a crawl
    source: str = "replay"  # 'crawl' | 'replay'
    content_type: str | None = None  # e.g. 'text/html', 'text/plain'; None = sniff
    outlet_hint: str | None = None  # from a sidecar file or a crawl job
    fetched_urls: list[str] = field(default_factory=list)  # every URL this content was met under
    fetched_at: str | None = None  # when it was fetched (ISO 8601, UTC), when known: e.g. a WARC record's date

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Article:
    """What extract() returns: clean body plus metadata, and a record of what was removed."""

    url: str | None
    title: str | None
    body: str
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 date or datetime, as extractors.dates.normalize_published writes it
    outlet: str | None = None
    language: str | None = None  # ISO 639-1
    credits: list[str] = field(default_factory=list)  # wire services / original publishers credited
    removed: list[Removal] = field(default_factory=list)
    canonical_url: str | None = None
    page_type: str | None = None  # og:type / JSON-LD @type when the page declares one
    link_density: float = 0.0  # share of the page's visible text that sits inside links
    input_format: str = "text"  # 'html' | 'text'
    encoding: str | None = None

    @property
    def word_count(self) -> int:
        """Words in the body; in scripts written without spaces (Chinese, Japanese) each character counts.
        Counted once per body (the count is kept beside it, and travels with the article when it is pickled)."""
        counted = self.__dict__.get("_counted_body")
        if counted is None or counted[0] is not self.body:
            counted = self.__dict__["_counted_body"] = (self.body, count_words(self.body))
        return counted[1]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["word_count"] = self.word_count
        return data
