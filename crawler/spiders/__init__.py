"""Spiders of the newsdesk Scrapy project."""
