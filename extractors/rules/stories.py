"""Text patterns the story grouper (newsdesk.corpus.stories) reads: the shape of names, acronyms and numbers,
capitalised words that name no one, and the word endings taken off before title and lead words are compared.
(Word tokens themselves are extractors.text.WORD.)
"""

from __future__ import annotations

import re

from extractors.rules.metadata import MONTHS

# Capitals of the Latin, Greek and Cyrillic scripts: a name word starts with one of these.
_CAPITAL = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽΑ-ΩА-ЯЁ"
# A capitalised word (letters, digits and inner hyphens or apostrophes): "Kim", "Jong-un", "O'Brien", "S600",
# "KCNA". Whether it is a name is decided by its place: see SENTENCE_OPENERS.
NAME_WORD = re.compile(rf"(?<![\w'’-])[{_CAPITAL}]\w*(?:[-'’]\w+)*")
# Another capitalised word right after one (only spaces between): "North Korean", "Vladimir Putin". Matched from
# the end of a word only (not inside a run of spaces), so trying it everywhere stays linear.
NEXT_NAME_WORD = re.compile(rf"(?<![ \t])[ \t]++[{_CAPITAL}]")

# An acronym: two to six capitals ("KCNA", "DPRK", "UN", "NASA", "EZB"), a name wherever it stands.
ACRONYM = re.compile(r"^[A-ZÄÖÜÉ]{2,6}$")

# What ends a sentence, a line or opens a quote or bracket: a capitalised word right after one of these (or at
# the start of the text) may be capitalised only because it opens a sentence.
SENTENCE_OPENERS = frozenset(".!?:;\"“”„‘’«»()[]—–-\n")

# A possessive ending taken off a name ("Putin’s" -> "Putin").
POSSESSIVE = re.compile(r"[’']s$", re.IGNORECASE)

# Numbers in the text: "18", "2018", "1,000", "3.5". Separators are dropped before comparing, so "1,000" and
# "1.000" (German) agree. One-digit numbers say too little to tell two events apart and are ignored.
NUMBER = re.compile(r"(?<![\w.,])\d[\d.,]*\d(?![\w])|(?<![\w.,])\d(?![\w.,])")
MIN_NUMBER_DIGITS = 2

# Capitalised words that name no one: month and weekday names (English and German capitalise them), and
# words capitalised by headline style. Lower-case; checked after stopwords.
_WEEKDAYS = ("monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag"
             " samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche")
NOT_NAMES = frozenset(MONTHS) | frozenset(_WEEKDAYS.split()) | frozenset(
    "mr mrs ms dr prof president minister chancellor leader government state news photo video live update"
    " herr frau read more".split())

# Word endings taken off title and lead terms before they are compared, so that "gift", "gifts" and "gifted"
# or "Sturm" and "Sturmes" meet (English and German inflection; the longest that leaves a four-letter
# stem is taken off). Crude on purpose: both sides are cut alike.
TERM_SUFFIX = re.compile(r"(?<=\w{4})(?:ing|ed|es|s|en|er|e)$")
