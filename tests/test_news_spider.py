"""The `news` spider's discovery, one callback at a time: robots.txt Sitemap lines, sitemap indexes, gzipped
news sitemaps, RSS and Atom feeds first (by priority), then in-site links breadth-first."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

from crawler.items import FailedUrl, FetchedPage
from crawler.spiders.news import (
    PRIORITY_DISCOVERY, PRIORITY_LISTED_PAGE, PRIORITY_START_PAGE, NewsSpider, page_links,
)

SITE = "https://news.example.org"
URLSET = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'


@pytest.fixture
def spider(crawler_stub):
    def make(settings: dict | None = None, **arguments) -> NewsSpider:
        news = NewsSpider(**{"start_urls": SITE + "/", **arguments})
        news._set_crawler(crawler_stub(**(settings or {})))
        return news
    return make


def response(kind, url: str, body: bytes, headers: dict | None = None, meta: dict | None = None):
    return kind(url=url, body=body, headers=headers or {}, request=Request(url, meta=meta or {}))


def collect(results) -> list:
    return list(results or [])


def started(news: NewsSpider) -> list[Request]:
    async def gather():
        return [request async for request in news.start()]
    return asyncio.run(gather())


def test_feeds_and_sitemaps_are_fetched_before_start_pages(spider):
    news = spider(feeds=SITE + "/rss.xml", sitemaps=SITE + "/sitemap_index.xml")
    requests = {request.url: request for request in started(news)}
    assert requests[SITE + "/robots.txt"].priority == PRIORITY_DISCOVERY
    assert requests[SITE + "/rss.xml"].priority == requests[SITE + "/sitemap_index.xml"].priority == PRIORITY_DISCOVERY
    assert requests[SITE + "/"].priority == PRIORITY_START_PAGE
    assert PRIORITY_DISCOVERY > PRIORITY_LISTED_PAGE > PRIORITY_START_PAGE > 0, "links found on pages come last"


def test_crawl_is_breadth_first(crawler_stub):
    settings = crawler_stub().settings
    assert settings.getint("DEPTH_PRIORITY") == 1, "deeper pages wait behind shallower ones"
    assert settings.get("SCHEDULER_MEMORY_QUEUE").endswith("FifoMemoryQueue")
    assert settings.get("SCHEDULER_DISK_QUEUE").endswith("FifoDiskQueue")


def test_robots_sitemap_lines_on_the_site_are_followed(spider):
    robots = (f"User-agent: *\nDisallow: /private/\nSitemap: {SITE}/sitemap_index.xml\n"
              "Sitemap: https://tracker.example.com/sitemap.xml\n").encode()
    requests = collect(spider().parse_robots(response(TextResponse, SITE + "/robots.txt", robots)))
    assert [request.url for request in requests] == [SITE + "/sitemap_index.xml"], "another host's sitemap is not read"
    assert requests[0].priority == PRIORITY_DISCOVERY


def test_a_sitemap_index_leads_to_its_sitemaps(spider):
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{SITE}/sitemaps/news.xml.gz</loc></sitemap><sitemap><loc>{SITE}/sitemaps/pages.xml</loc></sitemap>"
             "</sitemapindex>").encode()
    requests = collect(spider().parse_sitemap(response(XmlResponse, SITE + "/sitemap_index.xml", index)))
    assert [request.url for request in requests] == [SITE + "/sitemaps/news.xml.gz", SITE + "/sitemaps/pages.xml"]
    assert {request.callback.__name__ for request in requests} == {"parse_sitemap"}


def test_a_gzipped_news_sitemap_lists_pages_ahead_of_followed_links(spider):
    entries = (f"<url><loc>{SITE}/2024/bridge.html?utm_source=sitemap</loc>"
               "<news:news><news:title>Bridge</news:title></news:news></url>"
               f"<url><loc>{SITE}/2024/harbour.html</loc></url><url><loc>ftp://news.example.org/file</loc></url>")
    body = gzip.compress(URLSET.format(entries).replace(
        "<urlset ", '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" ').encode())
    requests = collect(spider().parse_sitemap(response(Response, SITE + "/sitemaps/news.xml.gz", body)))
    assert [request.url for request in requests] == [SITE + "/2024/bridge.html", SITE + "/2024/harbour.html"]
    assert {request.priority for request in requests} == {PRIORITY_LISTED_PAGE}
    assert {request.callback.__name__ for request in requests} == {"parse_page"}


def test_a_sitemap_longer_than_the_limit_is_cut_and_the_cut_yielded_as_a_failure(spider):
    entries = "".join(f"<url><loc>{SITE}/a/{number}.html</loc></url>" for number in range(30))
    news = spider(settings={"NEWSDESK_MAX_SITEMAP_URLS": 10})
    *requests, cut = collect(news.parse_sitemap(response(XmlResponse, SITE + "/big.xml", URLSET.format(entries).encode())))
    assert len(requests) == 10 and all(isinstance(request, Request) for request in requests)
    assert cut == FailedUrl(SITE + "/big.xml", "discover", "sitemap lists more than 10 URLs; the rest were not read")


@pytest.mark.parametrize("parse, body, reason", [
    ("parse_sitemap", b"\x1f\x8b not really gzip", "sitemap could not be decompressed (BadGzipFile)"),
    ("parse_sitemap", b"", "sitemap is not valid XML"),
    ("parse_feed", b"", "feed is not valid XML"),
])
def test_an_unreadable_feed_or_sitemap_is_yielded_as_a_failure_not_stored_by_the_spider(spider, tmp_path, parse, body, reason):
    news = spider()
    assert collect(getattr(news, parse)(response(Response, SITE + "/listing.xml", body))) == [
        FailedUrl(SITE + "/listing.xml", "discover", reason)]
    assert not (tmp_path / "corpus.db").exists(), "the spider never opens the corpus: storing is the pipeline's job"


def test_rss_and_atom_feeds_list_their_articles(spider):
    rss = (f"<rss version='2.0'><channel><title>News</title><item><link>{SITE}/a.html</link></item>"
           "<item><link>/b.html</link></item></channel></rss>").encode()
    atom = ("<feed xmlns='http://www.w3.org/2005/Atom'><link href='https://news.example.org/'/>"
            f"<entry><link rel='alternate' href='{SITE}/c.html'/><link rel='enclosure' href='{SITE}/c.mp3'/></entry>"
            "</feed>").encode()
    news = spider()
    from_rss = collect(news.parse_feed(response(XmlResponse, SITE + "/rss.xml", rss)))
    from_atom = collect(news.parse_feed(response(XmlResponse, SITE + "/atom.xml", atom)))
    assert [request.url for request in from_rss] == [SITE + "/a.html", SITE + "/b.html"]
    assert [request.url for request in from_atom] == [SITE + "/c.html"], "only the entry's own page, not the feed's or enclosures"
    assert {request.priority for request in from_rss + from_atom} == {PRIORITY_LISTED_PAGE}


def test_billion_laughs_entities_are_never_expanded(spider):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    feed = (laughs + "<rss><channel><item><link>https://news.example.org/&lol3;</link></item></channel></rss>").encode()
    urls = [request.url for request in collect(spider().parse_feed(response(XmlResponse, SITE + "/rss.xml", feed)))]
    assert not [url for url in urls if "lollol" in url]


def test_a_page_is_handed_on_whole_and_only_its_in_site_links_are_followed(spider):
    page = ("<html><head><title>Story</title></head><body><p>Text</p><a href='/next.html#top'>next</a>"
            "<a href='https://elsewhere.example.com/x.html'>other host</a><a href='mailto:desk@example.org'>mail</a>"
            "<a href='https://cdn.news.example.org/y.html'>subdomain</a></body></html>").encode()
    results = collect(spider().parse_page(response(HtmlResponse, SITE + "/story.html", page,
                                                   headers={"Content-Type": "text/html", "ETag": '"v1"'},
                                                   meta={"redirect_urls": [SITE + "/s/1"]})))
    item, *requests = results
    assert isinstance(item, FetchedPage)
    etag = {name.lower(): value for name, value in item.headers.items()}["etag"]
    assert (item.url, item.status, item.body, etag) == (SITE + "/story.html", 200, page, '"v1"')
    assert item.fetched_urls == [SITE + "/s/1", SITE + "/story.html"], "every URL the page was met under"
    assert [request.url for request in requests] == [SITE + "/next.html", "https://cdn.news.example.org/y.html"]
    assert {request.priority for request in requests} == {0}


def test_non_html_responses_are_passed_over_with_a_reason_but_mislabelled_pages_are_not(spider):
    news = spider()
    pdf = response(Response, SITE + "/report.pdf", b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    assert collect(news.parse_page(pdf)) == [
        FailedUrl(SITE + "/report.pdf", "fetch", "not an HTML page (Content-Type application/pdf)")]
    mislabelled = response(Response, SITE + "/story", b"<!DOCTYPE html><html><body><p>Text</p></body></html>",
                           headers={"Content-Type": "application/octet-stream"})
    assert isinstance(collect(news.parse_page(mislabelled))[0], FetchedPage)


def test_page_links_resolve_against_base_and_drop_fragments_and_other_schemes():
    page = (b"<html><head><base href='https://news.example.org/section/'></head><body>"
            b"<a href='story.html#comments'>a</a><a href='story.html'>again</a><a href='javascript:void(0)'>js</a>"
            b"<a href='ftp://news.example.org/f'>ftp</a><area href='/map.html'></body></html>")
    assert page_links(page, "https://news.example.org/") == ["https://news.example.org/section/story.html",
                                                            "https://news.example.org/map.html"]
    assert page_links(b"", "https://news.example.org/") == []


def test_page_links_come_from_markup_only_with_entities_decoded():
    page = (b"<html><head><script>var next = '<a href=\"/from-script\">x</a>';</script>"
            b"<style>a[href='/from-style'] {}</style></head><body><!-- <a href='/commented-out'>old</a> -->"
            b"<a class='x' href=\"/search?q=bridge&amp;page=2\">next</a><A HREF=/bare>bare</A>"
            b"<a data-href='/not-a-link' title='t'>no href</a><p>a href='/in-text'</p></body></html>")
    assert page_links(page, "https://news.example.org/a/") == ["https://news.example.org/search?q=bridge&page=2",
                                                              "https://news.example.org/bare"]


def failed(request: Request, error: BaseException):
    from twisted.python.failure import Failure

    failure = Failure(error)
    failure.request = request
    return failure


def test_errors_are_told_apart_by_exception_type_never_by_message_text(spider):
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.middlewares import RequestDropped

    news = spider(settings={"DOWNLOAD_MAXSIZE": 1000})
    url = SITE + "/a.html"

    def outcome(error, meta=None):
        return collect(news.on_error(failed(Request(url, meta=meta or {}), error)))

    # Refusals say nothing, whatever their message; failures say why, whatever their message.
    assert outcome(RequestDropped("HTTP 404 redirect loop failed", refusal=True)) == []
    assert outcome(RequestDropped("robots.txt offsite known article", refusal=False)) == [
        FailedUrl(url, "fetch", "robots.txt offsite known article")]
    assert outcome(HttpError(Response(url, status=404), "Ignoring non-200 response")) == [FailedUrl(url, "fetch", "HTTP 404")]
    assert outcome(DownloadCancelledError("robots.txt")) == [FailedUrl(url, "fetch", "response too large (over 1,000 bytes)")]
    assert outcome(DownloadTimeoutError("robots.txt"), {"download_timeout": 3}) == [
        FailedUrl(url, "fetch", "fetch failed: timed out (took longer than 3 seconds)")]
    assert outcome(IgnoreRequest("Forbidden by robots.txt")) == [
        FailedUrl(url, "fetch", "request dropped: Forbidden by robots.txt")], "an untyped IgnoreRequest is not a refusal"
    redirected = collect(news.on_error(failed(Request(SITE + "/b.html", meta={"redirect_urls": [url]}),
                                              RequestDropped("too many redirects (more than 5)", refusal=False))))
    assert redirected == [FailedUrl(url, "fetch", "too many redirects (more than 5)")], "recorded under the URL asked for"


def test_a_store_error_met_by_a_middleware_stops_the_crawl_without_a_failure_item(spider):
    from crawler.corpus import STORE_ERROR_STAT
    from newsdesk.corpus.store import StoreError

    news = spider()
    assert collect(news.on_error(failed(Request(SITE + "/a.html"), StoreError("corpus.db is not a SQLite database")))) == []
    assert news.crawler.stats.get_value(STORE_ERROR_STAT) == "corpus.db is not a SQLite database"
