"""The one item pipeline: each fetched page goes to the same ingest core as `newsdesk replay`."""

from __future__ import annotations

from extractors import Document
from crawler.corpus import corpus_for
from crawler.items import FetchedPage
from newsdesk.ingest import Ingestor


class IngestPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.ingestor = Ingestor(corpus_for(crawler))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        store = self.ingestor.store
        if item.status == 304:
            # Unchanged since the last fetch: refresh the fetch time, keep the validators.
            record = store.fetch_record(item.url)
            store.record_fetch(item.url, record.article_id if record else None, status=304,
                               etag=item.headers.get("ETag") or (record.etag if record else None),
                               last_modified=item.headers.get("Last-Modified") or (record.last_modified if record else None))
            self.stats.inc_value("newsdesk/not_modified")
            self.stats.inc_value("newsdesk/unchanged")
            return item
        document = Document(content=item.body, url=item.url, headers=item.headers, origin=item.url, source="crawl",
                            fetched_urls=item.fetched_urls)
        result = self.ingestor.ingest(document, articles_only=True)
        self.stats.inc_value(f"newsdesk/{result.status}")
        if result.status == "failed":
            self.crawler.newsdesk_last_error = f"{item.url}: {result.reason}"
        return item
