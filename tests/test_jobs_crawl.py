"""Crawl jobs against the loopback site: incremental reruns with 304s, revisions, SIGKILL recovery,
one run at a time, and the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from conftest import query, wait_for_count
from newsdesk.devtools.loopback_site import LoopbackNewsSite

pytestmark = pytest.mark.slow  # Crawl jobs and the scheduler, each run in a process of its own.

BIN = Path(sys.executable).parent


def write_jobs(tmp_path: Path, base_url: str, *, every: str = "1h", delay: float = 0.0) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(textwrap.dedent(f"""
        [[job]]
        name = "loopback"
        start_urls = ["{base_url}/"]
        every = "{every}"
        recrawl_after = "0s"

        [job.settings]
        AUTOTHROTTLE_START_DELAY = 0.02
        DOWNLOAD_DELAY = {delay}
        NEWSDESK_PROGRESS_INTERVAL = 0
        NEWSDESK_RETRY_BACKOFF_BASE = 0.2
    """))
    return path


def run_job(jobs: Path, db: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsdesk"), "jobs", "run", "loopback", "--jobs", str(jobs), "--db", str(db)],
                          capture_output=True, text=True, timeout=300, **kwargs)


def test_second_run_stores_nothing_new_and_gets_304s(site, tmp_path):
    jobs, db = write_jobs(tmp_path, site.base_url), tmp_path / "corpus.db"
    first = run_job(jobs, db)
    assert first.returncode == 0, first.stderr
    site.clear_log()
    second = run_job(jobs, db)
    assert second.returncode == 0, second.stderr
    article_paths = {article["path"] for article in site.articles}
    article_requests = [record for record in site.request_log if record.path in article_paths]
    assert article_requests and {record.status for record in article_requests} == {304}
    runs = [tuple(row) for row in query(
        db, "select status, articles_new, articles_updated, articles_unchanged from crawl_runs order by id")]
    assert runs[0] == ("ok", len(site.articles), 0, 0)
    assert runs[1][:3] == ("ok", 0, 0) and runs[1][3] == len(site.articles)
    assert query(db, "select count(*) from articles")[0][0] == len(site.articles)
    assert query(db, "select count(*) from article_versions")[0][0] == 0


def test_an_edited_story_leaves_a_revision(site, tmp_path):
    jobs, db = write_jobs(tmp_path, site.base_url), tmp_path / "corpus.db"
    assert run_job(jobs, db).returncode == 0
    edited = site.articles[3]
    correction = "Korrektur: In einer früheren Fassung dieses Artikels stand ein falsches Datum, das wir berichtigt haben."
    site.touch_article(edited["path"], correction)
    assert run_job(jobs, db).returncode == 0
    versions = query(db, "select a.url, v.body, a.body from article_versions v join articles a on a.id = v.article_id")
    assert len(versions) == 1
    url, old_body, new_body = tuple(versions[0])
    assert url == edited["url"]
    assert correction not in old_body and correction in new_body
    assert query(db, "select articles_updated from crawl_runs order by id desc limit 1")[0][0] == 1


def test_sigkilled_run_loses_nothing_and_the_next_run_completes(site, tmp_path):
    jobs, db = write_jobs(tmp_path, site.base_url, delay=0.15), tmp_path / "corpus.db"
    process = subprocess.Popen([str(BIN / "newsdesk"), "jobs", "run", "loopback", "--jobs", str(jobs), "--db", str(db)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    stored_before_kill = wait_for_count(db, "select count(*) from articles", 5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 5 <= stored_before_kill < len(site.articles), "killed mid-crawl"
    urls_before = {row[0] for row in query(db, "select url from articles")}
    rerun = run_job(jobs, db)
    assert rerun.returncode == 0, rerun.stderr
    urls_after = [row[0] for row in query(db, "select url from articles")]
    assert len(urls_after) == len(set(urls_after)) == len(site.articles), "complete, no duplicates"
    assert urls_before <= set(urls_after), "nothing stored before the kill was lost"
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert [row[0] for row in query(db, "select status from crawl_runs order by id")] == ["interrupted", "ok"]


class GatedSite(LoopbackNewsSite):
    """The loopback site, holding every request until `gate` is opened: a crawl of it cannot finish before then."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.request_waiting = threading.Event()

    def respond(self, raw_path: str, host: str, request_headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.request_waiting.set()
        self.gate.wait(timeout=GATE_TIMEOUT)
        return super().respond(raw_path, host, request_headers)


GATE_TIMEOUT = 120  # seconds a gated request waits at most, so a failing test cannot hang the server


def test_two_runs_of_one_job_never_crawl_at_once(tmp_path):
    with GatedSite() as site:
        jobs, db = write_jobs(tmp_path, site.base_url), tmp_path / "corpus.db"
        first = subprocess.Popen([str(BIN / "newsdesk"), "jobs", "run", "loopback", "--jobs", str(jobs), "--db", str(db)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # The handshake: a request of the first run is held at the gate, so that run holds the job's lock
            # (taken before its crawl starts) and cannot finish until the gate opens.
            assert site.request_waiting.wait(timeout=GATE_TIMEOUT), "the first run never reached the site"
            assert [tuple(row) for row in query(db, "select status, pid from crawl_runs")] == [("running", first.pid)]
            second = run_job(jobs, db)
        finally:
            site.gate.set()
        first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 3
    assert f"job 'loopback' is already running (pid {first.pid})" in second.stderr
    assert [row[0] for row in query(db, "select status from crawl_runs")] == ["ok"]


def test_scheduler_runs_a_job_repeatedly_and_stops_on_sigterm(site, tmp_path):
    jobs, db = write_jobs(tmp_path, site.base_url, every="1s"), tmp_path / "corpus.db"
    scheduler = subprocess.Popen([str(BIN / "newsdesk"), "schedule", str(jobs), "--db", str(db)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finished = wait_for_count(db, "select count(*) from crawl_runs where status = 'ok'", 2, timeout=180)
    scheduler.send_signal(signal.SIGTERM)
    out, err = scheduler.communicate(timeout=120)
    assert finished >= 2, out + err
    assert scheduler.returncode == 0
    assert "stopped" in out
    assert "schedule: job 'loopback' (every 1s): next run " in out, "when it starts: when each job runs next"
    assert "schedule: job 'loopback' finished with exit code 0; next run " in out, "after each run too"
    statuses = [row[0] for row in query(db, "select status from crawl_runs")]
    assert "running" not in statuses and set(statuses) <= {"ok", "interrupted"}
    assert query(db, "select count(*) from articles")[0][0] == len(site.articles)


def test_sigterm_stops_a_run_after_the_pages_in_flight_are_stored(site, tmp_path):
    jobs, db = write_jobs(tmp_path, site.base_url, delay=0.15), tmp_path / "corpus.db"
    process = subprocess.Popen([str(BIN / "newsdesk"), "jobs", "run", "loopback", "--jobs", str(jobs), "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_count(db, "select count(*) from articles", 5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, out + err
    assert "Traceback" not in out + err
    article_paths = {article["path"] for article in site.articles}
    served = {record.path for record in site.request_log if record.path in article_paths and record.status == 200}
    stored_urls = {row[0] for row in query(db, "select url from articles")}
    assert len(stored_urls) < len(site.articles), "stopped mid-crawl"
    assert {site.base_url + path for path in served} <= stored_urls, "every page fetched before the stop was stored"
    assert [tuple(row) for row in query(db, "select status, articles_new from crawl_runs")] == [("interrupted", len(stored_urls))]
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
