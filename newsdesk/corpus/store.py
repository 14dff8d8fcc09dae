"""The corpus: every read and write of newsdesk's SQLite database goes through this module (sqlite-utils).
No other module runs SQL; what crosses this boundary is a typed record (Document, SaveOutcome, FetchRecord,
CrawlRun...).

Tables: articles (FTS on title/body), raw_documents (compressed raw inputs, for re-extraction),
article_versions (earlier title/body of edited stories), fetched_urls (every URL an article was met
under, with its validators), failures (one row per input, stage and reason, with a count), crawl_runs;
stories (articles.story_id, articles.copy_of) and the story index (story_features, story_bands,
story_names, story_vocabulary: what newsdesk.corpus.stories compares and looks up).

Open it as a context manager, `with Store(path) as store: ...`. Whatever goes wrong with the database
itself (not a SQLite file, read-only, locked too long, disk full) is raised as one StoreError with a
one-line reason, on opening and on every read or write.

Schema versions are sqlite-utils migrations (the MIGRATIONS set below, recorded in the
`_sqlite_migrations` table). Opening a Store applies the pending ones, all in one BEGIN IMMEDIATE
transaction, so two processes opening a new database at once (a crawl and a replay) never both migrate:
the second waits, then finds nothing pending. A database made before migrations existed upgrades in
place: migration 1 creates only the tables that are missing.

To change the schema, add a migration at the end of the file's migration list, never edit one that has
shipped:

    @MIGRATIONS(name="0003_what_it_does")
    def _what_it_does(db: sqlite_utils.Database) -> None:
        db["articles"].add_column("section", str)

It runs once per database, in order, inside the opening transaction (it must not COMMIT or VACUUM).
Add a test in tests/test_store.py that opens a database of the previous version and checks the change.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ContextManager, Iterable, Iterator, Sequence

import sqlite_utils
from sqlite_utils import Migrations

from extractors import EXTRACTOR_VERSION, Article, Document
from extractors.dates import normalize_published
from newsdesk.corpus.stories import (
    CopyGroupMember, StoryCandidate, StoryDecision, StoryFeatures, StoryMember, StoryOverview, StoryTotals, Vocabulary,
    band_keys, story_overview,
)

DEFAULT_DB = Path("data/articles.db")
# How long a write waits for another process's transaction before the store gives up (StoreError).
BUSY_TIMEOUT_SECONDS = 60.0
BUSY_TIMEOUT_VARIABLE = "NEWSDESK_BUSY_TIMEOUT"  # overrides BUSY_TIMEOUT_SECONDS (seconds)
# zlib level 1 keeps most of the saving on HTML (about 4-6x) at a fraction of level 6's CPU time, which
# matters because raw pages are compressed in the crawl's hot path.
RAW_COMPRESSION_LEVEL = 1
# A replay commits its writes in batches: every this many inputs, or this many seconds, whichever comes first
# (readers see new articles within about that time; a killed replay redoes at most one batch, whose
# checkpoint was not committed either).
BATCH_INPUTS = 200
BATCH_SECONDS = 1.0
RUN_STATUSES = ("running", "ok", "failed", "interrupted")
# The story index (band and name rows) of the most recent articles is kept in memory and written to its tables
# every this many articles (and on close), in key order: written one article at a time, its rows would dirty
# some thirty scattered pages per commit, more than storing the article itself. Nothing is lost meanwhile:
# each article's story_features row, written with the article, says whether its index rows are written yet
# (`indexed`), and every Store reads the rows not yet indexed (its own and other processes') before a lookup.
# The vocabulary's document frequencies (statistics) are counted in memory and written at the same times; a
# killed process leaves them short by at most this many articles (`newsdesk stories --rebuild` recounts).
STORY_INDEX_FLUSH_ARTICLES = 1000


class StoreError(Exception):
    """The corpus database cannot be opened, read or written; `reason` says why in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
class ReplayCheckpoint:
    archive: str  # the archive's resolved path
    size: int  # its size when the checkpoint was written
    head_hash: str  # SHA-256 of its first bytes
    offset: int  # where the next record to replay starts
    finished: bool  # every record was replayed


@dataclass(frozen=True)
class FetchRecord:
    url: str
    article_id: int | None
    fetched_at: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class RunCounts:
    """What a crawl run did, as crawl_runs records it."""

    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    failures: int = 0
    dead_links: int = 0


@dataclass(frozen=True)
class CrawlRun:
    """One row of crawl_runs: a run of a crawl job."""

    id: int
    job: str
    started_at: str
    finished_at: str | None
    status: str  # one of RUN_STATUSES
    pid: int | None
    pages_fetched: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    failures: int
    dead_links: int  # links followed from pages that answered 404, 410, 400 or 414 (no failures row each)
    error: str | None


# --- database problems as one line -----------------------------------------------------------------

_LOCKED = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_NOT_WRITABLE = (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM)


