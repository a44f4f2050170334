"""LMS registrations: a platform (issuer + client_id) and its deployments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import checked_enum
from ..extensions import db
from ..timeutil import UtcDateTime, utc_now


class RegistrationStatus(StrEnum):
    """Whether launches may use a registration.

    Dynamic registration creates a pending one; the tool's operator approves
    it (flask platform approve) or refuses it. Platforms the operator adds
    with flask platform add are approved at once.
    """

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Platform(db.Model):
    """One registration of the tool in an LMS.

    Found by (issuer, client_id), never by issuer alone: every hosted Canvas
    shares the issuer https://canvas.instructure.com.
    """

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    auth_audience: Mapped[str | None] = mapped_column(String(500))
    jwks_url: Mapped[str | None] = mapped_column(String(500))
    # A fixed key set instead of a URL (the built-in demo LMS uses one so that
    # a single-worker server never has to call itself).
    static_jwks: Mapped[str | None] = mapped_column(Text)
    product_family: Mapped[str | None] = mapped_column(String(50))
    accepts_new_deployments: Mapped[bool] = mapped_column(default=False)
    # Origins that frame the tool (e.g. each Canvas customer's own domain, learned
    # from launches), for Content-Security-Policy frame-ancestors.
    frame_origins: Mapped[str | None] = mapped_column(Text)
    # Pending until the operator approves it; only approved ones launch.
    status: Mapped[RegistrationStatus] = mapped_column(
        checked_enum(RegistrationStatus, name="status"),
        default=RegistrationStatus.PENDING,
        server_default=RegistrationStatus.PENDING.value,
    )
    # The institution that vouches for the certificates issued through this
    # registration (printed on certificates and /verify). Set by the operator;
    # dynamic registration only suggests one (suggested_institution).
    institution: Mapped[str | None] = mapped_column(String(200))
    # The name the platform's configuration offered at registration: a
    # suggestion shown to the operator at approval, never printed.
    suggested_institution: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def is_approved(self) -> bool:
        return self.status == RegistrationStatus.APPROVED

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Platform {self.id} {self.issuer} {self.client_id}>"


class Deployment(db.Model):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    platform: Mapped[Platform] = relationship(back_populates="deployments")

    def __repr__(self) -> str:
        return f"<Deployment {self.id} {self.deployment_id}>"
