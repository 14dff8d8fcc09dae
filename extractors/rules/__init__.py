"""Extraction rules as data: patterns, cue phrases and word lists, grouped by what they catch.

The algorithms live elsewhere (text_cleaner, html_extractor, metadata) and only read these tables.
Every rule carries a comment saying what it catches and where such text is seen.
"""