def _unusable_database(path: Path, busy_timeout: float, error: sqlite3.Error) -> StoreError | None:
    """The StoreError for an error about the database itself (told by SQLite's result code), or None for an
    error about one statement (a constraint, a bug), which stays what it is."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # primary code of an extended one
    if code == sqlite3.SQLITE_NOTADB:
        return StoreError(f"{path} is not a SQLite database")
    if code == sqlite3.SQLITE_CORRUPT:
        return StoreError(f"{path} is damaged: {error}")
    if code in _NOT_WRITABLE:
        if path.exists() and not os.access(path, os.W_OK):
            return StoreError(f"{path} is read-only")
        if not os.access(path.parent, os.W_OK):
            return StoreError(f"the folder of {path} is read-only")
        return StoreError(f"{path} cannot be written: {error}")
    if code == sqlite3.SQLITE_CANTOPEN:
        return StoreError(f"cannot open {path} (is its folder there and writable?)")
    if code in _LOCKED:
        return StoreError(f"{path} stayed locked by another process for more than {busy_timeout:g}s")
    if code == sqlite3.SQLITE_FULL:
        return StoreError(f"the disk holding {path} is full")
    if code == sqlite3.SQLITE_IOERR:
        return StoreError(f"disk I/O error on {path}: {error}")
    return None


class _Cursor(sqlite3.Cursor):
    def execute(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args)
        except sqlite3.Error as error:
            raise self.connection.translated(error) from None

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args)
        except sqlite3.Error as error:
            raise self.connection.translated(error) from None


class _Connection(sqlite3.Connection):
    """A connection on which an error about the database itself comes out as StoreError, whether the
    statement was run by Store or by sqlite-utils on its behalf."""

    store_path = Path()
    busy_timeout = BUSY_TIMEOUT_SECONDS

    def translated(self, error: sqlite3.Error) -> Exception:
        return _unusable_database(self.store_path, self.busy_timeout, error) or error

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:
        return super().cursor(factory or _Cursor)

    def execute(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args)
        except sqlite3.Error as error:
            raise self.translated(error) from None

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args)
        except sqlite3.Error as error:
            raise self.translated(error) from None

    def executescript(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executescript(*args)
        except sqlite3.Error as error:
            raise self.translated(error) from None


# How often a process switching a new database to WAL asks again while another is switching it.
WAL_SWITCH_RETRY_SECONDS = 0.05


def _enable_wal(connection: _Connection) -> None:
    """Switch the database to WAL (once for good; a WAL database is left as it is). When several processes open a
    new database at once, SQLite answers the switch with "database is locked" at once, without waiting on the
    busy timeout (it would deadlock otherwise), so the switch is asked again until the busy timeout passes."""
    deadline = time.monotonic() + connection.busy_timeout
    while True:
        try:
            if sqlite3.Connection.execute(connection, "PRAGMA journal_mode").fetchone()[0] != "wal":
                sqlite3.Connection.execute(connection, "PRAGMA journal_mode = wal")
            return
        except sqlite3.Error as error:
            code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
            if code not in _LOCKED or time.monotonic() >= deadline:
                raise connection.translated(error) from None
        time.sleep(WAL_SWITCH_RETRY_SECONDS)


def _busy_timeout_setting() -> float:
    value = os.environ.get(BUSY_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return BUSY_TIMEOUT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise StoreError(f"{BUSY_TIMEOUT_VARIABLE} must be a number of seconds, got {value!r}")
    return seconds


# --- schema migrations -----------------------------------------------------------------------------

MIGRATIONS = Migrations("newsdesk")
# What makes two failures the same (an index on expressions: SQLite's upsert names the same expressions).
_FAILURE_IDENTITY = "coalesce(origin, ''), coalesce(url, ''), stage, reason"


@MIGRATIONS(name="0001_initial_schema")
def _initial_schema(db: sqlite_utils.Database) -> None:
    """The schema as newsdesk 0.1 created it. Tables that exist are left alone, so a database made before
    migrations existed is adopted as it is."""
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


@MIGRATIONS(name="0002_failure_counts")
def _failure_counts(db: sqlite_utils.Database) -> None:
    """One failures row per input (origin and URL), stage and reason, with how often it happened (`count`)
    and when last (`last_seen`; `at` is the first time). Rows recorded twice before are merged."""
    db["failures"].add_column("count", int, not_null_default=1)
    db["failures"].add_column("last_seen", str)
    db.execute("""
        WITH merged AS (
            SELECT min(id) AS id, count(*) AS times, max(at) AS last_seen FROM failures
            GROUP BY origin, url, stage, reason)
        UPDATE failures SET count = merged.times, last_seen = merged.last_seen FROM merged WHERE failures.id = merged.id""")
    db.execute("""DELETE FROM failures WHERE id NOT IN (
        SELECT min(id) FROM failures GROUP BY origin, url, stage, reason)""")
    db.execute(f"CREATE UNIQUE INDEX failures_identity ON failures ({_FAILURE_IDENTITY})")


@MIGRATIONS(name="0003_replay_checkpoints")
def _replay_checkpoints(db: sqlite_utils.Database) -> None:
    """How far each web archive (WARC/ARC) has been replayed, so a stopped replay resumes: by the archive's
    resolved path, with its size and a hash of its first bytes (a file replaced under the same name starts
    over), the offset of the next record to replay, and whether it was replayed to its end."""
    db["replay_checkpoints"].create({
        "archive": str, "size": int, "head_hash": str, "offset": int, "finished": int, "updated_at": str,
    }, pk="archive")


@MIGRATIONS(name="0004_stories")
def _stories(db: sqlite_utils.Database) -> None:
    """Stories: articles.story_id and articles.copy_of, the stories table and the story index. Articles stored
    before it have no story until they are stored again or `newsdesk stories --rebuild` runs."""
    db["articles"].add_column("story_id", int)
    db["articles"].add_column("copy_of", int)
    db["articles"].create_index(["story_id"])
    db["articles"].create_index(["copy_of"])
    # The full-text index follows title and body only: writing an article's story_id or copy_of must not
    # re-index its whole text (sqlite-utils' trigger fires on an update of any column).
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_au'").fetchone()
    if trigger and "UPDATE OF" not in trigger[0]:
        db.execute("DROP TRIGGER articles_au")
        db.execute("""CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
            INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END""")
    db["stories"].create({
        "id": int, "title": str, "first_published": str, "last_published": str, "article_count": int,
        "outlet_count": int, "outlets": str,
    }, pk="id")
    db["stories"].create_index(["last_published"])
    # Per article, what the grouper compares (see StoryFeatures); lists are space-separated words.
    # `indexed`: 1 once the article's rows are in story_bands and story_names (see STORY_INDEX_FLUSH_ARTICLES).
    db.execute("""CREATE TABLE story_features (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id), signature BLOB NOT NULL,
        shingle_count INTEGER NOT NULL, terms TEXT NOT NULL, names TEXT NOT NULL, key_names TEXT NOT NULL,
        numbers TEXT NOT NULL, lookup_names TEXT NOT NULL, day TEXT, indexed INTEGER NOT NULL DEFAULT 0)""")
    db.execute("CREATE INDEX story_features_not_indexed ON story_features (article_id) WHERE indexed = 0")
    # LSH bands: articles that share a key are near-copy candidates.
    db.execute("""CREATE TABLE story_bands (
        key INTEGER NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (key, article_id)) WITHOUT ROWID""")
    # The names of each title and lead, by publication day ('' when unknown): same-event candidates.
    db.execute("""CREATE TABLE story_names (
        name TEXT NOT NULL, day TEXT NOT NULL, article_id INTEGER NOT NULL,
        PRIMARY KEY (name, day, article_id)) WITHOUT ROWID""")
    # Document frequencies of terms, names and numbers; the row with term '' counts the documents.
    db.execute("""CREATE TABLE story_vocabulary (
        term TEXT PRIMARY KEY, frequency INTEGER NOT NULL) WITHOUT ROWID""")


@MIGRATIONS(name="0005_iso_dates")
def _iso_dates(db: sqlite_utils.Database) -> None:
    """`published` in the one ISO 8601 form SQLite's date functions read (extractors.dates.normalize_published):
    '2024-04-26T20:44:00+0200' becomes '2024-04-26T20:44:00+02:00'; a value holding no valid date becomes
    NULL. The stories' first and last publication dates, copied from it, follow."""
    for table, columns in (("articles", ("published",)), ("stories", ("first_published", "last_published"))):
        for column in columns:
            rows = db.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()
            changes = [(normalize_published(value), value) for (value,) in rows if normalize_published(value) != value]
            db.conn.executemany(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", changes)


@MIGRATIONS(name="0006_dead_links")
def _dead_links(db: sqlite_utils.Database) -> None:
    """crawl_runs.dead_links: how many links followed from pages answered that nothing is there (404, 410...)
    in the run. Such links are counted there instead of getting a failures row each; earlier runs count 0."""
    db["crawl_runs"].add_column("dead_links", int, not_null_default=0)


class Store:
    """One open corpus database: `with Store(path) as store: ...`. Safe to share between a replay and a crawl
    (WAL + busy timeout). Raises StoreError for a database that cannot be used."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, busy_timeout: float | None = None):
        self.path = Path(path)
        self.busy_timeout = _busy_timeout_setting() if busy_timeout is None else busy_timeout
        in_memory = str(self.path) == ":memory:"
        if not in_memory:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise StoreError(f"cannot create the folder {self.path.parent}: a file of that name is in the way") from None
            except OSError as error:
                raise StoreError(f"cannot create the folder {self.path.parent}: {error.strerror or error}") from None
        # isolation_level=None: we open transactions ourselves, short and explicit (BEGIN IMMEDIATE),
        # so a concurrent writer waits on busy_timeout instead of failing on a lock upgrade.
        try:
            connection = sqlite3.connect(str(self.path), timeout=self.busy_timeout, isolation_level=None,
                                         check_same_thread=False, factory=_Connection)
        except sqlite3.Error as error:
            raise _unusable_database(self.path, self.busy_timeout, error) or error from None
        connection.store_path, connection.busy_timeout = self.path, self.busy_timeout
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            self.db = sqlite_utils.Database(connection)
            if not in_memory:
                _enable_wal(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            self._vocabulary_pending: Counter[str] = Counter()
            self._vocabulary_stored: dict[str, int] = {}
            self._recent = _RecentStoryIndex()
            self._data_version: int | None = None
            self._migrate()
        except BaseException:
            connection.close()
            raise

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- schema ----------------------------------------------------------------------------------

    def _migrate(self) -> None:
        if not MIGRATIONS.pending(self.db):  # read-only: an up-to-date database is opened without a write lock
            return
        with self.transaction():  # one process migrates; another waits here, then finds nothing pending
            MIGRATIONS.apply(self.db)

    def applied_migrations(self) -> list[str]:
        return [migration.name for migration in MIGRATIONS.applied(self.db)]

    # --- transactions ----------------------------------------------------------------------------

    def transaction(self) -> ContextManager[Any]:
        """BEGIN IMMEDIATE ... COMMIT; inside another transaction, a savepoint of it (sqlite-utils' atomic()),
        so an error inside undoes only its own writes, which are committed with the outer transaction."""
        if self.db.conn.in_transaction:
            return self.db.atomic()
        return _Transaction(self.db.conn)

    def write_batch(self, *, inputs: int = BATCH_INPUTS, seconds: float = BATCH_SECONDS) -> "WriteBatch":
        """One transaction for many inputs' writes, committed every `inputs` inputs or `seconds` (see WriteBatch)."""
        return WriteBatch(self, inputs=inputs, seconds=seconds)

    def close(self) -> None:
        try:
            self.flush_story_index()
        except StoreError:
            # The corpus cannot be written now (locked, full): the recent articles' index rows are written by
            # the next Store that opens it (their story_features rows say they are not), only the vocabulary
            # counts since the last write are lost, and the error that stopped the run is reported where it
            # happened.
            pass
        finally:
            self.db.conn.close()

    def check_writable(self) -> None:
        """Raise StoreError now if the database cannot be written (a read-only file opens and reads fine)."""
        with self.transaction() as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            connection.execute(f"PRAGMA user_version = {int(version)}")  # a write that changes nothing

    # --- articles and raw inputs -----------------------------------------------------------------

    def save_raw(self, document: Document, compressed: bytes | None = None, raw_hash: str | None = None) -> int:
        """Keep the raw input (compressed) once; returns its id. The same bytes again reuse the row.
        `compressed` is compress_raw(document.content) and `raw_hash` sha256(document.content) when a worker
        process has already made them."""
        raw_hash = raw_hash or sha256(document.content)
        with self.transaction():
            existing = self._raw_id(raw_hash)
            if existing is not None:
                return existing
            return self._insert("raw_documents", {
                "raw_hash": raw_hash, "url": document.url, "origin": document.origin, "source": document.source,
                "content_type": document.content_type or document.header("Content-Type"),
                "headers": json.dumps(document.headers), "size": len(document.content),
                "content": compressed if compressed is not None else compress_raw(document.content),
                "fetched_at": document.fetched_at or utc_now(),
            })

    # Rows written for every input go in with plain statements: sqlite-utils' insert() and upsert() look the
    # table up in the schema on every call, which costs more than the write of a small row.
    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(f"[{column}]" for column in row)
        return self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})",
                               list(row.values())).lastrowid

    def _upsert(self, table: str, row: dict[str, Any], *, key: str) -> None:
        """Insert `row`, or set its columns on the row with the same `key` (as sqlite-utils' upsert)."""
        columns = ", ".join(f"[{column}]" for column in row)
        updates = ", ".join(f"[{column}] = excluded.[{column}]" for column in row if column != key)
        self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))}) "
                        f"ON CONFLICT ([{key}]) DO UPDATE SET {updates}", list(row.values()))

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
                article_id = self._insert("articles", {**row, "ingested_at": now, "updated_at": now})
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
            rows = list(self.db.query("SELECT * FROM articles WHERE url = ? LIMIT 1", [url]))
            if not rows:
                rows = list(self.db.query(
                    "SELECT a.* FROM articles a JOIN fetched_urls f ON f.article_id = a.id WHERE f.url = ? LIMIT 1", [url]))
        else:
            rows = list(self.db.query("SELECT * FROM articles WHERE url IS NULL AND (raw_id = ? OR content_hash = ?) LIMIT 1",
                                      [raw_id, content_hash]))
        return rows[0] if rows else None

    def documents_to_reextract(self, *, only_outdated: bool = True) -> Iterator[Document]:
        """The kept raw inputs of articles written by another extractor version (or of all articles), rebuilt
        as Documents one at a time (the list of inputs is read first, so writing while iterating is safe)."""
        condition = "WHERE a.extractor_version IS NOT ?" if only_outdated else "WHERE ? IS NOT NULL"
        rows = self.db.execute(
            "SELECT DISTINCT r.id, r.url, r.origin, r.source, r.content_type, r.headers "
            f"FROM raw_documents r JOIN articles a ON a.raw_id = r.id {condition} ORDER BY r.id", [EXTRACTOR_VERSION]).fetchall()
        for raw_id, url, origin, source, content_type, headers in rows:
            yield Document(content=self.raw_content(raw_id), url=url, origin=origin or url or f"raw:{raw_id}",
                           source=source or "replay", content_type=content_type, headers=json.loads(headers or "{}"))

    # --- fetches and failures --------------------------------------------------------------------

    def record_failure(self, origin: str, stage: str, reason: str, url: str | None = None) -> None:
        """One row per input, stage and reason: the same failure again counts up and moves `last_seen`."""
        now = utc_now()
        with self.transaction():
            self.db.execute(
                "INSERT INTO failures (origin, url, stage, reason, at, count, last_seen) VALUES (?, ?, ?, ?, ?, 1, ?) "
                f"ON CONFLICT ({_FAILURE_IDENTITY}) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen",
                [origin, url, stage, reason, now, now])

    def record_fetch(self, url: str, article_id: int | None, status: int = 200, etag: str | None = None,
                     last_modified: str | None = None, fetched_at: str | None = None) -> None:
        """Remember that `url` was fetched (and which article it gave), with validators for the next recrawl.
        `fetched_at` (default: now) is when, e.g. a WARC record's date."""
        with self.transaction():
            self._upsert("fetched_urls", {
                "url": url, "article_id": article_id, "status": status, "etag": etag,
                "last_modified": last_modified, "fetched_at": fetched_at or utc_now(),
            }, key="url")

    # --- web archive checkpoints and raw inputs ---------------------------------------------------

    def save_checkpoint(self, checkpoint: "ReplayCheckpoint") -> None:
        """Remember how far an archive has been replayed (every record before `offset` is in the corpus)."""
        with self.transaction():
            self._upsert("replay_checkpoints", {
                "archive": checkpoint.archive, "size": checkpoint.size, "head_hash": checkpoint.head_hash,
                "offset": checkpoint.offset, "finished": int(checkpoint.finished), "updated_at": utc_now(),
            }, key="archive")

    def checkpoint(self, archive: str) -> "ReplayCheckpoint | None":
        row = self.db.execute("SELECT archive, size, head_hash, offset, finished FROM replay_checkpoints WHERE archive = ?",
                              [archive]).fetchone()
        return ReplayCheckpoint(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def raw_documents_with_content(self) -> Iterator[tuple[dict[str, Any], bytes]]:
        """Every kept raw input with its decompressed content, one at a time (ids are read first)."""
        for (raw_id,) in self.db.execute("SELECT id FROM raw_documents ORDER BY id").fetchall():
            row = next(self.db["raw_documents"].rows_where(
                "id = ?", [raw_id], select="id, raw_hash, url, origin, source, content_type, headers, size, fetched_at"), None)
            if row is not None:
                yield row, self.raw_content(raw_id)

    def fetch_record(self, url: str) -> FetchRecord | None:
        row = self.db.execute(
            "SELECT url, article_id, fetched_at, etag, last_modified FROM fetched_urls WHERE url = ?", [url]).fetchone()
        return FetchRecord(*row) if row else None

    # --- crawl runs ------------------------------------------------------------------------------

    def start_crawl_run(self, job: str) -> int:
        """Record a run of `job` as running (by this process); returns its id."""
        with self.transaction():
            return self.db["crawl_runs"].insert({
                "job": job, "started_at": utc_now(), "status": "running", "pid": os.getpid(),
                "pages_fetched": 0, "articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "failures": 0,
                "dead_links": 0,
            }).last_pk

    def finish_crawl_run(self, run_id: int, status: str, counts: RunCounts, error: str | None = None) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        with self.transaction():
            self.db["crawl_runs"].update(run_id, {
                "finished_at": utc_now(), "status": status, "error": error,
                "pages_fetched": counts.pages_fetched, "articles_new": counts.articles_new,
                "articles_updated": counts.articles_updated, "articles_unchanged": counts.articles_unchanged,
                "failures": counts.failures, "dead_links": counts.dead_links,
            })

    def mark_interrupted_runs(self, job: str) -> int:
        """Mark `job`'s runs still 'running' as interrupted (call it holding the job's lock: they were left
        by a killed process); returns how many there were."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE crawl_runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?), "
                "error = coalesce(error, 'process ended without finishing the run') WHERE job = ? AND status = 'running'",
                [utc_now(), job])
            return cursor.rowcount

    def crawl_runs(self, limit: int = 50) -> list[CrawlRun]:
        """The most recent runs, newest first."""
        rows = self.db.execute(
            "SELECT id, job, started_at, finished_at, status, pid, pages_fetched, articles_new, articles_updated, "
            "articles_unchanged, failures, dead_links, error FROM crawl_runs ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        return [CrawlRun(*row) for row in rows]

    # --- stories: the index newsdesk.corpus.stories asks (StoryIndex) and what it writes ----------------

    def story_copy_candidates(self, band_keys: Sequence[int]) -> list[int]:
        self._take_in_other_writes()
        marks = ",".join("?" * len(band_keys))
        found = {row[0] for row in self.db.execute(
            f"SELECT DISTINCT article_id FROM story_bands WHERE key IN ({marks})", list(band_keys))}
        return sorted(found | self._recent.copy_candidates(band_keys))

    def story_event_candidates(self, names: Sequence[str], day: str | None, window_days: int, limit: int,
                               min_matches: int) -> list[int]:
        """Articles sharing at least `min_matches` of `names` in their title and lead, published within
        `window_days` of `day` or undated (any date when `day` is None), most names shared first."""
        marks = ",".join("?" * len(names))
        if day:
            centre = date.fromisoformat(day)
            window = [(centre - timedelta(days=window_days)).isoformat(), (centre + timedelta(days=window_days)).isoformat()]
            hits = (f"SELECT article_id FROM story_names WHERE name IN ({marks}) AND day BETWEEN ? AND ? UNION ALL "
                    f"SELECT article_id FROM story_names WHERE name IN ({marks}) AND day = ''")
            parameters = [*names, *window, *names]
        else:
            hits = f"SELECT article_id FROM story_names WHERE name IN ({marks})"
            parameters = list(names)
        matches = dict(self.db.execute(
            f"SELECT article_id, count(*) FROM ({hits}) GROUP BY article_id HAVING count(*) >= ?",
            [*parameters, min_matches]).fetchall())
        for article_id, count in self._recent.event_candidates(names, window if day else None).items():
            if count >= min_matches and article_id not in matches:
                matches[article_id] = count
        return sorted(matches, key=lambda article_id: (-matches[article_id], article_id))[:limit]

    def story_candidates(self, article_ids: Sequence[int]) -> list[StoryCandidate]:
        marks = ",".join("?" * len(article_ids))
        rows = self.db.execute(
            "SELECT a.id, a.story_id, a.copy_of, a.published, a.outlet, a.url, a.credits, f.signature, f.shingle_count, "
            "f.terms, f.names, f.key_names, f.numbers, f.lookup_names, f.day "
            f"FROM story_features f JOIN articles a ON a.id = f.article_id WHERE f.article_id IN ({marks}) ORDER BY a.id",
            list(article_ids)).fetchall()
        return [StoryCandidate(article_id=row[0], story_id=row[1], copy_of=row[2], published=row[3], outlet=row[4],
                               url=row[5], credits=tuple(json.loads(row[6] or "[]")), features=_features_from_row(row[7:]))
                for row in rows]

    def story_vocabulary(self, terms: Iterable[str]) -> Vocabulary:
        """Document frequencies: as written (read once per flush interval and kept) plus those counted since."""
        stored = self._vocabulary_stored
        wanted = set(terms) | {""}
        unread = sorted(wanted.difference(stored))
        for start in range(0, len(unread), 500):
            part = unread[start:start + 500]
            found = dict(self.db.execute(
                f"SELECT term, frequency FROM story_vocabulary WHERE term IN ({','.join('?' * len(part))})", part).fetchall())
            stored.update({term: found.get(term, 0) for term in part})
        pending = self._vocabulary_pending
        frequencies = {term: stored[term] + pending[term] if term in pending else stored[term] for term in wanted}
        return Vocabulary(document_count=frequencies.pop(""), frequencies=frequencies)

    def add_story_member(self, article_id: int, features: StoryFeatures, decision: StoryDecision) -> int:
        """Record the grouper's decision for a stored article: its story (a new one when the decision names
        none; stories joined by its near-copies become one), its features and its index entries."""
        connection = self.db.conn
        with self.transaction():
            story_id = decision.story_id
            if story_id is None:  # a story of its own: its row is the article's, written at once
                overview = story_overview(0, self._story_members_by_id([article_id]))
                story_id = connection.execute(
                    "INSERT INTO stories (title, first_published, last_published, article_count, outlet_count, outlets) "
                    "VALUES (?, ?, ?, ?, ?, ?)", _overview_values(overview)).lastrowid
            for other in decision.merged_story_ids:
                connection.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [story_id, other])
                connection.execute("DELETE FROM stories WHERE id = ?", [other])
            connection.execute("UPDATE articles SET story_id = ?, copy_of = NULL WHERE id = ?", [story_id, article_id])
            connection.execute(
                "INSERT OR REPLACE INTO story_features (article_id, signature, shingle_count, terms, names, key_names, "
                "numbers, lookup_names, day, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [article_id, *_features_to_row(features)])
            self._recent.add(article_id, features.band_keys, features.lookup_names, features.day)
            self._vocabulary_pending.update(features.vocabulary_terms)
            if decision.story_id is not None:
                self._refresh_story(story_id)
            if len(self._recent) >= STORY_INDEX_FLUSH_ARTICLES:
                self.flush_story_index()
        return story_id

    def leave_story(self, article_id: int) -> None:
        """Take an article out of its story and the index (before it is grouped again after a change)."""
        connection = self.db.conn
        with self.transaction():
            row = connection.execute(
                "SELECT signature, shingle_count, terms, names, key_names, numbers, lookup_names, day "
                "FROM story_features WHERE article_id = ?", [article_id]).fetchone()
            if row is not None:
                features = _features_from_row(row)
                connection.executemany("DELETE FROM story_bands WHERE key = ? AND article_id = ?",
                                       [(key, article_id) for key in features.band_keys])
                connection.executemany("DELETE FROM story_names WHERE name = ? AND day = ? AND article_id = ?",
                                       [(name, features.day or "", article_id) for name in features.lookup_names])
                self._recent.discard(article_id)
                self._vocabulary_pending.subtract(features.vocabulary_terms)
                connection.execute("DELETE FROM story_features WHERE article_id = ?", [article_id])
            story = connection.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
            connection.execute("UPDATE articles SET story_id = NULL, copy_of = NULL WHERE id = ?", [article_id])
            connection.execute("UPDATE articles SET copy_of = NULL WHERE copy_of = ?", [article_id])
            if story and story[0] is not None:
                self._refresh_story(story[0])

    def _take_in_other_writes(self) -> None:
        """When another connection has written to the corpus since this Store last looked (or it never looked):
        take in the articles whose index rows are not written yet (another process's, or from before a crash),
        and read the vocabulary afresh. SQLite's data_version tells, without reading a table."""
        version = self.db.conn.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version:
            return
        if self._data_version is not None:
            self._vocabulary_stored.clear()
        self._data_version = version
        self._read_recent_story_index()

    def _read_recent_story_index(self) -> None:
        """Take in the articles whose index rows are not written yet, stored since this Store last looked
        (by another process too, or before a crash)."""
        rows = self.db.execute(
            "SELECT article_id, signature, lookup_names, day FROM story_features WHERE indexed = 0 AND article_id > ? "
            "ORDER BY article_id", [self._recent.last_seen]).fetchall()
        for article_id, signature, lookup_names, day in rows:
            self._recent.add(article_id, band_keys(signature), frozenset(lookup_names.split()), day)

    def flush_story_index(self) -> None:
        """Write the index rows of the recent articles and the vocabulary counts, each in key order, so that
        neighbouring rows share their pages."""
        recent, self._recent = self._recent, _RecentStoryIndex(last_seen=self._recent.last_seen)
        counts = sorted((term, change) for term, change in self._vocabulary_pending.items() if change)
        self._vocabulary_pending.clear()
        # The counts read are kept, with this Store's own added (another process's writes clear them: see
        # _take_in_other_writes).
        stored = self._vocabulary_stored
        for term, change in counts:
            if term in stored:
                stored[term] += change
        if not len(recent) and not counts:
            return
        connection = self.db.conn
        with self.transaction():
            connection.executemany("INSERT OR IGNORE INTO story_bands (key, article_id) VALUES (?, ?)", recent.band_rows())
            connection.executemany("INSERT OR IGNORE INTO story_names (name, day, article_id) VALUES (?, ?, ?)",
                                   recent.name_rows())
            connection.executemany("UPDATE story_features SET indexed = 1 WHERE article_id = ?",
                                   [(article_id,) for article_id in sorted(recent.article_ids)])
            connection.executemany(
                "INSERT INTO story_vocabulary (term, frequency) VALUES (?, ?) "
                "ON CONFLICT(term) DO UPDATE SET frequency = frequency + excluded.frequency", counts)

    def copy_group(self, article_ids: Sequence[int]) -> list[CopyGroupMember]:
        """The articles `article_ids` are, republish or are republished by: one group of near-copies."""
        marks = ",".join("?" * len(article_ids))
        roots = set(article_ids) | {row[0] for row in self.db.execute(
            f"SELECT copy_of FROM articles WHERE id IN ({marks}) AND copy_of IS NOT NULL", list(article_ids))}
        marks = ",".join("?" * len(roots))
        rows = self.db.execute(
            f"SELECT id, published, outlet, url, credits FROM articles WHERE id IN ({marks}) OR copy_of IN ({marks}) "
            "ORDER BY id", [*sorted(roots), *sorted(roots)]).fetchall()
        return [CopyGroupMember(article_id=row[0], published=row[1], outlet=row[2], url=row[3],
                                credits=tuple(json.loads(row[4] or "[]"))) for row in rows]

    def set_copy_links(self, links: dict[int, int | None]) -> None:
        with self.transaction():
            self.db.conn.executemany("UPDATE articles SET copy_of = ? WHERE id = ? AND copy_of IS NOT ?",
                                     [(copy_of, article_id, copy_of) for article_id, copy_of in sorted(links.items())])

    def _refresh_story(self, story_id: int) -> None:
        """Recompute a story's row from its members; a story left without members is deleted."""
        members = self._story_members(story_id)
        if not members:
            self.db.conn.execute("DELETE FROM stories WHERE id = ?", [story_id])
            return
        overview = story_overview(story_id, members)
        self.db.conn.execute(
            "UPDATE stories SET title = ?, first_published = ?, last_published = ?, article_count = ?, outlet_count = ?, "
            "outlets = ? WHERE id = ?", [*_overview_values(overview), story_id])

    def _story_members(self, story_id: int) -> list[StoryMember]:
        rows = self.db.execute(
            "SELECT id, title, outlet, url, published, copy_of FROM articles WHERE story_id = ? ORDER BY id", [story_id])
        return [StoryMember(*row) for row in rows]

    def _story_members_by_id(self, article_ids: Sequence[int]) -> list[StoryMember]:
        rows = self.db.execute(
            "SELECT id, title, outlet, url, published, copy_of FROM articles WHERE id IN "
            f"({','.join('?' * len(article_ids))}) ORDER BY id", list(article_ids))
        return [StoryMember(*row) for row in rows]

    def clear_stories(self) -> None:
        """Forget every story and the whole story index (before a rebuild)."""
        with self.transaction():
            self._vocabulary_pending.clear()
            self._vocabulary_stored.clear()
            self._recent = _RecentStoryIndex()
            for table in ("story_bands", "story_names", "story_vocabulary", "story_features", "stories"):
                self.db.conn.execute(f"DELETE FROM {table}")
            self.db.conn.execute("UPDATE articles SET story_id = NULL, copy_of = NULL")

    def articles_for_stories(self, batch: int = 1000) -> Iterator[tuple[int, Article]]:
        """Every stored article, in id order, as the grouper reads it."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, url, title, body, published, outlet, language, credits FROM articles WHERE id > ? "
                "ORDER BY id LIMIT ?", [last, batch]).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[0], Article(url=row[1], title=row[2], body=row[3] or "", published=row[4], outlet=row[5],
                                      language=row[6], credits=json.loads(row[7] or "[]"))
            last = rows[-1][0]

    def story_of(self, article_id: int) -> int | None:
        row = self.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def story_totals(self) -> StoryTotals:
        stories = self.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        copies, without = self.db.execute(
            "SELECT count(copy_of), coalesce(sum(story_id IS NULL), 0) FROM articles").fetchone()
        return StoryTotals(stories=stories, copies=copies, articles_without_story=without)

    def stories(self, *, since: str | None = None, min_outlets: int = 0, limit: int | None = None) -> list[StoryOverview]:
        """Stories newest first (by their last publication; undated last), those with a member published on or
        after `since` and covered by at least `min_outlets` outlets."""
        rows = self.db.execute(
            "SELECT id, title, first_published, last_published, article_count, outlet_count, outlets FROM stories "
            "WHERE (? IS NULL OR last_published >= ?) AND outlet_count >= ? "
            "ORDER BY last_published IS NULL, last_published DESC, id DESC LIMIT ?",
            [since, since, min_outlets, -1 if limit is None else limit]).fetchall()
        return [_overview_from_row(row) for row in rows]

    def story(self, story_id: int) -> tuple[StoryOverview, list[StoryMember]] | None:
        row = self.db.execute(
            "SELECT id, title, first_published, last_published, article_count, outlet_count, outlets FROM stories "
            "WHERE id = ?", [story_id]).fetchone()
        if row is None:
            return None
        return _overview_from_row(row), self._story_members(story_id)

    # --- reads -----------------------------------------------------------------------------------

    def article_fetch_records(self) -> Iterator[FetchRecord]:
        """Every URL an article was fetched under, with its validators (for a shared frontier's known set)."""
        cursor = self.db.execute(
            "SELECT url, article_id, fetched_at, etag, last_modified FROM fetched_urls WHERE article_id IS NOT NULL")
        for row in cursor:
            yield FetchRecord(*row)

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

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.db["articles"].search(query, limit=limit, columns=["id", "url", "title", "outlet", "published"]))

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in
                ("articles", "raw_documents", "article_versions", "fetched_urls", "failures", "crawl_runs",
                 "replay_checkpoints", "stories")}

    def stats(self) -> dict[str, Any]:
        """Corpus summary for `newsdesk stats`."""
        by_outlet = self.db.execute(
            "SELECT coalesce(outlet, '(unknown)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC LIMIT 20").fetchall()
        by_language = self.db.execute(
            "SELECT coalesce(language, '(unknown)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC").fetchall()
        failures = self.db.execute("SELECT stage, count(*) FROM failures GROUP BY 1 ORDER BY 2 DESC").fetchall()
        words = self.db.execute("SELECT coalesce(sum(word_count), 0) FROM articles").fetchone()[0]
        dead_links = self.db.execute("SELECT coalesce(sum(dead_links), 0) FROM crawl_runs").fetchone()[0]
        return {
            "path": str(self.path), "counts": self.counts(), "words": words,
            "by_outlet": dict(by_outlet), "by_language": dict(by_language), "failures_by_stage": dict(failures),
            "dead_links": dead_links,
        }

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _RecentStoryIndex:
    """The band and name index rows of the articles whose rows are not written yet (STORY_INDEX_FLUSH_ARTICLES)."""

    def __init__(self, last_seen: int = 0):
        self.bands: dict[int, set[int]] = {}
        self.names: dict[str, set[tuple[str, int]]] = {}
        self.entries: dict[int, tuple[tuple[int, ...], frozenset[str], str]] = {}
        self.last_seen = last_seen  # the highest article id taken in

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def article_ids(self) -> set[int]:
        return set(self.entries)

    def add(self, article_id: int, keys: Sequence[int], names: Iterable[str], day: str | None) -> None:
        self.discard(article_id)
        names = frozenset(names)
        self.entries[article_id] = (tuple(keys), names, day or "")
        for key in keys:
            self.bands.setdefault(key, set()).add(article_id)
        for name in names:
            self.names.setdefault(name, set()).add((day or "", article_id))
        self.last_seen = max(self.last_seen, article_id)

    def discard(self, article_id: int) -> None:
        entry = self.entries.pop(article_id, None)
        if entry is None:
            return
        keys, names, day = entry
        for key in keys:
            self.bands.get(key, set()).discard(article_id)
        for name in names:
            self.names.get(name, set()).discard((day, article_id))

    def copy_candidates(self, keys: Sequence[int]) -> set[int]:
        return set().union(*(self.bands.get(key, ()) for key in keys)) if self.bands else set()

    def event_candidates(self, names: Sequence[str], window: list[str] | None) -> Counter[int]:
        """How many of `names` each recent article shares: dated within `window` or undated (any when None)."""
        counts: Counter[int] = Counter()
        for name in names:
            for day, article_id in self.names.get(name, ()):
                if window is None or day == "" or window[0] <= day <= window[1]:
                    counts[article_id] += 1
        return counts

    def band_rows(self) -> list[tuple[int, int]]:
        return sorted((key, article_id) for article_id, (keys, _, _) in self.entries.items() for key in keys)

    def name_rows(self) -> list[tuple[str, str, int]]:
        return sorted((name, day, article_id) for article_id, (_, names, day) in self.entries.items() for name in names)


