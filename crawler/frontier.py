"""The shared frontier: many crawl workers, on any machines, take requests from one queue and one seen-set in
Redis (scrapy-redis's scheduler, priority queue and duplicate filter, persisted across restarts).

scrapy-redis pops a request and forgets it. Here every request taken is *leased*: popping moves it, in one Lua
script, into its worker's lease hash, and it leaves that hash only once everything it led to is safe in Redis
(the requests it yielded, the result it pushed to the results stream, or the redirect or retry that replaces it:
these are written before the lease ends, in order, so a crash in between only means the request is done twice).
Each worker heartbeats; when a worker's heartbeat is older than the lease timeout (it was SIGKILLed, its machine
died), any live worker returns its leases to the queue. "Seen" and "queued" are written by one script too, so a
request is never marked seen without being queued. While Redis is unreachable, workers keep what they could not
write in an outbox (in order), stay alive, and flush it when Redis is back.

Settings: NEWSDESK_FRONTIER (redis://HOST:PORT/DB) switches this on (see frontier_settings());
NEWSDESK_FRONTIER_LEASE_TIMEOUT, NEWSDESK_FRONTIER_IDLE_EXIT.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newsdesk.corpus.store import FetchRecord

logger = logging.getLogger(__name__)

KEY_PREFIX = "newsdesk"
# A worker whose heartbeat is older than this is taken for dead and its leased requests go back to the queue.
DEFAULT_LEASE_TIMEOUT_SECONDS = 60.0
# A worker leaves once nothing has been queued or leased anywhere for this long.
DEFAULT_IDLE_EXIT_SECONDS = 30.0
# How often a worker heartbeats, reclaims dead workers' leases, flushes its outbox and asks its engine for work.
TICK_SECONDS = 0.5
# How long to wait before trying Redis again when it cannot be reached.
RECONNECT_WAIT_SECONDS = 1.0
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError, OSError)


# --- keys and connections ------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontierKeys:
    """Every Redis key of one crawl (one Redis database holds one crawl)."""

    prefix: str = KEY_PREFIX

    @property
    def queue(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def seen(self) -> str:
        return f"{self.prefix}:seen"

    @property
    def workers(self) -> str:  # worker id -> heartbeat expiry (Redis server time)
        return f"{self.prefix}:workers"

    @property
    def lease_prefix(self) -> str:
        return f"{self.prefix}:leases:"

    def leases(self, worker: str) -> str:  # lease id -> "<score> <encoded request>"
        return self.lease_prefix + worker

    @property
    def taken(self) -> str:  # requests handed out so far (the crawl-wide page budget counts these)
        return f"{self.prefix}:taken"

    @property
    def spec(self) -> str:  # the crawl's options (seeds, allowed domains, recrawl interval), for joining workers
        return f"{self.prefix}:spec"

    @property
    def budget(self) -> str:
        return f"{self.prefix}:budget"

    @property
    def results(self) -> str:
        return f"{self.prefix}:results"

    @property
    def known(self) -> str:  # URL -> fetch record of a stored article (for skipping and revalidating it)
        return f"{self.prefix}:known"

    def host_active(self, host: str) -> str:
        return f"{self.prefix}:host:{host}:active"

    def host_next(self, host: str) -> str:
        return f"{self.prefix}:host:{host}:next"


KEYS = FrontierKeys()


def check_frontier_url(url: str) -> str:
    """The URL if it names a Redis server (redis://, rediss:// or unix://), else ValueError with the reason."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"not a Redis URL (expected redis://HOST:PORT/DB): {url!r}")
    try:
        redis.connection.parse_url(url)
    except ValueError as error:
        raise ValueError(f"not a usable Redis URL: {url!r} ({error})") from None
    return url


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=2, health_check_interval=15)


