"""The one item pipeline: each fetched page goes to the same ingest core as `newsdesk replay`, and each URL the
spider could not use becomes a failures row. Nothing else in the crawl writes to the corpus.

Extraction (the CPU-heavy stage) runs in a small pool of worker processes, so the crawl keeps fetching
and storing while pages are extracted, and a page that crashes the parser costs one failure row, not the
crawl. Storing stays in this process: one writer per crawl. When the corpus itself cannot be written
(StoreError), the crawl is stopped: no later page could be stored either."""

from __future__ import annotations

from datetime import datetime, timezone

from scrapy import signals

from extractors import Document
from crawler.corpus import corpus_for, stop_for_store_error, store_failed
from crawler.items import FailedUrl, FetchedPage
from newsdesk.corpus.ingest import Extraction, Ingestor
from newsdesk.corpus.store import StoreError
from newsdesk.corpus.workers import ExtractionPool


class IngestPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.ingestor = Ingestor(corpus_for(crawler))
        self.workers = crawler.settings.getint("NEWSDESK_EXTRACT_WORKERS", -1)  # -1: one per CPU
        self.timeout = crawler.settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT")
        self.pool: ExtractionPool | None = None
        crawler.signals.connect(self.start_pool, signal=signals.spider_opened)
        crawler.signals.connect(self.close_pool, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def start_pool(self, spider=None) -> ExtractionPool:
        """Start the workers now, so they load the extractor while the crawl reads robots.txt, feeds and
        sitemaps, instead of when the first page arrives."""
        if self.pool is None:
            self.pool = ExtractionPool(self.workers, timeout=self.timeout, articles_only=True)
        return self.pool

    def close_pool(self, spider=None) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def _extract(self, document: Document) -> Extraction:
        return await self.start_pool().extract(document)

    async def process_item(self, item, spider=None):
        if store_failed(self.crawler):
            return item  # the crawl is stopping because nothing can be stored; the pages in flight are let go
        try:
            if isinstance(item, FailedUrl):
                self._record_failure(item)
            elif isinstance(item, FetchedPage):
                await self._ingest(item)
        except StoreError as error:
            stop_for_store_error(self.crawler, error)
        return item

    def _record_failure(self, item: FailedUrl) -> None:
        self.ingestor.store.record_failure(item.url, item.stage, item.reason, url=item.url)
        self.stats.inc_value(f"newsdesk/{item.stage}_failed")

    async def _ingest(self, item: FetchedPage) -> None:
        if item.status == 304:
            self.ingestor.record_not_modified(item.url, item.headers)
            self.stats.inc_value("newsdesk/not_modified")
            self.stats.inc_value("newsdesk/unchanged")
            return
        document = Document(content=item.body, url=item.url, headers=item.headers, origin=item.url, source="crawl",
                            fetched_urls=item.fetched_urls)
        result = self.ingestor.store_extraction(document, await self._extract(document))
        self.stats.inc_value(f"newsdesk/{result.status}")
        if result.status in ("new", "updated", "unchanged"):
            # When storing began and last happened: the crawl's sustained rate, apart from its start-up.
            now = datetime.now(timezone.utc)
            if self.stats.get_value("newsdesk/first_stored_at") is None:
                self.stats.set_value("newsdesk/first_stored_at", now)
            self.stats.set_value("newsdesk/last_stored_at", now)
