"""Typed, immutable course content: what the loader returns and the app reads."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

LANGUAGES = ("nl", "en")
LIBRARY_TYPES = ("UKB", "SHB", "KB", "OKBN", "WSWB", "other")
QUESTION_TYPES = ("choice", "numeric")
REVEAL_ANSWERS = ("after_pass", "always")  # course.yaml reveal_answers
MAX_NUMBER_LENGTH = 40
# What may surround a number a learner types: spaces, currency and percent signs.
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€$%]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def parse_number(text: object) -> Decimal | None:
    """A number as a learner types it, in Dutch or English; None if it is none.

    "12,5" and "12.5" are both 12.5. With both separators the last one is the
    decimal mark ("1.234,5" and "1,234.5"); several of one kind are grouping
    ("1.234.567"). Spaces, "€", "$" and "%" are ignored.
    """
    if not isinstance(text, str) or len(text) > MAX_NUMBER_LENGTH:
        return None
    value = _NUMBER_NOISE.sub("", text).replace("\u2212", "-")  # the minus sign
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        value = value.replace(grouping, "")
    elif value.count(",") > 1 or value.count(".") > 1:
        value = value.replace(",", "").replace(".", "")
    value = value.replace(",", ".")
    if not _NUMBER.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def format_number(value: Decimal, lang: str | None) -> str:
    """`value` as written in `lang`: a decimal comma in Dutch, no trailing zeros."""
    text = format(value.normalize(), "f")
    if not (lang and lang.lower().startswith("en")):
        text = text.replace(".", ",")
    return text


@dataclass(frozen=True)
class LocalizedText:
    nl: str
    en: str

    def get(self, lang: str | None) -> str:
        """The text in `lang`; Dutch for any other or unknown language."""
        if lang and lang.lower().startswith("en"):
            return self.en
        return self.nl


@dataclass(frozen=True)
class LocalizedList:
    nl: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: str | None) -> tuple[str, ...]:
        """The items in `lang`; Dutch for any other or unknown language."""
        if lang and lang.lower().startswith("en"):
            return self.en
        return self.nl


@dataclass(frozen=True)
class Option:
    id: str
    text: LocalizedText


@dataclass(frozen=True)
class Question:
    id: str
    text: LocalizedText
    multiple: bool
    options: tuple[Option, ...]  # empty for a numeric question
    correct: frozenset[str]  # option ids; empty for a numeric question
    explanation: LocalizedText
    type: str = "choice"  # one of QUESTION_TYPES
    answer: Decimal | None = None  # numeric: the right number
    tolerance: Decimal = Decimal(0)  # numeric: accepted distance from `answer`
    unit: LocalizedText | None = None  # numeric: shown after the input

    @property
    def is_numeric(self) -> bool:
        return self.type == "numeric"

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options)

    def right_answer(self) -> list[str]:
        """A submission that is right: the option ids, or the number as text."""
        if self.is_numeric:
            return [str(self.answer)]
        return sorted(self.correct)

    def is_answered_correctly(self, submitted: object) -> bool:
        """True only for exactly the set of correct option ids (choice) or a
        number within the tolerance (numeric); never raises."""
        # Answers come from form posts and stored JSON: a bare string is one id
        # (not a collection of characters), and anything malformed is wrong.
        if isinstance(submitted, str):
            submitted = (submitted,)
        if not isinstance(submitted, Iterable):
            return False
        if self.is_numeric:
            return self._is_right_number(submitted)
        try:
            chosen = frozenset(submitted)
        except TypeError:  # unhashable items, e.g. a list inside the list
            return False
        return bool(chosen == self.correct)

    def _is_right_number(self, submitted: Iterable[object]) -> bool:
        try:
            values = list(submitted)
        except TypeError:
            return False
        if len(values) != 1 or self.answer is None:
            return False
        number = parse_number(values[0])
        return number is not None and abs(number - self.answer) <= self.tolerance


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    percent: int
    passed: bool
    per_question: Mapping[str, bool]


def percent_of(correct: int, total: int) -> int:
    """`correct` of `total` as a whole percent, rounded half up (4 of 6 is 67,
    1 of 8 is 13), in integers so no float noise creeps in."""
    if total <= 0:
        return 0
    return (correct * 200 + total) // (total * 2)


def right_needed(pass_mark: int, total: int) -> int:
    """How many of `total` questions must be right to reach `pass_mark`."""
    return -(-pass_mark * total // 100)  # the ceiling of pass_mark * total / 100


@dataclass(frozen=True)
class Quiz:
    pass_mark: int
    questions: tuple[Question, ...]

    def score(self, answers: Mapping[str, Collection[str]]) -> QuizResult:
        """Grade `answers` (question id -> chosen option ids).

        Answers to unknown questions are ignored; unknown option ids make that
        question wrong; a question without an answer is wrong.
        """
        per_question = {
            question.id: question.is_answered_correctly(answers.get(question.id, ()))
            for question in self.questions
        }
        total = len(self.questions)
        correct = sum(per_question.values())
        percent = percent_of(correct, total)
        # The pass check compares the exact fraction, never the rounded percent:
        # 2 of 3 (66.7%, shown as 67%) does not pass a mark of 67.
        passed = total > 0 and correct * 100 >= self.pass_mark * total
        return QuizResult(
            correct=correct,
            total=total,
            percent=percent,
            passed=passed,
            per_question=MappingProxyType(per_question),
        )


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    date: str = ""  # the source's own date: YYYY, YYYY-MM or YYYY-MM-DD
    section: str | None = None  # the nl `##` heading whose claims it backs


@dataclass(frozen=True)
class ReflectionPrompt:
    id: str
    text: LocalizedText


@dataclass(frozen=True)
class Resource:
    file: str  # a plain file name in the course's resources/ folder
    title: LocalizedText
    path: Path  # where it is on disk (checked to exist when loaded)

    @property
    def extension(self) -> str:
        return self.file.rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    text: LocalizedText
    next: str
    consequence: LocalizedText


@dataclass(frozen=True)
class ScenarioNode:
    id: str
    text: LocalizedText
    choices: tuple[ScenarioChoice, ...]
    end: bool
    debrief: LocalizedText | None

    def choice(self, choice_id: str) -> ScenarioChoice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


@dataclass(frozen=True)
class Scenario:
    start: str
    nodes: Mapping[str, ScenarioNode]

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))

    def node(self, node_id: str | None) -> ScenarioNode | None:
        return self.nodes.get(node_id) if node_id else None


@dataclass(frozen=True)
class CourseModule:
    slug: str
    course_slug: str
    title: LocalizedText
    # Unpublished modules may still lack everything but their title.
    estimated_minutes: int | None
    objectives: LocalizedList | None
    sources: tuple[Source, ...]
    quiz: Quiz | None
    body: LocalizedText | None
    published: bool
    version: str
    last_checked: date | None = None
    reflection: tuple[ReflectionPrompt, ...] = ()
    ask_your_host: LocalizedText | None = None
    resources: tuple[Resource, ...] = ()
    scenario: Scenario | None = None

    def resource(self, file: str) -> Resource | None:
        """The declared resource named exactly `file`, or None."""
        for resource in self.resources:
            if resource.file == file:
                return resource
        return None


@dataclass(frozen=True)
class Badge:
    """course.yaml `badge`: the achievement of the Open Badges 3.0 credential."""

    image: Path  # a square PNG in the course folder (checked when loaded)
    name: LocalizedText
    description: LocalizedText
    criteria: LocalizedText  # the rules in words; the tool adds the checked rules


@dataclass(frozen=True)
class Course:
    slug: str
    title: LocalizedText
    description: LocalizedText
    organisers: tuple[str, ...]
    modules: tuple[CourseModule, ...]
    shadow_days_required: int
    certificate_wording: LocalizedText
    version: str
    pass_mark: int = 70  # percent, for every quiz of the course
    # When a quiz's right answers are shown: "always", or "after_pass" (only
    # once the learner passed the module; the default, as every course leads
    # to a certificate).
    reveal_answers: str = "after_pass"
    badge: Badge | None = None  # None: no credential wording written yet

    @property
    def study_minutes(self) -> int:
        """The published modules' estimated minutes together (shadowing days apart)."""
        return sum(module.estimated_minutes or 0 for module in self.published_modules)

    @cached_property  # a trainer's whole list asks 3 times a row
    def published_modules(self) -> tuple[CourseModule, ...]:
        """The modules learners can open, in course order."""
        return tuple(module for module in self.modules if module.published)

    def module(self, slug: str) -> CourseModule | None:
        """The module named `slug`, published or not; None if the course has none."""
        for module in self.modules:
            if module.slug == slug:
                return module
        return None


@dataclass(frozen=True)
class Library:
    id: str
    name: str
    city: str
    type: str


@dataclass(frozen=True)
class GlossaryTerm:
    id: str
    term: LocalizedText
    definition: LocalizedText


@dataclass(frozen=True)
class Catalog:
    courses: Mapping[str, Course]
    libraries: tuple[Library, ...]
    version: str
    glossary: tuple[GlossaryTerm, ...] = field(default=())

    def __post_init__(self) -> None:
        # A read-only view, so a shared cached catalog cannot be changed by a caller.
        object.__setattr__(self, "courses", MappingProxyType(dict(self.courses)))

    def course(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def library(self, library_id: str) -> Library | None:
        for library in self.libraries:
            if library.id == library_id:
                return library
        return None
