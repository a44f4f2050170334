"""The tool's own signing keys and the shared store of short-lived values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UtcDateTime, utc_now


class ToolKey(db.Model):
    """An RSA key the tool signs with; published in /lti/jwks until retired."""

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RFC 7638 thumbprint: unique per key, so a kid is never reused.
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)  # encrypted (PKCS#8)
    public_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    # The newest unretired key signs; older ones stay published until retired.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<ToolKey {self.id} {self.kid}>"


class StoredValue(db.Model):
    """OIDC state, launch data, launch sessions, cached platform key sets.

    Lives in the database so every worker and host sees the same values.
    """

    __tablename__ = "stored_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    def __repr__(self) -> str:
        return f"<StoredValue {self.key}>"
