"""Metadata cues as data: date formats, byline patterns, outlet cues and wire-service credits.

Read by extractors.cues (lines of text), extractors.metadata (HTML) and extractors.text_cleaner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.rules.lines import LineRule

_I = re.IGNORECASE

# Month names in the languages of the news we meet, mapped to month numbers. Abbreviations are listed
# with and without a trailing dot ("Feb.", "Sept."); dates like "20 February 2024", "3. Mai 2024",
# "February 20, 2024", "le 5 juin 2024" read through this table.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    "january jan januar jänner jän janvier janv enero ene gennaio gen januari janeiro",
    "february feb februar feber février févr febrero febbraio februari fevereiro fev",
    "march mar märz maerz mars marzo maart março",
    "april apr avril abril aprile",
    "may mai mayo maggio mei maio",
    "june jun juni juin junio giugno junho",
    "july jul juli juillet juil julio luglio lug julho",
    "august aug août agosto ago augustus",
    "september sep sept septembre septiembre settembre set setembro",
    "october oct oktober octobre octubre ottobre ott okt outubro out",
    "november nov novembre noviembre novembro",
    "december dec dezember décembre déc diciembre dic dicembre dezembro dez",
], start=1):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
_WEEKDAY = (r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|tue|wed|thu|fri|sat|sun)\.?"
            r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
            r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)")
_TIME = r"(?:\s*+(?:(?:[-–—,|·•]|um|at|à)\s*+)?(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?:\s*+(?P<ampm>[ap]\.?m\.?))?(?:\s*+uhr)?)?"

# Date formats seen in date banners, datelines and bylines. Each is tried in order; the groups
# year/month/day (month may be a name) and the optional hour/minute build an ISO date.
DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # ISO dates from CMS output: "2024-02-20", "2024-02-20T09:20:00+02:00", "date 2024-02-20".
    ("iso", re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2}))?(?!\d)")),
    # Day-first with a month name: "20 February 2024 - 09:20", "Monday 3. Mai 2024, 14:05 Uhr", "5 juin 2024",
    # and written with hyphens: "04-ago-2021", "12-Mar-2024".
    ("day month year", re.compile(
        rf"(?:{_WEEKDAY},?\s++)?(?<!\d)(?P<day>[0-3]?\d)(?:\.?\s++(?:de\s++)?|-)(?P<month>{_MONTH})(?:\.?,?\s++(?:de\s++)?|-)"
        rf"(?P<year>(?:19|20)\d{{2}})(?!\d){_TIME}", _I)),
    # Month-first: "Monday, September 16, 2024", "Feb. 20, 2024 9:20 am".
    ("month day year", re.compile(
        rf"(?:{_WEEKDAY},?\s++)?\b(?P<month>{_MONTH})\.?\s++(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s++(?P<year>(?:19|20)\d{{2}})(?!\d){_TIME}", _I)),
    # Numeric day-first, common in German, French and most of Europe: "22.11.2024 07.57", "03/05/2024".
    ("numeric day-first", re.compile(
        rf"(?<![\d.])(?P<day>[0-3]?\d)[./](?P<month>[01]?\d)[./](?P<year>(?:19|20)\d{{2}})(?!\d){_TIME}")),
    # Chinese, Japanese and Korean: "2005年3月11日12:12", "2022年01月27日", "2024년 5월 3일 14:05", "2024年5月3日 14時05分".
    ("year month day (CJK)", re.compile(
        r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*+[年년]\s*+(?P<month>[01]?\d)\s*+[月월]\s*+(?P<day>[0-3]?\d)\s*+[日일]"
        r"(?:\s*+(?:[(（][^)）]{0,12}[)）]\s*+)?(?P<hour>[0-2]?\d)\s*+[:：時时시]\s*+(?P<minute>[0-5]\d)(?!\d))?")),
]

# Every DATE_PATTERN has a four-digit year; a line without one is not tried against them (most lines).
DATE_YEAR = re.compile(r"(?:19|20)\d{2}")

# The words of a date banner around its date are told apart at spaces and at these separators.
DATE_BANNER_SEPARATORS = re.compile(r"[\s/|,·•]+")

# A line that mentions a date but goes on after it to end as a sentence, on a word of five letters or more,
# is prose, not a banner: "Am 5. Mai 2021 wird sie 100 Jahre alt." A banner ends on its date, a time or a
# label, or on an abbreviation ("Lesezeit: 5 Min.", "09:01 hrs.", "by Bradley M. Kuhn.").
PROSE_AFTER_DATE = re.compile(r"[^\W\d_]{5,}[.!?]\W*$")

# A date labelled as an update's, in a date banner or beside a <time>: "Updated on June 18, 2025", "Last
# Updated: Dec 17", "Aktualisiert am 3. Mai", "Mis à jour le", "Actualizado", "Aggiornato", "Bijgewerkt".
UPDATE_LABEL = re.compile(
    r"\b(?:(?:last\s+)?updated|last\s+update|modified|aktualisiert|geändert|mis à jour|actualizado|actualización|aggiornat[oa]|bijgewerkt"
    r"|oppdatert|opdateret|uppdaterad|zaktualizowano|atualizado|обновлено|обновлён)\b|更新|갱신|수정", _I)

# A line that is only an update's label, its date on the next line: "Last update:", "Page updated", "Aktualisiert am".
UPDATE_LABEL_LINE = re.compile(r"\A\W*+(?:\w++\s++){0,2}?(?:" + UPDATE_LABEL.pattern + r")(?:\s++\w{1,3})?\W*+\Z", _I)

# Bylines on a line of their own: "by Jack Kim", "By Jane Doe and John Roe", "Von Anna Muster",
# "par Jean Dupont", "door Jan Jansen". The name part is checked separately for name shape.
BYLINE_LINE = re.compile(r"^\s*+(?:by|von|par|por|di|door|av|af|przez|autor(?:in)?:?|text:|written by|reporting by)\s++(?P<names>.{3,120}?)\s*+$", _I)

# (Whitespace before a separator is matched only from the start of its run, "(?:(?<!\s)\s+)?": trying again
# from every space inside a long run is what makes such patterns quadratic.)
# Separators between several author names in one byline. (Not a spaced dash: it joins organisation
# names more often than people, "GESE - La Estrella de Panamá", "Landesanstalt für Wald und Forst - LWF".)
AUTHOR_SEPARATORS = re.compile(r"(?:(?<!\s)\s+)?(?:,|;|\s&\s|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\boch\b|\bi\b)\s*", _I)

# A label in front of the names, taken off before splitting: "Autor Monika Bolliger", "Autorin/Autor: Jane
# Doe", "Text: Jane Doe", "By Jane Doe", "Von Jane Doe", "Auteur : Jean Dupont", "Autores: Ana García".
AUTHOR_LABEL = re.compile(
    r"^\s*+(?:(?:autorin|autor|autoren|author|authors|auteur|auteurs|autora|autores|autore|autori|text|texte|von|by|par|por"
    r"|di|door|av|av:)\b\s*+(?:[/:]\s*+)?)+(?=\S)", _I)

# A capitalised "Von"/"By" after a kicker or section: "Capital Von Jemima Kelly" -> "Jemima Kelly". The
# lower-case particle of a name ("Ursula von der Leyen") is left alone.
AUTHOR_LABEL_INSIDE = re.compile(r"^.{1,40}?\s(?:Von|VON|By|BY)\s++(?=\S)")

# An author's desk initials in brackets after the name: "Elena Oberholzer (obe)", "Jane Doe (jd)",
# "Corina Gall (cog.)".
AUTHOR_INITIALS = re.compile(r"(?:(?<!\s)\s+)?\((?:[a-zäöü]{2,4}|[A-ZÄÖÜ]{2,4})\.?\)")

# Words that, inside a byline, are roles or places rather than names: "Jane Doe, Senior Reporter".
AUTHOR_ROLE_WORDS = re.compile(
    r"\b(?:reporter|correspondent|editor|redakteur(?:in)?|korrespondent(?:in)?|staff|writer|autor(?:in)?|autoren|autorinnen"
    r"|authors?|auteurs?|autora|autores|autore|autori|journalist(?:in)?"
    r"|contributor|columnist|redaktion|newsroom|desk|team|bureau|in|aus|from|für|for|updated|aktualisiert)\b", _I)

# Lower-case words inside a person's name: "Ursula von der Leyen", "Ahmed bin Salman", "Jan ter Horst".
NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "du", "da", "di", "del", "la", "le", "bin", "ibn", "al", "el",
                            "zu", "ten", "ter", "y"})


@dataclass(frozen=True)
class OutletCue:
    """A line that names the page's publisher (group "outlet" of its pattern)."""

    name: str
    pattern: re.Pattern[str]
    line: LineRule  # how the cleaner marks the line: outlet cues close a story, as credit lines do
    may_name_wire: bool = False  # it names a wire service as often as the publisher ("Source: Reuters")
    credits_original: bool = False  # the outlet it names published the story first: it is credited too
    opens_about: bool = False  # the publisher's blurb may follow it ("ANI is a leading news agency")


