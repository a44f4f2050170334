"""Check one module file (`<slug>.md`): front matter, quiz, body and links."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from .body import SplitFile, link_problems, split_front_matter, split_languages
from .markdown import count_words
from .models import (
    LANGUAGES,
    QUESTION_TYPES,
    LocalizedList,
    LocalizedText,
    Option,
    Question,
    Quiz,
    ReflectionPrompt,
    Resource,
    Scenario,
    ScenarioChoice,
    ScenarioNode,
    Source,
)
from .problems import ContentProblem
from .yamlnodes import Reader

MIN_QUESTIONS = 5
MIN_WORDS, MAX_WORDS = 700, 1800
MIN_PASS_MARK, MAX_PASS_MARK = 1, 100
DEFAULT_PASS_MARK = 70  # when course.yaml cannot be read
CHOICE_OPTIONS = 4  # per choice question of a published module
REFLECTION_PROMPTS = 2
RESOURCES_FOLDER = "resources"
RESOURCE_EXTENSIONS = ("csv", "xlsx", "pdf", "txt", "md")
MAX_RESOURCE_BYTES = 1024 * 1024
RESOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
SOURCE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HEADING = re.compile(r"##[ \t]+(?P<text>[^#].*?)[ \t#]*")
# The sections every published module has, per language (the heading starts so).
REQUIRED_SECTIONS = {"nl": ("Casus", "Aan de slag"), "en": ("Case", "Try it")}


@dataclass(frozen=True)
class ModuleSpec:
    """A module file, read; the loader adds course, published flag and version."""

    slug: str
    title: LocalizedText
    estimated_minutes: int | None
    objectives: LocalizedList | None
    sources: tuple[Source, ...]
    quiz: Quiz | None
    body: LocalizedText | None
    last_checked: date | None = None
    reflection: tuple[ReflectionPrompt, ...] = ()
    ask_your_host: LocalizedText | None = None
    resources: tuple[Resource, ...] = ()
    scenario: Scenario | None = None


def read_module(
    path: Path,
    text: str,
    *,
    is_published: bool,
    problems: list[ContentProblem],
    course_pass_mark: int | None = None,
) -> ModuleSpec | None:
    """`course_pass_mark`: the course's (None if course.yaml is unreadable)."""
    split = split_front_matter(text)
    if split is None:
        problems.append(
            ContentProblem(
                path,
                1,
                "no front matter: the file must start with a '---' line"
                " and the YAML must end with another",
            )
        )
        return None
    reader = Reader(path, problems, line_offset=split.front_matter_offset)
    root = reader.compose(split.front_matter)
    body = _read_body(reader, split, is_published=is_published)
    if root is None:
        return None
    # A published module is complete; a draft needs only its slug and title.
    required = ["slug", "title"]
    optional = ["sources", "resources", "scenario", "quiz"]
    for key in (
        "estimated_minutes", "objectives", "last_checked", "reflection", "ask_your_host",
    ):  # fmt: skip
        (required if is_published else optional).append(key)
    values = reader.mapping(root, "front matter", required=required, optional=optional)
    if values is None:
        return None
    if is_published and "quiz" not in values and "scenario" not in values:
        reader.report(root, "front matter: missing 'quiz' (or a 'scenario')")
    slug = reader.slug(values["slug"], "slug") if "slug" in values else None
    if slug is not None and slug != path.stem:
        reader.report(
            values["slug"], f"slug {slug!r} does not match the file name {path.name!r}"
        )
    title = reader.localized(values["title"], "title") if "title" in values else None
    minutes = None
    if "estimated_minutes" in values:
        minutes = reader.integer(values["estimated_minutes"], "estimated_minutes")
        if minutes is not None and minutes <= 0:
            reader.report(
                values["estimated_minutes"], "estimated_minutes: must be more than 0"
            )
    objectives = None
    if "objectives" in values:
        objectives = reader.localized_list(values["objectives"], "objectives")
    headings = _headings(body.nl) if body is not None else None
    sources = (
        _read_sources(reader, values["sources"], headings)
        if "sources" in values
        else ()
    )
    quiz = None
    if "quiz" in values:
        quiz = _read_quiz(
            reader, values["quiz"], course_pass_mark, is_published=is_published
        )
    last_checked = None
    if "last_checked" in values:
        last_checked = _read_date(reader, values["last_checked"], "last_checked")
    reflection: tuple[ReflectionPrompt, ...] = ()
    if "reflection" in values:
        reflection = _read_reflection(reader, values["reflection"])
    ask_your_host = None
    if "ask_your_host" in values:
        ask_your_host = reader.localized(values["ask_your_host"], "ask_your_host")
    resources: tuple[Resource, ...] = ()
    if "resources" in values:
        folder = path.parent / RESOURCES_FOLDER
        resources = _read_resources(reader, values["resources"], folder)
    scenario = None
    if "scenario" in values:
        scenario = _read_scenario(reader, values["scenario"])
    if slug is None or title is None:
        return None
    return ModuleSpec(
        slug, title, minutes, objectives, sources, quiz, body,
        last_checked=last_checked, reflection=reflection, ask_your_host=ask_your_host,
        resources=resources, scenario=scenario,
    )  # fmt: skip


