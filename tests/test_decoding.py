"""Decoding bytes to text: declared charsets, their supersets, and pages with a few invalid bytes."""

from __future__ import annotations

import pytest

from extractors import extract
from extractors.decoding import declared_charset, decode_bytes
from extractors.errors import ExtractionError

CHINESE = ("市政府今天宣布，河上的旧桥将在明年春天开始修复，工程预计持续两年。"
           "修复期间，行人和自行车仍可通行，汽车需要绕行。市民对此表示欢迎，认为这座桥是城市的象征。")


def gbk_page(paragraph_bytes: bytes, charset: str = "gbk") -> bytes:
    head = f'<html><head><meta charset="{charset}"><title>'.encode("ascii") + "河上旧桥将被修复".encode("gbk")
    return head + b"</title></head><body><article>" + paragraph_bytes + b"</article></body></html>"


def test_a_gbk_page_with_a_few_invalid_bytes_decodes_with_replacement_characters():
    paragraph = b"".join(b"<p>" + CHINESE.encode("gbk") + b"</p>" for _ in range(20))
    # Three broken characters: a lead byte whose trail byte is missing, as when an editor cuts one in two.
    broken = paragraph.replace("桥".encode("gbk"), b"\xc7", 3)
    with pytest.raises(UnicodeDecodeError):
        broken.decode("gb18030")
    decoded = decode_bytes(gbk_page(broken))
    assert decoded.encoding == "gb18030"
    assert 1 <= decoded.text.count("\ufffd") <= 6
    assert "修复期间，行人和自行车仍可通行" in decoded.text
    article = extract(gbk_page(broken), "https://example.cn/news/1.html", content_type="text/html")
    assert "市民对此表示欢迎" in article.body


def test_a_page_labelled_gb2312_may_use_any_gbk_character():
    # 镕 is in GBK but not in GB2312: browsers read a "gb2312" label as GBK (GB18030).
    paragraph = ("<p>" + CHINESE + "朱镕基</p>").encode("gbk") * 5
    with pytest.raises(UnicodeDecodeError):
        paragraph.decode("gb2312")
    decoded = decode_bytes(gbk_page(paragraph, charset="gb2312"))
    assert "朱镕基" in decoded.text and "\ufffd" not in decoded.text


def test_a_declared_encoding_with_many_invalid_bytes_is_not_read_as_that_encoding():
    # Latin-1 text labelled GBK, every "ÿ" (0xFF) an invalid GBK byte: not a few broken characters.
    text = "<p>" + "Selten, doch hier steht ÿ in jedem Satz, ÿ für ÿ. " * 40 + "</p>"
    data = b'<html><head><meta charset="gbk"></head><body>' + text.encode("latin-1") + b"</body></html>"
    assert data.decode("gb18030", errors="replace").count("\ufffd") > 100
    try:
        decoded = decode_bytes(data)
    except ExtractionError:
        return  # refused with a reason: fine
    assert decoded.encoding != "gb18030"


def test_the_opening_tag_of_a_wrapped_page_may_declare_its_encoding():
    data = '<text id="https://example.cn/a" encoding="gb2312"><p>'.encode("ascii") + CHINESE.encode("gbk") + b"</p></text>"
    assert declared_charset(data) == "gb18030"
    assert CHINESE in decode_bytes(data).text
    assert declared_charset(b"<p>The encoding='utf-8' attribute in the text is no declaration</p>") is None


def test_a_page_declared_utf8_with_a_few_invalid_bytes_stays_utf8():
    # Polish text in UTF-8, one character cut in two: still UTF-8, not a single-byte guess that turns every
    # "ę" and "ł" into mojibake.
    paragraph = "<p>Kolejne organizacje sprzeciwiają się bezpodstawnym atakom; fundacja udzieliła informacji.</p>" * 30
    data = (b'<html><head><meta charset="UTF-8"></head><body>' + paragraph.encode("utf-8").replace(
        "ą".encode("utf-8"), b"\xc4", 1) + b"</body></html>")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 1
    assert "fundacja udzieliła informacji" in decoded.text


def test_a_page_whose_xml_declaration_is_never_closed_is_still_read():
    # A template pasted the keywords into the declaration: its encoding quote closes only in a later tag.
    page = ('<?xml version="1.0" encoding="iso, keywords, bridge" />\n<html><head><title>Bridge</title></head>'
            "<body><article>" + "<p>The council approved the new harbour bridge after a decade of debate.</p>" * 6
            + "</article></body></html>")
    article = extract(page.encode("utf-8"), "https://example.org/news/bridge", content_type="text/html")
    assert "approved the new harbour bridge" in article.body
