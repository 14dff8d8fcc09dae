"""Downloader middlewares: refuse non-http(s) schemes, skip or revalidate known articles, retry with backoff,
write every fetched response to WARC files, and Scrapy's robots.txt, redirect and decompression middlewares
with their refusals and failures typed.

Every request a middleware stops raises RequestDropped, which says whether it was a policy refusal (counted in
the stats by whoever refused it, never a failure) or a failure (with its one-line reason, a failures row)."""

from __future__ import annotations

import asyncio
import email.utils
import time
from datetime import datetime
from urllib.parse import urljoin

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.corpus import corpus_for
from newsdesk.corpus.store import utc_now
from newsdesk.corpus.urls import canonical_url, is_http_url
from newsdesk.corpus.warc import HttpExchange, RotatingWarcWriter


# The finish reason of a crawl that sent its whole page budget (--max-pages); the name Scrapy's own page count uses.
BUDGET_SPENT = "closespider_pagecount"
ROBOTS_TXT_RESPONSES = "newsdesk/robots_txt_responses"


class RequestDropped(IgnoreRequest):
    """A request stopped on purpose: a policy refusal (`refusal`), or a failure whose `reason` is recorded."""

    def __init__(self, reason: str, *, refusal: bool):
        super().__init__(reason)
        self.reason = reason
        self.refusal = refusal


class SchemeFilterMiddleware:
    """Never fetch file:, ftp:, data: or any other non-http(s) URL, whoever asked for it — a link or a redirect."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls()
        middleware.stats = crawler.stats
        return middleware

    def process_request(self, request, spider=None):
        if not is_http_url(request.url):
            self.stats.inc_value("newsdesk/refused/scheme")
            raise RequestDropped(f"non-http(s) URL {request.url[:200]}", refusal=True)

    def process_response(self, request, response, spider=None):
        # Scrapy does not follow a redirect to another scheme but hands the 3xx on, where it would end as an
        # unexplained "HTTP 302"; it is a policy refusal like any other non-http(s) URL.
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            if not is_http_url(target):
                self.stats.inc_value("newsdesk/refused/scheme")
                raise RequestDropped(f"redirect to non-http(s) URL {target[:200]}", refusal=True)
        return response


class KnownArticleMiddleware:
    """A stored article met again (under any URL it was fetched by) is skipped within the recrawl interval,
    and revalidated with If-None-Match / If-Modified-Since after it, so an unchanged page costs a 304."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.recrawl_after = crawler.settings.getfloat("NEWSDESK_RECRAWL_AFTER")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if request.meta.get("newsdesk_kind") != "page":
            return None
        store = corpus_for(self.crawler)
        record = store.fetch_record(request.url) or store.fetch_record(canonical_url(request.url))
        if record is None or record.article_id is None:
            return None
        age = time.time() - datetime.fromisoformat(record.fetched_at).timestamp()
        if age < self.recrawl_after:
            self.crawler.stats.inc_value("newsdesk/skipped_known")
            raise RequestDropped(f"known article, fetched {int(age)}s ago", refusal=True)
        if record.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = record.etag
        if record.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = record.last_modified
        request.meta.setdefault("handle_httpstatus_list", [304])
        request.meta["newsdesk_known_article"] = record.article_id
        return None


class RedirectLoopMiddleware:
    """A redirect back to a URL already in the request's redirect chain is a loop: fail it with a reason
    at once. (Left alone, the duplicate filter would drop it silently and the URL would be unaccounted for.)"""

    def process_response(self, request, response, spider=None):
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonical_url(target) in {canonical_url(url) for url in chain}:
            raise RequestDropped(f"redirect loop (back to {target[:160]})", refusal=False)
        return response


class RobotsTxtPolicyMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt policy (which counts robotstxt/forbidden), its refusals typed as refusals, and given to
    every request that waits for a host's robots.txt. Scrapy's version awaits the one shared Deferred from each
    waiting request, and awaiting a Deferred consumes its result: the second and later waiters got None, which
    means "no robots.txt, allow everything". A crawl that takes many requests at once (a shared frontier) then
    fetched Disallowed pages."""

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        parser = self._parsers.get(netloc)
        if isinstance(parser, Deferred):
            waiter: Deferred = Deferred()

            def relay(result):
                waiter.callback(result)
                return result  # left in the shared Deferred for the next waiter

            parser.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    def process_request_2(self, rp, request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            raise RequestDropped("forbidden by robots.txt", refusal=True) from None


class _TypedRedirectLimit:
    """Scrapy drops a request that exceeds REDIRECT_MAX_TIMES; here that is a failure with a reason."""

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except RequestDropped:
            raise
        except IgnoreRequest:  # the only one a redirect middleware raises: too many redirects
            raise RequestDropped(f"too many redirects (more than {self.max_redirect_times})", refusal=False) from None


class RedirectLimitMiddleware(_TypedRedirectLimit, RedirectMiddleware):
    pass


class MetaRefreshLimitMiddleware(_TypedRedirectLimit, MetaRefreshMiddleware):
    pass


class DecompressionLimitMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, whose refusal of a body that inflates past DOWNLOAD_MAXSIZE (a gzip bomb) is a
    failure with a reason."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.size_limit = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        return middleware

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest:  # the only one it raises: the size limit
            limit = request.meta.get("download_maxsize", self.size_limit)
            raise RequestDropped(f"response too large (over {limit:,} bytes once decompressed)", refusal=False) from None


def retry_after_seconds(value: bytes | str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped; None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return min(float(text), cap)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, but waiting before each retry: Retry-After when the server gives one,
    otherwise exponential backoff (base, 2×base, 4×base...)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSDESK_RETRY_BACKOFF_BASE")
        self.max_retry_after = settings.getfloat("NEWSDESK_MAX_RETRY_AFTER")

    def _delay(self, request, response=None) -> float:
        if response is not None:
            delay = retry_after_seconds(response.headers.get(b"Retry-After"), self.max_retry_after)
            if delay is not None:
                return delay
        return self.backoff_base * (2 ** request.meta.get("retry_times", 0))

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await asyncio.sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request, exception, spider=None):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(self._delay(request))
        return retry


def is_robots_txt(request) -> bool:
    return urlparse_cached(request).path == "/robots.txt"


class PageBudgetMiddleware:
    """`--max-pages N` (NEWSDESK_MAX_PAGES, 0: no limit) is exact: at most N requests are sent. Every request counts (pages,
    feeds, sitemaps, redirect hops, retries) but robots.txt, which politeness requires before a host's first page.
    A request is counted here, next to the downloader, where nothing else stops it; the request that spends the
    last of the budget closes the spider, so the requests already sent are finished and stored and no other
    request is sent (one that still comes this way is dropped, counted in newsdesk/over_budget)."""

    def __init__(self, crawler, budget: int):
        self.crawler = crawler
        self.budget = budget
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, max(0, crawler.settings.getint("NEWSDESK_MAX_PAGES")))

    def process_request(self, request, spider=None):
        if is_robots_txt(request) or not self.budget:
            return None
        if self.sent >= self.budget:
            self.crawler.stats.inc_value("newsdesk/over_budget")
            raise RequestDropped(f"page budget of {self.budget} spent", refusal=True)
        self.sent += 1
        if self.sent == self.budget:
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason=BUDGET_SPENT))
        return None

    def process_response(self, request, response, spider=None):
        if is_robots_txt(request):  # not a page: the crawl's report leaves them out of its pages fetched
            self.crawler.stats.inc_value(ROBOTS_TXT_RESPONSES)
        return response


class WarcOutputMiddleware:
    """With NEWSDESK_WARC_DIR set (`newsdesk crawl --warc-out DIR`), every response as it came off the network
    (redirects, errors, robots.txt, feeds and sitemaps included; before decompression and retries) is written
    with its request as WARC/1.1, in files rotated past NEWSDESK_WARC_MAX_BYTES."""

    def __init__(self, folder: str, max_bytes: int):
        self.writer = RotatingWarcWriter(folder, max_bytes=max_bytes)

    @classmethod
    def from_crawler(cls, crawler):
        folder = crawler.settings.get("NEWSDESK_WARC_DIR")
        if not folder:
            raise NotConfigured  # no NEWSDESK_WARC_DIR: off, as usual (with a message, Scrapy warns on every crawl)
        middleware = cls(folder, crawler.settings.getint("NEWSDESK_WARC_MAX_BYTES"))
        middleware.stats = crawler.stats
        crawler.signals.connect(middleware.close, signal=signals.engine_stopped)
        return middleware

    def process_response(self, request, response, spider=None):
        def pairs(headers) -> list[tuple[str, str]]:
            return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]

        self.writer.write_exchange(HttpExchange(
            url=response.url, status=response.status, response_headers=pairs(response.headers), body=response.body,
            method=request.method, request_headers=pairs(request.headers), request_body=request.body or b"",
            protocol=getattr(response, "protocol", None) or "HTTP/1.1", fetched_at=utc_now()))
        self.stats.inc_value("newsdesk/warc_records")
        return response

    def close(self) -> None:
        self.writer.close()
