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
BRACKETS = re.compile(r"(?<![\\!])\[(?P<text>[^\[\]]*)\]")
IMAGE = re.compile(r"(?<!\\)!\[[^\[\]]*\]\(")
SPACED_LINK = re.compile(r"\s+\(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|www\.|#)")
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


def _line_link_problems(line: str, definitions: set[str]) -> list[str]:
    problems: list[str] = []
    if IMAGE.search(line):
        problems.append("images are not supported; they are removed from the page")
    definition = REFERENCE_DEFINITION.match(line)
    if definition is not None:
        problem = _link_target_problem(definition["url"])
        return problems + ([problem] if problem else [])
    for match in BRACKETS.finditer(line):
        after = match.end()
        text = match["text"]
        if line.startswith("(", after):
            close = _closing_paren(line, after)
            if close is None:
                problems.append(f"link [{text}]( is not closed with ')'")
                continue
            if not text.strip():
                problems.append("link has no text between [ and ]")
            problem = _link_target_problem(line[after + 1 : close])
            if problem:
                problems.append(problem)
        elif SPACED_LINK.match(line, after):
            problems.append(f"space between ] and ( in link [{text}] (…); remove it")
        elif line.startswith("[", after):
            end = line.find("]", after)
            label = (line[after + 1 : end] if end != -1 else "") or text
            if label.lower() not in definitions:
                problems.append(
                    f"link [{text}][{label}] has no definition [{label}]: …"
                )
    return problems


def link_problems(lines: tuple[str, ...], first_line: int) -> list[tuple[int, str]]:
    """Malformed Markdown links as (line, message), skipping code."""
    definitions = {
        match["label"].lower()
        for line in lines
        if (match := REFERENCE_DEFINITION.match(line)) is not None
    }
    problems: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(lines, start=first_line):
        opening = FENCE.match(line)
        if fence is not None:
            if (
                opening
                and opening["fence"][0] == fence[0]
                and len(opening["fence"]) >= len(fence)
            ):
                fence = None
            continue
        if opening:
            fence = opening["fence"]
            continue
        # Blank out code spans so `[x](y)` shown as code is not checked.
        visible = CODE_SPAN.sub(lambda match: " " * len(match[0]), line)
        problems.extend(
            (number, message) for message in _line_link_problems(visible, definitions)
        )
    return problems
