"""Crawl jobs: the TOML jobs file, one-run-at-a-time locks, and the crawl_runs record of every run."""

from __future__ import annotations

import fcntl
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.corpus.store import RunCounts, Store, StoreError

_DURATION_PART = re.compile(r"(\d+)\s*([smhdw])")
_DURATION = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_JOB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,63}$")


class JobsFileError(ValueError):
    """A jobs file that cannot be used; the message names the job and the field."""


def parse_duration(text: str, *, allow_zero: bool = False) -> int:
    """'30m' -> 1800, '6h' -> 21600, '1h30m' -> 5400 ('0s' only with allow_zero)."""
    if not isinstance(text, str) or not _DURATION.match(text):
        raise ValueError(f"expected a duration like '30m', '6h' or '1d', got {text!r}")
    seconds = sum(int(number) * _SECONDS[unit] for number, unit in _DURATION_PART.findall(text))
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"a duration must be positive, got {text!r}")
    return seconds


@dataclass(frozen=True)
class JobSpec:
    name: str
    start_urls: list[str]
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    allow_domains: list[str] = field(default_factory=list)
    every: int | None = None  # seconds between runs
    cron: str | None = None  # five-field crontab expression
    max_pages: int | None = None
    recrawl_after: int | None = None  # seconds before a known article is revalidated (0: every run)
    settings: dict[str, Any] = field(default_factory=dict)  # Scrapy settings for this job's crawls
    frontier: str | None = None  # redis://HOST:PORT/DB: crawl through this shared frontier with `workers` workers
    workers: int | None = None  # worker processes on this machine for a frontier crawl (default one per CPU)

    @property
    def schedule(self) -> str:
        if self.cron:
            return f"cron {self.cron}"
        if self.every:
            return f"every {self.every}s"
        return "manual"


_LIST_FIELDS = ("start_urls", "feeds", "sitemaps", "allow_domains")
_KNOWN_FIELDS = {"name", "every", "cron", "max_pages", "recrawl_after", "settings", "frontier", "workers", *_LIST_FIELDS}


