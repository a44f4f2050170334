"""`flask content check` and `flask grades deliver`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint

from course_content.loader import DEFAULT_ROOT, check_content

from . import grade_delivery

content_bp = Blueprint("content", __name__, cli_group="content")
grades_bp = Blueprint("grades", __name__, cli_group="grades")


@content_bp.cli.command("check")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="A course_content folder (default: the installed one).")
def check(root: Path | None):
    """Validate every course; print file:line: message per problem."""
    root = root or DEFAULT_ROOT
    problems = check_content(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"content OK: {root}")


@grades_bp.cli.command("deliver")
@click.option("--limit", default=200, show_default=True)
def deliver(limit: int):
    """Send scores that are due to the LMS gradebooks (run it from cron)."""
    report = grade_delivery.deliver_due(limit=limit)
    click.echo(f"delivered {report.delivered}, failed {report.failed}")
