"""Crawl throughput benchmark: a ~300-page loopback site crawled end to end, beside extraction alone on the
same pages in the same run. Politeness delays are switched off so both measure newsdesk itself.

Extraction alone is measured in one process and in a pool of as many processes as the crawl's extraction
workers, so each crawl row has a like-for-like ceiling; on a shared machine, --rounds N keeps each row's best.

With a shared frontier (bench_frontier), the same site is crawled through a private redis-server by 1, 2 and 4
worker processes (each extracting in a pool of one) and the writer, beside the one-process crawl."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from extractors import extract
from newsdesk.devtools.loopback_site import LoopbackNewsSite

UNTHROTTLED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSDESK_PROGRESS_INTERVAL=0",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def site_pages(site: LoopbackNewsSite) -> list[tuple[bytes, str]]:
    """Every article page of the site as served, with its URL."""
    return [(site.respond(article["path"], "127.0.0.1", {})[2], site.base_url + article["path"]) for article in site.articles]


def extraction_seconds(pages: list[tuple[bytes, str]], processes: int) -> float:
    """Wall time to extract every page, in this process (processes=1) or in a fresh pool started the way the
    crawl starts its extraction workers (its start-up counts, as it does in the crawl)."""
    started = time.perf_counter()
    if processes <= 1:
        for page, url in pages:
            extract(page, url)
    else:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(extract, *zip(*pages), chunksize=4))
    return time.perf_counter() - started


def crawl_report(site: LoopbackNewsSite, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [str(Path(sys.executable).parent / "newsdesk"), "crawl", site.base_url + "/", "--db",
                   str(Path(folder) / "bench.db"), "--json", *UNTHROTTLED, "-s", f"NEWSDESK_EXTRACT_WORKERS={workers}"]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_crawl(copies: int = 8, rounds: int = 1) -> list[str]:
    """Measure crawl docs/s against extraction-alone docs/s on the same loopback pages; the report's lines."""
    lines: list[str] = []
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    workers = os.cpu_count() or 1
    with LoopbackNewsSite(copies=copies) as site:
        pages = site_pages(site)
        crawl_rows = {"crawl, extraction in-process": (0, 1), f"crawl, {workers} extraction workers": (workers, workers)}
        alone: dict[int, float] = {}
        crawls: dict[str, tuple[dict, int]] = {}
        # Rounds go through every row in turn, so a burst of other load does not fall on one row only.
        for _ in range(rounds):
            for processes in (1, workers):
                alone[processes] = min(alone.get(processes, float("inf")), extraction_seconds(pages, processes))
            for label, (crawl_workers, ceiling) in crawl_rows.items():
                report = crawl_report(site, crawl_workers)
                if label not in crawls or report["elapsed_seconds"] < crawls[label][0]["elapsed_seconds"]:
                    crawls[label] = (report, ceiling)
    stories = len({article["title"] for article in site.articles})
    lines.append(f"{len(pages)} article pages ({stories} stories, each under up to {copies} URLs), {workers} CPUs, "
               f"politeness delays off, best of {rounds} round(s)")
    lines.append(f"{'':36}{'articles':>9}{'pages':>7}{'seconds':>9}{'docs/s':>8}{'sustained':>10}"
                 "  vs extraction alone (1 process)")
    rates = {}
    for processes, seconds in alone.items():
        label = "extraction alone, 1 process" if processes == 1 else f"extraction alone, {processes} processes"
        rates[processes] = len(pages) / seconds
        lines.append(f"{label:36}{len(pages):>9}{len(pages):>7}{seconds:>9.1f}{rates[processes]:>8.1f}")
    for label, (report, ceiling) in crawls.items():
        rate = report["articles_stored"] / report["elapsed_seconds"] if report["elapsed_seconds"] else 0.0
        sustained = report["sustained_docs_per_second"]
        ratios = f"{rate / rates[1]:.2f}x overall, {sustained / rates[1]:.2f}x sustained"
        if ceiling > 1:
            ratios += f"; of {ceiling} processes: {rate / rates[ceiling]:.2f}x, {sustained / rates[ceiling]:.2f}x"
        lines.append(f"{label:36}{report['articles_stored']:>9}{report['pages_fetched']:>7}{report['elapsed_seconds']:>9.1f}"
                   f"{rate:>8.1f}{sustained:>10.1f}  {ratios}")
    lines.append("overall: articles over the whole crawl; sustained: once storing has begun (start-up, robots.txt, feeds, "
               "sitemaps and the workers' loading excluded)")
    return lines


FRONTIER_WORKER_COUNTS = (1, 2, 4)
FRONTIER_IDLE_EXIT = 1.0  # seconds; the crawl's tail after its last article, part of "overall" only


def frontier_crawl_report(site: LoopbackNewsSite, frontier: str, workers: int) -> dict:
    """One crawl of the site through the frontier by `workers` worker processes (one extraction process each)."""
    import redis

    redis.Redis.from_url(frontier).flushdb()
    with tempfile.TemporaryDirectory() as folder:
        command = [str(Path(sys.executable).parent / "newsdesk"), "crawl", site.base_url + "/", "--db",
                   str(Path(folder) / "bench.db"), "--json", "--frontier", frontier, "--workers", str(workers),
                   "--idle-exit", str(FRONTIER_IDLE_EXIT), *UNTHROTTLED, "-s", "NEWSDESK_EXTRACT_WORKERS=1"]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_frontier(copies: int = 8, rounds: int = 1, worker_counts: tuple[int, ...] = FRONTIER_WORKER_COUNTS) -> list[str]:
    """Crawl docs/s through a shared Redis frontier with 1, 2 and 4 worker processes, beside the one-process crawl
    with its extraction pool, on the same loopback site in the same run; the report's lines."""
    from newsdesk.devtools.redis_server import RedisServer

    cpus = os.cpu_count() or 1
    rows: dict[str, dict] = {}
    with LoopbackNewsSite(copies=copies) as site, RedisServer() as server:
        labels = {f"one process, {cpus} extraction workers": None,
                  **{f"frontier, {count} worker{'s' if count > 1 else ''} + writer": count for count in worker_counts}}
        for _ in range(rounds):
            for label, count in labels.items():
                report = crawl_report(site, cpus) if count is None else frontier_crawl_report(site, server.url, count)
                if label not in rows or report["elapsed_seconds"] < rows[label]["elapsed_seconds"]:
                    rows[label] = report
        pages = len(site.articles)
    lines = [f"{pages} article pages, {cpus} CPUs, politeness delays off (at most 8 requests at a time to the site, "
             f"crawl-wide), best of {rounds} round(s); each frontier worker extracts in a pool of one process",
             f"{'':36}{'articles':>9}{'pages':>7}{'seconds':>9}{'docs/s':>8}{'sustained':>10}"]
    for label, report in rows.items():
        rate = report["articles_stored"] / report["elapsed_seconds"] if report["elapsed_seconds"] else 0.0
        lines.append(f"{label:36}{report['articles_stored']:>9}{report['pages_fetched']:>7}{report['elapsed_seconds']:>9.1f}"
                     f"{rate:>8.1f}{report['sustained_docs_per_second']:>10.1f}")
    lines.append("docs/s: articles over the whole run (start-up, seeding and the idle exit included); sustained: from the "
                 "first article stored to the last")
    return lines
