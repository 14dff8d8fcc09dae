"""Text primitives the whole extractor shares: whitespace normalisation, word tokens, script ranges, the
comparison key of a text, and stoplists with their counts. One home for each, so no two copies drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import justext

# --- whitespace ----------------------------------------------------------------------------------


def normalize_whitespace(text: str) -> str:
    """Every run of whitespace as one space, none at either end."""
    return " ".join(text.split())


# Characters that render as nothing where a line does not break: soft hyphen, zero-width space, word joiner,
# byte-order mark. (Zero-width joiners and non-joiners stay: they shape Arabic, Persian and Indic script.)
_INVISIBLE_CHARS = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE_CHARS))
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def visible_text(text: str) -> str:
    """Text as it shows: characters composed (NFC: one code point where Unicode has one, as HTML text is
    compared), invisible break hints gone, whitespace normalised. The same words written with a soft hyphen
    or a decomposed letter are then the same text, to the body voter and to whoever reads the body."""
    # Most text has none of them (ASCII text cannot): a search costs a tenth of a translate that changes nothing.
    if not text.isascii() and _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return normalize_whitespace(text)


# German and Nordic letters as hosts spell them: 'Börsen-Zeitung' ~ 'boersen-zeitung.de'.
_HOST_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def site_key(text: str) -> str:
    """A site name compared as its host spells it: 'Börsen-Zeitung' ~ 'boersen-zeitung.de', 'Le Monde' ~ 'lemonde.fr'."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_HOST_SPELLING))
    return re.sub(r"\W+|_", "", "".join(char for char in folded if not unicodedata.combining(char)))


def site_keys(site_names: list[str | None]) -> set[str]:
    """The keys of the names a page gives its site (declared names, host), empty ones left out."""
    return {site_key(name) for name in site_names if name} - {""}


def normalize_line(text: str) -> str:
    """A line as the line rules read it: composed characters (NFC), whitespace normalised."""
    return normalize_whitespace(unicodedata.normalize("NFC", text))


# --- script ranges -------------------------------------------------------------------------------

KANA = "\u3040-\u30ff"  # hiragana and katakana
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs: extension A, unified, compatibility
HANGUL = "\uac00-\ud7af"  # Hangul syllables

# Chinese and Japanese: written without spaces between words, so each character counts as a word.
UNSPACED_SCRIPT = re.compile(f"[{KANA}{HAN}]")
# Chinese, Japanese and Korean: text that neither spaces nor stopwords measure well, so the line and block
# features judge it by length and punctuation. Korean is spaced, but its stoplist says little about a line.
CJK_SCRIPT = re.compile(f"[{KANA}{HAN}{HANGUL}]")

# --- word tokens ---------------------------------------------------------------------------------

# Runs of word characters (letters, digits, underscore): the words a text is compared by.
WORD = re.compile(r"\w+")
# Runs of letters only: the words stopwords are counted among (digits are no word of any language).
LETTERS = re.compile(r"[^\W\d_]+")
# What a reader counts as words: runs between spaces, each character of an unspaced script on its own.
_SPACED_WORD = re.compile(f"[^\\s{KANA}{HAN}]+")


def word_tokens(text: str) -> list[str]:
    """The `\\w+` runs of `text`, as they are (lower-case `text` first to compare case-blind)."""
    return WORD.findall(text)


def letter_words(text: str) -> list[str]:
    """The runs of letters of `text`, as they are."""
    return LETTERS.findall(text)


def count_words(text: str) -> int:
    """Words in `text`; in scripts written without spaces (Chinese, Japanese) each character counts."""
    return len(_SPACED_WORD.findall(text)) + len(UNSPACED_SCRIPT.findall(text))


# Letters that re.IGNORECASE matches to an ASCII letter while str.lower() does not lower them to it (the re
# documentation names them: İ, ı, ſ).
_UNLOWERED_LETTERS = re.compile("[\u0130\u0131\u017f]")


def screenable(text: str) -> bool:
    """Whether rule screens (extractors.rules.lines.LineRule.screen_words) may judge the line by its lower-cased
    words and marks: not when it holds a letter re.IGNORECASE and str.lower() read differently."""
    return text.isascii() or not _UNLOWERED_LETTERS.search(text)


def comparable_words(text: str) -> list[str]:
    """The words `text` is compared by: its runs of word characters, lower-cased."""
    return WORD.findall(text.lower())


def comparable_text(text: str) -> str:
    """`text` as compared for sameness: lower-cased words only ("Bridge, approved!" ~ "bridge approved")."""
    return " ".join(comparable_words(text))


# --- stoplists -----------------------------------------------------------------------------------

# ISO 639-1 codes to jusText's stoplist names (jusText ships stopword lists for 100 languages).
STOPLIST_NAMES: dict[str, str] = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "hy": "Armenian", "az": "Azerbaijani", "eu": "Basque",
    "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian", "ca": "Catalan",
    "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch", "en": "English", "eo": "Esperanto",
    "et": "Estonian", "fi": "Finnish", "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German",
    "el": "Greek", "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "is": "Icelandic", "id": "Indonesian", "ga": "Irish", "it": "Italian", "jv": "Javanese", "kn": "Kannada",
    "kk": "Kazakh", "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian",
    "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam",
    "mt": "Maltese", "mr": "Marathi", "ne": "Nepali", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal",
    "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian", "pl": "Polish", "pt": "Portuguese",
    "qu": "Quechua", "ro": "Romanian", "ru": "Russian", "sr": "Serbian", "sk": "Slovak", "sl": "Slovenian",
    "es": "Spanish", "su": "Sundanese", "sw": "Swahili", "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil",
    "te": "Telugu", "tr": "Turkish", "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
    "vi": "Vietnamese", "cy": "Welsh", "fy": "West_Frisian", "yo": "Yoruba",
}

# Stoplists standing in for a language without one of its own: the common European ones, together.
FALLBACK_STOPLISTS = ("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese")


@lru_cache(maxsize=None)
def stopwords_for(language: str | None) -> frozenset[str]:
    """Lower-cased stopwords of `language`; for unknown languages the union of the common European lists."""
    name = STOPLIST_NAMES.get(language or "")
    if name:
        return frozenset(justext.get_stoplist(name))
    union: set[str] = set()
    for fallback in FALLBACK_STOPLISTS:
        union |= justext.get_stoplist(fallback)
    return frozenset(union)


@lru_cache(maxsize=8)
def _stopword_index(languages: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each stopword of `languages` -> the languages it is a stopword of."""
    index: dict[str, list[str]] = {}
    for code in languages:
        for word in stopwords_for(code):
            index.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in index.items()}


# Languages whose stoplists are tried when a text's language is not known (the best-matching list is used).
STOPLIST_CANDIDATES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "tr", "ro", "cs", "fi", "hu", "ru")


def best_stoplist(words: list[str], languages: tuple[str, ...] = STOPLIST_CANDIDATES) -> frozenset[str]:
    """The stoplist of `languages` that the most of `words` (lower-cased) belong to; empty when none does."""
    counts = stopword_counts(words, languages)
    best = max(counts, key=counts.__getitem__)  # the first of the candidates on a tie
    return stopwords_for(best) if counts[best] else frozenset()


def stopword_counts(words: list[str], languages: tuple[str, ...]) -> dict[str, int]:
    """How many of `words` (lower-cased) are stopwords of each of `languages`, in the order given; each
    distinct word is looked up once."""
    index = _stopword_index(languages)
    occurrences = Counter(words)
    counts = dict.fromkeys(languages, 0)
    for word in occurrences.keys() & index.keys():
        for code in index[word]:
            counts[code] += occurrences[word]
    return counts
