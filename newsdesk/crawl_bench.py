"""Crawl throughput benchmark: a ~300-article loopback site crawled end to end, beside extraction alone
on the same pages in the same run. Politeness delays are switched off so both measure newsdesk itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from extractors import extract
from newsdesk.loopback_site import LoopbackNewsSite

UNTHROTTLED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSDESK_PROGRESS_INTERVAL=0",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def extraction_docs_per_second(site: LoopbackNewsSite) -> tuple[int, float]:
    pages = [(site.base_url + article["path"], site.respond(article["path"], "127.0.0.1", {})[2]) for article in site.articles]
    started = time.perf_counter()
    for url, page in pages:
        extract(page, url)
    return len(pages), len(pages) / (time.perf_counter() - started)


def crawl_docs_per_second(site: LoopbackNewsSite, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [str(Path(sys.executable).parent / "newsdesk"), "crawl", site.base_url + "/", "--db",
                   str(Path(folder) / "bench.db"), "--json", *UNTHROTTLED, "-s", f"NEWSDESK_EXTRACT_WORKERS={workers}"]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    stored = report["articles_new"] + report["articles_updated"] + report["articles_unchanged"]
    report["docs_per_second"] = stored / report["elapsed_seconds"] if report["elapsed_seconds"] else 0.0
    return report


@click.command("bench-crawl")
@click.option("--copies", default=8, show_default=True, help="Serve each article under this many URLs.")
def bench_crawl_command(copies: int) -> None:
    """Measure crawl docs/s against extraction-alone docs/s on the same loopback pages."""
    workers = os.cpu_count() or 1
    with LoopbackNewsSite(copies=copies) as site:
        pages, extraction_rate = extraction_docs_per_second(site)
        crawls = {"crawl, extraction in-process": crawl_docs_per_second(site, 0),
                  f"crawl, {workers} extraction workers": crawl_docs_per_second(site, workers)}
    click.echo(f"{'':34}{'articles':>9}{'pages':>7}{'seconds':>9}{'docs/s':>8}{'vs extraction':>15}")
    click.echo(f"{'extraction alone (one process)':34}{pages:>9}{pages:>7}{pages / extraction_rate:>9.1f}{extraction_rate:>8.1f}{1:>14.2f}x")
    for label, crawl in crawls.items():
        stored = crawl["articles_new"] + crawl["articles_updated"] + crawl["articles_unchanged"]
        click.echo(f"{label:34}{stored:>9}{crawl['pages_fetched']:>7}{crawl['elapsed_seconds']:>9.1f}"
                   f"{crawl['docs_per_second']:>8.1f}{crawl['docs_per_second'] / extraction_rate:>14.2f}x")
