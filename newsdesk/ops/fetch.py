"""One polite fetch of one page, for `newsdesk extract URL`: the crawler's User-Agent, the host's robots.txt
asked first and obeyed, a timeout and a size limit, redirects followed only to http(s). No Scrapy: a single
page needs no reactor."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from extractors import Document
from extractors.limits import LIMITS
from newsdesk.corpus.ingest import not_html_reason
from newsdesk.corpus.urls import is_http_url

FETCH_TIMEOUT_SECONDS = 30
ROBOTS_MAX_BYTES = 500_000  # a robots.txt is read up to here (Google reads 500 KiB)


class FetchError(Exception):
    """Why a page could not be fetched, in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FetchedResponse:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)

    def document(self, requested: str) -> Document:
        return Document(content=self.body, url=self.url, headers=self.headers, origin=requested, source="crawl",
                        fetched_urls=[*self.redirects, self.url])


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 10

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_http_url(newurl):
            raise FetchError(f"redirected to a URL that is not http(s): {newurl[:200]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _reason(error: BaseException, url: str, timeout: float) -> str:
    """urllib's and the socket layer's errors as one line."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} ({error.reason})" if error.reason else f"HTTP {error.code}"
    inner = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(inner, FetchError):
        return inner.reason
    if isinstance(inner, (TimeoutError, socket.timeout)):
        return f"timed out (no answer within {timeout:g} seconds)"
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    if isinstance(inner, socket.gaierror):
        return f"cannot resolve the host {urlsplit(url).hostname or url}"
    if isinstance(inner, ssl.SSLError):
        return f"TLS error: {getattr(inner, 'reason', None) or inner}"
    if isinstance(inner, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror[0].lower() + inner.strerror[1:]
    return " ".join(f"{type(inner).__name__}: {inner}".split())[:200]


def _get(url: str, user_agent: str, timeout: float, max_bytes: int, *, truncate: bool = False) -> FetchedResponse:
    """GET `url`; a body over `max_bytes` is an error, or with `truncate` cut there."""
    redirects: list[str] = []

    class Recording(_HttpOnlyRedirects):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            redirects.append(req.full_url)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(Recording)
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.8",
                                                   "Accept-Encoding": "identity"})
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = answer.read(max_bytes + 1)
            if len(body) > max_bytes and truncate:
                body = body[:max_bytes]
            elif len(body) > max_bytes:
                raise FetchError(f"response too large (over {max_bytes:,} bytes)")
            return FetchedResponse(answer.geturl(), answer.status, dict(answer.headers.items()), body, redirects)
    except FetchError:
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:  # HTTPError: an error status
        raise FetchError(_reason(error, url, timeout)) from None


def robots_allows(url: str, user_agent: str, timeout: float) -> bool:
    """What the host's robots.txt says of `url` for `user_agent`: no robots.txt (4xx) allows everything, as
    Scrapy's robots.txt middleware does; one that cannot be fetched (5xx, no answer) is an error."""
    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    try:
        answer = _get(robots_url, user_agent, timeout, ROBOTS_MAX_BYTES, truncate=True)
    except FetchError as error:
        if error.reason.startswith("HTTP 4"):
            return True
        if error.reason.startswith("HTTP "):  # the host answers, but not with its robots.txt
            raise FetchError(f"robots.txt could not be read: {error.reason}") from None
        raise  # the host cannot be reached at all: that is the reason
    # Protego: the parser Scrapy's robots.txt middleware uses, so a page and a crawl read the rules alike.
    return Protego.parse(answer.body.decode("utf-8", errors="replace")).can_fetch(url, user_agent)


def fetch_page(url: str, *, user_agent: str | None = None, timeout: float = FETCH_TIMEOUT_SECONDS,
               max_bytes: int = LIMITS.max_input_bytes) -> FetchedResponse:
    """Fetch one HTML page politely (robots.txt first); raises FetchError with a one-line reason."""
    if not is_http_url(url):
        raise FetchError(f"not an http(s) URL: {url}")
    if user_agent is None:
        from crawler.settings import USER_AGENT

        user_agent = USER_AGENT
    if not robots_allows(url, user_agent, timeout):
        raise FetchError("refused by the site's robots.txt")
    answer = _get(url, user_agent, timeout, max_bytes)
    not_html = not_html_reason(answer.headers.get("Content-Type"), answer.body)
    if not_html:
        raise FetchError(not_html)
    return answer
