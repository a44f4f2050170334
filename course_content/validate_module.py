"""Check one module file (`<slug>.md`): front matter, quiz, body and links."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import Node

from .body import SplitFile, link_problems, split_front_matter, split_languages
from .markdown import count_words
from .models import (
    LANGUAGES,
    LocalizedList,
    LocalizedText,
    Option,
    Question,
    Quiz,
    Source,
)
from .problems import ContentProblem
from .yamlnodes import Reader

MIN_QUESTIONS = 5
MIN_WORDS, MAX_WORDS = 600, 1200
MIN_PASS_MARK, MAX_PASS_MARK = 1, 100


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


def read_module(
    path: Path, text: str, *, is_published: bool, problems: list[ContentProblem]
) -> ModuleSpec | None:
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
    optional = ["sources"]
    for key in ("estimated_minutes", "objectives", "quiz"):
        (required if is_published else optional).append(key)
    values = reader.mapping(root, "front matter", required=required, optional=optional)
    if values is None:
        return None
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
    sources = _read_sources(reader, values["sources"]) if "sources" in values else ()
    quiz = _read_quiz(reader, values["quiz"]) if "quiz" in values else None
    if slug is None or title is None:
        return None
    return ModuleSpec(slug, title, minutes, objectives, sources, quiz, body)


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
    if any(lang not in sections for lang in LANGUAGES):
        return None
    return LocalizedText(nl=sections["nl"].text.strip(), en=sections["en"].text.strip())


def _read_sources(reader: Reader, node: Node) -> tuple[Source, ...]:
    items = reader.sequence(node, "sources") or []
    sources: list[Source] = []
    for item in items:
        values = reader.mapping(item, "source", required=("title", "url"))
        if values is None:
            continue
        title = (
            reader.text(values["title"], "source title") if "title" in values else None
        )
        url = reader.http_url(values["url"], "source url") if "url" in values else None
        if title is not None and url is not None:
            sources.append(Source(title=title, url=url))
    return tuple(sources)


def _read_quiz(reader: Reader, node: Node) -> Quiz | None:
    values = reader.mapping(node, "quiz", required=("pass_mark", "questions"))
    if values is None:
        return None
    pass_mark = None
    if "pass_mark" in values:
        pass_mark = reader.integer(values["pass_mark"], "quiz pass_mark")
        if pass_mark is not None and not MIN_PASS_MARK <= pass_mark <= MAX_PASS_MARK:
            reader.report(
                values["pass_mark"],
                f"quiz pass_mark: {pass_mark} is not between 1 and 100",
            )
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
        question_id, question = _read_question(reader, item, number)
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
    if pass_mark is None or len(items) < MIN_QUESTIONS or None in questions:
        return None
    return Quiz(
        pass_mark=pass_mark, questions=tuple(q for q in questions if q is not None)
    )


def _read_question(
    reader: Reader, node: Node, number: int
) -> tuple[str | None, Question | None]:
    """The question's id (if readable, for the uniqueness check) and the question."""
    values = reader.mapping(
        node,
        f"question {number}",
        required=("id", "text", "options", "correct", "explanation"),
        optional=("multiple",),
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
    multiple = False
    if "multiple" in values:
        multiple = bool(reader.boolean(values["multiple"], f"{where} multiple"))
    options = (
        _read_options(reader, values["options"], where) if "options" in values else None
    )
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