def _outlet_cue(name: str, pattern: re.Pattern[str], **properties: bool) -> OutletCue:
    return OutletCue(name, pattern, LineRule(f"outlet-cue-{name.replace(' ', '-')}", f"outlet cue ({name})", ends_story=True),
                     **properties)


# Outlet cues in the text itself.
OUTLET_CUES: list[OutletCue] = [
    # "About ANI" heading over the publisher's blurb in a page footer.
    _outlet_cue("about heading", re.compile(r"^\s*+(?i:about|über|à propos de|acerca de|chi siamo)\s++(?P<outlet>[A-Z0-9][\w&.' -]{1,40}?)\s*+$"),
                opens_about=True),
    # "Source: Al Jazeera and news agencies" under syndicated or agency-fed stories; "Source: Reuters" credits a wire.
    _outlet_cue("source line", re.compile(r"^\s*+(?:source|quelle|fuente|fonte)\s*+:\s*+(?P<outlet>.{2,60}?)(?:\s++(?:and|und|with|et|y)\s++(?:news )?agenc(?:ies|y)|\s++(?:and|und)\s++agenturen)?\s*+(?:\.\s*+)?$", _I),
                may_name_wire=True),
    # "This post appeared first on FOX NEWS" at the end of a republished story.
    _outlet_cue("syndication line", re.compile(r"^\s*+(?:this|the) (?:post|article|story|report) (?:appeared|was (?:first )?published|originally appeared)(?: first)? (?:on|in|at)\s++(?P<outlet>.{2,60}?)\s*+(?:\.\s*+)?$", _I),
                credits_original=True),
    # "Published by Arena Holdings and distributed with ..." publisher imprint in a footer.
    _outlet_cue("imprint line", re.compile(r"^\s*+(?i:published|owned|operated) by\s++(?P<outlet>[A-Z][\w&.'-]*(?:\s++[A-Z][\w&.'-]*){0,5})\b.*$")),
]

