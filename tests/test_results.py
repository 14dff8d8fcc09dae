"""The results stream (crawler/results.py) and its one writer (newsdesk/ops/scaleout.py) against a real
redis-server: messages round-trip typed, the writer stores a batch and acknowledges it only after the commit,
a writer that dies mid-batch is followed by one that stores the pending entries, and a redelivered entry
changes nothing."""

from __future__ import annotations

import redis

from conftest import query
from crawler.frontier import KEYS, decode_fetch_record
from crawler.results import FAILURE, NOT_MODIFIED, ResultMessage, WRITER_GROUP
from extractors import Document
from newsdesk.corpus.ingest import extract_stage
from newsdesk.corpus.store import Store
from newsdesk.devtools.loopback_site import LoopbackNewsSite
from newsdesk.ops.scaleout import ResultsWriter


def page_message(site: LoopbackNewsSite, number: int) -> ResultMessage:
    article = site.articles[number]
    status, headers, body = site.respond(article["path"], "127.0.0.1", {})
    document = Document(content=body, url=article["url"], headers=headers, origin=article["url"], source="crawl",
                        fetched_urls=[article["url"]])
    return ResultMessage.from_extraction(document, extract_stage(document, True))


def test_a_page_result_round_trips_with_its_article_and_raw_page():
    with LoopbackNewsSite() as site:
        message = page_message(site, 0)
    back = ResultMessage.from_fields({key.encode(): value.encode() if isinstance(value, str) else value
                                      for key, value in message.to_fields().items()})
    assert back.article == message.article and back.article.removed == message.article.removed
    assert back.compressed_raw == message.compressed_raw and back.document().content
    assert back.fetched_urls == message.fetched_urls and back.headers == message.headers


def test_the_writer_stores_a_batch_then_acknowledges_it(redis_server, tmp_path):
    client = redis.Redis.from_url(redis_server.url)
    with LoopbackNewsSite() as site:
        messages = [page_message(site, number) for number in range(3)]
    messages.append(ResultMessage(FAILURE, url="http://news.example.org/gone", origin="http://news.example.org/gone",
                                  stage="fetch", reason="HTTP 404"))
    for message in messages:
        client.xadd(KEYS.results, message.to_fields())
    store = Store(tmp_path / "corpus.db")
    writer = ResultsWriter(redis_server.url, store)
    writer.store_batch(writer.read_batch(block_ms=100))
    store.close()
    db = tmp_path / "corpus.db"
    assert query(db, "select count(*) from articles")[0][0] == 3
    assert [tuple(row) for row in query(db, "select stage, reason from failures")] == [("fetch", "HTTP 404")]
    assert client.xlen(KEYS.results) == 0 and client.xpending(KEYS.results, WRITER_GROUP)["pending"] == 0
    record = decode_fetch_record(messages[0].url, client.hget(KEYS.known, messages[0].url))
    assert record.article_id and record.etag, "workers learn the stored article and its validators"
    assert (writer.report.new, writer.report.failed) == (3, 1)


def test_a_batch_left_pending_by_a_dead_writer_is_stored_once_by_the_next(redis_server, tmp_path):
    client = redis.Redis.from_url(redis_server.url)
    with LoopbackNewsSite() as site:
        messages = [page_message(site, number) for number in range(4)]
    for message in messages:
        client.xadd(KEYS.results, message.to_fields())
    db = tmp_path / "corpus.db"
    first_store = Store(db)
    dead = ResultsWriter(redis_server.url, first_store, batch_size=2)
    taken = dead.read_batch(block_ms=100)
    assert len(taken) == 2
    # Stored and committed, but the writer dies before it acknowledges: at-least-once means a second delivery.
    with first_store.transaction():
        for _, fields in taken:
            dead._store_entry(fields)
    first_store.close()
    second_store = Store(db)
    successor = ResultsWriter(redis_server.url, second_store, batch_size=2)
    while entries := successor.read_batch(block_ms=100):
        successor.store_batch(entries)
    second_store.close()
    urls = [row[0] for row in query(db, "select url from articles")]
    assert sorted(urls) == sorted(message.article.url for message in messages), "all stored, none twice"
    assert (successor.report.new, successor.report.unchanged) == (2, 2), "the redelivered pair changed nothing"
    assert client.xpending(KEYS.results, WRITER_GROUP)["pending"] == 0 and client.xlen(KEYS.results) == 0


def test_a_not_modified_result_refreshes_the_fetch_record_and_keeps_its_validators(redis_server, tmp_path):
    client = redis.Redis.from_url(redis_server.url)
    with LoopbackNewsSite() as site:
        message = page_message(site, 0)
    client.xadd(KEYS.results, message.to_fields())
    client.xadd(KEYS.results, ResultMessage(NOT_MODIFIED, url=message.url, headers={}).to_fields())
    store = Store(tmp_path / "corpus.db")
    writer = ResultsWriter(redis_server.url, store)
    writer.store_batch(writer.read_batch(block_ms=100))
    record = store.fetch_record(message.url)
    store.close()
    assert record.etag == message.headers["ETag"] and record.article_id
    assert (writer.report.new, writer.report.not_modified) == (1, 1)
