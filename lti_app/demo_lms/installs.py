"""Installs of the tool in the demo course: Canvas makes a deployment id per install."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from ..extensions import db
from .models import DemoInstall


def opaque_id(*parts: str) -> str:
    """A stable 40-hex id, as Canvas's `Lti::Asset.opaque_identifier_for`."""
    return hashlib.sha1(":".join(("demo-lms", *parts)).encode()).hexdigest()


def current_deployment_id(profile: str, context_id: str) -> str:
    """The deployment id of the newest install; the first call installs the tool."""
    install = db.session.scalar(
        select(DemoInstall)
        .where(DemoInstall.profile == profile, DemoInstall.context_id == context_id)
        .order_by(DemoInstall.id.desc())
        .limit(1)
    )
    return (install or install_tool(profile, context_id)).deployment_id


def install_tool(profile: str, context_id: str) -> DemoInstall:
    """Install the tool (again): a new deployment "<n>:<opaque context id>"."""
    install = DemoInstall(profile=profile, context_id=context_id)
    db.session.add(install)
    db.session.flush()
    install.deployment_id = f"{install.id}:{opaque_id('context', context_id)}"
    db.session.flush()
    return install