# Words that follow "About" in footers without naming the publisher ("About us", "About the author").
NOT_AN_OUTLET = frozenset({"us", "me", "the author", "this article", "this story", "the site", "uns", "mich", "nous", "cookies"})

# Acronyms kept upper-case when a shouted outlet name ("FOX NEWS", "BBC NEWS") is title-cased.
OUTLET_ACRONYMS = {"ABC", "AP", "BBC", "CBS", "CNBC", "CNN", "DW", "ORF", "NBC", "NPR", "NZZ", "PBS", "RTL", "SRF", "TV", "UK", "US", "USA", "ZDF", "ARD", "NDR", "WDR", "SWR", "BR", "MDR", "RBB", "HR", "SR", "ANI", "PTI", "AFP", "DPA", "APA", "NY", "LA", "ITV", "SBS", "RTE", "RT", "TF1", "RAI"}

# The publisher's blurb under an "About X" heading: "ANI is a leading multimedia news agency."
ABOUT_BLURB = re.compile(r"^\s*+(?P<outlet>[\w&.' -]{2,40}?)\s++(?:is|are|ist)\s++(?:a|an|the|one of|eine?|der|die|das)\b.{0,300}$", _I)

# Wire services and agencies, with the spellings met in credit lines, mapped to one canonical name.
WIRE_SERVICES: dict[str, str] = {
    "reuters": "Reuters", "thomson reuters": "Reuters",
    "associated press": "Associated Press", "the associated press": "Associated Press", "ap": "Associated Press",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "dpa": "dpa", "deutsche presse-agentur": "dpa", "dpa-afx": "dpa-AFX",
    "apa": "APA", "austria presse agentur": "APA",
    "sda": "Keystone-SDA", "keystone-sda": "Keystone-SDA", "ats": "Keystone-SDA",
    "kna": "KNA", "epd": "epd", "efe": "EFE", "ansa": "ANSA", "europa press": "Europa Press",
    "kyodo": "Kyodo", "kyodo news": "Kyodo", "yonhap": "Yonhap", "xinhua": "Xinhua", "tass": "TASS",
    "ria novosti": "RIA Novosti", "interfax": "Interfax", "anadolu": "Anadolu", "anadolu agency": "Anadolu",
    "pti": "PTI", "press trust of india": "PTI", "ani": "ANI", "ians": "IANS", "upi": "UPI",
    "bloomberg": "Bloomberg", "aap": "AAP", "australian associated press": "AAP",
    "the canadian press": "The Canadian Press", "canadian press": "The Canadian Press",
    "pa": "PA Media", "pa media": "PA Media", "press association": "PA Media",
    "belga": "Belga", "anp": "ANP", "ritzau": "Ritzau", "ntb": "NTB", "tt": "TT", "ctk": "ČTK", "čtk": "ČTK",
    "pap": "PAP", "mti": "MTI", "bta": "BTA", "ana-mpa": "ANA-MPA", "lusa": "Lusa", "agencies": "agencies",
    "news agencies": "agencies", "agenturen": "agencies",
}
_WIRE = "|".join(sorted((re.escape(name) for name in WIRE_SERVICES), key=len, reverse=True))

