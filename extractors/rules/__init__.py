"""Extraction rules as data: patterns, cue phrases and word lists, grouped by what they catch.

The algorithms live elsewhere (cues, text_cleaner, blocks, html_extractor, metadata, and the ingest core for
page types) and only read these tables.
Every rule carries a comment saying what it catches and where such text is seen.
"""
