"""One Store per running crawler, shared by the pipeline and the middlewares and closed when the engine stops."""

from __future__ import annotations

from scrapy import signals

from newsdesk.corpus.store import Store


class _CorpusHandle:
    def __init__(self, crawler):
        self.store = Store(crawler.settings.get("NEWSDESK_DB"))
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    def close(self) -> None:
        self.store.close()


def corpus_for(crawler) -> Store:
    handle = getattr(crawler, "_newsdesk_corpus", None)
    if handle is None:
        handle = _CorpusHandle(crawler)
        crawler._newsdesk_corpus = handle
    return handle.store
