"""The corpus: every read and write of newsdesk's SQLite database goes through this module (sqlite-utils).

Tables: articles (FTS on title/body), raw_documents (compressed raw inputs, for re-extraction),
article_versions (earlier title/body of edited stories), fetched_urls (every URL an article was met
under, with its validators), failures, crawl_runs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from extractors import EXTRACTOR_VERSION, Article, Document

DEFAULT_DB = Path("data/articles.db")
BUSY_TIMEOUT_SECONDS = 60
# zlib level 1 keeps most of the saving on HTML (about 4-6x) at a fraction of level 6's CPU time, which
# matters because raw pages are compressed in the crawl's hot path.
RAW_COMPRESSION_LEVEL = 1


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def compress_raw(content: bytes) -> bytes:
    """How raw inputs are kept: zlib-compressed (decompress with zlib.decompress)."""
    return zlib.compress(content, RAW_COMPRESSION_LEVEL)


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def article_content_hash(article: Article) -> str:
    """Identity of what a reader sees: title and whitespace-normalized body."""
    return sha256((article.title or "") + "\n" + " ".join(article.body.split()))


@dataclass(frozen=True)
class SaveOutcome:
    status: str  # 'new' | 'updated' | 'unchanged'
    article_id: int


@dataclass(frozen=True)
class FetchRecord:
    url: str
    article_id: int | None
    fetched_at: str
    etag: str | None
    last_modified: str | None


class Store:
    """One open corpus database. Safe to share between a replay and a crawl (WAL + busy timeout)."""

    def __init__(self, path: str | Path = DEFAULT_DB):
        self.path = Path(path)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves, short and explicit (BEGIN IMMEDIATE),
        # so a concurrent writer waits on busy_timeout instead of failing on a lock upgrade.
        connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        self.db = sqlite_utils.Database(connection)
        if str(self.path) != ":memory:":
            self.db.enable_wal()
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        self._ensure_schema()

    # --- schema ----------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        with self.transaction():
            self._create_tables()

    def _create_tables(self) -> None:
        db = self.db
        if "raw_documents" not in db.table_names():
            db["raw_documents"].create({
                "id": int, "raw_hash": str, "url": str, "origin": str, "source": str, "content_type": str,
                "headers": str, "size": int, "content": bytes, "fetched_at": str,
            }, pk="id")
            db["raw_documents"].create_index(["raw_hash"], unique=True)
        if "articles" not in db.table_names():
            db["articles"].create({
                "id": int, "url": str, "title": str, "body": str, "byline": str, "authors": str, "published": str,
                "outlet": str, "language": str, "credits": str, "word_count": int, "content_hash": str,
                "source": str, "origin": str, "canonical_url": str, "raw_id": int, "removed": str,
                "ingested_at": str, "updated_at": str, "extractor_version": str,
            }, pk="id", foreign_keys=[("raw_id", "raw_documents", "id")])
            db["articles"].create_index(["url"], unique=True)
            db["articles"].create_index(["content_hash"])
            db["articles"].create_index(["published"])
            db["articles"].enable_fts(["title", "body"], create_triggers=True, tokenize="unicode61")
        if "article_versions" not in db.table_names():
            db["article_versions"].create({
                "id": int, "article_id": int, "title": str, "body": str, "content_hash": str, "raw_id": int,
                "extractor_version": str, "valid_from": str, "valid_to": str,
            }, pk="id", foreign_keys=[("article_id", "articles", "id")])
            db["article_versions"].create_index(["article_id"])
        if "fetched_urls" not in db.table_names():
            db["fetched_urls"].create({
                "url": str, "article_id": int, "status": int, "etag": str, "last_modified": str, "fetched_at": str,
            }, pk="url")
            db["fetched_urls"].create_index(["article_id"])
        if "failures" not in db.table_names():
            db["failures"].create({"id": int, "origin": str, "url": str, "stage": str, "reason": str, "at": str}, pk="id")
        if "crawl_runs" not in db.table_names():
            db["crawl_runs"].create({
                "id": int, "job": str, "started_at": str, "finished_at": str, "status": str, "pid": int,
                "pages_fetched": int, "articles_new": int, "articles_updated": int, "articles_unchanged": int,
                "failures": int, "error": str,
            }, pk="id")

    # --- transactions ----------------------------------------------------------------------------

    def transaction(self) -> "_Transaction":
        return _Transaction(self.db.conn)

    def close(self) -> None:
        self.db.conn.close()

    # --- writes ----------------------------------------------------------------------------------

    def save_raw(self, document: Document, compressed: bytes | None = None) -> int:
        """Keep the raw input (compressed) once; returns its id. The same bytes again reuse the row.
        `compressed` is compress_raw(document.content) when a worker process has already made it."""
        raw_hash = sha256(document.content)
        with self.transaction():
            existing = self._raw_id(raw_hash)
            if existing is not None:
                return existing
            return self.db["raw_documents"].insert({
                "raw_hash": raw_hash, "url": document.url, "origin": document.origin, "source": document.source,
                "content_type": document.content_type or document.header("Content-Type"),
                "headers": json.dumps(document.headers), "size": len(document.content),
                "content": compressed if compressed is not None else compress_raw(document.content), "fetched_at": utc_now(),
            }).last_pk

    def _raw_id(self, raw_hash: str) -> int | None:
        row = self.db.execute("SELECT id FROM raw_documents WHERE raw_hash = ?", [raw_hash]).fetchone()
        return row[0] if row else None

    def save_article(self, article: Article, document: Document, raw_id: int | None) -> SaveOutcome:
        """Insert or update in place: one row per URL (per content when there is no URL); edits keep history."""
        content_hash = article_content_hash(article)
        url = article.url or None
        now = utc_now()
        row = {
            "url": url, "title": article.title, "body": article.body, "byline": article.byline,
            "authors": json.dumps(article.authors, ensure_ascii=False), "published": article.published,
            "outlet": article.outlet, "language": article.language,
            "credits": json.dumps(article.credits, ensure_ascii=False), "word_count": article.word_count,
            "content_hash": content_hash, "source": document.source, "origin": document.origin,
            "canonical_url": article.canonical_url, "raw_id": raw_id,
            "removed": json.dumps([{"text": r.text, "reason": r.reason} for r in article.removed], ensure_ascii=False),
            "extractor_version": EXTRACTOR_VERSION,
        }
        with self.transaction():
            existing = self._find_existing(url, content_hash, raw_id)
            if existing is None:
                article_id = self.db["articles"].insert({**row, "ingested_at": now, "updated_at": now}).last_pk
                return SaveOutcome("new", article_id)
            article_id = existing["id"]
            comparable = {key: row[key] for key in row if key not in ("origin", "source", "raw_id", "removed")}
            if all(existing.get(key) == value for key, value in comparable.items()):
                return SaveOutcome("unchanged", article_id)
            if existing["content_hash"] != content_hash:
                self.db["article_versions"].insert({
                    "article_id": article_id, "title": existing["title"], "body": existing["body"],
                    "content_hash": existing["content_hash"], "raw_id": existing["raw_id"],
                    "extractor_version": existing["extractor_version"], "valid_from": existing["updated_at"],
                    "valid_to": now,
                })
            self.db["articles"].update(article_id, {**row, "updated_at": now})
            return SaveOutcome("updated", article_id)

    def _find_existing(self, url: str | None, content_hash: str, raw_id: int | None) -> dict[str, Any] | None:
        if url:
            rows = list(self.db["articles"].rows_where("url = ?", [url], limit=1))
            if not rows:
                rows = list(self.db.query(
                    "SELECT a.* FROM articles a JOIN fetched_urls f ON f.article_id = a.id WHERE f.url = ? LIMIT 1", [url]))
        else:
            rows = list(self.db["articles"].rows_where(
                "url IS NULL AND (raw_id = ? OR content_hash = ?)", [raw_id, content_hash], limit=1))
        return rows[0] if rows else None

    def record_failure(self, origin: str, stage: str, reason: str, url: str | None = None) -> None:
        with self.transaction():
            self.db["failures"].insert({"origin": origin, "url": url, "stage": stage, "reason": reason, "at": utc_now()})

    def record_fetch(self, url: str, article_id: int | None, status: int = 200, etag: str | None = None,
                     last_modified: str | None = None) -> None:
        """Remember that `url` was fetched (and which article it gave), with validators for the next recrawl."""
        with self.transaction():
            self.db["fetched_urls"].upsert({
                "url": url, "article_id": article_id, "status": status, "etag": etag,
                "last_modified": last_modified, "fetched_at": utc_now(),
            }, pk="url")

    # --- reads -----------------------------------------------------------------------------------

    def fetch_record(self, url: str) -> FetchRecord | None:
        row = self.db.execute(
            "SELECT url, article_id, fetched_at, etag, last_modified FROM fetched_urls WHERE url = ?", [url]).fetchone()
        return FetchRecord(*row) if row else None

    def article(self, article_id: int) -> dict[str, Any] | None:
        rows = list(self.db["articles"].rows_where("id = ?", [article_id]))
        return rows[0] if rows else None

    def articles(self) -> Iterator[dict[str, Any]]:
        return self.db["articles"].rows_where(order_by="id")

    def raw_content(self, raw_id: int) -> bytes:
        row = self.db.execute("SELECT content FROM raw_documents WHERE id = ?", [raw_id]).fetchone()
        if row is None:
            raise KeyError(raw_id)
        return zlib.decompress(row[0])

    def raw_documents(self) -> Iterator[dict[str, Any]]:
        return self.db["raw_documents"].rows_where(order_by="id",
                                                   select="id, raw_hash, url, origin, source, content_type, headers")

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.db["articles"].search(query, limit=limit, columns=["id", "url", "title", "outlet", "published"]))

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in
                ("articles", "raw_documents", "article_versions", "fetched_urls", "failures", "crawl_runs")}

    def stats(self) -> dict[str, Any]:
        """Corpus summary for `newsdesk stats`."""
        by_outlet = self.db.execute(
            "SELECT coalesce(outlet, '(unknown)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC LIMIT 20").fetchall()
        by_language = self.db.execute(
            "SELECT coalesce(language, '(unknown)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC").fetchall()
        failures = self.db.execute("SELECT stage, count(*) FROM failures GROUP BY 1 ORDER BY 2 DESC").fetchall()
        words = self.db.execute("SELECT coalesce(sum(word_count), 0) FROM articles").fetchone()[0]
        return {
            "path": str(self.path), "counts": self.counts(), "words": words,
            "by_outlet": dict(by_outlet), "by_language": dict(by_language), "failures_by_stage": dict(failures),
        }

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, re-entrant: nested uses join the outer transaction."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.connection.in_transaction:
            self.connection.execute("BEGIN IMMEDIATE")
            self.outer = True
        return self.connection

    def __exit__(self, exc_type, exc, traceback) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")
