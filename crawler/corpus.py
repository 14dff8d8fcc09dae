"""One Store per running crawler, shared by the pipeline and the middlewares and closed when the engine stops;
and how a crawl stops when that store cannot be used. A frontier worker (NEWSDESK_FRONTIER set) has no SQLite
corpus: it gets crawler.frontier.RemoteCorpus instead."""

from __future__ import annotations

from contextlib import ExitStack

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newsdesk.corpus.store import Store, StoreError

# Set in the crawl's stats when the store failed: the reason, which the summary and the exit code read.
STORE_ERROR_STAT = "newsdesk/store_error"
STORE_ERROR_FINISH_REASON = "store_error"


class _CorpusHandle:
    def __init__(self, crawler):
        self._open = ExitStack()
        if crawler.settings.get("NEWSDESK_FRONTIER"):
            from crawler.frontier import RemoteCorpus

            self.store = self._open.enter_context(RemoteCorpus(crawler))
        else:
            self.store = self._open.enter_context(Store(crawler.settings.get("NEWSDESK_DB")))
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    def close(self) -> None:
        self._open.close()


def corpus_for(crawler) -> Store:
    handle = getattr(crawler, "_newsdesk_corpus", None)
    if handle is None:
        handle = _CorpusHandle(crawler)
        crawler._newsdesk_corpus = handle
    return handle.store


def store_failed(crawler) -> bool:
    return crawler.stats.get_value(STORE_ERROR_STAT) is not None


def stop_for_store_error(crawler, error: StoreError) -> None:
    """The corpus cannot be used, so no further page could be stored: note why (once) and close the spider.
    The pages in flight are dropped without a line each."""
    if store_failed(crawler):
        return
    crawler.stats.set_value(STORE_ERROR_STAT, error.reason)
    engine = getattr(crawler, "engine", None)
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=STORE_ERROR_FINISH_REASON))
