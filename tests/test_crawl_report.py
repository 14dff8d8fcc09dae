"""What a crawl did, read from Scrapy's stats: progress lines, the closing summary and crawl_runs counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.report import CrawlReport

STATS = {
    "downloader/response_count": 120, "newsdesk/new": 50, "newsdesk/updated": 3, "newsdesk/unchanged": 8,
    "newsdesk/not_modified": 8, "newsdesk/skipped": 40, "newsdesk/skipped_known": 5, "robotstxt/forbidden": 2,
    "offsite/filtered": 1, "newsdesk/refused/scheme": 1, "newsdesk/failed": 2, "newsdesk/fetch_failed": 4,
        "finish_reason": "closespider_pagecount",
    "start_time": datetime(2024, 2, 20, 9, 0, 0), "finish_time": datetime(2024, 2, 20, 9, 0, 0) + timedelta(seconds=42.5),
}


def test_report_counts_come_from_the_crawl_stats():
    report = CrawlReport.from_stats(STATS)
    assert (report.pages_fetched, report.articles_new, report.articles_updated, report.articles_unchanged) == (120, 50, 3, 8)
    assert report.articles_stored == 61
    assert report.failures == 6, "pages that failed extraction plus URLs that could not be fetched"
    assert report.refused == 4, "known articles skipped are counted apart from policy refusals"
    assert report.elapsed_seconds == 42.5


def test_progress_line_and_summary_say_pages_articles_and_errors():
    report = CrawlReport.from_stats(STATS)
    assert report.progress_line() == "120 pages fetched, 61 articles stored (50 new, 3 updated, 8 unchanged), 6 errors"
    summary = report.summary()
    assert summary.startswith("crawl finished (closespider_pagecount): 120 pages fetched in 42.5s")
    for part in ("50 new, 3 updated, 8 unchanged (8 not modified)", "40 list/navigation pages not stored",
                 "5 known articles skipped", "4 requests refused by policy", "6 failed"):
        assert part in summary, part


def test_an_empty_crawl_reports_zeros():
    expected = "0 pages fetched, 0 articles stored (0 new, 0 updated, 0 unchanged), 0 errors"
    assert CrawlReport.from_stats({}).progress_line() == expected


def test_sustained_rate_counts_from_the_first_article_stored_to_the_last():
    first = datetime(2024, 2, 20, 9, 0, 10)
    report = CrawlReport.from_stats({**STATS, "newsdesk/first_stored_at": first,
                                     "newsdesk/last_stored_at": first + timedelta(seconds=20)})
    assert report.storing_seconds == 20.0
    assert report.sustained_docs_per_second == 60 / 20, "the 60 articles stored after the first, over 20 seconds"
    assert report.to_dict()["sustained_docs_per_second"] == 3.0 and report.to_dict()["articles_stored"] == 61
    assert CrawlReport.from_stats(STATS).sustained_docs_per_second == 0.0, "nothing stored: no rate"
