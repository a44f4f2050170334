"""Check course.yaml and libraries.yaml and build their model objects.

Each reader reports every problem it finds (not just the first) and returns None
when the file cannot become a model object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from .models import (
    LIBRARY_TYPES, REVEAL_ANSWERS, Badge, GlossaryTerm, Library, LocalizedText,
)
from .problems import ContentProblem
from .validate_badge import read_badge
from .yamlnodes import Reader


@dataclass(frozen=True)
class ModuleEntry:
    """One line of a course's module order."""

    slug: str
    published: bool
    line: int


@dataclass(frozen=True)
class CourseSpec:
    """course.yaml, read; the loader adds the modules."""

    slug: str
    title: LocalizedText
    description: LocalizedText
    organisers: tuple[str, ...]
    entries: tuple[ModuleEntry, ...]
    shadow_days_required: int
    certificate_wording: LocalizedText
    pass_mark: int
    reveal_answers: str = "after_pass"
    badge: Badge | None = None


def read_glossary(
    path: Path, text: str, problems: list[ContentProblem]
) -> tuple[GlossaryTerm, ...]:
    """glossary.yaml: `terms: [{id, term: {nl, en}, definition: {nl, en}}]`."""
    reader = Reader(path, problems)
    root = reader.compose(text)
    if root is None:
        return ()
    values = reader.mapping(root, "glossary.yaml", required=("terms",))
    if values is None or "terms" not in values:
        return ()
    items = reader.sequence(values["terms"], "terms")
    if items is None:
        return ()
    terms: list[GlossaryTerm] = []
    first_line: dict[str, int] = {}
    spellings: dict[tuple[str, str], int] = {}
    for item in items:
        entry = reader.mapping(item, "term", required=("id", "term", "definition"))
        if entry is None:
            continue
        term_id = reader.slug(entry["id"], "term id") if "id" in entry else None
        where = f"term {term_id!r}" if term_id else "term"
        term = reader.localized(entry["term"], f"{where} term") if "term" in entry else None
        definition = (
            reader.localized(entry["definition"], f"{where} definition")
            if "definition" in entry
            else None
        )
        if term_id is not None and term_id in first_line:
            reader.report(
                entry["id"],
                f"term id {term_id!r} is used twice (first on line {first_line[term_id]})",
            )
            continue
        if term_id is not None:
            first_line[term_id] = reader.line(entry["id"])
        if term is not None:
            for lang in ("nl", "en"):
                key = (lang, term.get(lang).casefold())
                if key in spellings:
                    reader.report(
                        entry["term"],
                        f"{where}: the term {term.get(lang)!r} ({lang}) is defined twice"
                        f" (first on line {spellings[key]})",
                    )
                    term = None
                    break
                spellings[key] = reader.line(entry["term"])
        if term_id and term and definition:
            terms.append(GlossaryTerm(id=term_id, term=term, definition=definition))
    return tuple(terms)


def read_libraries(
    path: Path, text: str, problems: list[ContentProblem]
) -> tuple[Library, ...]:
    reader = Reader(path, problems)
    root = reader.compose(text)
    if root is None:
        return ()
    items = reader.sequence(root, "libraries.yaml")
    if items is None:
        return ()
    libraries: list[Library] = []
    first_line: dict[str, int] = {}
    for item in items:
        values = reader.mapping(
            item, "library", required=("id", "name", "city", "type")
        )
        if values is None:
            continue
        fields = {
            key: reader.text(values[key], f"library {key}")
            for key in ("name", "city", "type")
            if key in values
        }
        library_id = reader.slug(values["id"], "library id") if "id" in values else None
        type_ = fields.get("type")
        if type_ is not None and type_ not in LIBRARY_TYPES:
            allowed = ", ".join(LIBRARY_TYPES)
            reader.report(
                values["type"], f"library type {type_!r} is not one of {allowed}"
            )
            type_ = None
        if library_id is not None and library_id in first_line:
            line = first_line[library_id]
            reader.report(
                values["id"],
                f"library id {library_id!r} is used twice (first on line {line})",
            )
            continue
        if library_id is not None:
            first_line[library_id] = reader.line(values["id"])
        name, city = fields.get("name"), fields.get("city")
        if library_id and name and city and type_:
            libraries.append(Library(id=library_id, name=name, city=city, type=type_))
    return tuple(libraries)


