"""Page segmentation: blocks, their text, links and the regions around them."""

from __future__ import annotations

import lxml.html

from extractors.blocks import _NAME_WORDS, _name_words, _regions_named, segment
from extractors.rules.blocks import REGIONS


def blocks_of(html: str):
    return segment(lxml.html.document_fromstring(html))


def region(block, name: str) -> int:
    return block.regions[REGIONS.index(name)]


def test_blocks_follow_block_level_boundaries_and_keep_inline_text_together():
    blocks = blocks_of("<html><body><div>Intro <b>bold</b> text<p>First <a href='/x'>linked</a> para.</p>"
                       "tail of the div</div><ul><li>One</li><li>Two</li></ul></body></html>")
    assert [block.text for block in blocks] == ["Intro bold text", "First linked para.", "tail of the div", "One", "Two"]
    assert [block.tag for block in blocks] == ["div", "p", "div", "li", "li"]
    first_para = blocks[1]
    assert first_para.link_chars == len("linked")
    assert blocks[3].in_list and not first_para.in_list


def test_scripts_styles_forms_controls_and_hidden_elements_are_not_text():
    blocks = blocks_of("<html><head><title>T</title></head><body><script>var x = 'no';</script><style>p{}</style>"
                       "<p>Visible text.</p><p style='display: none'>Hidden text.</p><div hidden>Also hidden</div>"
                       "<p aria-hidden='true'>Icon label</p><button>Click</button><select><option>Opt</option></select>"
                       "<!-- a comment --><p>After the comment.</p></body></html>")
    assert [block.text for block in blocks] == ["Visible text.", "After the comment."]


def test_the_names_of_html_and_body_describe_the_page_and_open_no_region():
    blocks = blocks_of("<html class='has-header-menu'><body class='single-post cookies-not-set modal-open has-sidebar'>"
                       "<p>Story text.</p><div class='cookie-notice'><p>We use cookies.</p></div></body></html>")
    story, notice = blocks
    assert not any(story.regions), "a page template or state is no region"
    assert region(notice, "overlay") == 1


def test_regions_are_named_by_tag_class_and_id_including_compound_and_camel_case_names():
    blocks = blocks_of("<html><body>"
                       "<nav><a href='/'>Home</a></nav>"
                       "<div class='article-body'><p>Story text.</p></div>"
                       "<aside class='c-most-read'><p>Teaser</p></aside>"
                       "<div id='relatedArticles'><p>Other story</p></div>"
                       "<div class='share_buttons'><p>Share</p></div>"
                       "<footer><p>Imprint</p></footer></body></html>")
    by_text = {block.text: block for block in blocks}
    assert region(by_text["Home"], "navigation") == 1
    assert region(by_text["Story text."], "story") == 1 and region(by_text["Story text."], "navigation") == 0
    assert region(by_text["Teaser"], "sidebar") == 1 and region(by_text["Teaser"], "teasers") == 1  # aside + "most-read"
    assert region(by_text["Other story"], "teasers") == 1
    assert region(by_text["Share"], "share") == 1
    assert region(by_text["Imprint"], "footer") == 1


def test_a_word_is_joined_with_the_next_only_when_it_begins_a_region_name():
    named = {name: {REGIONS[index] for index in _regions_named("", name)} for name in (
        "box sign-up", "c-most read", "also-read", "Most Popular", "x-most-nope", "plain-box", "wide-bar")}
    assert named["box sign-up"] == {"promotion"}  # "signup", across class names too
    assert named["c-most read"] == {"teasers"} and named["also-read"] == {"teasers"}
    assert named["Most Popular"] == {"teasers"}  # "popular" names the teasers alone too
    assert named["x-most-nope"] == set() and named["plain-box"] == set() and named["wide-bar"] == set()


