"""Typed, immutable course content: what the loader returns and the app reads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

LANGUAGES = ("nl", "en")
LIBRARY_TYPES = ("UKB", "SHB", "KB", "other")


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
    options: tuple[Option, ...]
    correct: frozenset[str]
    explanation: LocalizedText

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options)

    def is_answered_correctly(self, submitted: object) -> bool:
        """True only for exactly the set of correct option ids; never raises."""
        # Answers come from form posts and stored JSON: a bare string is one id
        # (not a collection of characters), and anything malformed is wrong.
        if isinstance(submitted, str):
            submitted = (submitted,)
        if not isinstance(submitted, Iterable):
            return False
        try:
            chosen = frozenset(submitted)
        except TypeError:  # unhashable items, e.g. a list inside the list
            return False
        return bool(chosen == self.correct)


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    percent: int
    passed: bool
    per_question: Mapping[str, bool]


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
        # Floor, so the percentage shown never claims more than was earned, and
        # compare in integers, so 4 of 5 against 80 passes without float noise.
        percent = correct * 100 // total if total else 0
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

    @property
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
class Catalog:
    courses: Mapping[str, Course]
    libraries: tuple[Library, ...]
    version: str

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
