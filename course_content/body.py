"""The plain-text side of a module file: front matter, language sections, links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import LANGUAGES
from .yamlnodes import is_absolute_http_url

LANG_MARKER = re.compile(r"\s*<!--\s*lang:\s*(?P<lang>[A-Za-z-]+)\s*-->\s*")
LOOSE_LANG_MARKER = re.compile(r"<!--\s*lang", re.IGNORECASE)
FENCE = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?P<ticks>`+).+?(?P=ticks)")
# `[text]` not preceded by a backslash or "!" (images are checked on their own).
BRACKETS = re.compile(r"(?<![\\!])\[(?P<text>(?:[^\[\]\n]|\n(?![ \t]*\n))*)\]")
IMAGE = re.compile(r"(?<!\\)!\[[^\[\]]*\]\(")
SPACED_LINK = re.compile(
    r"[ \t]+\(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:/|https?:|mailto:|www\.|#)"
)
REFERENCE_DEFINITION = re.compile(r" {0,3}\[(?P<label>[^\[\]]+)\]:\s*(?P<url>\S*)")
TITLE = re.compile(r"\"[^\"]*\"|'[^']*'|\([^()]*\)")


@dataclass(frozen=True)
class SplitFile:
    front_matter: str
    front_matter_offset: int  # file lines before the front matter's first line
    closing_line: int  # the line of the closing "---"
    body_lines: tuple[str, ...]
    body_first_line: int


@dataclass(frozen=True)
class Section:
    lang: str
    marker_line: int
    text: str


def split_front_matter(text: str) -> SplitFile | None:
    """Split at the `---` lines; None if the file does not start with one."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return SplitFile(
                front_matter="\n".join(lines[1:index]),
                front_matter_offset=1,
                closing_line=index + 1,
                body_lines=tuple(lines[index + 1 :]),
                body_first_line=index + 2,
            )
    return None


def split_languages(
    lines: tuple[str, ...], first_line: int
) -> tuple[dict[str, Section], list[tuple[int, str]]]:
    """The body's sections by language, and (line, message) problems."""
    sections: dict[str, Section] = {}
    problems: list[tuple[int, str]] = []
    current: tuple[str, int, list[str]] | None = None
    for number, line in enumerate(lines, start=first_line):
        match = LANG_MARKER.fullmatch(line)
        if match is None and LOOSE_LANG_MARKER.search(line):
            problems.append(
                (number, "malformed language marker; write <!-- lang: nl -->")
            )
            continue
        if match is None:
            if current is not None:
                current[2].append(line)
            elif line.strip():
                problems.append(
                    (number, "text before the first <!-- lang: nl --> marker")
                )
            continue
        lang = match["lang"]
        if current is not None:
            sections[current[0]] = Section(
                current[0], current[1], "\n".join(current[2])
            )
            current = None
        if lang not in LANGUAGES:
            problems.append(
                (number, f"unknown language {lang!r} in marker (use nl or en)")
            )
        elif lang in sections:
            first = sections[lang].marker_line
            problems.append(
                (number, f"second {lang!r} section (first on line {first})")
            )
        else:
            current = (lang, number, [])
    if current is not None:
        sections[current[0]] = Section(current[0], current[1], "\n".join(current[2]))
    return sections, problems


def _link_target_problem(target: str) -> str | None:
    target = target.strip()
    if target.startswith("<"):
        url, _, rest = target[1:].partition(">")
    else:
        url, _, rest = target.partition(" ")
    if rest.strip() and not TITLE.fullmatch(rest.strip()):
        return f"link URL {target!r} contains a space"
    if url.startswith("#") and len(url) > 1 and " " not in url:
        return None
    if is_absolute_http_url(url):
        return None
    return f"link URL {url!r} is not an absolute http(s) URL or a #anchor"


def _closing_paren(line: str, start: int) -> int | None:
    """Index of the ")" that closes the "(" at `start`, or None."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 1  # an escaped parenthesis does not count
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _visible_lines(lines: tuple[str, ...]) -> list[str]:
    """The lines with code blanked out, so `[x](y)` shown as code is not checked."""
    visible: list[str] = []
    fence: str | None = None
    for line in lines:
        opening = FENCE.match(line)
        if fence is not None:
            if (
                opening
                and opening["fence"][0] == fence[0]
                and len(opening["fence"]) >= len(fence)
            ):
                fence = None
            visible.append("")
        elif opening:
            fence = opening["fence"]
            visible.append("")
        else:
            visible.append(CODE_SPAN.sub(lambda match: " " * len(match[0]), line))
    return visible


def _bracket_problem(
    text: str, match: re.Match[str], definitions: set[str]
) -> str | None:
    after = match.end()
    label = match["text"]
    flat = " ".join(label.split())  # link text may be wrapped over lines
    if text.startswith("(", after):
        # A link destination cannot span lines, so look for ")" on this line.
        end_of_line = text.find("\n", after)
        line = text[: len(text) if end_of_line == -1 else end_of_line]
        close = _closing_paren(line, after)
        if close is None:
            return f"link [{flat}]( is not closed with ')'"
        if not flat:
            return "link has no text between [ and ]"
        return _link_target_problem(line[after + 1 : close])
    if SPACED_LINK.match(text, after):
        return f"space between ] and ( in link [{flat}] (…); remove it"
    if text.startswith("[", after):
        end = text.find("]", after)
        reference = (text[after + 1 : end] if end != -1 else "") or flat
        if reference.lower() not in definitions:
            return f"link [{flat}][{reference}] has no definition [{reference}]: …"
    return None


def link_problems(lines: tuple[str, ...], first_line: int) -> list[tuple[int, str]]:
    """Malformed Markdown links and images as (line, message), skipping code."""
    visible = _visible_lines(lines)
    problems: list[tuple[int, str]] = []
    definitions: set[str] = set()
    for number, line in enumerate(visible, start=first_line):
        if IMAGE.search(line):
            message = "images are not supported; they are removed from the page"
            problems.append((number, message))
        definition = REFERENCE_DEFINITION.match(line)
        if definition is not None:
            definitions.add(definition["label"].lower())
            problem = _link_target_problem(definition["url"])
            if problem:
                problems.append((number, problem))
    # Links are matched on the whole text, as their text may wrap over lines.
    text = "\n".join(visible)
    for match in BRACKETS.finditer(text):
        problem = _bracket_problem(text, match, definitions)
        if problem:
            # Report the line of the "](" or "] (", where the fault is.
            problems.append((first_line + text.count("\n", 0, match.end()), problem))
    return sorted(problems)
