"""The one item the spider yields: a fetched page, as plain bytes and strings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPage:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_urls: list[str] = field(default_factory=list)  # the request URL and any redirects that led here
