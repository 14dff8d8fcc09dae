"""Scale-out crawls over a shared frontier in Redis: crawl workers (any number, on any machines), the one writer
that stores their results in the SQLite corpus, and the supervisor that runs both on one machine
(`newsdesk crawl URL --frontier redis://... --workers N`).

The writer reads the results stream with a consumer group and acknowledges a batch only after its transaction
has committed. A writer killed mid-batch leaves the batch pending; the next writer (the same consumer name)
reads its pending entries first. Storing is idempotent (an article is unique by URL, a fetch record by URL),
so an entry delivered twice changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler import frontier
from crawler.frontier import (KEYS, PUSH, REDIS_ERRORS, RECONNECT_WAIT_SECONDS, LeasedQueue, encode_fetch_record,
                              frontier_settings, frontier_status, redis_client, wait_for_redis)
from crawler.report import CrawlReport
from crawler.results import FAILURE, NOT_MODIFIED, WRITER_GROUP, ResultMessage
from crawler.spiders.news import NewsSpider
from newsdesk.corpus.ingest import Ingestor
from newsdesk.corpus.store import DEFAULT_DB, FetchRecord, Store, utc_now
from newsdesk.ops.crawl import CrawlOptions, run_crawl

WRITER_CONSUMER = "writer"  # one writer per crawl: a restarted writer is the same consumer and reads its pending entries
WRITER_BATCH = 100  # stream entries stored per transaction
WRITER_BLOCK_MS = 500  # how long one read waits for new entries
DEFAULT_WORKER_IDLE_EXIT = 5.0  # seconds the whole frontier must stay finished before a supervised worker leaves
SUPERVISOR_POLL_SECONDS = 0.2


class FrontierError(RuntimeError):
    """A frontier that cannot be used as asked (no crawl seeded in it...); the message is one line."""


# --- the writer --------------------------------------------------------------------------------


@dataclass
class WriterReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped: int = 0
    failed: int = 0
    entries: int = 0
    first_stored_at: float | None = None
    last_stored_at: float | None = None

    def summary(self) -> str:
        return (f"{self.entries} results: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.not_modified} not modified, {self.skipped} list/navigation pages, {self.failed} failed")

    def to_dict(self) -> dict:
        return asdict(self)


class ResultsWriter:
    """The single writer: results stream -> ingest core -> SQLite, acknowledged after each committed batch."""

    def __init__(self, url: str, store: Store, consumer: str = WRITER_CONSUMER, batch_size: int = WRITER_BATCH):
        self.client = redis_client(url)
        self.store = store
        self.ingestor = Ingestor(store)
        self.consumer = consumer
        self.batch_size = batch_size
        self.report = WriterReport()
        self.reading_pending = True  # first our own unacknowledged entries (a previous writer's batch), then new ones
        self.group_ready = False

    def _ensure_group(self) -> None:
        if self.group_ready:
            return
        try:
            self.client.xgroup_create(KEYS.results, WRITER_GROUP, id="0", mkstream=True)
        except Exception as error:  # BUSYGROUP: it exists already
            if "BUSYGROUP" not in str(error):
                raise
        self.group_ready = True

    def read_batch(self, block_ms: int = WRITER_BLOCK_MS) -> list[tuple[bytes, dict[bytes, bytes]]]:
        self._ensure_group()
        if self.reading_pending:
            answer = self.client.xreadgroup(WRITER_GROUP, self.consumer, {KEYS.results: "0"}, count=self.batch_size)
            entries = answer[0][1] if answer else []
            if entries:
                return entries
            self.reading_pending = False
        answer = self.client.xreadgroup(WRITER_GROUP, self.consumer, {KEYS.results: ">"}, count=self.batch_size, block=block_ms)
        return answer[0][1] if answer else []

    def store_batch(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Store every entry in one transaction; then update the frontier's known set; then acknowledge."""
        known: dict[str, str] = {}
        with self.store.transaction():
            for _, fields in entries:
                known.update(self._store_entry(fields))
        if known:
            self.client.hset(KEYS.known, mapping=known)
        ids = [entry_id for entry_id, _ in entries]
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(KEYS.results, WRITER_GROUP, *ids)
        pipe.xdel(KEYS.results, *ids)
        pipe.execute()
        self.report.entries += len(entries)

    def _store_entry(self, fields: dict[bytes, bytes]) -> dict[str, str]:
        """Store one result; returns the fetch records to publish as known (URL -> encoded record)."""
        try:
            message = ResultMessage.from_fields(fields)
        except Exception as error:  # a malformed entry costs a failures row, never the batch
            self.store.record_failure("(results stream)", "read", f"unreadable results entry: {type(error).__name__}")
            self.report.failed += 1
            return {}
        if message.kind == FAILURE:
            self.store.record_failure(message.origin or message.url or "(unknown)", message.stage or "fetch",
                                      message.reason or "failed", url=message.url)
            self.report.failed += 1
            return {}
        if message.kind == NOT_MODIFIED:
            self.ingestor.record_not_modified(message.url, message.headers)
            self.report.not_modified += 1
            self.report.unchanged += 1
            record = self.store.fetch_record(message.url)
            return {record.url: encode_fetch_record(record)} if record and record.article_id else {}
        document = message.document()
        result = self.ingestor.store_extraction(document, message.extraction())
        if result.status == "skipped":
            self.report.skipped += 1
            return {}
        if result.status == "failed":
            self.report.failed += 1
            return {}
        setattr(self.report, result.status, getattr(self.report, result.status) + 1)
        now = time.time()
        self.report.first_stored_at = self.report.first_stored_at or now
        self.report.last_stored_at = now
        fetched_at = utc_now()
        urls = {document.url, result.article.url if result.article else None, *document.fetched_urls} - {None, ""}
        return {url: encode_fetch_record(FetchRecord(url, result.article_id, fetched_at, document.header("ETag"),
                                                     document.header("Last-Modified"))) for url in urls}

    def run(self, should_stop: Callable[[], bool], idle_exit: float | None = None,
            log: Callable[[str], None] = lambda line: None) -> WriterReport:
        """Store results until should_stop() (after the batch in hand), or, with idle_exit, until the frontier has
        been finished and the stream empty for that many seconds. Waits out Redis outages."""
        idle_since: float | None = None
        reachable = True
        while not should_stop():
            try:
                entries = self.read_batch()
                if entries:
                    self.store_batch(entries)
                    idle_since = None
                elif idle_exit is not None:
                    status = frontier_status(self.client)
                    if status.finished and status.results_waiting == 0:
                        idle_since = idle_since or time.monotonic()
                        if time.monotonic() - idle_since >= idle_exit:
                            break
                    else:
                        idle_since = None
                if not reachable:
                    log("ingest: Redis is back; resuming")
                    reachable = True
            except REDIS_ERRORS:
                if reachable:
                    log("ingest: Redis unreachable; waiting for it (unacknowledged results stay pending)")
                    reachable = False
                self.group_ready = False
                self.reading_pending = True
                idle_since = None
                time.sleep(RECONNECT_WAIT_SECONDS)
        return self.report


