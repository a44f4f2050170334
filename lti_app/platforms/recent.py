"""Approved registrations as a login last read them, kept a few seconds per worker.

A class that logs in together makes every login read the same registration
row. The login only sends the browser on to the LMS: the launch that follows
reads the row afresh (`find_platform_with_deployment`) and refuses a
registration that was revoked or removed meanwhile, so a login may go by a
copy up to `RECENT_SECONDS` old. Only approved registrations are kept, so an
approval counts at once; a change made through this worker's own database
session drops every copy at once (the mapper events below), another
worker's within `RECENT_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from time import monotonic

from flask import current_app, has_app_context
from sqlalchemy import event

from .models import Platform, RegistrationStatus
from .service import find_platform

RECENT_SECONDS = 10.0
_EXTENSION = "kd_recent_registrations"


@dataclass(frozen=True)
class RegistrationCopy:
    """What a login reads of a registration, detached from any database session."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    auth_audience: str | None
    jwks_url: str | None
    frame_origins: str | None
    status: RegistrationStatus

    @property
    def is_approved(self) -> bool:
        return self.status == RegistrationStatus.APPROVED

    @classmethod
    def of(cls, platform: Platform) -> RegistrationCopy:
        return cls(**{field.name: getattr(platform, field.name) for field in fields(cls)})


def login_registration(issuer: str, client_id: str) -> RegistrationCopy | None:
    """The registration of (issuer, client_id) for a login; None if there is none."""
    copies = _copies()
    key = (issuer, client_id)
    now = monotonic()
    kept = copies.get(key)
    if kept is not None and now - kept[0] < RECENT_SECONDS:
        return kept[1]
    platform = find_platform(issuer, client_id)
    copy = RegistrationCopy.of(platform) if platform is not None else None
    if copy is not None and copy.is_approved:
        copies[key] = (now, copy)
    else:
        copies.pop(key, None)
    return copy


def forget_all() -> None:
    if has_app_context():
        _copies().clear()


def _copies() -> dict[tuple[str, str], tuple[float, RegistrationCopy]]:
    # Per app: a test process runs many apps, each on its own database.
    return current_app.extensions.setdefault(_EXTENSION, {})


@event.listens_for(Platform, "after_insert")
@event.listens_for(Platform, "after_update")
@event.listens_for(Platform, "after_delete")
def _registration_changed(_mapper, _connection, _platform) -> None:
    forget_all()
