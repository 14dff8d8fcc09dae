"""Pins, for each of the five seed captures, the clean body, title, byline, date, outlet and credits."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from extractors import extract

# Lines of page furniture in the seeds: none may survive in any body.
NOISE_LINES = [
    "Subscribe to our Newsletter", "ANI News Logo", "About ANI", "ANI is a leading multimedia news agency.",
    "Please enter your comment!", "Please enter your name here", "Related articles", "Related Posts",
    "Related Articles", "Most Read", "Subscribe now", "Would you like to comment on this article?",
    "Sign up (it's quick and free) or sign in now.", "Speech Bubbles", "Please read our Comment Policy before commenting.",
    "Advertisement", "Source: Al Jazeera and news agencies", "This post appeared first on FOX NEWS",
    "Reuters and The Associated Press contributed to this story.", "Home Top News", "Monday, September 16, 2024",
    "date 2024-02-20 World / Asia", "20 February 2024 - 09:20", "by Jack Kim", "Support our award-winning journalism",
    "Picture: ALEXANDER ZEMLIANICHENKO/POOL via REUTERS", "[FMikhail Metzel/ Sputnik via AP]", "kju",
    "This is why North Korea is testing hypersonic missiles", "Russia delegation visits North Korea for unity talks",
    "1 month ago", "Israeli cabinet opposes imposition", "Polymetal to sell Russian assets", "Published by Arena Holdings",
    "World / Middle East", "Companies / Mining",
]

EXPECTED = {
    "000": dict(
        title="North Korea: Kim Jong rides in luxury Russian limo gifted by Putin", byline=None, published=None,
        outlet="ANI", credits=[],
        first="North Korean leader Kim Jong Un took his first ride",
        last="He was accompanied by his daughter, as reported by Al Jazeera.",
        paragraphs=13),
    "001": dict(
        title="Kim Jong Un flaunts Russian luxury limo gift, signalling deepening ties with Putin", byline=None,
        published="2024-09-16", outlet=None, credits=[],
        first="North Korean leader’s first ride in Putin’s luxury Aurus Senat limousine",
        last="ongoing challenges facing global diplomacy and security.", paragraphs=7),
    "002": dict(
        title="North Korea’s Kim gifted car by Russia’s Putin, state media says", byline=None, published=None,
        outlet="Al Jazeera", credits=[],
        first="The Russian-made car was delivered to Kim for his ‘personal use’", last="to test ballistic missile technology.",
        paragraphs=11),
    "003": dict(
        title="Putin gifts North Korea’s Kim Jong Un with Russian made limo", byline=None, published=None,
        outlet="Fox News", credits=["Reuters", "Associated Press", "Fox News"],
        first="From Russia with love.", last="vowed to fire upon any South Korean vessel that violates its waters.",
        paragraphs=15),
    "004": dict(
        title="Baby you can drive my car: Putin sends Kim a Russia-made Aurus", byline="Jack Kim", published="2024-02-20",
        outlet="Arena Holdings", credits=["Reuters"],
        first="Kim Jong-un is believed to be a car enthusiast", last="fisheries and sports, departed for Russia.",
        paragraphs=15),
}


def seed_file(prefix: str):
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def article_lines(prefix: str) -> list[str]:
    """The article's own paragraphs in the seed, found by position between its first and last line."""
    expected = EXPECTED[prefix]
    lines = [" ".join(line.split()) for line in seed_file(prefix).read_text(encoding="utf-8").splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith(expected["first"]))
    end = next(i for i, line in enumerate(lines) if line.endswith(expected["last"]))
    return [line for line in lines[start:end + 1] if not any(noise in line for noise in NOISE_LINES)]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_body_keeps_every_paragraph_in_order(prefix):
    article = extract(seed_file(prefix).read_bytes())
    paragraphs = article.body.split("\n\n")
    assert paragraphs == article_lines(prefix)
    assert len(paragraphs) == EXPECTED[prefix]["paragraphs"]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_body_has_no_noise(prefix):
    body = extract(seed_file(prefix).read_bytes()).body
    for noise in NOISE_LINES:
        assert noise not in body, noise
    assert body.splitlines()[0] != EXPECTED[prefix]["title"], "the headline is not part of the body"


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_metadata(prefix):
    article = extract(seed_file(prefix).read_bytes())
    expected = EXPECTED[prefix]
    assert article.title == expected["title"]
    assert article.byline == expected["byline"]
    if expected["published"]:
        assert article.published and article.published.startswith(expected["published"])
    else:
        assert article.published is None
    assert article.outlet == expected["outlet"]
    assert article.credits == expected["credits"]
    assert article.language == "en"


def test_seed_004_author_list_and_time():
    article = extract(seed_file("004").read_bytes())
    assert article.authors == ["Jack Kim"]
    assert article.published == "2024-02-20T09:20"


def test_removed_lines_carry_reasons():
    article = extract(seed_file("004").read_bytes())
    reasons: dict[str, str] = {}
    for removal in article.removed:
        reasons.setdefault(removal.text, removal.reason)
    assert reasons["by Jack Kim"] == "byline"
    assert reasons["Reuters"] == "credit line"
    assert reasons["Most Read"] == "teaser list header"
    assert reasons["Subscribe now"] == "newsletter or subscription call"
    assert all(removal.reason for removal in article.removed)
