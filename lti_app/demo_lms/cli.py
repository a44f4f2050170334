"""`flask trainer seed-demo`: learners at every stage in the demo LMS's course."""

from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from ..learning.content import find_course
from . import bp
from .demo_seed import DemoCourseMissing, seed_demo_course


@bp.cli.command("seed-demo")
@click.option("--course", "course_slug", default="library-basics", show_default=True)
@click.option(
    "--url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where the tool runs: certificates print their verification URL.",
)
def seed_demo(course_slug: str, url: str) -> None:
    """Give the demo course's roster learners progress, days and certificates."""
    if not current_app.config["DEMO_LMS_ENABLED"]:
        raise click.ClickException("The demo LMS is off (FLASK_DEMO_LMS_ENABLED=true).")
    course = find_course(course_slug)
    if course is None:
        raise click.ClickException(f"No course {course_slug!r}.")
    with current_app.test_request_context(base_url=url):
        try:
            lines = seed_demo_course(course)
        except DemoCourseMissing:
            raise click.ClickException(
                "Open /dev/ and launch the tool once first: the demo course does not "
                "exist yet."
            ) from None
        db.session.commit()
    for line in lines:
        click.echo(line)
