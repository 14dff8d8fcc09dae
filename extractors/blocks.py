"""Page segmentation: one parsed HTML tree into text blocks (paragraphs, headings, list items, cells), each
with the layout facts a reader would use to tell article text from page furniture.

A block is the text between two block-level boundaries, as in jusText and boilerpipe. The body voter
(extractors.body) scores blocks; nothing here decides what is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex
from lxml import etree

from extractors.rules import blocks as block_rules
from extractors.text import visible_text

_NAME_WORDS = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")  # where _NAME_WORDS splits between two letters
_REGION_INDEX = {name: i for i, name in enumerate(block_rules.REGIONS)}
_LINK, _LIST, _TABLE, _QUOTE = "a", frozenset({"ul", "ol", "dl", "menu"}), "table", frozenset({"blockquote", "q"})
_CAPTION = block_rules.CAPTION_TAGS


@dataclass(slots=True)
class Block:
    """One run of text between block-level boundaries, with where it sits in the page."""

    index: int
    text: str
    tag: str  # the innermost block-level element holding the text: p, h2, li, td, div...
    link_chars: int  # characters of text inside <a>
    depth: int  # element depth of that holder
    ancestors: tuple[int, ...]  # serial numbers of the elements enclosing the holder, outermost first
    regions: tuple[int, ...]  # per region of block_rules.REGIONS: how many enclosing elements open it
    in_list: bool
    in_table: bool
    in_quote: bool
    in_caption: bool  # inside a figure's caption element (block_rules.CAPTION_TAGS)
    # The holder's tag and its three nearest ancestors' tags and classes (digits left out): blocks of
    # records built alike (comments, teasers, list entries) share it across their separate containers.
    path: str = ""

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def container(self) -> int:
        """The holder's parent element, shared by sibling blocks."""
        return self.ancestors[-1]

    @property
    def in_heading(self) -> bool:
        return self.tag in block_rules.HEADING_TAGS


_NAMING_ATTRIBUTES = frozenset({"class", "id", "role", "itemprop"})


@lru_cache(maxsize=8192)
def _regions_named(tag: str, names: str) -> tuple[int, ...]:
    """The page regions an element opens (indexes into REGIONS), from its tag and its class, id, role and
    itemprop names: each word that names a region, else that word joined with the next ("most-read")."""
    regions = {_REGION_INDEX[block_rules.REGION_TAGS[tag]]} if tag else set()
    words = _name_words(names)
    for i, word in enumerate(words):
        region, joins = _word_region(word)
        if joins and i + 1 < len(words):
            region = _named_region(word + words[i + 1])
        if region is not None:
            regions.add(region)
    return tuple(sorted(regions))


def _name_words(names: str) -> list[str]:
    """The lower-cased words of an element's names, split at whitespace, underscores, hyphens and camel case.
    Names without camel case (most) are split by str.split, at a third of the cost of _NAME_WORDS' split."""
    if _CAMEL_CASE.search(names):
        return [word.lower() for word in _NAME_WORDS.split(names) if word]
    return names.replace("_", " ").replace("-", " ").lower().split()


# REGION_NAMES in the `regex` engine, for its partial matches: whether a word could begin a region's name.
_REGION_NAME_STARTS = regex.compile(block_rules.REGION_NAMES.pattern, block_rules.REGION_NAMES.flags)


@lru_cache(maxsize=16384)
def _word_region(word: str) -> tuple[int | None, bool]:
    """The region a word names, and whether it may name one joined with the next word: it names none
    alone but begins a region's name ("most" of "mostread"). Most words begin none, and their joins
    with the next word, nearly all different, are never tried."""
    region = _named_region(word)
    if region is not None:
        return region, False
    return None, _REGION_NAME_STARTS.fullmatch(word, partial=True) is not None


def _named_region(name: str) -> int | None:
    """The region REGION_NAMES says a (lower-cased) word or pair of joined words names, if any."""
    match = block_rules.REGION_NAMES.fullmatch(name)
    return _REGION_INDEX[match.lastgroup] if match else None


class _Holder:
    """An open block-level element while walking the tree."""

    __slots__ = ("tag", "depth", "parts", "link_chars", "ancestors", "path")

    def __init__(self, tag: str, depth: int, ancestors: tuple[int, ...], path: str) -> None:
        self.tag, self.depth, self.ancestors, self.path = tag, depth, ancestors, path
        self.parts: list[str] = []
        self.link_chars = 0


def _roles(tag: str) -> tuple[bool, int, int, int, int, int, bool]:
    """(bounds a block?, opens a link, list, table, quote, caption, opens any of those five?)"""
    opens = (int(tag == _LINK), int(tag in _LIST), int(tag == _TABLE), int(tag in _QUOTE), int(tag in _CAPTION))
    return (tag in block_rules.BLOCK_TAGS, *opens, any(opens))


# Per tag, its _roles; tags not listed are inline text.
_TAG_ROLES = {tag: _roles(tag) for tag in block_rules.BLOCK_TAGS | {_LINK, _TABLE} | _LIST | _QUOTE | _CAPTION}
_INLINE = (False, 0, 0, 0, 0, 0, False)  # inline text: bounds no block, opens nothing
_CELLS = frozenset({"td", "th"})
_DIGITS = re.compile(r"\d+")


