"""The words a certificate prints, from its ``CertificateData``: the PDF's template
and the learner's preview before issue (``lti_app.issuing``) both take them
from here, so the preview says exactly what the PDF will.

No WeasyPrint here: the app's pages can import this cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .codes import printed_groups
from .data import CertificateData
from .labels import format_long_date, labels_for


@dataclass(frozen=True)
class PrintedDay:
    day: str  # "3 februari 2026"
    host: str
    by_trainer: bool


@dataclass(frozen=True)
class PrintedFacts:
    language: str
    kicker: str
    wording: str
    learner_name: str
    completed_before: str
    course_title: str
    completed_after: str  # "afgerond op 12 maart 2026"
    modules_heading: str
    modules: tuple[str, ...]
    shadow_days_heading: str
    shadow_days: tuple[PrintedDay, ...]
    confirmed_by_trainer: str
    trainer_name: str
    trainer_label: str
    organised_by: str
    organisers: str  # "UKB · SHB · VOGIN"
    issued_by: str  # "Uitgegeven door …"; "" when no institution was recorded
    issued_on: str  # "Uitgegeven op 12 maart 2026"
    code_label: str
    code_groups: tuple[str, ...]  # the code in the pieces no line may break


def printed_facts(data: CertificateData) -> PrintedFacts:
    labels = labels_for(data.language)
    completed_on = format_long_date(data.completed_date, data.language)
    issued_on = format_long_date(data.issued_datetime.date(), data.language)
    return PrintedFacts(
        language=data.language,
        kicker=labels["certificate"],
        wording=data.wording,
        learner_name=data.learner_name,
        completed_before=labels["completed_before"],
        course_title=data.course_title,
        completed_after=labels["completed_after"].format(date=completed_on),
        modules_heading=labels["modules"],
        modules=data.modules,
        shadow_days_heading=labels["shadow_days"],
        shadow_days=tuple(
            PrintedDay(
                format_long_date(date.fromisoformat(day), data.language), host,
                index < len(data.days_confirmed_by_trainer)
                and data.days_confirmed_by_trainer[index],
            )
            for index, (day, host) in enumerate(data.shadow_days)
        ),
        confirmed_by_trainer=labels["confirmed_by_trainer"],
        trainer_name=data.trainer_name,
        trainer_label=labels["trainer"],
        organised_by=labels["organised_by"],
        organisers=" · ".join(data.organisers),
        issued_by=(labels["issued_by"].format(institution=data.institution)
                   if data.institution.strip() else ""),
        issued_on=labels["issued_on"].format(date=issued_on),
        code_label=labels["verification_code"],
        code_groups=tuple(printed_groups(data.verification_code)),
    )
