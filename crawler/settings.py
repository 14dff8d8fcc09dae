"""Scrapy settings for newsdesk: polite by default (robots.txt, AutoThrottle, per-domain concurrency,
retries with backoff that honour Retry-After), bounded (response size, timeouts) and breadth-first."""

from extractors.limits import LIMITS
from newsdesk.corpus.warc import WARC_MAX_BYTES
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS

BOT_NAME = "newsdesk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; site owners should know who crawls them and how to reach the operator.
USER_AGENT = "newsdesk/0.1 (+https://example.org/newsdesk; news corpus crawler; contact: crawler-admin@example.org)"
ROBOTSTXT_OBEY = True

# Politeness: a few requests at a time per site, paced by the site's own response times.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Retries with backoff on rate limits, server errors and timeouts; Retry-After is honoured (see middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Scrapy's list without a refused connection and a host name that does not resolve: retried a second later they
# fail the same way, and a start URL that cannot be reached should say so at once, not after 20 s of retries.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,  # Scrapy's decompression raises it for an empty response
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"  # a request given up on is a failures row with its reason; no log line too
NEWSDESK_RETRY_BACKOFF_BASE = 1.0  # seconds; doubled on each further retry
NEWSDESK_MAX_RETRY_AFTER = 120  # seconds; a longer Retry-After is capped to this

# Bounds on what one response may cost.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = LIMITS.max_input_bytes
DOWNLOAD_WARNSIZE = LIMITS.max_input_bytes // 2
REDIRECT_MAX_TIMES = 5
NEWSDESK_MAX_SITEMAP_URLS = 50_000  # the sitemap protocol's own limit per file; more is not read

# Breadth-first: the scheduler serves shallow requests first; feed and sitemap entries get a higher priority.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
LOG_LEVEL = "WARNING"

# Scrapy's robots.txt, redirect and decompression middlewares are replaced by subclasses in their places that
# raise typed refusals and failures (crawler.middlewares.RequestDropped), so the spider never reads message text.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SchemeFilterMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtPolicyMiddleware": 100,
    "crawler.middlewares.KnownArticleMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshLimitMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.DecompressionLimitMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.RedirectLimitMiddleware": 600,
    "crawler.middlewares.RedirectLoopMiddleware": 650,  # sees 3xx responses before RedirectLimitMiddleware (600)
    # After every middleware that may drop a request: what it counts is really sent.
    "crawler.middlewares.PageBudgetMiddleware": 900,
    # Next to the downloader: sees every response as fetched, before decompression (590), redirects and retries.
    "crawler.middlewares.WarcOutputMiddleware": 950,
}
ITEM_PIPELINES = {"crawler.pipelines.IngestPipeline": 300}
EXTENSIONS = {"crawler.extensions.CrawlProgress": 500}

# Where the corpus lives and how long a stored article is trusted before it is revalidated.
NEWSDESK_DB = "data/articles.db"
NEWSDESK_RECRAWL_AFTER = 24 * 3600  # seconds
NEWSDESK_MAX_PAGES = 0  # `--max-pages`: send at most this many requests (robots.txt not counted); 0: no limit
NEWSDESK_PROGRESS_INTERVAL = 2.0  # seconds between progress lines
# Extraction runs in this many worker processes (-1: one per CPU; 0: in the crawl process itself).
NEWSDESK_EXTRACT_WORKERS = -1
# `newsdesk crawl --warc-out DIR`: write every fetched response with its request as WARC/1.1 files in DIR,
# a new file begun past NEWSDESK_WARC_MAX_BYTES. Unset: no WARC output.
NEWSDESK_WARC_DIR = ""
NEWSDESK_WARC_MAX_BYTES = WARC_MAX_BYTES
NEWSDESK_EXTRACT_TIMEOUT = EXTRACT_TIMEOUT_SECONDS  # seconds one page may take to extract before it is recorded as failed
