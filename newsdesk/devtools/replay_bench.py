"""Replay throughput and memory benchmark: the loopback site's article pages, each copy made different, replayed
from a folder of HTML files (1 worker beside 2) and from one generated WARC (in one process beside 2 workers),
beside extraction alone in one process on the same pages in the same run. Each replay runs as `newsdesk replay`
in a process of its own; its wall time, and the peak RSS of its largest process and of all its processes
together, are measured."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.corpus.ingest import extract_stage
from newsdesk.corpus.workers import default_workers
from newsdesk.devtools.loopback_site import LoopbackNewsSite
from extractors import Document

_PARAGRAPH_END = re.compile(rb"</p>", re.IGNORECASE)
# Non-HTML records mixed into the generated WARC (one per this many pages), so that it also holds large
# responses that replay must pass over without reading them whole.
BINARY_RECORD_EVERY = 100
BINARY_RECORD_BYTES = 8_000_000


def varied_pages(count: int) -> list[tuple[str, bytes]]:
    """`count` (url, page) pairs from the loopback site's articles, every copy with a sentence of its own in
    its paragraphs and title, so that no two store as the same article."""
    with LoopbackNewsSite() as site:
        originals = [(article["path"], site.respond(article["path"], "127.0.0.1", {})[2]) for article in site.articles]
        base = site.base_url.encode()
    pages = []
    for number in range(count):
        path, page = originals[number % len(originals)]
        url = f"https://news.example.org/copy-{number}{path}"
        marker = f" Fassung {number}: Nachtrag Nummer {number} zu diesem Bericht.".encode()
        varied = _PARAGRAPH_END.sub(marker + rb"\g<0>", page)
        # Each copy its own article, as in a news archive: its own title, and its own URL wherever the page
        # names its address (og:url, rel=canonical), so that it is stored as a new article, not an update.
        varied = varied.replace(b"</title>", f" ({number})</title>".encode(), 1).replace(base + path.encode(), url.encode())
        pages.append((url, varied))
    return pages


def write_folder(folder: Path, pages: list[tuple[str, bytes]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, (url, page) in enumerate(pages):
        (folder / f"page-{number:05d}.html").write_bytes(page)
        (folder / f"page-{number:05d}.json").write_text(json.dumps({"url": url}))


def write_warc(path: Path, pages: list[tuple[str, bytes]], *, gzip: bool = False) -> int:
    """The pages as WARC response records (with a large non-HTML record now and then); returns its size."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip, warc_version="1.1")
        for number, (url, page) in enumerate(pages):
            records = [(url, "text/html; charset=utf-8", page)]
            if number % BINARY_RECORD_EVERY == 0:
                records.append((f"{url}.mp4", "video/mp4", os.urandom(1024) * (BINARY_RECORD_BYTES // 1024)))
            for record_url, content_type, body in records:
                headers = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                                           protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(record_url, "response", payload=io.BytesIO(body), length=len(body),
                                                              http_headers=headers))
    return path.stat().st_size


@dataclass
class ReplayRun:
    label: str
    articles: int
    seconds: float
    largest_process_mib: float
    all_processes_mib: float
    cpu_seconds: float  # user + system time of the replay and its workers

    @property
    def docs_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def _tree_rss_kib(root: int) -> tuple[int, int]:
    """RSS of process `root` and its descendants: (largest, sum), in KiB, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, []))
    sizes = [rss.get(pid, 0) for pid in tree]
    return max(sizes, default=0), sum(sizes)


def timed_replay(label: str, target: Path, workers: int) -> ReplayRun:
    """`newsdesk replay target --workers N` into a fresh corpus, with its time and peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        command = [str(Path(sys.executable).parent / "newsdesk"), "replay", str(target), "--db", str(Path(folder) / "bench.db"),
                   "--json", "--workers", str(workers)]
        peaks = [0, 0]
        started = time.perf_counter()
        cpu_before = _children_cpu_seconds()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                largest, total = _tree_rss_kib(process.pid)
                peaks[0], peaks[1] = max(peaks[0], largest), max(peaks[1], total)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output, _ = process.communicate()
        seconds = time.perf_counter() - started
        cpu_seconds = _children_cpu_seconds() - cpu_before
        done.set()
        sampler.join()
    counts = json.loads(output)
    stored = counts["new"] + counts["updated"] + counts["unchanged"]
    return ReplayRun(label, stored, seconds, peaks[0] / 1024, peaks[1] / 1024, cpu_seconds)


def _children_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def extraction_alone_seconds(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    """Wall and CPU seconds to extract every page in this process."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for url, page in pages:
        extract_stage(Document(content=page, url=url), True)
    return time.perf_counter() - started, time.process_time() - cpu_started


def bench_replay(pages: int = 300, warc_pages: int = 600) -> list[str]:
    """Folder replay with 1 and with every CPU's worker, WARC replay, extraction alone: the report's lines."""
    import logging

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    workers = default_workers()
    lines = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        folder_pages = varied_pages(pages)
        write_folder(scratch_path / "pages", folder_pages)
        warc_size = write_warc(scratch_path / "pages.warc", varied_pages(warc_pages))
        alone_seconds, alone_cpu = extraction_alone_seconds(folder_pages)
        alone = len(folder_pages) / alone_seconds
        folder = scratch_path / "pages"
        warc_label = f"WARC of {warc_size / 1e6:.0f} MB ({warc_pages} pages)"
        runs = [timed_replay(f"folder of {pages} HTML files, 1 worker", folder, 1),
                timed_replay(f"folder of {pages} HTML files, {workers} workers", folder, workers),
                timed_replay(f"{warc_label}, in one process", scratch_path / "pages.warc", 0),
                timed_replay(f"{warc_label}, {workers} workers", scratch_path / "pages.warc", workers)]
    lines.append(f"{workers} CPUs; extraction alone, 1 process: {alone:.1f} docs/s, "
                 f"{len(folder_pages) / alone_cpu:.1f} docs per CPU second")
    lines.append(f"{'':48}{'articles':>9}{'seconds':>9}{'docs/s':>8}{'vs alone':>9}{'CPU s':>7}{'docs/CPU s':>11}"
                 f"{'RSS max':>9}{'RSS all':>9}")
    for run in runs:
        per_cpu_second = run.articles / run.cpu_seconds if run.cpu_seconds else 0.0
        lines.append(f"{run.label:48}{run.articles:>9}{run.seconds:>9.1f}{run.docs_per_second:>8.1f}"
                     f"{run.docs_per_second / alone:>8.2f}x{run.cpu_seconds:>7.1f}{per_cpu_second:>11.1f}"
                     f"{run.largest_process_mib:>8.0f}M{run.all_processes_mib:>8.0f}M")
    one_process, parallel = runs[2], runs[3]
    if one_process.docs_per_second:
        speedup = parallel.docs_per_second / one_process.docs_per_second
        lines.append(f"WARC replay with {workers} workers: {speedup:.2f}x the same replay in one process"
                     f", {parallel.docs_per_second / alone:.2f}x extraction alone")
    lines.append("CPU s: user and system time of the replay and its workers; RSS max: the largest process (the replay or "
                 "one worker); RSS all: the replay and its workers together")
    return lines
