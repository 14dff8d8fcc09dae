"""JSON-LD as a page declares it: every node of its scripts, and the nodes that describe its article."""

from __future__ import annotations

import json
import re

from extractors.rules import html as html_rules
from extractors.rules import page_types


# What some pages wrap a JSON-LD script in, for old XHTML parsers: a CDATA section or an HTML comment, each
# marker possibly behind a JavaScript line comment ("//<![CDATA[" ... "//]]>").
_WRAPPER_START = re.compile(r"\A\s*(?://\s*)?(?:<!\[CDATA\[|<!--)")
_WRAPPER_END = re.compile(r"(?://\s*)?(?:\]\]>|-->)\s*\Z")


def unwrap(script: str) -> str:
    """The JSON of a script, without the CDATA or comment markers it may be wrapped in."""
    return _WRAPPER_END.sub("", _WRAPPER_START.sub("", script))


def json_ld_nodes(scripts: list[str]) -> list[dict]:
    """Every JSON object in the page's JSON-LD scripts, @graph and mainEntity members included."""
    nodes: list[dict] = []

    def collect(node) -> None:
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            nodes.append(node)
            collect(node.get("@graph"))
            collect(node.get("mainEntity"))

    for script in scripts:
        try:
            collect(json.loads(unwrap(script), strict=False))
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read: the page's other scripts still count
            continue
    return nodes


def node_types(node: dict) -> set[str]:
    declared = node.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {page_types.type_name(value) for value in values if isinstance(value, str)}


def article_nodes(nodes: list[dict]) -> list[dict]:
    ranked = [node for node in nodes if node_types(node) & html_rules.ARTICLE_NODE_TYPES]
    # A NewsArticle says more about the story than the WebPage wrapping it.
    return sorted(ranked, key=lambda node: "webpage" in node_types(node))