def run_writer(url: str, db_path: str | Path, idle_exit: float | None = None,
               log: Callable[[str], None] = lambda line: None) -> WriterReport:
    """`newsdesk ingest --from URL`: the writer until SIGINT/SIGTERM (then after the batch in hand) or idle_exit."""
    stopping = []

    def stop(signum, frame) -> None:
        stopping.append(signum)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    client = redis_client(url)
    try:
        if not wait_for_redis(client, log=log, should_stop=lambda: bool(stopping)):
            return WriterReport()
        with_store = Store(db_path)
        try:
            return ResultsWriter(url, with_store).run(lambda: bool(stopping), idle_exit, log)
        finally:
            with_store.close()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


# --- workers ------------------------------------------------------------------------------------


@dataclass
class WorkerReport:
    crawl: CrawlReport
    results_sent: int

    def to_dict(self) -> dict:
        return {**self.crawl.to_dict(), "results_sent": self.results_sent}


def run_worker(url: str, settings: dict | None = None, idle_exit: float | None = None,
               lease_timeout: float | None = None, log: Callable[[str], None] = lambda line: None) -> WorkerReport:
    """`newsdesk crawl-worker`: join the crawl seeded in the frontier and work until it has been finished (nothing
    queued, nothing leased anywhere) for idle_exit seconds. Runs the crawl in this process (once per process)."""
    client = redis_client(url)
    wait_for_redis(client, log=log)
    spec = load_spec(client)
    if spec is None:
        raise FrontierError(f"no crawl has been seeded in {url}; seed one with: newsdesk crawl URL... --frontier {url}")
    # The page budget is the frontier's, for all workers together; this worker's settings come from its command line.
    options = replace(spec, max_pages=None, settings={**(settings or {}), **frontier_settings(url, lease_timeout, idle_exit)})
    stats: dict = {}
    report = run_crawl(options, DEFAULT_DB, stats_out=stats)
    return WorkerReport(report, int(stats.get("newsdesk/sent", 0)))


