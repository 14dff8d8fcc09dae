"""Title rules as data: the separators pages put between a headline and the site name, section or date
around it, and the limits that tell a site or section label from a headline. Read by extractors.titles."""

from __future__ import annotations

import re

# Title sources a page declares, in priority order when they disagree and no visible headline settles it.
# og:title is written by the editors for sharing and is the headline on most news sites.
DECLARED_SOURCES = ["og", "json-ld", "twitter", "title"]

# Separators between a headline and the site name, section or date that pages append or prepend.
# Strong ones are spaced dashes, pipes and their relatives in every script: "Headline | Site", "Headline -
# Site", "Headline – Site", "Headline — Site", "Site :: Headline", "Site > News > Headline", "Headline / Site",
# "Headline » Section", "Headline · Site", "Headline • Site", "Headline -- Site"; pipes, the full-width "｜"
# and the Korean "ㅣ" need no spaces, nor does an underscore between words ("标题_科技_网", "Headline_English").
# Weak ones, the colon ("Site: Headline", "Headline：Site", "Headline : Section") and a dash spaced on one side
# only ("Headline- Site"), also join a kicker to its headline ("Ukraine: Talks resume"): a segment they set
# off is cut only when it names the site, or, on a page that declares its title only in <title> (no
# editorial headline to tell a kicker from a site name), when a visible heading shows the rest.
STRONG_SEPARATOR = (r"(?<!\s)\s+(?:[–—\-/]|--|::|»|·|•|>)\s+|(?<!\s)\s*[|｜ㅣ]\s*"
                    r"|(?<=[^\W_]|[）)])\s*_(?=[^\W_])")
WEAK_SEPARATOR = r"(?<=\S)\s*:\s+|(?<!\s)\s*：\s*|(?<=\S)-\s+"
SEPARATOR = re.compile(f"({STRONG_SEPARATOR}|{WEAK_SEPARATOR})")
WEAK = re.compile(r"(?<!\s)\s*[:：]\s*|-\s+")  # a separator found by SEPARATOR is weak when it matches this whole

# A <title> of this few words, shorter than the page's <h1>, names the site or section, not the story.
SHORT_TITLE_WORDS = 4

# A run of a title's segments is a headline candidate when it is at least as long as each segment it leaves
# out, or when it opens or closes the title with at least this many words ("Headline - 15 Jan 2008 - Arts &
# Literature News and Reviews - Herald", "Site - Providence, Rhode Island News, Weather and Sports | Headline").
END_RUN_WORDS = 4

# A trailing parenthesis that names the site ("Headline (from The Herald)", "Headline（CNET Japan）") is cut
# like a separated segment; the words before the name inside it are left aside when matching it.
TRAILING_PARENTHESIS = re.compile(r"(?<!\s)\s*[(（]\s*([^()（）]{1,120}?)\s*[)）]\s*$")

# A separator opening or closing the whole title (":: Site ::") separates nothing.
# Patterns that may start in a run of white space start only where it starts ((?<!\s)), so that a long run
# is scanned once, not once for each of its characters.
DANGLING_SEPARATOR = re.compile(r"^\s*(?:[|｜:»·•–—-]+\s+)+|(?<!\s)(?:\s+[|｜:»·•–—-]+)+\s*$")

# A site name may itself contain a separator ("Home_Garden", "Site - Local"): up to this many segments at an
# end of the title are tried together against the site's declared name.
SITE_MAX_SEGMENTS = 3

# A title segment that is only a date ("28.04.2023", "2024-02-20", "01/12/2008") is page furniture.
DATE_SEGMENT = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}")

# Segments between the headline and the site name ("Headline - World - Sport - Site") are section labels
# when they are this short; so are short segments after a pipe even when no site name follows ("Headline
# | Politik | Tagblatt"): headlines themselves rarely contain a pipe.
SECTION_MAX_WORDS = 4

# A site name segment is short: a longer one is a headline that merely mentions the site.
SITE_MAX_WORDS = 6

# A segment of up to this many words that contains the site's name names the site ("Daily Star Online");
# a longer one only when the name is most of it.
SITE_CONTAINED_MAX_WORDS = 3

# A headline has at least this many words, or this many characters (scripts written without spaces).
MIN_WORDS = 2
MIN_CHARS = 8

# Visible headlines are read from these elements, in this order: <h1> first, then the lower headings
# (pages of the 2000s put the story's headline in an <h2> or <h3> under a section <h1>).
HEADING_TAGS = ("h1", "h2", "h3")

# A heading may open with a kicker on a line of its own (a topic label above the headline): its first child
# element, of at most SITE_MAX_WORDS words, with no text before it, and set on its own line by a block-level
# element (it or the element after it) or a <br> after it. The headline is the rest of the heading.
# A kicker and headline written as one ("Kicker: Headline" split over two lines) are read whole: a kicker that
# ends with one of KICKER_SEPARATORS, or a headline that starts with anything but a letter, a digit or one of
# OPENING_QUOTES.
KICKER_LINE_BREAKS = frozenset({"div", "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "header", "section"})
KICKER_SEPARATORS = ":：|｜-–—·•»/"
OPENING_QUOTES = "\"'„“‚‘«»‹›「『"

# A visible headline longer than this is a paragraph, not a headline.
MAX_HEADLINE_WORDS = 40
MAX_HEADLINE_CHARS = 300

# A page without a usable declared title or headline heading: its headline is looked for among this many
# text blocks above the story's first block (and that block itself). A headline block is mostly not links,
# and has this many words.
BLOCKS_ABOVE_STORY = 4
MAX_HEADLINE_LINK_DENSITY = 0.5
MIN_BLOCK_HEADLINE_WORDS = 3
MAX_BLOCK_WORDS = 25
# What leads from a headline into the date stamp run on after it: separators, and a weekday's name.
STAMP_SEPARATORS = " \t\n,;:|@·•–—-"
STAMP_WEEKDAY = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$", re.IGNORECASE)

# A title with markup or script in it ("Headline</titavaScript...", "document.write(") is a broken page's.
CODE_IN_TITLE = re.compile(r"[<{}]|\bfunction\s*\(|\bdocument\.|\bwindow\.")

# A <title> declared nowhere else is taken as the headline only when at least this share of its words of
# this many characters or more occur in the story; else the headline above the story is looked for.
CONTENT_WORD_CHARS = 4
# The story's words read to tell its language's stopwords from a title's content words.
STOPLIST_SAMPLE_WORDS = 400
ABOUT_THE_STORY_SHARE = 0.5
