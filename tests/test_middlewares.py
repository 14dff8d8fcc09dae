"""Downloader middlewares one call at a time: scheme refusal, known-article skipping and revalidation,
redirect loops, and retry delays that honour Retry-After."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import TimeoutError as DownloadTimeout

from crawler.corpus import corpus_for
from crawler.spiders.news import NewsSpider
from crawler.middlewares import (
    BackoffRetryMiddleware, KnownArticleMiddleware, RedirectLoopMiddleware, RequestDropped, SchemeFilterMiddleware,
    retry_after_seconds,
)
from extractors import Article, Document

URL = "https://news.example.org/2024/bridge.html"


def page_request(url: str = URL, **meta) -> Request:
    return Request(url, meta={"newsdesk_kind": "page", **meta})


def test_non_http_urls_and_redirects_to_them_are_refused(crawler_stub):
    middleware = SchemeFilterMiddleware.from_crawler(crawler_stub())
    for url in ("file:///etc/passwd", "ftp://news.example.org/a", "data:text/html,hi"):
        with pytest.raises(IgnoreRequest, match="non-http"):
            middleware.process_request(Request(url))
    assert middleware.process_request(Request(URL)) is None
    redirect = Response(URL, status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(IgnoreRequest, match="redirect to non-http"):
        middleware.process_response(Request(URL), redirect)
    ordinary = Response(URL, status=301, headers={"Location": "/2024/bridge-new.html"})
    assert middleware.process_response(Request(URL), ordinary) is ordinary


def store_known_article(crawler, urls: list[str], etag: str | None = '"v1"', last_modified: str | None = None) -> int:
    store = corpus_for(crawler)
    document = Document(content=b"page", url=urls[0], source="crawl")
    article = Article(url=urls[0], title="Bridge", body="word " * 50)
    article_id = store.save_article(article, document, store.save_raw(document)).article_id
    for url in urls:
        store.record_fetch(url, article_id, etag=etag, last_modified=last_modified)
    return article_id


def test_a_known_article_is_skipped_within_the_recrawl_interval_by_any_url_it_was_fetched_under(crawler_stub):
    crawler = crawler_stub(NEWSDESK_RECRAWL_AFTER=3600)
    store_known_article(crawler, [URL, "https://news.example.org/amp/bridge"])
    middleware = KnownArticleMiddleware.from_crawler(crawler)
    for url in (URL, "https://news.example.org/amp/bridge", URL + "?utm_source=rss"):
        with pytest.raises(IgnoreRequest, match="known article"):
            middleware.process_request(page_request(url))
    assert middleware.process_request(page_request("https://news.example.org/2024/other.html")) is None
    assert middleware.process_request(Request(URL, meta={"newsdesk_kind": "discovery"})) is None, "feeds are always read"


def test_after_the_interval_a_known_article_is_revalidated_with_its_validators(crawler_stub):
    crawler = crawler_stub(NEWSDESK_RECRAWL_AFTER=0)
    modified = email.utils.formatdate(time.time() - 86400, usegmt=True)
    article_id = store_known_article(crawler, [URL], etag='"v1"', last_modified=modified)
    request = page_request()
    assert KnownArticleMiddleware.from_crawler(crawler).process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == modified.encode()
    assert 304 in request.meta["handle_httpstatus_list"] and request.meta["newsdesk_known_article"] == article_id


def test_a_redirect_back_into_its_own_chain_is_a_loop():
    middleware = RedirectLoopMiddleware()
    request = Request("https://news.example.org/b", meta={"redirect_urls": ["https://news.example.org/a"]})
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        middleware.process_response(request, Response(request.url, status=302, headers={"Location": "/a?utm_source=x"}))
    onward = Response(request.url, status=302, headers={"Location": "/c"})
    assert middleware.process_response(request, onward) is onward


def test_retry_after_is_read_as_seconds_or_a_date_and_capped():
    assert retry_after_seconds(b"7", cap=120) == 7
    assert retry_after_seconds("600", cap=120) == 120
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 <= retry_after_seconds(in_a_minute, cap=120) <= 60
    assert retry_after_seconds(email.utils.formatdate(time.time() - 60, usegmt=True), cap=120) == 0
    assert retry_after_seconds(b"soon", cap=120) is None and retry_after_seconds(None, cap=120) is None


def test_retries_wait_for_retry_after_or_back_off_exponentially(crawler_stub):
    middleware = BackoffRetryMiddleware(crawler_stub(NEWSDESK_RETRY_BACKOFF_BASE=1.5).settings)
    assert middleware._delay(Request(URL), Response(URL, status=503, headers={"Retry-After": "4"})) == 4
    assert middleware._delay(Request(URL, meta={"retry_times": 0}), Response(URL, status=500)) == 1.5
    assert middleware._delay(Request(URL, meta={"retry_times": 2})) == 6.0, "1.5 × 2²"


def test_retried_statuses_and_timeouts_get_a_new_request(crawler_stub):
    crawler = crawler_stub(RETRY_TIMES=1, NEWSDESK_RETRY_BACKOFF_BASE=0)
    crawler.spider = NewsSpider(start_urls=URL)
    crawler.spider._set_crawler(crawler)
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    for status in (429, 500, 503):
        retried = asyncio.run(middleware.process_response(Request(URL), Response(URL, status=status)))
        assert isinstance(retried, Request) and retried.meta["retry_times"] == 1, status
    exhausted = Request(URL, meta={"retry_times": 1})
    final = Response(URL, status=503)
    assert asyncio.run(middleware.process_response(exhausted, final)) is final, "after RETRY_TIMES the error stands"
    not_found = Response(URL, status=404)
    assert asyncio.run(middleware.process_response(Request(URL), not_found)) is not_found
    assert isinstance(asyncio.run(middleware.process_exception(Request(URL), DownloadTimeout())), Request)
    assert crawler.stats.get_value("retry/count") == 4


def test_refusals_and_failures_are_typed_for_the_errback(crawler_stub):
    crawler = crawler_stub(NEWSDESK_RECRAWL_AFTER=3600)
    store_known_article(crawler, [URL])
    refusals = [
        lambda: SchemeFilterMiddleware.from_crawler(crawler).process_request(Request("ftp://news.example.org/a")),
        lambda: KnownArticleMiddleware.from_crawler(crawler).process_request(page_request()),
    ]
    for refuse in refusals:
        with pytest.raises(RequestDropped) as refused:
            refuse()
        assert refused.value.refusal
    loop = Request("https://news.example.org/b", meta={"redirect_urls": ["https://news.example.org/a"]})
    with pytest.raises(RequestDropped) as failed:
        RedirectLoopMiddleware().process_response(loop, Response(loop.url, status=302, headers={"Location": "/a"}))
    assert not failed.value.refusal and failed.value.reason == "redirect loop (back to https://news.example.org/a)"
    assert crawler.stats.get_value("newsdesk/refused/scheme") == 1 and crawler.stats.get_value("newsdesk/skipped_known") == 1


def test_scrapy_middlewares_replaced_by_typed_subclasses_in_their_places(crawler_stub):
    from scrapy.utils.misc import load_object

    middlewares = crawler_stub().settings.getdict("DOWNLOADER_MIDDLEWARES")
    replaced = {"robotstxt.RobotsTxtMiddleware": "RobotsTxtPolicyMiddleware",
                "redirect.RedirectMiddleware": "RedirectLimitMiddleware",
                "redirect.MetaRefreshMiddleware": "MetaRefreshLimitMiddleware",
                "httpcompression.HttpCompressionMiddleware": "DecompressionLimitMiddleware"}
    base = crawler_stub().settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    for scrapy_name, ours in replaced.items():
        scrapy_path = "scrapy.downloadermiddlewares." + scrapy_name
        assert middlewares[scrapy_path] is None, f"{scrapy_name} is off"
        assert middlewares["crawler.middlewares." + ours] == base[scrapy_path], f"{ours} sits where {scrapy_name} did"
        assert issubclass(load_object("crawler.middlewares." + ours), load_object(scrapy_path))


def test_a_redirect_past_the_limit_and_a_decompression_bomb_are_typed_failures(crawler_stub):
    import gzip

    from crawler.middlewares import DecompressionLimitMiddleware, RedirectLimitMiddleware

    crawler = crawler_stub(REDIRECT_MAX_TIMES=1, DOWNLOAD_MAXSIZE=10_000)
    crawler.spider = NewsSpider(start_urls=URL)
    redirects = RedirectLimitMiddleware.from_crawler(crawler)
    hop = Request(URL, meta={"redirect_times": 1, "redirect_ttl": 1})
    with pytest.raises(RequestDropped) as too_many:
        redirects.process_response(hop, Response(URL, status=302, headers={"Location": "/next.html"}))
    assert (too_many.value.refusal, too_many.value.reason) == (False, "too many redirects (more than 1)")
    bomb = Response(URL, status=200, headers={"Content-Encoding": "gzip"}, body=gzip.compress(b"\0" * 100_000))
    with pytest.raises(RequestDropped) as too_large:
        DecompressionLimitMiddleware.from_crawler(crawler).process_response(Request(URL), bomb)
    assert (too_large.value.refusal, too_large.value.reason) == \
        (False, "response too large (over 10,000 bytes once decompressed)")


def test_every_request_waiting_for_robots_txt_gets_the_parser(crawler_stub):
    # Scrapy's own middleware handed the parser to the first waiter only; the others got None ("allow all").
    from twisted.internet.defer import Deferred

    from crawler.middlewares import RobotsTxtPolicyMiddleware

    crawler = crawler_stub()
    crawler.spider = None
    middleware = RobotsTxtPolicyMiddleware(crawler)
    parser = object()

    async def three_requests_wait_for_one_robots_txt():
        pending: Deferred = Deferred()
        middleware._parsers["news.example.org"] = pending
        waiting = [asyncio.ensure_future(middleware.robot_parser(page_request(f"{URL}?n={n}"))) for n in range(3)]
        await asyncio.sleep(0)
        pending.callback(parser)
        return await asyncio.gather(*waiting)

    assert asyncio.run(three_requests_wait_for_one_robots_txt()) == [parser, parser, parser]
