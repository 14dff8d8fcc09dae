"""Scale-out crawls of the loopback site through a real Redis frontier: several worker processes and the one
writer store every article once, fetch no URL twice and keep the per-host limit together; and nothing is lost
or stored twice when a worker is SIGKILLed, when Redis restarts, or when the writer is SIGKILLed mid-crawl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from conftest import query, wait_for_count
from crawler.frontier import KEYS, frontier_status
from newsdesk.devtools.loopback_site import LoopbackNewsSite
from newsdesk.ops.crawl import CrawlOptions
from newsdesk.ops.scaleout import load_spec, seed_frontier

NEWSDESK = [sys.executable, "-m", "newsdesk.cli"]
HOST_LIMIT = 2
# Quick on loopback, but with the crawl-wide limit of HOST_LIMIT requests at a time and a short lease timeout.
SETTINGS = {"AUTOTHROTTLE_START_DELAY": 0.02, "DOWNLOAD_DELAY": 0, "NEWSDESK_RETRY_BACKOFF_BASE": 0.2,
            "CONCURRENT_REQUESTS_PER_DOMAIN": HOST_LIMIT, "NEWSDESK_FRONTIER_LEASE_TIMEOUT": 4,
            "NEWSDESK_PROGRESS_INTERVAL": 0, "NEWSDESK_EXTRACT_WORKERS": 1}
# Fetched by every worker on purpose: each reads robots.txt itself to obey it (and one more request reads its
# Sitemap lines); a retried 503 is fetched again by design.
FETCHED_MORE_THAN_ONCE_BY_DESIGN = {"/robots.txt", "/flaky.html"}


def settings_arguments(**overrides) -> list[str]:
    return [argument for key, value in {**SETTINGS, **overrides}.items() for argument in ("--set", f"{key}={value}")]


STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_process_outlives_its_test():
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def start(*arguments: str) -> subprocess.Popen:
    # A session of its own: a SIGKILL of the group also takes the worker's extraction processes.
    STARTED.append(subprocess.Popen([*NEWSDESK, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True))
    return STARTED[-1]


def seed(frontier: str, site: LoopbackNewsSite, db: Path) -> None:
    result = subprocess.run([*NEWSDESK, "crawl", site.base_url + "/", "--frontier", frontier, "--workers", "0", "--db", str(db)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "seeded" in result.stdout, result.stderr


def worker(frontier: str, **overrides) -> subprocess.Popen:
    return start("crawl-worker", "--frontier", frontier, "--idle-exit", "2", "--json", *settings_arguments(**overrides))


def writer(frontier: str, db: Path) -> subprocess.Popen:
    return start("ingest", "--from", frontier, "--db", str(db), "--idle-exit", "2", "--json")


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err, err[-3000:]
    return out


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def wait_until(condition, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def results_sent(frontier: str) -> int:
    """Entries the writer has taken from the stream plus those still in it."""
    client = redis.Redis.from_url(frontier)
    try:
        groups = client.xinfo_groups(KEYS.results) if client.exists(KEYS.results) else []
        return sum(group["entries-read"] or 0 for group in groups) or client.xlen(KEYS.results)
    except redis.ConnectionError:
        return 0


def assert_every_article_stored_once(site: LoopbackNewsSite, db: Path) -> None:
    urls = [row[0] for row in query(db, "select url from articles")]
    assert len(urls) == len(set(urls)), "no article stored twice"
    assert sorted(urls) == sorted(article["url"] for article in site.articles), "every article, nothing else"
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"


def pages_fetched_twice(site: LoopbackNewsSite) -> list[str]:
    counts = Counter(record.path for record in site.request_log)
    return sorted(path for path, count in counts.items() if count > 1 and path not in FETCHED_MORE_THAN_ONCE_BY_DESIGN)


@pytest.fixture
def slow_site():
    """The loopback site answering each request after 30 ms, so requests overlap and concurrency shows."""
    with LoopbackNewsSite(response_delay=0.03) as running:
        yield running


@pytest.mark.slow
def test_three_workers_and_the_writer_store_every_article_once_within_the_host_limit(slow_site, redis_server, tmp_path):
    db = tmp_path / "corpus.db"
    result = subprocess.run([*NEWSDESK, "crawl", slow_site.base_url + "/", "--frontier", redis_server.url, "--workers", "3",
                             "--idle-exit", "2", "--db", str(db), "--json", *settings_arguments()],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    assert_every_article_stored_once(slow_site, db)
    assert pages_fetched_twice(slow_site) == [], "the shared seen-set: no URL fetched by two workers"
    assert [record.status for record in slow_site.requests_for("/flaky.html")] == [503, 200]
    assert not [record for record in slow_site.request_log if record.path.startswith("/private/")], "robots.txt obeyed"
    assert not [record for record in slow_site.request_log if not record.host.startswith("127.0.0.1")], "host confinement"
    # Three workers each allow HOST_LIMIT requests per host on their own; the crawl-wide slots keep the sum there.
    assert slow_site.peak_concurrency <= HOST_LIMIT
    assert slow_site.peak_concurrency == HOST_LIMIT, "the limit is reached, so the check above means something"
    report = __import__("json").loads(result.stdout.strip().splitlines()[-1])
    assert report["articles_new"] == len(slow_site.articles) and report["pages_fetched"] >= len(slow_site.articles)
    client = redis.Redis.from_url(redis_server.url)
    assert client.xlen(KEYS.results) == 0, "every result acknowledged and removed from the stream"
    assert not client.keys(KEYS.lease_prefix + "*"), "no request left leased"


@pytest.mark.slow
def test_a_sigkilled_worker_loses_nothing(redis_server, tmp_path):
    db = tmp_path / "corpus.db"
    with LoopbackNewsSite(response_delay=0.05) as site:
        seed(redis_server.url, site, db)
        doomed = worker(redis_server.url)
        wait_until(lambda: results_sent(redis_server.url) >= 5, what="the first worker's results")
        client = redis.Redis.from_url(redis_server.url)
        leased_by_doomed = sum(client.hlen(key) for key in client.keys(KEYS.lease_prefix + "*"))
        kill_group(doomed)
        survivors = [worker(redis_server.url), worker(redis_server.url)]
        the_writer = writer(redis_server.url, db)
        reports = [finish(process) for process in survivors]
        finish(the_writer)
        assert leased_by_doomed > 0, "the worker was killed holding requests"
        assert_every_article_stored_once(site, db)
        assert any('"pages_fetched"' in report for report in reports)
        assert not client.keys(KEYS.lease_prefix + "*")


def crawl_in_parts(frontier: str, site: LoopbackNewsSite, db: Path) -> tuple[list[subprocess.Popen], subprocess.Popen]:
    """Seed, then two workers and the writer as separate processes, as on several machines."""
    seed(frontier, site, db)
    return [worker(frontier), worker(frontier)], writer(frontier, db)


@pytest.mark.slow
def test_a_redis_restart_mid_crawl_makes_workers_wait_and_resume(redis_server, tmp_path):
    db = tmp_path / "corpus.db"
    with LoopbackNewsSite(response_delay=0.05) as site:
        workers, the_writer = crawl_in_parts(redis_server.url, site, db)
        wait_until(lambda: results_sent(redis_server.url) >= 5, what="the first results")
        before = frontier_status(redis.Redis.from_url(redis_server.url))
        redis_server.restart(down_seconds=3)
        outputs = [finish(process) for process in workers]
        finish(the_writer)
        assert not before.finished, "restarted mid-crawl"
        assert any("Redis unreachable" in output for output in outputs), "the workers saw the outage"
        assert_every_article_stored_once(site, db)
        assert pages_fetched_twice(site) == [], "leases survive the restart: nothing taken twice"
        assert all('"finish_reason": "finished"' in output for output in outputs)


@pytest.mark.slow
def test_a_writer_sigkilled_mid_crawl_resumes_from_its_pending_entries(redis_server, tmp_path):
    db = tmp_path / "corpus.db"
    with LoopbackNewsSite(response_delay=0.05) as site:
        workers, first_writer = crawl_in_parts(redis_server.url, site, db)
        assert wait_for_count(db, "select count(*) from articles", 5) >= 5, "the first stored articles"
        kill_group(first_writer)
        stored_before = {row[0] for row in query(db, "select url from articles")}
        second_writer = writer(redis_server.url, db)
        for process in workers:
            finish(process)
        finish(second_writer)
        assert 5 <= len(stored_before) < len(site.articles), "killed mid-crawl"
        assert_every_article_stored_once(site, db)
        client = redis.Redis.from_url(redis_server.url)
        assert client.xlen(KEYS.results) == 0 and client.xpending(KEYS.results, "writer")["pending"] == 0


@pytest.mark.slow
def test_a_job_with_a_frontier_seeds_it_runs_its_workers_and_keeps_the_page_budget_for_all(site, redis_server, tmp_path):
    jobs, db = tmp_path / "jobs.toml", tmp_path / "corpus.db"
    settings = ", ".join(f"{key} = {value}" for key, value in SETTINGS.items())
    jobs.write_text(f'[[job]]\nname = "shared"\nstart_urls = ["{site.base_url}/"]\nmax_pages = 15\n'
                    f'frontier = "{redis_server.url}"\nworkers = 2\nsettings = {{ {settings} }}\n')
    result = subprocess.run([*NEWSDESK, "jobs", "run", "shared", "--jobs", str(jobs), "--db", str(db)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    fetched = [record.path for record in site.request_log if record.path != "/robots.txt"]
    assert 5 <= len(fetched) <= 15, f"one budget for both workers: {fetched}"
    runs = [tuple(row) for row in query(db, "select job, status, articles_new from crawl_runs")]
    stored = query(db, "select count(*) from articles")[0][0]
    assert runs == [("shared", "ok", stored)] and stored >= 3


def test_seeding_starts_a_new_crawl_only_when_the_last_one_has_finished(redis_server):
    spec = CrawlOptions(start_urls=["http://news.example.org/"], max_pages=50)
    first = seed_frontier(redis_server.url, spec)
    assert first.fresh and first.queued == 2, "robots.txt (for its Sitemap lines) and the start page"
    assert load_spec(redis.Redis.from_url(redis_server.url)) == spec
    again = seed_frontier(redis_server.url, spec)
    assert not again.fresh and again.queued == 2, "joining a crawl in progress queues nothing twice"
    client = redis.Redis.from_url(redis_server.url)
    client.delete(KEYS.queue)  # the crawl ran to its end
    after = seed_frontier(redis_server.url, spec)
    assert after.fresh and after.queued == 2, "a finished crawl's seen-set is cleared for the next one"


@pytest.mark.slow
def test_a_second_frontier_crawl_fetches_no_known_article_again(site, redis_server, tmp_path):
    db = tmp_path / "corpus.db"
    command = [*NEWSDESK, "crawl", site.base_url + "/", "--frontier", redis_server.url, "--workers", "2",
               "--idle-exit", "1", "--db", str(db), *settings_arguments()]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    site.clear_log()
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    article_paths = {article["path"] for article in site.articles}
    assert not [record.path for record in site.request_log if record.path in article_paths], \
        "the workers learnt the stored articles from the writer"
    assert "articles: 0 new" in second.stdout and "0 known articles skipped" not in second.stdout, second.stdout
    assert query(db, "select count(*) from articles")[0][0] == len(site.articles)
