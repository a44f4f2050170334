"""Read YAML node by node, so every problem can name its line in the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .models import LANGUAGES, LocalizedList, LocalizedText
from .problems import ContentProblem

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_CONSTRUCTOR = SafeConstructor()


def is_absolute_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(char.isspace() for char in url)
    )


class Reader:
    """Turns the nodes of one YAML document into values and collects problems.

    `line_offset` is the number of file lines before the YAML text, so a node on
    the document's first line of a front matter block reports the file's line 2.
    """

    def __init__(
        self, path: Path, problems: list[ContentProblem], line_offset: int = 0
    ) -> None:
        self.path = path
        self.problems = problems
        self.line_offset = line_offset

    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def report(self, at: Node | int, message: str) -> None:
        line = at if isinstance(at, int) else self.line(at)
        self.problems.append(ContentProblem(self.path, line, message))

    def compose(self, text: str) -> Node | None:
        """Parse `text`; on a syntax error report it and return None."""
        try:
            # Plain yaml.SafeLoader: its marks count lines the same way in every
            # install, and these files are too small for the C loader to matter.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 + self.line_offset if mark else 1 + self.line_offset
            self.report(line, f"YAML syntax error: {error.problem or error}")
            return None
        except yaml.YAMLError as error:
            self.report(1 + self.line_offset, f"YAML error: {error}")
            return None
        if node is None:
            self.report(1 + self.line_offset, "no YAML content")
        return node

    def mapping(
        self,
        node: Node,
        where: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, Node] | None:
        """The mapping's values by key; reports unknown, repeated and missing keys."""
        if not isinstance(node, MappingNode):
            self.report(node, f"{where}: expected a mapping of keys to values")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        values: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key not in allowed:
                # Unknown keys are usually typos ("pass-mark"), and a typo in an
                # optional key would otherwise be silently ignored.
                names = ", ".join(sorted(allowed))
                self.report(
                    key_node, f"{where}: unknown key {key!r} (allowed: {names})"
                )
            elif key in values:
                self.report(key_node, f"{where}: key {key!r} appears twice")
            else:
                values[key] = value_node
        for key in required:
            if key not in values:
                self.report(node, f"{where}: missing {key!r}")
        return values

    def sequence(self, node: Node, where: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.report(node, f"{where}: expected a list")
            return None
        return list(node.value)

    def text(self, node: Node, where: str) -> str | None:
        """A non-empty string, taken as written (so `no` or `2024` stay text)."""
        if not isinstance(node, ScalarNode):
            self.report(node, f"{where}: expected text")
            return None
        value = "" if node.tag == _NULL_TAG else node.value.strip()
        if not value:
            self.report(node, f"{where}: is empty")
            return None
        return value

    def slug(self, node: Node, where: str) -> str | None:
        value = self.text(node, where)
        if value is not None and not SLUG.fullmatch(value):
            self.report(node, f"{where}: {value!r} may only use a-z, 0-9 and '-'")
            return None
        return value

    def integer(self, node: Node, where: str) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:
            self.report(node, f"{where}: expected a whole number")
            return None
        return int(_CONSTRUCTOR.construct_yaml_int(node))

    def boolean(self, node: Node, where: str) -> bool | None:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            self.report(node, f"{where}: expected true or false")
            return None
        return bool(_CONSTRUCTOR.construct_yaml_bool(node))

    def http_url(self, node: Node, where: str) -> str | None:
        value = self.text(node, where)
        if value is not None and not is_absolute_http_url(value):
            self.report(node, f"{where}: {value!r} is not an absolute http(s) URL")
            return None
        return value

    def localized_values(
        self, node: Node, values: dict[str, Node], where: str
    ) -> LocalizedText | None:
        """nl and en texts from an already-read mapping (options mix in `id`)."""
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            if lang in values:
                value = self.text(values[lang], f"{where} ({lang})")
                if value is not None:
                    texts[lang] = value
        if len(texts) < len(LANGUAGES):
            return None
        return LocalizedText(nl=texts["nl"], en=texts["en"])

    def localized(self, node: Node, where: str) -> LocalizedText | None:
        values = self.mapping(node, where, required=LANGUAGES)
        if values is None:
            return None
        return self.localized_values(node, values, where)

    def localized_list(self, node: Node, where: str) -> LocalizedList | None:
        values = self.mapping(node, where, required=LANGUAGES)
        if values is None:
            return None
        lists: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            if lang not in values:
                continue
            items = self.sequence(values[lang], f"{where} ({lang})")
            if items is None:
                continue
            if not items:
                self.report(values[lang], f"{where} ({lang}): is empty")
                continue
            texts = [self.text(item, f"{where} ({lang})") for item in items]
            if all(text is not None for text in texts):
                lists[lang] = tuple(text for text in texts if text is not None)
        if len(lists) < len(LANGUAGES):
            return None
        return LocalizedList(nl=lists["nl"], en=lists["en"])
