"""The shared text primitives: whitespace, word tokens, script ranges, comparison keys and stopword counts."""

from __future__ import annotations

from extractors.text import (CJK_SCRIPT, UNSPACED_SCRIPT, comparable_text, count_words, letter_words, normalize_line,
                             normalize_whitespace, stopword_counts, stopwords_for, word_tokens)


def test_whitespace_runs_of_any_kind_become_one_space_and_the_ends_are_trimmed():
    assert normalize_whitespace("  Der\u00a0Rat \t\n tagt\u2003heute \x1c") == "Der Rat tagt heute"
    assert normalize_whitespace(" \n\t ") == ""


def test_a_line_is_read_with_composed_characters():
    assert normalize_line("  Caf\u0065\u0301  au lait ") == "Caf\u00e9 au lait"


def test_chinese_and_japanese_count_a_word_per_character_and_spaced_scripts_count_runs_between_spaces():
    assert count_words("Der Rat tagt, heute.") == 4
    assert count_words("市议会周三") == 5
    assert count_words("川の古い橋") == 5
    assert count_words("서울 시장이 말했다") == 3  # Korean is written with spaces
    assert count_words("\uf900\uf901") == 2  # compatibility ideographs are Han too
    assert count_words("Rat 市议会") == 4


def test_one_definition_of_each_script_korean_is_cjk_but_not_unspaced():
    assert UNSPACED_SCRIPT.findall("中文かなカナ한국어abc") == list("中文かなカナ")
    assert CJK_SCRIPT.findall("中文かなカナ한국어abc") == list("中文かなカナ한국어")
    assert not UNSPACED_SCRIPT.search("\u4dc0")  # a Yijing hexagram symbol is no ideograph
    assert CJK_SCRIPT.search("\ufa00") and UNSPACED_SCRIPT.search("\ufa00")


def test_word_tokens_keep_digits_and_underscores_and_letter_words_keep_only_letters():
    assert word_tokens("Am 3. Mai 2024: snake_case!") == ["Am", "3", "Mai", "2024", "snake_case"]
    assert letter_words("Am 3. Mai 2024: snake_case!") == ["Am", "Mai", "snake", "case"]


def test_comparable_text_is_blind_to_case_and_punctuation():
    assert comparable_text("Bridge, approved!") == comparable_text("bridge   APPROVED") == "bridge approved"
    assert comparable_text("Am 3. Mai") != comparable_text("Am 4. Mai")


def test_stopword_counts_count_every_occurrence_for_each_language_in_the_order_given():
    words = ["the", "the", "und", "der", "bridge"]
    counts = stopword_counts(words, ("de", "en"))
    assert list(counts) == ["de", "en"]
    assert counts == {code: sum(word in stopwords_for(code) for word in words) for code in ("de", "en")}
    assert counts["en"] >= 2 and counts["de"] >= 2
    assert stopword_counts([], ("en",)) == {"en": 0}


def test_a_language_without_a_stoplist_is_read_with_the_common_european_ones():
    fallback = stopwords_for("xx")
    assert stopwords_for("en") <= fallback and stopwords_for("de") <= fallback
    assert "und" not in stopwords_for("en")


def test_an_articles_word_count_follows_its_body_and_survives_pickling():
    import pickle

    from extractors import Article

    article = Article(url=None, title=None, body="one two three")
    assert article.word_count == 3
    article.body = "one two three four five"  # the body is cut or replaced after extraction
    assert article.word_count == 5
    copy = pickle.loads(pickle.dumps(article))
    assert copy.word_count == 5 and copy == article
    copy.body = "six"
    assert copy.word_count == 1


def test_visible_text_drops_invisible_break_hints_and_composes_letters_but_keeps_joiners():
    from extractors.text import visible_text

    assert visible_text("  Zei\u00adtung\u200b \ufeffu\u0308ber\u2060all \n") == "Zeitung überall"
    # Zero-width non-joiners and joiners shape Persian and Indic text: they stay.
    assert visible_text("می\u200cخواهم") == "می\u200cخواهم"
    assert visible_text("क्\u200dष") == "क्\u200dष"
