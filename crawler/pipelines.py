"""The one item pipeline: each fetched page goes to the same ingest core as `newsdesk replay`, and each URL the
spider could not use becomes a failures row. Nothing else in the crawl writes to the corpus.

Extraction (the CPU-heavy stage) runs in a small pool of worker processes, so the crawl keeps fetching
and storing while pages are extracted, and a page that crashes the parser costs one failure row, not the
crawl. Storing stays in this process: one writer per crawl. When the corpus itself cannot be written
(StoreError), the crawl is stopped: no later page could be stored either."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals

from extractors import Document, warm_up
from crawler.corpus import corpus_for, stop_for_store_error, store_failed
from crawler.items import FailedUrl, FetchedPage
from newsdesk.corpus.ingest import Extraction, Ingestor, extract_stage
from newsdesk.corpus.store import StoreError


def _start_worker() -> None:
    # Ctrl-C and SIGTERM are for the crawl process, which stops gracefully and then closes the pool;
    # a worker dying on them would lose the pages in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    warm_up()


def _worker_ready() -> bool:
    return True


class IngestPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.ingestor = Ingestor(corpus_for(crawler))
        configured = crawler.settings.getint("NEWSDESK_EXTRACT_WORKERS", -1)
        self.workers = (os.cpu_count() or 1) if configured < 0 else configured
        self.timeout = crawler.settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT")
        self.pool: ProcessPoolExecutor | None = None
        crawler.signals.connect(self.start_pool, signal=signals.spider_opened)
        crawler.signals.connect(self.close_pool, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_start_worker)
        return self.pool

    def start_pool(self, spider=None) -> None:
        """Start every worker now, so they load the extractor while the crawl reads robots.txt, feeds and
        sitemaps, instead of when the first page arrives."""
        if self.workers:
            pool = self._pool()
            for _ in range(self.workers):
                pool.submit(_worker_ready)

    def close_pool(self, spider=None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=False)
            self.pool = None

    async def _extract(self, document: Document) -> Extraction:
        if self.workers == 0:
            return extract_stage(document, True)
        pool = self._pool()
        try:
            return await asyncio.wait_for(asyncio.wrap_future(pool.submit(extract_stage, document, True)), self.timeout)
        except asyncio.TimeoutError:
            self._restart_pool()
            return Extraction(stage="extract", reason=f"extraction took longer than {self.timeout:.0f}s")
        except BrokenProcessPool:
            self._restart_pool()
            return Extraction(stage="extract", reason="the extractor process crashed on this page")
        except Exception as error:  # anything else the pool raises (e.g. a page it cannot hand over) costs this page only
            message = " ".join(str(error).split())[:200]
            return Extraction(stage="extract", reason=f"extraction worker error: {type(error).__name__}: {message}")

    def _restart_pool(self) -> None:
        """A stuck or crashed worker poisons the whole pool: kill it and start afresh."""
        pool, self.pool = self.pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

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
