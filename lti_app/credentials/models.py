"""The credential's signing keys and each certificate's credential as issued."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UtcDateTime, utc_now

if TYPE_CHECKING:  # the issuing package imports the credentials service
    from ..issuing.models import Certificate


class CredentialKey(db.Model):
    """An RSA key credentials are signed with (one per kid).

    Unlike the LTI keys, a retired key stays published: a credential lives for
    years and must keep verifying. Retired only means it signs nothing new.
    """

    __tablename__ = "credential_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RFC 7638 thumbprint: unique per key, so a kid is never reused.
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)  # encrypted (PKCS#8)
    public_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<CredentialKey {self.id} {self.kid}>"


class IssuedCredential(db.Model):
    """A certificate's OpenBadgeCredential as signed: every download gives
    these bytes. Re-made (same id, same status index) only when the learner
    changes the email choice."""

    __tablename__ = "issued_credentials"
    # A status index is unique within its issuer's list.
    __table_args__ = (UniqueConstraint("issuer_key", "status_list", "status_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), unique=True
    )
    # The credential's id (= jti), e.g. the verification URL.
    credential_uri: Mapped[str] = mapped_column(String(500), unique=True)
    subject_uri: Mapped[str] = mapped_column(String(100))  # urn:uuid:, no personal data
    # The issuing institution's Profile is served at /credentials/issuers/<issuer_key>.
    issuer_key: Mapped[str] = mapped_column(String(40), index=True)
    issuer_name: Mapped[str] = mapped_column(String(300))
    status_list: Mapped[int] = mapped_column(Integer)
    status_index: Mapped[int] = mapped_column(Integer)
    include_email: Mapped[bool] = mapped_column(Boolean, default=False)
    kid: Mapped[str] = mapped_column(String(100))
    jwt: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    certificate: Mapped["Certificate"] = relationship("Certificate")

    def __repr__(self) -> str:
        return f"<IssuedCredential {self.id} cert={self.certificate_id}>"
