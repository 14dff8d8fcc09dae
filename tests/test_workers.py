"""The extraction pool: results as in-process extraction, a time budget per page, crashed or stuck workers
replaced without losing the other pages in flight, bounded read-ahead, and workers that die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import SEEDS
from extractors import Document
from newsdesk.corpus.ingest import extract_stage
from newsdesk.corpus.workers import CRASHED_REASON, ExtractionPool, timed_out_reason

pytestmark = pytest.mark.slow  # The pool starts extraction worker processes.


def hang_on_marker(document: Document, articles_only: bool):
    """extract_stage, except that a page holding HANG hangs its worker without computing, one holding SPIN
    hangs it computing (as a regex that backtracks does) and one holding CRASH kills it."""
    if b"HANG" in document.content:
        time.sleep(600)
    while b"SPIN" in document.content:
        pass
    if b"CRASH" in document.content:
        os.kill(os.getpid(), signal.SIGKILL)  # what a segfault in a parser looks like from outside
    return extract_stage(document, articles_only)


def seed_documents() -> list[Document]:
    return [Document(content=path.read_bytes(), origin=path.name) for path in sorted(SEEDS.glob("*.txt"))]


def test_pool_results_match_in_process_extraction_and_keep_input_order():
    documents = seed_documents() * 2
    with ExtractionPool(2) as pool:
        results = list(pool.imap((document.origin, document) for document in documents))
    assert [origin for origin, _ in results] == [document.origin for document in documents]
    for (origin, extraction), document in zip(results, documents):
        assert extraction.article.body == extract_stage(document).article.body, origin


def test_items_without_a_document_pass_through_in_their_place():
    documents = seed_documents()
    items = [("a", documents[0]), ("unreadable", None), ("b", documents[1])]
    with ExtractionPool(1) as pool:
        passed = [(item, extraction is None) for item, extraction in pool.imap(items)]
    assert passed == [("a", False), ("unreadable", True), ("b", False)]


def test_a_hanging_page_times_out_alone_and_the_other_pages_in_flight_are_kept():
    good = seed_documents()
    hanging = Document(content=good[0].content + b"\nHANG\n", origin="hang.txt")
    documents = [good[0], hanging, *good[1:]]
    started = time.monotonic()
    with ExtractionPool(2, timeout=3, function=hang_on_marker) as pool:
        results = dict((item, extraction) for item, extraction in pool.imap(((d.origin, d) for d in documents), ordered=False))
    assert results["hang.txt"].article is None
    assert timed_out_reason(3) == "extraction timed out after 3 s"
    assert (results["hang.txt"].stage, results["hang.txt"].reason) == ("extract", "extraction timed out after 3 s")
    assert all(results[document.origin].article is not None for document in good), "every other page was extracted"
    assert time.monotonic() - started < 60


def test_a_crashing_page_costs_itself_only_and_its_worker_is_replaced():
    good = seed_documents()
    crashing = [Document(content=b"CRASH " + document.content, origin=f"crash-{number}.txt")
                for number, document in enumerate(good[:2])]
    documents = [crashing[0], *good, crashing[1]]
    with ExtractionPool(1, function=hang_on_marker) as pool:  # one worker: it must be replaced to go on
        results = dict(pool.imap((d.origin, d) for d in documents))
    assert [results[d.origin].reason for d in crashing] == [CRASHED_REASON, CRASHED_REASON]
    assert all(results[d.origin].article is not None for d in good)


def test_workers_that_cannot_start_fail_each_page_with_a_reason():
    with ExtractionPool(1, function=lambda document, articles_only: None) as pool:  # a lambda cannot reach a process
        extraction = pool.submit(seed_documents()[0]).result(timeout=60)
    assert extraction.article is None and extraction.reason.startswith("the extraction workers could not start")


def test_in_process_mode_extracts_in_the_calling_process():
    calls = []

    def record(document, articles_only):
        calls.append(os.getpid())
        return extract_stage(document, articles_only)

    with ExtractionPool(0, function=record) as pool:
        [(_, extraction)] = list(pool.imap([("seed", seed_documents()[0])]))
    assert calls == [os.getpid()] and extraction.article is not None


def test_read_ahead_is_bounded():
    drawn = []
    documents = seed_documents()

    def items():
        for number in range(200):
            drawn.append(number)
            yield number, documents[number % len(documents)]

    with ExtractionPool(2) as pool:
        results = pool.imap(items())
        next(results)
        assert len(drawn) <= 2 * 4 + 1, "only a few pages are read ahead of the consumer"
        assert sum(1 for _ in results) == 199


@pytest.mark.parametrize("marker, wall_clock_bounds", [
    (b"SPIN", (2, 6)),  # computing: stopped once it has used 2 s of CPU time
    (b"HANG", (6, 10)),  # stuck without computing: stopped after three times the budget in wall time
])
def test_a_page_is_cut_off_at_its_budget(marker, wall_clock_bounds):
    with ExtractionPool(1, timeout=2, function=hang_on_marker) as pool:
        pool.submit(seed_documents()[0]).result(timeout=60)  # the worker is up: start-up never counts
        started = time.monotonic()
        extraction = pool.submit(Document(content=marker, origin="hang.txt")).result(timeout=60)
        elapsed = time.monotonic() - started
    assert extraction.reason == "extraction timed out after 2 s"
    low, high = wall_clock_bounds
    assert low <= elapsed < high + 4, elapsed  # generous: the machine may be busy with other work


PARENT = textwrap.dedent("""
    import sys, time
    from newsdesk.corpus.workers import ExtractionPool
    if __name__ == "__main__":
        pool = ExtractionPool(2)
        while len(pool.worker_pids()) < 2:
            time.sleep(0.1)
        print(" ".join(map(str, pool.worker_pids())), flush=True)
        time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
@pytest.mark.parametrize("kill_signal", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent_whatever_kills_it(tmp_path, kill_signal):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        parent.send_signal(kill_signal)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids), "no worker outlives its parent"
    finally:
        parent.kill()
        parent.wait()
