"""`flask trainer seed-demo`: learners at every stage in the demo LMS's course.

Demo code, so it lives here; it joins the trainer's command group only when the
app factory enables the demo LMS (product code never imports demo_lms)."""

from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from ..launch_scope import find_course
from ..trainer import bp
from .seed import DemoCourseMissing, seed_demo_course


@bp.cli.command("seed-demo")
@click.option("--course", "course_slug", default="library-basics", show_default=True)
@click.option(
    "--url",
    default=None,
    help="Where the tool runs: certificates print their verification URL "
    "(default: TOOL_BASE_URL, else http://127.0.0.1:5000).",
)
def seed_demo(course_slug: str, url: str | None) -> None:
    """Give the demo course's roster learners progress, days and certificates."""
    if not current_app.config["DEMO_LMS_ENABLED"]:
        raise click.ClickException("The demo LMS is off (FLASK_DEMO_LMS_ENABLED=true).")
    course = find_course(course_slug)
    if course is None:
        raise click.ClickException(f"No course {course_slug!r}.")
    # No request here: certificates take their verification URL from this.
    current_app.config["TOOL_BASE_URL"] = (
        url or current_app.config.get("TOOL_BASE_URL") or "http://127.0.0.1:5000"
    )
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
