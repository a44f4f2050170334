"""`flask credentials list-keys|rotate-key`: the credentials' signing keys."""

import click

from ..extensions import db
from . import keys
from .views import bp


@bp.cli.command("list-keys")
def list_keys():
    """Every key, all published; the one marked "signs" signs new credentials."""
    for key in keys.all_keys():
        state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "signs"
        click.echo(f"{key.kid}\tcreated {key.created_at:%Y-%m-%d %H:%M}\t{state}")


@bp.cli.command("rotate-key")
def rotate_key():
    """A new signing key; the old ones sign nothing new and stay published,
    so credentials they signed keep verifying."""
    new, retired = keys.rotate()
    db.session.commit()
    for key in retired:
        click.echo(f"retired {key.kid} (still published)")
    click.echo(f"new signing key {new.kid}")
