"""A trainer launched from the fake LMS, and a way to seed their LMS course."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.people.models import Context
from tests.fake_lms import INSTRUCTOR
from tests.learning.helpers import launch_ltik

NRPS_URL = "https://moodle.example.edu/nrps/course-1/memberships"


@dataclass(frozen=True)
class TrainerLaunch:
    ltik: str
    context_id: int

    def url(self, path: str, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{path}?ltik={self.ltik}" + (f"&{query}" if query else "")


def launch_trainer(app, client, lms, **kwargs) -> TrainerLaunch:
    defaults = dict(
        roles=INSTRUCTOR,
        sub="trainer-1",
        name="Carla Visser",
        given_name="Carla",
        family_name="Visser",
        email="carla@example.edu",
        locale="en",
    )
    defaults.update(kwargs)
    ltik = launch_ltik(client, lms, **defaults)
    with app.app_context():
        context_id = db.session.scalar(
            select(Context.id).where(
                Context.lms_context_id == kwargs.get("context_id", "course-1")
            )
        )
    return TrainerLaunch(ltik, context_id)


@pytest.fixture
def trainer(app, client, lms) -> TrainerLaunch:
    return launch_trainer(app, client, lms)


@pytest.fixture
def seed(app) -> Callable:
    """seed(context_id, fn): fn(context) in an app context, committed; its ids."""

    def run(context_id: int | None, fn: Callable):
        with app.app_context():
            context = db.session.get(Context, context_id) if context_id else None
            result = fn(context)
            ids = _ids_of(result)
            db.session.commit()
            return ids

    return run


def _ids_of(value):
    """Plain ids, so tests never hold rows of a closed session."""
    if isinstance(value, dict):
        return {key: _ids_of(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_ids_of(item) for item in value]
    return getattr(value, "id", value)
