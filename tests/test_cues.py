"""Metadata cue readers: dates, bylines, credits and outlets named by lines of text."""

from __future__ import annotations

from extractors.cues import (CueReader, TextCues, dateline_credits, normalize_outlet_name, parse_date, read_byline,
                             read_credit_line, read_outlet_cue, read_text_cues)
from extractors.rules import lines as line_rules


def test_dates_are_read_in_the_formats_news_pages_write_them():
    assert parse_date("Veröffentlicht am 3. Mai 2024, 14:05 Uhr") == "2024-05-03T14:05"
    assert parse_date("Monday, September 16, 2024") == "2024-09-16"
    assert parse_date("Feb. 20, 2024 9:20 pm") == "2024-02-20T21:20"
    assert parse_date("Stand: 22.11.2024 07.57") == "2024-11-22T07:57"
    assert parse_date("le 5 juin 2024") == "2024-06-05"
    assert parse_date("updated 2024-02-20T09:20:00+02:00") == "2024-02-20T09:20"
    assert parse_date("40.1.2024 ist kein Datum, 3.13.2024 auch nicht") is None
    assert parse_date("Artikel 2024") is None


def test_a_byline_gives_the_names_as_written_and_the_people():
    assert read_byline("By Jane Doe and John Roe, Senior Editor") == ("Jane Doe and John Roe, Senior Editor",
                                                                       ["Jane Doe", "John Roe"])
    assert read_byline("Von Ursula von der Leyen") == ("Ursula von der Leyen", ["Ursula von der Leyen"])
    assert read_byline("by the way, nothing here") is None


def test_credit_lines_name_wire_services_by_their_canonical_names():
    assert read_credit_line("dpa/APA") == ["dpa", "APA"]
    assert read_credit_line("(AFP)") == ["AFP"]
    assert read_credit_line("Reuters and The Associated Press contributed to this story.") == ["Reuters", "Associated Press"]
    assert read_credit_line("The council met on Monday.") is None


def test_outlet_cues_name_the_publisher_and_say_which_cue_it_was():
    outlet, cue = read_outlet_cue("This post appeared first on FOX NEWS")
    assert outlet == "Fox News" and cue.name == "syndication line"
    assert read_outlet_cue("About us") is None
    assert normalize_outlet_name("BBC NEWS") == "BBC News"


def test_the_reader_marks_metadata_lines_and_a_source_naming_a_wire_is_a_credit():
    reader = CueReader()
    marks = [reader.read(text) for text in ("Monday, September 16, 2024", "By Jane Doe", "Source: Reuters",
                                             "About ANI", "ANI is a leading multimedia news agency.", "The council met.")]
    assert marks[:3] == [line_rules.DATE_BANNER, line_rules.BYLINE, line_rules.CREDIT_LINE]
    assert marks[3].reason == "outlet cue (about heading)" and marks[3].ends_story
    assert marks[4] == line_rules.ABOUT_BLURB and marks[5] is None
    assert reader.cues == TextCues(byline="Jane Doe", authors=["Jane Doe"], published="2024-09-16", outlet="ANI",
                                   credits=["Reuters"])


def test_a_blurb_is_only_read_under_its_about_heading():
    assert CueReader().read("ANI is a leading multimedia news agency.") is None


def test_text_cues_come_from_lines_that_are_not_body_text():
    cues = read_text_cues(["", "  By  Jane Doe ", "20 February 2024 - 09:20", "Reuters", "Reuters", "dpa"])
    assert (cues.byline, cues.published, cues.credits) == ("Jane Doe", "2024-02-20T09:20", ["Reuters", "dpa"])


def test_filling_cues_keeps_what_was_read_and_adds_credits_once():
    cues = TextCues(published="2024-01-02", credits=["AFP"])
    cues.fill_from(TextCues(byline="Jane Doe", authors=["Jane Doe"], published="2023-01-01", outlet="ANI",
                            credits=["AFP", "dpa"]))
    assert cues == TextCues(byline="Jane Doe", authors=["Jane Doe"], published="2024-01-02", outlet="ANI", credits=["AFP", "dpa"])


def test_a_dateline_credits_its_agencies():
    assert dateline_credits("Berlin (dpa/AFP) - Der Bundestag hat") == ["dpa", "AFP"]
    assert dateline_credits("Berlin - Der Bundestag (dpa) hat") == []
