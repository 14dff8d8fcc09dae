"""The corpus store: idempotent upserts, revisions, raw inputs kept, FTS, failures."""

from __future__ import annotations

import json
import sqlite3
import sys
import zlib

import pytest
import sqlite_utils

from conftest import query, run_unprivileged
from extractors import Article, Document
from newsdesk.corpus.store import Store, StoreError


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


# --- schema versions ---------------------------------------------------------------------------------

def test_a_new_database_gets_every_migration_recorded(tmp_path):
    from newsdesk.corpus.store import MIGRATIONS

    with Store(tmp_path / "new.db") as corpus:
        applied = corpus.applied_migrations()
    assert applied == [migration.name for migration in MIGRATIONS.pending(sqlite_utils.Database(memory=True))]
    assert applied[:2] == ["0001_initial_schema", "0002_failure_counts"]
    with Store(tmp_path / "new.db") as again:
        assert again.applied_migrations() == applied, "opening again applies nothing twice"


def test_a_database_of_the_previous_release_opens_and_upgrades_in_place(tmp_path):
    from fixtures.legacy_schema import LEGACY_ARTICLE_URL, LEGACY_FAILURE, LEGACY_FAILURE_TIMES, create_legacy_corpus

    db = tmp_path / "legacy.db"
    create_legacy_corpus(db)
    with Store(db) as corpus:
        assert corpus.applied_migrations()[:2] == ["0001_initial_schema", "0002_failure_counts"]
        assert [hit["url"] for hit in corpus.search("harbour")] == [LEGACY_ARTICLE_URL], "articles and their index kept"
        assert corpus.raw_content(1) == b"<p>story</p>\n"
        assert [run.status for run in corpus.crawl_runs()] == ["ok"]
        origin, url, stage, reason = LEGACY_FAILURE
        corpus.record_failure(origin, stage, reason, url=url)
    rows = [dict(row) for row in query(db, "select origin, stage, reason, at, count, last_seen from failures order by id")]
    merged = next(row for row in rows if row["origin"] == origin)
    assert len(rows) == 2, "the failure 0.1 recorded three times is one row now"
    assert merged["count"] == 4 and merged["at"] == LEGACY_FAILURE_TIMES[0], "three old rows merged, one new occurrence"
    assert merged["last_seen"] > LEGACY_FAILURE_TIMES[-1]
    single = next(row for row in rows if row["origin"] == "empty.txt")
    assert (single["count"], single["last_seen"]) == (1, single["at"])


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    from newsdesk.corpus import store as store_module

    def broken(db):
        db["failures"].add_column("half_done", str)
        raise RuntimeError("migration bug")

    migrations = store_module.Migrations("newsdesk")
    for migration in store_module.MIGRATIONS._migrations:
        migrations(name=migration.name)(migration.fn)
    migrations(name="0099_broken")(broken)
    with Store(tmp_path / "c.db"):
        pass
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(tmp_path / "c.db")
    columns = [row["name"] for row in query(tmp_path / "c.db", "select name from pragma_table_info('failures')")]
    assert "half_done" not in columns, "the migration ran inside a transaction that was rolled back"
    assert "0099_broken" not in [row[0] for row in query(tmp_path / "c.db", "select name from _sqlite_migrations")]


# --- failures ----------------------------------------------------------------------------------------

def test_the_same_failure_again_is_counted_not_added_again(store: Store):
    for _ in range(3):
        store.record_failure("broken.html", "decode", "binary content (PNG image), not a page")
    store.record_failure("broken.html", "read", "unreadable: Permission denied")
    store.record_failure("https://example.org/x", "fetch", "HTTP 404", url="https://example.org/x")
    store.record_failure("https://example.org/x", "fetch", "HTTP 404", url="https://example.org/x")
    rows = {(row["origin"], row["stage"]): row for row in store.db["failures"].rows}
    assert len(rows) == 3, "another stage or reason is another row"
    assert rows[("broken.html", "decode")]["count"] == 3 and rows[("broken.html", "read")]["count"] == 1
    assert rows[("https://example.org/x", "fetch")]["count"] == 2
    first = rows[("broken.html", "decode")]
    assert first["at"] <= first["last_seen"]


