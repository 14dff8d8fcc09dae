"""The extraction pool: worker processes that run extract_stage() for every ingest path (crawl, replay,
reextract, WARC replay), each page within a time budget.

One page is handed to a worker at a time, so a page that hangs or crashes its worker is known exactly: it
gets one failure ("extraction timed out after 20 s", "the extractor process crashed on this page"), its
worker is replaced, and the pages in flight on the other workers go on. Workers ignore Ctrl-C and SIGTERM
(their parent stops gracefully and then closes the pool) but die with their parent whatever kills it.
Results come back in input order or as they finish, with a bounded number of pages read ahead.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent import futures
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator, TypeVar

from extractors import Document
from newsdesk.corpus.ingest import ExtractFunction, Extraction, describe_error, extract_stage

# The time budget of one page's extraction, in seconds of its worker's CPU time: past it the worker is killed
# and replaced and the page recorded as failed. CPU time, so that a machine busy with other work does not fail
# pages that would have finished; a worker stuck without computing is stopped after WALL_CLOCK_FACTOR times
# the budget in wall time. Crawls: setting NEWSDESK_EXTRACT_TIMEOUT; replay and reextract: --extract-timeout.
EXTRACT_TIMEOUT_SECONDS = 20.0
WALL_CLOCK_FACTOR = 3.0
# Pages read ahead of the workers per worker, and in bytes overall (at least one page always goes ahead):
# enough to keep every worker busy, little enough that a folder of 10,000 files is not read into memory.
READ_AHEAD_PER_WORKER = 4
READ_AHEAD_BYTES = 64_000_000
# A worker that dies this many times in a row before it is ready means workers cannot start at all.
MAX_FAILED_STARTS = 3
# How often a worker checks that its parent is still alive (where the kernel cannot tell it).
PARENT_WATCH_SECONDS = 1.0

CRASHED_REASON = "the extractor process crashed on this page"

T = TypeVar("T")


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def timed_out_reason(seconds: float) -> str:
    return f"extraction timed out after {seconds:g} s"


# --- the worker process ----------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker end when its parent ends, however it ends (even SIGKILL): the kernel's parent-death
    signal on Linux, and a thread that watches the parent's pid everywhere (also covering the moment before
    the prctl call took effect)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_WATCH_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(connection: Connection, function: ExtractFunction, articles_only: bool, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    # Ctrl-C and SIGTERM are for the parent, which finishes the pages in flight and then closes the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # What goes wrong with a page is its one-line reason; libraries' own log records and tracebacks
    # (boilerpy3 logs every parse error it recovers from) would only reach the user's terminal.
    logging.disable(logging.CRITICAL)
    from extractors import warm_up

    warm_up()  # loaded before the first page, so loading never counts against a page's budget
    connection.send("ready")
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            os._exit(0)  # nothing to flush or clean up: skip the interpreter's slow teardown
        document, task_articles_only = task
        try:
            result = function(document, articles_only if task_articles_only is None else task_articles_only)
        except Exception as error:  # extract_stage turns errors into reasons; a replacement function may not
            result = Extraction(stage="extract", reason=f"extraction worker error: {describe_error(error)}")
        try:
            connection.send(result)
        except Exception as error:  # a result that cannot be pickled costs this page only
            connection.send(Extraction(stage="extract", reason=f"extraction worker error: {describe_error(error)}"))


# --- the pool --------------------------------------------------------------------------------------


@dataclass
class _Task:
    document: Document
    future: Future
    articles_only: bool | None  # None: the pool's own setting
    deadline: float = 0.0  # when to look at the page's time again (time.monotonic())
    started: float = 0.0  # when it reached its worker (time.monotonic())
    cpu_at_start: float | None = None  # its worker's CPU seconds then, where the system tells them
    started: bool = False  # its future is marked running (it may go back to the queue if its worker died idle)


class _Worker:
    def __init__(self, context, function: ExtractFunction, articles_only: bool):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child_end, function, articles_only, os.getpid()),
                                       name="newsdesk-extract", daemon=True)
        self.process.start()
        child_end.close()
        self.ready = False
        self.task: _Task | None = None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


class ExtractionPool:
    """Worker processes running extract_stage() on Documents, each page within `timeout` seconds.

    workers=0 extracts in the calling process, with no time budget (for debugging). Use as a context manager,
    or call close(). submit() returns a Future; imap() streams results with bounded read-ahead; extract() is
    the asyncio form for the crawl's pipeline.
    """

    def __init__(self, workers: int | None = None, *, timeout: float = EXTRACT_TIMEOUT_SECONDS,
                 articles_only: bool = False, function: ExtractFunction = extract_stage):
        self.workers = default_workers() if workers is None or workers < 0 else workers
        self.timeout = timeout
        self.articles_only = articles_only
        self.function = function
        self._pending: collections.deque[_Task] = collections.deque()
        self._lock = threading.Lock()
        self._closing = False
        self._cancel = False
        self._wakeup_read, self._wakeup_write = os.pipe() if self.workers else (-1, -1)
        self._dispatcher: threading.Thread | None = None
        self._workers: list[_Worker] = []  # only the dispatcher thread changes it
        if self.workers:
            os.set_blocking(self._wakeup_read, False)
            # Workers are started by the dispatcher thread, which lives as long as the pool: the kernel's
            # parent-death signal follows the thread that started a process.
            self._dispatcher = threading.Thread(target=self._dispatch, name="newsdesk-extract-pool", daemon=True)
            self._dispatcher.start()

    # --- public API --------------------------------------------------------------------------------

    def submit(self, document: Document, articles_only: bool | None = None) -> Future:
        """Extract `document` in a worker (articles_only: as extract_stage's; None: the pool's setting); the
        Future's result is its Extraction (never an exception)."""
        future: Future = Future()
        if not self.workers:
            future.set_result(self.function(document, self.articles_only if articles_only is None else articles_only))
            return future
        with self._lock:
            if self._closing:
                raise RuntimeError("the extraction pool is closed")
            self._pending.append(_Task(document, future, articles_only))
        self._wake()
        return future

    async def extract(self, document: Document) -> Extraction:
        """submit() for asyncio code (the crawl's item pipeline)."""
        if not self.workers:
            return self.function(document, self.articles_only)
        return await asyncio.wrap_future(self.submit(document))

    def imap(self, items: Iterable[tuple[T, Document | None]], *, ordered: bool = True,
             articles_only: Callable[[T], bool | None] | None = None) -> Iterator[tuple[T, Extraction | None]]:
        """Extract each item's Document; yield (item, Extraction) in input order (ordered) or as they finish.
        An item without a Document passes through with None (in its place when ordered). Items are drawn from
        `items` only as workers need them: at most READ_AHEAD_PER_WORKER per worker, and about
        READ_AHEAD_BYTES of content, are ahead of the consumer. `articles_only(item)` may set extract_stage's
        flag item by item."""
        source = iter(items)
        ahead: collections.deque[tuple[T, Future | None, int]] = collections.deque()
        limit = max(1, self.workers) * READ_AHEAD_PER_WORKER
        bytes_ahead = 0
        exhausted = False
        while True:
            while not exhausted and len(ahead) < limit and (not ahead or bytes_ahead < READ_AHEAD_BYTES):
                try:
                    item, document = next(source)
                except StopIteration:
                    exhausted = True
                    break
                size = len(document.content) if document is not None else 0
                bytes_ahead += size
                flag = articles_only(item) if articles_only is not None and document is not None else None
                ahead.append((item, self.submit(document, flag) if document is not None else None, size))
            if not ahead:
                return
            position = 0 if ordered else self._first_finished(ahead)
            item, future, size = ahead[position]
            del ahead[position]
            bytes_ahead -= size
            yield item, future.result() if future is not None else None

    @staticmethod
    def _first_finished(ahead: collections.deque) -> int:
        """Index of the first entry whose result is there, waiting for one if none is."""
        for position, (_, future, _) in enumerate(ahead):
            if future is None or future.done():
                return position
        futures.wait([future for _, future, _ in ahead], return_when=futures.FIRST_COMPLETED)
        return next(position for position, (_, future, _) in enumerate(ahead) if future.done())

    def worker_pids(self) -> list[int]:
        """Process ids of the workers that are up and ready."""
        return [worker.process.pid for worker in list(self._workers) if worker.ready]

    def close(self, *, cancel: bool = False) -> None:
        """Finish the pages submitted (or, with cancel, drop them at once) and stop the workers."""
        with self._lock:
            self._closing = True
            self._cancel = self._cancel or cancel
        if self._dispatcher is not None:
            self._wake()
            self._dispatcher.join()
            self._dispatcher = None
            os.close(self._wakeup_read)
            os.close(self._wakeup_write)

    def __enter__(self) -> "ExtractionPool":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.close(cancel=exc_type is not None)

    # --- internals ---------------------------------------------------------------------------------

    def _wake(self) -> None:
        try:
            os.write(self._wakeup_write, b"x")
        except OSError:
            pass  # the pipe is full, so the dispatcher is due to wake anyway

    def _next_pending(self) -> _Task | None:
        with self._lock:
            while self._pending:
                task = self._pending.popleft()
                if task.started or task.future.set_running_or_notify_cancel():
                    task.started = True
                    return task
        return None

    def _dispatch(self) -> None:
        """The pool's one thread: starts and replaces workers, hands each idle worker a page, collects results,
        and enforces every page's deadline."""
        context = multiprocessing.get_context("spawn")
        workers = self._workers
        failed_starts = 0
        start_error = "they exited before they were ready"
        broken_reason: str | None = None
        try:
            while True:
                with self._lock:
                    closing, cancel, pending = self._closing, self._cancel, bool(self._pending)
                if cancel:
                    self._fail_all(workers, "extraction stopped before this page was done")
                    return
                if closing and not pending and not any(worker.task for worker in workers):
                    self._stop_workers(workers)
                    return
                if broken_reason:
                    while (task := self._next_pending()) is not None:
                        _settle(task.future, Extraction(stage="extract", reason=broken_reason))
                else:
                    while len(workers) < self.workers and failed_starts < MAX_FAILED_STARTS:
                        try:
                            workers.append(_Worker(context, self.function, self.articles_only))
                        except Exception as error:  # e.g. a function that cannot be handed to a process
                            failed_starts += 1
                            start_error = describe_error(error)
                    for worker in workers:
                        if worker.ready and worker.task is None:
                            self._hand_over(worker)
                deadlines = [worker.task.deadline for worker in workers if worker.task]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                handles = [self._wakeup_read, *(worker.connection for worker in workers),
                           *(worker.process.sentinel for worker in workers)]
                ready = set(wait(handles, timeout))
                if self._wakeup_read in ready:
                    try:
                        os.read(self._wakeup_read, 4096)
                    except BlockingIOError:
                        pass
                for worker in list(workers):
                    alive = True
                    if worker.connection in ready:
                        alive = self._receive(worker)
                        if worker.ready:
                            failed_starts = 0
                    if alive and worker.process.sentinel in ready and not worker.connection.poll():
                        alive = False
                    if not alive:
                        if worker.task is not None:
                            _settle(worker.task.future, Extraction(stage="extract", reason=CRASHED_REASON))
                        elif not worker.ready:
                            failed_starts += 1
                        worker.kill()
                        workers.remove(worker)
                    elif worker.task is not None and time.monotonic() >= worker.task.deadline and self._over_budget(worker):
                        _settle(worker.task.future, Extraction(stage="extract", reason=timed_out_reason(self.timeout)))
                        worker.kill()
                        workers.remove(worker)
                if failed_starts >= MAX_FAILED_STARTS and not broken_reason:
                    broken_reason = f"the extraction workers could not start: {start_error}"
        except BaseException as error:  # a bug here must not leave callers waiting forever
            self._fail_all(workers, f"extraction pool error: {describe_error(error)}")
            raise

    def _hand_over(self, worker: _Worker) -> None:
        task = self._next_pending()
        if task is None:
            return
        try:
            worker.connection.send((task.document, task.articles_only))
        except (OSError, EOFError):  # the worker died while idle: the page waits for the next worker
            with self._lock:
                self._pending.appendleft(task)
            return
        except Exception as error:  # a Document that cannot be pickled costs this page only
            _settle(task.future, Extraction(stage="extract", reason=f"extraction worker error: {describe_error(error)}"))
            return
        task.started = time.monotonic()
        task.deadline = task.started + self.timeout
        task.cpu_at_start = _cpu_seconds(worker.process.pid)
        worker.task = task

    def _over_budget(self, worker: _Worker) -> bool:
        """Whether the page on `worker` has used up its budget; if not, when to look again."""
        task = worker.task
        now = time.monotonic()
        cpu_now = _cpu_seconds(worker.process.pid)
        if task.cpu_at_start is None or cpu_now is None or now - task.started >= self.timeout * WALL_CLOCK_FACTOR:
            return True
        left = self.timeout - (cpu_now - task.cpu_at_start)
        if left <= 0:
            return True
        task.deadline = min(now + max(left, 0.1), task.started + self.timeout * WALL_CLOCK_FACTOR)
        return False

    @staticmethod
    def _receive(worker: _Worker) -> bool:
        """Read one message from `worker`; False when the worker is gone."""
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):
            return False
        if message == "ready":
            worker.ready = True
        elif worker.task is not None:
            _settle(worker.task.future, message)
            worker.task = None
        return True

    def _fail_all(self, workers: list[_Worker], reason: str) -> None:
        with self._lock:
            dropped, self._pending = list(self._pending), collections.deque()
        for task in dropped:
            task.future.cancel() or _settle(task.future, Extraction(stage="extract", reason=reason))
        for worker in workers:
            if worker.task is not None:
                _settle(worker.task.future, Extraction(stage="extract", reason=reason))
            worker.kill()
        workers.clear()

    @staticmethod
    def _stop_workers(workers: list[_Worker]) -> None:
        for worker in workers:
            try:
                worker.connection.send(None)
            except (OSError, EOFError):
                pass
        for worker in workers:
            worker.process.join(5)
            worker.kill()
        workers.clear()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) process `pid` has used, from /proc; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def _settle(future: Future, extraction: Extraction) -> None:
    """Give `future` its result unless it already has one (or was cancelled by a caller who left)."""
    try:
        future.set_result(extraction)
    except futures.InvalidStateError:
        pass