def _features_to_row(features: StoryFeatures) -> list[Any]:
    return [features.signature, features.shingle_count, json.dumps(features.terms, ensure_ascii=False, sort_keys=True),
            " ".join(sorted(features.names)), " ".join(sorted(features.key_names)), " ".join(sorted(features.numbers)),
            " ".join(sorted(features.lookup_names)), features.day]


def _features_from_row(row: Sequence[Any]) -> StoryFeatures:
    signature, shingle_count, terms, names, key_names, numbers, lookup_names, day = row
    return StoryFeatures(signature=signature, shingle_count=shingle_count, terms=json.loads(terms),
                         names=frozenset(names.split()), key_names=frozenset(key_names.split()),
                         numbers=frozenset(numbers.split()), lookup_names=frozenset(lookup_names.split()), day=day)


def _overview_values(overview: StoryOverview) -> list[Any]:
    return [overview.title, overview.first_published, overview.last_published, overview.article_count,
            overview.outlet_count, json.dumps(list(overview.outlets), ensure_ascii=False)]


def _overview_from_row(row: Sequence[Any]) -> StoryOverview:
    return StoryOverview(story_id=row[0], title=row[1], first_published=row[2], last_published=row[3],
                         article_count=row[4], outlet_count=row[5], outlets=tuple(json.loads(row[6] or "[]")))




