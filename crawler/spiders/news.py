"""The `news` spider: discovers pages from feeds, sitemaps (also via robots.txt) and start pages, breadth-first,
and yields every fetched HTML page as an item, and every URL it could not use as a failure item. Deciding
what is an article, and storing anything, is the pipeline's job."""

from __future__ import annotations

import asyncio
import html
import re
from urllib.parse import urljoin

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.corpus import stop_for_store_error
from crawler.items import FailedUrl, FetchedPage
from crawler.middlewares import RequestDropped
from crawler.report import SEED_FAILURES_STAT
from newsdesk.corpus.store import StoreError
from newsdesk.corpus.ingest import not_html_reason
from newsdesk.corpus.urls import canonical_url, host_of, is_http_url

# Scheduler priorities: pages named by feeds and sitemaps are fetched before pages found by following links.
PRIORITY_DISCOVERY = 200  # robots.txt, feeds, sitemaps themselves
PRIORITY_LISTED_PAGE = 100  # pages listed in a feed or sitemap
PRIORITY_START_PAGE = 50
PRIORITY_LINKED_PAGE = 0  # pages found by following links

# A link followed from a page that answers that nothing is there (404 Not Found, 410 Gone, 400 Bad Request,
# 414 URI Too Long) is a dead link: counted per crawl (the newsdesk/dead_links stat, in the summary and in
# crawl_runs), not one failures row each. URLs given as start pages or listed by feeds and sitemaps keep their
# failures rows, and so does every other failure: refused access (401, 403, 451), rate limits (429), server
# errors, timeouts, say something about the site or the crawl, not about one link.
DEAD_LINK_STATUSES = frozenset({400, 404, 410, 414})
DEAD_LINKS_STAT = "newsdesk/dead_links"

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
_ATOM = "{http://www.w3.org/2005/Atom}"


# Link discovery reads the raw bytes: scripts, styles and comments are cut out, then every <a>/<area> href
# and any <base href> is taken. A full HTML parse for this costs more than everything else the crawl's
# storing process does with a page; the page is parsed properly, once, where it is extracted.
_NOT_MARKUP_START = re.compile(rb"<(script|style)\b|<!--", re.IGNORECASE)
_LINK_HREF = re.compile(rb"""<(?:a|area)\s(?:[^>]*?\s)?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_BASE_HREF = re.compile(rb"""<base\s(?:[^>]*?\s)?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)


def _href(match: re.Match[bytes]) -> str:
    raw = match.group(1) if match.group(1) is not None else match.group(2) if match.group(2) is not None else match.group(3)
    return html.unescape(raw.decode("utf-8", errors="replace")).strip()


def markup_only(body: bytes) -> bytes:
    """The page without its scripts, styles and comments, found with one forward scan."""
    parts, position, lowered = [], 0, None
    while True:
        opening = _NOT_MARKUP_START.search(body, position)
        if opening is None:
            parts.append(body[position:])
            return b" ".join(parts)
        parts.append(body[position:opening.start()])
        if opening.group(1):  # <script ...> or <style ...>: up to its closing tag
            lowered = body.lower() if lowered is None else lowered
            closing = lowered.find(b"</" + opening.group(1).lower(), opening.end())
            end = body.find(b">", closing) if closing >= 0 else -1
        else:  # <!-- ... -->
            end = body.find(b"-->", opening.end())
            end = end + 2 if end >= 0 else -1
        if end < 0:
            return b" ".join(parts)
        position = end + 1


def page_links(body: bytes, base_url: str) -> list[str]:
    """The http(s) links of an HTML page, absolute, without fragments, in page order, each once."""
    markup = markup_only(body)
    base = _BASE_HREF.search(markup)
    base_url = urljoin(base_url, _href(base)) if base else base_url
    scheme, _, rest = base_url.partition("://")
    origin = f"{scheme}://{rest.split('/', 1)[0]}"
    links: dict[str, None] = {}
    for match in _LINK_HREF.finditer(markup):
        href = _href(match)
        if not href or href.startswith(("mailto:", "javascript:", "tel:", "#", "data:")):
            continue
        # Most links are absolute or site-rooted ("/news/x"): joined without urljoin's full parse.
        if href.startswith(("http://", "https://")):
            absolute = href
        elif href.startswith("/") and not href.startswith("//") and "/." not in href:
            absolute = origin + href
        else:
            absolute = urljoin(base_url, href)
        links.setdefault(absolute.split("#", 1)[0])
    return [url for url in links if is_http_url(url)]