def _headings(text: str) -> set[str]:
    """The `##` headings of a body text (code fences are not headings here:
    module bodies use none)."""
    return {
        match["text"].strip()
        for line in text.split("\n")
        if (match := HEADING.fullmatch(line.rstrip()))
    }


def _has_section(headings: set[str], name: str) -> bool:
    return any(re.match(rf"{re.escape(name)}\b", heading) for heading in headings)


def _read_body(
    reader: Reader, split: SplitFile, *, is_published: bool
) -> LocalizedText | None:
    lines, first = split.body_lines, split.body_first_line
    for line, message in link_problems(lines, first):
        reader.report(line, message)
    if not is_published and not "".join(lines).strip():
        return None  # a draft may have no text yet
    sections, problems = split_languages(lines, first)
    for line, message in problems:
        reader.report(line, message)
    for lang in LANGUAGES:
        if lang not in sections:
            reader.report(
                split.closing_line, f"body has no <!-- lang: {lang} --> section"
            )
        elif is_published:
            words = count_words(sections[lang].text)
            if not MIN_WORDS <= words <= MAX_WORDS:
                reader.report(
                    sections[lang].marker_line,
                    f"body ({lang}) has {words} words; a published module needs"
                    f" {MIN_WORDS} to {MAX_WORDS}",
                )
            headings = _headings(sections[lang].text)
            for name in REQUIRED_SECTIONS[lang]:
                if not _has_section(headings, name):
                    reader.report(
                        sections[lang].marker_line,
                        f"body ({lang}) has no '## {name}' section",
                    )
    if any(lang not in sections for lang in LANGUAGES):
        return None
    return LocalizedText(nl=sections["nl"].text.strip(), en=sections["en"].text.strip())


