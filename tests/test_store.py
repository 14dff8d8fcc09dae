"""The corpus store: idempotent upserts, revisions, raw inputs kept, FTS, failures."""

from __future__ import annotations

import json
import zlib

from extractors import Article, Document
from newsdesk.corpus.store import Store


def make_article(url: str | None = "https://example.org/a", title: str = "Headline", body: str = "Body text " * 30) -> Article:
    return Article(url=url, title=title, body=body, authors=["Jane Doe"], credits=["Reuters"], outlet="Example",
                   language="en", published="2024-02-20")


def make_document(content: bytes = b"raw", url: str | None = "https://example.org/a") -> Document:
    return Document(content=content, url=url, origin=url or "file.txt", source="crawl" if url else "replay")


def test_same_url_twice_is_one_row_unchanged(store: Store):
    document = make_document()
    raw_id = store.save_raw(document)
    first = store.save_article(make_article(), document, raw_id)
    second = store.save_article(make_article(), document, raw_id)
    assert (first.status, second.status) == ("new", "unchanged")
    assert first.article_id == second.article_id
    assert store.counts()["articles"] == 1


def test_changed_body_updates_in_place_and_keeps_the_old_version(store: Store):
    document = make_document()
    raw_id = store.save_raw(document)
    first = store.save_article(make_article(body="Old text " * 30), document, raw_id)
    changed = make_document(b"raw2")
    second = store.save_article(make_article(body="New text " * 30), changed, store.save_raw(changed))
    assert second.status == "updated" and second.article_id == first.article_id
    assert store.counts()["articles"] == 1
    versions = list(store.db["article_versions"].rows)
    assert len(versions) == 1 and versions[0]["body"].startswith("Old text")
    assert store.article(first.article_id)["body"].startswith("New text")


def test_articles_without_url_are_deduplicated_by_content(store: Store):
    for origin in ("a/one.txt", "b/copy-of-one.txt"):
        document = Document(content=b"same bytes", origin=origin)
        store.save_article(make_article(url=None), document, store.save_raw(document))
    assert store.counts()["articles"] == 1
    assert store.counts()["raw_documents"] == 1


def test_raw_input_is_kept_compressed_and_recoverable(store: Store):
    content = ("<html><body>" + "paragraph " * 2000 + "</body></html>").encode()
    raw_id = store.save_raw(make_document(content))
    stored = store.db.execute("SELECT content, size FROM raw_documents WHERE id = ?", [raw_id]).fetchone()
    assert len(stored[0]) < len(content) / 10, "raw content is stored compressed"
    assert stored[1] == len(content)
    assert zlib.decompress(stored[0]) == content == store.raw_content(raw_id)


def test_json_columns_and_word_count(store: Store):
    document = make_document()
    outcome = store.save_article(make_article(), document, store.save_raw(document))
    row = store.article(outcome.article_id)
    assert json.loads(row["authors"]) == ["Jane Doe"]
    assert json.loads(row["credits"]) == ["Reuters"]
    assert row["word_count"] == 60
    assert row["extractor_version"] and row["ingested_at"] and row["content_hash"]


def test_full_text_search_finds_title_and_body(store: Store):
    document = make_document()
    article = make_article(title="Putin sends Kim an Aurus", body="A limousine " * 40)
    store.save_article(article, document, store.save_raw(document))
    assert [hit["title"] for hit in store.search("Aurus")] == ["Putin sends Kim an Aurus"]
    assert len(store.search("limousine")) == 1
    assert store.search("nonexistentword") == []


def test_search_index_follows_updates(store: Store):
    document = make_document()
    store.save_article(make_article(body="zeppelin " * 50), document, store.save_raw(document))
    store.save_article(make_article(body="submarine " * 50), document, store.save_raw(document))
    assert store.search("zeppelin") == []
    assert len(store.search("submarine")) == 1


def test_fetch_records_find_an_article_by_any_url(store: Store):
    document = make_document()
    outcome = store.save_article(make_article(), document, store.save_raw(document))
    store.record_fetch("https://example.org/a?utm_source=x", outcome.article_id, etag='"v1"')
    record = store.fetch_record("https://example.org/a?utm_source=x")
    assert record.article_id == outcome.article_id and record.etag == '"v1"'
    assert store.fetch_record("https://example.org/unknown") is None


def test_wal_mode_and_integrity(tmp_path):
    corpus = Store(tmp_path / "c.db")
    assert corpus.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert corpus.integrity_ok()
    corpus.close()


def test_failures_are_recorded_with_stage_and_reason(store: Store):
    store.record_failure("bad.html", "decode", "binary content (PNG image), not a page")
    row = next(iter(store.db["failures"].rows))
    assert (row["origin"], row["stage"], row["reason"]) == ("bad.html", "decode", "binary content (PNG image), not a page")
    assert row["at"]


def test_reextract_rebuilds_articles_from_kept_raw_inputs(store: Store, seed_paths):
    from newsdesk.corpus.ingest import Ingestor
    from newsdesk.corpus.reextract import reextract

    ingestor = Ingestor(store)
    for path in seed_paths:
        assert ingestor.ingest(Document(content=path.read_bytes(), origin=str(path))).status == "new"
    store.db.execute("UPDATE articles SET body = 'stale', extractor_version = 'old'")
    outcomes = reextract(store)
    assert outcomes["updated"] == 5
    assert all(row["body"] != "stale" and row["extractor_version"] != "old" for row in store.articles())
    assert reextract(store) == {}, "nothing is outdated any more"
    assert store.counts()["articles"] == 5
