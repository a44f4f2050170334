"""The values one certificate shows: primitives only, so the renderer needs no app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, in one language.

    The caller (``lti_app.issuing``) resolves names, titles and wording to the
    certificate's language before building this; the renderer translates only
    its own labels and formats the dates.
    """

    language: str
    learner_name: str
    course_title: str
    course_slug: str
    wording: str
    completed_on: str
    modules: tuple[str, ...]
    shadow_days: tuple[tuple[str, str], ...]
    organisers: tuple[str, ...]
    trainer_name: str
    verification_code: str
    verification_url: str
    issued_at: str
    # Who vouches for it: the institution whose LMS identified the learner
    # ("" on certificates issued before this was recorded: not printed).
    institution: str = ""
    # Per shadowing day, whether the course's trainer (not the host) confirmed it.
    days_confirmed_by_trainer: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        # Fail here, naming the field, rather than deep inside Jinja or WeasyPrint.
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}: {self.language!r}")
        for name in (
            "learner_name",
            "course_title",
            "course_slug",
            "wording",
            "trainer_name",
            "verification_code",
            "verification_url",
            "institution",
        ):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str")
        for name in ("learner_name", "course_title", "verification_code"):
            if not getattr(self, name).strip():
                raise ValueError(f"{name} must not be empty")
        _check_str_tuple("modules", self.modules)
        _check_str_tuple("organisers", self.organisers)
        if not isinstance(self.shadow_days, tuple):
            raise TypeError("shadow_days must be a tuple of (iso_date, host) pairs")
        for day in self.shadow_days:
            if not (isinstance(day, tuple) and len(day) == 2):
                raise TypeError("shadow_days must be a tuple of (iso_date, host) pairs")
            _check_str_tuple("shadow_days", day)
            _parse_date("shadow_days", day[0])
        if not isinstance(self.days_confirmed_by_trainer, tuple) or not all(
            isinstance(v, bool) for v in self.days_confirmed_by_trainer
        ):
            raise TypeError("days_confirmed_by_trainer must be a tuple of bool")
        _parse_date("completed_on", self.completed_on)
        _parse_datetime("issued_at", self.issued_at)

    @property
    def completed_date(self) -> date:
        return date.fromisoformat(self.completed_on)

    @property
    def issued_datetime(self) -> datetime:
        return datetime.fromisoformat(self.issued_at)


def _check_str_tuple(name: str, value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a tuple of str")


def _parse_date(name: str, value: str) -> None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an ISO date (YYYY-MM-DD): {value!r}") from exc


def _parse_datetime(name: str, value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an ISO datetime: {value!r}") from exc