# --- database problems -------------------------------------------------------------------------------

def test_a_file_that_is_not_sqlite_is_one_store_error(tmp_path):
    (tmp_path / "notes.db").write_bytes(b"These are my notes, not a database. " * 100)
    with pytest.raises(StoreError) as error:
        Store(tmp_path / "notes.db")
    assert error.value.reason == f"{tmp_path / 'notes.db'} is not a SQLite database"
    assert (tmp_path / "notes.db").read_bytes().startswith(b"These are my notes"), "the file is left alone"


def test_a_folder_that_cannot_be_made_is_one_store_error(tmp_path):
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder .*plain-file: a file of that name is in the way"):
        Store(tmp_path / "plain-file" / "corpus.db")


def test_a_database_locked_longer_than_the_busy_timeout_is_one_store_error(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(db, busy_timeout=0.2) as corpus:  # opening an up-to-date corpus needs no write lock
            assert corpus.counts()["articles"] == 0
            with pytest.raises(StoreError, match=r"c\.db stayed locked by another process for more than 0\.2s"):
                corpus.record_failure("x.html", "read", "unreadable")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_busy_timeout_comes_from_the_environment_and_a_bad_value_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_BUSY_TIMEOUT", "2.5")
    with Store(tmp_path / "c.db") as corpus:
        assert corpus.db.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
    monkeypatch.setenv("NEWSDESK_BUSY_TIMEOUT", "soon")
    with pytest.raises(StoreError, match="NEWSDESK_BUSY_TIMEOUT must be a number of seconds, got 'soon'"):
        Store(tmp_path / "c.db")


def test_a_full_disk_is_one_store_error_and_what_was_stored_stays(store: Store):
    document = make_document()
    store.save_article(make_article(), document, store.save_raw(document))
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk looks like to SQLite: SQLITE_FULL
    big = make_document(content=bytes(range(256)) * 40_000, url="https://example.org/big")
    with pytest.raises(StoreError, match="the disk holding .*corpus.db is full"):
        store.save_raw(big)
    assert store.counts()["articles"] == 1 and store.counts()["raw_documents"] == 1
    assert store.integrity_ok()


def test_errors_about_one_statement_stay_what_they_are(store: Store):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.db.execute("SELECT * FROM no_such_table")


def test_the_store_is_a_context_manager_that_closes_its_connection(tmp_path):
    with Store(tmp_path / "c.db") as corpus:
        assert corpus.counts()["articles"] == 0
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        corpus.db.execute("SELECT 1")


def test_check_writable_finds_a_read_only_database_before_any_write(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    script = ("import sys\nfrom newsdesk.corpus.store import Store, StoreError\n"
              "corpus = Store(sys.argv[1])\nprint(corpus.counts()['articles'])\n"
              "try:\n    corpus.check_writable()\nexcept StoreError as error:\n    print(error.reason)\n")
    db.chmod(0o444)
    result = run_unprivileged([sys.executable, "-c", script, str(db)])
    assert result.stdout.splitlines() == ["0", f"{db} is read-only"], result.stderr


def test_migration_0004_gives_an_older_corpus_stories_columns_that_a_rebuild_fills(tmp_path):
    from fixtures.legacy_schema import LEGACY_ARTICLE_URL, create_legacy_corpus
    from newsdesk.corpus.stories import rebuild_stories

    db = tmp_path / "legacy.db"
    create_legacy_corpus(db)
    with Store(db) as corpus:
        assert "0004_stories" in corpus.applied_migrations()
        columns = corpus.db["articles"].columns_dict
        assert {"story_id", "copy_of"} <= set(columns)
        assert corpus.story_totals().articles_without_story == corpus.counts()["articles"] > 0
        trigger = corpus.db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_au'").fetchone()[0]
        assert "UPDATE OF title, body" in trigger, "story ids are written without re-indexing the text"
        report = rebuild_stories(corpus)
        assert report.articles == corpus.counts()["articles"] and corpus.story_totals().articles_without_story == 0
        (overview,) = corpus.stories()
        assert overview.article_count == 1 and corpus.story(overview.story_id)[1][0].url == LEGACY_ARTICLE_URL
        assert [hit["url"] for hit in corpus.search("harbour")] == [LEGACY_ARTICLE_URL], "the text index still follows"


def test_migration_0006_gives_older_crawl_runs_a_dead_links_count_of_zero(tmp_path, monkeypatch):
    from newsdesk.corpus import store as store_module
    from newsdesk.corpus.store import RunCounts

    shipped = store_module.MIGRATIONS
    before = store_module.Migrations("newsdesk")
    for migration in shipped._migrations:
        if migration.name < "0006":
            before(name=migration.name)(migration.fn)
    monkeypatch.setattr(store_module, "MIGRATIONS", before)
    with Store(tmp_path / "c.db") as corpus:  # a corpus of the release before dead links were counted
        assert "dead_links" not in corpus.db["crawl_runs"].columns_dict
        corpus.db["crawl_runs"].insert({"job": "nightly", "started_at": "2024-01-01T00:00:00Z", "status": "ok",
                                        "pages_fetched": 10, "articles_new": 4, "articles_updated": 0,
                                        "articles_unchanged": 0, "failures": 2})
    monkeypatch.setattr(store_module, "MIGRATIONS", shipped)
    with Store(tmp_path / "c.db") as corpus:
        assert "0006_dead_links" in corpus.applied_migrations()
        (old,) = corpus.crawl_runs()
        assert (old.job, old.failures, old.dead_links) == ("nightly", 2, 0)
        corpus.finish_crawl_run(corpus.start_crawl_run("nightly"), "ok", RunCounts(pages_fetched=5, dead_links=7))
        assert [run.dead_links for run in corpus.crawl_runs()] == [7, 0]
        assert corpus.stats()["dead_links"] == 7


def test_a_failing_nested_write_undoes_only_its_own_writes(store: Store):
    """Inside a batch, one input's writes are a savepoint: its error drops them, the others are committed."""
    with store.write_batch(inputs=100, seconds=60) as batch:
        kept = store.save_raw(make_document(b"kept page", "https://example.org/kept"))
        batch.settled()
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.save_raw(make_document(b"dropped page", "https://example.org/dropped"))
                raise RuntimeError("the article could not be stored")
        batch.settled()
    assert [row["url"] for row in query(store.path, "SELECT url FROM raw_documents")] == ["https://example.org/kept"]
    assert kept is not None


def test_write_batch_commits_every_n_inputs_and_at_the_end(store: Store):
    reader = sqlite3.connect(store.path)
    with store.write_batch(inputs=2, seconds=60) as batch:
        for number in range(3):
            store.save_raw(make_document(f"page {number}".encode(), f"https://example.org/{number}"))
            batch.settled()
            visible = reader.execute("SELECT COUNT(*) FROM raw_documents").fetchone()[0]
            assert visible == (number + 1) // 2 * 2  # another connection sees only committed batches
    assert reader.execute("SELECT COUNT(*) FROM raw_documents").fetchone()[0] == 3


def test_write_batch_drops_its_writes_on_a_store_error(store: Store):
    with pytest.raises(StoreError):
        with store.write_batch(inputs=100, seconds=60) as batch:
            store.save_raw(make_document(b"not committed", "https://example.org/x"))
            batch.settled()
            raise StoreError("disk full")
    assert query(store.path, "SELECT COUNT(*) AS n FROM raw_documents")[0]["n"] == 0
