"""Markdown for module pages: safe HTML out, and the word count the checker uses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Words are runs of letters or digits, joined by hyphens or apostrophes, so
# "open-access-tijdschrift" and "library's" count once and "–" not at all.
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def _is_external(href: str) -> bool:
    return href.lower().startswith(("http://", "https://"))


def _render_link_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    if _is_external(str(token.attrGet("href") or "")):
        # The page runs inside an LMS iframe: leaving it in place would load
        # another site into the course frame.
        token.attrSet("target", "_blank")
    return str(renderer.renderToken(tokens, idx, options, env))


def _render_image_as_alt(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Images are not part of the format (nh3 would drop them); keep the alt text
    # so a sentence built around one still reads.
    alt = renderer.renderInlineAsText(tokens[idx].children or [], options, env)
    return str(escapeHtml(alt))


def _render_nothing(*_args: Any) -> str:
    return ""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image_as_alt)
    # Raw HTML is parsed (so it does not show up as literal tags) and then
    # dropped, which also removes the <!-- lang: xx --> markers.
    md.add_render_rule("html_block", _render_nothing)
    md.add_render_rule("html_inline", _render_nothing)
    return md


# Module texts are immutable while the process runs (a content change is a new
# deploy or, in development, a new catalog with new strings): render each text
# once, not on every page view. The key is the text itself, so a changed text
# can never get an old rendering; 1024 entries hold every body, scenario node
# and debrief of both languages many times over.
@lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    """Render module Markdown to HTML that is safe to insert into a page."""
    html = _parser().render(text)
    # nh3 is the real guard: it enforces the tag, attribute and URL scheme lists
    # whatever the Markdown renderer let through.
    cleaned: str = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "th": {"style"}, "td": {"style"}},
        tag_attribute_values={"a": {"target": {"_blank"}}},
        filter_style_properties={"text-align"},  # table column alignment only
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned


def count_words(markdown: str) -> int:
    """Words a reader sees: text and code, not URLs, markup or HTML comments."""
    count = 0
    for token in _parser().parse(markdown):
        if token.type in ("fence", "code_block"):
            count += len(WORD.findall(token.content))
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                count += len(WORD.findall(child.content))
    return count
