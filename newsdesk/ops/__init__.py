"""Operations: the crawl runner, crawl jobs and the scheduler. Depends on the corpus layer and the Scrapy
project in `crawler`."""