def read_course(
    path: Path, text: str, folder: str, problems: list[ContentProblem]
) -> tuple[tuple[ModuleEntry, ...] | None, CourseSpec | None]:
    """The module order (if readable) and the whole course (if valid).

    The order comes back on its own so the module files still get checked when
    something else in course.yaml is wrong.
    """
    reader = Reader(path, problems)
    root = reader.compose(text)
    if root is None:
        return None, None
    values = reader.mapping(
        root,
        "course.yaml",
        required=(
            "slug",
            "title",
            "description",
            "organisers",
            "modules",
            "certificate",
            "pass_mark",
        ),
        optional=("completion", "reveal_answers", "badge"),
    )
    if values is None:
        return None, None
    slug = reader.slug(values["slug"], "slug") if "slug" in values else None
    if slug is not None and slug != folder:
        reader.report(
            values["slug"], f"slug {slug!r} does not match the folder name {folder!r}"
        )
    title = reader.localized(values["title"], "title") if "title" in values else None
    description = (
        reader.localized(values["description"], "description")
        if "description" in values
        else None
    )
    organisers = _read_organisers(reader, values.get("organisers"))
    entries = _read_entries(reader, values.get("modules"))
    shadow_days = _read_completion(reader, values.get("completion"))
    wording = _read_certificate(reader, values.get("certificate"))
    pass_mark = _read_pass_mark(reader, values.get("pass_mark"))
    reveal = _read_reveal_answers(reader, values.get("reveal_answers"))
    badge = read_badge(reader, values["badge"], path.parent) if "badge" in values else None
    if (
        slug is None
        or title is None
        or description is None
        or organisers is None
        or entries is None
        or shadow_days is None
        or wording is None
        or pass_mark is None
        or reveal is None
        or ("badge" in values and badge is None)
    ):
        return entries, None
    return entries, CourseSpec(
        slug=slug,
        title=title,
        description=description,
        organisers=organisers,
        entries=entries,
        shadow_days_required=shadow_days,
        certificate_wording=wording,
        pass_mark=pass_mark,
        reveal_answers=reveal,
        badge=badge,
    )


def _read_reveal_answers(reader: Reader, node: Node | None) -> str | None:
    """When learners see a quiz's right answers; absent: after_pass (every
    course leads to a certificate, so answers are held back until passed)."""
    if node is None:
        return "after_pass"
    value = reader.text(node, "reveal_answers")
    if value is None:
        return None
    if value not in REVEAL_ANSWERS:
        reader.report(
            node, f"reveal_answers: {value!r} is not one of {', '.join(REVEAL_ANSWERS)}"
        )
        return None
    return value


def read_pass_mark(text: str) -> int | None:
    """course.yaml's pass_mark if it is valid, without reporting (modules are
    checked against it even when something else in course.yaml is wrong)."""
    problems: list[ContentProblem] = []
    reader = Reader(Path("course.yaml"), problems)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, MappingNode):
        return None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "pass_mark":
            return _read_pass_mark(reader, value)
    return None


def _read_pass_mark(reader: Reader, node: Node | None) -> int | None:
    if node is None:
        return None
    mark = reader.integer(node, "pass_mark")
    if mark is not None and not 1 <= mark <= 100:
        reader.report(node, f"pass_mark: {mark} is not between 1 and 100")
        return None
    return mark


def _read_organisers(reader: Reader, node: Node | None) -> tuple[str, ...] | None:
    if node is None:
        return None
    items = reader.sequence(node, "organisers")
    if items is None:
        return None
    if not items:
        reader.report(node, "organisers: is empty")
        return None
    names = [reader.text(item, "organisers") for item in items]
    return tuple(n for n in names if n) if all(names) else None


def _read_entries(reader: Reader, node: Node | None) -> tuple[ModuleEntry, ...] | None:
    if node is None:
        return None
    items = reader.sequence(node, "modules")
    if items is None:
        return None
    if not items:
        reader.report(node, "modules: is empty")
        return None
    entries: list[ModuleEntry] = []
    first_line: dict[str, int] = {}
    for item in items:
        values = reader.mapping(
            item, "modules entry", required=("slug",), optional=("published",)
        )
        if values is None or "slug" not in values:
            continue
        slug = reader.slug(values["slug"], "modules entry slug")
        published = True
        if "published" in values:
            published = bool(
                reader.boolean(values["published"], f"module {slug!r} published")
            )
        if slug is None:
            continue
        line = reader.line(values["slug"])
        if slug in first_line:
            reader.report(
                line,
                f"module {slug!r} is listed twice (first on line {first_line[slug]})",
            )
            continue
        first_line[slug] = line
        entries.append(ModuleEntry(slug, published, line))
    return tuple(entries)


def _read_completion(reader: Reader, node: Node | None) -> int | None:
    if node is None:
        return 0  # no completion block: every published module, no shadowing days
    values = reader.mapping(
        node, "completion", optional=("modules", "shadow_days_required")
    )
    if values is None:
        return None
    if "modules" in values and reader.text(
        values["modules"], "completion modules"
    ) not in (
        "all",
        None,
    ):
        reader.report(values["modules"], "completion modules: only 'all' is supported")
    days_node = values.get("shadow_days_required")
    if days_node is None or days_node.tag == "tag:yaml.org,2002:null":
        return 0
    days = reader.integer(days_node, "completion shadow_days_required")
    if days is not None and days < 0:
        reader.report(days_node, "completion shadow_days_required: must be 0 or more")
        return None
    return days


def _read_certificate(reader: Reader, node: Node | None) -> LocalizedText | None:
    if node is None:
        return None
    values = reader.mapping(node, "certificate", required=("wording",))
    if values is None or "wording" not in values:
        return None
    return reader.localized(values["wording"], "certificate wording")
