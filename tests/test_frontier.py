"""The shared frontier's Redis side (crawler/frontier.py) against a real redis-server: requests serialized as
JSON, seen and queued together, leases, the return of a dead worker's leases, the page budget, the outbox."""

from __future__ import annotations

import time

import pytest
import redis
from scrapy import Request
from scrapy.utils.request import request_from_dict

from crawler import frontier
from crawler.frontier import KEYS, PUSH, FrontierLink, FrontierScheduler, LeasedQueue, Outbox, frontier_status


class Spider:  # what Request.to_dict needs to name callbacks
    name = "news"

    def parse_page(self, response):
        pass

    def on_error(self, failure):
        pass


def test_requests_travel_as_json_and_come_back_equal():
    spider = Spider()
    request = Request("http://example.org/a?b=1", callback=spider.parse_page, errback=spider.on_error, priority=100,
                      headers={"Referer": "http://example.org/"}, body=b"\x00\xffbinary",
                      meta={"newsdesk_kind": "page", "redirect_urls": ["http://example.org/x"], "retry_times": 2})
    encoded = frontier.dumps(request.to_dict(spider=spider))
    assert isinstance(encoded, str) and "pickle" not in encoded
    back = request_from_dict(frontier.loads(encoded), spider=spider)
    assert (back.url, back.body, back.priority, back.meta, back.callback, back.errback) == (
        request.url, request.body, request.priority, request.meta, spider.parse_page, spider.on_error)
    assert back.headers.getlist("Referer") == [b"http://example.org/"]


