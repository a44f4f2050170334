"""`flask certificates signer`: who signs the certificate PDFs."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from ..extensions import db
from . import signer as signing

bp = Blueprint("certificate_signing", __name__, cli_group="certificates")


def init_signing_cli(app: Flask) -> None:
    """Load the configured signer at start (a bad one stops the app) and add the CLI."""
    signing.init_signing(app)
    app.register_blueprint(bp)


@bp.cli.command("signer")
def show_signer():
    """Print the signing certificate: subject, issuer, validity, SHA-256 fingerprint."""
    signer = signing.current_signer()
    db.session.commit()  # a self-signed one made just now is kept
    if signing.is_configured():
        source = "configured (FLASK_CERTIFICATE_SIGNING_PKCS12)"
    else:
        source = "self-signed by this tool, kept in the database"
    click.echo(f"source:      {source}")
    click.echo(f"subject:     {signer.subject}")
    click.echo(f"issuer:      {signer.issuer}")
    click.echo(f"valid from:  {signer.not_before:%Y-%m-%d %H:%M} UTC")
    click.echo(f"valid until: {signer.not_after:%Y-%m-%d %H:%M} UTC")
    click.echo(f"SHA-256:     {signer.sha256_fingerprint}")