def _readable_fetch_error(error: BaseException, request) -> str:
    if isinstance(error, DownloadTimeoutError):
        return f"fetch failed: timed out (took longer than {request.meta.get('download_timeout', '?')} seconds)"
    if isinstance(error, ResponseDataLossError):
        return "fetch failed: truncated response (the connection closed before the body was complete)"
    if isinstance(error, DownloadConnectionRefusedError):
        return "fetch failed: connection refused"
    if isinstance(error, CannotResolveHostError):
        return f"fetch failed: cannot resolve the host {host_of(request.url)}"
    # Anything else: the exception named, with Twisted's inner error pulled out of its wrapping for reading.
    text = " ".join(str(error).split())
    inner = re.search(r"twisted\.internet\.error\.(\w+): ([^>\]]+)", text)
    if inner:
        return f"fetch failed: {inner.group(1)}: {inner.group(2).strip()}"
    return f"fetch failed: {type(error).__name__}: {text[:200]}"


def _split(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [item for item in value if item]


class NewsSpider(scrapy.Spider):
    name = "news"
    custom_settings: dict = {}

    def __init__(self, start_urls=None, feeds=None, sitemaps=None, allow_domains=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_pages = [url for url in _split(start_urls) if is_http_url(url)]
        self.feeds = [url for url in _split(feeds) if is_http_url(url)]
        self.sitemaps = [url for url in _split(sitemaps) if is_http_url(url)]
        seeds = self.start_pages or self.feeds or self.sitemaps
        self.allowed_domains = sorted({host_of(url) for url in seeds} | set(_split(allow_domains)))
        # Links already followed from some page. A news site links every page to the same menus and teasers;
        # Scrapy's duplicate filter would drop these requests too, but only after building each one and
        # passing it through every middleware, which on link-heavy pages costs more than the page itself.
        self.followed: set[str] = set()
        # Discovery requests (robots.txt, feeds, sitemaps) not yet settled: start pages wait for them, so that a
        # page budget goes to the pages feeds and sitemaps list before the links of start pages.
        self.discovering = 0
        self.discovered = asyncio.Event()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    # --- discovery -------------------------------------------------------------------------------

    async def start(self):
        for host_root in sorted({f"{url.split('://')[0]}://{url.split('://')[1].split('/')[0]}" for url in self.start_pages}):
            yield self._request(urljoin(host_root, "/robots.txt"), self.parse_robots, "discovery", PRIORITY_DISCOVERY)
        for feed in self.feeds:
            yield self._seed(self._request(feed, self.parse_feed, "discovery", PRIORITY_DISCOVERY, allow_offsite=True))
        for sitemap in self.sitemaps:
            yield self._seed(self._request(sitemap, self.parse_sitemap, "discovery", PRIORITY_DISCOVERY, allow_offsite=True))
        crawler = getattr(self, "crawler", None)  # none when a shared frontier is seeded from start()
        if self.start_pages and self.discovering and getattr(crawler, "engine", None) is not None:
            wait = crawler.settings.getfloat("NEWSDESK_DISCOVERY_WAIT", 30.0)
            try:  # bounded: a discovery request dropped where nothing reports it must not stall the crawl
                await asyncio.wait_for(self.discovered.wait(), timeout=wait)
            except asyncio.TimeoutError:
                pass
        for page in self.start_pages:
            yield self._seed(self._request(page, self.parse_page, "page", PRIORITY_START_PAGE))

    @staticmethod
    def _seed(request: scrapy.Request) -> scrapy.Request:
        request.meta["newsdesk_seed"] = True  # a URL the crawl was started with: its failure is reported as it happens
        return request

    def _request(self, url: str, callback, kind: str, priority: int, allow_offsite: bool = False,
                 linked: bool = False) -> scrapy.Request:
        if kind == "page":
            url = canonical_url(url)
        else:
            self.discovering += 1
        meta = {"newsdesk_kind": kind, "allow_offsite": allow_offsite}
        if linked:
            meta["newsdesk_linked"] = True  # found by following a link (not a start URL, feed or sitemap)
        return scrapy.Request(url, callback=callback, errback=self.on_error, priority=priority, meta=meta)

    def _settled(self, request) -> None:
        """A discovery request has been answered, failed or dropped."""
        if request.meta.get("newsdesk_kind") == "discovery" and not request.meta.get("newsdesk_settled"):
            request.meta["newsdesk_settled"] = True
            self.discovering -= 1
            if self.discovering <= 0:
                self.discovered.set()

    def _dropped(self, request, spider=None) -> None:
        self._settled(request)  # the scheduler refused it (a duplicate): no callback or errback will come

    def parse_robots(self, response):
        try:
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                if self.on_allowed_host(url):
                    yield self._request(url, self.parse_sitemap, "discovery", PRIORITY_DISCOVERY)
        finally:
            self._settled(response.request)

    def parse_sitemap(self, response):
        try:
            yield from self._read_sitemap(response)
        finally:
            self._settled(response.request)

    def _read_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as error:
                yield FailedUrl(response.url, "discover", f"sitemap could not be decompressed ({type(error).__name__})")
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml refuses what is not XML at all
            yield FailedUrl(response.url, "discover", "sitemap is not valid XML")
            return
        limit = self.crawler.settings.getint("NEWSDESK_MAX_SITEMAP_URLS")
        for number, entry in enumerate(sitemap):
            if number >= limit:
                yield FailedUrl(response.url, "discover", f"sitemap lists more than {limit:,} URLs; the rest were not read")
                break
            location = entry.get("loc")
            if not location or not is_http_url(location):
                continue
            if sitemap.type == "sitemapindex":
                yield self._request(location, self.parse_sitemap, "discovery", PRIORITY_DISCOVERY)
            else:
                yield self._request(location, self.parse_page, "page", PRIORITY_LISTED_PAGE)

    def parse_feed(self, response):
        try:
            yield from self._read_feed(response)
        finally:
            self._settled(response.request)

    def _read_feed(self, response):
        try:
            root = etree.fromstring(response.body, parser=_XML_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            yield FailedUrl(response.url, "discover", "feed is not valid XML")
            return
        links = [text.strip() for text in root.xpath("//item/link/text()")]
        for link in root.iter(f"{_ATOM}link"):
            in_entry = link.getparent() is not None and link.getparent().tag == f"{_ATOM}entry"
            if in_entry and link.get("rel", "alternate") == "alternate":
                links.append(link.get("href", "").strip())
        for link in links:
            url = urljoin(response.url, link)
            if is_http_url(url):
                yield self._request(url, self.parse_page, "page", PRIORITY_LISTED_PAGE)

    # --- pages -----------------------------------------------------------------------------------

    def parse_page(self, response):
        headers = {key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()}
        chain = [*response.request.meta.get("redirect_urls", []), response.url]
        if response.status == 304:
            yield FetchedPage(url=response.url, status=304, headers=headers, body=b"", fetched_urls=chain)
            return
        not_html = not_html_reason(headers.get("Content-Type"), response.body)
        if not_html:
            # Recorded, so that every fetched URL is accounted for.
            yield self._failed(response.request, not_html)
            return
        yield FetchedPage(url=response.url, status=response.status, headers=headers, body=response.body, fetched_urls=chain)
        for url in page_links(response.body, response.url):
            if url not in self.followed:
                self.followed.add(url)
                if self.on_allowed_host(url):
                    yield self._request(url, self.parse_page, "page", PRIORITY_LINKED_PAGE, linked=True)

    def on_allowed_host(self, url: str) -> bool:
        host = host_of(url)
        return any(host == domain or host.endswith("." + domain) for domain in self.allowed_domains)

    def on_error(self, failure):
        """A request that ended without a response for the callback: a policy refusal (counted in the stats by
        whoever refused it, nothing recorded), or a failure (one failures row), told apart by exception type."""
        request, error = failure.request, failure.value
        self._settled(request)
        if isinstance(error, StoreError):  # a middleware could not read the corpus: nothing can be stored
            stop_for_store_error(self.crawler, error)
            return
        if isinstance(error, RequestDropped):
            if error.refusal:
                return
            reason = error.reason
        elif isinstance(error, HttpError):
            if request.meta.get("newsdesk_linked") and error.response.status in DEAD_LINK_STATUSES:
                self.crawler.stats.inc_value(DEAD_LINKS_STAT)
                return
            if request.callback == self.parse_robots and error.response.status in DEAD_LINK_STATUSES:
                return  # a site without robots.txt: nothing is wrong, it only names no sitemaps
            reason = f"HTTP {error.response.status}"
        elif isinstance(error, DownloadCancelledError):  # Scrapy cancels a download only past DOWNLOAD_MAXSIZE
            limit = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            reason = f"response too large (over {limit:,} bytes)"
        elif isinstance(error, IgnoreRequest):  # dropped by a middleware newsdesk does not know: shown as it said
            reason = f"request dropped: {' '.join(str(error).split())[:200] or type(error).__name__}"
        else:
            reason = _readable_fetch_error(error, request)
        yield self._failed(request, reason)

    def _failed(self, request, reason: str) -> FailedUrl:
        # Recorded under the URL the crawl asked for, not the last hop of its redirects.
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if request.meta.get("newsdesk_seed"):
            seeds = self.crawler.stats.get_value(SEED_FAILURES_STAT) or {}
            self.crawler.stats.set_value(SEED_FAILURES_STAT, {**seeds, url: reason})
        return FailedUrl(url, "fetch", reason)