# --- seeding -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    fresh: bool  # a new crawl (the previous one had finished) rather than joining one in progress
    queued: int  # requests waiting in the frontier after seeding


def save_spec(client, options: CrawlOptions) -> None:
    """The crawl's options as every joining worker reads them (without this machine's Scrapy settings)."""
    client.set(KEYS.spec, json.dumps({**asdict(options), "settings": {}}))


def load_spec(client) -> CrawlOptions | None:
    raw = client.get(KEYS.spec)
    return CrawlOptions(**json.loads(raw)) if raw else None


def seed_frontier(url: str, spec: CrawlOptions, known: list[tuple[str, str]] | None = None) -> SeedReport:
    """Start a crawl in the frontier, or join the one in progress. A finished crawl's seen-set is cleared so the
    new crawl fetches its start pages again (known articles are then skipped or revalidated as usual); a crawl
    still in progress keeps its seen-set, and the seeds already seen are not queued twice. `known` are
    (URL, fetch record) pairs of articles already in the corpus, for the workers' known-article check."""
    client = redis_client(url)
    status = frontier_status(client)
    fresh = status.finished
    pipe = client.pipeline(transaction=True)
    if fresh:
        pipe.delete(KEYS.seen, KEYS.taken, KEYS.queue)
    pipe.set(KEYS.budget, spec.max_pages or 0)
    pipe.execute()
    save_spec(client, spec)
    if known:
        for start in range(0, len(known), 1000):
            client.hset(KEYS.known, mapping=dict(known[start:start + 1000]))
    spider = NewsSpider(start_urls=spec.start_urls, feeds=spec.feeds, sitemaps=spec.sitemaps, allow_domains=spec.allow_domains)
    queue = LeasedQueue(client, spider, KEYS.queue, serializer=frontier)
    dupefilter = RFPDupeFilter(client, KEYS.seen)
    push = client.register_script(PUSH)

    async def start_requests() -> list[Request]:
        return [request async for request in spider.start()]

    for request in asyncio.run(start_requests()):
        push(keys=[KEYS.queue, KEYS.seen], args=[dupefilter.request_fingerprint(request), -request.priority,
                                                 queue._encode_request(request), "1" if request.dont_filter else "0"])
    return SeedReport(fresh=fresh, queued=client.zcard(KEYS.queue))


# --- one machine: seed, N workers and the writer ------------------------------------------------


def seed(url: str, options: CrawlOptions, db_path: str | Path | None = None):
    """Seed (or join) the crawl in the frontier; the corpus's known articles are shared with the workers."""
    client = redis_client(url)
    if not wait_for_redis(client, timeout=30):
        raise FrontierError(f"Redis at {url} does not answer")
    known = []
    if db_path is not None and Path(db_path).exists():
        with_store = Store(db_path)
        try:
            known = [(record.url, encode_fetch_record(record)) for record in with_store.article_fetch_records()]
        finally:
            with_store.close()
    return seed_frontier(url, options, known)


def _cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "newsdesk.cli", *arguments]


