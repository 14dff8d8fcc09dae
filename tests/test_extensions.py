"""Live crawl progress: the status line printed every few seconds while a crawl runs."""

from __future__ import annotations

from crawler.extensions import CrawlProgress


def test_progress_prints_pages_articles_and_errors_so_far(crawler_stub, capsys):
    crawler = crawler_stub(NEWSDESK_PROGRESS_INTERVAL=0.5)
    for key, count in (("downloader/response_count", 7), ("newsdesk/new", 3), ("newsdesk/fetch_failed", 1)):
        crawler.stats.set_value(key, count)
    progress = CrawlProgress.from_crawler(crawler)
    assert progress.enabled
    progress.show()
    assert capsys.readouterr().err == "crawl: 7 pages fetched, 3 articles stored (3 new, 0 updated, 0 unchanged), 1 errors\n"


def test_progress_can_be_switched_off(crawler_stub):
    assert not CrawlProgress.from_crawler(crawler_stub(NEWSDESK_PROGRESS_INTERVAL=0)).enabled
