"""The items the spider yields, plain bytes and strings so they serialize: a fetched page, and a URL the crawl
could not use. Storing either is the pipeline's job."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPage:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_urls: list[str] = field(default_factory=list)  # the request URL and any redirects that led here


@dataclass
class FailedUrl:
    """A URL that could not be fetched or read (an error status, a dead host, a feed or sitemap that is not
    XML...): one failures row with a one-line reason."""

    url: str
    stage: str  # 'fetch' (the URL itself) or 'discover' (a feed or sitemap that could not be read)
    reason: str
