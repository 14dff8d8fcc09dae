"""Politeness for the whole crawl, not per process: with a shared frontier, every worker's downloader takes a
per-host slot in Redis before it sends a request, so CONCURRENT_REQUESTS_PER_DOMAIN and DOWNLOAD_DELAY hold
for all workers together (Scrapy's own per-process limits still apply inside each worker).

A slot is a token in the host's sorted set, scored with its expiry: a worker that dies holding one frees it
after DOWNLOAD_TIMEOUT plus a margin. The spacing is a "next request not before" time per host. Both are read
and written in one Lua script on the Redis server's clock, so machines with skewed clocks agree."""

from __future__ import annotations

import asyncio
import random
import uuid
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from crawler.frontier import KEYS, RECONNECT_WAIT_SECONDS, REDIS_ERRORS, frontier_link

# How long a worker waits before asking again for a host that is at its limit (jittered, so waiting
# workers do not ask in lockstep).
SLOT_POLL_SECONDS = 0.05
# A slot outlives the download timeout by this much before it is taken for abandoned.
SLOT_MARGIN_SECONDS = 30

# KEYS: the host's active slots, its next-start time. ARGV: token, limit, delay, hold.
# Returns "0" when the slot is granted, else the seconds to wait (a string: Lua numbers become integers). A token
# that already holds a slot is granted again: a request asks with one token until it is granted, so a grant whose
# reply was lost (Redis stopped after the script ran) is found on the next ask instead of holding a slot unused.
ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return '0' end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return '-1' end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return tostring(next_start - now) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[4]) * 1000))
redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[3])), 'PX', math.ceil(tonumber(ARGV[3]) * 1000) + 1000)
return '0'
"""

SLOT_META = "newsdesk_host_slot"


class HostLimitMiddleware:
    """Downloader middleware (last before the download): wait for a crawl-wide slot of the request's host."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.link = frontier_link(crawler)
        self.stats = crawler.stats
        self.limit = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.delay = max(0.0, settings.getfloat("DOWNLOAD_DELAY"))
        self.hold = settings.getfloat("DOWNLOAD_TIMEOUT") + SLOT_MARGIN_SECONDS
        self.acquire_script = self.link.client.register_script(ACQUIRE)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NEWSDESK_FRONTIER"):
            raise NotConfigured  # no shared frontier: off, as usual (with a message, Scrapy warns on every crawl)
        return cls(crawler)

    def _try_acquire(self, host: str, token: str) -> float:
        """0 when the slot is ours, else how long to wait before asking again."""
        try:
            answer = float(self.acquire_script(keys=[KEYS.host_active(host), KEYS.host_next(host)],
                                               args=[token, self.limit, self.delay, self.hold]))
        except REDIS_ERRORS:
            return RECONNECT_WAIT_SECONDS
        if answer < 0:
            return SLOT_POLL_SECONDS * (1 + random.random())
        return answer

    async def process_request(self, request, spider=None):
        host = (urlsplit(request.url).hostname or "").lower()
        token = uuid.uuid4().hex
        waited = False
        while (wait := self._try_acquire(host, token)) > 0:
            waited = True
            await asyncio.sleep(wait)
        if waited:
            self.stats.inc_value("newsdesk/frontier/host_waits")
        request.meta[SLOT_META] = (host, token)
        return None

    def _release(self, request) -> None:
        slot = request.meta.pop(SLOT_META, None)
        if slot:
            host, token = slot
            self.link.outbox.send(lambda: self.link.client.zrem(KEYS.host_active(host), token))

    def process_response(self, request, response, spider=None):
        self._release(request)
        return response

    def process_exception(self, request, exception, spider=None):
        self._release(request)
        return None
