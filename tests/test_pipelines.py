"""The ingest pipeline: fetched pages go to the ingest core, extraction runs in worker processes, and a page
that crashes or hangs its worker costs one failures row, not the crawl."""

from __future__ import annotations

import asyncio
import zlib
import os
import signal
import time

import pytest

import crawler.pipelines
from conftest import query
from crawler.items import FetchedPage
from crawler.pipelines import IngestPipeline
from hostile_inputs import PARAGRAPH, article_html, paragraphs

pytestmark = pytest.mark.slow  # The pipeline starts extraction worker processes.

PAGE = article_html(paragraphs(PARAGRAPH)).encode()
GENEROUS_TIMEOUT = 120  # seconds


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
    (hang_the_worker, "extraction took longer than 2s"),
    (lambda document, articles_only: None, "extraction worker error: PicklingError: Can't pickle <function <lambda>"),
])
def test_a_page_that_kills_or_hangs_its_worker_costs_one_failure(pipeline, monkeypatch, tmp_path, worker, reason):
    # Only the hanging page needs a short timeout; elsewhere a generous one, since it also covers starting a
    # worker, which takes seconds on a loaded machine.
    ingest = pipeline(NEWSDESK_EXTRACT_WORKERS=1, NEWSDESK_EXTRACT_TIMEOUT=2 if worker is hang_the_worker else GENEROUS_TIMEOUT)
    monkeypatch.setattr(crawler.pipelines, "extract_stage", worker)
    asyncio.run(ingest.process_item(fetched("2024/poison.html")))
    monkeypatch.undo()
    ingest.timeout = GENEROUS_TIMEOUT
    asyncio.run(ingest.process_item(fetched("2024/bridge.html")))
    db = tmp_path / "corpus.db"
    [(url, stage, recorded)] = [tuple(row) for row in query(db, "select url, stage, reason from failures")]
    assert (url, stage) == ("https://news.example.org/2024/poison.html", "extract") and recorded.startswith(reason)
    assert [row[0] for row in query(db, "select url from articles")] == ["https://news.example.org/2024/bridge.html"], \
        "a fresh worker took the next page"
