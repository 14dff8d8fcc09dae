"""Who a page credits: people in every script, organisation-only bylines, and what is never an author
(photo credits, share buttons, roles, desk initials)."""

from __future__ import annotations

import lxml.html

from extractors import extract
from extractors.authors import choose_authors, credited_agencies, find_bylines, script_bylines

STORY = ("Die Stadt will die alte Brücke über den Fluss im kommenden Frühjahr sanieren lassen. Die Arbeiten sollen "
         "zwei Jahre dauern, der Verkehr wird in dieser Zeit über eine Behelfsbrücke geführt. ") * 4
CHINESE_STORY = ("市政府今天宣布，河上的旧桥将在明年春天开始修复，工程预计持续两年。修复期间，行人和自行车仍可通行，"
                 "汽车需要绕行。市民对此表示欢迎，认为这座桥是城市的象征。") * 3


def page_with(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def authors_of(body: str, head: str = "", url: str = "https://tagblatt.example/a") -> list[str]:
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    return extract(page, url, content_type="text/html").authors


def test_chinese_bylines_name_the_reporters_and_not_the_prose_about_reporters():
    assert script_bylines("光明日报记者 王建宏 张文攀\n土豆，听名字就土得掉渣。")["script byline"] == ["王建宏", "张文攀"]
    assert script_bylines("据新华社拉萨电（记者 格桑边觉）记者近日了解到")["script byline"] == ["格桑边觉"]
    assert script_bylines("本报记者罗科苏盈发自北京")["script byline"] == ["罗科苏盈"]
    assert script_bylines("作者：宋怡 杨志华\n")["script byline"] == ["宋怡", "杨志华"]
    # "the reporter learnt", "the reporters' group", a menu item "记者江湖": no names.
    assert script_bylines("记者了解到，项目将于明年完工。在记者一行正要结束采访时，他说。") == {}
    assert script_bylines("社区\n记者江湖\n西部生态") == {}
    # The editor's credit is read apart, for pages that name no writer.
    assert script_bylines("来源：新闻晨报\n编辑：山石\n") == {"script byline (editor)": ["山石"]}


def test_a_chinese_page_credits_its_reporter_from_the_story_text():
    body = f"<div class='nav'><a>组图</a></div><article><h1>旧桥将被修复</h1><p>{CHINESE_STORY}（记者 胡晓蓉）</p></article>"
    assert authors_of(body, url="https://news.example.cn/a/1.html") == ["胡晓蓉"]
    signed = f"<article><h1>旧桥将被修复</h1><p>{CHINESE_STORY}（常书香 马丹阳）</p></article>"
    assert authors_of(signed, url="https://news.example.cn/a/2.html") == ["常书香", "马丹阳"]


def test_japanese_korean_vietnamese_and_cyrillic_bylines():
    assert choose_authors({"byline class": ["홍길동 기자"]}, []) == ["홍길동"]
    assert choose_authors({"byline class": ["山田太郎"]}, []) == ["山田太郎"]
    assert choose_authors({"byline label": ["Tác giả: Nguyễn Văn An"]}, []) == ["Nguyễn Văn An"]
    assert choose_authors({"byline class": ["Автор: Иван Петров"]}, []) == ["Иван Петров"]
    assert choose_authors({"meta": ["Анна Смирнова, Олег Иванов"]}, []) == ["Анна Смирнова", "Олег Иванов"]


def test_an_organisation_only_byline_lists_the_organisation_as_written():
    assert choose_authors({"byline class": ["Redaktion"]}, []) == ["Redaktion"]
    assert choose_authors({"meta": ["BR24 Redaktion"]}, []) == ["BR24 Redaktion"]
    assert choose_authors({"byline class": ["Podium Staff"]}, []) == ["Podium Staff"]
    # The outlet itself, named as the page's author.
    assert choose_authors({"meta": ["kicker"]}, ["kicker", "kicker.de"]) == ["kicker"]
    assert choose_authors({"json-ld organisation": ["Salzburger Nachrichten"]}, []) == ["Salzburger Nachrichten"]
    # An agency alone is listed, and credited.
    assert choose_authors({"byline class (loose)": ["dpa"]}, []) == ["dpa"]
    # A person anywhere beats the organisation: the outlet's <meta> author does not hide the byline.
    bylines = {"meta": ["mdr.de"], "byline markup": ["von David Straub, MDR THÜRINGEN"]}
    assert choose_authors(bylines, ["mdr.de", "mdr"]) == ["David Straub"]


def test_agencies_named_beside_people_are_listed_and_credited():
    authors = choose_authors({"byline class": ["Paula Steiger, SDA"]}, [])
    assert authors == ["Paula Steiger", "SDA"]
    assert credited_agencies(authors) == ["Keystone-SDA"]
    article = extract(f"<html><body><article><h1>Brücke wird saniert</h1><p class='byline'>Von Jana Roth und dpa</p>"
                      f"<p>{STORY}</p></article></body></html>", "https://tagblatt.example/a", content_type="text/html")
    assert article.authors == ["Jana Roth", "dpa"]
    assert "dpa" in article.credits


def test_photo_credits_are_never_authors():
    assert choose_authors({"byline class (loose)": ["Image: Getty Images"]}, []) == []
    assert choose_authors({"byline class (loose)": ["Foto: Jane Doe"]}, []) == []
    assert choose_authors({"byline class (loose)": ["Getty Images"]}, []) == []
    assert choose_authors({"byline class (loose)": ["图片：新华社"]}, []) == []
    assert choose_authors({"byline class (loose)": ["사진=홍길동"]}, []) == []
    # The photo credit in a figure is not read; the story's byline is.
    page = page_with("<figure><img src=a.jpg><figcaption class='author'>Photo: Jane Doe/Reuters</figcaption></figure>"
                     "<p class='byline'>By John Roe</p>")
    assert choose_authors(find_bylines(page), []) == ["John Roe"]


def test_share_buttons_profile_links_roles_and_desk_initials_are_never_authors():
    assert choose_authors({"byline class (loose)": ["Follow Author"]}, []) == []
    assert choose_authors({"byline class (loose)": ["Share"]}, []) == []
    assert choose_authors({"byline class (loose)": ["Full Bio"]}, []) == []
    assert choose_authors({"meta": ["https://www.facebook.com/tagblatt"]}, []) == []
    assert choose_authors({"byline class": ["Jane Doe, Senior Reporter"]}, []) == ["Jane Doe"]
    assert choose_authors({"byline class (loose)": ["amw"]}, []) == []
    assert choose_authors({"json-ld": ["Corina Gall (cog.)"]}, []) == ["Corina Gall"]
    # A name is not cut at a month name: "Tom May" keeps his surname; a date after it goes.
    assert choose_authors({"byline class": ["Tom May"]}, []) == ["Tom May"]
    assert choose_authors({"byline class": ["Russell Miller Dec 20, 2025"]}, []) == ["Russell Miller"]


def test_a_name_ends_where_the_byline_goes_on():
    assert choose_authors({"byline markup": ["Aleš Vávra před 2 hodinami"]}, []) == ["Aleš Vávra"]
    assert choose_authors({"byline markup": ["Ben Silverman Games Editor"]}, []) == ["Ben Silverman"]
    assert choose_authors({"byline class": ["Niko Matsakis on behalf of the Vision Doc group"]}, []) == ["Niko Matsakis"]
    assert choose_authors({"byline label": ["Martin Untersinger (avec Damien Leloup et Morgane Tual)"]}, []) == [
        "Martin Untersinger", "Damien Leloup", "Morgane Tual"]
    assert choose_authors({"byline class": ["Help Net Security Sponsored"]}, ["Help Net Security"]) == ["Help Net Security"]
    # An organisation's own words are not cut: "The Currency editors", a site named "Luxury Travel Expert".
    assert choose_authors({"byline class": ["The Currency editors"]}, []) == ["The Currency editors"]
    assert choose_authors({"byline class": ["Luxury Travel Expert"]}, ["theluxurytravelexpert.com", "theluxurytravelexpert"]) == [
        "Luxury Travel Expert"]


def test_a_login_name_is_an_author_only_where_the_page_declares_it():
    assert choose_authors({"json-ld": ["stephenlega"]}, []) == ["stephenlega"]
    assert choose_authors({"byline class": ["jsteinhardt"]}, []) == ["jsteinhardt"]
    assert choose_authors({"byline class (loose)": ["jsteinhardt"]}, []) == []
    assert choose_authors({"json-ld": ["admin"]}, []) == []


def test_json_ld_wrapped_in_cdata_names_its_author_organisation():
    script = ('<script type="application/ld+json"><![CDATA[{"@context": "https://schema.org", "@type": "Article", '
              '"author": {"@type": "Organization", "name": "Contributors to Wikimedia projects"}}]]></script>')
    assert authors_of(f"<article><h1>Neuseeland</h1><p>{STORY}</p></article>", head=script,
                      url="https://en.wiki.example/wiki/NZ") == ["Contributors to Wikimedia projects"]


def test_words_that_stand_where_a_chinese_name_would_are_no_names():
    assert choose_authors({"byline class (any element)": ["■ 该作者文章"]}, []) == []
    assert choose_authors({"byline class (loose)": ["组图"]}, []) == []
    assert script_bylines("记者 彭冲 山东冠县报道\n")["script byline"] == ["彭冲"]
    assert script_bylines("执笔人：闵乐夫 赵兰波 刘韬\n")["script byline"] == ["闵乐夫", "赵兰波", "刘韬"]
