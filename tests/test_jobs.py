"""Jobs file validation, durations, the per-job lock and the crawl_runs bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.report import CrawlReport
from newsdesk.ops.jobs import JobAlreadyRunning, JobLock, JobsFileError, load_jobs, parse_duration
from newsdesk.corpus.store import Store


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


@pytest.mark.slow
def test_lock_held_by_a_killed_process_is_free_again(tmp_path: Path):
    db = tmp_path / "corpus.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from newsdesk.ops.jobs import JobLock; lock = JobLock(sys.argv[1], 'nightly'); lock.acquire();"
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
    stale = store.start_crawl_run("nightly")
    assert store.mark_interrupted_runs("nightly") == 1
    run_id = store.start_crawl_run("nightly")
    store.finish_crawl_run(run_id, "ok", CrawlReport(pages_fetched=12, articles_new=3, articles_unchanged=9).run_counts())
    history = {run.id: run for run in store.crawl_runs()}
    assert history[stale].status == "interrupted" and history[stale].finished_at
    assert history[run_id].status == "ok"
    assert (history[run_id].pages_fetched, history[run_id].articles_new) == (12, 3)


def newsdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "newsdesk"), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "200"})


def readme_jobs_example() -> str:
    """The jobs file shown in the README (two jobs: 'loopback' every hour, 'example-news' on a cron line)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("```toml\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_jobs_list_shows_each_job_with_its_schedule(tmp_path: Path):
    result = newsdesk("jobs", "list", "--jobs", str(write_jobs(tmp_path, readme_jobs_example())))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    loopback = next(line for line in lines if "loopback" in line)
    assert "every 3600s" in loopback and "http://127.0.0.1:8000/" in loopback and "3000" in loopback
    example = next(line for line in lines if "example-news" in line)
    assert "cron 15 */6 * * *" in example and "43200s" in example


@pytest.mark.slow
def test_a_bad_jobs_file_is_refused_naming_the_job_and_field(tmp_path: Path):
    path = write_jobs(tmp_path, readme_jobs_example().replace('every = "1h"', 'every = "5 minutes"'))
    for command in (["jobs", "list", "--jobs", str(path)], ["jobs", "run", "loopback", "--jobs", str(path)],
                    ["schedule", str(path), "--db", str(tmp_path / "corpus.db")]):
        result = newsdesk(*command)
        assert result.returncode == 2, command
        assert result.stderr.strip() == ("newsdesk: job 'loopback': field 'every': expected a duration like '30m', "
                                         "'6h' or '1d', got '5 minutes'"), command
    unknown = newsdesk("jobs", "run", "nightly", "--jobs", str(write_jobs(tmp_path, readme_jobs_example())))
    assert unknown.returncode == 2 and "no job named 'nightly' (jobs: loopback, example-news)" in unknown.stderr


@pytest.mark.slow
def test_jobs_history_prints_the_recorded_runs(tmp_path: Path):
    db = tmp_path / "corpus.db"
    with Store(db) as corpus:
        corpus.finish_crawl_run(corpus.start_crawl_run("loopback"), "ok",
                                CrawlReport(pages_fetched=70, articles_new=37, failures=2).run_counts())
        corpus.start_crawl_run("loopback")
    result = newsdesk("jobs", "history", "--db", str(db))
    assert result.returncode == 0, result.stderr
    header, *rows = [line.split("\t") for line in result.stdout.splitlines()]  # piped: one tab-separated line a row
    assert header[:5] == ["id", "job", "started at", "finished at", "status"] and header[-1] == "error"
    assert rows[0][0:2] == ["2", "loopback"] and rows[0][4] == "running", "the newest run first"
    assert rows[1][0:2] == ["1", "loopback"] and rows[1][4:10] == ["ok", "70", "37", "0", "0", "2"]
    assert all(len(row) == len(header) for row in rows)
    missing = newsdesk("jobs", "history", "--db", str(tmp_path / "nothing.db"))
    assert missing.returncode == 1 and not (tmp_path / "nothing.db").exists()


def test_jobs_tables_are_whole_lines_when_piped_and_json_on_request(tmp_path: Path):
    from click.testing import CliRunner

    from newsdesk.cli import main

    jobs = write_jobs(tmp_path, readme_jobs_example())
    db = tmp_path / "corpus.db"
    long_error = "fetch failed: " + "a reason long enough to be wrapped by any table " * 4
    with Store(db) as corpus:
        corpus.finish_crawl_run(corpus.start_crawl_run("example-news"), "failed",
                                CrawlReport(pages_fetched=3, failures=3).run_counts(), error=long_error)
    runner = CliRunner()  # its output is no terminal, as in a pipe; rich would fold the table at 80 columns
    listed = runner.invoke(main, ["jobs", "list", "--jobs", str(jobs)], terminal_width=40)
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "job\tschedule\tstart urls\tfeeds\tsitemaps\tmax pages\trecrawl after",
        "loopback\tevery 3600s\thttp://127.0.0.1:8000/\t\t\t3000\t",
        "example-news\tcron 15 */6 * * *\thttps://news.example.org/\thttps://news.example.org/rss.xml\t"
        "https://news.example.org/sitemap_index.xml\t\t43200s"]
    history = runner.invoke(main, ["jobs", "history", "--db", str(db)], terminal_width=40)
    assert history.exit_code == 0, history.output
    assert len(history.output.splitlines()) == 2 and history.output.splitlines()[1].endswith("\t" + long_error.strip())

    as_json = json.loads(runner.invoke(main, ["jobs", "list", "--jobs", str(jobs), "--json"]).output)
    assert [(job["name"], job["schedule"], job["start_urls"], job["recrawl_after"]) for job in as_json] == [
        ("loopback", "every 3600s", ["http://127.0.0.1:8000/"], None),
        ("example-news", "cron 15 */6 * * *", ["https://news.example.org/"], 43200)]
    runs = json.loads(runner.invoke(main, ["jobs", "history", "--db", str(db), "--json"]).output)
    assert len(runs) == 1
    assert {key: runs[0][key] for key in ("id", "job", "status", "pages_fetched", "failures", "error")} == {
        "id": 1, "job": "example-news", "status": "failed", "pages_fetched": 3, "failures": 3, "error": long_error}