def _job_from_table(table: Any, position: int) -> JobSpec:
    label = f"job #{position}"
    if not isinstance(table, dict):
        raise JobsFileError(f"{label}: each [[job]] must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not _JOB_NAME.match(name):
        raise JobsFileError(f"{label}: field 'name': expected a short name of letters, digits, '-', '_' or '.', got {name!r}")
    label = f"job '{name}'"
    unknown = sorted(set(table) - _KNOWN_FIELDS)
    if unknown:
        raise JobsFileError(f"{label}: unknown field '{unknown[0]}' (known: {', '.join(sorted(_KNOWN_FIELDS))})")
    values: dict[str, Any] = {"name": name}
    for key in _LIST_FIELDS:
        raw = table.get(key, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
            raise JobsFileError(f"{label}: field '{key}': expected a list of strings, got {raw!r}")
        if key != "allow_domains":
            for url in raw:
                if not re.match(r"^https?://[^/\s]+", url):
                    raise JobsFileError(f"{label}: field '{key}': not an http(s) URL: {url!r}")
        values[key] = list(raw)
    if not values["start_urls"] and not values["feeds"] and not values["sitemaps"]:
        raise JobsFileError(f"{label}: field 'start_urls': at least one start URL, feed or sitemap is needed")
    for key in ("every", "recrawl_after"):
        if key in table:
            try:
                values[key] = parse_duration(table[key], allow_zero=key == "recrawl_after")
            except ValueError as error:
                raise JobsFileError(f"{label}: field '{key}': {error}") from None
    if "cron" in table:
        values["cron"] = _checked_cron(label, table["cron"])
    if values.get("every") and values.get("cron"):
        raise JobsFileError(f"{label}: field 'cron': give either 'every' or 'cron', not both")
    if "max_pages" in table:
        max_pages = table["max_pages"]
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages <= 0:
            raise JobsFileError(f"{label}: field 'max_pages': expected a positive whole number, got {max_pages!r}")
        values["max_pages"] = max_pages
    if "frontier" in table:
        from crawler.frontier import check_frontier_url

        try:
            values["frontier"] = check_frontier_url(table["frontier"] if isinstance(table["frontier"], str) else "")
        except ValueError as error:
            raise JobsFileError(f"{label}: field 'frontier': {error}") from None
    if "workers" in table:
        workers = table["workers"]
        if not isinstance(workers, int) or isinstance(workers, bool) or workers <= 0 or "frontier" not in table:
            raise JobsFileError(f"{label}: field 'workers': expected a positive whole number, with a 'frontier', got {workers!r}")
        values["workers"] = workers
    if "settings" in table:
        if not isinstance(table["settings"], dict) or not all(key.isupper() for key in table["settings"]):
            raise JobsFileError(f"{label}: field 'settings': expected a table of Scrapy settings (UPPER_CASE names)")
        values["settings"] = dict(table["settings"])
    return JobSpec(**values)


def _checked_cron(label: str, expression: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if not isinstance(expression, str):
        raise JobsFileError(f"{label}: field 'cron': expected a crontab string like '*/30 * * * *', got {expression!r}")
    try:
        CronTrigger.from_crontab(expression)
    except ValueError as error:
        raise JobsFileError(f"{label}: field 'cron': {error}") from None
    return expression


def load_jobs(path: str | Path) -> list[JobSpec]:
    """Read and validate a jobs file; raises JobsFileError naming the job and field at fault."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise JobsFileError(f"{path}: cannot read the jobs file: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise JobsFileError(f"{path}: not valid TOML: {error}") from None
    tables = data.get("job")
    if not isinstance(tables, list) or not tables:
        raise JobsFileError(f"{path}: no [[job]] tables found")
    jobs = [_job_from_table(table, position) for position, table in enumerate(tables, start=1)]
    names = [job.name for job in jobs]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise JobsFileError(f"job '{duplicate}': field 'name': used by more than one job")
    return jobs


def find_job(jobs: list[JobSpec], name: str) -> JobSpec:
    for job in jobs:
        if job.name == name:
            return job
    raise JobsFileError(f"no job named '{name}' (jobs: {', '.join(job.name for job in jobs)})")


class JobAlreadyRunning(RuntimeError):
    pass


class JobLock:
    """An exclusive lock per job and corpus. flock locks die with their process, so a killed run never
    leaves a job stuck; the pid written inside is only for the message."""

    def __init__(self, db_path: str | Path, job_name: str):
        db_path = Path(db_path)
        self.path = db_path.with_name(f"{db_path.name}.{job_name}.lock")
        self.job_name = job_name
        self._handle = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise JobAlreadyRunning(f"job '{self.job_name}' is already running (pid {holder}); not starting another") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "JobLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class JobRunResult:
    """How `newsdesk jobs run` ended, for its exit code and message."""

    def __init__(self, status: str, message: str, run_id: int | None = None, signal: int = 0):
        self.status, self.message, self.run_id = status, message, run_id
        self.signal = signal  # the signal that interrupted the run, if one did


def run_job(job: JobSpec, db_path: str | Path) -> JobRunResult:
    """One run of `job` now: take the job's lock, record the run in crawl_runs, crawl, record the outcome."""
    from newsdesk.ops.crawl import CrawlOptions, run_crawl

    lock = JobLock(db_path, job.name)
    try:
        lock.acquire()
    except JobAlreadyRunning as error:
        return JobRunResult("refused", str(error))
    try:
        with Store(db_path) as store:
            store.check_writable()
            stale = store.mark_interrupted_runs(job.name)
            run_id = store.start_crawl_run(job.name)
            options = CrawlOptions(job.start_urls, job.feeds, job.sitemaps, job.allow_domains, job.max_pages,
                                   job.recrawl_after, dict(job.settings))
            try:
                if job.frontier:
                    from newsdesk.ops.scaleout import run_scaleout_crawl, worker_count

                    report = run_scaleout_crawl(options, job.frontier, worker_count(job.workers), db_path)
                else:
                    report = run_crawl(options, db_path)
            except StoreError as error:  # recorded if the corpus still takes it, then reported by the caller
                _finish_if_possible(store, run_id, error.reason)
                raise
            except Exception as error:  # the run is recorded as failed; the scheduler goes on
                store.finish_crawl_run(run_id, "failed", RunCounts(), error=f"{type(error).__name__}: {error}")
                return JobRunResult("failed", f"job '{job.name}' failed: {type(error).__name__}: {error}", run_id)
            if report.store_error:  # the crawl stopped because the corpus could not be written
                _finish_if_possible(store, run_id, report.store_error, report.run_counts())
                raise StoreError(report.store_error)
            status = "interrupted" if report.finish_reason == "shutdown" else "ok"
            error = None
            if status == "ok" and report.pages_fetched == 0 and report.failures:
                status, error = "failed", "no page could be fetched"
            store.finish_crawl_run(run_id, status, report.run_counts(), error=error)
            note = f" (marked {stale} earlier run(s) interrupted)" if stale else ""
            return JobRunResult(status, f"job '{job.name}' {status}: {report.summary()}{note}", run_id,
                                signal=report.stopped_by_signal)
    finally:
        lock.release()


def _finish_if_possible(store: Store, run_id: int, reason: str, counts: RunCounts | None = None) -> None:
    """Record a run that the corpus stopped as failed, if the corpus still takes that write."""
    try:
        store.finish_crawl_run(run_id, "failed", counts or RunCounts(), error=reason)
    except StoreError:
        pass  # the next run of the job marks it interrupted
