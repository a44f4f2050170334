"""Learners at every stage in the demo LMS's course, to show the dashboard.

Everything goes through the features' own services (quiz, shadowing days,
certificates), as if the learners had done it; only the dates are real today's.
Runs only against the built-in demo LMS's course, never a real LMS's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from course_content.models import Course, CourseModule

from ..extensions import db
from ..issuing import service as issuing
from ..launch_scope import catalog
from ..learning import service as learning
from ..people.models import Context, Enrollment, Person
from ..platforms.models import Deployment, Platform
from ..shadowing import service as shadowing
from ..lti.nrps import Member
from ..standing import status_for
from ..trainer.roster import store_members
from . import demo_data


class DemoCourseMissing(Exception):
    """The demo course exists once someone has launched from /dev/."""


@dataclass(frozen=True)
class Plan:
    label: str
    passed: int  # modules passed, in order
    attempted: bool = False  # one more module tried and failed
    read: bool = False  # one more module only read
    confirmed_days: int = 0
    submitted_days: int = 0
    certificate: str | None = None  # "issued" | "revoked"


ALL = 10_000  # every module, however many the course has

# By position in the demo roster (demo_data.LEARNERS); the others have not started.
PLANS = (
    Plan("certificate issued", ALL, confirmed_days=2, certificate="issued"),
    Plan("complete, no certificate yet", ALL, confirmed_days=2),
    Plan(
        "waiting for a shadowing confirmation", ALL, confirmed_days=1, submitted_days=1
    ),
    Plan("in progress, a quiz failed", 7, attempted=True),
    Plan("in progress, reading", 2, read=True),
    Plan(
        "in progress, waiting for a confirmation", 5, confirmed_days=1, submitted_days=1
    ),
    Plan("certificate revoked", ALL, confirmed_days=2, certificate="revoked"),
    Plan("just started", 0, read=True),
)
HOSTS = ("leiden", "tu-delft", "uva")


def demo_context() -> Context:
    context = db.session.scalar(
        select(Context)
        .join(Context.deployment)
        .join(Deployment.platform)
        .where(
            Platform.client_id == demo_data.CLIENT_ID,
            Deployment.deployment_id == demo_data.DEPLOYMENT_ID,
            Context.lms_context_id == demo_data.CONTEXT_ID,
        )
    )
    if context is None:
        raise DemoCourseMissing()
    return context


def seed_demo_course(course: Course) -> list[str]:
    """Give the first roster learners their stage; returns one line per learner."""
    context = demo_context()
    members = [
        Member(
            user_id=demo_data.user_id(p),
            roles=p.roles,
            name=p.name,
            given_name=p.given_name,
            family_name=p.family_name,
            email=p.email,
            is_active=True,
        )
        for p in demo_data.LEARNERS
    ]
    store_members(context=context, members=members)
    done = []
    for plan, demo_person in zip(PLANS, demo_data.LEARNERS, strict=False):
        enrollment = db.session.scalar(
            select(Enrollment)
            .join(Enrollment.person)
            .where(
                Enrollment.context_id == context.id,
                Person.sub == demo_data.user_id(demo_person),
            )
        )
        if learning.progress_by_module(enrollment.id, course.slug):
            done.append(f"{demo_person.name}: already seeded")
            continue
        _follow(plan, enrollment, course, demo_person.name)
        done.append(f"{demo_person.name}: {plan.label}")
    return done


def _follow(plan: Plan, enrollment: Enrollment, course: Course, name: str) -> None:
    modules = course.published_modules
    for module in modules[: plan.passed]:
        _quiz(enrollment, course, module, right=True)
    rest = list(modules[plan.passed :])
    if plan.attempted and rest:
        _quiz(enrollment, course, rest.pop(0), right=False)
    if plan.read and rest:
        learning.mark_read(
            enrollment_id=enrollment.id, course=course, module=rest.pop(0)
        )
    today = date.today()
    for n in range(plan.confirmed_days + plan.submitted_days):
        day = _day(enrollment, name, today - timedelta(days=7 * (n + 1)), HOSTS[n % 3])
        shadowing.submit_day(day=day, actor_name=name, today=today)
        if n < plan.confirmed_days:
            shadowing.decide(
                day=day,
                is_confirmed=True,
                by="host",
                by_name="Joke Hendriks",
                by_person_id=None,
                comment=None,
                today=today,
            )
    if plan.certificate:
        status = status_for(
            enrollment_id=enrollment.id, person_id=enrollment.person_id, course=course
        )
        certificate = issuing.issue_certificate(
            person_id=enrollment.person_id,
            context_id=enrollment.context_id,
            course=course,
            status=status,
            learner_name=name,
            language="nl",
            trainer_name="Carla Visser",
            issued_by_person_id=None,
        )
        if plan.certificate == "revoked":
            issuing.revoke(
                certificate=certificate, reason="Uitgegeven op de verkeerde naam."
            )


def _quiz(enrollment: Enrollment, course: Course, module: CourseModule, *, right: bool):
    learning.mark_read(enrollment_id=enrollment.id, course=course, module=module)
    answers = {
        q.id: q.right_answer()
        if right
        else [o.id for o in q.options if o.id not in q.correct][:1]  # numeric: none
        for q in module.quiz.questions
    }
    learning.submit_quiz(
        enrollment_id=enrollment.id,
        course=course,
        module=module,
        answers=answers,
        submission_id=secrets.token_urlsafe(16),
    )


def _day(enrollment: Enrollment, name: str, on: date, host: str):
    return shadowing.create_day(
        person_id=enrollment.person_id,
        context_id=enrollment.context_id,
        values=shadowing.DayInput(
            day=on,
            host_library=catalog().library(host),
            host_library_other=None,
            learning_goals="Zien hoe een andere bibliotheek werkt.",
            activities="Meegelopen met de collega's van de balie en de collectie.",
            reflection="Nuttig: hun intakeformulier kunnen wij ook gebruiken.",
        ),
        actor_name=name,
    )
