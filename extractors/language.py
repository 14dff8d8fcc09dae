"""Language identification (deterministic langdetect) and the stopword lists that go with each language."""

from __future__ import annotations

import re
from functools import lru_cache

import justext
from langdetect import DetectorFactory, LangDetectException, detect

# langdetect is random by default; a fixed seed makes the same text always get the same language.
DetectorFactory.seed = 0

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


# Languages whose stopword share a declared language must match or beat before it is trusted.
_COMMON = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "tr", "ro", "cs")
_WORDS = re.compile(r"[^\W\d_]+")


def stopword_share(words: list[str], language: str) -> float:
    stopwords = stopwords_for(language) if language in STOPLIST_NAMES else frozenset()
    return sum(word in stopwords for word in words) / len(words) if words else 0.0


def confirm_declared_language(text: str, declared: str | None) -> str | None:
    """The page's declared language (<html lang>, content-language) when its text bears it out: the
    declared language's stopwords are common in the text, as common as in any other frequent language.
    Templates often declare a site-wide default, so a declaration is never taken on trust; when it is not
    confirmed (or names a language without a stoplist), langdetect decides."""
    code = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    if code not in STOPLIST_NAMES:
        return None
    words = [word.lower() for word in _WORDS.findall(text[:3000])]
    if len(words) < 50:
        return None
    share = stopword_share(words, code)
    if share < 0.2:
        return None
    rival = max(stopword_share(words, other) for other in _COMMON if other != code)
    return code if share >= rival else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`'s language, or None when there is too little text to tell."""
    # A few hundred characters identify a language reliably; langdetect's cost grows with the sample.
    sample = text[:800]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    try:
        code = detect(sample)
    except LangDetectException:
        return None
    return code.split("-")[0]


@lru_cache(maxsize=None)
def stopwords_for(language: str | None) -> frozenset[str]:
    """Lower-cased stopwords of `language`; for unknown languages the union of the common European lists."""
    name = STOPLIST_NAMES.get(language or "")
    if name:
        return frozenset(justext.get_stoplist(name))
    union: set[str] = set()
    for fallback in ("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese"):
        union |= justext.get_stoplist(fallback)
    return frozenset(union)