def _read_sources(
    reader: Reader, node: Node, headings: set[str] | None
) -> tuple[Source, ...]:
    """`headings`: the nl body's `##` headings (None if the body is unreadable)."""
    items = reader.sequence(node, "sources") or []
    sources: list[Source] = []
    for item in items:
        values = reader.mapping(
            item, "source", required=("title", "url", "date"), optional=("section",)
        )
        if values is None:
            continue
        title = (
            reader.text(values["title"], "source title") if "title" in values else None
        )
        url = reader.http_url(values["url"], "source url") if "url" in values else None
        source_date = None
        if "date" in values:
            source_date = reader.text(values["date"], "source date")
            if source_date is not None and not _is_source_date(source_date):
                reader.report(
                    values["date"],
                    f"source date: {source_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                )
                source_date = None
        section = None
        if "section" in values:
            section = reader.text(values["section"], "source section")
            if section is not None and headings is not None and section not in headings:
                reader.report(
                    values["section"],
                    f"source section: {section!r} is no '##' heading of the nl body",
                )
                section = None
        if title is not None and url is not None and source_date is not None:
            sources.append(Source(title=title, url=url, date=source_date, section=section))
    return tuple(sources)


def _is_source_date(value: str) -> bool:
    if not SOURCE_DATE.fullmatch(value):
        return False
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _read_date(reader: Reader, node: Node, where: str) -> date | None:
    value = reader.text(node, where)
    if value is None:
        return None
    if ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    reader.report(node, f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def _read_reflection(reader: Reader, node: Node) -> tuple[ReflectionPrompt, ...]:
    items = reader.sequence(node, "reflection")
    if items is None:
        return ()
    if len(items) != REFLECTION_PROMPTS:
        reader.report(
            node,
            f"reflection: {len(items)} prompt(s); exactly {REFLECTION_PROMPTS}"
            " are required",
        )
    prompts: list[ReflectionPrompt] = []
    seen: set[str] = set()
    for item in items:
        values = reader.mapping(item, "reflection prompt", required=("id", *LANGUAGES))
        if values is None or "id" not in values:
            continue
        prompt_id = reader.slug(values["id"], "reflection prompt id")
        text = reader.localized_values(item, values, f"reflection prompt {prompt_id!r}")
        if prompt_id is not None and prompt_id in seen:
            reader.report(values["id"], f"reflection: prompt id {prompt_id!r} is used twice")
            continue
        if prompt_id is not None and text is not None:
            seen.add(prompt_id)
            prompts.append(ReflectionPrompt(id=prompt_id, text=text))
    return tuple(prompts)


def _read_resources(
    reader: Reader, node: Node, folder: Path
) -> tuple[Resource, ...]:
    items = reader.sequence(node, "resources")
    if items is None:
        return ()
    resources: list[Resource] = []
    seen: set[str] = set()
    allowed = ", ".join(RESOURCE_EXTENSIONS)
    for item in items:
        values = reader.mapping(item, "resource", required=("file", "title"))
        if values is None or "file" not in values:
            continue
        file = reader.text(values["file"], "resource file")
        title = reader.localized(values["title"], "resource title") if "title" in values else None
        if file is None:
            continue
        where = values["file"]
        if not RESOURCE_NAME.fullmatch(file):
            reader.report(
                where,
                f"resource file: {file!r} must be a plain file name in"
                f" {RESOURCES_FOLDER}/ (letters, digits, '-', '_', '.'; no folders)",
            )
            continue
        if file.rsplit(".", 1)[-1].lower() not in RESOURCE_EXTENSIONS or "." not in file:
            reader.report(where, f"resource file: {file!r} is not one of {allowed}")
            continue
        if file in seen:
            reader.report(where, f"resource file: {file!r} is listed twice")
            continue
        seen.add(file)
        path = folder / file
        if path.is_symlink() or not path.is_file():
            reader.report(
                where, f"resource file: {RESOURCES_FOLDER}/{file} does not exist"
            )
            continue
        size = path.stat().st_size
        if size > MAX_RESOURCE_BYTES:
            reader.report(
                where,
                f"resource file: {RESOURCES_FOLDER}/{file} has {size} bytes;"
                f" at most {MAX_RESOURCE_BYTES} (1 MB)",
            )
            continue
        if title is not None:
            resources.append(Resource(file=file, title=title, path=path.resolve()))
    return tuple(resources)


def _read_quiz(
    reader: Reader, node: Node, course_pass_mark: int | None, *, is_published: bool
) -> Quiz | None:
    values = reader.mapping(
        node, "quiz", required=("questions",), optional=("pass_mark",)
    )
    if values is None:
        return None
    # One pass mark per course (course.yaml); a module may repeat it, not change it.
    pass_mark = course_pass_mark or DEFAULT_PASS_MARK
    if "pass_mark" in values:
        own = reader.integer(values["pass_mark"], "quiz pass_mark")
        if own is not None and not MIN_PASS_MARK <= own <= MAX_PASS_MARK:
            reader.report(
                values["pass_mark"],
                f"quiz pass_mark: {own} is not between 1 and 100",
            )
            pass_mark = None
        elif own is not None and course_pass_mark is not None and own != course_pass_mark:
            reader.report(
                values["pass_mark"],
                f"quiz pass_mark: {own} differs from the course's pass_mark"
                f" {course_pass_mark}; set it once, in course.yaml",
            )
            pass_mark = None
        elif own is None:
            pass_mark = None
    if "questions" not in values:
        return None
    items = reader.sequence(values["questions"], "quiz questions")
    if items is None:
        return None
    if len(items) < MIN_QUESTIONS:
        reader.report(
            values["questions"],
            f"quiz has {len(items)} question(s); at least {MIN_QUESTIONS} are required",
        )
    questions: list[Question | None] = []
    first_line: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        question_id, question = _read_question(
            reader, item, number, is_published=is_published
        )
        if question_id is not None and question_id in first_line:
            line = first_line[question_id]
            message = (
                f"question id {question_id!r} is used twice (first on line {line})"
            )
            reader.report(item, message)
            question = None
        elif question_id is not None:
            first_line[question_id] = reader.line(item)
        questions.append(question)
    if (
        is_published
        and None not in questions
        and not any(q is not None and q.is_numeric for q in questions)
    ):
        reader.report(
            values["questions"],
            "quiz has no 'type: numeric' question; a published module needs one",
        )
        return None
    if pass_mark is None or len(items) < MIN_QUESTIONS or None in questions:
        return None
    return Quiz(
        pass_mark=pass_mark, questions=tuple(q for q in questions if q is not None)
    )


def _question_type(reader: Reader, node: Node) -> str:
    """The `type:` of a question mapping, read ahead (unknown types: 'choice')."""
    if not hasattr(node, "value") or not isinstance(node.value, list):
        return "choice"
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "type":
            value = reader.text(value_node, "question type")
            if value is not None and value not in QUESTION_TYPES:
                allowed = ", ".join(QUESTION_TYPES)
                reader.report(
                    value_node, f"question type: {value!r} is not one of {allowed}"
                )
                return "invalid"
            return value or "invalid"
    return "choice"


def _read_question(
    reader: Reader, node: Node, number: int, *, is_published: bool
) -> tuple[str | None, Question | None]:
    """The question's id (if readable, for the uniqueness check) and the question."""
    kind = _question_type(reader, node)
    if kind == "numeric":
        required: tuple[str, ...] = ("id", "text", "answer", "tolerance", "explanation")
        optional: tuple[str, ...] = ("type", "unit")
    elif kind == "invalid":  # reported; check only what every question has
        required = ("id", "text", "explanation")
        optional = ("type", "unit", "answer", "tolerance", "options", "correct", "multiple")
    else:
        required = ("id", "text", "options", "correct", "explanation")
        optional = ("type", "multiple")
    values = reader.mapping(
        node, f"question {number}", required=required, optional=optional
    )
    if values is None:
        return None, None
    question_id = (
        reader.slug(values["id"], f"question {number} id") if "id" in values else None
    )
    where = f"question {question_id!r}" if question_id else f"question {number}"
    text = (
        reader.localized(values["text"], f"{where} text") if "text" in values else None
    )
    explanation = None
    if "explanation" in values:
        explanation = reader.localized(values["explanation"], f"{where} explanation")
    if kind == "invalid":
        return question_id, None
    if kind == "numeric":
        return question_id, _numeric_question(
            reader, values, where, question_id, text, explanation
        )
    multiple = False
    if "multiple" in values:
        multiple = bool(reader.boolean(values["multiple"], f"{where} multiple"))
    options = (
        _read_options(reader, values["options"], where) if "options" in values else None
    )
    if is_published and options is not None and len(options) != CHOICE_OPTIONS:
        reader.report(
            values["options"],
            f"{where} options: {len(options)}; a choice question of a published"
            f" module has {CHOICE_OPTIONS}",
        )
        options = None
    correct = None
    if "correct" in values and options is not None:
        correct = _read_correct(
            reader, values["correct"], where, options, multiple=multiple
        )
    if (
        question_id is None
        or text is None
        or explanation is None
        or options is None
        or correct is None
    ):
        return question_id, None
    return question_id, Question(
        question_id, text, multiple, options, correct, explanation
    )


def _read_options(reader: Reader, node: Node, where: str) -> tuple[Option, ...] | None:
    items = reader.sequence(node, f"{where} options")
    if items is None:
        return None
    if len(items) < 2:
        reader.report(node, f"{where} options: a question needs at least 2 options")
        return None
    options: list[Option] = []
    is_complete = True
    seen: set[str] = set()
    for item in items:
        values = reader.mapping(item, f"{where} option", required=("id", *LANGUAGES))
        if values is None or "id" not in values:
            is_complete = False
            continue
        option_id = reader.slug(values["id"], f"{where} option id")
        text = reader.localized_values(item, values, f"{where} option {option_id!r}")
        if option_id is not None and option_id in seen:
            reader.report(
                values["id"], f"{where}: option id {option_id!r} is used twice"
            )
            option_id = None
        if option_id is None or text is None:
            is_complete = False
            continue
        seen.add(option_id)
        options.append(Option(id=option_id, text=text))
    return tuple(options) if is_complete else None


def _read_correct(
    reader: Reader,
    node: Node,
    where: str,
    options: tuple[Option, ...],
    *,
    multiple: bool,
) -> frozenset[str] | None:
    items = reader.sequence(node, f"{where} correct")
    if items is None:
        return None
    option_ids = [option.id for option in options]
    correct: set[str] = set()
    is_valid = True
    for item in items:
        option_id = reader.text(item, f"{where} correct")
        if option_id is None:
            is_valid = False
        elif option_id not in option_ids:
            names = ", ".join(option_ids)
            reader.report(
                item, f"{where} correct: {option_id!r} names no option ({names})"
            )
            is_valid = False
        else:
            correct.add(option_id)
    if is_valid and not multiple and len(correct) != 1:
        reader.report(
            node,
            f"{where} correct: {len(correct)} options; exactly one is needed"
            " unless 'multiple: true'",
        )
        is_valid = False
    if is_valid and multiple and not correct:
        reader.report(node, f"{where} correct: is empty")
        is_valid = False
    return frozenset(correct) if is_valid else None


def _numeric_question(
    reader: Reader,
    values: dict[str, Node],
    where: str,
    question_id: str | None,
    text: LocalizedText | None,
    explanation: LocalizedText | None,
) -> Question | None:
    answer = _read_number(reader, values["answer"], f"{where} answer") if "answer" in values else None
    tolerance = None
    if "tolerance" in values:
        tolerance = _read_number(reader, values["tolerance"], f"{where} tolerance")
        if tolerance is not None and tolerance < 0:
            reader.report(values["tolerance"], f"{where} tolerance: must be 0 or more")
            tolerance = None
    unit = reader.localized(values["unit"], f"{where} unit") if "unit" in values else None
    if "unit" in values and unit is None:
        return None
    if None in (question_id, text, explanation, answer, tolerance):
        return None
    assert question_id is not None and text is not None and explanation is not None
    return Question(
        question_id, text, False, (), frozenset(), explanation,
        type="numeric", answer=answer, tolerance=tolerance, unit=unit,
    )  # fmt: skip


def _read_number(reader: Reader, node: Node, where: str) -> Decimal | None:
    """A number written in YAML (12, 12.5, -3); not text such as "12,5"."""
    if isinstance(node, ScalarNode) and node.tag in (
        "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    ):  # fmt: skip
        try:
            value = Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            value = None
        if value is not None and value.is_finite():
            return value
    reader.report(node, f"{where}: expected a number (e.g. 12 or 12.5)")
    return None


def _read_scenario(reader: Reader, node: Node) -> Scenario | None:
    values = reader.mapping(node, "scenario", required=("start", "nodes"))
    if values is None or "nodes" not in values:
        return None
    start = reader.slug(values["start"], "scenario start") if "start" in values else None
    items = reader.sequence(values["nodes"], "scenario nodes")
    if items is None:
        return None
    nodes: dict[str, ScenarioNode] = {}
    lines: dict[str, int] = {}
    nexts: list[tuple[Node, str]] = []
    is_complete = True
    for item in items:
        node_values = reader.mapping(
            item, "scenario node", required=("id", "text"),
            optional=("choices", "end", "debrief"),
        )  # fmt: skip
        if node_values is None or "id" not in node_values:
            is_complete = False
            continue
        node_id = reader.slug(node_values["id"], "scenario node id")
        if node_id is None:
            is_complete = False
            continue
        where = f"scenario node {node_id!r}"
        if node_id in nodes or node_id in lines:
            reader.report(
                node_values["id"],
                f"{where} is defined twice (first on line {lines[node_id]})",
            )
            is_complete = False
            continue
        lines[node_id] = reader.line(item)
        text = reader.localized(node_values["text"], f"{where} text") if "text" in node_values else None
        end = False
        if "end" in node_values:
            end = bool(reader.boolean(node_values["end"], f"{where} end"))
        debrief = None
        choices: list[ScenarioChoice] = []
        if end:
            if "choices" in node_values:
                reader.report(node_values["choices"], f"{where}: an end node has no choices")
                is_complete = False
            if "debrief" not in node_values:
                reader.report(item, f"{where}: an end node needs a 'debrief'")
                is_complete = False
            else:
                debrief = reader.localized(node_values["debrief"], f"{where} debrief")
        else:
            if "debrief" in node_values:
                reader.report(
                    node_values["debrief"], f"{where}: only an end node has a debrief"
                )
                is_complete = False
            if "choices" not in node_values:
                reader.report(item, f"{where}: missing 'choices' (or 'end: true')")
                is_complete = False
            else:
                read, is_whole = _read_choices(reader, node_values["choices"], where)
                is_complete = is_complete and is_whole
                choices = [choice for choice, _ in read]
                nexts.extend((at, choice.next) for choice, at in read)
        if text is None or (end and debrief is None):
            is_complete = False
            continue
        nodes[node_id] = ScenarioNode(node_id, text, tuple(choices), end, debrief)
    for at, target in nexts:
        if target not in lines:
            reader.report(at, f"scenario: next {target!r} names no node")
            is_complete = False
    if start is not None and start not in lines:
        reader.report(values["start"], f"scenario start: {start!r} names no node")
        is_complete = False
    if not any(n.end for n in nodes.values()) and is_complete:
        reader.report(values["nodes"], "scenario: no node has 'end: true'")
        is_complete = False
    if not is_complete or start is None:
        return None
    reachable = _reachable(nodes, start)
    for node_id, scenario_node in nodes.items():
        if node_id not in reachable:
            reader.report(lines[node_id], f"scenario node {node_id!r} cannot be reached from {start!r}")
            is_complete = False
    ends = _reaching_an_end(nodes)
    for node_id in nodes:
        if node_id in reachable and node_id not in ends:
            reader.report(lines[node_id], f"scenario node {node_id!r} leads to no end node")
            is_complete = False
    return Scenario(start=start, nodes=nodes) if is_complete else None


def _read_choices(
    reader: Reader, node: Node, where: str
) -> tuple[list[tuple[ScenarioChoice, Node]], bool]:
    """The readable choices (with their `next` node) and whether all were."""
    items = reader.sequence(node, f"{where} choices")
    if items is None:
        return [], False
    if not items:
        reader.report(node, f"{where} choices: is empty")
        return [], False
    choices: list[tuple[ScenarioChoice, Node]] = []
    seen: set[str] = set()
    is_complete = True
    for item in items:
        values = reader.mapping(
            item, f"{where} choice", required=("id", "text", "next", "consequence")
        )
        if values is None or "id" not in values:
            is_complete = False
            continue
        choice_id = reader.slug(values["id"], f"{where} choice id")
        label = f"{where} choice {choice_id!r}"
        text = reader.localized(values["text"], f"{label} text") if "text" in values else None
        target = reader.slug(values["next"], f"{label} next") if "next" in values else None
        consequence = (
            reader.localized(values["consequence"], f"{label} consequence")
            if "consequence" in values
            else None
        )
        if choice_id is not None and choice_id in seen:
            reader.report(values["id"], f"{where}: choice id {choice_id!r} is used twice")
            is_complete = False
            continue
        if None in (choice_id, text, target, consequence):
            is_complete = False
            continue
        assert choice_id is not None and text is not None
        assert target is not None and consequence is not None
        seen.add(choice_id)
        choices.append((ScenarioChoice(choice_id, text, target, consequence), values["next"]))
    return choices, is_complete


def _reachable(nodes: dict[str, ScenarioNode], start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for choice in nodes[queue.popleft()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                queue.append(choice.next)
    return seen


def _reaching_an_end(nodes: dict[str, ScenarioNode]) -> set[str]:
    """The nodes from which some path leads to an end node."""
    good = {node_id for node_id, node in nodes.items() if node.end}
    changed = True
    while changed:
        changed = False
        for node_id, node in nodes.items():
            if node_id not in good and any(c.next in good for c in node.choices):
                good.add(node_id)
                changed = True
    return good
