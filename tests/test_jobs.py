"""Jobs file validation, durations, the per-job lock and the crawl_runs bookkeeping."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsdesk.crawl_report import CrawlReport
from newsdesk.jobs import (
    JobAlreadyRunning, JobLock, JobsFileError, finish_run, load_jobs, mark_interrupted_runs,
    parse_duration, run_history, start_run,
)


def write_jobs(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_durations():
    assert parse_duration("30m") == 1800
    assert parse_duration("6h") == 21600
    assert parse_duration("1h30m") == 5400
    assert parse_duration("1s") == 1
    for bad in ("5 minutes", "", "m", "0m", "-3h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_jobs_file_is_read_with_all_fields(tmp_path: Path):
    path = write_jobs(tmp_path, """
        [[job]]
        name = "loopback"
        start_urls = ["http://127.0.0.1:8000/"]
        every = "1h"
        max_pages = 3000

        [[job]]
        name = "feeds"
        start_urls = ["https://example.org/"]
        feeds = ["https://example.org/rss"]
        sitemaps = ["https://example.org/sitemap.xml"]
        allow_domains = ["cdn.example.org"]
        cron = "*/30 * * * *"
        recrawl_after = "7d"
    """)
    loopback, feeds = load_jobs(path)
    assert (loopback.name, loopback.every, loopback.max_pages, loopback.cron) == ("loopback", 3600, 3000, None)
    assert feeds.feeds == ["https://example.org/rss"] and feeds.cron == "*/30 * * * *"
    assert feeds.recrawl_after == 7 * 86400 and feeds.allow_domains == ["cdn.example.org"]


@pytest.mark.parametrize("body, message", [
    ('name = "a"\nstart_urls = ["http://x.org/"]\nevery = "soon"', "job 'a': field 'every'"),
    ('name = "b"\nstart_urls = ["http://x.org/"]\ncron = "61 * * * *"', "job 'b': field 'cron'"),
    ('name = "c"\nstart_urls = ["ftp://x.org/"]', "job 'c': field 'start_urls'"),
    ('name = "d"\nstart_urls = []', "job 'd': field 'start_urls'"),
    ('name = "e"\nstart_urls = ["http://x.org/"]\nmax_pages = -1', "job 'e': field 'max_pages'"),
    ('name = "f"\nstart_urls = ["http://x.org/"]\nspeed = 3', "job 'f': unknown field 'speed'"),
    ('start_urls = ["http://x.org/"]', "job #1: field 'name'"),
    ('name = "g"\nstart_urls = ["http://x.org/"]\nevery = "1h"\ncron = "* * * * *"', "job 'g': field 'cron'"),
])
def test_validation_errors_name_the_job_and_the_field(tmp_path: Path, body: str, message: str):
    path = write_jobs(tmp_path, "[[job]]\n" + body + "\n")
    with pytest.raises(JobsFileError) as error:
        load_jobs(path)
    assert str(error.value).startswith(message)


def test_duplicate_job_names_are_refused(tmp_path: Path):
    path = write_jobs(tmp_path, '[[job]]\nname = "a"\nstart_urls = ["http://x.org/"]\n[[job]]\nname = "a"\nstart_urls = ["http://y.org/"]\n')
    with pytest.raises(JobsFileError, match="job 'a': field 'name': used by more than one job"):
        load_jobs(path)


def test_lock_refuses_a_second_holder_and_frees_on_release(tmp_path: Path):
    db = tmp_path / "corpus.db"
    with JobLock(db, "nightly"):
        with pytest.raises(JobAlreadyRunning, match="job 'nightly' is already running"):
            JobLock(db, "nightly").acquire()
        with JobLock(db, "other"):
            pass  # another job's lock is independent
    with JobLock(db, "nightly"):
        pass


def test_lock_held_by_a_killed_process_is_free_again(tmp_path: Path):
    db = tmp_path / "corpus.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from newsdesk.jobs import JobLock; lock = JobLock(sys.argv[1], 'nightly'); lock.acquire();"
        " print('locked', flush=True); time.sleep(60)"), str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(JobAlreadyRunning, match=f"pid {holder.pid}"):
            JobLock(db, "nightly").acquire()
    finally:
        holder.kill()
        holder.wait()
    with JobLock(db, "nightly"):
        pass


def test_runs_are_recorded_and_stale_running_rows_marked_interrupted(store):
    stale = start_run(store, "nightly")
    assert mark_interrupted_runs(store, "nightly") == 1
    run_id = start_run(store, "nightly")
    finish_run(store, run_id, "ok", CrawlReport(pages_fetched=12, articles_new=3, articles_unchanged=9))
    history = {row["id"]: row for row in run_history(store)}
    assert history[stale]["status"] == "interrupted" and history[stale]["finished_at"]
    assert history[run_id]["status"] == "ok"
    assert (history[run_id]["pages_fetched"], history[run_id]["articles_new"]) == (12, 3)
