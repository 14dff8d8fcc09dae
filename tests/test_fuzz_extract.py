"""Property tests: whatever the input — random bytes, any script, one-megabyte lines, long runs of one
character, mixed encodings, broken or absurd HTML — extract() returns an Article or raises ExtractionError,
and does so within PER_INPUT_SECONDS.

Examples are derandomized (the same every run) and bounded in number, so the file runs in well under a minute.
"""

from __future__ import annotations

import multiprocessing
import random
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from extractors import Article, ExtractionError, extract, warm_up

pytestmark = pytest.mark.slow  # Each input is extracted in a child process of its own.

# The time any one input may take, however hostile. Generous: a normal page takes a few hundredths of a
# second, and what this guards against (rules that backtrack) costs minutes.
PER_INPUT_SECONDS = 5.0

# Bounded and derandomized: the same examples on every run. No shrinking: a failure is reported at once,
# with the input that caused it, instead of being re-run against the time bound many times over.
FUZZ = settings(max_examples=20, deadline=None, derandomize=True, database=None, print_blob=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
FEW = settings(FUZZ, max_examples=3)

warm_up()  # the child processes below inherit the loaded models


def _extract_in_child(content: bytes | str, content_type: str | None, report) -> None:
    try:
        article = extract(content, "https://news.example.org/2024/05/story", content_type=content_type)
        outcome = ("article", "") if isinstance(article, Article) else ("wrong type", type(article).__name__)
    except ExtractionError as error:
        outcome = ("extraction error", str(error))
    except BaseException as error:  # noqa: BLE001 - anything else is what this test is for
        outcome = ("crash", f"{type(error).__name__}: {error}"[:500])
    report.send(outcome)


def extract_within_bound(content: bytes | str, content_type: str | None = None) -> None:
    """extract() on `content` in a child process: it must give an Article or an ExtractionError with a one-line
    reason within PER_INPUT_SECONDS. (A child, so that an input that hangs fails the test instead of the run.)"""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_extract_in_child, args=(content, content_type, sender), daemon=True)
    child.start()
    sender.close()
    try:
        finished = receiver.poll(PER_INPUT_SECONDS)
        outcome, detail = receiver.recv() if finished else ("timeout", "")
    finally:
        child.kill()
        child.join()
    assert outcome != "timeout", f"extraction took longer than {PER_INPUT_SECONDS} s on {len(content):,} units"
    assert outcome in ("article", "extraction error"), f"extract() gave {outcome}: {detail}"
    assert "\n" not in detail


# Scripts news is written in, with their spaces and punctuation.
SCRIPT_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F),
                 (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0x2000, 0x206F), (0x3000, 0x303F),
                 (0xFF00, 0xFFEF), (0x1F300, 0x1F6FF), (0x300, 0x36F)]
any_script = st.one_of(*(st.characters(min_codepoint=low, max_codepoint=high) for low, high in SCRIPT_RANGES),
                       st.sampled_from(" \n\t.,:;!?/|-–—()[]<>\"'«»„“"))
# Characters that line rules treat specially: separators, brackets, capitals, digits, spaces.
RULE_CHARACTERS = "aA1 .,-/|:>»[]()<!&'\"@#\t·•Ä_"


@FUZZ
@given(st.binary(max_size=30_000))
def test_random_bytes(content):
    extract_within_bound(content)


@FUZZ
@given(st.text(any_script, max_size=20_000), st.sampled_from([None, "text/plain", "text/html"]))
def test_random_unicode_across_scripts(text, content_type):
    extract_within_bound(text.encode("utf-8", "surrogatepass"), content_type)