class WriteBatch:
    """Many inputs' writes in one transaction, which is committed every `inputs` settled inputs or `seconds`,
    and at the end. Each input's own writes are a savepoint inside it, so a failing input undoes only its
    own. Ending with a StoreError drops the uncommitted writes; any other way out (Ctrl-C included) commits
    what was settled."""

    def __init__(self, store: "Store", *, inputs: int, seconds: float):
        self.store = store
        self.inputs = max(1, inputs)
        self.seconds = seconds
        self._transaction: _Transaction | None = None
        self._settled = 0
        self._started = 0.0

    def __enter__(self) -> "WriteBatch":
        self._begin()
        return self

    def settled(self) -> None:
        """One more input is settled: commit the batch when it is full or old enough."""
        self._settled += 1
        if self._settled >= self.inputs or time.monotonic() - self._started >= self.seconds:
            self._end(None)
            self._begin()

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._end(exc_type if exc_type is not None and issubclass(exc_type, StoreError) else None)

    def _begin(self) -> None:
        self._transaction = _Transaction(self.store.db.conn)
        self._transaction.__enter__()
        self._settled, self._started = 0, time.monotonic()

    def _end(self, error: type[BaseException] | None) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            transaction.__exit__(error, None, None)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (Store.transaction() makes a nested use a savepoint instead)."""

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
            try:
                self.connection.execute("COMMIT")
            except BaseException:
                self._roll_back()
                raise
        else:
            self._roll_back()

    def _roll_back(self) -> None:
        if self.connection.in_transaction:  # an error such as a full disk may have ended it already
            try:
                self.connection.execute("ROLLBACK")
            except (sqlite3.Error, StoreError):
                pass
