"""`flask platform add|list|remove`: register LMS platforms by hand."""

import click
from flask import current_app

from ..extensions import db
from . import bp, service


@bp.cli.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="Client id the LMS gave the tool.")
@click.option("--auth-login-url", required=True, help="OIDC authorization endpoint.")
@click.option("--auth-token-url", required=True, help="OAuth2 token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public key set.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
@click.option("--name", default=None, help="A name for people (e.g. 'UvA Canvas').")
@click.option("--auth-audience", default=None, help="Token audience, if not the URL.")
@click.option(
    "--accept-new-deployments/--no-accept-new-deployments",
    default=False,
    help="Accept unknown deployment ids of this registration automatically.",
)
def add_platform(issuer, client_id, auth_login_url, auth_token_url, jwks_url,
                 deployment_ids, name, auth_audience, accept_new_deployments):
    """Register an LMS platform (or update it) with its deployments."""
    try:
        platform = service.add_platform(
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            jwks_url=jwks_url,
            deployment_ids=deployment_ids,
            name=name,
            auth_audience=auth_audience,
            accepts_new_deployments=accept_new_deployments,
        )
    except service.PlatformError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"platform {platform.id}: {platform.issuer} client {platform.client_id}, "
        f"deployments: {', '.join(d.deployment_id for d in platform.deployments)}"
    )
    current_app.logger.info("platform %s registered", platform.id)


@bp.cli.command("list")
def list_platforms():
    """List registered platforms and their deployments."""
    for platform in service.list_platforms():
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "-"
        click.echo(
            f"{platform.id}\t{platform.name}\t{platform.issuer}\t"
            f"client={platform.client_id}\tdeployments={deployments}"
        )


@bp.cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.confirmation_option(prompt="This deletes the registration and all its learners' data. Continue?")
def remove_platform(issuer, client_id):
    """Remove a registration and all data of its learners."""
    try:
        service.remove_platform(issuer=issuer, client_id=client_id)
    except service.PlatformNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"removed {issuer} client {client_id}")


@bp.cli.command("add-deployment")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", required=True)
def add_deployment(issuer, client_id, deployment_id):
    """Accept one more deployment id of a registered platform."""
    platform = service.find_platform(issuer, client_id)
    if platform is None:
        raise click.ClickException(f"no platform with issuer {issuer} and client id {client_id}")
    service.add_deployment(platform, deployment_id)
    db.session.commit()
    click.echo(f"deployment {deployment_id} added to platform {platform.id}")