def data_tables(tree: etree._Element) -> set[etree._Element]:
    """Tables that hold data rather than lay out the page: no table inside, at least two rows of at least two
    cells, and only short inline text in their cells. Each row of such a table is one block, its cells
    joined with " | " (a results table is read row by row; a cell alone, "34", means nothing)."""
    found = set()
    for table in tree.iter("table"):
        rows = 0
        wide = False
        for element in table.iter():
            tag = element.tag
            if not isinstance(tag, str) or element is table:
                continue
            if tag == "table" or (tag in block_rules.BLOCK_TAGS and tag not in block_rules.DATA_TABLE_TAGS):
                break
            if tag == "tr":
                rows += 1
                wide = wide or sum(1 for cell in element if cell.tag in _CELLS) >= 2
            elif tag in _CELLS and len(element.text_content()) > block_rules.MAX_DATA_CELL_CHARS:
                break
        else:
            if rows >= 2 and wide:
                found.add(table)
    return found


def segment(tree: etree._Element) -> list[Block]:
    """The page's text blocks in document order (scripts, styles, form controls and hidden parts left out)."""
    blocks: list[Block] = []
    holders: list[_Holder] = []
    # Per open element: (tag's roles, regions it opens); None for a skipped element.
    opened: list[tuple[tuple[bool, int, int, int, int, int, bool], tuple[int, ...]] | None] = []
    serials: list[int] = [0]  # serial numbers of the open elements, outermost first
    region_counts = [0] * len(block_rules.REGIONS)
    counts = [0, 0, 0, 0, 0]  # open links, lists, tables, quotes, captions
    serial = 0
    skipped, region_tags, role_of = block_rules.SKIPPED_TAGS, block_rules.REGION_TAGS, _TAG_ROLES.get
    page_tags = block_rules.PAGE_TAGS
    open_controls, swallowed = block_rules.OPEN_CONTROL_TAGS, block_rules.SWALLOWED_TAGS
    tables = data_tables(tree)
    in_data_table = 0  # open data tables (never nested: a data table holds no table)
    names_open: list[str] = []  # tag.class of the open elements, outermost first

    def flush(holder: _Holder) -> None:
        text = visible_text("".join(holder.parts))
        link_chars, holder.parts, holder.link_chars = holder.link_chars, [], 0
        if text and any(ch.isalnum() for ch in text):
            blocks.append(Block(len(blocks), text, holder.tag, min(link_chars, len(text)), holder.depth,
                                holder.ancestors, tuple(region_counts), counts[1] > 0, counts[2] > 0, counts[3] > 0,
                                counts[4] > 0, holder.path))

    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if not isinstance(tag, str):  # comments and processing instructions
                continue
            if "}" in tag:
                tag = tag.rpartition("}")[2]
            names = classes = ""
            hidden = tag in skipped and not (tag in open_controls and next(element.iter(*swallowed), None) is not None)
            for name, value in element.items():
                if name in _NAMING_ATTRIBUTES:
                    names = f"{names} {value}" if names else value
                    if name == "class":
                        classes = value
                elif name in _HIDING_ATTRIBUTES:
                    hidden = hidden or _hides(name, value)
            if hidden:
                walker.skip_subtree()
                opened.append(None)
                continue
            regions = (_regions_named(tag if tag in region_tags else "", names)
                       if (names and tag not in page_tags) or tag in region_tags else ())
            for region in regions:
                region_counts[region] += 1
            roles = role_of(tag, _INLINE)
            if tag == "table" and element in tables:
                in_data_table += 1
            elif in_data_table and tag in _CELLS:
                roles = _INLINE  # a cell of a data table is part of its row's block
                if holders and holders[-1].parts:
                    holders[-1].parts.append(" | ")
            if roles is not _INLINE:
                if roles[6]:
                    counts[0] += roles[1]
                    counts[1] += roles[2]
                    counts[2] += roles[3]
                    counts[3] += roles[4]
                    counts[4] += roles[5]
                if roles[0]:
                    if holders and holders[-1].parts:
                        flush(holders[-1])
                    path = "/".join(names_open[-3:]) + "/" + tag
                    holders.append(_Holder(tag, len(serials), tuple(serials), path))
            elif tag == "br" and holders:
                holders[-1].parts.append("\n")
            serial += 1
            serials.append(serial)
            names_open.append(_node_name(tag, classes) if classes else tag)
            opened.append((roles, regions))
            text = element.text
        else:
            if isinstance(tag, str):
                entry = opened.pop()
                if entry is not None:
                    serials.pop()
                    names_open.pop()
                    if tag == "table" and element in tables:
                        in_data_table -= 1
                    roles, regions = entry
                    if roles is not _INLINE:
                        if roles[0]:
                            holder = holders.pop()
                            if holder.parts:
                                flush(holder)
                        if roles[6]:
                            counts[0] -= roles[1]
                            counts[1] -= roles[2]
                            counts[2] -= roles[3]
                            counts[3] -= roles[4]
                            counts[4] -= roles[5]
                    for region in regions:
                        region_counts[region] -= 1
            text = element.tail
        if text and holders:
            holder = holders[-1]
            if text.isspace():
                if holder.parts:  # whitespace separates words, but never starts a block
                    holder.parts.append(" ")
            else:
                holder.parts.append(text)
                if counts[0]:
                    holder.link_chars += len(text.strip())
    while holders:
        flush(holders.pop())
    return blocks


@lru_cache(maxsize=8192)
def _node_name(tag: str, classes: str) -> str:
    """An element as a block's path names it: its tag and its classes, digits left out (records built alike
    number their classes: "comment-17")."""
    return f"{tag}.{_DIGITS.sub('', classes)}"


_HIDING_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style"})


def _hides(name: str, value: str) -> bool:
    """Whether this attribute hides its element from readers."""
    if name == "style":
        return bool(block_rules.HIDDEN_STYLE.search(value))
    return name == "hidden" or value == "true"