def test_schedule_logs_when_each_job_runs_next(tmp_path: Path):
    from datetime import datetime, timezone

    from newsdesk.ops.scheduler import JobScheduler

    jobs = write_jobs(tmp_path, """
        [[job]]
        name = "nightly"
        start_urls = ["http://127.0.0.1:9/"]
        cron = "30 3 * * *"
    """)
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if "next run" in line:
            scheduler.stop()

    scheduler = JobScheduler(jobs, tmp_path / "corpus.db", log=log)
    scheduler.run()  # returns once stopped
    now = datetime.now(timezone.utc)
    next_day = now.date() if (now.hour, now.minute) < (3, 30) else now.date().fromordinal(now.date().toordinal() + 1)
    assert f"schedule: job 'nightly' (cron 30 3 * * *): next run {next_day.isoformat()}T03:30:00Z" in lines, lines
    assert lines[-1] == "schedule: stopped"


def test_the_readme_jobs_file_example_is_valid(tmp_path: Path):
    loopback, example_news = load_jobs(write_jobs(tmp_path, readme_jobs_example()))
    assert (loopback.name, loopback.every, loopback.max_pages) == ("loopback", 3600, 3000)
    assert (example_news.cron, example_news.recrawl_after) == ("15 */6 * * *", 43200)
    assert example_news.settings == {"DOWNLOAD_DELAY": 1.0}


def test_a_job_may_crawl_through_a_shared_frontier(tmp_path):
    from newsdesk.ops.jobs import JobsFileError, load_jobs

    path = tmp_path / "jobs.toml"
    path.write_text('[[job]]\nname = "wide"\nstart_urls = ["https://news.example.org/"]\n'
                    'frontier = "redis://10.0.0.5:6379/1"\nworkers = 3\n')
    job = load_jobs(path)[0]
    assert (job.frontier, job.workers) == ("redis://10.0.0.5:6379/1", 3)
    path.write_text('[[job]]\nname = "wide"\nstart_urls = ["https://news.example.org/"]\nfrontier = "http://10.0.0.5/"\n')
    with pytest.raises(JobsFileError, match="job 'wide': field 'frontier': not a Redis URL"):
        load_jobs(path)
    path.write_text('[[job]]\nname = "wide"\nstart_urls = ["https://news.example.org/"]\nworkers = 3\n')
    with pytest.raises(JobsFileError, match="field 'workers'.*with a 'frontier'"):
        load_jobs(path)
