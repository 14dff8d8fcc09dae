"""Crawl throughput benchmark: a ~300-page loopback site crawled end to end, beside extraction alone on the
same pages in the same run. Politeness delays are switched off so both measure newsdesk itself.

Extraction alone is measured in one process and in a pool of as many processes as the crawl's extraction
workers, so each crawl row has a like-for-like ceiling; on a shared machine, --rounds N keeps each row's best."""

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