def _die_with_parent() -> None:
    """In a supervised child: SIGTERM when the supervisor dies, whatever kills it (Linux), so a worker stops
    gracefully and returns its requests instead of crawling on unsupervised."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


def _settings_arguments(settings: dict) -> list[str]:
    return [argument for key, value in settings.items() for argument in ("--set", f"{key}={value}")]


def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return {}


def run_scaleout_crawl(options: CrawlOptions, url: str, workers: int, db_path: str | Path = DEFAULT_DB,
                       idle_exit: float = DEFAULT_WORKER_IDLE_EXIT,
                       log: Callable[[str], None] = lambda line: None) -> CrawlReport:
    """Seed the frontier, start `workers` worker processes and the writer, supervise them until the crawl is
    done (a writer that dies is restarted; it resumes from its pending entries), and report as a crawl does.
    SIGINT/SIGTERM stop the workers gracefully (their unfinished requests go back to the queue, so the crawl
    can be resumed by running the same command again), then the writer."""
    started = time.time()
    seeded = seed(url, options, db_path)
    log(f"crawl: {'new crawl' if seeded.fresh else 'joined the crawl in progress'} in {url}; "
        f"{seeded.queued} requests queued; starting {workers} workers and the writer")
    writer_command = _cli("ingest", "--from", url, "--db", str(db_path), "--idle-exit", str(idle_exit), "--json")
    worker_command = _cli("crawl-worker", "--frontier", url, "--idle-exit", str(idle_exit), "--json",
                          *_settings_arguments({"NEWSDESK_PROGRESS_INTERVAL": 0, **options.settings}))
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "preexec_fn": _die_with_parent}
    writer = subprocess.Popen(writer_command, **pipes)
    crawlers = [subprocess.Popen(worker_command, **pipes) for _ in range(workers)]
    stopping: list[int] = []

    def stop(signum, frame) -> None:
        if not stopping:
            log("crawl: stopping: workers finish the pages in flight and return the rest to the frontier")
            for process in crawlers:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
        stopping.append(signum)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    worker_outputs: list[tuple[str, str]] = []
    writer_outputs: list[tuple[str, str]] = []
    try:
        while any(process.poll() is None for process in crawlers):
            if writer.poll() is not None and writer.returncode != 0 and not stopping:
                writer_outputs.append(writer.communicate())
                log(f"crawl: the writer exited ({writer.returncode}); restarting it")
                writer = subprocess.Popen(writer_command, **pipes)
            time.sleep(SUPERVISOR_POLL_SECONDS)
        worker_outputs = [process.communicate() for process in crawlers]
        if stopping and writer.poll() is None:
            writer.send_signal(signal.SIGTERM)
        writer_outputs.append(writer.communicate())
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for process in [*crawlers, writer]:
            if process.poll() is None:
                process.kill()
                process.wait()
    reports = [_last_json_line(out) for out, _ in worker_outputs]
    for (out, err), report in zip(worker_outputs, reports):
        if not report:
            log(f"crawl: a worker ended without a report: {(err or out).strip().splitlines()[-1:] or ['(no output)']}")
    written = [_last_json_line(out) for out, _ in writer_outputs]
    total = WriterReport()
    for part in written:
        for key in ("new", "updated", "unchanged", "not_modified", "skipped", "failed", "entries"):
            setattr(total, key, getattr(total, key) + int(part.get(key, 0)))
        if part.get("first_stored_at"):
            total.first_stored_at = min(total.first_stored_at or part["first_stored_at"], part["first_stored_at"])
        if part.get("last_stored_at"):
            total.last_stored_at = max(total.last_stored_at or 0, part["last_stored_at"])
    return CrawlReport(
        pages_fetched=sum(report.get("pages_fetched", 0) for report in reports),
        articles_new=total.new, articles_updated=total.updated, articles_unchanged=total.unchanged,
        not_modified=total.not_modified, skipped_pages=total.skipped,
        skipped_known=sum(report.get("skipped_known", 0) for report in reports),
        refused=sum(report.get("refused", 0) for report in reports), failures=total.failed,
        dead_links=sum(report.get("dead_links", 0) for report in reports),
        finish_reason="shutdown" if stopping else "finished", elapsed_seconds=time.time() - started,
        storing_seconds=(total.last_stored_at - total.first_stored_at) if total.first_stored_at and total.last_stored_at else 0.0)


def worker_count(requested: int | None) -> int:
    return (os.cpu_count() or 1) if requested is None else requested
