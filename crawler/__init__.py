"""newsdesk's Scrapy project: spiders discover pages, one pipeline hands them to the ingest core."""