def test_a_request_is_seen_and_queued_together_and_only_once(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    push = client.register_script(PUSH)
    assert push(keys=[KEYS.queue, KEYS.seen], args=["fp1", -100, "request-1", "0"]) == 1
    assert push(keys=[KEYS.queue, KEYS.seen], args=["fp1", -100, "request-1-again", "0"]) == 0
    assert push(keys=[KEYS.queue, KEYS.seen], args=["fp1", -100, "retry-of-1", "1"]) == 1, "dont_filter skips the seen-set"
    assert client.zcard(KEYS.queue) == 2 and client.scard(KEYS.seen) == 1


def _queue(client: redis.Redis, *items: tuple[str, int]) -> None:
    push = client.register_script(PUSH)
    for number, (data, priority) in enumerate(items):
        push(keys=[KEYS.queue, KEYS.seen], args=[f"fp{number}", -priority, data, "0"])


def test_taking_a_request_leases_it_best_priority_first(redis_server):
    link = FrontierLink(redis_server.url)
    _queue(link.client, ("low", 0), ("high", 200))
    link.heartbeat(lease_timeout=60)  # as a worker does when it opens
    taken = link.pop_script(keys=[KEYS.queue, KEYS.leases(link.worker_id), KEYS.taken], args=["1", 0])
    assert taken == b"high"
    assert link.client.hgetall(KEYS.leases(link.worker_id)) == {b"1": b"-200 high"}
    status = frontier_status(link.client)
    assert (status.queued, status.leased, status.finished) == (1, 1, False)


def test_asking_again_with_a_lease_id_already_held_gives_its_request_and_takes_nothing_more(redis_server):
    link = FrontierLink(redis_server.url)
    _queue(link.client, ("low", 0), ("high", 200))

    def take(lease: str):
        return link.pop_script(keys=[KEYS.queue, KEYS.leases(link.worker_id), KEYS.taken], args=[lease, 0])

    assert take("1") == b"high" and take("1") == b"high"
    assert link.client.zrange(KEYS.queue, 0, -1) == [b"low"] and int(link.client.get(KEYS.taken)) == 1
    assert take("2") == b"low"


def test_a_take_whose_reply_was_lost_is_asked_again_so_no_request_stays_leased_to_nobody(redis_server):
    spider = Spider()
    link = FrontierLink(redis_server.url)
    link.heartbeat(lease_timeout=60)
    scheduler = FrontierScheduler.__new__(FrontierScheduler)  # its Redis side only, without a crawler
    scheduler.link, scheduler.server, scheduler.stats, scheduler.budget = link, link.client, None, 0
    scheduler.next_lease, scheduler.idle_since = 0, None
    scheduler.queue = LeasedQueue(link.client, spider, KEYS.queue, serializer=frontier)
    for number, path in enumerate(("/a", "/b")):
        data = scheduler.queue._encode_request(Request("http://example.org" + path, callback=spider.parse_page))
        link.client.register_script(PUSH)(keys=[KEYS.queue, KEYS.seen], args=[f"fp{number}", -number, data, "0"])
    take = link.pop_script

    def runs_but_loses_its_reply(**arguments):  # as when Redis stops right after running the script
        take(**arguments)
        raise redis.ConnectionError("Connection closed by server.")

    link.pop_script = runs_but_loses_its_reply
    assert scheduler.next_request() is None and not link.reachable
    link.pop_script = take
    taken = [scheduler.next_request(), scheduler.next_request()]
    assert sorted(request.url for request in taken) == ["http://example.org/a", "http://example.org/b"]
    assert scheduler.next_request() is None
    for request in taken:
        scheduler._finished(None, request)
    status = frontier_status(link.client)
    assert (status.queued, status.leased, status.finished) == (0, 0, True), "nothing left leased: the crawl can end"


def test_a_dead_workers_leases_return_to_the_queue_after_the_lease_timeout(redis_server):
    dead, alive = FrontierLink(redis_server.url), FrontierLink(redis_server.url)
    _queue(dead.client, ("page-a", 0), ("page-b", 0))
    dead.heartbeat(lease_timeout=1)
    for lease in ("1", "2"):
        dead.pop_script(keys=[KEYS.queue, KEYS.leases(dead.worker_id), KEYS.taken], args=[lease, 0])
    assert alive.heartbeat(lease_timeout=1) == 0, "the dead worker's heartbeat has not expired yet"
    time.sleep(1.2)
    assert alive.heartbeat(lease_timeout=1) == 2
    assert sorted(alive.client.zrange(KEYS.queue, 0, -1)) == [b"page-a", b"page-b"]
    assert not alive.client.exists(KEYS.leases(dead.worker_id))
    assert int(alive.client.get(KEYS.taken)) == 0, "returned requests no longer count against the budget"


def test_nobody_is_reaped_until_a_restarted_redis_has_been_up_for_a_lease_timeout(redis_server):
    link = FrontierLink(redis_server.url)
    _queue(link.client, ("page-a", 0))
    link.heartbeat(lease_timeout=30)
    link.pop_script(keys=[KEYS.queue, KEYS.leases(link.worker_id), KEYS.taken], args=["1", 0])
    link.client.zadd(KEYS.workers, {link.worker_id: 0})  # its heartbeat long expired, as after an outage
    other = FrontierLink(redis_server.url)
    assert other.heartbeat(lease_timeout=30) == 0, "Redis has been up for less than 30 s: every worker gets time to come back"
    assert other.heartbeat(lease_timeout=0) == 1


def test_the_page_budget_counts_requests_taken_by_every_worker(redis_server):
    first, second = FrontierLink(redis_server.url), FrontierLink(redis_server.url)
    first.heartbeat(lease_timeout=60), second.heartbeat(lease_timeout=60)
    _queue(first.client, ("a", 0), ("b", 0), ("c", 0))
    first.client.set(KEYS.budget, 2)
    taken = [link.pop_script(keys=[KEYS.queue, KEYS.leases(link.worker_id), KEYS.taken], args=[lease, 2])
             for link, lease in ((first, "1"), (second, "1"), (first, "2"))]
    assert taken[0] and taken[1] and taken[2] is None
    status = frontier_status(first.client)
    assert status.budget_reached and status.queued == 1 and not status.finished, "two pages still leased"
    first.client.delete(KEYS.leases(first.worker_id), KEYS.leases(second.worker_id))
    assert frontier_status(first.client).finished


def test_a_worker_leaving_returns_what_it_still_holds(redis_server):
    link = FrontierLink(redis_server.url)
    _queue(link.client, ("a", 5))
    link.heartbeat(lease_timeout=60)
    link.pop_script(keys=[KEYS.queue, KEYS.leases(link.worker_id), KEYS.taken], args=["1", 0])
    assert link.leave() == 1
    assert link.client.zrange(KEYS.queue, 0, -1, withscores=True) == [(b"a", -5.0)]
    assert link.client.zcard(KEYS.workers) == 0


def test_the_outbox_keeps_writes_in_order_while_redis_is_away():
    written: list[str] = []
    down = [True]

    def write(label: str):
        def attempt():
            if down[0]:
                raise redis.ConnectionError("down")
            written.append(label)
        return attempt

    outbox = Outbox()
    outbox.send(write("request"))
    outbox.send(write("release"))
    assert written == [] and len(outbox.pending) == 2 and not outbox.flush()
    down[0] = False
    outbox.send(write("later"))
    assert written == ["request", "release", "later"], "what waited goes first"
    assert outbox.flush() and not outbox.pending


def test_a_frontier_url_must_name_redis():
    assert frontier.check_frontier_url("redis://127.0.0.1:6379/2") == "redis://127.0.0.1:6379/2"
    with pytest.raises(ValueError, match="not a Redis URL"):
        frontier.check_frontier_url("http://127.0.0.1:6379/")
