"""`flask keys list|rotate|retire`: the tool's signing keys."""

import click
from flask import Blueprint

from ..extensions import db
from . import keys

keys_bp = Blueprint("keys", __name__, cli_group="keys")


@keys_bp.cli.command("list")
def list_keys():
    """List the published keys; the last one signs."""
    for key in keys.published_keys():
        click.echo(f"{key.kid}\tcreated {key.created_at:%Y-%m-%d %H:%M}")


@keys_bp.cli.command("rotate")
def rotate_key():
    """Add a new signing key; the old one stays published until retired."""
    key = keys.rotate()
    db.session.commit()
    click.echo(f"new signing key {key.kid}")


@keys_bp.cli.command("retire")
@click.option("--kid", required=True, help="The key id to stop publishing.")
def retire_key(kid):
    """Stop publishing an old key (after platforms refreshed their cache)."""
    try:
        key = keys.retire(kid)
    except keys.KeyOperationError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"retired {key.kid}")