def test_name_words_split_as_the_name_pattern_does_with_or_without_camel_case():
    for names in ["main-nav site_header", "mainNav", "fooBAR ABCdef a1B", "__a--b__ -", "ÄbC éA İstanbul ΑΣ_ΒΣ",
                  "a\u00a0b x\u2003y \x1cq\x1fr", "a\u200bb", "  ", "", "post-12345 entry-content\tcolumns-3"]:
        assert _name_words(names) == [word.lower() for word in _NAME_WORDS.split(names) if word], names


def test_sibling_paragraphs_share_a_container_and_know_their_ancestors():
    blocks = blocks_of("<html><body><div><p>A</p><p>B</p></div><div><p>C</p></div></body></html>")
    a, b, c = blocks
    assert a.container == b.container != c.container
    assert a.ancestors[:-1] == c.ancestors[:-1]  # both divs hang off the same body


def test_line_breaks_stay_inside_a_block_and_whitespace_is_collapsed():
    blocks = blocks_of("<html><body><p>Line one<br>line   two\n\n  end</p></body></html>")
    assert [block.text for block in blocks] == ["Line one line two end"]


def test_block_text_is_the_visible_text_soft_hyphens_gone_and_letters_composed():
    # A hyphenation hint inside every long word, and an "ü" written as "u" + combining diaeresis: the text
    # reads "Mittelalter über", and other extractors' bodies (and gold) spell it so.
    blocks = blocks_of("<html><body><p>Mit\u00adtel\u00adal\u00adter u\u0308ber\u200bdies</p></body></html>")
    assert [block.text for block in blocks] == ["Mittelalter überdies"]
    assert "\u00ad" not in blocks[0].text and "\u0308" not in blocks[0].text


def test_ruby_readings_are_not_part_of_the_sentence():
    blocks = blocks_of("<html><body><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの"
                       "<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくす</p></body></html>")
    assert [block.text for block in blocks] == ["子どもへの虐待をなくす"]


def test_the_text_after_a_comment_is_part_of_its_block():
    # Some frameworks mark every text node with comments: the text is each comment's tail.
    from extractors import extract
    from extractors.html_extractor import parse_html

    tree = parse_html("<html><body><article><p><!-- HTML_TAG_START -->The council approved the bridge<!-- HTML_TAG_END -->"
                      " on <cite><!-- x -->Monday</cite><?php echo 1; ?> after a debate.</p></article></body></html>")
    assert [block.text for block in segment(tree)] == ["The council approved the bridge on Monday after a debate."]
    sentences = [f"The council approved part {n} of the plan for the new bridge over the river after a long debate."
                 for n in range(1, 7)]
    paragraphs = "".join(f"<p><!-- HTML_TAG_START -->{sentence}<!-- HTML_TAG_END --></p>" for sentence in sentences)
    article = extract(f"<html><body><article><h1>Bridge approved</h1>{paragraphs}</article></body></html>",
                      "https://www.herald.example/a/1", content_type="text/html")
    assert article.body.split("\n\n") == sentences


def test_a_control_left_open_that_swallowed_the_page_is_read_and_a_real_control_is_not():
    # "<button>Menu" never closed: the parser nests the page's main content into the button.
    tree = lxml.html.document_fromstring("<html><body><header><button class='menu'>Menu<main><article>"
                                         "<p>The council approved the bridge.</p></article></main></body></html>")
    assert "The council approved the bridge." in [block.text for block in segment(tree)]
    tree = lxml.html.document_fromstring("<html><body><button><span>Subscribe</span></button><label>Email</label>"
                                         "<p>The council approved the bridge.</p></body></html>")
    assert [block.text for block in segment(tree)] == ["The council approved the bridge."]


def test_what_a_page_puts_after_its_html_end_tag_is_read_as_a_browser_reads_it():
    from extractors.html_extractor import parse_html

    tree = parse_html("<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav></body></html>\n"
                      "<div class='story'><p>The council approved the bridge.</p></div></body></html>")
    assert [block.text for block in segment(tree)] == ["Home", "The council approved the bridge."]
