"""The ingest pipeline: fetched pages go to the ingest core, extraction runs in worker processes, and a page
that crashes or hangs its worker costs one failures row, not the crawl."""

from __future__ import annotations

import asyncio
import zlib
import os
import signal
import time

import pytest

from conftest import query
from crawler.items import FailedUrl, FetchedPage
from crawler.pipelines import IngestPipeline
from newsdesk.corpus.workers import ExtractionPool
from hostile_inputs import PARAGRAPH, article_html, paragraphs

pytestmark = pytest.mark.slow  # The pipeline starts extraction worker processes.

PAGE = article_html(paragraphs(PARAGRAPH)).encode()


def crash_the_worker(document, articles_only):
    os.kill(os.getpid(), signal.SIGKILL)  # what a segfault in a parser looks like from outside


def hang_the_worker(document, articles_only):
    time.sleep(600)


def fetched(path: str, body: bytes = PAGE) -> FetchedPage:
    return FetchedPage(url=f"https://news.example.org/{path}", status=200, headers={"Content-Type": "text/html"}, body=body)


@pytest.fixture
def pipeline(crawler_stub):
    made = []

    def make(**settings) -> IngestPipeline:
        made.append(IngestPipeline.from_crawler(crawler_stub(**settings)))
        return made[-1]

    yield make
    for each in made:
        each.close_pool()


def test_pages_are_extracted_in_workers_and_stored(pipeline, tmp_path):
    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=1)
    asyncio.run(ingest.process_item(fetched("2024/bridge.html")))
    assert ingest.pool is not None, "extraction ran in the worker pool"
    assert ingest.stats.get_value("newsdesk/new") == 1
    assert [row[0] for row in query(tmp_path / "corpus.db", "select url from articles")] == ["https://news.example.org/2024/bridge.html"]
    first, last = ingest.stats.get_value("newsdesk/first_stored_at"), ingest.stats.get_value("newsdesk/last_stored_at")
    assert first is not None and first == last, "the storing window opens with the first article stored"
    raw = query(tmp_path / "corpus.db", "select content, size from raw_documents")[0]
    assert len(zlib.decompress(raw["content"])) == raw["size"], "the worker's compressed copy is what the store keeps"


@pytest.mark.parametrize("worker, reason", [
    (crash_the_worker, "the extractor process crashed on this page"),
    (hang_the_worker, "extraction timed out after 2 s"),
])
def test_a_page_that_kills_or_hangs_its_worker_costs_one_failure(pipeline, tmp_path, worker, reason):
    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=1, NEWSDESK_EXTRACT_TIMEOUT=2)
    ingest.pool = ExtractionPool(1, timeout=2, articles_only=True, function=worker)
    asyncio.run(ingest.process_item(fetched("2024/poison.html")))
    ingest.close_pool()
    asyncio.run(ingest.process_item(fetched("2024/bridge.html")))
    db = tmp_path / "corpus.db"
    [(url, stage, recorded)] = [tuple(row) for row in query(db, "select url, stage, reason from failures")]
    assert (url, stage, recorded) == ("https://news.example.org/2024/poison.html", "extract", reason)
    assert [row[0] for row in query(db, "select url from articles")] == ["https://news.example.org/2024/bridge.html"], \
        "the next page was extracted"


def test_failure_items_become_counted_failures_rows(pipeline, tmp_path):
    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=0)
    for _ in range(2):
        asyncio.run(ingest.process_item(FailedUrl("https://news.example.org/gone.html", "fetch", "HTTP 404")))
    asyncio.run(ingest.process_item(FailedUrl("https://news.example.org/rss.xml", "discover", "feed is not valid XML")))
    rows = [tuple(row) for row in query(tmp_path / "corpus.db", "select url, stage, reason, count from failures order by id")]
    assert rows == [("https://news.example.org/gone.html", "fetch", "HTTP 404", 2),
                    ("https://news.example.org/rss.xml", "discover", "feed is not valid XML", 1)]
    assert ingest.stats.get_value("newsdesk/fetch_failed") == 2 and ingest.stats.get_value("newsdesk/discover_failed") == 1


def test_a_store_that_cannot_be_written_stops_the_crawl_once_without_a_traceback(pipeline, tmp_path):
    from crawler.corpus import STORE_ERROR_STAT, corpus_for

    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=0)
    asyncio.run(ingest.process_item(fetched("2024/first.html")))
    corpus_for(ingest.crawler).db.execute("PRAGMA query_only = 1")  # every write is refused from here on
    for path in ("2024/second.html", "2024/third.html"):
        item = fetched(path)
        assert asyncio.run(ingest.process_item(item)) is item, "no exception reaches Scrapy, so no traceback per page"
    asyncio.run(ingest.process_item(FailedUrl("https://news.example.org/gone.html", "fetch", "HTTP 404")))
    reason = ingest.stats.get_value(STORE_ERROR_STAT)
    assert reason.startswith(str(tmp_path / "corpus.db")) and "readonly" in reason
    assert ingest.stats.get_value("newsdesk/new") == 1 and ingest.stats.get_value("newsdesk/failed") is None
    assert [row[0] for row in query(tmp_path / "corpus.db", "select url from articles")] == ["https://news.example.org/2024/first.html"]


def test_the_pipeline_extracts_in_the_pool_with_the_configured_budget(pipeline):
    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=2, NEWSDESK_EXTRACT_TIMEOUT=7)
    pool = ingest.start_pool()
    assert (pool.workers, pool.timeout, pool.articles_only) == (2, 7, True)
