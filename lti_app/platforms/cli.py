"""`flask platform add|update|list|approve|refuse|remove|add-deployment`.

Registrations by hand, and the operator's decision on the ones dynamic
registration made (pending until approved).
"""

import click
from flask import current_app

from ..extensions import db
from . import approval, bp, service
from .models import Platform, RegistrationStatus


def _find(platform_id, issuer, client_id) -> Platform:
    """A registration by its id, or by --issuer and --client-id."""
    if platform_id is not None:
        platform = service.find_platform_by_id(platform_id)
        if platform is None:
            raise click.ClickException(f"no platform with id {platform_id}")
        return platform
    if not (issuer and client_id):
        raise click.UsageError("give the platform's id, or --issuer and --client-id")
    platform = service.find_platform(issuer, client_id)
    if platform is None:
        raise click.ClickException(f"no platform with issuer {issuer} and client id {client_id}")
    return platform


def _describe(platform: Platform) -> str:
    deployments = ", ".join(d.deployment_id for d in platform.deployments) or "-"
    lines = [
        f"{platform.id}\t{platform.name}\t{platform.issuer}\tclient={platform.client_id}\t"
        f"deployments={deployments}\tstatus={platform.status}\t"
        f"institution={platform.institution or '-'}",
        f"\tlogin={platform.auth_login_url}",
        f"\ttoken={platform.auth_token_url}",
        f"\tkeys={platform.jwks_url or '(fixed key set)'}",
    ]
    if platform.accepts_new_deployments:
        lines.append("\taccepts every new deployment id at its first launch")
    if platform.suggested_institution:
        lines.append(f"\tthe LMS suggests the institution: {platform.suggested_institution}")
    if platform.status == RegistrationStatus.PENDING:
        lines.append(f"\tpending: flask platform approve {platform.id} "
                     f"--institution \"...\" (or: flask platform refuse {platform.id})")
    return "\n".join(lines)


def _identify(command):
    command = click.argument("platform_id", type=int, required=False)(command)
    command = click.option("--issuer", default=None)(command)
    return click.option("--client-id", default=None)(command)


@bp.cli.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="Client id the LMS gave the tool.")
@click.option("--auth-login-url", required=True, help="OIDC authorization endpoint.")
@click.option("--auth-token-url", required=True, help="OAuth2 token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public key set.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
@click.option("--name", default=None, help="A name for people (e.g. 'UvA Canvas').")
@click.option("--institution", default=None,
              help="Who vouches for the certificates (e.g. 'Universiteit Leiden').")
@click.option("--auth-audience", default=None, help="Token audience, if not the URL.")
@click.option(
    "--accept-new-deployments/--no-accept-new-deployments",
    default=False,
    help="Accept unknown deployment ids of this registration automatically.",
)
def add_platform(issuer, client_id, auth_login_url, auth_token_url, jwks_url,
                 deployment_ids, name, institution, auth_audience, accept_new_deployments):
    """Register an LMS platform with its deployments (approved: you typed it)."""
    existing = service.find_platform(issuer, client_id)
    if existing is not None:
        raise click.ClickException(
            f"platform {existing.id} has this issuer and client id; change it with "
            f"'flask platform update {existing.id} ...', or remove it first")
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
            institution=institution,
        )
    except service.PlatformError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"platform {platform.id}: {platform.issuer} client {platform.client_id}, "
        f"deployments: {', '.join(d.deployment_id for d in platform.deployments)}"
    )
    current_app.logger.info("platform %s registered", platform.id)


@bp.cli.command("update")
@_identify
@click.option("--auth-login-url", default=None, help="OIDC authorization endpoint.")
@click.option("--auth-token-url", default=None, help="OAuth2 token endpoint.")
@click.option("--jwks-url", default=None, help="The platform's public key set.")
@click.option("--deployment-id", "deployment_ids", multiple=True,
              help="One more deployment id to accept (repeatable).")
@click.option("--name", default=None)
@click.option("--institution", default=None)
@click.option("--auth-audience", default=None)
@click.option("--accept-new-deployments/--no-accept-new-deployments", default=None)
def update_platform(platform_id, issuer, client_id, auth_login_url, auth_token_url,
                    jwks_url, deployment_ids, name, institution, auth_audience,
                    accept_new_deployments):
    """Change a registration's endpoints, key set, names or deployments.

    The only way to replace what an existing registration trusts: a new
    dynamic registration for the same issuer and client id is refused.
    """
    platform = _find(platform_id, issuer, client_id)
    changes = {"auth_login_url": auth_login_url, "auth_token_url": auth_token_url,
               "jwks_url": jwks_url, "name": name, "institution": institution,
               "auth_audience": auth_audience,
               "accepts_new_deployments": accept_new_deployments}
    for field, value in changes.items():
        if value is not None:
            setattr(platform, field, value)
    if jwks_url:
        platform.static_jwks = None  # the URL given replaces a fixed key set
    for deployment_id in deployment_ids:
        service.add_deployment(platform, deployment_id)
    db.session.commit()
    click.echo(_describe(platform))
    current_app.logger.info("platform %s updated", platform.id)


@bp.cli.command("list")
@click.option("--pending", is_flag=True, help="Only registrations waiting for approval.")
def list_platforms(pending):
    """List registrations: status, institution, endpoints and deployments."""
    for platform in service.list_platforms():
        if pending and platform.status != RegistrationStatus.PENDING:
            continue
        click.echo(_describe(platform))


@bp.cli.command("approve")
@_identify
@click.option("--institution", default=None,
              help="Who vouches for its certificates; required unless already set.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def approve_platform(platform_id, issuer, client_id, institution, yes):
    """Let launches use a registration (one that dynamic registration made)."""
    platform = _find(platform_id, issuer, client_id)
    click.echo(_describe(platform))
    if not (institution or platform.institution):
        suggestion = (f" (the LMS suggests: {platform.suggested_institution})"
                      if platform.suggested_institution else "")
        raise click.ClickException(
            f"give --institution: the institution that vouches for this registration's "
            f"certificates{suggestion}")
    if not yes:
        click.confirm(f"Launches signed by the keys at {platform.jwks_url} will be trusted "
                      f"as {institution or platform.institution}. Approve?", abort=True)
    approval.approve(platform, institution)
    db.session.commit()
    click.echo(f"platform {platform.id} approved: {platform.institution}")
    current_app.logger.info("platform %s approved", platform.id)


@bp.cli.command("refuse")
@_identify
def refuse_platform(platform_id, issuer, client_id):
    """Keep refusing launches of a registration (it stays listed as refused)."""
    platform = _find(platform_id, issuer, client_id)
    approval.refuse(platform)
    db.session.commit()
    click.echo(f"platform {platform.id} refused")
    current_app.logger.info("platform %s refused", platform.id)


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