@FEW
@given(st.text(any_script, min_size=1, max_size=30), st.sampled_from(["txt", "html"]))
def test_one_megabyte_lines(unit, kind):
    line = unit.replace("\n", " ") * (1_000_000 // len(unit) + 1)
    if kind == "html":
        extract_within_bound(f"<html><head><title>{line[:5000]}</title></head><body><p>{line}</p></body></html>", "text/html")
    else:
        extract_within_bound(f"Headline of the page\n{line}\nLast line.", "text/plain")


@pytest.mark.parametrize("character", RULE_CHARACTERS)
@FEW
@given(st.sampled_from([1_000, 20_000, 1_000_000]),
       st.sampled_from(["", "By ", "Foto: ", "Home > ", "Impressum | ", "20. Mai 2024 ", "Source: ", "About "]),
       st.sampled_from(["", "!", "x", " end", "\nA second line."]))
def test_long_runs_of_one_character(character, count, prefix, suffix):
    extract_within_bound(prefix + character * count + suffix, "text/plain")


# What random bytes become once decoded as text: runs of letters, digits and accents with a few separators.
WORD_CHARACTERS = "ABCDEFGHabcdefgh0123456789äöüßÄÖÜéàç._-"


@settings(FUZZ, max_examples=10)
@given(st.text(st.sampled_from(WORD_CHARACTERS), min_size=1_000, max_size=20_000),
       st.text(st.sampled_from(WORD_CHARACTERS + " /|>:,()[]"), min_size=1_000, max_size=20_000))
def test_random_word_character_lines(run, line):
    extract_within_bound(f"Z{run}\nZ{line}\n{line}".encode("utf-8"))


@FUZZ
@given(st.lists(st.text(st.sampled_from(RULE_CHARACTERS + "bcdefghijklmnopqrstuvwxyzBCDEFGH"), min_size=1, max_size=3_000),
                min_size=1, max_size=40))
def test_garbage_lines(lines):
    extract_within_bound("\n".join(lines).encode("utf-8"))


def test_a_20_kb_file_of_random_bytes_as_text_takes_under_2_seconds():
    """The reproduction of issue 12: random bytes that decode as text, one 20 KB line (it took minutes)."""
    generator = random.Random(2024)
    content = b"Z"
    while len(content) < 20_000:
        content += generator.choice(WORD_CHARACTERS).encode("utf-8")
    started = time.perf_counter()
    try:
        extract(content)
    except ExtractionError:
        pass
    assert time.perf_counter() - started < 2.0


ENCODINGS = ["utf-8", "latin-1", "cp1252", "utf-16-le", "utf-16-be", "shift_jis", "gb18030", "koi8-r", "cp1251", "euc-kr"]


@FUZZ
@given(st.lists(st.tuples(st.text(any_script, max_size=2_000), st.sampled_from(ENCODINGS)), min_size=1, max_size=12),
       st.sampled_from([None, "text/html; charset=utf-8", "text/plain; charset=latin-1", "text/html; charset=shift_jis"]))
def test_mixed_encodings(chunks, content_type):
    extract_within_bound(b"\n".join(text.encode(encoding, "replace") for text, encoding in chunks), content_type)


TAGS = ["html", "head", "body", "div", "p", "span", "a", "article", "main", "nav", "aside", "footer", "header", "ul",
        "li", "table", "tr", "td", "script", "style", "title", "h1", "h2", "time", "meta", "br", "figure", "figcaption",
        "iframe", "noscript", "svg", "form", "b", "i", "blockquote", "pre"]
ATTRIBUTES = ["class", "id", "itemprop", "rel", "style", "hidden", "property", "name", "content", "datetime", "lang", "role"]
attribute_value = st.one_of(st.text(any_script, max_size=60), st.sampled_from(["author", "byline", "article-body", "comments",
                            "display:none", "og:title", "og:type", "article:published_time", "2024-02-30T99:99", " " * 5000]))


@st.composite
def html_piece(draw) -> str:
    kind = draw(st.sampled_from(["open", "close", "text", "comment", "json-ld", "entity", "doctype", "cdata"]))
    if kind == "open":
        tag = draw(st.sampled_from(TAGS))
        attributes = draw(st.lists(st.tuples(st.sampled_from(ATTRIBUTES), attribute_value), max_size=4))
        rendered = "".join(f' {name}="{value}"' for name, value in attributes)
        return f"<{tag}{rendered}{draw(st.sampled_from(['>', '/>', '', ' ']))}"
    if kind == "close":
        return f"</{draw(st.sampled_from(TAGS))}>"
    if kind == "text":
        return draw(st.text(any_script, max_size=400))
    if kind == "comment":
        return draw(st.sampled_from(["<!--", "-->", "<!-- a -->", "<!---->", "<!--" * 50]))
    if kind == "json-ld":
        body = draw(st.sampled_from(['{"@type": "NewsArticle", "author": {"@id": "#a"}, "@graph": [[[[]]]]}', "{", "[]",
                                     '{"@type": ["Article", 3, null], "headline": 7, "datePublished": "yesterday"}',
                                     '{"@graph": ' + "[" * 2000 + "]" * 2000 + "}"]))
        return f'<script type="application/ld+json">{body}</script>'
    if kind == "entity":
        return draw(st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&nbsp;" * 100, "&", "&#99999999999;"]))
    if kind == "doctype":
        return draw(st.sampled_from(["<!DOCTYPE html>", "<?xml version='1.0' encoding='ebcdic'?>", "<!DOCTYPE"]))
    return "<![CDATA[" + draw(st.text(any_script, max_size=50))


@FUZZ
@given(st.lists(html_piece(), max_size=120), st.integers(0, 3_000), st.sampled_from(["div", "span", "table", "a", "p"]))
def test_broken_and_absurd_html(pieces, depth, nesting_tag):
    page = "<html>" + f"<{nesting_tag}>" * depth + "".join(pieces) + f"</{nesting_tag}>" * (depth // 2)
    extract_within_bound(page.encode("utf-8", "surrogatepass"), "text/html")
