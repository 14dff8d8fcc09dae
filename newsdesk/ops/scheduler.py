"""The long-running scheduler behind `newsdesk schedule`: APScheduler fires each job on its interval or
cron line, and every run is a child process (`newsdesk jobs run NAME`), so a crash in one run cannot take
the scheduler down and the job's lock is held by the process doing the crawl."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from newsdesk.ops.jobs import JobSpec, load_jobs

# How long a running child gets to store its in-flight items after SIGTERM before it is killed.
CHILD_STOP_GRACE_SECONDS = 60


class JobScheduler:
    def __init__(self, jobs_file: str | Path, db_path: str | Path, *, log: Callable[[str], None] = print):
        self.jobs_file = Path(jobs_file)
        self.db_path = Path(db_path)
        self.jobs = [job for job in load_jobs(self.jobs_file) if job.every or job.cron]
        self.log = log
        self.scheduler = BlockingScheduler(timezone="UTC")
        self._children: set[subprocess.Popen] = set()
        self._children_lock = threading.Lock()
        self._stopping = threading.Event()

    def trigger_for(self, job: JobSpec):
        if job.cron:
            return CronTrigger.from_crontab(job.cron, timezone="UTC")
        return IntervalTrigger(seconds=job.every, timezone="UTC")

    def run_job_now(self, job: JobSpec) -> int:
        """One run of `job` in a child process; returns its exit code."""
        if self._stopping.is_set():
            return 0
        command = [sys.executable, "-m", "newsdesk.cli", "jobs", "run", job.name,
                   "--jobs", str(self.jobs_file), "--db", str(self.db_path)]
        self.log(f"schedule: starting job '{job.name}'")
        child = subprocess.Popen(command)
        with self._children_lock:
            self._children.add(child)
        try:
            code = child.wait()
        finally:
            with self._children_lock:
                self._children.discard(child)
        self.log(f"schedule: job '{job.name}' finished with exit code {code}; {self.next_run(job.name)}")
        return code

    def next_run(self, name: str) -> str:
        """'next run 2026-01-06T14:00:00Z' for a scheduled job (in UTC, as the jobs file's cron lines are)."""
        scheduled = self.scheduler.get_job(name)
        when = getattr(scheduled, "next_run_time", None) if scheduled else None
        if when is None:
            return "no next run" if not self._stopping.is_set() else "not rescheduled (stopping)"
        return f"next run {when.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}"

    def _log_next_runs(self, event: object) -> None:
        for job in self.jobs:
            self.log(f"schedule: job '{job.name}' ({job.schedule}): {self.next_run(job.name)}")

    def stop(self, *_signal_args: object) -> None:
        """Stop scheduling, let running children finish their in-flight items, then return."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.log("schedule: stopping (waiting for running jobs to store what they fetched)")
        with self._children_lock:
            children = list(self._children)
        for child in children:
            child.send_signal(signal.SIGTERM)
        threading.Thread(target=self._shutdown, args=(children,), daemon=True).start()

    def _shutdown(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            try:
                child.wait(timeout=CHILD_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
        self.scheduler.shutdown(wait=True)

    def run(self) -> None:
        if not self.jobs:
            self.log(f"schedule: no job in {self.jobs_file} has 'every' or 'cron'; nothing to schedule")
            return
        for job in self.jobs:
            # max_instances=1 and coalesce: a run that overruns its interval is not stacked or repeated;
            # the job lock also stops overlap with runs started by cron or by hand.
            # Interval jobs run once at start-up, then every interval; cron jobs wait for their first slot.
            first_run = datetime.now(timezone.utc) if job.every else None
            self.scheduler.add_job(self.run_job_now, self.trigger_for(job), args=[job], id=job.name, name=job.name,
                                   max_instances=1, coalesce=True, misfire_grace_time=None,
                                   **({"next_run_time": first_run} if first_run else {}))
        # Once started (when every job's first run time is known): when each job runs next.
        self.scheduler.add_listener(self._log_next_runs, EVENT_SCHEDULER_STARTED)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.scheduler.start()
        self.log("schedule: stopped")