def wait_for_redis(client: redis.Redis, timeout: float | None = None, log: Callable[[str], None] | None = None,
                   should_stop: Callable[[], bool] = lambda: False) -> bool:
    """Block until Redis answers (True), or `timeout` seconds pass or should_stop() (False); says once that it
    is waiting."""
    deadline = None if timeout is None else time.monotonic() + timeout
    said = False
    while not should_stop():
        try:
            client.ping()
            return True
        except REDIS_ERRORS as error:
            if not said and log:
                log(f"waiting for Redis ({type(error).__name__}: {' '.join(str(error).split())[:120]})")
                said = True
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(RECONNECT_WAIT_SECONDS)
    return False


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- request serialization -----------------------------------------------------------------------
# Requests travel as JSON (bytes as base64), not pickle: whoever can write to the queue cannot run code in a worker.


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and "$b" not in value and "$d" not in value:
            return {key: _to_json(item) for key, item in value.items()}
        return {"$d": [[_to_json(key), _to_json(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_to_json(item) for item in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b"}:
            return base64.b64decode(value["$b"])
        if set(value) == {"$d"}:
            return {_from_json(key): _from_json(item) for key, item in value["$d"]}
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


# This module is the scrapy-redis serializer (SCHEDULER_SERIALIZER names a module with dumps and loads).
def dumps(obj: Any) -> str:
    return json.dumps(_to_json(obj), separators=(",", ":"), ensure_ascii=False)


def loads(data: bytes | str) -> Any:
    return _from_json(json.loads(data))


def page_budget(client: redis.Redis) -> int:
    """Requests the whole crawl may take, all workers together (0: no budget); set when the crawl is seeded."""
    return int(client.get(KEYS.budget) or 0)


# --- Lua scripts: each step that must not be cut in half by a crash ------------------------------

_SERVER_NOW = "local clock = redis.call('TIME') local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000 "

# Put a worker's leased requests back in the queue and forget the worker. KEYS[1] workers, KEYS[2] queue,
# KEYS[3] taken; `worker` and `lease_key` are locals set by the caller.
_RETURN_LEASES = """
local returned = 0
for _, lease in ipairs(redis.call('HVALS', lease_key)) do
  local space = string.find(lease, ' ', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(lease, 1, space - 1), string.sub(lease, space + 1))
  returned = returned + 1
end
redis.call('DEL', lease_key)
redis.call('ZREM', KEYS[1], worker)
if returned > 0 then redis.call('DECRBY', KEYS[3], returned) end
total = total + returned
"""

# KEYS: queue, seen. ARGV: fingerprint, score, request, dont_filter. Seen and queued together, never one alone.
PUSH = """
if ARGV[4] == '1' or redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
return 0
"""

# KEYS: queue, this worker's leases, taken. ARGV: lease id, budget (0: none). The best request, leased. A lease id
# already held answers with its request and takes nothing more: a worker whose last take lost its reply (Redis
# stopped, or the reply timed out, after the script ran) asks again with the same id and gets what it was given.
POP = """
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then return string.sub(held, string.find(held, ' ', 1, true) + 1) end
local budget = tonumber(ARGV[2])
if budget > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= budget then return false end
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('HSET', KEYS[2], ARGV[1], item[2] .. ' ' .. item[1])
redis.call('INCR', KEYS[3])
return item[1]
"""

# KEYS: workers, queue, taken. ARGV: worker id ('' for none), lease timeout, lease key prefix, reap ('1'/'0').
# Heartbeat, then return the leases of every worker whose heartbeat has expired.
HEARTBEAT = _SERVER_NOW + """
local total = 0
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) end
if ARGV[4] == '1' then
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
    local worker = dead
    local lease_key = ARGV[3] .. dead
""" + _RETURN_LEASES + """
  end
end
return total
"""

# KEYS: workers, queue, taken. ARGV: worker id, lease key prefix. A worker leaving returns what it still holds.
LEAVE = "local total = 0 local worker = ARGV[1] local lease_key = ARGV[2] .. ARGV[1] " + _RETURN_LEASES + " return total"


@dataclass(frozen=True)
class FrontierStatus:
    queued: int
    leased: int
    workers: int
    results_waiting: int  # entries in the results stream not yet acknowledged by the writer
    budget_reached: bool

    @property
    def finished(self) -> bool:
        """Nothing left to fetch and nothing being fetched (results may still be on their way to the writer)."""
        return (self.queued == 0 or self.budget_reached) and self.leased == 0


def frontier_status(client: redis.Redis) -> FrontierStatus:
    budget = page_budget(client)
    workers = [worker.decode() if isinstance(worker, bytes) else worker for worker in client.zrange(KEYS.workers, 0, -1)]
    pipe = client.pipeline(transaction=False)
    pipe.zcard(KEYS.queue)
    pipe.get(KEYS.taken)
    pipe.exists(KEYS.results)
    for worker in workers:
        pipe.hlen(KEYS.leases(worker))
    queued, taken, has_results, *leases = pipe.execute()
    waiting = 0
    if has_results:
        waiting = client.xlen(KEYS.results)
    return FrontierStatus(queued=queued, leased=sum(leases), workers=len(workers), results_waiting=waiting,
                          budget_reached=bool(budget) and int(taken or 0) >= budget)


# --- the link between one crawler and Redis ---------------------------------------------------------


class Outbox:
    """Writes that could not reach Redis, kept in order and retried; nothing is dropped while the worker lives."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], Any]] = []

    def send(self, write: Callable[[], Any]) -> None:
        """Write now, after whatever is still waiting; keep it for later if Redis cannot be reached."""
        self.pending.append(write)
        self.flush()

    def flush(self) -> bool:
        """True when everything is written."""
        while self.pending:
            try:
                self.pending[0]()
            except REDIS_ERRORS:
                return False
            self.pending.pop(0)
        return True


class FrontierLink:
    """One worker's connection to the frontier: client, worker id, outbox; shared by scheduler, politeness
    middleware and results pipeline of one crawler."""

    def __init__(self, url: str):
        self.url = url
        self.client = redis_client(url)
        self.worker_id = new_worker_id()
        self.outbox = Outbox()
        self.push_script = self.client.register_script(PUSH)
        self.pop_script = self.client.register_script(POP)
        self.heartbeat_script = self.client.register_script(HEARTBEAT)
        self.leave_script = self.client.register_script(LEAVE)
        self.reachable = True

    def heartbeat(self, lease_timeout: float) -> int:
        """Say this worker is alive; return dead workers' leases to the queue (how many). A Redis that has just
        restarted has heard no heartbeat yet, so nobody is reaped until it has been up for a lease timeout."""
        uptime = int(self.client.info("server").get("uptime_in_seconds", 0))
        reap = "1" if uptime >= lease_timeout else "0"
        return int(self.heartbeat_script(keys=[KEYS.workers, KEYS.queue, KEYS.taken],
                                         args=[self.worker_id, lease_timeout, KEYS.lease_prefix, reap]))

    def leave(self) -> int:
        return int(self.leave_script(keys=[KEYS.workers, KEYS.queue, KEYS.taken], args=[self.worker_id, KEYS.lease_prefix]))


def frontier_link(crawler) -> FrontierLink:
    link = getattr(crawler, "_newsdesk_frontier", None)
    if link is None:
        link = FrontierLink(crawler.settings.get("NEWSDESK_FRONTIER"))
        crawler._newsdesk_frontier = link
    return link


# --- the scheduler ---------------------------------------------------------------------------------

LEASE_META = "newsdesk_lease"


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue (sorted set, JSON requests) whose pop leases the request to a worker."""

    def pop(self, timeout=0):
        raise NotImplementedError("FrontierScheduler.next_request() takes requests, each with a lease")


class FrontierScheduler(Scheduler):
    """scrapy-redis's Scheduler with leases, an outbox for Redis outages, a crawl-wide page budget and an idle
    exit: the worker stops once the whole frontier has been finished for NEWSDESK_FRONTIER_IDLE_EXIT seconds."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.link = frontier_link(crawler)
        scheduler.server = scheduler.link.client
        scheduler.lease_timeout = crawler.settings.getfloat("NEWSDESK_FRONTIER_LEASE_TIMEOUT", DEFAULT_LEASE_TIMEOUT_SECONDS)
        scheduler.idle_exit = crawler.settings.getfloat("NEWSDESK_FRONTIER_IDLE_EXIT", DEFAULT_IDLE_EXIT_SECONDS)
        scheduler.budget = 0
        scheduler.next_lease = 0
        scheduler.idle_since = None
        scheduler.loop = None
        crawler.signals.connect(scheduler.on_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        # scrapy-redis's open(), without its flush options (a frontier is only cleared by seeding a new crawl).
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, serializer=self.serializer)
        self.df = self.df or RFPDupeFilter(self.server, self.dupefilter_key)
        self.budget = page_budget(self.server)
        self.link.heartbeat(self.lease_timeout)
        scraper = self.crawler.engine.scraper
        finish_scrape = scraper.enqueue_scrape

        # The one place Scrapy tells that a request is fully handled: its response (or failure) went through
        # the callback, every item through the pipeline, every new request into the scheduler.
        def enqueue_scrape(result, request):
            done = finish_scrape(result, request)
            done.addBoth(self._finished, request)
            return done

        scraper.enqueue_scrape = enqueue_scrape
        engine = self.crawler.engine
        schedule = engine.crawl

        # A redirect or a retry replaces its request: it carries the old request's lease in its meta, and that
        # lease ends once the new request is queued (or refused by the offsite filter, which Scrapy applies as
        # the request is scheduled).
        def crawl(request):
            replaced = request.meta.pop(LEASE_META, None)
            schedule(request)
            if replaced:
                self._release(replaced)

        engine.crawl = crawl
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK_SECONDS, now=False)

    def close(self, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.link.outbox.flush()
            returned = self.link.leave()
            if returned:
                logger.warning("frontier: %d unfinished request(s) returned to the queue", returned)
        except REDIS_ERRORS:
            logger.warning("frontier: Redis unreachable at close; this worker's leases return after the lease timeout")

    # --- requests in ---------------------------------------------------------------------------

    def enqueue_request(self, request):
        request.meta.pop(LEASE_META, None)
        fingerprint = self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        arguments = [fingerprint, -request.priority, data, "1" if request.dont_filter else "0"]
        self.link.outbox.send(lambda: self.link.push_script(keys=[KEYS.queue, KEYS.seen], args=arguments))
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    # --- requests out --------------------------------------------------------------------------

    def next_request(self):
        if not self.link.outbox.flush():
            return None
        # The lease id moves on only once a take has answered: a take whose reply was lost is asked again with
        # the same id (see POP), so the request it leased is not left leased to nobody, holding the crawl open.
        lease = str(self.next_lease + 1)
        try:
            data = self.link.pop_script(keys=[KEYS.queue, KEYS.leases(self.link.worker_id), KEYS.taken],
                                        args=[lease, self.budget])
        except REDIS_ERRORS:
            self._unreachable()
            return None
        self._reachable()
        if not data:
            return None
        self.next_lease += 1
        request = self.queue._decode_request(data)
        request.meta[LEASE_META] = lease
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self):
        try:
            if self.budget and int(self.server.get(KEYS.taken) or 0) >= self.budget:
                return False
            return len(self.queue) > 0
        except REDIS_ERRORS:
            return bool(self.link.outbox.pending)

    def _finished(self, result, request):
        lease = request.meta.get(LEASE_META)
        if lease:
            self._release(lease)
        return result

    def _release(self, lease: str) -> None:
        """The leased request is fully handled; after whatever it led to (the outbox keeps the order)."""
        leases = KEYS.leases(self.link.worker_id)
        self.link.outbox.send(lambda: self.server.hdel(leases, lease))

    # --- liveness ------------------------------------------------------------------------------

    def tick(self) -> None:
        try:
            self.link.outbox.flush()
            returned = self.link.heartbeat(self.lease_timeout)
        except REDIS_ERRORS:
            self._unreachable()
            return
        self._reachable()
        if returned:
            logger.warning("frontier: %d request(s) of a worker that stopped heartbeating returned to the queue", returned)
            self.crawler.stats.inc_value("newsdesk/frontier/returned", returned)
        # Scrapy polls an idle scheduler every 5 s; ask sooner, so requests other workers add are taken at once.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and getattr(slot, "nextcall", None) is not None:
            slot.nextcall.schedule()

    def _unreachable(self) -> None:
        if self.link.reachable:
            logger.warning("frontier: Redis unreachable; waiting for it (nothing is lost)")
            print("crawl-worker: Redis unreachable; waiting for it to come back", flush=True)
            self.link.reachable = False
        self.idle_since = None

    def _reachable(self) -> None:
        if not self.link.reachable:
            print("crawl-worker: Redis is back; resuming", flush=True)
            self.link.reachable = True

    def on_idle(self, spider=None):
        """Stay up while anything is queued or leased anywhere, or Redis is away; leave once the whole frontier
        has been finished for idle_exit seconds."""
        if self.link.outbox.pending or not self.link.reachable:
            raise DontCloseSpider
        try:
            finished = frontier_status(self.server).finished
        except REDIS_ERRORS:
            self._unreachable()
            raise DontCloseSpider from None
        if not finished:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = time.monotonic()
        if time.monotonic() - self.idle_since < self.idle_exit:
            raise DontCloseSpider


def frontier_settings(url: str, lease_timeout: float | None = None, idle_exit: float | None = None) -> dict[str, Any]:
    """The Scrapy settings that make a crawler a frontier worker."""
    import crawler.settings as project_settings

    settings: dict[str, Any] = {
        "NEWSDESK_FRONTIER": url,
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": KEYS.queue,
        "SCHEDULER_DUPEFILTER_KEY": KEYS.seen,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "crawler.frontier",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "DOWNLOADER_MIDDLEWARES": {**project_settings.DOWNLOADER_MIDDLEWARES, "crawler.politeness.HostLimitMiddleware": 950},
        "ITEM_PIPELINES": {"crawler.results.ResultsStreamPipeline": 300},
    }
    if lease_timeout is not None:
        settings["NEWSDESK_FRONTIER_LEASE_TIMEOUT"] = lease_timeout
    if idle_exit is not None:
        settings["NEWSDESK_FRONTIER_IDLE_EXIT"] = idle_exit
    return settings


# --- the worker's view of the corpus ----------------------------------------------------------------


def encode_fetch_record(record: FetchRecord) -> str:
    return json.dumps([record.article_id, record.fetched_at, record.etag, record.last_modified])


def decode_fetch_record(url: str, raw: bytes | str) -> FetchRecord:
    article_id, fetched_at, etag, last_modified = json.loads(raw)
    return FetchRecord(url, article_id, fetched_at, etag, last_modified)


class RemoteCorpus:
    """What a frontier worker has instead of the SQLite corpus: known articles are looked up in the frontier's
    copy of their fetch records (kept by the writer). Everything to store goes to the results stream."""

    def __init__(self, crawler):
        self.link = frontier_link(crawler)

    def fetch_record(self, url: str) -> FetchRecord | None:
        try:
            raw = self.link.client.hget(KEYS.known, url)
        except REDIS_ERRORS:
            return None  # fetched again rather than waiting: the writer stores it idempotently
        return decode_fetch_record(url, raw) if raw else None

    def close(self) -> None:
        self.link.client.close()

    def __enter__(self) -> "RemoteCorpus":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
