"""Crawl-wide per-host limits (crawler/politeness.py) against a real redis-server: a host's slots are shared by
every worker, the spacing between request starts holds across workers, and an abandoned slot expires."""

from __future__ import annotations

import time

import redis

from crawler.frontier import KEYS
from crawler.politeness import ACQUIRE


def acquire(client: redis.Redis, token: str, limit: int = 2, delay: float = 0.0, hold: float = 60.0) -> float:
    script = client.register_script(ACQUIRE)
    return float(script(keys=[KEYS.host_active("news.example.org"), KEYS.host_next("news.example.org")],
                        args=[token, limit, delay, hold]))


def test_a_hosts_slots_are_shared_by_every_worker(redis_server):
    worker_a, worker_b = redis.Redis.from_url(redis_server.url), redis.Redis.from_url(redis_server.url)
    assert acquire(worker_a, "a1") == 0 and acquire(worker_b, "b1") == 0
    assert acquire(worker_a, "a2") < 0 and acquire(worker_b, "b2") < 0, "the third request waits, whoever sends it"
    worker_a.zrem(KEYS.host_active("news.example.org"), "a1")
    assert acquire(worker_b, "b2") == 0


def test_request_starts_to_one_host_are_spaced_by_the_download_delay(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    assert acquire(client, "first", limit=10, delay=0.5) == 0
    wait = acquire(client, "second", limit=10, delay=0.5)
    assert 0.3 < wait <= 0.5, "the next start is half a second after the first, on the server's clock"
    time.sleep(wait)
    assert acquire(client, "second", limit=10, delay=0.5) == 0


def test_a_slot_held_by_a_dead_worker_expires(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    assert acquire(client, "dies-holding-it", limit=1, hold=0.3) == 0
    assert acquire(client, "waiting", limit=1, hold=0.3) < 0
    time.sleep(0.35)
    assert acquire(client, "waiting", limit=1, hold=0.3) == 0


def test_a_token_asking_again_after_a_lost_reply_gets_its_slot_and_takes_no_second_one(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    assert acquire(client, "granted-reply-lost", delay=5.0) == 0
    assert acquire(client, "granted-reply-lost", delay=5.0) == 0, "its slot, although the next start is 5 s away"
    assert client.zcard(KEYS.host_active("news.example.org")) == 1
    assert acquire(client, "another", delay=5.0) > 0, "the spacing holds for every other request"
