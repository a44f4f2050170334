"""`flask privacy export|erase|purge-inactive` (GDPR requests and retention)."""

from __future__ import annotations

import json

import click
from flask import current_app

from ..extensions import db
from . import bp, service


@bp.cli.command("export")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@click.option("--output", type=click.File("w"), default="-", help="File (default: stdout).")
def export(person_id: int, output):
    """All data of one person, as JSON."""
    try:
        data = service.export_person(person_id)
    except service.PersonNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@bp.cli.command("erase")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@click.confirmation_option(prompt="Erase this person's data? Valid certificates stay verifiable.")
def erase(person_id: int):
    """Erase one person; valid certificates keep name, course, date and code."""
    try:
        counts = service.erase_person(person_id)
    except service.PersonNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"erased person {person_id}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@bp.cli.command("purge-inactive")
@click.option("--days", type=int, default=None,
              help="Inactive for this many days (default: PRIVACY_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
def purge_inactive(days: int | None, dry_run: bool):
    """Erase people who have not used the tool for the retention period."""
    days = days or current_app.config.get("PRIVACY_RETENTION_DAYS")
    if not days:
        raise click.ClickException("set --days or FLASK_PRIVACY_RETENTION_DAYS")
    ids = service.inactive_people(int(days))
    for person_id in ids:
        if not dry_run:
            service.erase_person(person_id)
        click.echo(f"{'would erase' if dry_run else 'erased'} person {person_id}")
    db.session.commit()
    click.echo(f"{len(ids)} inactive for more than {days} days")