# Credit lines that stand apart from the body and name who supplied the story: a name, the pattern, and its
# screen, words one of which every line it matches holds (see extractors.rules.lines.LineRule.screen_words;
# empty: every line is tried).
CREDIT_LINES: list[tuple[str, re.Pattern[str], frozenset[str]]] = [
    # A wire name alone, after the body: "Reuters", "(AFP)", "— AP", "dpa/APA", "With Reuters", "mit Material von dpa".
    ("wire credit line", re.compile(
        rf"^\s*+(?:[(\[—–-]\s*+)?(?:(?:with|mit|avec|con)\s++(?:material (?:from|von)\s++|agenturmaterial von\s++)?)?(?P<credits>(?:{_WIRE})(?:\s*+(?:/|,|and|und|&|et)\s*+(?:{_WIRE}))*)(?:\s*+[)\]])?(?:\s*+\.)?\s*+$", _I),
     frozenset()),
    # "Reuters and The Associated Press contributed to this story." / "Additional reporting by Reuters."
    ("contribution line", re.compile(
        r"^\s*+(?:additional reporting by\s++(?P<credits2>.{2,100}?)|(?P<credits>.{2,100}?)\s++contributed to this (?:story|report|article|post))\s*+(?:\.\s*+)?$", _I),
     frozenset({"additional", "contributed"})),
]

# Separators between the names of one credit line: "dpa/APA", "Reuters, AFP", "AP and Reuters".
CREDIT_SEPARATORS = re.compile(r"(?:(?<!\s)\s+)?(?:/|,|&|\band\b|\bund\b|\bet\b)\s*", _I)

# A dateline that credits an agency inside the body's first paragraph: "Berlin (dpa) - ...", "PARIS (AFP) — ...".
DATELINE_CREDIT = re.compile(rf"^\s*+[\w .,/'-]{{0,40}}\((?P<credits>(?:{_WIRE})(?:\s*+/\s*+(?:{_WIRE}))*)\)\s*+[-–—:]", _I)
# ...and the separator between the agencies of one dateline: "Berlin (dpa/AFP) -".
DATELINE_CREDIT_SEPARATOR = re.compile(r"(?:(?<!\s)\s+)?/\s*")
